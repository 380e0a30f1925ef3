/* Line prefixes and JSON envelopes of log shippers (see prof_envelope.h). */
#include "ingest/profile/prof_envelope.h"
#include "common/rsla_time.h"   /* rsla_time_parse_rfc3339 */
#include "ingest/ing_value.h"   /* ing_value_json_unescape */

/* MARK: - Byte classes (Private) */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Characters of container, service, syslog tag and file names. */
static bool is_name_char(char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; }

/* MARK: - Prefix recognisers (Private) */

/* A syslog tag token `name:` or `name[pid]:` at s. @return its length with the colon, or 0. */
static size_t syslog_tag(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (is_name_char(s[i]) || s[i] == '/'))
        i++;
    if (i == 0)
        return 0;
    if (i < len && s[i] == '[') {
        size_t d = ++i;
        while (i < len && is_digit(s[i]))
            i++;
        if (i == d || i >= len || s[i] != ']')
            return 0;
        i++;
    }
    return i < len && s[i] == ':' ? i + 1 : 0;
}

/* `[host ]tag[pid]: ` after a syslog stamp. @return its length with the following space, or 0. */
static size_t syslog_host_tag(const char *s, size_t len)
{
    size_t i = 0;
    size_t t = syslog_tag(s, len);
    if (t == 0) {
        while (i < len && s[i] != ' ')
            i++;
        if (i == 0 || i >= len)
            return 0;
        i++;
        t = syslog_tag(s + i, len - i);
        if (t == 0)
            return 0;
    }
    i += t;
    if (i < len && s[i] != ' ')
        return 0; /* `2001:db8::1 - -` is an IPv6 address, not a tag */
    return i < len ? i + 1 : i;
}

/* Length of an RFC 3339 instant at s (ends at the next space) when it parses, else 0. */
static size_t rfc3339_token(const char *s, size_t len, int64_t *ns)
{
    /* Cheap shape check first: `dddd-dd-ddT`. */
    if (len < 20 || !is_digit(s[0]) || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't'))
        return 0;
    size_t n = 0;
    while (n < len && s[n] != ' ')
        n++;
    if (n == len || n > 40 || rsla_time_parse_rfc3339(s, n, ns) != RSLA_TIME_OK)
        return 0;
    return n;
}

/* docker logs -t or CRI: `<instant> ` or `<instant> stdout|stderr F|P `. */
static size_t strip_instant(const char *s, size_t len, unsigned mask, prof_prefix_info *info)
{
    int64_t ns;
    size_t n = rfc3339_token(s, len, &ns);
    if (n == 0)
        return 0;
    const char *r = s + n + 1;
    size_t rl = len - n - 1;
    size_t tag = (mask & PROF_PREFIX_SYSLOG) ? syslog_host_tag(r, rl) : 0;
    if (tag > 0) { /* rsyslog's RFC 3339 stamp: `<instant> host tag[pid]: ` */
        info->kinds |= PROF_PREFIX_SYSLOG;
        n += 1 + tag;
    } else if ((mask & PROF_PREFIX_CRI) && rl >= 9 &&
        (memcmp(r, "stdout ", 7) == 0 || memcmp(r, "stderr ", 7) == 0) &&
        (r[7] == 'F' || r[7] == 'P') && (rl == 8 || r[8] == ' ')) {
        info->kinds |= PROF_PREFIX_CRI;
        info->cri_partial = r[7] == 'P';
        n += 1 + (rl == 8 ? 8 : 9);
    } else if (mask & PROF_PREFIX_DOCKER_TS) {
        info->kinds |= PROF_PREFIX_DOCKER_TS;
        n += 1;
    } else {
        return 0;
    }
    if (!info->has_time) {
        info->has_time = true;
        info->time_ns = ns;
    }
    return n;
}

