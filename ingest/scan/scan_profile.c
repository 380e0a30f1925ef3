/* Input profiles as rows of data, and the profile step that turns the top-level values of one
 * valid JSON line into exactly one sink call (outcome, skip or reject).
 *
 * Kernels find values; this file alone decides what they mean, so every kernel gives the same
 * verdict on the same values. Adding a JSON format (gitlab, nginx-json, zot, a profile file) is a
 * new row of struct scan_profile, plus a new time or duration syntax when the format needs one. */
#include "ingest/scan/scan_internal.h"

#include <string.h>                 /* memcmp, memchr, strlen */
#include "common/rsla_base.h"       /* rsla_xrealloc */
#include "common/rsla_time.h"       /* rsla_time_parse_rfc3339_cached */
#include "common/rsla_time_formats.h" /* rsla_time_parse_clf, rsla_time_parse_epoch_seconds */
#include "ingest/ing_value.h"       /* ing_value_* */

/* MARK: - Profile rows (Public) */

static const char *const distribution_messages[] = {
    "response completed",
    "response completed with error",
    NULL,
};

static const scan_profile distribution_profile = {
    .name = "distribution",
    .keys = {
        [SCAN_FIELD_FILTER] = "msg",
        [SCAN_FIELD_TIME] = "time",
        [SCAN_FIELD_HOST] = "http.request.host",
        [SCAN_FIELD_METHOD] = "http.request.method",
        [SCAN_FIELD_URI] = "http.request.uri",
        [SCAN_FIELD_STATUS] = "http.response.status",
        [SCAN_FIELD_DURATION] = "http.response.duration",
        [SCAN_FIELD_REQUEST_ID] = "http.request.id",
    },
    .required = SCAN_FIELD_BIT(SCAN_FIELD_TIME) | SCAN_FIELD_BIT(SCAN_FIELD_HOST) |
                SCAN_FIELD_BIT(SCAN_FIELD_METHOD) | SCAN_FIELD_BIT(SCAN_FIELD_URI) |
                SCAN_FIELD_BIT(SCAN_FIELD_STATUS),
    .filter_values = distribution_messages,
    .time = SCAN_TIME_RFC3339,
    .status = SCAN_STATUS_INT | SCAN_STATUS_STRING,
    .duration = SCAN_DURATION_GO,
    .strip_query = true,
};

const scan_profile *scan_profile_distribution(void) { return &distribution_profile; }

const char *scan_profile_name(const scan_profile *p) { return p->name; }

/* MARK: - Key matching (Private) */

/* Longest escaped key worth decoding: a decoded key is at least a sixth of its escaped length,
 * and profile keys are shorter than 64 bytes. */
#define SCAN_MAX_ESCAPED_KEY 384

static int match_raw(const scan_state *s, const char *key, size_t len)
{
    if (len >= sizeof s->key_by_len)
        return -1;
    for (int f = s->key_by_len[len]; f >= 0; f = s->key_next[f])
        if (scan_key_eq(s->profile->keys[f], key, len))
            return f;
    return -1;
}

/* MARK: - Key matching (Public) */

int scan_match_key(const scan_state *s, const char *key, size_t len, bool escaped)
{
    if (!escaped)
        return match_raw(s, key, len);
    if (len > SCAN_MAX_ESCAPED_KEY)
        return -1;
    char decoded[SCAN_MAX_ESCAPED_KEY];
    return match_raw(s, decoded, ing_value_json_unescape(key, len, decoded));
}

/* MARK: - The profile step (Private) */

/* Everything emit needs about the line being judged. */
typedef struct emit_ctx {
    scan_state *s;
    const scan_value *vals; /* by field (after alternatives are resolved) */
    size_t line_start, line_index;
    const scan_sink *sink;
    size_t used; /* scratch bytes handed out so far */
    uint8_t time_syntax, duration_syntax; /* of the key that gave the value */
    const uint8_t *slot; /* key slot of each field, or NULL when slot == field (no alternatives) */
} emit_ctx;

static void reject(const emit_ctx *c, rsla_reject_reason r, scan_field f, size_t column)
{
    c->sink->on_reject(c->sink->ctx, c->line_start, c->line_index, r, column,
                       c->s->profile->keys[c->slot ? c->slot[f] : f]);
}

/* The decoded body of a string value: the raw bytes, or an unescaped copy in scratch (sized by
 * scan_emit beforehand, so earlier slices stay valid). */
