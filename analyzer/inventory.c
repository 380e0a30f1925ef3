/* Inventory and exclusions CSV files; see inventory.h. */
#include "analyzer/inventory.h"

#include <errno.h>  /* errno */
#include <stdarg.h> /* va_list */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* free, qsort */
#include <string.h> /* strcmp, strerror */

#include "analyzer/agg.h"     /* agg_normalise_host */
#include "common/rsla_base.h" /* rsla_xmalloc, rsla_read_file */
#include "common/rsla_time.h" /* rsla_time_parse_rfc3339 */

/* Largest inventory or exclusions file read. */
#define INV_MAX_FILE (64u << 20)

/* MARK: - CSV (Public) */

static void put_char(char **buf, size_t *n, size_t *cap, char c)
{
    if (*n + 2 > *cap) {
        *cap = *cap ? *cap * 2 : 32;
        *buf = rsla_xrealloc(*buf, *cap);
    }
    (*buf)[(*n)++] = c;
    (*buf)[*n] = '\0';
}

void csv_records_free(csv_record *recs, size_t n)
{
    if (!recs)
        return;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < recs[i].n; k++)
            free(recs[i].fields[k]);
        free(recs[i].fields);
    }
    free(recs);
}

long csv_parse(const char *s, size_t len, csv_record **out, char *err, size_t errlen)
{
    size_t pos = 0;
    int line = 1;
    size_t line_start = 0;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        pos = line_start = 3;
    csv_record *recs = NULL;
    size_t nrec = 0, caprec = 0;
    *out = NULL;
    while (pos < len) {
        csv_record rec = { NULL, 0, line };
        size_t capf = 0;
        bool any_quoted = false;
        for (;;) {
            /* One field. */
            size_t fn = 0, fcap = 32;
            char *f = rsla_xmalloc(fcap);
            f[0] = '\0';
            if (pos < len && s[pos] == '"') {
                any_quoted = true;
                const int qline = line;
                const size_t qcol = pos - line_start + 1;
                pos++;
                for (;;) {
                    if (pos >= len) {
                        if (err && errlen)
                            snprintf(err, errlen, "%d:%zu: unterminated quoted field", qline,
                                     qcol);
                        free(f);
                        goto fail_rec;
                    }
                    const char c = s[pos++];
                    if (c == '"') {
                        if (pos < len && s[pos] == '"') {
                            put_char(&f, &fn, &fcap, '"');
                            pos++;
                            continue;
                        }
                        break;
                    }
                    if (c == '\n') {
                        line++;
                        line_start = pos;
                    }
                    put_char(&f, &fn, &fcap, c);
                }
                if (pos < len && s[pos] != ',' && s[pos] != '\n' &&
                    !(s[pos] == '\r' && (pos + 1 == len || s[pos + 1] == '\n'))) {
                    if (err && errlen)
                        snprintf(err, errlen, "%d:%zu: text after a closing quote", line,
                                 pos - line_start + 1);
                    free(f);
                    goto fail_rec;
                }
            } else {
                while (pos < len && s[pos] != ',' && s[pos] != '\n' &&
                       !(s[pos] == '\r' && (pos + 1 == len || s[pos + 1] == '\n'))) {
                    if (s[pos] == '"') {
                        if (err && errlen)
                            snprintf(err, errlen,
                                     "%d:%zu: quote inside an unquoted field (quote the whole "
                                     "field and double the quote)",
                                     line, pos - line_start + 1);
                        free(f);
                        goto fail_rec;
                    }
                    put_char(&f, &fn, &fcap, s[pos++]);
                }
            }
            if (rec.n == capf) {
                capf = capf ? capf * 2 : 8;
                rec.fields = rsla_xrealloc(rec.fields, capf * sizeof *rec.fields);
            }
            rec.fields[rec.n++] = f;
            if (pos < len && s[pos] == ',') {
                pos++;
                continue;
            }
            /* End of record. */
            if (pos < len && s[pos] == '\r')
                pos++;
            if (pos < len && s[pos] == '\n') {
                pos++;
                line++;
                line_start = pos;
            }
            break;
        }
        if (rec.n == 1 && rec.fields[0][0] == '\0' && !any_quoted) {
            free(rec.fields[0]);
            free(rec.fields);
            continue; /* blank line */
        }
        if (nrec == caprec) {
            caprec = caprec ? caprec * 2 : 16;
            recs = rsla_xrealloc(recs, caprec * sizeof *recs);
        }
        recs[nrec++] = rec;
        continue;
    fail_rec:
        for (size_t k = 0; k < rec.n; k++)
            free(rec.fields[k]);
        free(rec.fields);
        csv_records_free(recs, nrec);
        return -1;
    }
    *out = recs;
    return (long)nrec;
}

