/* Line readers for logrus text and combined access logs (see prof_text.h). */
#include "ingest/profile/prof_text.h"
#include "common/rsla_time.h"          /* rsla_time_parse_rfc3339 */
#include "common/rsla_time_formats.h"  /* rsla_time_parse_clf, rsla_time_parse_labkit */
#include "ingest/ing_value.h"          /* ing_value_go_duration, ing_value_status_digits */
#include "ingest/profile/prof_envelope.h" /* prof_quoted_end */

/* MARK: - Verdicts (Private) */

static void set_skip(prof_verdict *v, rsla_skip_reason r, bool recognised)
{
    v->kind = PROF_VERDICT_SKIP;
    v->skip = r;
    v->recognised = recognised;
}

static void set_reject(prof_verdict *v, rsla_reject_reason r, size_t column, const char *field)
{
    v->kind = PROF_VERDICT_REJECT;
    v->reject = r;
    v->column = column;
    v->field = field;
    v->recognised = true;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static int hex_val(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the backslash escapes that Go's strconv.Quote (logrus), gorilla's access log and
 * nginx write: \" \\ \n \r \t and \xHH. Anything else is kept as written (a decoder that guesses
 * would change bytes a later reader compares). out needs n bytes. @return the decoded length. */
static size_t unescape_backslashes(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\' || i + 1 >= n) {
            out[o++] = s[i];
            continue;
        }
        char e = s[i + 1];
        if (e == 'x' && i + 3 < n && hex_val(s[i + 2]) >= 0 && hex_val(s[i + 3]) >= 0) {
            out[o++] = (char)(hex_val(s[i + 2]) * 16 + hex_val(s[i + 3]));
            i += 3;
        } else if (e == '"' || e == '\\') {
            out[o++] = e;
            i++;
        } else if (e == 'n' || e == 'r' || e == 't') {
            out[o++] = e == 'n' ? '\n' : e == 'r' ? '\r' : '\t';
            i++;
        } else {
            out[o++] = s[i];
        }
    }
    return o;
}

/* MARK: - logrus text (Private) */

/* One logfmt value as found in the line. */
typedef struct lf_value {
    const char *p;
    size_t n;
    size_t col;      /* where the value starts in the line */
    bool present;
    bool escaped;    /* contains a backslash: decode before use */
} lf_value;

/* The keys a distribution-text outcome needs. */
typedef struct lf_fields {
    lf_value time, msg, host, method, uri, status, duration, id;
    bool ambiguous;  /* a token without '=' */
    size_t ambiguous_col;
    bool unterminated; /* a quote that never closes: the line was cut */
    size_t unterminated_col;
} lf_fields;

static bool is_key_char(char c)
{
    return is_alpha(c) || is_digit(c) || c == '_' || c == '.' || c == '-' || c == '@';
}

/* Where the value of key (length kn) goes, or NULL for keys nobody reads. */
static lf_value *lf_slot(lf_fields *f, const char *k, size_t kn)
{
    static const struct { const char *key; size_t off; } keys[] = {
        { "time", offsetof(lf_fields, time) },
        { "msg", offsetof(lf_fields, msg) },
        { "http.request.host", offsetof(lf_fields, host) },
        { "http.request.method", offsetof(lf_fields, method) },
        { "http.request.uri", offsetof(lf_fields, uri) },
        { "http.response.status", offsetof(lf_fields, status) },
        { "http.response.duration", offsetof(lf_fields, duration) },
        { "http.request.id", offsetof(lf_fields, id) },
    };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(keys); i++)
        if (strlen(keys[i].key) == kn && memcmp(keys[i].key, k, kn) == 0)
            return (lf_value *)((char *)f + keys[i].off);
    return NULL;
}

/* Does a quote at line[q] close its value? Yes when only spaces follow, or spaces and then a
 * `key=`: logrus separates pairs with one space and pads nothing after a quoted value. */
static bool quote_closes(const char *s, size_t len, size_t q)
{
    size_t i = q + 1;
    if (i >= len)
        return true;
    if (s[i] != ' ')
        return false;
    while (i < len && s[i] == ' ')
        i++;
    if (i >= len)
        return true;
    size_t k = i;
    while (i < len && is_key_char(s[i]))
        i++;
    return i > k && i < len && s[i] == '=';
}

