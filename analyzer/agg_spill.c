/* Pending requests on disk, so that a table's memory does not grow with the input.
 *
 * An error line with a request id cannot be counted until every line of its request is known
 * (SLA-SPEC section 1: one request, earliest time, highest status), and the lines of one request
 * may be anywhere in the input. About a tenth of a month's lines are such lines, so a table keeps
 * them in memory only up to its budget; past it, the whole pending set is written as one run to
 * the table's temporary file, grouped by partition:
 *
 *   file: | run 1: part 0 | part 1 | ... | part 31 | run 2: part 0 | ... |
 *   table->spill->parts[p]: the (file, offset, length) of part p of every run
 *
 * The partition of a request is 5 bits of a hash of its host name and id, the same in every
 * table, so all lines of one request are in one partition, whatever table or run they went
 * through. At the end, each partition is read back and resolved in memory on its own, then
 * counted. A partition that does not fit the budget (an input far larger than a month per
 * table) is spilled again while it is read, partitioned by the next 5 bits of the hash, and each
 * of those is resolved the same way: every level reads and writes the data once. Counting the
 * resolved parts one after the other, like merging tables, is sums, minima and maxima: the result
 * is the same as with no spill at all, whatever the budget.
 *
 * Records are self-contained (host name and strings inline), because the table that reads them
 * back is not the one that wrote them. Files are created in $TMPDIR (default /tmp) and unlinked at
 * once: nothing is left behind, even after a crash. */
#include <errno.h>  /* errno, EOPNOTSUPP, EISDIR, EOVERFLOW */
#include <fcntl.h>  /* open, O_TMPFILE */
#include <pthread.h> /* pthread_once */
#include <stdio.h>  /* FILE, fdopen, fwrite, fread, fseeko, ftello */
#include <stdlib.h> /* free, getenv, mkostemp */
#include <string.h> /* memcpy, memset, strerror, strlen */
#include <sys/random.h> /* getrandom */
#include <time.h>   /* clock_gettime */
#include <unistd.h> /* close, unlink, getpid */

#include "analyzer/agg_internal.h"

/* MARK: - Records (Private) */

/* A 64-bit hash has 12 levels of 5 bits; past them, keys that still collide in every bit are
 * resolved in memory whatever their size (they are one request, or a freak of the hash). */
#define SPILL_LEVELS 12

/* The fixed part of a record; host name, id, method and repository follow, in that order. */
typedef struct spill_head {
    int64_t time_ns;
    uint64_t lines;
    int32_t status;
    uint32_t host_len, id_len, method_len, repo_len;
    uint8_t cls, endpoint;
} spill_head;

/* Hashes of what clients choose are seeded once per process at random: request ids come from
 * clients (a GitLab correlation id is the client's X-Request-Id), and ids made to collide in
 * every bit of an unseeded hash would defeat the partitions, as they and repository names would
 * make the tables' maps probe for ever. Results depend on neither. */
static uint64_t process_seed;
static pthread_once_t process_seed_once = PTHREAD_ONCE_INIT;

static void process_seed_init(void)
{
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid();
    }
    process_seed = rsla_hash_u64(seed);
}

uint64_t agg_process_seed(void)
{
    pthread_once(&process_seed_once, process_seed_init);
    return process_seed;
}

static uint64_t spill_hash(const char *host, size_t host_len, const char *id, size_t id_len)
{
    return rsla_hash_bytes(id, id_len, rsla_hash_bytes(host, host_len, agg_process_seed()));
}

static unsigned part_of(uint64_t hash, unsigned level)
{
    return (unsigned)(hash >> (5 * level)) % AGG_SPILL_PARTS;
}

static const char *spill_dir(void)
{
    const char *d = getenv("TMPDIR");
    return d && *d ? d : "/tmp";
}