/* docker-compose: `name` + one or more spaces + `| ` (the name padded to a column). */
static size_t strip_compose(const char *s, size_t len, prof_prefix_info *info)
{
    size_t i = 0;
    if (len == 0 || !is_alnum(s[0]))
        return 0;
    while (i < len && is_name_char(s[i]))
        i++;
    size_t sp = i;
    while (i < len && s[i] == ' ')
        i++;
    if (i == sp || i >= len || s[i] != '|')
        return 0;
    i++;
    if (i < len && s[i] == ' ')
        i++;
    info->kinds |= PROF_PREFIX_COMPOSE;
    return i;
}

/* BSD syslog: `Mon dd HH:MM:SS ` + [host ] + tag + ` `. */
static size_t strip_syslog(const char *s, size_t len, prof_prefix_info *info)
{
    rsla_syslog_stamp st;
    if (len < 17 || s[15] != ' ' || rsla_time_parse_syslog(s, 15, &st) != RSLA_TIME_OK)
        return 0;
    size_t t = syslog_host_tag(s + 16, len - 16);
    if (t == 0)
        return 0;
    info->kinds |= PROF_PREFIX_SYSLOG;
    info->has_syslog_stamp = true;
    info->syslog = st;
    return 16 + t;
}

/* grep over several files: `path.log:` or `path.log.1:` glued to the line. */
static size_t strip_grep(const char *s, size_t len, prof_prefix_info *info)
{
    size_t i = 0;
    while (i < len && (is_name_char(s[i]) || s[i] == '/'))
        i++;
    if (i >= len || s[i] != ':')
        return 0;
    /* the name must end in .log, optionally followed by a rotation number */
    size_t e = i;
    while (e > 0 && is_digit(s[e - 1]))
        e--;
    if (e < i && e > 0 && s[e - 1] == '.')
        e--;
    if (e < 5 || memcmp(s + e - 4, ".log", 4) != 0)
        return 0;
    info->kinds |= PROF_PREFIX_GREP;
    return i + 1;
}

/* Rancher's glued local stamp `d.m.yyyy HH:MM:SS` (no zone: stripped, never used as a time). */
static size_t strip_rancher(const char *s, size_t len, prof_prefix_info *info)
{
    size_t i = 0, field = 0;
    const size_t max_digits[3] = { 2, 2, 4 };
    for (field = 0; field < 3; field++) {
        size_t d = i;
        while (i < len && is_digit(s[i]) && i - d < max_digits[field])
            i++;
        if (i == d || (field == 2 && i - d != 4))
            return 0;
        if (field < 2) {
            if (i >= len || s[i] != '.')
                return 0;
            i++;
        }
    }
    if (i + 9 > len || s[i] != ' ' || !is_digit(s[i + 1]) || !is_digit(s[i + 2]) ||
        s[i + 3] != ':' || !is_digit(s[i + 4]) || !is_digit(s[i + 5]) || s[i + 6] != ':' ||
        !is_digit(s[i + 7]) || !is_digit(s[i + 8]))
        return 0;
    i += 9;
    if (i < len && s[i] == ' ')
        i++;
    info->kinds |= PROF_PREFIX_RANCHER;
    return i;
}

/* `[/path/file.log] - ` as pasted from multi-file viewers. */
static size_t strip_bracket_path(const char *s, size_t len, prof_prefix_info *info)
{
    if (len < 6 || s[0] != '[')
        return 0;
    size_t i = 1;
    bool slash = false;
    while (i < len && s[i] != ']' && s[i] != ' ') {
        slash |= s[i] == '/';
        i++;
    }
    if (!slash || i + 4 > len || memcmp(s + i, "] - ", 4) != 0)
        return 0;
    info->kinds |= PROF_PREFIX_BRACKET_PATH;
    return i + 4;
}

/* MARK: - Prefixes (Public) */

