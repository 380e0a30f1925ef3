/* Per-file format detection from the first lines (see prof_detect.h). */
#include "ingest/profile/prof_detect.h"
#include "common/rsla_base.h"            /* rsla_xmalloc */
#include "common/rsla_time.h"            /* rsla_time_parse_rfc3339 */
#include "ingest/ing_value.h"            /* ing_value_json_unescape */
#include "ingest/profile/prof_text.h"    /* prof_text_logrus_line, prof_text_combined_line */
#include <stdio.h>                       /* snprintf */
#include <stdlib.h>                      /* free */

/* MARK: - Names (Public) */

static const char *const format_names[PROF_FORMAT_COUNT] = {
    "none", "distribution", "gitlab", "zot", "nginx-json", "distribution-text", "combined",
};

const char *prof_format_name(prof_format f)
{
    return f < PROF_FORMAT_COUNT ? format_names[f] : "none";
}

bool prof_format_from_name(const char *name, prof_format *f)
{
    for (int i = PROF_FORMAT_NONE + 1; i < PROF_FORMAT_COUNT; i++)
        if (strcmp(name, format_names[i]) == 0) {
            *f = (prof_format)i;
            return true;
        }
    return false;
}

bool prof_format_is_json(prof_format f)
{
    return f == PROF_FORMAT_DISTRIBUTION || f == PROF_FORMAT_GITLAB || f == PROF_FORMAT_ZOT ||
           f == PROF_FORMAT_NGINX_JSON;
}

/* MARK: - JSON lines (Private) */

/* The keys that tell JSON formats apart. */
typedef struct json_keys {
    bool msg, msg_access, http_uri, uri, status, duration_ms, correlation_id, status_code, path,
        message_http_api, request, time_local, log_str, stream, message_str, time_str;
    prof_json_member log, message, time;
} json_keys;

static bool key_is(const prof_json_member *m, const char *k) { return rsla_slice_eq_cstr(m->key, k); }

static bool collect_key(void *ctx, const prof_json_member *m)
{
    json_keys *k = ctx;
    bool str = m->type == 's';
    k->msg |= key_is(m, "msg");
    k->msg_access |= key_is(m, "msg") && str && rsla_slice_eq_cstr(m->value, "access");
    k->http_uri |= key_is(m, "http.request.uri");
    k->uri |= key_is(m, "uri");
    k->status |= key_is(m, "status");
    k->duration_ms |= key_is(m, "duration_ms");
    k->correlation_id |= key_is(m, "correlation_id");
    k->status_code |= key_is(m, "statusCode");
    k->path |= key_is(m, "path");
    k->message_http_api |= key_is(m, "message") && str && rsla_slice_eq_cstr(m->value, "HTTP API");
    k->request |= key_is(m, "request");
    k->time_local |= key_is(m, "time_local") || key_is(m, "access_time") || key_is(m, "msec");
    k->stream |= key_is(m, "stream");
    if (str && key_is(m, "log") && !k->log_str) {
        k->log_str = true;
        k->log = *m;
    } else if (str && key_is(m, "message") && !k->message_str) {
        k->message_str = true;
        k->message = *m;
    } else if (str && key_is(m, "time") && !k->time_str) {
        k->time_str = true;
        k->time = *m;
    }
    return true;
}

/* The JSON profile a set of keys belongs to, or NONE. */
static prof_format json_format(const json_keys *k)
{
    if (k->msg && k->http_uri)
        return PROF_FORMAT_DISTRIBUTION;
    if ((k->msg_access && k->uri && k->status && k->duration_ms) || k->correlation_id)
        return PROF_FORMAT_GITLAB;
    if ((k->status_code && k->path) || k->message_http_api)
        return PROF_FORMAT_ZOT;
    if (k->status && (k->request || k->uri) && k->time_local)
        return PROF_FORMAT_NGINX_JSON;
    return PROF_FORMAT_NONE;
}

static void classify_inner(const char *line, size_t len, char *scratch, bool allow_envelope,
                           prof_line_class *out);