/* Reads a quoted value whose opening quote is at s[i]. @return the index past it. */
static size_t lf_quoted(const char *s, size_t len, size_t i, lf_value *v, lf_fields *f)
{
    size_t j = i + 1;
    v->escaped = false;
    while (j < len) {
        if (s[j] == '\\') {
            v->escaped = true;
            j += 2;
            continue;
        }
        if (s[j] == '"' && quote_closes(s, len, j))
            break;
        j++;
    }
    if (j >= len) { /* unterminated: keep what there is, but the line is not trustworthy */
        if (!f->unterminated)
            f->unterminated_col = i;
        f->unterminated = true;
        j = len;
    }
    v->p = s + i + 1;
    v->n = j - i - 1;
    v->col = i + 1;
    return j < len ? j + 1 : len;
}

/* Splits the pairs of a logfmt line into *f. */
static void lf_parse(const char *s, size_t len, lf_fields *f)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && s[i] == ' ')
            i++;
        if (i >= len)
            break;
        size_t ks = i;
        while (i < len && is_key_char(s[i]))
            i++;
        if (i == ks || i >= len || s[i] != '=') { /* a token that is no pair */
            if (!f->ambiguous)
                f->ambiguous_col = ks;
            f->ambiguous = true;
            while (i < len && s[i] != ' ')
                i++;
            continue;
        }
        lf_value tmp = { 0 }, *slot = lf_slot(f, s + ks, i - ks);
        lf_value *v = slot && !slot->present ? slot : &tmp; /* the first occurrence wins */
        i++;
        if (i < len && s[i] == '"') {
            i = lf_quoted(s, len, i, v, f);
        } else {
            size_t vs = i;
            while (i < len && s[i] != ' ')
                i++;
            *v = (lf_value){ s + vs, i - vs, vs, true, false };
        }
        v->present = true;
    }
}

/* The value as a slice, decoded into scratch when it holds escapes. */
static rsla_slice lf_decoded(const lf_value *v, char **scratch)
{
    if (!v->escaped)
        return (rsla_slice){ v->p, v->n };
    size_t n = unescape_backslashes(v->p, v->n, *scratch);
    rsla_slice r = { *scratch, n };
    *scratch += n;
    return r;
}

/* `INFO[0025] msg …`, possibly behind an ANSI colour (ESC or rsyslog's `#033`).
 * @return the offset of the message, or 0 when the line is not of this form. */
static size_t tty_message(const char *s, size_t len)
{
    size_t i = 0;
    if (len > 2 && s[0] == '\x1b' && s[1] == '[')
        i = 2;
    else if (len > 5 && memcmp(s, "#033[", 5) == 0)
        i = 5;
    if (i > 0) {
        while (i < len && (is_digit(s[i]) || s[i] == ';'))
            i++;
        if (i >= len || s[i] != 'm')
            return 0;
        i++;
    }
    static const char levels[][5] = { "INFO", "WARN", "ERRO", "DEBU", "FATA", "PANI", "TRAC" };
    size_t l;
    for (l = 0; l < RSLA_ARRAY_LEN(levels); l++)
        if (len - i >= 4 && memcmp(s + i, levels[l], 4) == 0)
            break;
    if (l == RSLA_ARRAY_LEN(levels))
        return 0;
    i += 4;
    /* a colour reset may sit between the level and the bracket */
    if (len - i > 4 && s[i] == '\x1b' && s[i + 1] == '[') {
        while (i < len && s[i] != 'm')
            i++;
        i++;
    } else if (len - i > 7 && memcmp(s + i, "#033[0m", 7) == 0) {
        i += 7;
    }
    if (i >= len || s[i] != '[')
        return 0;
    size_t d = ++i;
    while (i < len && is_digit(s[i]))
        i++;
    if (i == d || i >= len || s[i] != ']')
        return 0;
    i++;
    while (i < len && s[i] == ' ')
        i++;
    return i;
}

static bool is_completion_msg(const char *m, size_t n)
{
    static const char a[] = "response completed", b[] = "response completed with error";
    return (n == sizeof a - 1 && memcmp(m, a, n) == 0) || (n == sizeof b - 1 && memcmp(m, b, n) == 0);
}

/* The TTY form: recognised, never an outcome (no absolute time). */
static void logrus_tty(const char *s, size_t len, size_t m, prof_verdict *v)
{
    /* The message is padded to a column with spaces before the fields; it ends at two spaces,
     * or at one space and a key=, or at the end of the line. */
    size_t e = m;
    while (e < len && !(s[e] == ' ' && (e + 1 >= len || s[e + 1] == ' ' || quote_closes(s, len, e - 1))))
        e++;
    if (is_completion_msg(s + m, e - m))
        set_reject(v, RSLA_REJECT_NO_ABSOLUTE_TIME, 0, "time");
    else
        set_skip(v, RSLA_SKIP_OTHER_MESSAGE, true);
}