const char *prof_prefix_name(unsigned kind)
{
    switch (kind) {
    case PROF_PREFIX_DOCKER_TS: return "docker-ts";
    case PROF_PREFIX_CRI: return "cri";
    case PROF_PREFIX_COMPOSE: return "compose";
    case PROF_PREFIX_SYSLOG: return "syslog";
    case PROF_PREFIX_GREP: return "grep";
    case PROF_PREFIX_RANCHER: return "rancher";
    case PROF_PREFIX_BRACKET_PATH: return "bracket-path";
    default: return NULL;
    }
}

/* One prefix of any kind in mask at s. @return its length, or 0. */
static size_t strip_one(const char *s, size_t len, unsigned mask, prof_prefix_info *info)
{
    size_t n = 0;
    if (mask & (PROF_PREFIX_DOCKER_TS | PROF_PREFIX_CRI))
        n = strip_instant(s, len, mask, info);
    if (n == 0 && (mask & PROF_PREFIX_SYSLOG))
        n = strip_syslog(s, len, info);
    if (n == 0 && (mask & PROF_PREFIX_RANCHER))
        n = strip_rancher(s, len, info);
    if (n == 0 && (mask & PROF_PREFIX_GREP))
        n = strip_grep(s, len, info);
    if (n == 0 && (mask & PROF_PREFIX_COMPOSE))
        n = strip_compose(s, len, info);
    if (n == 0 && (mask & PROF_PREFIX_BRACKET_PATH))
        n = strip_bracket_path(s, len, info);
    return n;
}

size_t prof_prefix_strip(const char *line, size_t len, unsigned mask, prof_prefix_info *info)
{
    *info = (prof_prefix_info){ 0 };
    size_t off = 0;
    /* A UTF-8 byte order mark can only start a file, but a chunk does not know where the file
     * starts: it is taken off any line, as no log line begins with U+FEFF on purpose. */
    if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
        off = 3;
    for (int depth = 0; depth < PROF_PREFIX_MAX_DEPTH && off < len; depth++) {
        size_t n = strip_one(line + off, len - off, mask, info);
        if (n == 0)
            break;
        off += n;
    }
    return off;
}

/* MARK: - Lenient JSON (Public) */

static size_t skip_ws(const char *s, size_t len, size_t i)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

size_t prof_quoted_end(const char *s, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i;
    }
    return len;
}

/* s[i] is '{' or '[': @return the index just past its matching close, or 0 when unbalanced. */
static size_t container_end(const char *s, size_t len, size_t i)
{
    char stack[64];
    size_t depth = 0;
    for (; i < len; i++) {
        char c = s[i];
        if (c == '"') {
            i = prof_quoted_end(s, len, i);
            if (i == len)
                return 0;
        } else if (c == '{' || c == '[') {
            if (depth == sizeof stack)
                return 0;
            stack[depth++] = c == '{' ? '}' : ']';
        } else if (c == '}' || c == ']') {
            if (depth == 0 || stack[depth - 1] != c)
                return 0;
            if (--depth == 0)
                return i + 1;
        }
    }
    return 0;
}

/* Reads one value at s[i]; fills m->type/value. @return the index past it, or 0 on error. */
static size_t read_value(const char *s, size_t len, size_t i, prof_json_member *m)
{
    if (i >= len)
        return 0;
    if (s[i] == '"') {
        size_t e = prof_quoted_end(s, len, i);
        if (e == len)
            return 0;
        m->type = 's';
        m->value = (rsla_slice){ s + i + 1, e - i - 1 };
        return e + 1;
    }
    if (s[i] == '{' || s[i] == '[') {
        size_t e = container_end(s, len, i);
        if (e == 0)
            return 0;
        m->type = s[i] == '{' ? 'o' : 'a';
        m->value = (rsla_slice){ s + i, e - i };
        return e;
    }
    /* numbers, true/false/null, and bare words left by hand redaction */
    size_t b = i;
    while (i < len && s[i] != ',' && s[i] != '}' && s[i] != ' ' && s[i] != '\t' &&
           s[i] != '"' && s[i] != '{' && s[i] != '[' && s[i] != ']')
        i++;
    if (i == b)
        return 0;
    m->type = 'l';
    m->value = (rsla_slice){ s + b, i - b };
    return i;
}

