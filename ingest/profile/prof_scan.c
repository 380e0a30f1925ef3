/* Line-by-line scanning of text profiles and of wrapped or prefixed lines (see prof_scan.h). */
#include "ingest/profile/prof_scan.h"
#include <stdlib.h>                     /* free */
#include "common/rsla_base.h"           /* rsla_xmalloc */
#include "ingest/profile/prof_text.h"   /* readers, verdicts */

struct prof_state {
    prof_choice choice;
    prof_options opt;
    scan_state *json;
    char *scratch;      /* envelope output, reader scratch and the JSON line copy */
    size_t scratch_cap;
};

/* Forwards the JSON scanner's one verdict for a copied line to the real sink, in the file's
 * coordinates. */
typedef struct fwd_ctx {
    const scan_sink *sink;
    size_t line_start, line_index, column_base;
    bool column_exact;  /* the copied line is a slice of the file line (no envelope) */
    size_t calls;
} fwd_ctx;

static void fwd_outcome(void *vctx, const rsla_outcome *o)
{
    fwd_ctx *f = vctx;
    if (f->calls++ == 0)
        f->sink->on_outcome(f->sink->ctx, o);
}

static void fwd_skip(void *vctx, rsla_skip_reason r)
{
    fwd_ctx *f = vctx;
    if (f->calls++ == 0)
        f->sink->on_skip(f->sink->ctx, r);
}

static void fwd_reject(void *vctx, size_t ls, size_t li, rsla_reject_reason r, size_t col,
                       const char *field)
{
    fwd_ctx *f = vctx;
    (void)ls;
    (void)li;
    if (f->calls++ == 0)
        f->sink->on_reject(f->sink->ctx, f->line_start, f->line_index, r,
                           f->column_base + (f->column_exact ? col : 0), field);
}

/* MARK: - State (Public) */

bool prof_choice_needs_line_scan(const prof_choice *c)
{
    return !prof_format_is_json(c->format) || c->prefixes != 0 ||
           c->envelope != PROF_ENVELOPE_NONE;
}

prof_state *prof_state_create(const prof_choice *c, const prof_options *opt, scan_state *json)
{
    prof_state *s = rsla_xcalloc(1, sizeof *s);
    s->choice = *c;
    if (opt)
        s->opt = *opt;
    if (!s->opt.has_ref_time && c->has_ref_time) {
        s->opt.has_ref_time = true;
        s->opt.ref_time_ns = c->ref_time_ns;
    }
    s->json = json;
    return s;
}

void prof_state_free(prof_state *s)
{
    if (!s)
        return;
    free(s->scratch);
    free(s);
}

/* MARK: - One line (Private) */

/* Makes room for a line of len bytes: unwrapped copy, reader scratch, padded JSON copy. */
static void reserve(prof_state *s, size_t len)
{
    size_t need = 3 * len + SCAN_PADDING + 1;
    if (need > s->scratch_cap) {
        free(s->scratch);
        s->scratch = rsla_xmalloc(need);
        s->scratch_cap = need;
    }
}

/* The time a line's prefixes give it (docker -t, CRI, or syslog by the year rule). */
static void prefix_time(const prof_state *s, const prof_prefix_info *pi, prof_line_ctx *ctx)
{
    if (pi->has_time) {
        ctx->has_time = true;
        ctx->time_ns = pi->time_ns;
        return;
    }
    if (!pi->has_syslog_stamp)
        return;
    if (!s->opt.syslog_zone_known) {
        ctx->time_no_zone = true;
        return;
    }
    int64_t year = s->opt.syslog_year;
    if (year == 0 && s->opt.has_ref_time)
        year = rsla_time_syslog_year_near(&pi->syslog, s->opt.syslog_offset_min, s->opt.ref_time_ns);
    if (year != 0 && rsla_time_syslog_to_ns(&pi->syslog, year, s->opt.syslog_offset_min,
                                            &ctx->time_ns) == RSLA_TIME_OK)
        ctx->has_time = true;
}

/* Hands a reader's verdict over. Columns: col0 + the reader's column when the reader saw a
 * slice of the file's line, col0 alone when it saw an envelope's unescaped copy. */
static void emit(const prof_verdict *v, const scan_sink *sink, size_t ls, size_t li, size_t col0,
                 bool exact)
{
    switch (v->kind) {
    case PROF_VERDICT_OUTCOME: sink->on_outcome(sink->ctx, &v->outcome); break;
    case PROF_VERDICT_SKIP: sink->on_skip(sink->ctx, v->skip); break;
    default: sink->on_reject(sink->ctx, ls, li, v->reject, col0 + (exact ? v->column : 0), v->field);
        break;
    }
}