/* The instant of an outcome line: its own time, else the context's. @return false (and *v set
 * to the reject) when there is none. */
static bool line_time(const lf_value *t, const prof_line_ctx *ctx, char **scratch, int64_t *ns,
                      prof_verdict *v)
{
    if (t && t->present) {
        rsla_slice ts = lf_decoded(t, scratch);
        rsla_time_status st = rsla_time_parse_rfc3339(ts.ptr, ts.len, ns);
        if (st == RSLA_TIME_OK)
            return true;
        set_reject(v, st == RSLA_TIME_NO_ZONE ? RSLA_REJECT_TIME_NO_ZONE : RSLA_REJECT_BAD_TIME,
                   t->col, "time");
        return false;
    }
    if (ctx->has_time) {
        *ns = ctx->time_ns;
        return true;
    }
    set_reject(v, ctx->time_no_zone ? RSLA_REJECT_TIME_NO_ZONE : RSLA_REJECT_MISSING_FIELD, 0,
               "time");
    return false;
}

/* The path of a request target: everything before the first '?'. */
static rsla_slice path_of(rsla_slice target)
{
    const char *q = memchr(target.ptr, '?', target.len);
    return q ? (rsla_slice){ target.ptr, (size_t)(q - target.ptr) } : target;
}

/* A required, non-empty logfmt field. @return false (and *v set) when it is missing. */
static bool need(const lf_value *f, const char *name, prof_verdict *v)
{
    if (f->present && f->n > 0)
        return true;
    set_reject(v, RSLA_REJECT_MISSING_FIELD, f->present ? f->col : 0, name);
    return false;
}

/* Builds the outcome of a completion line whose pairs are in *f. */
static void logrus_outcome(const lf_fields *f, const prof_line_ctx *ctx, prof_verdict *v)
{
    char *scratch = ctx->scratch;
    rsla_outcome *o = &v->outcome;
    if (f->unterminated) {
        set_reject(v, RSLA_REJECT_PARTIAL_LINE, f->unterminated_col, NULL);
        return;
    }
    if (f->ambiguous) {
        set_reject(v, RSLA_REJECT_TEXT_SYNTAX, f->ambiguous_col, NULL);
        return;
    }
    if (!line_time(&f->time, ctx, &scratch, &o->time_ns, v) ||
        !need(&f->host, "http.request.host", v) || !need(&f->method, "http.request.method", v) ||
        !need(&f->uri, "http.request.uri", v) || !need(&f->status, "http.response.status", v))
        return;
    rsla_slice st = lf_decoded(&f->status, &scratch);
    if (ing_value_status_digits(st.ptr, st.len, &o->status) != ING_STATUS_OK) {
        set_reject(v, RSLA_REJECT_BAD_STATUS, f->status.col, "http.response.status");
        return;
    }
    o->duration_ns = -1;
    if (f->duration.present && f->duration.n > 0) {
        rsla_slice d = lf_decoded(&f->duration, &scratch);
        if (!ing_value_go_duration(d.ptr, d.len, &o->duration_ns)) {
            set_reject(v, RSLA_REJECT_BAD_DURATION, f->duration.col, "http.response.duration");
            return;
        }
    }
    o->host = lf_decoded(&f->host, &scratch);
    o->method = lf_decoded(&f->method, &scratch);
    o->path = path_of(lf_decoded(&f->uri, &scratch));
    o->request_id = f->id.present ? lf_decoded(&f->id, &scratch) : (rsla_slice){ "", 0 };
    v->kind = PROF_VERDICT_OUTCOME;
    v->recognised = true;
}

/* MARK: - logrus text (Public) */

void prof_text_logrus_line(const char *line, size_t len, const prof_line_ctx *ctx,
                           prof_verdict *v)
{
    *v = (prof_verdict){ 0 };
    while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\r'))
        len--; /* v2.0 to v2.6 end lines with a space */
    if (len == 0) {
        set_skip(v, RSLA_SKIP_BLANK, false);
        return;
    }
    if (!(len > 5 && memcmp(line, "time=", 5) == 0) && !(len > 6 && memcmp(line, "level=", 6) == 0)) {
        size_t m = tty_message(line, len);
        if (m > 0)
            logrus_tty(line, len, m, v);
        else
            set_skip(v, RSLA_SKIP_OTHER_FORMAT, false);
        return;
    }
    lf_fields f = { 0 };
    lf_parse(line, len, &f);
    if (!f.msg.present || f.msg.escaped || !is_completion_msg(f.msg.p, f.msg.n)) {
        set_skip(v, RSLA_SKIP_OTHER_MESSAGE, true);
        return;
    }
    logrus_outcome(&f, ctx, v);
}

