/* SLA policies: presets as data, JSON policy files read strictly; see policy.h. */
#include "analyzer/policy.h"

#include <errno.h>  /* errno */
#include <stdarg.h> /* va_list */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* free */
#include <string.h> /* strcmp, strerror */

#include "analyzer/cfg_json.h" /* cfg_json_parse */
#include "common/rsla_base.h"  /* rsla_xmalloc */

/* Largest policy file read. */
#define POLICY_MAX_FILE (1u << 20)

/* MARK: - Decimals (Public) */

static const int64_t pow10_tab[] = { 1,         10,         100,         1000,
                                     10000,     100000,     1000000,     10000000,
                                     100000000, 1000000000, 10000000000, 100000000000,
                                     1000000000000 };

bool policy_dec_parse(const char *s, size_t len, policy_dec *out)
{
    size_t i = 0;
    int64_t v = 0;
    int int_digits = 0, scale = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (++int_digits > POLICY_DEC_MAX_INT_DIGITS)
            return false;
        v = v * 10 + (s[i++] - '0');
    }
    if (int_digits == 0)
        return false;
    if (i < len && s[i] == '.') {
        i++;
        const size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (++scale > POLICY_DEC_MAX_SCALE || int_digits + scale > POLICY_DEC_MAX_DIGITS)
                return false;
            v = v * 10 + (s[i++] - '0');
        }
        if (i == start)
            return false;
    }
    if (i != len)
        return false;
    out->units = v;
    out->scale = scale;
    return true;
}

int policy_dec_cmp(policy_dec a, policy_dec b)
{
    /* Bring both to the larger scale; below 10^18 * 10^9 < 2^90: use 128 bits. */
    const int s = RSLA_MAX(a.scale, b.scale);
    const __int128 x = (__int128)a.units * pow10_tab[s - a.scale];
    const __int128 y = (__int128)b.units * pow10_tab[s - b.scale];
    return x < y ? -1 : x > y ? 1 : 0;
}

size_t policy_dec_format(char *out, size_t outlen, policy_dec d)
{
    const int64_t p = pow10_tab[d.scale];
    int64_t frac = d.units % p;
    int scale = d.scale;
    while (scale > 0 && frac % 10 == 0) {
        frac /= 10;
        scale--;
    }
    int n;
    if (scale == 0)
        n = snprintf(out, outlen, "%lld", (long long)(d.units / p));
    else
        n = snprintf(out, outlen, "%lld.%0*lld", (long long)(d.units / p), scale, (long long)frac);
    return n < 0 ? 0 : (size_t)n;
}

static policy_dec dec(int64_t units, int scale) { return (policy_dec){ units, scale }; }

/* MARK: - Presets (Private) */

static void set_statuses_default(policy *p)
{
    memset(p->failed_status, 0, sizeof p->failed_status);
    memset(p->excluded_status, 0, sizeof p->excluded_status);
    for (int s = 500; s <= 599; s++)
        p->failed_status[s] = true;
    p->failed_status[0] = true;
    p->excluded_status[429] = true;
}

static void set_tiers(policy *p, int64_t top_upper_units, int top_upper_scale, int last_percent)
{
    p->n_tiers = 3;
    p->tiers[0] = (policy_tier){ true, true, dec(99, 0), dec(top_upper_units, top_upper_scale),
                                 dec(10, 0) };
    p->tiers[1] = (policy_tier){ true, true, dec(95, 0), dec(99, 0), dec(25, 0) };
    p->tiers[2] = (policy_tier){ false, true, dec(0, 0), dec(95, 0), dec(last_percent, 0) };
}

/* The presets of SLA-SPEC section 9, one row each. Every preset has the default status sets,
 * partial tolerance and tiers [99, target) 10 %, [95, 99) 25 %, < 95 last_percent. */