static rsla_slice decoded(emit_ctx *c, const scan_value *v)
{
    if (!v->escaped)
        return (rsla_slice){ v->ptr, v->len };
    char *out = c->s->scratch + c->used;
    const size_t n = ing_value_json_unescape(v->ptr, v->len, out);
    c->used += n;
    return (rsla_slice){ out, n };
}

static bool filter_accepts(emit_ctx *c)
{
    const scan_profile *p = c->s->profile;
    if (!p->filter_values)
        return true;
    const scan_value *v = &c->vals[SCAN_FIELD_FILTER];
    if (v->type != SCAN_V_STRING)
        return false;
    const rsla_slice msg = decoded(c, v);
    for (size_t i = 0; i < SCAN_MAX_FILTER_VALUES && p->filter_values[i]; i++)
        if (msg.len == c->s->filter_len[i] && scan_key_eq(msg.ptr, p->filter_values[i], msg.len))
            return true;
    return false;
}

/* A required-or-optional string field: *out set (empty when absent and optional).
 * @return false after rejecting the line. */
static inline bool string_field(emit_ctx *c, scan_field f, rsla_slice *out)
{
    const scan_value *v = &c->vals[f];
    *out = (rsla_slice){ "", 0 };
    if (v->type == SCAN_V_ABSENT)
        return true;
    if (v->type != SCAN_V_STRING) {
        reject(c, RSLA_REJECT_WRONG_TYPE, f, v->column);
        return false;
    }
    *out = decoded(c, v);
    return true;
}

/* A field whose value may be a JSON number or a string holding the same text (epoch times,
 * nginx numbers written as strings): *out is the token or the decoded string. */
static bool numeric_text(emit_ctx *c, scan_field f, rsla_slice *out)
{
    const scan_value *v = &c->vals[f];
    if (v->type == SCAN_V_NUMBER) {
        *out = (rsla_slice){ v->ptr, v->len };
        return true;
    }
    return string_field(c, f, out);
}

/* The time in the syntax of the key that gave it. */
static rsla_time_status parse_time(emit_ctx *c, int64_t *ns, rsla_slice *t)
{
    switch (c->time_syntax) {
    case SCAN_TIME_CLF:
        return rsla_time_parse_clf(t->ptr, t->len, ns);
    case SCAN_TIME_EPOCH_S:
        return rsla_time_parse_epoch_seconds(t->ptr, t->len, ns);
    case SCAN_TIME_EPOCH_MS:
        return ing_value_decimal_ns(t->ptr, t->len, 6, ns) ? RSLA_TIME_OK : RSLA_TIME_SYNTAX;
    default:
        return rsla_time_parse_rfc3339_cached(t->ptr, t->len, ns, &c->s->time_cache);
    }
}

static bool time_field(emit_ctx *c, int64_t *ns)
{
    rsla_slice t;
    const bool epoch = c->time_syntax == SCAN_TIME_EPOCH_S || c->time_syntax == SCAN_TIME_EPOCH_MS;
    if (!(epoch ? numeric_text(c, SCAN_FIELD_TIME, &t) : string_field(c, SCAN_FIELD_TIME, &t)))
        return false;
    const size_t column = c->vals[SCAN_FIELD_TIME].column;
    const rsla_time_status st = parse_time(c, ns, &t);
    if (st == RSLA_TIME_OK)
        return true;
    reject(c, st == RSLA_TIME_NO_ZONE ? RSLA_REJECT_TIME_NO_ZONE : RSLA_REJECT_BAD_TIME,
           SCAN_FIELD_TIME, column);
    return false;
}

static bool status_field(emit_ctx *c, int32_t *status)
{
    const scan_value *v = &c->vals[SCAN_FIELD_STATUS];
    const unsigned allowed = c->s->profile->status;
    ing_status_result r = ING_STATUS_WRONG_TYPE;
    if (v->type == SCAN_V_NUMBER && (allowed & SCAN_STATUS_INT)) {
        r = ing_value_status_json_number(v->ptr, v->len, status);
    } else if (v->type == SCAN_V_STRING && (allowed & SCAN_STATUS_STRING)) {
        const rsla_slice d = decoded(c, v);
        r = ing_value_status_digits(d.ptr, d.len, status);
    }
    if (r == ING_STATUS_OK)
        return true;
    reject(c, r == ING_STATUS_BAD_VALUE ? RSLA_REJECT_BAD_STATUS : RSLA_REJECT_WRONG_TYPE,
           SCAN_FIELD_STATUS, v->column);
    return false;
}