/* MARK: - combined (Private) */

/* What the part of a combined line before the request says. */
typedef struct clf_head {
    size_t quote;          /* index of the request's opening quote */
    bool has_time;
    int64_t time_ns;
    bool labkit_time;      /* the time had LabKit's YYYY/MM/DD form */
    rsla_time_status time_err; /* a bracket that looked like a time but was not one */
    size_t time_col;
    size_t tokens_before_time;
    rsla_slice first_token;
    bool dash_before_quote; /* `… - "request"`: Harbor's timed_combined */
} clf_head;

/* Tries a `[...]` at s[i] as a time. @return the index past ']' (or i + 1 when not a bracket
 * group at all). */
static size_t clf_bracket(const char *s, size_t len, size_t i, clf_head *h)
{
    const char *close = memchr(s + i, ']', len - i);
    if (!close)
        return i + 1;
    size_t n = (size_t)(close - s) - i - 1;
    int64_t ns;
    rsla_time_status st = RSLA_TIME_SYNTAX;
    bool labkit = n >= 5 && s[i + 5] == '/';
    if (n >= 20 && n <= 26)
        st = labkit ? rsla_time_parse_labkit(s + i + 1, n, &ns) : rsla_time_parse_clf(s + i + 1, n, &ns);
    if (st == RSLA_TIME_OK && !h->has_time) {
        h->has_time = true;
        h->time_ns = ns;
        h->labkit_time = labkit;
    } else if (st != RSLA_TIME_OK && st != RSLA_TIME_SYNTAX && h->time_err == RSLA_TIME_OK) {
        h->time_err = st;
        h->time_col = i + 1;
    }
    return (size_t)(close - s) + 1;
}

/* Walks the tokens before the first '"'. @return false when the line has no quote. */
static bool clf_read_head(const char *s, size_t len, clf_head *h)
{
    const char *q = memchr(s, '"', len);
    if (!q)
        return false;
    h->quote = (size_t)(q - s);
    size_t i = 0, tokens = 0;
    while (i < h->quote) {
        while (i < h->quote && s[i] == ' ')
            i++;
        if (i >= h->quote)
            break;
        size_t ts = i;
        if (s[i] == '[') {
            bool had = h->has_time;
            i = clf_bracket(s, len, i, h);
            if (!had && h->has_time)
                h->tokens_before_time = tokens;
        }
        while (i < h->quote && s[i] != ' ')
            i++;
        if (tokens == 0)
            h->first_token = (rsla_slice){ s + ts, i - ts };
        tokens++;
    }
    h->dash_before_quote = h->quote >= 3 && memcmp(s + h->quote - 3, " - ", 3) == 0;
    return true;
}

/* Reads the status after the request. @return its column, or len when there is none. */
static size_t clf_status_col(const char *s, size_t len, size_t i)
{
    while (i < len && s[i] == ' ')
        i++;
    if (i < len && s[i] == '(') { /* bitnami: "(8080)" the listening port */
        size_t d = i + 1;
        while (d < len && is_digit(s[d]))
            d++;
        if (d < len && s[d] == ')' && d > i + 1) {
            i = d + 1;
            while (i < len && s[i] == ' ')
                i++;
        }
    }
    return i;
}