/* A JSON format's line: the JSON scanner judges a padded copy of it. */
static void json_line(prof_state *s, const char *p, size_t n, fwd_ctx *f)
{
    if (!s->json) {
        f->sink->on_skip(f->sink->ctx, RSLA_SKIP_OTHER_FORMAT);
        return;
    }
    const char *nl = memchr(p, '\n', n);
    if (nl) { /* a newline unwrapped from an envelope would split the line in two */
        f->sink->on_reject(f->sink->ctx, f->line_start, f->line_index, RSLA_REJECT_JSON_SYNTAX,
                           f->column_base, NULL);
        return;
    }
    char *copy = s->scratch + 2 * (s->scratch_cap - SCAN_PADDING - 1) / 3;
    memmove(copy, p, n);
    memset(copy + n, 0, SCAN_PADDING);
    scan_sink fs = { f, fwd_outcome, fwd_skip, fwd_reject };
    scan_chunk(s->json, copy, n, &fs);
    if (f->calls == 0) /* cannot happen for n > 0; keeps the one-call contract regardless */
        f->sink->on_skip(f->sink->ctx, RSLA_SKIP_BLANK);
}

static bool is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

/* Opens the envelope when the line has one. @return false when the line was judged already. */
static bool open_envelope(prof_state *s, const char **p, size_t *n, prof_line_ctx *ctx, fwd_ctx *f)
{
    size_t i = 0;
    while (i < *n && (*p)[i] == ' ')
        i++;
    if (s->choice.envelope == PROF_ENVELOPE_NONE || i >= *n || (*p)[i] != '{')
        return true;
    char *out = s->scratch;
    size_t out_len = 0;
    prof_unwrap_info ui;
    prof_unwrap_status st = prof_envelope_unwrap(s->choice.envelope, *p, *n, out, &out_len, &ui);
    if (st == PROF_UNWRAP_SYNTAX && !prof_format_is_json(s->choice.format)) {
        f->sink->on_reject(f->sink->ctx, f->line_start, f->line_index, RSLA_REJECT_JSON_SYNTAX,
                           f->column_base + ui.error_column, NULL);
        return false;
    }
    if (st != PROF_UNWRAP_OK)
        return true; /* not wrapped: the reader judges the line as it is */
    *p = out;
    *n = out_len;
    f->column_exact = false;
    if (ui.has_time && !ctx->has_time) {
        ctx->has_time = true;
        ctx->time_ns = ui.time_ns;
        ctx->time_no_zone = false;
    }
    return true;
}

static void scan_line(prof_state *s, const char *line, size_t len, const scan_sink *sink,
                      size_t ls, size_t li)
{
    if (is_blank(line, len)) {
        sink->on_skip(sink->ctx, RSLA_SKIP_BLANK);
        return;
    }
    reserve(s, len);
    prof_prefix_info pi;
    size_t off = prof_prefix_strip(line, len, s->choice.prefixes, &pi);
    fwd_ctx f = { sink, ls, li, off, true, 0 };
    if (pi.cri_partial) { /* a fragment; CRI splits lines over 16 KiB and we do not join them */
        sink->on_reject(sink->ctx, ls, li, RSLA_REJECT_PARTIAL_LINE, 0, "cri");
        return;
    }
    prof_line_ctx ctx = { s->opt.default_host, false, 0, false, NULL };
    prefix_time(s, &pi, &ctx);
    const char *p = line + off;
    size_t n = len - off;
    if (!open_envelope(s, &p, &n, &ctx, &f))
        return;
    if (prof_format_is_json(s->choice.format)) {
        json_line(s, p, n, &f);
        return;
    }
    ctx.scratch = s->scratch + (s->scratch_cap - SCAN_PADDING - 1) / 3;
    prof_verdict v;
    if (s->choice.format == PROF_FORMAT_DISTRIBUTION_TEXT)
        prof_text_logrus_line(p, n, &ctx, &v);
    else if (s->choice.format == PROF_FORMAT_COMBINED)
        prof_text_combined_line(p, n, &ctx, &v);
    else
        v = (prof_verdict){ .kind = PROF_VERDICT_SKIP, .skip = RSLA_SKIP_OTHER_FORMAT };
    emit(&v, sink, ls, li, off, f.column_exact);
}

/* MARK: - Chunks (Public) */

size_t prof_scan_chunk(prof_state *s, const char *buf, size_t len, const scan_sink *sink)
{
    size_t pos = 0, index = 0;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        scan_line(s, buf + pos, end - pos, sink, pos, index);
        index++;
        pos = end + 1;
    }
    return index;
}