/* MARK: - Shared helpers (Private) */

typedef struct ectx {
    const char *name;
    char *err;
    size_t errlen;
} ectx;

static bool efail(const ectx *c, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool efail(const ectx *c, int line, const char *fmt, ...)
{
    if (!c->err || !c->errlen)
        return false;
    int n = snprintf(c->err, c->errlen, "%s:%d: ", c->name, line);
    if (n < 0 || (size_t)n >= c->errlen)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    rsla_read_status st;
    /* A file of INV_MAX_FILE bytes or more is refused. */
    char *buf = rsla_read_file(path, INV_MAX_FILE - 1, len, &st);
    if (!buf && err && errlen) {
        if (st == RSLA_READ_OPEN)
            snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        else if (st == RSLA_READ_IO)
            snprintf(err, errlen, "%s: read error", path);
        else
            snprintf(err, errlen, "%s: larger than %u bytes", path, INV_MAX_FILE);
    }
    return buf;
}

static bool ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return *a == *b;
}

/* Column indexes by name from the header; -1 when absent. Names compare case-insensitively,
 * ignoring surrounding spaces. */
static bool header_columns(const ectx *c, const csv_record *h, const char *const *names,
                           int *idx, size_t n_names)
{
    for (size_t k = 0; k < n_names; k++)
        idx[k] = -1;
    for (size_t i = 0; i < h->n; i++) {
        char *f = h->fields[i];
        size_t a = 0, e = strlen(f);
        while (a < e && (f[a] == ' ' || f[a] == '\t'))
            a++;
        while (e > a && (f[e - 1] == ' ' || f[e - 1] == '\t'))
            e--;
        char name[64];
        if (e - a >= sizeof name)
            continue;
        memcpy(name, f + a, e - a);
        name[e - a] = '\0';
        for (size_t k = 0; k < n_names; k++) {
            if (ieq(name, names[k])) {
                if (idx[k] >= 0)
                    return efail(c, h->line, "column \"%s\" appears twice in the header",
                                 names[k]);
                idx[k] = (int)i;
            }
        }
    }
    return true;
}

static const char *cell(const csv_record *r, int idx)
{
    return idx >= 0 && (size_t)idx < r->n ? r->fields[idx] : "";
}

static bool parse_instant(const ectx *c, int line, const char *col, const char *v, bool *has,
                          int64_t *minute)
{
    *has = false;
    if (!v[0])
        return true;
    int64_t ns;
    const rsla_time_status st = rsla_time_parse_rfc3339(v, strlen(v), &ns);
    if (st != RSLA_TIME_OK)
        return efail(c, line, "%s \"%s\" is not an RFC 3339 instant with a zone%s", col, v,
                     st == RSLA_TIME_NO_ZONE ? " (add Z or an offset)" : "");
    *has = true;
    *minute = rsla_minute_of_ns(ns);
    return true;
}

/* MARK: - Currencies (Public) */

int inventory_currency_decimals(const char *code)
{
    /* ISO 4217 minor units that are not 2. */
    static const char *const zero[] = { "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
                                        "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF",
                                        "XPF" };
    static const char *const three[] = { "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND" };
    static const char *const four[] = { "CLF", "UYW" };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(zero); i++)
        if (strcmp(code, zero[i]) == 0)
            return 0;
    for (size_t i = 0; i < RSLA_ARRAY_LEN(three); i++)
        if (strcmp(code, three[i]) == 0)
            return 3;
    for (size_t i = 0; i < RSLA_ARRAY_LEN(four); i++)
        if (strcmp(code, four[i]) == 0)
            return 4;
    return 2;
}

/* MARK: - Inventory (Public) */

static int cmp_instance(const void *a, const void *b)
{
    return strcmp(((const inventory_instance *)a)->id, ((const inventory_instance *)b)->id);
}

static int cmp_host(const void *a, const void *b)
{
    return strcmp(((const inventory_host *)a)->host, ((const inventory_host *)b)->host);
}