/* A duration in milliseconds (exp10 6) or seconds (9); nginx writes `-` for none. */
static bool decimal_duration(emit_ctx *c, unsigned exp10, int64_t *ns)
{
    rsla_slice d;
    if (!numeric_text(c, SCAN_FIELD_DURATION, &d))
        return false;
    if (c->vals[SCAN_FIELD_DURATION].type == SCAN_V_STRING && d.len == 1 && d.ptr[0] == '-')
        return true;
    if (ing_value_decimal_ns(d.ptr, d.len, exp10, ns))
        return true;
    reject(c, RSLA_REJECT_BAD_DURATION, SCAN_FIELD_DURATION, c->vals[SCAN_FIELD_DURATION].column);
    return false;
}

static bool duration_field(emit_ctx *c, int64_t *ns)
{
    *ns = -1;
    if (c->duration_syntax == SCAN_DURATION_NONE ||
        c->vals[SCAN_FIELD_DURATION].type == SCAN_V_ABSENT)
        return true;
    if (c->duration_syntax != SCAN_DURATION_GO)
        return decimal_duration(c, c->duration_syntax == SCAN_DURATION_MS ? 6 : 9, ns);
    rsla_slice d;
    if (!string_field(c, SCAN_FIELD_DURATION, &d))
        return false;
    if (ing_value_go_duration(d.ptr, d.len, ns))
        return true;
    reject(c, RSLA_REJECT_BAD_DURATION, SCAN_FIELD_DURATION, c->vals[SCAN_FIELD_DURATION].column);
    return false;
}

/* The first required field that is absent, or -1. Checked before any value so that a line missing
 * a field is always MISSING_FIELD whatever else is wrong with it. */
static int first_missing(const emit_ctx *c)
{
    uint32_t req = c->s->profile->required;
    if (c->s->profile->keys[SCAN_FIELD_REQUEST_LINE] && /* gives method and target */
        c->vals[SCAN_FIELD_REQUEST_LINE].type != SCAN_V_ABSENT)
        req &= ~(SCAN_FIELD_BIT(SCAN_FIELD_METHOD) | SCAN_FIELD_BIT(SCAN_FIELD_URI));
    for (int f = 0; f < SCAN_FIELD_OUTCOME_COUNT; f++)
        if ((req & SCAN_FIELD_BIT(f)) && c->vals[f].type == SCAN_V_ABSENT)
            return f;
    return -1;
}

/* The highest key slot the profile uses, plus one: slots past it are never read here (kernels
 * may leave them unset). */
static int slots_used(const scan_profile *p)
{
    return p->n_alt ? SCAN_FIELD_ALT0 + p->n_alt
                    : p->keys[SCAN_FIELD_REQUEST_LINE] ? SCAN_FIELD_REQUEST_LINE + 1
                                                       : SCAN_FIELD_REQUEST_LINE;
}

static void ensure_scratch(emit_ctx *c)
{
    size_t need = 0;
    for (int f = 0, n = slots_used(c->s->profile); f < n; f++)
        if (c->vals[f].escaped)
            need += c->vals[f].len;
    if (need) /* most lines have nothing to unescape: no call */
        scan_reserve((void **)&c->s->scratch, &c->s->scratch_cap, need, 1);
}

/* The value of each field from the first of its keys present in the line (alternative keys),
 * into by_field/slot; c then reads them. */
static void resolve_alternatives(emit_ctx *c, scan_value *by_field, uint8_t *slot)
{
    const scan_profile *p = c->s->profile;
    memcpy(by_field, c->vals, SCAN_FIELD_OUTCOME_COUNT * sizeof *by_field);
    for (int f = 0; f < SCAN_FIELD_OUTCOME_COUNT; f++)
        slot[f] = (uint8_t)f;
    for (int i = 0; i < p->n_alt; i++) {
        const int f = p->alt_field[i];
        const scan_value *v = &c->vals[SCAN_FIELD_ALT0 + i];
        if (by_field[f].type != SCAN_V_ABSENT || v->type == SCAN_V_ABSENT)
            continue;
        by_field[f] = *v;
        slot[f] = (uint8_t)(SCAN_FIELD_ALT0 + i);
        if (f == SCAN_FIELD_TIME)
            c->time_syntax = p->alt_syntax[i];
        else if (f == SCAN_FIELD_DURATION)
            c->duration_syntax = p->alt_syntax[i];
    }
    c->vals = by_field;
    c->slot = slot;
}