/* A JSON line: a profile by its keys, else an envelope whose inner line is of a known format. */
static void classify_json(const char *line, size_t len, char *scratch, bool allow_envelope,
                          prof_line_class *out)
{
    json_keys k = { 0 };
    if (!prof_json_members(line, len, collect_key, &k, NULL))
        return;
    if (k.time_str && !out->has_time &&
        rsla_time_parse_rfc3339(k.time.value.ptr, k.time.value.len, &out->time_ns) == RSLA_TIME_OK)
        out->has_time = true;
    out->format = json_format(&k);
    if (out->format != PROF_FORMAT_NONE || !allow_envelope)
        return;
    prof_envelope env = k.log_str ? PROF_ENVELOPE_DOCKER_JSON
                      : k.message_str ? PROF_ENVELOPE_FLUENTD : PROF_ENVELOPE_NONE;
    if (env == PROF_ENVELOPE_NONE)
        return;
    const prof_json_member *inner = env == PROF_ENVELOPE_DOCKER_JSON ? &k.log : &k.message;
    size_t n = ing_value_json_unescape(inner->value.ptr, inner->value.len, scratch);
    while (n > 0 && (scratch[n - 1] == '\n' || scratch[n - 1] == '\r'))
        n--;
    prof_line_class in = { 0 };
    classify_inner(scratch, n, scratch + n, false, &in);
    if (in.format == PROF_FORMAT_NONE)
        return;
    out->format = in.format;
    out->envelope = env;
    out->prefixes |= in.prefixes;
    if (!out->has_time && in.has_time) {
        out->has_time = true;
        out->time_ns = in.time_ns;
    }
}

/* MARK: - Text lines (Private) */

static void classify_text(const char *line, size_t len, char *scratch, prof_line_class *out)
{
    prof_line_ctx ctx = { NULL, false, 0, false, scratch };
    prof_verdict v;
    prof_text_logrus_line(line, len, &ctx, &v);
    if (v.recognised) {
        out->format = PROF_FORMAT_DISTRIBUTION_TEXT;
        /* the reference time of a logrus line is its own `time` pair, outcome or not */
        if (!out->has_time && len > 6 && memcmp(line, "time=\"", 6) == 0) {
            const char *q = memchr(line + 6, '"', len - 6);
            if (q && rsla_time_parse_rfc3339(line + 6, (size_t)(q - line - 6), &out->time_ns) == RSLA_TIME_OK)
                out->has_time = true;
        }
        return;
    }
    prof_text_combined_line(line, len, &ctx, &v);
    if (v.recognised) {
        out->format = PROF_FORMAT_COMBINED;
        if (!out->has_time && v.kind == PROF_VERDICT_OUTCOME) {
            out->has_time = true;
            out->time_ns = v.outcome.time_ns;
        }
    }
}

/* A line after its prefixes are removed (and, inside an envelope, the envelope's line). */
static void classify_inner(const char *line, size_t len, char *scratch, bool allow_envelope,
                           prof_line_class *out)
{
    prof_prefix_info pi;
    size_t off = prof_prefix_strip(line, len, PROF_PREFIX_ALL, &pi);
    out->prefixes |= pi.kinds;
    if (pi.has_time && !out->has_time) {
        out->has_time = true;
        out->time_ns = pi.time_ns;
    }
    line += off;
    len -= off;
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i < len && line[i] == '{')
        classify_json(line, len, scratch, allow_envelope, out);
    else
        classify_text(line, len, scratch, out);
}

/* MARK: - Detection (Public) */

void prof_detect_line(const char *line, size_t len, char *scratch, prof_line_class *out)
{
    *out = (prof_line_class){ 0 };
    classify_inner(line, len, scratch, true, out);
}

/* Tallies of the lines read, per format. */
typedef struct detect_tally {
    size_t lines;
    size_t votes[PROF_FORMAT_COUNT];
    size_t envelopes[PROF_FORMAT_COUNT][3];
    unsigned prefixes;  /* over all lines: prefixes belong to the shipper, not the format */
    bool has_ref;
    int64_t ref_ns;
} detect_tally;

static void tally_lines(const char *buf, size_t len, detect_tally *t)
{
    *t = (detect_tally){ 0 };
    size_t cap = RSLA_MIN(len, (size_t)PROF_DETECT_MAX_BYTES);
    char *scratch = rsla_xmalloc(2 * cap + 1);
    size_t pos = 0;
    while (pos < cap && t->lines < PROF_DETECT_MAX_LINES) {
        const char *nl = memchr(buf + pos, '\n', cap - pos);
        if (!nl && len > cap && t->lines > 0)
            break; /* a line cut by the byte limit is not judged, unless it is the only one */
        size_t end = nl ? (size_t)(nl - buf) : cap;
        prof_line_class c;
        prof_detect_line(buf + pos, end - pos, scratch, &c);
        t->lines++;
        t->votes[c.format]++;
        t->envelopes[c.format][c.envelope]++;
        t->prefixes |= c.prefixes;
        if (c.has_time && !t->has_ref) {
            t->has_ref = true;
            t->ref_ns = c.time_ns;
        }
        pos = end + 1;
    }
    free(scratch);
}