static bool parse_fee(const ectx *c, int line, const char *v, int decimals, int64_t *out)
{
    int64_t units = 0;
    size_t i = 0;
    int int_digits = 0, frac = 0;
    while (v[i] >= '0' && v[i] <= '9') {
        if (++int_digits > 15)
            return efail(c, line, "monthly_fee \"%s\" is too large", v);
        units = units * 10 + (v[i++] - '0');
    }
    if (int_digits == 0)
        return efail(c, line, "monthly_fee \"%s\" is not a non-negative decimal amount", v);
    if (v[i] == '.') {
        i++;
        while (v[i] >= '0' && v[i] <= '9') {
            if (++frac > decimals)
                return efail(c, line, "monthly_fee \"%s\" has more than %d decimals for its "
                                      "currency", v, decimals);
            units = units * 10 + (v[i++] - '0');
        }
        if (frac == 0)
            return efail(c, line, "monthly_fee \"%s\": digits must follow '.'", v);
    }
    if (v[i] != '\0')
        return efail(c, line, "monthly_fee \"%s\" is not a non-negative decimal amount", v);
    for (; frac < decimals; frac++)
        units *= 10;
    *out = units;
    return true;
}

static void add_host(inventory_instance *ii, const char *host, size_t len)
{
    char *norm = rsla_xmalloc(len + 1);
    const size_t n = agg_normalise_host(host, len, norm);
    norm[n] = '\0';
    if (n == 0) {
        free(norm);
        return;
    }
    for (size_t k = 0; k < ii->n_hosts; k++) {
        if (strcmp(ii->hosts[k], norm) == 0) {
            free(norm);
            return;
        }
    }
    ii->hosts = rsla_xrealloc(ii->hosts, (ii->n_hosts + 1) * sizeof *ii->hosts);
    ii->hosts[ii->n_hosts++] = norm;
}