/* Writes one record. @return its length, or 0 on a write error (errno set). */
static uint64_t put_record(FILE *f, const agg_table *t, const pending_entry *e)
{
    const host_entry *h = &t->hosts.v[e->host];
    const size_t method_len = strlen(e->method), repo_len = strlen(e->repository);
    if (h->len > UINT32_MAX || e->id_len > UINT32_MAX || method_len > UINT32_MAX ||
        repo_len > UINT32_MAX) { /* a line of 4 GiB: the record's lengths cannot say it */
        errno = EOVERFLOW;
        return 0;
    }
    spill_head hd;
    memset(&hd, 0, sizeof hd); /* padding too: the file's bytes do not depend on the stack */
    hd.time_ns = e->time_ns;
    hd.lines = e->lines;
    hd.status = e->status;
    hd.host_len = (uint32_t)h->len;
    hd.id_len = (uint32_t)e->id_len;
    hd.method_len = (uint32_t)method_len;
    hd.repo_len = (uint32_t)repo_len;
    hd.cls = e->cls;
    hd.endpoint = e->endpoint;
    if (fwrite(&hd, sizeof hd, 1, f) != 1 || fwrite(h->name, 1, h->len, f) != h->len ||
        fwrite(e->id, 1, e->id_len, f) != e->id_len ||
        fwrite(e->method, 1, hd.method_len, f) != hd.method_len ||
        fwrite(e->repository, 1, hd.repo_len, f) != hd.repo_len)
        return 0;
    return sizeof hd + h->len + e->id_len + hd.method_len + hd.repo_len;
}

/* MARK: - Writing (Private) */

/* A new unlinked temporary file in dir: O_TMPFILE where the file system has it, else a named
 * file removed at once. */
static FILE *temp_file(const char *dir)
{
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR)) {
        const size_t n = strlen(dir) + sizeof "/regsla-spill-XXXXXX";
        char *path = rsla_xmalloc(n);
        snprintf(path, n, "%s/regsla-spill-XXXXXX", dir);
        fd = mkostemp(path, O_CLOEXEC);
        if (fd >= 0)
            unlink(path);
        free(path);
    }
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w+b");
    if (!f)
        close(fd);
    return f;
}

/* A spill with one new file, for partitioning at `level`. */
static agg_spill *spill_start(agg_table *t, unsigned level)
{
    const char *dir = spill_dir();
    FILE *f = temp_file(dir);
    if (!f) {
        agg_fail(t, "cannot create a temporary file in %s (set TMPDIR to another folder): %s",
                 dir, strerror(errno));
        return NULL;
    }
    agg_spill *s = rsla_xcalloc(1, sizeof *s);
    const size_t n = strlen(dir) + 1;
    s->dir = rsla_xmalloc(n);
    memcpy(s->dir, dir, n);
    s->level = level;
    VEC_PUSH(s->files, f);
    return s;
}

/* The pending entries' indexes grouped by their partition at `level` (a counting sort):
 * order[start[p] .. start[p + 1]) are partition p's. */
static uint32_t *group_by_part(const agg_table *t, unsigned level,
                               size_t start[AGG_SPILL_PARTS + 1])
{
    const size_t n = t->pending.n;
    uint8_t *part = rsla_xmalloc(n + 1);
    uint32_t *order = rsla_xmalloc((n + 1) * sizeof *order);
    size_t next[AGG_SPILL_PARTS] = { 0 };
    for (size_t i = 0; i < n; i++) {
        const pending_entry *e = &t->pending.v[i];
        const host_entry *h = &t->hosts.v[e->host];
        part[i] = (uint8_t)part_of(spill_hash(h->name, h->len, e->id, e->id_len), level);
        next[part[i]]++;
    }
    start[0] = 0;
    for (int p = 0; p < AGG_SPILL_PARTS; p++) {
        start[p + 1] = start[p] + next[p];
        next[p] = start[p];
    }
    for (size_t i = 0; i < n; i++)
        order[next[part[i]]++] = (uint32_t)i;
    free(part);
    return order;
}