/* RFC 9110 token characters, for the method. */
static bool is_tchar(char c)
{
    return is_alpha(c) || is_digit(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Splits a decoded request line into method and target. @return false when it is not one. */
static bool clf_request(rsla_slice req, rsla_slice *method, rsla_slice *target)
{
    size_t i = 0;
    while (i < req.len && is_tchar(req.ptr[i]))
        i++;
    if (i == 0 || i >= req.len || req.ptr[i] != ' ')
        return false;
    *method = (rsla_slice){ req.ptr, i };
    size_t t = ++i;
    while (i < req.len && (unsigned char)req.ptr[i] > 0x20 && req.ptr[i] != 0x7f)
        i++;
    if (i == t || (i < req.len && req.ptr[i] != ' '))
        return false;
    *target = (rsla_slice){ req.ptr + t, i - t };
    return true;
}

/* The authority of an absolute-form target (`https://host:443/v2/`), or an empty slice. */
static rsla_slice clf_authority(rsla_slice target)
{
    size_t skip = 0;
    if (target.len > 7 && memcmp(target.ptr, "http://", 7) == 0)
        skip = 7;
    else if (target.len > 8 && memcmp(target.ptr, "https://", 8) == 0)
        skip = 8;
    if (skip == 0)
        return (rsla_slice){ "", 0 };
    size_t e = skip;
    while (e < target.len && target.ptr[e] != '/' && target.ptr[e] != '?')
        e++;
    return (rsla_slice){ target.ptr + skip, e - skip };
}

/* The host of a combined outcome (see prof_text.h). */
static rsla_slice clf_host(const clf_head *h, rsla_slice target, const prof_line_ctx *ctx)
{
    rsla_slice a = clf_authority(target);
    if (a.len > 0)
        return a;
    if (h->labkit_time && h->tokens_before_time == 4)
        return h->first_token;
    return rsla_slice_of(ctx->default_host ? ctx->default_host : "-");
}

/* The instant of a combined line (its own, else the context's). */
static bool clf_time(const clf_head *h, const prof_line_ctx *ctx, int64_t *ns, prof_verdict *v)
{
    if (h->has_time) {
        *ns = h->time_ns;
        return true;
    }
    if (h->time_err != RSLA_TIME_OK) {
        set_reject(v, h->time_err == RSLA_TIME_NO_ZONE ? RSLA_REJECT_TIME_NO_ZONE : RSLA_REJECT_BAD_TIME,
                   h->time_col, "time");
        return false;
    }
    if (ctx->has_time) {
        *ns = ctx->time_ns;
        return true;
    }
    set_reject(v, ctx->time_no_zone ? RSLA_REJECT_TIME_NO_ZONE : RSLA_REJECT_MISSING_FIELD, 0,
               "time");
    return false;
}

/* MARK: - combined (Public) */

void prof_text_combined_line(const char *line, size_t len, const prof_line_ctx *ctx,
                             prof_verdict *v)
{
    *v = (prof_verdict){ 0 };
    while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\r'))
        len--;
    if (len == 0) {
        set_skip(v, RSLA_SKIP_BLANK, false);
        return;
    }
    clf_head h = { 0 };
    if (!clf_read_head(line, len, &h) ||
        !(h.has_time || h.time_err != RSLA_TIME_OK || h.dash_before_quote)) {
        set_skip(v, RSLA_SKIP_OTHER_FORMAT, false);
        return;
    }
    size_t qe = prof_quoted_end(line, len, h.quote);
    size_t sc = qe < len ? clf_status_col(line, len, qe + 1) : len;
    size_t se = sc;
    while (se < len && line[se] != ' ')
        se++;
    if (qe >= len || se == sc) {
        /* The line stops inside the request or right after it: cut short, if the time says
         * it is ours at all. */
        if (h.has_time)
            set_reject(v, RSLA_REJECT_PARTIAL_LINE, qe >= len ? h.quote : sc, NULL);
        else
            set_skip(v, RSLA_SKIP_OTHER_FORMAT, false);
        return;
    }
    if (!h.has_time && h.time_err == RSLA_TIME_OK && !(se - sc <= 3 && is_digit(line[sc]))) {
        set_skip(v, RSLA_SKIP_OTHER_FORMAT, false); /* `x - "y" z`: too weak to claim */
        return;
    }
    rsla_outcome *o = &v->outcome;
    rsla_slice req = { ctx->scratch, unescape_backslashes(line + h.quote + 1, qe - h.quote - 1, ctx->scratch) };
    rsla_slice target;
    if (!clf_request(req, &o->method, &target)) {
        set_skip(v, RSLA_SKIP_NOT_REQUEST, true);
        return;
    }
    if (ing_value_status_digits(line + sc, se - sc, &o->status) != ING_STATUS_OK) {
        set_reject(v, RSLA_REJECT_BAD_STATUS, sc, "status");
        return;
    }
    if (!clf_time(&h, ctx, &o->time_ns, v))
        return;
    o->host = clf_host(&h, target, ctx);
    o->path = path_of(target);
    o->duration_ns = -1;
    o->request_id = (rsla_slice){ "", 0 };
    v->kind = PROF_VERDICT_OUTCOME;
    v->recognised = true;
}