typedef struct preset_row {
    const char *name;
    const char *zone;
    policy_mode mode;
    int window_minutes;
    int64_t threshold_num, threshold_den; /* failed share at which a window is bad */
    bool threshold_strict;
    int64_t min_requests, min_consecutive;
    policy_classes classes;
    int64_t target_units;                 /* target percent, in hundredths */
    int last_percent;
} preset_row;

static const preset_row presets[] = {
    /* Downtime per minute: a minute is down when every valid push or every valid pull failed.
     * Alibaba Cloud's time-based SLAs: +08:00, 10/25/100 %. */
    { "acr-ee", "+08:00", POLICY_DOWNTIME, 1, 1, 1, false, 1, 1, POLICY_EITHER, 9995, 100 },
    /* Error rate over 5-minute intervals, push and pull together. */
    { "aws-s3", "UTC", POLICY_ERROR_RATE, 5, 1, 1, false, 1, 1, POLICY_COMBINED, 9990, 100 },
    /* A minute is down above 5 % errors, counted only in runs of at least 5 minutes. */
    { "gcp", "UTC", POLICY_DOWNTIME, 1, 5, 100, true, 1, 5, POLICY_COMBINED, 9995, 50 },
    /* A 5-minute window is down above 50 % errors among at least 10 requests. */
    { "scaleway", "UTC", POLICY_DOWNTIME, 5, 1, 2, true, 10, 1, POLICY_COMBINED, 9990, 100 },
};

static const preset_row *preset_row_of(const char *name)
{
    for (size_t i = 0; i < RSLA_ARRAY_LEN(presets); i++)
        if (strcmp(name, presets[i].name) == 0)
            return &presets[i];
    return NULL;
}

/* Fills every field but the zone; returns the zone name, NULL for an unknown preset. */
static const char *preset_fields(const char *name, policy *p)
{
    const preset_row *row = preset_row_of(name);
    if (!row)
        return NULL;
    policy_release(p);
    memset(p, 0, sizeof *p);
    set_statuses_default(p);
    p->partial_tolerance_minutes = POLICY_DEFAULT_PARTIAL_TOLERANCE;
    p->mode = row->mode;
    p->window_minutes = row->window_minutes;
    p->threshold_num = row->threshold_num;
    p->threshold_den = row->threshold_den;
    p->threshold_strict = row->threshold_strict;
    p->min_requests = row->min_requests;
    p->min_consecutive = row->min_consecutive;
    p->classes = row->classes;
    p->target = dec(row->target_units, 2);
    set_tiers(p, row->target_units, 2, row->last_percent);
    snprintf(p->name, sizeof p->name, "%s", row->name);
    return row->zone;
}

bool policy_preset(const char *name, policy *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *zone = preset_fields(name, out);
    if (!zone) {
        if (err && errlen)
            snprintf(err, errlen, "unknown policy preset \"%s\" (acr-ee, aws-s3, gcp, scaleway)",
                     name);
        return false;
    }
    out->zone = tz_load(zone, err, errlen);
    return out->zone != NULL;
}

static bool is_preset_name(const char *s)
{
    return preset_row_of(s) != NULL;
}

/* MARK: - Policy files (Private) */

typedef struct pctx {
    const char *source;
    char *err;
    size_t errlen;
} pctx;

