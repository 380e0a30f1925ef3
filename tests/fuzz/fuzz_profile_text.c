/* Fuzz target: detection and the line scanner of ingest/profile on any bytes.
 *
 * The first byte picks the setup (format forced or detected, envelope, prefix mask, syslog zone
 * and year); the rest is the chunk. Checked, besides memory safety:
 *   - exactly one sink call per line, and prof_scan_chunk() returns that count;
 *   - every outcome has a status in 0..999, a duration >= -1, and readable slices;
 *   - a reject's column lies within its line (or at its end);
 *   - scanning the chunk whole and line by line gives the same verdicts (no state leaks from
 *     one line to the next, so chunk boundaries cannot change results). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ingest/profile/prof_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz {
    uint64_t hash;      /* of the verdict sequence */
    size_t calls;
    const char *buf;
    size_t len;
} fz;

static void mix(fz *f, uint64_t v) { f->hash = (f->hash ^ v) * 0x100000001b3ULL; }

static void mix_slice(fz *f, rsla_slice s)
{
    mix(f, s.len);
    for (size_t i = 0; i < s.len; i++) /* reads every byte: ASan sees a bad slice */
        mix(f, (unsigned char)s.ptr[i]);
}

static void f_out(void *c, const rsla_outcome *o)
{
    fz *f = c;
    f->calls++;
    if (o->status < 0 || o->status > 999 || o->duration_ns < -1)
        __builtin_trap();
    mix(f, 1);
    mix(f, (uint64_t)o->time_ns);
    mix(f, (uint64_t)o->status);
    mix(f, (uint64_t)o->duration_ns);
    mix_slice(f, o->host);
    mix_slice(f, o->method);
    mix_slice(f, o->path);
    mix_slice(f, o->request_id);
}

static void f_skip(void *c, rsla_skip_reason r)
{
    fz *f = c;
    f->calls++;
    if ((int)r < 0 || r >= RSLA_SKIP_REASON_COUNT)
        __builtin_trap();
    mix(f, 2);
    mix(f, (uint64_t)r);
}

static void f_rej(void *c, size_t ls, size_t li, rsla_reject_reason r, size_t col, const char *field)
{
    fz *f = c;
    f->calls++;
    if ((int)r < 0 || r >= RSLA_REJECT_REASON_COUNT || ls > f->len)
        __builtin_trap();
    const char *nl = memchr(f->buf + ls, '\n', f->len - ls);
    size_t line_len = nl ? (size_t)(nl - f->buf) - ls : f->len - ls;
    if (col > line_len)
        __builtin_trap();
    mix(f, 3);
    mix(f, (uint64_t)r);
    mix(f, col);
    if (field)
        mix_slice(f, rsla_slice_of(field));
}

static fz run(prof_state *s, const char *buf, size_t len)
{
    fz f = { 0xcbf29ce484222325ULL, 0, buf, len };
    scan_sink sink = { &f, f_out, f_skip, f_rej };
    size_t lines = prof_scan_chunk(s, buf, len, &sink);
    if (lines != f.calls)
        __builtin_trap();
    return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static scan_state *json;
    if (!json)
        json = scan_state_create(scan_kernel_by_name("scalar", NULL, 0), scan_profile_distribution());
    if (size == 0)
        return 0;
    uint8_t setup = data[0];
    size_t len = size - 1;
    char *buf = malloc(len + SCAN_PADDING + 1);
    memcpy(buf, data + 1, len);
    memset(buf + len, 0, SCAN_PADDING + 1);

    prof_choice c;
    prof_detect(buf, len, &c);
    if ((setup & 7) != 0) { /* 1..6: force a format */
        prof_format f = (prof_format)(setup & 7) % PROF_FORMAT_COUNT;
        prof_choice_forced(f == PROF_FORMAT_NONE ? PROF_FORMAT_COMBINED : f, buf, len, &c);
        c.envelope = (prof_envelope)((setup >> 3) % 3);
    }
    if (c.format == PROF_FORMAT_NONE)
        c.format = PROF_FORMAT_DISTRIBUTION_TEXT;
    if (setup & 0x20)
        c.prefixes = PROF_PREFIX_ALL;
    prof_options opt = { .default_host = (setup & 0x40) ? "reg.example" : NULL,
                         .syslog_zone_known = (setup & 0x80) != 0,
                         .syslog_offset_min = 330,
                         .syslog_year = (setup & 0x10) ? 2024 : 0 };
    prof_state *s = prof_state_create(&c, &opt, json);
    fz whole = run(s, buf, len);
    /* line by line, each line in a buffer of its own */
    fz parts = { 0xcbf29ce484222325ULL, 0, NULL, 0 };
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        char *one = malloc(end - pos + SCAN_PADDING + 1);
        memcpy(one, buf + pos, end - pos);
        memset(one + (end - pos), 0, SCAN_PADDING + 1);
        fz p = { parts.hash, 0, one, end - pos };
        scan_sink sink = { &p, f_out, f_skip, f_rej };
        size_t lines = prof_scan_chunk(s, one, end - pos, &sink);
        /* an empty line is no line of a chunk of its own: the whole-chunk scan saw it as blank */
        if (end == pos) {
            mix(&p, 2);
            mix(&p, RSLA_SKIP_BLANK);
            p.calls = 1;
            lines = 1;
        }
        if (lines != 1 || p.calls != 1)
            __builtin_trap();
        parts.hash = p.hash;
        parts.calls += p.calls;
        free(one);
        pos = end + 1;
    }
    if (parts.calls != whole.calls || parts.hash != whole.hash)
        __builtin_trap();
    prof_state_free(s);
    free(buf);
    return 0;
}