inventory *inventory_parse(const char *data, size_t len, const char *name, char *err,
                           size_t errlen)
{
    const ectx c = { name ? name : "inventory", err, errlen };
    csv_record *recs;
    char cerr[160];
    const long nrec = csv_parse(data, len, &recs, cerr, sizeof cerr);
    if (nrec < 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s:%s", c.name, cerr);
        return NULL;
    }
    inventory *inv = rsla_xcalloc(1, sizeof *inv);
    static const char *const cols[] = { "instance", "hosts", "created", "deleted",
                                        "monthly_fee", "currency" };
    int idx[6];
    bool ok = false;
    if (nrec == 0) {
        efail(&c, 1, "empty file: a header row with instance,hosts,... is expected");
        goto done;
    }
    if (!header_columns(&c, &recs[0], cols, idx, 6))
        goto done;
    if (idx[0] < 0 || idx[1] < 0) {
        efail(&c, recs[0].line, "the header must name the columns \"instance\" and \"hosts\"");
        goto done;
    }
    inv->instances = rsla_xcalloc((size_t)nrec, sizeof *inv->instances);
    for (long r = 1; r < nrec; r++) {
        const csv_record *rec = &recs[r];
        if (rec->n != recs[0].n) {
            efail(&c, rec->line, "%zu fields, but the header has %zu", rec->n, recs[0].n);
            goto done;
        }
        inventory_instance *ii = &inv->instances[inv->n_instances++];
        ii->line = rec->line;
        const char *id = cell(rec, idx[0]);
        ii->id = rsla_xstrndup(id, strlen(id));
        if (!id[0]) {
            efail(&c, rec->line, "empty instance id");
            goto done;
        }
        const char *hosts = cell(rec, idx[1]);
        for (const char *p = hosts;;) {
            const char *semi = strchr(p, ';');
            const char *e = semi ? semi : p + strlen(p);
            const char *a = p;
            while (a < e && (*a == ' ' || *a == '\t'))
                a++;
            const char *z = e;
            while (z > a && (z[-1] == ' ' || z[-1] == '\t'))
                z--;
            for (const char *q = a; q < z; q++) {
                if ((unsigned char)*q <= ' ' || *q == ',' || *q == '/') {
                    efail(&c, rec->line, "instance %s: \"%.*s\" is not a host name (hosts are "
                                         "separated by ';')", ii->id, (int)(z - a), a);
                    goto done;
                }
            }
            if (z > a)
                add_host(ii, a, (size_t)(z - a));
            if (!semi)
                break;
            p = semi + 1;
        }
        if (!parse_instant(&c, rec->line, "created", cell(rec, idx[2]), &ii->has_created,
                           &ii->created_min) ||
            !parse_instant(&c, rec->line, "deleted", cell(rec, idx[3]), &ii->has_deleted,
                           &ii->deleted_min))
            goto done;
        if (ii->has_created && ii->has_deleted && ii->created_min >= ii->deleted_min) {
            efail(&c, rec->line, "instance %s: deleted must be at least one minute after created",
                  ii->id);
            goto done;
        }
        const char *cur = cell(rec, idx[5]);
        if (cur[0]) {
            bool letters = strlen(cur) == 3;
            for (int k = 0; letters && k < 3; k++)
                letters = (cur[k] >= 'A' && cur[k] <= 'Z') || (cur[k] >= 'a' && cur[k] <= 'z');
            if (!letters) {
                efail(&c, rec->line, "currency \"%s\" is not a three-letter ISO 4217 code", cur);
                goto done;
            }
            for (int k = 0; k < 3; k++)
                ii->currency[k] = (char)(cur[k] >= 'a' ? cur[k] - 'a' + 'A' : cur[k]);
            ii->currency[3] = '\0';
        }
        ii->fee_decimals = inventory_currency_decimals(ii->currency);
        const char *fee = cell(rec, idx[4]);
        if (fee[0]) {
            if (!parse_fee(&c, rec->line, fee, ii->fee_decimals, &ii->fee_minor))
                goto done;
            ii->has_fee = true;
        }
    }
    rsla_sort(inv->instances, inv->n_instances, sizeof *inv->instances, cmp_instance);
    for (size_t i = 1; i < inv->n_instances; i++) {
        if (strcmp(inv->instances[i].id, inv->instances[i - 1].id) == 0) {
            const int l1 = RSLA_MIN(inv->instances[i].line, inv->instances[i - 1].line);
            const int l2 = RSLA_MAX(inv->instances[i].line, inv->instances[i - 1].line);
            efail(&c, l2, "instance %s already listed on line %d", inv->instances[i].id, l1);
            goto done;
        }
    }
    size_t nh = 0;
    for (size_t i = 0; i < inv->n_instances; i++)
        nh += inv->instances[i].n_hosts;
    inv->hosts = rsla_xcalloc(nh ? nh : 1, sizeof *inv->hosts);
    for (size_t i = 0; i < inv->n_instances; i++)
        for (size_t k = 0; k < inv->instances[i].n_hosts; k++)
            inv->hosts[inv->n_hosts++] = (inventory_host){ inv->instances[i].hosts[k], i };
    rsla_sort(inv->hosts, inv->n_hosts, sizeof *inv->hosts, cmp_host);
    for (size_t i = 1; i < inv->n_hosts; i++) {
        if (strcmp(inv->hosts[i].host, inv->hosts[i - 1].host) == 0) {
            const inventory_instance *a = &inv->instances[inv->hosts[i - 1].instance];
            const inventory_instance *b = &inv->instances[inv->hosts[i].instance];
            const inventory_instance *later = a->line > b->line ? a : b;
            const inventory_instance *earlier = a->line > b->line ? b : a;
            efail(&c, later->line, "host %s of instance %s is already a host of instance %s "
                                   "(line %d)", inv->hosts[i].host, later->id, earlier->id,
                  earlier->line);
            goto done;
        }
    }
    ok = true;
done:
    csv_records_free(recs, (size_t)nrec);
    if (!ok) {
        inventory_free(inv);
        return NULL;
    }
    return inv;
}

inventory *inventory_load(const char *path, char *err, size_t errlen)
{
    size_t len;
    char *buf = read_file(path, &len, err, errlen);
    if (!buf)
        return NULL;
    inventory *inv = inventory_parse(buf, len, path, err, errlen);
    free(buf);
    return inv;
}

void inventory_free(inventory *inv)
{
    if (!inv)
        return;
    for (size_t i = 0; i < inv->n_instances; i++) {
        free(inv->instances[i].id);
        for (size_t k = 0; k < inv->instances[i].n_hosts; k++)
            free(inv->instances[i].hosts[k]);
        free(inv->instances[i].hosts);
    }
    free(inv->instances);
    free(inv->hosts);
    free(inv);
}