static bool perr(const pctx *c, const cfg_json *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool perr(const pctx *c, const cfg_json *at, const char *fmt, ...)
{
    if (!c->err || !c->errlen)
        return false;
    int n = snprintf(c->err, c->errlen, "%s:%d:%d: ", c->source, at->line, at->col);
    if (n < 0 || (size_t)n >= c->errlen)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static bool want_type(const pctx *c, const cfg_json *v, const char *key, cfg_json_type t)
{
    if (v->type == t)
        return true;
    return perr(c, v, "\"%s\" must be a%s %s, not %s", key,
                t == CFG_JSON_ARRAY || t == CFG_JSON_OBJECT ? "n" : "", cfg_json_type_name(t),
                cfg_json_type_name(v->type));
}

/* A decimal given as a JSON number or a string holding one. */
static bool get_dec(const pctx *c, const cfg_json *v, const char *key, policy_dec *out)
{
    if (v->type != CFG_JSON_NUMBER && v->type != CFG_JSON_STRING)
        return perr(c, v, "\"%s\" must be a decimal number like 99.95, not %s", key,
                    cfg_json_type_name(v->type));
    if (!policy_dec_parse(v->text, v->len, out))
        return perr(c, v,
                    "\"%s\": \"%s\" is not a plain non-negative decimal (no sign, no exponent, "
                    "at most %d decimals, %d digits in all)",
                    key, v->text, POLICY_DEC_MAX_SCALE, POLICY_DEC_MAX_DIGITS);
    return true;
}

static bool get_percent(const pctx *c, const cfg_json *v, const char *key, policy_dec *out)
{
    if (!get_dec(c, v, key, out))
        return false;
    if (policy_dec_cmp(*out, dec(100, 0)) > 0)
        return perr(c, v, "\"%s\" is a percentage and must be at most 100", key);
    return true;
}

static bool get_uint(const pctx *c, const cfg_json *v, const char *key, uint64_t max,
                     uint64_t *out)
{
    if (v->type != CFG_JSON_NUMBER)
        return perr(c, v, "\"%s\" must be an integer, not %s", key, cfg_json_type_name(v->type));
    uint64_t x = 0;
    for (size_t i = 0; i < v->len; i++) {
        const char ch = v->text[i];
        if (ch < '0' || ch > '9')
            return perr(c, v, "\"%s\" must be a non-negative integer, not %s", key, v->text);
        if (x > (max - (uint64_t)(ch - '0')) / 10)
            return perr(c, v, "\"%s\" must be at most %llu", key, (unsigned long long)max);
        x = x * 10 + (uint64_t)(ch - '0');
    }
    *out = x;
    return true;
}

static bool get_threshold(const pctx *c, const cfg_json *v, policy *p)
{
    if (v->type != CFG_JSON_NUMBER && v->type != CFG_JSON_STRING)
        return perr(c, v, "\"threshold\" must be a fraction \"5/100\" or a decimal 0.05, not %s",
                    cfg_json_type_name(v->type));
    const char *slash = v->type == CFG_JSON_STRING ? memchr(v->text, '/', v->len) : NULL;
    uint64_t num, den;
    if (slash) {
        policy_dec a, b;
        const size_t la = (size_t)(slash - v->text);
        if (!policy_dec_parse(v->text, la, &a) || a.scale != 0 ||
            !policy_dec_parse(slash + 1, v->len - la - 1, &b) || b.scale != 0)
            return perr(c, v, "\"threshold\": \"%s\" is not a fraction of two integers like 5/100",
                        v->text);
        num = (uint64_t)a.units;
        den = (uint64_t)b.units;
    } else {
        policy_dec d;
        if (!policy_dec_parse(v->text, v->len, &d))
            return perr(c, v, "\"threshold\": \"%s\" is not a plain decimal like 0.05", v->text);
        num = (uint64_t)d.units;
        den = (uint64_t)pow10_tab[d.scale];
    }
    if (den == 0)
        return perr(c, v, "\"threshold\": the denominator must not be 0");
    if (num > den)
        return perr(c, v, "\"threshold\" is a share of failed requests and must be at most 1");
    p->threshold_num = num;
    p->threshold_den = den;
    return true;
}

/* ["500-599", 0, 429]: integers or "LOW-HIGH" ranges, within 0..999. */
static bool get_statuses(const pctx *c, const cfg_json *v, const char *key, bool set[1000])
{
    if (!want_type(c, v, key, CFG_JSON_ARRAY))
        return false;
    memset(set, 0, 1000 * sizeof set[0]);
    for (size_t i = 0; i < v->n; i++) {
        const cfg_json *e = &v->items[i];
        uint64_t lo, hi;
        if (e->type == CFG_JSON_NUMBER) {
            if (!get_uint(c, e, key, 999, &lo))
                return false;
            hi = lo;
        } else if (e->type == CFG_JSON_STRING) {
            const char *dash = memchr(e->text, '-', e->len);
            policy_dec a, b;
            if (dash) {
                const size_t la = (size_t)(dash - e->text);
                if (!policy_dec_parse(e->text, la, &a) || a.scale ||
                    !policy_dec_parse(dash + 1, e->len - la - 1, &b) || b.scale)
                    return perr(c, e, "\"%s\": \"%s\" is not a status or a range like \"500-599\"",
                                key, e->text);
            } else {
                if (!policy_dec_parse(e->text, e->len, &a) || a.scale)
                    return perr(c, e, "\"%s\": \"%s\" is not a status or a range like \"500-599\"",
                                key, e->text);
                b = a;
            }
            lo = (uint64_t)a.units;
            hi = (uint64_t)b.units;
            if (hi > 999 || lo > hi)
                return perr(c, e, "\"%s\": range \"%s\" must lie within 0-999, low to high", key,
                            e->text);
        } else {
            return perr(c, e, "\"%s\" entries must be integers or \"LOW-HIGH\" strings", key);
        }
        for (uint64_t s = lo; s <= hi; s++)
            set[s] = true;
    }
    return true;
}

static bool get_tiers(const pctx *c, const cfg_json *v, policy *p)
{
    if (!want_type(c, v, "tiers", CFG_JSON_ARRAY))
        return false;
    if (v->n > POLICY_MAX_TIERS)
        return perr(c, v, "\"tiers\": at most %d tiers", POLICY_MAX_TIERS);
    p->n_tiers = 0;
    for (size_t i = 0; i < v->n; i++) {
        const cfg_json *t = &v->items[i];
        if (!want_type(c, t, "tiers[]", CFG_JSON_OBJECT))
            return false;
        policy_tier tier = { 0 };
        bool has_percent = false;
        for (size_t k = 0; k < t->n; k++) {
            const char *key = t->keys[k];
            const cfg_json *x = &t->items[k];
            if (strcmp(key, "lower") == 0) {
                if (x->type != CFG_JSON_NULL) {
                    if (!get_percent(c, x, "lower", &tier.lower))
                        return false;
                    tier.has_lower = true;
                }
            } else if (strcmp(key, "upper") == 0) {
                if (x->type != CFG_JSON_NULL) {
                    if (!get_percent(c, x, "upper", &tier.upper))
                        return false;
                    tier.has_upper = true;
                }
            } else if (strcmp(key, "percent") == 0) {
                if (!get_percent(c, x, "percent", &tier.percent))
                    return false;
                has_percent = true;
            } else {
                return perr(c, x, "unknown key \"%s\" in a tier (lower, upper, percent)", key);
            }
        }
        if (!has_percent)
            return perr(c, t, "a tier needs \"percent\"");
        if (tier.has_lower && tier.has_upper && policy_dec_cmp(tier.lower, tier.upper) >= 0)
            return perr(c, t, "a tier's \"lower\" must be below its \"upper\"");
        /* Half-open ranges must not overlap: one availability, one tier. */
        for (size_t j = 0; j < p->n_tiers; j++) {
            const policy_tier *o = &p->tiers[j];
            const bool a_below_b = tier.has_upper && o->has_lower &&
                                   policy_dec_cmp(tier.upper, o->lower) <= 0;
            const bool b_below_a = o->has_upper && tier.has_lower &&
                                   policy_dec_cmp(o->upper, tier.lower) <= 0;
            if (!a_below_b && !b_below_a)
                return perr(c, t, "tier %zu overlaps tier %zu", i + 1, j + 1);
        }
        p->tiers[p->n_tiers++] = tier;
    }
    return true;
}

static bool apply_member(const pctx *c, const char *key, const cfg_json *v, policy *p,
                         char *zone, size_t zonelen)
{
    uint64_t u;
    if (strcmp(key, "base") == 0) {
        return true; /* handled first */
    } else if (strcmp(key, "name") == 0) {
        if (!want_type(c, v, key, CFG_JSON_STRING))
            return false;
        if (v->len == 0 || v->len >= sizeof p->name || strlen(v->text) != v->len)
            return perr(c, v, "\"name\" must be 1 to %zu characters", sizeof p->name - 1);
        snprintf(p->name, sizeof p->name, "%s", v->text);
    } else if (strcmp(key, "mode") == 0) {
        if (!want_type(c, v, key, CFG_JSON_STRING))
            return false;
        if (strcmp(v->text, "downtime") == 0)
            p->mode = POLICY_DOWNTIME;
        else if (strcmp(v->text, "error-rate") == 0)
            p->mode = POLICY_ERROR_RATE;
        else
            return perr(c, v, "\"mode\" must be \"downtime\" or \"error-rate\"");
    } else if (strcmp(key, "window_minutes") == 0) {
        if (!get_uint(c, v, key, 1440, &u))
            return false;
        if (u == 0 || 1440 % u != 0)
            return perr(c, v, "\"window_minutes\" must divide a day (1440): 1, 5, 15, 60, ...");
        p->window_minutes = (int)u;
    } else if (strcmp(key, "threshold") == 0) {
        return get_threshold(c, v, p);
    } else if (strcmp(key, "threshold_strict") == 0) {
        if (!want_type(c, v, key, CFG_JSON_BOOL))
            return false;
        p->threshold_strict = v->boolean;
    } else if (strcmp(key, "min_requests") == 0) {
        if (!get_uint(c, v, key, UINT64_C(1) << 62, &u))
            return false;
        p->min_requests = u;
    } else if (strcmp(key, "min_consecutive") == 0) {
        if (!get_uint(c, v, key, 1000000, &u))
            return false;
        if (u == 0)
            return perr(c, v, "\"min_consecutive\" must be at least 1");
        p->min_consecutive = (uint32_t)u;
    } else if (strcmp(key, "classes") == 0) {
        if (!want_type(c, v, key, CFG_JSON_STRING))
            return false;
        if (strcmp(v->text, "either") == 0)
            p->classes = POLICY_EITHER;
        else if (strcmp(v->text, "combined") == 0)
            p->classes = POLICY_COMBINED;
        else
            return perr(c, v, "\"classes\" must be \"either\" or \"combined\"");
    } else if (strcmp(key, "zone") == 0) {
        if (!want_type(c, v, key, CFG_JSON_STRING))
            return false;
        if (v->len == 0 || v->len >= zonelen || strlen(v->text) != v->len)
            return perr(c, v, "\"zone\" must be an offset like +08:00 or an IANA name");
        snprintf(zone, zonelen, "%s", v->text);
    } else if (strcmp(key, "target") == 0) {
        return get_percent(c, v, key, &p->target);
    } else if (strcmp(key, "tiers") == 0) {
        return get_tiers(c, v, p);
    } else if (strcmp(key, "cap") == 0) {
        if (v->type == CFG_JSON_NULL) {
            p->has_cap = false;
            return true;
        }
        if (!get_percent(c, v, key, &p->cap))
            return false;
        p->has_cap = true;
    } else if (strcmp(key, "failure_statuses") == 0) {
        return get_statuses(c, v, key, p->failed_status);
    } else if (strcmp(key, "excluded_statuses") == 0) {
        return get_statuses(c, v, key, p->excluded_status);
    } else if (strcmp(key, "partial_tolerance_minutes") == 0) {
        if (!get_uint(c, v, key, 44640, &u))
            return false;
        p->partial_tolerance_minutes = (int)u;
    } else {
        return perr(c, v, "unknown key \"%s\"", key);
    }
    return true;
}

bool policy_parse(const char *text, size_t len, const char *source, policy *out, char *err,
                  size_t errlen)
{
    memset(out, 0, sizeof *out);
    const pctx c = { source ? source : "policy", err, errlen };
    char jerr[200];
    cfg_json *root = cfg_json_parse(text, len, jerr, sizeof jerr);
    if (!root) {
        if (err && errlen)
            snprintf(err, errlen, "%s:%s", c.source, jerr);
        return false;
    }
    bool ok = false;
    char zone[128];
    if (root->type != CFG_JSON_OBJECT) {
        perr(&c, root, "a policy file is a JSON object, not %s", cfg_json_type_name(root->type));
        goto done;
    }
    const cfg_json *base = cfg_json_get(root, "base");
    const char *base_name = "acr-ee";
    if (base) {
        if (!want_type(&c, base, "base", CFG_JSON_STRING))
            goto done;
        if (!is_preset_name(base->text)) {
            perr(&c, base, "\"base\" must name a preset: acr-ee, aws-s3, gcp or scaleway");
            goto done;
        }
        base_name = base->text;
    }
    snprintf(zone, sizeof zone, "%s", preset_fields(base_name, out));
    if (base)
        snprintf(out->base, sizeof out->base, "%s", base_name);
    snprintf(out->name, sizeof out->name, "%s", c.source);
    const cfg_json *zone_at = root, *statuses_at = root;
    for (size_t i = 0; i < root->n; i++) {
        if (!apply_member(&c, root->keys[i], &root->items[i], out, zone, sizeof zone))
            goto done;
        if (strcmp(root->keys[i], "zone") == 0)
            zone_at = &root->items[i];
        if (strcmp(root->keys[i], "failure_statuses") == 0 ||
            strcmp(root->keys[i], "excluded_statuses") == 0)
            statuses_at = &root->items[i]; /* the later of the two */
    }
    for (int s = 0; s < 1000; s++) {
        if (out->failed_status[s] && out->excluded_status[s]) {
            perr(&c, statuses_at, "status %d is in both failure_statuses and excluded_statuses",
                 s);
            goto done;
        }
    }
    char zerr[300];
    out->zone = tz_load(zone, zerr, sizeof zerr);
    if (!out->zone) {
        perr(&c, zone_at, "%s", zerr);
        goto done;
    }
    ok = true;
done:
    cfg_json_free(root);
    if (!ok)
        policy_release(out);
    return ok;
}

bool policy_load_file(const char *path, policy *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t n;
    rsla_read_status st;
    char *buf = rsla_read_file(path, POLICY_MAX_FILE, &n, &st);
    if (!buf) {
        if (err && errlen && st == RSLA_READ_OPEN)
            snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        else if (err && errlen && st == RSLA_READ_IO)
            snprintf(err, errlen, "%s: cannot read", path);
        else if (err && errlen)
            snprintf(err, errlen, "%s: larger than %u bytes, not a policy file", path,
                     POLICY_MAX_FILE);
        return false;
    }
    const bool ok = policy_parse(buf, n, path, out, err, errlen);
    free(buf);
    return ok;
}

bool policy_resolve(const char *arg, policy *out, char *err, size_t errlen)
{
    if (!arg || !*arg)
        return policy_preset("acr-ee", out, err, errlen);
    if (is_preset_name(arg))
        return policy_preset(arg, out, err, errlen);
    return policy_load_file(arg, out, err, errlen);
}

void policy_release(policy *p)
{
    if (!p)
        return;
    tz_free(p->zone);
    p->zone = NULL;
}

void policy_status_table(const policy *p, agg_status_table *out)
{
    for (int s = 0; s < 1000; s++)
        out->verdict[s] = p->excluded_status[s] ? AGG_EXCLUDED
                          : p->failed_status[s] ? AGG_FAILED
                                                : AGG_GOOD;
}

const char *policy_mode_name(policy_mode m)
{
    return m == POLICY_ERROR_RATE ? "error-rate" : "downtime";
}

const char *policy_classes_name(policy_classes c)
{
    return c == POLICY_COMBINED ? "combined" : "either";
}