/* Writes the pending set as one run at the end of s's first file. */
static bool write_run(agg_table *t, agg_spill *s)
{
    FILE *f = s->files.v[0];
    off_t off = ftello(f);
    if (off < 0)
        return false;
    size_t start[AGG_SPILL_PARTS + 1];
    uint32_t *order = group_by_part(t, s->level, start);
    bool ok = true;
    for (int p = 0; ok && p < AGG_SPILL_PARTS; p++) {
        uint64_t len = 0;
        for (size_t k = start[p]; ok && k < start[p + 1]; k++) {
            const uint64_t n = put_record(f, t, &t->pending.v[order[k]]);
            ok = n > 0;
            len += n;
        }
        if (ok && len > 0) {
            const spill_segment seg = { 0, (uint64_t)off, len };
            VEC_PUSH(s->parts[p], seg);
            off += (off_t)len;
        }
    }
    free(order);
    /* Flushed now, so that a full disk is reported by this run, not by a later one. */
    return ok && fflush(f) == 0;
}

/* MARK: - Reading (Private) */

/* Reads segment seg into *buf (grown as needed). */
static bool read_segment(const agg_spill *s, const spill_segment *seg, char **buf, size_t *cap)
{
    if (seg->len > *cap) {
        *cap = seg->len;
        free(*buf);
        *buf = rsla_xmalloc(*cap);
    }
    /* pread, not fseeko + fread: resolving tables on several threads read the same files. Every
     * run was flushed when it was written. */
    const int fd = fileno(s->files.v[seg->file]);
    for (uint64_t done = 0; done < seg->len;) {
        const ssize_t n = pread(fd, *buf + done, seg->len - done, (off_t)(seg->off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO; /* shorter than written: the file was cut */
            return false;
        }
        done += (uint64_t)n;
    }
    return true;
}

/* Writes the pending set as one run of *s (made when NULL, at `level`) and empties the set. */
static bool spill_to(agg_table *t, agg_spill **s, unsigned level)
{
    if (t->pending.n == 0)
        return true;
    if (!*s && !(*s = spill_start(t, level))) {
        agg_pending_clear(t);
        return false;
    }
    const bool ok = write_run(t, *s);
    if (!ok)
        agg_fail(t, "cannot write a temporary file in %s (set TMPDIR to a folder with more "
                    "space): %s", (*s)->dir, strerror(errno));
    agg_pending_clear(t);
    return ok;
}

/* Adds the records of a segment to the pending set. @return false when a record does not fit
 * the segment: the file is not what was written. */
static bool add_segment(agg_table *t, const char *buf, uint64_t len)
{
    for (uint64_t pos = 0; pos < len;) {
        spill_head hd;
        if (len - pos < sizeof hd)
            return false;
        memcpy(&hd, buf + pos, sizeof hd);
        const uint64_t body = (uint64_t)hd.host_len + hd.id_len + hd.method_len + hd.repo_len;
        if (body > len - pos - sizeof hd)
            return false;
        const char *host = buf + pos + sizeof hd;
        const char *id = host + hd.host_len;
        const char *method = id + hd.id_len;
        const char *repo = method + hd.method_len;
        pos += sizeof hd + hd.host_len + hd.id_len + hd.method_len + hd.repo_len;
        const pending_entry e = { agg_host_get(t, host, hd.host_len), id, hd.id_len, hd.time_ns,
                                  hd.status, hd.cls, hd.endpoint,
                                  agg_intern(t, method, hd.method_len),
                                  agg_intern(t, repo, hd.repo_len), hd.lines };
        agg_pending_add(t, &e);
    }
    return true;
}

static bool resolve_spill(agg_table *t, agg_spill *s, char **buf, size_t *cap,
                          const agg_count_target *target);

/* Counts t's pending requests, all of them whole (every line of each was read): in t, or in
 * target's table under its lock. */
static void count_resolved(agg_table *t, const agg_count_target *target)
{
    if (!target) {
        agg_pending_count_into(t, t);
        return;
    }
    pthread_mutex_lock(target->lock);
    agg_pending_count_into(target->table, t);
    pthread_mutex_unlock(target->lock);
}

/* Resolves partition p of s: its records are merged in memory, and counted when they fit the
 * budget; past it they go to a spill of the next level, resolved the same way. */
static bool resolve_part(agg_table *t, const agg_spill *s, int p, char **buf, size_t *cap,
                         const agg_count_target *target)
{
    agg_spill *next = NULL;
    bool ok = true;
    for (size_t i = 0; ok && i < s->parts[p].n; i++) {
        const spill_segment *seg = &s->parts[p].v[i];
        ok = read_segment(s, seg, buf, cap);
        if (!ok)
            agg_fail(t, "cannot read back a temporary file in %s: %s", s->dir, strerror(errno));
        else if (!(ok = add_segment(t, *buf, seg->len)))
            agg_fail(t, "a temporary file in %s does not hold what was written to it", s->dir);
        if (ok && t->pending_bytes > t->pending_budget && t->pending.n > 1 &&
            s->level + 1 < SPILL_LEVELS)
            ok = spill_to(t, &next, s->level + 1);
    }
    if (ok && next)
        ok = spill_to(t, &next, s->level + 1) && resolve_spill(t, next, buf, cap, target);
    if (ok)
        count_resolved(t, target);
    agg_spill_free(next);
    return ok;
}

static bool resolve_spill(agg_table *t, agg_spill *s, char **buf, size_t *cap,
                          const agg_count_target *target)
{
    for (int p = 0; p < AGG_SPILL_PARTS; p++)
        if (!resolve_part(t, s, p, buf, cap, target))
            return false;
    return true;
}

/* MARK: - Spill (Internal) */

bool agg_spill_pending(agg_table *t)
{
    return spill_to(t, &t->spill, 0);
}

void agg_spill_move(agg_table *dst, agg_table *src)
{
    agg_spill *s = src->spill, *d = dst->spill;
    src->spill = NULL;
    if (!s || !d) {
        if (s)
            dst->spill = s;
        return;
    }
    const uint32_t base = (uint32_t)d->files.n;
    for (size_t i = 0; i < s->files.n; i++)
        VEC_PUSH(d->files, s->files.v[i]);
    for (int p = 0; p < AGG_SPILL_PARTS; p++)
        for (size_t i = 0; i < s->parts[p].n; i++) {
            spill_segment seg = s->parts[p].v[i];
            seg.file += base;
            VEC_PUSH(d->parts[p], seg);
        }
    s->files.n = 0; /* now dst's */
    agg_spill_free(s);
}

bool agg_spill_resolve_shared(agg_table *scratch, const agg_spill *s, atomic_uint *next_part,
                              const agg_count_target *target)
{
    char *buf = NULL;
    size_t cap = 0;
    bool ok = true;
    for (unsigned p; ok && (p = atomic_fetch_add(next_part, 1)) < AGG_SPILL_PARTS;)
        ok = resolve_part(scratch, s, (int)p, &buf, &cap, target);
    free(buf);
    return ok;
}

bool agg_spill_resolve(agg_table *t)
{
    if (!agg_spill_pending(t)) /* what is still in memory joins its partitions */
        return false;
    char *buf = NULL;
    size_t cap = 0;
    const bool ok = resolve_spill(t, t->spill, &buf, &cap, NULL);
    free(buf);
    agg_pending_clear(t);
    agg_spill_free(t->spill); /* the disk space goes back now, not at exit */
    t->spill = NULL;
    return ok;
}

void agg_spill_free(agg_spill *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->files.n; i++)
        fclose(s->files.v[i]);
    free(s->files.v);
    for (int p = 0; p < AGG_SPILL_PARTS; p++)
        free(s->parts[p].v);
    free(s->dir);
    free(s);
}