/* The URI. When the query is cut anyway, an escaped URI whose first raw `?` comes before its first
 * backslash is cut without unescaping: the part kept holds no escape, and no escaped `?` can come
 * before the raw one. That is nearly every escaped URI (`\u0026` between query parameters), and
 * unescaping it cost more than the rest of its line's profile step. */
static bool uri_field(emit_ctx *c, rsla_slice *out)
{
    const scan_value *v = &c->vals[SCAN_FIELD_URI];
    if (c->s->profile->strip_query && v->type == SCAN_V_STRING && v->escaped) {
        const char *q = memchr(v->ptr, '?', v->len);
        if (q && !memchr(v->ptr, '\\', (size_t)(q - v->ptr))) {
            *out = (rsla_slice){ v->ptr, (size_t)(q - v->ptr) };
            return true;
        }
    }
    return string_field(c, SCAN_FIELD_URI, out);
}

/* The host: the line's, else (for profiles that allow it) the input's default, else the
 * profile's. */
static bool host_field(emit_ctx *c, rsla_slice *out)
{
    if (!string_field(c, SCAN_FIELD_HOST, out))
        return false;
    const char *dflt = c->s->profile->default_host;
    if (dflt && c->vals[SCAN_FIELD_HOST].type == SCAN_V_ABSENT)
        *out = rsla_slice_of(c->s->default_host ? c->s->default_host : dflt);
    return true;
}

/* Method and target from a request-line field, when the profile has one and the line holds it.
 * @return 1 with o->method and o->path set, 0 when the line has none (read the method and URI
 *         fields), -1 after the line's sink call (a wrong type, or not a request: skipped). */
static int request_line(emit_ctx *c, rsla_outcome *o)
{
    if (!c->s->profile->keys[SCAN_FIELD_REQUEST_LINE] ||
        c->vals[SCAN_FIELD_REQUEST_LINE].type == SCAN_V_ABSENT)
        return 0;
    rsla_slice r;
    if (!string_field(c, SCAN_FIELD_REQUEST_LINE, &r))
        return -1;
    size_t mlen, ts, tlen;
    if (!ing_value_request_line(r.ptr, r.len, &mlen, &ts, &tlen)) {
        c->sink->on_skip(c->sink->ctx, RSLA_SKIP_NOT_REQUEST);
        return -1;
    }
    o->method = (rsla_slice){ r.ptr, mlen };
    o->path = (rsla_slice){ r.ptr + ts, tlen };
    return 1;
}

/* MARK: - The profile step (Public) */

void scan_emit(scan_state *s, const scan_value *vals, size_t line_start, size_t line_index,
               const scan_sink *sink)
{
    const scan_profile *p = s->profile;
    emit_ctx c = { s, vals, line_start, line_index, sink, 0, (uint8_t)p->time,
                   (uint8_t)p->duration, NULL };
    ensure_scratch(&c);
    scan_value by_field[SCAN_FIELD_OUTCOME_COUNT];
    uint8_t slot[SCAN_FIELD_OUTCOME_COUNT];
    if (p->n_alt)
        resolve_alternatives(&c, by_field, slot);
    if (!filter_accepts(&c)) {
        sink->on_skip(sink->ctx, RSLA_SKIP_OTHER_MESSAGE);
        return;
    }
    const int missing = first_missing(&c);
    if (missing >= 0) {
        /* a method or uri without a key of its own comes only from the request line */
        reject(&c, RSLA_REJECT_MISSING_FIELD,
               p->keys[missing] ? (scan_field)missing : SCAN_FIELD_REQUEST_LINE, 0);
        return;
    }
    rsla_outcome o;
    /* A request line is judged first: a line that records no request is skipped, as in the
     * combined log, whatever its other fields hold. */
    const int from_line = request_line(&c, &o);
    if (from_line < 0)
        return;
    if (!time_field(&c, &o.time_ns) || !host_field(&c, &o.host) ||
        (!from_line && (!string_field(&c, SCAN_FIELD_METHOD, &o.method) ||
                        !uri_field(&c, &o.path))) ||
        !status_field(&c, &o.status) ||
        !duration_field(&c, &o.duration_ns) ||
        !string_field(&c, SCAN_FIELD_REQUEST_ID, &o.request_id))
        return;
    if (p->strip_query) {
        const char *q = o.path.len ? memchr(o.path.ptr, '?', o.path.len) : NULL;
        if (q)
            o.path.len = (size_t)(q - o.path.ptr);
    }
    sink->on_outcome(sink->ctx, &o);
}