bool prof_json_members(const char *s, size_t len,
                       bool (*fn)(void *ctx, const prof_json_member *m), void *ctx,
                       size_t *err_col)
{
    size_t i = skip_ws(s, len, 0);
    size_t dummy;
    if (!err_col)
        err_col = &dummy;
    if (i >= len || s[i] != '{') {
        *err_col = i;
        return false;
    }
    i = skip_ws(s, len, i + 1);
    if (i < len && s[i] == '}')
        goto closed;
    for (;;) {
        prof_json_member m;
        if (i >= len || s[i] != '"')
            break;
        size_t ke = prof_quoted_end(s, len, i);
        if (ke == len)
            break;
        m.key = (rsla_slice){ s + i + 1, ke - i - 1 };
        i = skip_ws(s, len, ke + 1);
        if (i >= len || s[i] != ':')
            break;
        i = skip_ws(s, len, i + 1);
        size_t ve = read_value(s, len, i, &m);
        if (ve == 0)
            break;
        if (!fn(ctx, &m))
            return true;
        i = skip_ws(s, len, ve);
        if (i < len && s[i] == ',') {
            i = skip_ws(s, len, i + 1);
            continue;
        }
        if (i < len && s[i] == '}')
            goto closed;
        break;
    }
    *err_col = i;
    return false;
closed:
    i = skip_ws(s, len, i + 1);
    if (i != len) {
        *err_col = i;
        return false;
    }
    return true;
}

/* MARK: - Envelopes (Public) */

const char *prof_envelope_name(prof_envelope e)
{
    switch (e) {
    case PROF_ENVELOPE_DOCKER_JSON: return "docker-json";
    case PROF_ENVELOPE_FLUENTD: return "fluentd";
    default: return "none";
    }
}

typedef struct unwrap_ctx {
    const char *inner_key;
    prof_json_member inner; /* type 0 until found */
    prof_json_member time;
} unwrap_ctx;

static bool unwrap_member(void *vctx, const prof_json_member *m)
{
    unwrap_ctx *c = vctx;
    if (m->type == 's' && c->inner.type == 0 && rsla_slice_eq_cstr(m->key, c->inner_key))
        c->inner = *m;
    else if (m->type == 's' && c->time.type == 0 && rsla_slice_eq_cstr(m->key, "time"))
        c->time = *m;
    return true;
}

prof_unwrap_status prof_envelope_unwrap(prof_envelope e, const char *line, size_t len, char *out,
                                        size_t *out_len, prof_unwrap_info *info)
{
    *info = (prof_unwrap_info){ 0 };
    unwrap_ctx c = { 0 };
    c.inner_key = e == PROF_ENVELOPE_DOCKER_JSON ? "log" : "message";
    if (e == PROF_ENVELOPE_NONE)
        return PROF_UNWRAP_ABSENT;
    if (!prof_json_members(line, len, unwrap_member, &c, &info->error_column))
        return PROF_UNWRAP_SYNTAX;
    if (c.inner.type == 0)
        return PROF_UNWRAP_ABSENT;
    size_t n = ing_value_json_unescape(c.inner.value.ptr, c.inner.value.len, out);
    if (n > 0 && out[n - 1] == '\n')
        n--;
    if (n > 0 && out[n - 1] == '\r')
        n--;
    *out_len = n;
    /* Only Docker's own `time` is the shipper's clock; a fluentd record's `time` is free-form. */
    if (e == PROF_ENVELOPE_DOCKER_JSON && c.time.type == 's' &&
        rsla_time_parse_rfc3339(c.time.value.ptr, c.time.value.len, &info->time_ns) == RSLA_TIME_OK)
        info->has_time = true;
    return PROF_UNWRAP_OK;
}