/* Fills the parts of *out that follow from the tally and the format chosen. */
static void fill_choice(const detect_tally *t, prof_format f, prof_choice *out)
{
    *out = (prof_choice){ 0 };
    out->format = f;
    out->lines_read = t->lines;
    memcpy(out->votes, t->votes, sizeof out->votes);
    out->has_ref_time = t->has_ref;
    out->ref_time_ns = t->ref_ns;
    const size_t *env = t->envelopes[f];
    out->envelope = PROF_ENVELOPE_NONE;
    if (env[PROF_ENVELOPE_DOCKER_JSON] > env[out->envelope])
        out->envelope = PROF_ENVELOPE_DOCKER_JSON;
    if (env[PROF_ENVELOPE_FLUENTD] > env[out->envelope])
        out->envelope = PROF_ENVELOPE_FLUENTD;
    out->prefixes = t->prefixes;
}

/* The format with the most votes (a tie keeps the earlier one), then the layer rule: combined
 * lines beside Distribution app-log lines (text or JSON) are that registry's own access log, or
 * its front proxy's, i.e. the same requests once more. The app log wins whenever it is there, so
 * that a registry's files are read at one layer whatever their first lines happen to be (a quiet
 * hour of health checks starts with mostly combined lines), and at the same layer as the JSON
 * formatter's output, where the JSON scanner skips the combined lines. */
static prof_format majority(const detect_tally *t)
{
    prof_format best = PROF_FORMAT_NONE;
    size_t best_votes = 0;
    for (int f = PROF_FORMAT_NONE + 1; f < PROF_FORMAT_COUNT; f++)
        if (t->votes[f] > best_votes) {
            best = (prof_format)f;
            best_votes = t->votes[f];
        }
    if (best == PROF_FORMAT_COMBINED) {
        if (t->votes[PROF_FORMAT_DISTRIBUTION] > 0)
            best = PROF_FORMAT_DISTRIBUTION;
        else if (t->votes[PROF_FORMAT_DISTRIBUTION_TEXT] > 0)
            best = PROF_FORMAT_DISTRIBUTION_TEXT;
    }
    return best;
}

void prof_detect(const char *buf, size_t len, prof_choice *out)
{
    detect_tally t;
    tally_lines(buf, len, &t);
    fill_choice(&t, majority(&t), out);
    if (out->format == PROF_FORMAT_NONE) {
        out->prefixes = 0;
        out->envelope = PROF_ENVELOPE_NONE;
        out->reason = t.lines == 0 ? "no complete line in the first bytes of the input"
                                   : "no line among the first ones matches a known log format";
    }
}

void prof_choice_forced(prof_format f, const char *buf, size_t len, prof_choice *out)
{
    detect_tally t;
    tally_lines(buf, len, &t);
    fill_choice(&t, f, out);
    if (t.votes[f] == 0)
        out->prefixes = PROF_PREFIX_ALL;
}

bool prof_choose(const char *profile, const char *buf, size_t len, prof_choice *out)
{
    prof_format f;
    if (!profile || strcmp(profile, "auto") == 0) {
        prof_detect(buf, len, out);
        return true;
    }
    if (!prof_format_from_name(profile, &f))
        return false;
    prof_choice_forced(f, buf, len, out);
    return true;
}

size_t prof_choice_describe(const prof_choice *c, char *out, size_t cap)
{
    size_t n = 0;
    char dummy[1];
    if (cap == 0) {
        out = dummy;
        cap = 1;
    }
    /* snprintf returns the length it wanted; clamp the write position, keep counting */
#define PUT(s)                                                                     \
    do {                                                                           \
        int w_ = snprintf(out + RSLA_MIN(n, cap - 1), cap - RSLA_MIN(n, cap - 1), "%s", (s)); \
        n += (size_t)(w_ > 0 ? w_ : 0);                                            \
    } while (0)
    PUT(prof_format_name(c->format));
    if (c->format != PROF_FORMAT_NONE) {
        if (c->envelope != PROF_ENVELOPE_NONE) {
            PUT("+");
            PUT(prof_envelope_name(c->envelope));
        }
        for (unsigned bit = 1; bit & PROF_PREFIX_ALL; bit <<= 1)
            if (c->prefixes & bit) {
                PUT("+");
                PUT(prof_prefix_name(bit));
            }
    }
#undef PUT
    return n;
}