const inventory_instance *inventory_find_host(const inventory *inv, const char *host)
{
    size_t lo = 0, hi = inv->n_hosts;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        const int c = strcmp(inv->hosts[mid].host, host);
        if (c == 0)
            return &inv->instances[inv->hosts[mid].instance];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const inventory_instance *inventory_find(const inventory *inv, const char *id)
{
    size_t lo = 0, hi = inv->n_instances;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        const int c = strcmp(inv->instances[mid].id, id);
        if (c == 0)
            return &inv->instances[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *inventory_instance_of_host(void *ctx, const char *host)
{
    const inventory_instance *ii = inventory_find_host((const inventory *)ctx, host);
    return ii ? ii->id : NULL;
}

/* MARK: - Exclusions (Public) */

static int cmp_exclusion(const void *a, const void *b)
{
    const exclusion *x = a, *y = b;
    if (x->start_min != y->start_min)
        return x->start_min < y->start_min ? -1 : 1;
    if (x->end_min != y->end_min)
        return x->end_min < y->end_min ? -1 : 1;
    const int c = strcmp(x->instance, y->instance);
    if (c)
        return c;
    return (x->line > y->line) - (x->line < y->line);
}

exclusions *exclusions_parse(const char *data, size_t len, const char *name, char *err,
                             size_t errlen)
{
    const ectx c = { name ? name : "exclusions", err, errlen };
    csv_record *recs;
    char cerr[160];
    const long nrec = csv_parse(data, len, &recs, cerr, sizeof cerr);
    if (nrec < 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s:%s", c.name, cerr);
        return NULL;
    }
    exclusions *ex = rsla_xcalloc(1, sizeof *ex);
    static const char *const cols[] = { "instance", "start", "end", "reason" };
    int idx[4];
    bool ok = false;
    if (nrec == 0) {
        efail(&c, 1, "empty file: a header row instance,start,end,reason is expected");
        goto done;
    }
    if (!header_columns(&c, &recs[0], cols, idx, 4))
        goto done;
    if (idx[0] < 0 || idx[1] < 0 || idx[2] < 0) {
        efail(&c, recs[0].line, "the header must name the columns \"instance\", \"start\" and "
                                "\"end\"");
        goto done;
    }
    ex->items = rsla_xcalloc((size_t)nrec, sizeof *ex->items);
    for (long r = 1; r < nrec; r++) {
        const csv_record *rec = &recs[r];
        if (rec->n != recs[0].n) {
            efail(&c, rec->line, "%zu fields, but the header has %zu", rec->n, recs[0].n);
            goto done;
        }
        exclusion *e = &ex->items[ex->n++];
        e->line = rec->line;
        const char *inst = cell(rec, idx[0]);
        const char *reason = cell(rec, idx[3]);
        e->instance = rsla_xstrndup(inst, strlen(inst));
        e->reason = rsla_xstrndup(reason, strlen(reason));
        if (!inst[0]) {
            efail(&c, rec->line, "empty instance (an id, or * for every instance)");
            goto done;
        }
        bool has_s, has_e;
        if (!parse_instant(&c, rec->line, "start", cell(rec, idx[1]), &has_s, &e->start_min) ||
            !parse_instant(&c, rec->line, "end", cell(rec, idx[2]), &has_e, &e->end_min))
            goto done;
        if (!has_s || !has_e) {
            efail(&c, rec->line, "an exclusion needs both start and end");
            goto done;
        }
        if (e->end_min < e->start_min) {
            efail(&c, rec->line, "end is before start");
            goto done;
        }
    }
    rsla_sort(ex->items, ex->n, sizeof *ex->items, cmp_exclusion);
    ok = true;
done:
    csv_records_free(recs, (size_t)nrec);
    if (!ok) {
        exclusions_free(ex);
        return NULL;
    }
    return ex;
}

exclusions *exclusions_load(const char *path, char *err, size_t errlen)
{
    size_t len;
    char *buf = read_file(path, &len, err, errlen);
    if (!buf)
        return NULL;
    exclusions *ex = exclusions_parse(buf, len, path, err, errlen);
    free(buf);
    return ex;
}

void exclusions_free(exclusions *ex)
{
    if (!ex)
        return;
    for (size_t i = 0; i < ex->n; i++) {
        free(ex->items[i].instance);
        free(ex->items[i].reason);
    }
    free(ex->items);
    free(ex);
}
