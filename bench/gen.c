/* regsla-gen: a seeded generator of CNCF Distribution JSON access-log months, with ground truth.
 *
 * What it writes: the lines a `registry:2` / `registry:3` process configured with
 * `log.formatter: json` puts in its log stream over one calendar month, for N registry instances:
 * logrus JSONFormatter lines with the keys sorted (`response completed`, `response completed with
 * error`, `authorized request`, storage traces, start-up banners), mixed with the non-JSON lines the
 * same container writes (Apache combined access lines, logrus text lines) and a few truncated JSON
 * lines. Outages make push and/or pull requests of one instance answer 5xx over ranges of minutes.
 *
 * Deterministic: the same options and seed give the same bytes on every run and every machine
 * (one xoshiro256** stream, integer arithmetic only, no clock, no locale).
 *
 * Ground truth (--truth FILE, JSON, documented in bench/README.md): what a correct reader must find,
 * computed while the lines are made: line accounting per file, per instance and per host the request
 * counts after request-id dedupe, and the minutes that are bad under the acr-ee rule (a minute in
 * which every valid push, or every valid pull, failed), as UTC ranges and as counts per month of
 * --zone-offset.
 *
 * Speed: every field is appended by hand into one large buffer (no printf per field), flushed to
 * the file or to a libzstd stream. About 3 µs per line on one core.
 *
 *   minute loop:  outages active this minute -> forced requests (outage traffic)
 *                 line budget of the minute   -> normal requests and noise lines
 *                 sort the minute's events by time -> format -> buffer -> file / zstd
 *                 close the minute's truth counters (bad minutes, runs)
 */
#include <errno.h>    /* errno */
#include <inttypes.h> /* PRIu64 */
#include <stdbool.h>  /* bool */
#include <stdint.h>   /* uint64_t */
#include <stdio.h>    /* FILE, fopen, fprintf */
#include <stdlib.h>   /* malloc, qsort, strtoll */
#include <string.h>   /* memcpy, strcmp */
#include <sys/stat.h> /* mkdir */

#include <zstd.h> /* ZSTD_createCCtx, ZSTD_compressStream2 */

/* MARK: - Tunables */

/* Output buffer size; it is flushed when more than RSLA_GEN_FLUSH bytes are pending. A line is at
 * most a few KiB, so the gap is ample. */
#define RSLA_GEN_BUF (8u << 20)
#define RSLA_GEN_FLUSH (4u << 20)
/* Default share of error lines repeated (Distribution writes one line per error in the context). */
#define RSLA_GEN_REPEAT_PERMILLE 250
/* Share of push/pull requests answered 429 outside and inside outages. */
#define RSLA_GEN_429_PERMILLE 4

#define RSLA_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define RSLA_ARRAY_LEN_REPOS RSLA_ARRAY_LEN(k_repos)

#define NS_PER_SEC INT64_C(1000000000)
#define NS_PER_MIN (INT64_C(60) * NS_PER_SEC)

/* MARK: - Random numbers (xoshiro256**, seeded by splitmix64) */

static uint64_t rng_s[4];

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng_s[i] = splitmix64(&x);
}

static inline uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(void)
{
    const uint64_t result = rotl64(rng_s[1] * 5, 7) * 9;
    const uint64_t t = rng_s[1] << 17;
    rng_s[2] ^= rng_s[0];
    rng_s[3] ^= rng_s[1];
    rng_s[1] ^= rng_s[2];
    rng_s[0] ^= rng_s[3];
    rng_s[2] ^= t;
    rng_s[3] = rotl64(rng_s[3], 45);
    return result;
}

/* Uniform in [0, n), n > 0 (Lemire's multiply-shift; the tiny bias is irrelevant here). */
static inline uint64_t rng_below(uint64_t n)
{
    return (uint64_t)(((unsigned __int128)rng_next() * n) >> 64);
}

static inline bool rng_permille(unsigned p) { return rng_below(1000) < p; }

/* MARK: - Calendar (proleptic Gregorian, integers only) */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* First minute (since the epoch, UTC) of month (y, m) in a zone offset_min east of UTC. */
static int64_t month_start_min(int64_t y, int m, int offset_min)
{
    return days_from_civil(y, m, 1) * 1440 - offset_min;
}

/* MARK: - Output buffer and appenders */

static char *g_buf;
static char *g_w; /* write position in g_buf */

#define PUT_LIT(s) (memcpy(g_w, (s), sizeof(s) - 1), g_w += sizeof(s) - 1)

static inline void put_mem(const char *s, size_t n)
{
    memcpy(g_w, s, n);
    g_w += n;
}

static inline void put_str(const char *s) { put_mem(s, strlen(s)); }
static inline void put_ch(char c) { *g_w++ = c; }

static const char k_digits2[] = "00010203040506070809101112131415161718192021222324252627282930313233"
                                "34353637383940414243444546474849505152535455565758596061626364656667"
                                "6869707172737475767778798081828384858687888990919293949596979899";

static inline void put_2d(unsigned v)
{
    memcpy(g_w, k_digits2 + 2 * v, 2);
    g_w += 2;
}

static void put_u64(uint64_t v)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    while (v >= 100) {
        p -= 2;
        memcpy(p, k_digits2 + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, k_digits2 + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    put_mem(p, (size_t)(tmp + sizeof tmp - p));
}

/* `n` digits of v, zero padded (v < 10^n). */
static void put_fixed(uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        g_w[i] = (char)('0' + v % 10);
        v /= 10;
    }
    g_w += n;
}

static const char k_hex[] = "0123456789abcdef";

static void put_hex_rand(int n)
{
    while (n > 0) {
        uint64_t r = rng_next();
        for (int i = 0; i < 16 && n > 0; i++, n--) {
            *g_w++ = k_hex[r & 15];
            r >>= 4;
        }
    }
}

static void put_uuid_rand(void)
{
    put_hex_rand(8);
    put_ch('-');
    put_hex_rand(4);
    PUT_LIT("-4");
    put_hex_rand(3);
    put_ch('-');
    *g_w++ = k_hex[8 + rng_below(4)];
    put_hex_rand(3);
    put_ch('-');
    put_hex_rand(12);
}

static const char k_b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void put_b64_rand(int n)
{
    while (n > 0) {
        uint64_t r = rng_next();
        for (int i = 0; i < 10 && n > 0; i++, n--) {
            *g_w++ = k_b64url[r & 63];
            r >>= 6;
        }
    }
}

/* Fractional digits of v (< 10^width) with trailing zeros dropped, after a '.', or nothing. */
static void put_frac_trim(uint64_t v, int width)
{
    if (v == 0)
        return;
    while (v % 10 == 0) {
        v /= 10;
        width--;
    }
    put_ch('.');
    put_fixed(v, width);
}

/* Go time.Duration.String(): 812ns, 88.251µs, 40.123508ms, 2.244712427s, 1m51.900179248s,
 * 2h0m3.5s. Zero is "0s" (Distribution omits the field then; the caller never passes 0). */
static void put_go_duration(uint64_t ns)
{
    if (ns < 1000) {
        put_u64(ns);
        PUT_LIT("ns");
    } else if (ns < 1000000) {
        put_u64(ns / 1000);
        put_frac_trim(ns % 1000, 3);
        PUT_LIT("\xc2\xb5s");
    } else if (ns < (uint64_t)NS_PER_SEC) {
        put_u64(ns / 1000000);
        put_frac_trim(ns % 1000000, 6);
        PUT_LIT("ms");
    } else {
        const uint64_t s = ns / (uint64_t)NS_PER_SEC, frac = ns % (uint64_t)NS_PER_SEC;
        if (s >= 3600) {
            put_u64(s / 3600);
            put_ch('h');
        }
        if (s >= 60) {
            put_u64((s / 60) % 60);
            put_ch('m');
        }
        put_u64(s % 60);
        put_frac_trim(frac, 9);
        put_ch('s');
    }
}

/* MARK: - Time stamps */

/* Stamp zones: each instance writes its times in one of these (Go's RFC3339Nano: `Z` or ±hh:mm). */
typedef struct stamp_zone {
    int offset_min;
    bool z; /* write `Z` (offset 0 only) */
    /* Cache of "YYYY-MM-DDTHH:MM:" for the minute last formatted. */
    int64_t cached_min;
    char prefix[20];
    char suffix[16];
    int suffix_len;
} stamp_zone;

static void stamp_prefix_refresh(stamp_zone *z, int64_t utc_min)
{
    const int64_t local = utc_min + z->offset_min;
    const int64_t days = floor_div(local, 1440);
    const int mod = (int)(local - days * 1440);
    int64_t y;
    int mo, d;
    civil_from_days(days, &y, &mo, &d);
    char *save = g_w;
    g_w = z->prefix;
    put_fixed((uint64_t)y, 4);
    put_ch('-');
    put_2d((unsigned)mo);
    put_ch('-');
    put_2d((unsigned)d);
    put_ch('T');
    put_2d((unsigned)(mod / 60));
    put_ch(':');
    put_2d((unsigned)(mod % 60));
    put_ch(':');
    g_w = save;
    z->cached_min = utc_min;
}

/* RFC3339Nano: fraction with trailing zeros dropped (0 to 9 digits). */
static void put_stamp(stamp_zone *z, int64_t t_ns)
{
    const int64_t m = floor_div(t_ns, NS_PER_MIN);
    if (m != z->cached_min)
        stamp_prefix_refresh(z, m);
    put_mem(z->prefix, 17);
    const int64_t in_min = t_ns - m * NS_PER_MIN;
    put_2d((unsigned)(in_min / NS_PER_SEC));
    put_frac_trim((uint64_t)(in_min % NS_PER_SEC), 9);
    put_mem(z->suffix, (size_t)z->suffix_len);
}

/* Apache combined `[18/Jan/2023:22:23:09 +0000]` (request start, whole seconds). */
static void put_clf_stamp(int64_t t_ns, int offset_min)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const int64_t local_s = floor_div(t_ns, NS_PER_SEC) + (int64_t)offset_min * 60;
    const int64_t days = floor_div(local_s, 86400);
    const int64_t sod = local_s - days * 86400;
    int64_t y;
    int mo, d;
    civil_from_days(days, &y, &mo, &d);
    put_ch('[');
    put_2d((unsigned)d);
    put_ch('/');
    put_mem(months + 3 * (mo - 1), 3);
    put_ch('/');
    put_fixed((uint64_t)y, 4);
    put_ch(':');
    put_2d((unsigned)(sod / 3600));
    put_ch(':');
    put_2d((unsigned)(sod / 60 % 60));
    put_ch(':');
    put_2d((unsigned)(sod % 60));
    put_ch(' ');
    put_ch(offset_min < 0 ? '-' : '+');
    const int a = offset_min < 0 ? -offset_min : offset_min;
    put_2d((unsigned)(a / 60));
    put_2d((unsigned)(a % 60));
    put_ch(']');
}

/* MARK: - Vocabulary */

static const char *const k_repos[] = {
    "library/nginx", "library/redis", "library/postgres", "library/alpine", "library/ubuntu",
    "team-a/backend/api", "team-a/backend/worker", "team-a/frontend/web", "team-b/data/etl-job",
    "team-b/data/spark-3.5", "platform/ingress-controller", "platform/cert-manager/webhook",
    "ml/models/bert-base", "ml/serving/triton", "ci/cache/buildkit", "ci/runners/gitlab-runner",
    "mirror/docker.io/library/busybox", "mirror/quay.io/prometheus/node-exporter",
    "prod/blobs/storage-proxy",     /* a component named blobs */
    "qa/manifests/renderer",        /* a component named manifests */
    "infra/uploads/blobs/uploader", /* uploads and blobs as components */
    "sandbox/tags/list-service",    /* tags as a component */
    "edge/app", "payments/ledger-service", "search/indexer__v2", "iot/gateway.arm64",
};

static const char *const k_tags[] = {
    "latest", "v1.2.3", "1.25-alpine", "sha-3f2a1b9", "2024.02.29", "stable", "v0.9.0-rc.1",
    "main", "build_8812", "3.19",
};

/* User agents as they appear inside the JSON text (already escaped). `\\(linux\\)` is the
 * docker client's UpstreamClient suffix, `\"` a quoted UA comment. */
static const char *const k_agents[] = {
    "docker/24.0.7 go/go1.20.10 git-commit/311b9ff kernel/5.15.0-91-generic os/linux arch/amd64 "
    "UpstreamClient(Docker-Client/24.0.7 \\\\(linux\\\\))",
    "containerd/v1.7.11",
    "containerd/v1.6.26-k3s1",
    "go-containerregistry/v0.17.0",
    "skopeo/1.13.3",
    "buildkit/v0.12.4",
    "cri-o/1.28.2 go/go1.20.10 os/linux arch/arm64",
    "docker/20.10.21 go/go1.18.7 git-commit/3056208 kernel/5.10.0-26-cloud-amd64 os/linux "
    "arch/amd64 UpstreamClient(Docker-Client/20.10.21 \\\\(linux\\\\))",
    "Go-http-client/1.1",
    "kaniko/v1.19.2 \\\"executor\\\" (linux; amd64)",
    "crane/v0.17.0 go-containerregistry/v0.17.0",
    "helm/v3.13.3",
};

static const char *const k_users[] = {
    "ci-bot", "deploy", "alice", "bob@example.com", "robot$team-a+puller", "svc-argocd",
};

/* Error details of failed requests: JSON value text (a string or a nested object). */
static const char *const k_5xx_details[] = {
    "{\"DriverName\":\"oss\",\"Enclosed\":{\"Code\":\"ServiceUnavailable\",\"Message\":"
    "\"Please reduce your request rate.\",\"StatusCode\":503}}",
    "\"oss: RequestError: send request failed\\ncaused by: Put \\\"https://bucket.oss-cn-"
    "hangzhou-internal.aliyuncs.com/docker/registry/v2/blobs\\\": dial tcp 100.118.28.9:443: "
    "i/o timeout\"",
    "{\"Path\":\"/docker/registry/v2/repositories/_uploads/data\",\"DriverName\":\"s3aws\"}",
    "\"context deadline exceeded\"",
    "{\"reason\":{\"code\":\"UNAVAILABLE\",\"detail\":{\"retry\":[1,2,4],\"msg\":\"backend "
    "{down}\"}}}",
};

/* MARK: - Instances, hosts, outages */

typedef struct instance {
    char id[16];            /* cri-xxxxxxxx */
    char host_pub[64];      /* cri-xxxxxxxx.registry.example.com */
    char host_pub_mixed[64];/* CRI-XXXXXXXX.Registry.Example.com */
    char host_vpc[72];      /* cri-xxxxxxxx-vpc.registry.example.com:443 */
    char host_vpc_mixed[72];
    char instance_uuid[40]; /* instance.id field */
    uint8_t v3;             /* registry 3.x: no HTML escaping, version string */
    uint8_t has_service;    /* "service":"registry" static field */
    uint8_t vpc_permille;   /* share of requests on the VPC host */
    uint8_t stamp;          /* index into the stamp zones */
    uint64_t weight_cum;    /* cumulative traffic weight, for selection */
} instance;

enum { CL_PUSH = 1, CL_PULL = 2 };
enum { OK_FULL = 0, OK_PARTIAL, OK_NOTRAFFIC, OK_MIXED };
static const char *const k_kind_names[] = { "full", "partial", "notraffic", "mixed" };

typedef struct outage {
    uint32_t inst;
    int64_t start_min, end_min; /* [start, end), minutes since the epoch, UTC */
    int classes;                /* CL_PUSH | CL_PULL */
    int kind;
    uint64_t n_full, n_partial, n_notraffic; /* minutes of each mode actually drawn */
} outage;

/* Per-minute state of an instance under outage. */
enum { MODE_NONE = 0, MODE_FULL, MODE_PARTIAL };

typedef struct inst_minute {
    uint8_t notraffic;
    uint8_t push_mode, pull_mode;
} inst_minute;

/* MARK: - Ground truth */

/* A counted entity: an instance (hosts merged, as with an inventory) or one normalised host. */
typedef struct truth_ent {
    uint32_t m_push_valid, m_push_failed, m_pull_valid, m_pull_failed; /* this minute */
    uint8_t touched;
    uint64_t outcome_lines, requests, push_valid, push_failed, pull_valid, pull_failed;
    uint64_t excluded, other;
    uint64_t bad_month[3]; /* previous, this, next month of the zone */
    int64_t *runs;         /* pairs [start, end) of bad minutes */
    size_t n_runs, cap_runs;
} truth_ent;

typedef struct file_acc {
    char path[1024];
    uint64_t lines, outcomes, skipped, rejected, bytes;
} file_acc;

/* MARK: - Generator state */

typedef struct options {
    uint64_t seed;
    int64_t year;
    int month;
    uint32_t instances;
    uint64_t lines;
    uint32_t outages;
    const char *outage_spec;
    uint32_t files;
    int zstd_level;
    int zstd_workers;
    uint64_t zstd_frame_mb;
    const char *out;
    const char *truth;
    const char *inventory;
    unsigned noise_permille;
    int zone_offset;
    int64_t spill_min;
    unsigned sporadic_ppm;
    unsigned repeat_permille;
    const char *stamp_zones;
    bool no_vpc;
} options;

typedef struct event {
    int64_t t;
    uint32_t inst;
    uint8_t type;   /* EV_REQ or a noise kind */
    uint8_t ep;     /* endpoint */
    uint8_t host;   /* 0 public, 1 vpc, +2 mixed case */
    uint8_t repeat; /* lines for this event (error repeats) */
    uint16_t status;
} event;

enum {
    EV_REQ = 0,
    NZ_AUTHORIZED,
    NZ_AUTH_WARN,
    NZ_TRACE,
    NZ_BANNER,
    NZ_COMBINED,
    NZ_TEXT,
    NZ_TRUNCATED,
    NZ_BLANK,
};

enum {
    EP_PING, EP_CATALOG, EP_TAGS, EP_GET_MAN, EP_HEAD_MAN, EP_GET_BLOB, EP_HEAD_BLOB,
    EP_POST_UP, EP_PATCH_UP, EP_PUT_UP, EP_PUT_MAN, EP_GET_UP, EP_DEL_MAN, EP_REFERRERS,
    EP_COUNT
};

/* Endpoint mix in per mille of requests, and the class each endpoint belongs to (SLA-SPEC §3). */
static const unsigned k_ep_weight[EP_COUNT] = { 110, 8, 30, 110, 130, 260, 140, 55, 55, 55, 25, 10, 5, 7 };
static const int k_ep_class[EP_COUNT] = { 0, 0, 0, CL_PULL, CL_PULL, CL_PULL, CL_PULL,
                                          CL_PUSH, CL_PUSH, CL_PUSH, CL_PUSH, CL_PUSH, 0, 0 };
static const char *const k_ep_method[EP_COUNT] = { "GET", "GET", "GET", "GET", "HEAD", "GET", "HEAD",
                                                    "POST", "PATCH", "PUT", "PUT", "GET", "DELETE", "GET" };
static const int k_push_eps[] = { EP_POST_UP, EP_PATCH_UP, EP_PUT_UP, EP_PUT_MAN };
static const int k_pull_eps[] = { EP_GET_MAN, EP_HEAD_MAN, EP_GET_BLOB, EP_HEAD_BLOB };

static options opt;
static instance *g_inst;
static uint32_t g_n_inst;
static stamp_zone g_zones[8];
static int g_n_zones;
static outage *g_out;
static size_t g_n_out;
static inst_minute *g_im;      /* per instance, this minute */
static uint32_t *g_im_touched; /* instances with a non-default g_im */
static size_t g_n_im_touched;
static truth_ent *g_ent;       /* [0, n) instances, [n, 3n) hosts: n + 2i public, n + 2i + 1 vpc */
static uint32_t *g_ent_touched;
static size_t g_n_ent_touched;
static int64_t g_month_bounds[4]; /* minute starts of previous, this, next month, and the one after */
static file_acc *g_files;
static uint32_t g_cur_file;
static uint64_t g_total_lines;
static uint64_t g_next_switch;

/* MARK: - Sinks: plain file or zstd stream */

static FILE *g_fp;
static ZSTD_CCtx *g_zc;
static char *g_zout;
static size_t g_zout_cap;
static uint64_t g_frame_in; /* bytes fed into the current zstd frame */

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "regsla-gen: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    exit(1);
}

static void write_all(const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, g_fp) != n)
        die("write failed", strerror(errno));
}

static void zstd_push(const char *p, size_t n, ZSTD_EndDirective mode)
{
    ZSTD_inBuffer in = { p, n, 0 };
    for (;;) {
        ZSTD_outBuffer out = { g_zout, g_zout_cap, 0 };
        const size_t r = ZSTD_compressStream2(g_zc, &out, &in, mode);
        if (ZSTD_isError(r))
            die("zstd", ZSTD_getErrorName(r));
        write_all(g_zout, out.pos);
        if (mode == ZSTD_e_continue ? in.pos == in.size : r == 0)
            break;
    }
}

static void flush_buf(void)
{
    const size_t n = (size_t)(g_w - g_buf);
    if (n == 0)
        return;
    g_files[g_cur_file].bytes += n;
    if (g_zc) {
        const uint64_t frame_cap = opt.zstd_frame_mb << 20;
        if (frame_cap && g_frame_in + n >= frame_cap) {
            zstd_push(g_buf, n, ZSTD_e_end); /* independent frames, for parallel decoding */
            g_frame_in = 0;
        } else {
            zstd_push(g_buf, n, ZSTD_e_continue);
            g_frame_in += n;
        }
    } else {
        write_all(g_buf, n);
    }
    g_w = g_buf;
}

static void sink_open(uint32_t k)
{
    file_acc *f = &g_files[k];
    if (strcmp(f->path, "-") == 0) {
        g_fp = stdout;
    } else {
        g_fp = fopen(f->path, "wb");
        if (!g_fp)
            die("cannot open output", f->path);
    }
    setvbuf(g_fp, NULL, _IOFBF, 1 << 20);
    if (opt.zstd_level > 0) {
        if (!g_zc) {
            g_zc = ZSTD_createCCtx();
            g_zout_cap = ZSTD_CStreamOutSize();
            g_zout = malloc(g_zout_cap);
            if (!g_zc || !g_zout)
                die("out of memory", NULL);
        }
        ZSTD_CCtx_reset(g_zc, ZSTD_reset_session_and_parameters);
        ZSTD_CCtx_setParameter(g_zc, ZSTD_c_compressionLevel, opt.zstd_level);
        ZSTD_CCtx_setParameter(g_zc, ZSTD_c_checksumFlag, 1);
        if (opt.zstd_workers > 0 &&
            ZSTD_isError(ZSTD_CCtx_setParameter(g_zc, ZSTD_c_nbWorkers, opt.zstd_workers)))
            die("this libzstd has no multithreading (--zstd-threads)", NULL);
        g_frame_in = 0;
    }
}

static void sink_close(void)
{
    flush_buf();
    if (g_zc)
        zstd_push(NULL, 0, ZSTD_e_end);
    if (g_fp == stdout) {
        fflush(g_fp);
    } else if (fclose(g_fp) != 0) {
        die("close failed", strerror(errno));
    }
    g_fp = NULL;
}

/* Called after each event: rotate to the next file at the line thresholds. */
static void maybe_rotate(void)
{
    if ((size_t)(g_w - g_buf) > RSLA_GEN_FLUSH)
        flush_buf();
    if (g_cur_file + 1 < opt.files && g_total_lines >= g_next_switch) {
        sink_close();
        g_cur_file++;
        g_next_switch = opt.lines * (g_cur_file + 1) / opt.files;
        sink_open(g_cur_file);
    }
}

/* MARK: - Truth bookkeeping */

static void ent_touch(uint32_t e)
{
    if (!g_ent[e].touched) {
        g_ent[e].touched = 1;
        g_ent_touched[g_n_ent_touched++] = e;
    }
}

/* One request (after dedupe) of instance i on host h (0 public, 1 vpc) in the current minute. */
static void truth_request(uint32_t i, int h, int cls, unsigned status, unsigned lines)
{
    const uint32_t es[2] = { i, g_n_inst + 2 * i + (uint32_t)h };
    const bool failed = status >= 500 || status == 0;
    for (int k = 0; k < 2; k++) {
        truth_ent *e = &g_ent[es[k]];
        e->outcome_lines += lines;
        e->requests++;
        if (status == 429) {
            e->excluded++;
        } else if (cls == CL_PUSH) {
            e->push_valid++;
            e->push_failed += failed;
            e->m_push_valid++;
            e->m_push_failed += failed;
            ent_touch(es[k]);
        } else if (cls == CL_PULL) {
            e->pull_valid++;
            e->pull_failed += failed;
            e->m_pull_valid++;
            e->m_pull_failed += failed;
            ent_touch(es[k]);
        } else {
            e->other++;
        }
    }
}

static int month_bucket(int64_t m)
{
    for (int b = 0; b < 3; b++)
        if (m >= g_month_bounds[b] && m < g_month_bounds[b + 1])
            return b;
    return -1;
}

/* Closes minute m: the acr-ee rule (either class: valid >= 1 and failed == valid). */
static void truth_close_minute(int64_t m)
{
    for (size_t k = 0; k < g_n_ent_touched; k++) {
        truth_ent *e = &g_ent[g_ent_touched[k]];
        const bool bad = (e->m_push_valid > 0 && e->m_push_failed == e->m_push_valid) ||
                         (e->m_pull_valid > 0 && e->m_pull_failed == e->m_pull_valid);
        if (bad) {
            if (e->n_runs > 0 && e->runs[2 * e->n_runs - 1] == m) {
                e->runs[2 * e->n_runs - 1] = m + 1;
            } else {
                if (e->n_runs == e->cap_runs) {
                    e->cap_runs = e->cap_runs ? 2 * e->cap_runs : 8;
                    e->runs = realloc(e->runs, 2 * e->cap_runs * sizeof *e->runs);
                    if (!e->runs)
                        die("out of memory", NULL);
                }
                e->runs[2 * e->n_runs] = m;
                e->runs[2 * e->n_runs + 1] = m + 1;
                e->n_runs++;
            }
            const int b = month_bucket(m);
            if (b >= 0)
                e->bad_month[b]++;
        }
        e->m_push_valid = e->m_push_failed = e->m_pull_valid = e->m_pull_failed = 0;
        e->touched = 0;
    }
    g_n_ent_touched = 0;
}

/* MARK: - Line writers */

static const char *host_text(const instance *in, int host)
{
    switch (host) {
    case 0: return in->host_pub;
    case 1: return in->host_vpc;
    case 2: return in->host_pub_mixed;
    default: return in->host_vpc_mixed;
    }
}

static void put_amp(const instance *in)
{
    if (in->v3)
        put_ch('&');
    else
        PUT_LIT("\\u0026"); /* v2.x logrus escapes HTML */
}

static void put_remoteaddr(void)
{
    const uint64_t r = rng_next();
    switch (r % 8) {
    case 0:
        PUT_LIT("[fc00:f853:ccd:e793::");
        put_u64((r >> 8) % 4096);
        PUT_LIT("]:");
        put_u64(32768 + (r >> 20) % 28000);
        break;
    case 1:
    case 2:
        PUT_LIT("203.0.113.");
        put_u64((r >> 8) % 255);
        break;
    default:
        PUT_LIT("10.");
        put_u64((r >> 8) % 256);
        put_ch('.');
        put_u64((r >> 16) % 256);
        put_ch('.');
        put_u64((r >> 24) % 254 + 1);
        put_ch(':');
        put_u64(32768 + (r >> 32) % 28000);
        break;
    }
}

/* The `/v2/...` request URI of an endpoint (JSON-escaped as the instance's logrus writes it).
 * `vars` receives what the route variables are (for the vars.* keys). */
typedef struct route_vars {
    const char *name;
    char ref[80];
    char digest[80];
    char uuid[40];
} route_vars;

static void put_digest_into(char *dst)
{
    char *save = g_w;
    g_w = dst;
    PUT_LIT("sha256:");
    put_hex_rand(64);
    *g_w = 0;
    g_w = save;
}

static void put_uri(const instance *in, int ep, route_vars *v)
{
    v->name = k_repos[rng_below(RSLA_ARRAY_LEN_REPOS)];
    v->ref[0] = v->digest[0] = v->uuid[0] = 0;
    switch (ep) {
    case EP_PING:
        PUT_LIT("/v2/");
        v->name = NULL;
        return;
    case EP_CATALOG:
        PUT_LIT("/v2/_catalog?n=100");
        if (rng_permille(300)) {
            put_amp(in);
            PUT_LIT("last=");
            put_str(k_repos[rng_below(RSLA_ARRAY_LEN_REPOS)]);
        }
        v->name = NULL;
        return;
    default:
        break;
    }
    PUT_LIT("/v2/");
    put_str(v->name);
    switch (ep) {
    case EP_TAGS:
        PUT_LIT("/tags/list");
        if (rng_permille(400)) {
            PUT_LIT("?n=50");
            put_amp(in);
            PUT_LIT("last=");
            put_str(k_tags[rng_below(10)]);
        }
        break;
    case EP_GET_MAN:
    case EP_HEAD_MAN:
    case EP_PUT_MAN:
    case EP_DEL_MAN:
        PUT_LIT("/manifests/");
        if (ep == EP_DEL_MAN || rng_permille(300)) {
            put_digest_into(v->ref);
        } else {
            strcpy(v->ref, k_tags[rng_below(10)]);
        }
        put_str(v->ref);
        break;
    case EP_GET_BLOB:
    case EP_HEAD_BLOB:
        PUT_LIT("/blobs/");
        put_digest_into(v->digest);
        put_str(v->digest);
        break;
    case EP_REFERRERS:
        PUT_LIT("/referrers/");
        put_digest_into(v->digest);
        put_str(v->digest);
        if (rng_permille(300)) {
            PUT_LIT("?artifactType=application%2Fvnd.example.sbom");
        }
        break;
    case EP_POST_UP:
        PUT_LIT("/blobs/uploads/");
        if (rng_permille(150)) {
            put_digest_into(v->digest);
            PUT_LIT("?mount=");
            put_str(v->digest);
            put_amp(in);
            PUT_LIT("from=");
            put_str(k_repos[rng_below(RSLA_ARRAY_LEN_REPOS)]);
            v->digest[0] = 0;
        }
        break;
    case EP_PATCH_UP:
    case EP_PUT_UP:
    case EP_GET_UP: {
        PUT_LIT("/blobs/uploads/");
        char *save = g_w;
        put_uuid_rand();
        memcpy(v->uuid, save, 36);
        v->uuid[36] = 0;
        if (ep != EP_GET_UP) {
            PUT_LIT("?_state=");
            put_b64_rand(60 + (int)rng_below(120));
            PUT_LIT("%3D%3D");
        }
        if (ep == EP_PUT_UP) {
            put_amp(in);
            PUT_LIT("digest=sha256%3A");
            put_hex_rand(64);
        }
        break;
    }
    default:
        break;
    }
}

/* Key/value helpers: `"key":"` ... `",`. */
#define KV_STR(key, val) (PUT_LIT("\"" key "\":\""), put_str(val), PUT_LIT("\","))
#define K_STR_OPEN(key) PUT_LIT("\"" key "\":\"")

static void put_common_tail(const instance *in, int64_t t, const char *level, const char *msg,
                            const route_vars *v)
{
    PUT_LIT("\"instance.id\":\"");
    put_mem(in->instance_uuid, 36);
    PUT_LIT("\",\"level\":\"");
    put_str(level);
    PUT_LIT("\",\"msg\":\"");
    put_str(msg);
    PUT_LIT("\",");
    if (in->has_service)
        PUT_LIT("\"service\":\"registry\",");
    PUT_LIT("\"time\":\"");
    put_stamp(&g_zones[in->stamp], t);
    PUT_LIT("\",");
    if (v) {
        if (v->digest[0])
            KV_STR("vars.digest", v->digest);
        if (v->name)
            KV_STR("vars.name", v->name);
        if (v->ref[0])
            KV_STR("vars.reference", v->ref);
        if (v->uuid[0])
            KV_STR("vars.uuid", v->uuid);
    }
    if (in->v3)
        PUT_LIT("\"version\":\"3.0.0\"}\n");
    else
        PUT_LIT("\"version\":\"v2.8.3\"}\n");
}

static uint64_t draw_duration(int ep, unsigned status)
{
    const uint64_t r = rng_next();
    if (ep == EP_PING || ep == EP_HEAD_BLOB || ep == EP_HEAD_MAN) {
        if (r % 4 == 0)
            return 30000 + (r >> 8) % 970000; /* µs range */
        return 1000000 + (r >> 8) % 60000000;
    }
    if (status >= 500 && r % 3 == 0)
        return 30 * (uint64_t)NS_PER_SEC + (r >> 8) % (90 * (uint64_t)NS_PER_SEC); /* timeouts */
    if (ep == EP_GET_BLOB && status == 200 && r % 20 == 0)
        return (uint64_t)NS_PER_SEC + (r >> 8) % (180 * (uint64_t)NS_PER_SEC); /* 1m51.9s */
    if (ep == EP_PATCH_UP && r % 4 == 0)
        return (uint64_t)NS_PER_SEC + (r >> 8) % (20 * (uint64_t)NS_PER_SEC);
    if (r % 400 == 0)
        return 1 + (r >> 8) % 999; /* ns, rare */
    return 2000000 + (r >> 8) % 400000000;
}

/* One `response completed` or `response completed with error` line. */
static void write_response_line(const event *e, const char *rid, const route_vars *v,
                                const char *uri, size_t uri_len, int err_index)
{
    const instance *in = &g_inst[e->inst];
    const bool is_err = e->status >= 400;
    put_ch('{');
    if (rng_permille(650)) {
        PUT_LIT("\"auth.user.name\":\"");
        put_str(k_users[e->inst % RSLA_ARRAY_LEN(k_users)]);
        PUT_LIT("\",");
    }
    if (is_err) {
        const char *code, *message, *detail;
        char detail_buf[256];
        if (e->status == 429) {
            code = "toomanyrequests";
            message = "too many requests";
            detail = "\"rate limit exceeded for repository\"";
        } else if (e->status >= 500) {
            code = err_index == 1 ? "blob upload unknown" : "unknown";
            message = err_index == 1 ? "blob upload unknown to registry" : "unknown error";
            detail = k_5xx_details[(e->inst + (unsigned)err_index) % RSLA_ARRAY_LEN(k_5xx_details)];
        } else if (e->ep == EP_GET_MAN || e->ep == EP_HEAD_MAN) {
            code = "manifest unknown";
            message = "manifest unknown";
            snprintf(detail_buf, sizeof detail_buf, "{\"Tag\":\"%s\",\"Name\":\"%s\"}",
                     v->ref[0] ? v->ref : "latest", v->name ? v->name : "x");
            detail = detail_buf;
        } else {
            code = "blob unknown";
            message = "blob unknown to registry";
            snprintf(detail_buf, sizeof detail_buf, "\"%s\"", v->digest[0] ? v->digest : "sha256:0");
            detail = detail_buf;
        }
        PUT_LIT("\"err.code\":\"");
        put_str(code);
        PUT_LIT("\",\"err.detail\":");
        put_str(detail);
        PUT_LIT(",\"err.message\":\"");
        put_str(message);
        PUT_LIT("\",");
    }
    PUT_LIT("\"go.version\":\"");
    put_str(in->v3 ? "go1.21.5" : "go1.20.8");
    PUT_LIT("\",");
    if (e->ep == EP_PUT_MAN)
        PUT_LIT("\"http.request.contenttype\":\"application/vnd.oci.image.manifest.v1+json\",");
    else if (e->ep == EP_PATCH_UP)
        PUT_LIT("\"http.request.contenttype\":\"application/octet-stream\",");
    PUT_LIT("\"http.request.host\":\"");
    put_str(host_text(in, e->host));
    PUT_LIT("\",\"http.request.id\":\"");
    put_mem(rid, 36);
    PUT_LIT("\",\"http.request.method\":\"");
    put_str(k_ep_method[e->ep]);
    PUT_LIT("\",\"http.request.remoteaddr\":\"");
    put_remoteaddr();
    PUT_LIT("\",\"http.request.uri\":\"");
    put_mem(uri, uri_len);
    PUT_LIT("\",\"http.request.useragent\":\"");
    put_str(k_agents[(e->inst * 7u + (unsigned)(rid[0] & 3)) % RSLA_ARRAY_LEN(k_agents)]);
    PUT_LIT("\",");
    if (!is_err && (e->ep == EP_GET_MAN || e->ep == EP_HEAD_MAN))
        PUT_LIT("\"http.response.contenttype\":\"application/vnd.oci.image.manifest.v1+json\",");
    else if (!is_err && (e->ep == EP_GET_BLOB || e->ep == EP_HEAD_BLOB))
        PUT_LIT("\"http.response.contenttype\":\"application/octet-stream\",");
    else if (e->ep == EP_PING || e->ep == EP_CATALOG || e->ep == EP_TAGS || is_err)
        PUT_LIT("\"http.response.contenttype\":\"application/json; charset=utf-8\",");
    PUT_LIT("\"http.response.duration\":\"");
    put_go_duration(draw_duration(e->ep, e->status));
    PUT_LIT("\",\"http.response.status\":");
    put_u64(e->status);
    PUT_LIT(",\"http.response.written\":");
    if (e->ep == EP_GET_BLOB && e->status < 300)
        put_u64(rng_below(80u << 20));
    else if (e->ep == EP_PING)
        put_ch('2');
    else if (e->status == 201 || e->status == 202 || e->status == 307 || e->ep == EP_HEAD_BLOB ||
             e->ep == EP_HEAD_MAN)
        put_ch('0');
    else
        put_u64(70 + rng_below(4000));
    put_ch(',');
    put_common_tail(in, e->t + (err_index == 0 ? 0 : (int64_t)(err_index * 2000 + rng_below(40000))),
                    is_err ? "error" : "info",
                    is_err ? "response completed with error" : "response completed", NULL);
}

/* Draws the request URI of event e into uri[] (JSON text as written) and its route vars. */
static size_t draw_uri(const event *e, route_vars *v, char *uri)
{
    char *save = g_w;
    g_w = uri;
    put_uri(&g_inst[e->inst], e->ep, v);
    const size_t n = (size_t)(g_w - uri);
    g_w = save;
    return n;
}

/* Noise lines of one instance (or of none). Returns what the line counts as: 0 skipped,
 * 1 rejected. */
static int write_noise(const event *e)
{
    const instance *in = &g_inst[e->inst];
    route_vars v;
    switch (e->type) {
    case NZ_AUTHORIZED:
    case NZ_AUTH_WARN: {
        const int ep = (int)e->ep;
        put_ch('{');
        if (e->type == NZ_AUTHORIZED && rng_permille(800)) {
            PUT_LIT("\"auth.user.name\":\"");
            put_str(k_users[e->inst % RSLA_ARRAY_LEN(k_users)]);
            PUT_LIT("\",");
        }
        if (e->type == NZ_AUTH_WARN)
            PUT_LIT("\"err.code\":\"unauthorized\",\"err.message\":\"authentication required\",");
        PUT_LIT("\"go.version\":\"go1.20.8\",\"http.request.host\":\"");
        put_str(host_text(in, e->host));
        PUT_LIT("\",\"http.request.id\":\"");
        put_uuid_rand();
        PUT_LIT("\",\"http.request.method\":\"");
        put_str(k_ep_method[ep]);
        PUT_LIT("\",\"http.request.remoteaddr\":\"");
        put_remoteaddr();
        PUT_LIT("\",\"http.request.uri\":\"");
        put_uri(in, ep, &v);
        PUT_LIT("\",\"http.request.useragent\":\"");
        put_str(k_agents[rng_below(RSLA_ARRAY_LEN(k_agents))]);
        PUT_LIT("\",");
        put_common_tail(in, e->t, e->type == NZ_AUTH_WARN ? "warning" : "info",
                        e->type == NZ_AUTH_WARN ? "error authorizing context: authorization token required"
                                                : "authorized request",
                        &v);
        return 0;
    }
    case NZ_TRACE:
        PUT_LIT("{\"go.version\":\"go1.20.8\",\"http.request.host\":\"");
        put_str(host_text(in, e->host));
        PUT_LIT("\",\"http.request.id\":\"");
        put_uuid_rand();
        PUT_LIT("\",\"http.request.method\":\"GET\",\"http.request.uri\":\"/v2/");
        put_str(k_repos[rng_below(RSLA_ARRAY_LEN_REPOS)]);
        PUT_LIT("/manifests/latest\",\"instance.id\":\"");
        put_mem(in->instance_uuid, 36);
        PUT_LIT("\",\"level\":\"debug\",\"msg\":\"s3aws.GetContent(\\\"/docker/registry/v2/"
                "repositories/library/nginx/_manifests/tags/latest/current/link\\\")\","
                "\"time\":\"");
        put_stamp(&g_zones[in->stamp], e->t);
        PUT_LIT("\",\"trace.duration\":\"");
        put_go_duration(draw_duration(EP_HEAD_MAN, 200));
        PUT_LIT("\",\"trace.file\":\"github.com/distribution/distribution/v3/registry/storage/"
                "driver/base/base.go\",\"trace.func\":\"github.com/distribution/distribution/v3/"
                "registry/storage/driver/base.(*Base).GetContent\",\"trace.id\":\"");
        put_uuid_rand();
        PUT_LIT("\",\"trace.line\":95,\"version\":\"3.0.0\"}\n");
        return 0;
    case NZ_BANNER: {
        static const char *const msgs[] = {
            "redis not configured",
            "using inmemory blob descriptor cache",
            "Starting upload purge in 29m0s",
            "listening on [::]:5000, tls",
            "No HTTP secret provided - generated random secret. This may cause problems with "
            "uploads if multiple registries are behind a load-balancer. To provide a shared secret, "
            "fill in http.secret in the configuration file or set the REGISTRY_HTTP_SECRET "
            "environment variable.",
            "PurgeUploads starting: olderThan=2024-02-22 08:00:00.000000001 +0000 UTC, actuallyDelete=true",
        };
        PUT_LIT("{\"go.version\":\"go1.21.5\",\"instance.id\":\"");
        put_mem(in->instance_uuid, 36);
        PUT_LIT("\",\"level\":\"info\",\"msg\":\"");
        put_str(msgs[rng_below(RSLA_ARRAY_LEN(msgs))]);
        PUT_LIT("\",\"service\":\"registry\",\"time\":\"");
        put_stamp(&g_zones[in->stamp], e->t);
        PUT_LIT("\",\"version\":\"3.0.0\"}\n");
        return 0;
    }
    case NZ_COMBINED: {
        /* gorilla/handlers CombinedLoggingHandler on stdout: request start, whole seconds. */
        const bool ping401 = rng_permille(400);
        if (rng_permille(500))
            PUT_LIT("127.0.0.1");
        else
            put_remoteaddr();
        PUT_LIT(" - - ");
        put_clf_stamp(e->t - (int64_t)rng_below(2 * (uint64_t)NS_PER_SEC), g_zones[in->stamp].offset_min);
        PUT_LIT(" \"");
        if (ping401) {
            PUT_LIT("GET /v2/ HTTP/1.1\" 401 87 \"\" \"");
        } else {
            put_str(k_ep_method[e->ep]);
            put_ch(' ');
            char *u = g_w;
            put_uri(in, e->ep, &v);
            /* the combined log has raw '&' */
            for (char *p = u; p + 6 <= g_w; p++) {
                if (memcmp(p, "\\u0026", 6) == 0) {
                    *p = '&';
                    memmove(p + 1, p + 6, (size_t)(g_w - (p + 6)));
                    g_w -= 5;
                }
            }
            PUT_LIT(" HTTP/1.1\" 200 ");
            put_u64(rng_below(50000));
            PUT_LIT(" \"\" \"");
        }
        /* Backslashes in the UA are doubled here too, quotes stay escaped. */
        put_str(k_agents[rng_below(RSLA_ARRAY_LEN(k_agents))]);
        PUT_LIT("\"\n");
        return 0;
    }
    case NZ_TEXT:
        PUT_LIT("time=\"");
        put_stamp(&g_zones[in->stamp], e->t);
        PUT_LIT("\" level=info msg=\"response completed\" go.version=go1.16.15 http.request.host=\"");
        put_str(host_text(in, e->host));
        PUT_LIT("\" http.request.id=");
        put_uuid_rand();
        PUT_LIT(" http.request.method=HEAD http.request.uri=\"/v2/library/alpine/manifests/3.19\" "
                "http.response.duration=6.6ms http.response.status=200 http.response.written=0 \n");
        return 0;
    case NZ_TRUNCATED: {
        /* A JSON line cut short (a crashed writer, a shipper limit). Never valid JSON: the cut is
         * before the closing brace. It may split the two bytes of µ. */
        char *start = g_w;
        char rid[40];
        char *save = g_w;
        put_uuid_rand();
        memcpy(rid, save, 36);
        g_w = save;
        event f = *e;
        f.type = EV_REQ;
        f.status = 200;
        char uri[1024];
        const size_t ul = draw_uri(&f, &v, uri);
        write_response_line(&f, rid, &v, uri, ul, 0);
        const size_t len = (size_t)(g_w - start) - 2; /* without "}\n" */
        const size_t cut = 8 + rng_below(len - 8);
        g_w = start + cut;
        put_ch('\n');
        return 1;
    }
    case NZ_BLANK:
    default:
        put_ch('\n');
        return 0;
    }
}

/* MARK: - Event drawing */

static event *g_ev;
static size_t g_n_ev, g_cap_ev;

static event *ev_push(void)
{
    if (g_n_ev == g_cap_ev) {
        g_cap_ev = g_cap_ev ? 2 * g_cap_ev : 1024;
        g_ev = realloc(g_ev, g_cap_ev * sizeof *g_ev);
        if (!g_ev)
            die("out of memory", NULL);
    }
    return &g_ev[g_n_ev++];
}

/* An instant inside minute m; 2 % of stamps keep fewer fraction digits (0 to 8, as Go drops
 * trailing zeros). */
static int64_t draw_time(int64_t m)
{
    int64_t off = (int64_t)rng_below((uint64_t)NS_PER_MIN);
    if (rng_permille(20)) {
        static const int64_t p10[] = { 1000000000, 100000000, 10000000, 1000000, 100000,
                                       10000, 1000, 100, 10 };
        const int64_t q = p10[rng_below(9)];
        off -= off % q;
    }
    return m * NS_PER_MIN + off;
}

static uint32_t draw_instance(void)
{
    const uint64_t total = g_inst[g_n_inst - 1].weight_cum;
    const uint64_t r = rng_below(total);
    uint32_t lo = 0, hi = g_n_inst - 1;
    while (lo < hi) {
        const uint32_t mid = (lo + hi) / 2;
        if (g_inst[mid].weight_cum > r)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static int draw_endpoint(void)
{
    unsigned r = (unsigned)rng_below(1000);
    for (int ep = 0; ep < EP_COUNT; ep++) {
        if (r < k_ep_weight[ep])
            return ep;
        r -= k_ep_weight[ep];
    }
    return EP_GET_BLOB;
}

static unsigned draw_fail_status(void)
{
    const unsigned r = (unsigned)rng_below(100);
    return r < 50 ? 500 : r < 85 ? 503 : 502;
}

static unsigned draw_ok_status(int ep)
{
    const unsigned r = (unsigned)rng_below(1000);
    switch (ep) {
    case EP_GET_BLOB: return r < 550 ? 200 : r < 950 ? 307 : 206;
    case EP_HEAD_BLOB: return r < 600 ? 200 : 404;
    case EP_GET_MAN: return r < 970 ? 200 : 404;
    case EP_HEAD_MAN: return r < 950 ? 200 : 404;
    case EP_POST_UP: return r < 900 ? 202 : 201;
    case EP_PATCH_UP: return 202;
    case EP_PUT_UP:
    case EP_PUT_MAN: return 201;
    case EP_GET_UP: return 204;
    case EP_DEL_MAN: return 202;
    default: return 200;
    }
}

static int draw_host(const instance *in)
{
    int h = rng_below(1000) < in->vpc_permille ? 1 : 0;
    if (rng_permille(40))
        h += 2;
    return h;
}

/* Adds a request of instance i with endpoint ep and a final status; updates the truth. */
static void add_request(int64_t m, uint32_t i, int ep, unsigned status)
{
    event *e = ev_push();
    e->t = draw_time(m);
    e->inst = i;
    e->type = EV_REQ;
    e->ep = (uint8_t)ep;
    e->host = (uint8_t)draw_host(&g_inst[i]);
    e->status = (uint16_t)status;
    e->repeat = 1;
    if (status >= 400 && rng_permille(opt.repeat_permille))
        e->repeat = (uint8_t)(2 + rng_below(2));
    truth_request(i, e->host & 1, k_ep_class[ep], status, e->repeat);
}

/* Status of a normal request of instance i given the minute's outage state. */
static unsigned request_status(uint32_t i, int ep)
{
    const int cls = k_ep_class[ep];
    const inst_minute *im = &g_im[i];
    if (cls && rng_permille(RSLA_GEN_429_PERMILLE))
        return 429;
    int mode = MODE_NONE;
    if (cls == CL_PUSH)
        mode = im->push_mode;
    else if (cls == CL_PULL)
        mode = im->pull_mode;
    else if (im->push_mode == MODE_FULL || im->pull_mode == MODE_FULL)
        mode = MODE_PARTIAL; /* pings and catalog fail too, sometimes */
    if (mode == MODE_FULL || (mode == MODE_PARTIAL && rng_permille(500)))
        return draw_fail_status();
    if (cls && opt.sporadic_ppm && rng_below(1000000) < opt.sporadic_ppm)
        return draw_fail_status();
    return draw_ok_status(ep);
}

/* MARK: - Outages */

static int outage_cmp(const void *a, const void *b)
{
    const outage *x = a, *y = b;
    if (x->start_min != y->start_min)
        return x->start_min < y->start_min ? -1 : 1;
    return x->inst < y->inst ? -1 : x->inst > y->inst;
}

/* Parses RFC 3339 `YYYY-MM-DDTHH:MM[:SS]` followed by Z or ±hh:mm into a minute (seconds must be 0). */
static bool parse_minute(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec = 0, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5)
        return false;
    s += n;
    if (*s == ':') {
        if (sscanf(s, ":%2d%n", &sec, &n) != 1)
            return false;
        s += n;
    }
    if (sec != 0)
        return false;
    int off = 0;
    if (*s == 'Z' || *s == 'z') {
        s++;
    } else if (*s == '+' || *s == '-') {
        int oh, om;
        if (sscanf(s + 1, "%2d:%2d", &oh, &om) != 2)
            return false;
        off = (oh * 60 + om) * (*s == '-' ? -1 : 1);
        s += 6;
    } else {
        return false;
    }
    if (*s)
        return false;
    *out = days_from_civil(y, mo, d) * 1440 + h * 60 + mi - off;
    return true;
}

static void load_outage_spec(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot open outage spec", path);
    char line[512];
    size_t cap = 0;
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#' || *p == '\n' || *p == 0)
            continue;
        unsigned inst;
        char start[64], end[64], cls[16], kind[16];
        if (sscanf(p, "%u %63s %63s %15s %15s", &inst, start, end, cls, kind) != 5) {
            fprintf(stderr, "regsla-gen: %s:%d: expected `instance start end classes kind`\n", path, lineno);
            exit(1);
        }
        outage o = { 0 };
        o.inst = inst;
        if (inst >= g_n_inst || !parse_minute(start, &o.start_min) || !parse_minute(end, &o.end_min) ||
            o.end_min <= o.start_min) {
            fprintf(stderr, "regsla-gen: %s:%d: bad instance or times\n", path, lineno);
            exit(1);
        }
        o.classes = strcmp(cls, "push") == 0 ? CL_PUSH : strcmp(cls, "pull") == 0 ? CL_PULL
                  : strcmp(cls, "both") == 0 ? CL_PUSH | CL_PULL : 0;
        o.kind = -1;
        for (int k = 0; k < 4; k++)
            if (strcmp(kind, k_kind_names[k]) == 0)
                o.kind = k;
        if (!o.classes || o.kind < 0) {
            fprintf(stderr, "regsla-gen: %s:%d: classes push|pull|both, kind full|partial|notraffic|mixed\n",
                    path, lineno);
            exit(1);
        }
        if (g_n_out == cap) {
            cap = cap ? 2 * cap : 16;
            g_out = realloc(g_out, cap * sizeof *g_out);
            if (!g_out)
                die("out of memory", NULL);
        }
        g_out[g_n_out++] = o;
    }
    fclose(f);
}

static void draw_outages(int64_t span_start, int64_t span_end)
{
    g_out = calloc(opt.outages ? opt.outages : 1, sizeof *g_out);
    if (!g_out)
        die("out of memory", NULL);
    for (uint32_t k = 0; k < opt.outages; k++) {
        outage *o = &g_out[g_n_out++];
        o->inst = (uint32_t)rng_below(g_n_inst);
        /* lengths: mostly a few minutes, sometimes an hour or more */
        const uint64_t r = rng_below(100);
        const int64_t len = r < 60 ? 1 + (int64_t)rng_below(10) : r < 90 ? 10 + (int64_t)rng_below(50)
                                                                         : 60 + (int64_t)rng_below(240);
        const int64_t span = span_end - span_start;
        o->start_min = span_start + (int64_t)rng_below((uint64_t)(span > len ? span - len : 1));
        o->end_min = o->start_min + len;
        const uint64_t c = rng_below(3);
        o->classes = c == 0 ? CL_PUSH : c == 1 ? CL_PULL : CL_PUSH | CL_PULL;
        const uint64_t kd = rng_below(10);
        o->kind = kd < 5 ? OK_MIXED : kd < 8 ? OK_FULL : kd < 9 ? OK_PARTIAL : OK_NOTRAFFIC;
    }
}

/* MARK: - Instances */

static void make_instances(void)
{
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz234567";
    g_inst = calloc(g_n_inst, sizeof *g_inst);
    g_im = calloc(g_n_inst, sizeof *g_im);
    g_im_touched = calloc(g_n_inst, sizeof *g_im_touched);
    g_ent = calloc(3 * (size_t)g_n_inst, sizeof *g_ent);
    g_ent_touched = calloc(3 * (size_t)g_n_inst, sizeof *g_ent_touched);
    if (!g_inst || !g_im || !g_im_touched || !g_ent || !g_ent_touched)
        die("out of memory", NULL);
    const uint64_t mask = (UINT64_C(1) << 40) - 1;
    uint64_t cum = 0;
    for (uint32_t i = 0; i < g_n_inst; i++) {
        instance *in = &g_inst[i];
        /* A bijection of the 40-bit index: distinct instances get distinct ids. */
        uint64_t x = (i + opt.seed * 0x9e3779b97f4a7c15ULL) & mask;
        x = (x * 0x5deece66dULL) & mask;
        x ^= x >> 17;
        x = (x * 0xa3b195354a39bULL) & mask;
        x ^= x >> 13;
        memcpy(in->id, "cri-", 4);
        for (int k = 0; k < 8; k++)
            in->id[4 + k] = alpha[(x >> (5 * (7 - k))) & 31];
        in->id[12] = 0;
        snprintf(in->host_pub, sizeof in->host_pub, "%s.registry.example.com", in->id);
        snprintf(in->host_vpc, sizeof in->host_vpc, "%s-vpc.registry.example.com:443", in->id);
        snprintf(in->host_pub_mixed, sizeof in->host_pub_mixed, "CRI-%s.Registry.Example.com", in->id + 4);
        snprintf(in->host_vpc_mixed, sizeof in->host_vpc_mixed, "%s-VPC.REGISTRY.example.com:443", in->id);
        for (char *p = in->host_pub_mixed + 4; *p && *p != '.'; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 32);
        char *save = g_w;
        g_w = in->instance_uuid;
        put_uuid_rand();
        *g_w = 0;
        g_w = save;
        const uint64_t r = rng_next();
        in->v3 = (r & 3) == 0;
        in->has_service = ((r >> 2) & 1) != 0;
        in->vpc_permille = opt.no_vpc ? 0 : ((r >> 3) % 3 == 0 ? 0 : (uint8_t)(50 + (r >> 8) % 200));
        in->stamp = (uint8_t)(i % (uint32_t)g_n_zones);
        /* traffic weight: log-uniform over a factor of 256, so busy and quiet instances coexist */
        const uint64_t w = (UINT64_C(1) << ((r >> 16) % 9)) * (1024 + (r >> 24) % 1024);
        cum += w;
        in->weight_cum = cum;
    }
}

/* MARK: - Output of the truth and the inventory */

static void fput_utc_min(FILE *f, int64_t m)
{
    int64_t y;
    int mo, d;
    const int64_t days = floor_div(m, 1440);
    const int mod = (int)(m - days * 1440);
    civil_from_days(days, &y, &mo, &d);
    fprintf(f, "\"%04" PRId64 "-%02d-%02dT%02d:%02d:00Z\"", y, mo, d, mod / 60, mod % 60);
}

static void month_name(int b, char out[16])
{
    int64_t y = opt.year;
    int m = opt.month + (b - 1);
    if (m < 1) {
        m += 12;
        y--;
    } else if (m > 12) {
        m -= 12;
        y++;
    }
    snprintf(out, 16, "%04d-%02d", (int)(y % 10000), m % 100);
}

static void fput_ent(FILE *f, const truth_ent *e)
{
    fprintf(f, "\"outcome_lines\":%" PRIu64 ",\"requests\":%" PRIu64 ",\"push_valid\":%" PRIu64
               ",\"push_failed\":%" PRIu64 ",\"pull_valid\":%" PRIu64 ",\"pull_failed\":%" PRIu64
               ",\"excluded\":%" PRIu64 ",\"other\":%" PRIu64 ",\"bad_minutes\":{",
            e->outcome_lines, e->requests, e->push_valid, e->push_failed, e->pull_valid, e->pull_failed,
            e->excluded, e->other);
    bool first = true;
    for (int b = 0; b < 3; b++) {
        if (!e->bad_month[b] && b != 1)
            continue;
        char mn[16];
        month_name(b, mn);
        fprintf(f, "%s\"%s\":%" PRIu64, first ? "" : ",", mn, e->bad_month[b]);
        first = false;
    }
    fputs("},\"bad_ranges\":[", f);
    for (size_t r = 0; r < e->n_runs; r++) {
        fputs(r ? ",[" : "[", f);
        fput_utc_min(f, e->runs[2 * r]);
        fputc(',', f);
        fput_utc_min(f, e->runs[2 * r + 1]);
        fputc(']', f);
    }
    fputc(']', f);
}

static void write_truth(const char *path, int64_t span_start, int64_t span_end, int argc, char **argv)
{
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot open truth file", path);
    fputs("{\"format\":\"regsla-gen-truth/1\",\"command\":\"", f);
    for (int k = 0; k < argc; k++) {
        if (k)
            fputc(' ', f);
        for (const char *p = argv[k]; *p; p++) {
            if (*p == '"' || *p == '\\')
                fputc('\\', f);
            fputc(*p, f);
        }
    }
    char mn[16];
    month_name(1, mn);
    fprintf(f, "\",\n\"seed\":%" PRIu64 ",\"month\":\"%s\",\"zone_offset_minutes\":%d,\"span\":[",
            opt.seed, mn, opt.zone_offset);
    fput_utc_min(f, span_start);
    fputc(',', f);
    fput_utc_min(f, span_end);
    uint64_t t[4] = { 0 };
    for (uint32_t k = 0; k < opt.files; k++) {
        t[0] += g_files[k].lines;
        t[1] += g_files[k].outcomes;
        t[2] += g_files[k].skipped;
        t[3] += g_files[k].rejected;
    }
    fprintf(f, "],\n\"input\":{\"lines\":%" PRIu64 ",\"outcomes\":%" PRIu64 ",\"skipped\":%" PRIu64
               ",\"rejected\":%" PRIu64 "},\n\"files\":[",
            t[0], t[1], t[2], t[3]);
    for (uint32_t k = 0; k < opt.files; k++) {
        const file_acc *a = &g_files[k];
        fprintf(f, "%s\n {\"path\":\"%s\",\"bytes_uncompressed\":%" PRIu64 ",\"lines\":%" PRIu64
                   ",\"outcomes\":%" PRIu64 ",\"skipped\":%" PRIu64 ",\"rejected\":%" PRIu64 "}",
                k ? "," : "", a->path, a->bytes, a->lines, a->outcomes, a->skipped, a->rejected);
    }
    fputs("],\n\"outages\":[", f);
    for (size_t k = 0; k < g_n_out; k++) {
        const outage *o = &g_out[k];
        fprintf(f, "%s\n {\"instance\":\"%s\",\"start\":", k ? "," : "", g_inst[o->inst].id);
        fput_utc_min(f, o->start_min);
        fputs(",\"end\":", f);
        fput_utc_min(f, o->end_min);
        fprintf(f, ",\"classes\":\"%s\",\"kind\":\"%s\",\"minutes_full\":%" PRIu64
                   ",\"minutes_partial\":%" PRIu64 ",\"minutes_notraffic\":%" PRIu64 "}",
                o->classes == CL_PUSH ? "push" : o->classes == CL_PULL ? "pull" : "both",
                k_kind_names[o->kind], o->n_full, o->n_partial, o->n_notraffic);
    }
    fputs("],\n\"instances\":[", f);
    for (uint32_t i = 0; i < g_n_inst; i++) {
        const instance *in = &g_inst[i];
        char vpc[72];
        snprintf(vpc, sizeof vpc, "%s-vpc.registry.example.com", in->id);
        fprintf(f, "%s\n {\"instance\":\"%s\",\"hosts\":[\"%s\",\"%s\"],", i ? "," : "", in->id,
                in->host_pub, vpc);
        fput_ent(f, &g_ent[i]);
        fputc('}', f);
    }
    fputs("],\n\"hosts\":[", f);
    bool first = true;
    for (uint32_t i = 0; i < g_n_inst; i++) {
        for (int h = 0; h < 2; h++) {
            const truth_ent *e = &g_ent[g_n_inst + 2 * i + (uint32_t)h];
            if (e->requests == 0)
                continue;
            fprintf(f, "%s\n {\"host\":\"%s%s\",", first ? "" : ",", g_inst[i].id,
                    h ? "-vpc.registry.example.com" : ".registry.example.com");
            fput_ent(f, e);
            fputc('}', f);
            first = false;
        }
    }
    fputs("]}\n", f);
    if (fclose(f) != 0)
        die("cannot write truth file", path);
}

static void write_inventory(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot open inventory file", path);
    fputs("instance,hosts,created,deleted,monthly_fee,currency\n", f);
    for (uint32_t i = 0; i < g_n_inst; i++) {
        fprintf(f, "%s,%s.registry.example.com;%s-vpc.registry.example.com,,,%u.00,CNY\n", g_inst[i].id,
                g_inst[i].id, g_inst[i].id, 1580u + 1000u * (i % 3));
    }
    if (fclose(f) != 0)
        die("cannot write inventory file", path);
}

/* MARK: - Main loop */

static int ev_cmp(const void *a, const void *b)
{
    const event *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

/* Triangle-wave day profile in the stamp zone of the month: quiet at 04:00, busy at 16:00. */
static uint64_t minute_weight(int64_t m)
{
    const int64_t local = m + opt.zone_offset;
    const int64_t mod = local - floor_div(local, 1440) * 1440;
    const int64_t d = mod >= 240 ? mod - 240 : mod + 1200; /* minutes since 04:00 */
    const int64_t tri = d < 720 ? d : 1440 - d;           /* 0..720 */
    return (uint64_t)(1000 + tri * 2);
}

static void emit_minute(void)
{
    qsort(g_ev, g_n_ev, sizeof *g_ev, ev_cmp);
    char uri[1024];
    for (size_t k = 0; k < g_n_ev; k++) {
        const event *e = &g_ev[k];
        file_acc *fa = &g_files[g_cur_file];
        if (e->type == EV_REQ) {
            char rid[40];
            char *save = g_w;
            put_uuid_rand();
            memcpy(rid, save, 36);
            g_w = save;
            route_vars v;
            const size_t ul = draw_uri(e, &v, uri);
            for (int r = 0; r < e->repeat; r++)
                write_response_line(e, rid, &v, uri, ul, r);
            fa->lines += e->repeat;
            fa->outcomes += e->repeat;
            g_total_lines += e->repeat;
        } else {
            if (write_noise(e))
                fa->rejected++;
            else
                fa->skipped++;
            fa->lines++;
            g_total_lines++;
        }
        maybe_rotate();
    }
    g_n_ev = 0;
}

static void usage(void)
{
    fputs("usage: regsla-gen [options]\n"
          "  --seed N            PRNG seed (default 1); same options + seed = same bytes\n"
          "  --month YYYY-MM     calendar month to generate (default 2024-02)\n"
          "  --zone-offset Z     zone of the month, +hh:mm or minutes (default +00:00)\n"
          "  --spill-minutes N   also generate N minutes before and after the month (default 0)\n"
          "  --instances N       registry instances (default 50)\n"
          "  --lines N           total lines, all files together (default 100000)\n"
          "  --outages N         random outages (default 0), or\n"
          "  --outage-spec FILE  outages from FILE: `instance start end push|pull|both\n"
          "                      full|partial|notraffic|mixed` per line, times RFC 3339 minutes\n"
          "  --files N           rotated files (default 1); --out is then a folder\n"
          "  --zstd LEVEL        write .zst through libzstd (0 = plain, default)\n"
          "  --zstd-threads N    libzstd workers (default 0: single-threaded, one frame)\n"
          "  --zstd-frame-mb N   end a frame every N MiB of input (default 0: one frame)\n"
          "  --out PATH          output file (or folder with --files > 1); - for stdout\n"
          "  --truth FILE        write the ground truth (JSON, see bench/README.md)\n"
          "  --inventory FILE    write an instance inventory CSV (public + VPC host per instance)\n"
          "  --noise PERCENT     share of non-outcome lines (default 8)\n"
          "  --sporadic-ppm N    isolated 5xx per million push/pull requests (default 200)\n"
          "  --repeat-permille N error requests logged on 2-3 lines (default 250)\n"
          "  --stamp-zones LIST  zones instances write their times in, e.g. Z,+08:00 (default Z)\n"
          "  --no-vpc            only public host names\n",
          stderr);
}

static int parse_offset(const char *s)
{
    int sign = 1;
    if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0)
        return 0;
    if (*s == '+' || *s == '-') {
        sign = *s == '-' ? -1 : 1;
        int h, m;
        if (sscanf(s + 1, "%2d:%2d", &h, &m) == 2 && strlen(s) == 6)
            return sign * (h * 60 + m);
        if (sscanf(s + 1, "%2d%2d", &h, &m) == 2 && strlen(s) == 5)
            return sign * (h * 60 + m);
        die("bad zone offset", s);
    }
    return (int)strtol(s, NULL, 10);
}

static uint64_t parse_u64(const char *name, const char *s)
{
    char *end;
    errno = 0;
    const unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-')
        die("bad number for", name);
    return v;
}

int main(int argc, char **argv)
{
    opt.seed = 1;
    opt.year = 2024;
    opt.month = 2;
    opt.instances = 50;
    opt.lines = 100000;
    opt.files = 1;
    opt.noise_permille = 80;
    opt.sporadic_ppm = 200;
    opt.repeat_permille = RSLA_GEN_REPEAT_PERMILLE;
    opt.stamp_zones = "Z";
    for (int k = 1; k < argc; k++) {
        const char *a = argv[k];
        const char *v = k + 1 < argc ? argv[k + 1] : NULL;
#define ARG(name) (strcmp(a, name) == 0 && (v || (die("missing value for", name), 0)) && ++k)
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage();
            return 0;
        } else if (strcmp(a, "--no-vpc") == 0) {
            opt.no_vpc = true;
        } else if (ARG("--seed")) {
            opt.seed = parse_u64(a, v);
        } else if (ARG("--month")) {
            int y, m;
            if (sscanf(v, "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12 || y < 1971 || y > 2200)
                die("bad --month", v);
            opt.year = y;
            opt.month = m;
        } else if (ARG("--zone-offset")) {
            opt.zone_offset = parse_offset(v);
            if (opt.zone_offset <= -1440 || opt.zone_offset >= 1440)
                die("zone offset out of range", v);
        } else if (ARG("--spill-minutes")) {
            opt.spill_min = (int64_t)parse_u64(a, v);
        } else if (ARG("--instances")) {
            opt.instances = (uint32_t)parse_u64(a, v);
        } else if (ARG("--lines")) {
            opt.lines = parse_u64(a, v);
        } else if (ARG("--outages")) {
            opt.outages = (uint32_t)parse_u64(a, v);
        } else if (ARG("--outage-spec")) {
            opt.outage_spec = v;
        } else if (ARG("--files")) {
            opt.files = (uint32_t)parse_u64(a, v);
        } else if (ARG("--zstd")) {
            opt.zstd_level = (int)parse_u64(a, v);
        } else if (ARG("--zstd-threads")) {
            opt.zstd_workers = (int)parse_u64(a, v);
        } else if (ARG("--zstd-frame-mb")) {
            opt.zstd_frame_mb = parse_u64(a, v);
        } else if (ARG("--out")) {
            opt.out = v;
        } else if (ARG("--truth")) {
            opt.truth = v;
        } else if (ARG("--inventory")) {
            opt.inventory = v;
        } else if (ARG("--noise")) {
            opt.noise_permille = (unsigned)(10 * parse_u64(a, v));
        } else if (ARG("--sporadic-ppm")) {
            opt.sporadic_ppm = (unsigned)parse_u64(a, v);
        } else if (ARG("--repeat-permille")) {
            opt.repeat_permille = (unsigned)parse_u64(a, v);
        } else if (ARG("--stamp-zones")) {
            opt.stamp_zones = v;
        } else {
            usage();
            die("unknown option", a);
        }
#undef ARG
    }
    if (!opt.out)
        die("--out is required", NULL);
    if (opt.instances == 0 || opt.instances > 1000000)
        die("--instances must be 1 to 1000000", NULL);
    if (opt.files == 0 || opt.files > 100000)
        die("--files must be 1 to 100000", NULL);
    if (opt.noise_permille > 1000)
        die("--noise must be 0 to 100", NULL);
    if (opt.zstd_level > 22)
        die("--zstd level must be 0 to 22", NULL);

    /* stamp zones */
    {
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s", opt.stamp_zones);
        for (char *tok = strtok(tmp, ","); tok && g_n_zones < 8; tok = strtok(NULL, ",")) {
            stamp_zone *z = &g_zones[g_n_zones++];
            z->offset_min = parse_offset(tok);
            if (z->offset_min <= -1440 || z->offset_min >= 1440)
                die("zone offset out of range", tok);
            z->z = z->offset_min == 0 && (tok[0] == 'Z' || tok[0] == 'z');
            z->cached_min = INT64_MIN;
            if (z->z) {
                memcpy(z->suffix, "Z", 1);
                z->suffix_len = 1;
            } else {
                const int a = z->offset_min < 0 ? -z->offset_min : z->offset_min;
                snprintf(z->suffix, sizeof z->suffix, "%c%02d:%02d", z->offset_min < 0 ? '-' : '+',
                         a / 60, a % 60);
                z->suffix_len = 6;
            }
        }
        if (g_n_zones == 0)
            die("bad --stamp-zones", opt.stamp_zones);
    }

    g_buf = malloc(RSLA_GEN_BUF);
    if (!g_buf)
        die("out of memory", NULL);
    g_w = g_buf;
    rng_seed(opt.seed);
    g_n_inst = opt.instances;
    make_instances();

    for (int b = 0; b < 4; b++) {
        int64_t y = opt.year;
        int m = opt.month + (b - 1);
        if (m < 1) {
            m += 12;
            y--;
        } else if (m > 12) {
            m -= 12;
            y++;
        }
        g_month_bounds[b] = month_start_min(y, m, opt.zone_offset);
    }
    const int64_t span_start = g_month_bounds[1] - opt.spill_min;
    const int64_t span_end = g_month_bounds[2] + opt.spill_min;

    if (opt.outage_spec)
        load_outage_spec(opt.outage_spec);
    else
        draw_outages(span_start, span_end);
    qsort(g_out, g_n_out, sizeof *g_out, outage_cmp);

    /* files */
    g_files = calloc(opt.files, sizeof *g_files);
    if (!g_files)
        die("out of memory", NULL);
    const char *ext = opt.zstd_level > 0 ? ".jsonl.zst" : ".jsonl";
    if (opt.files > 1) {
        if (mkdir(opt.out, 0777) != 0 && errno != EEXIST)
            die("cannot create folder", opt.out);
        char mn[16];
        month_name(1, mn);
        for (uint32_t k = 0; k < opt.files; k++)
            snprintf(g_files[k].path, sizeof g_files[k].path, "%s/registry-%s-%04u%s", opt.out, mn, k, ext);
    } else {
        snprintf(g_files[0].path, sizeof g_files[0].path, "%s", opt.out);
    }
    g_cur_file = 0;
    g_next_switch = opt.lines / opt.files;
    sink_open(0);

    /* line budget: cumulative target over the span, shaped by the day profile */
    uint64_t w_total = 0;
    for (int64_t m = span_start; m < span_end; m++)
        w_total += minute_weight(m);
    uint64_t w_cum = 0;
    size_t next_out = 0;
    size_t n_active = 0;
    size_t *active = calloc(g_n_out ? g_n_out : 1, sizeof *active);
    if (!active)
        die("out of memory", NULL);
    for (int64_t m = span_start; m < span_end; m++) {
        /* outages active this minute */
        while (next_out < g_n_out && g_out[next_out].start_min <= m)
            active[n_active++] = next_out++;
        for (size_t k = 0; k < n_active;) {
            outage *o = &g_out[active[k]];
            if (o->end_min <= m) {
                active[k] = active[--n_active];
                continue;
            }
            k++;
            int mode = o->kind;
            if (mode == OK_MIXED) {
                const uint64_t r = rng_below(100);
                mode = r < 60 ? OK_FULL : r < 85 ? OK_PARTIAL : OK_NOTRAFFIC;
            }
            inst_minute *im = &g_im[o->inst];
            if (!im->notraffic && !im->push_mode && !im->pull_mode)
                g_im_touched[g_n_im_touched++] = o->inst;
            if (mode == OK_NOTRAFFIC) {
                o->n_notraffic++;
                im->notraffic = 1;
                continue;
            }
            const uint8_t md = mode == OK_FULL ? MODE_FULL : MODE_PARTIAL;
            if (mode == OK_FULL)
                o->n_full++;
            else
                o->n_partial++;
            /* full beats partial when two outages overlap */
            if (o->classes & CL_PUSH)
                im->push_mode = im->push_mode == MODE_FULL ? MODE_FULL : md;
            if (o->classes & CL_PULL)
                im->pull_mode = im->pull_mode == MODE_FULL ? MODE_FULL : md;
        }
        /* forced outage traffic: clients retry, so an outage minute always has requests of the
         * failing class; a partial minute has at least one failure and one success */
        uint64_t forced_lines = 0;
        for (size_t k = 0; k < g_n_im_touched; k++) {
            const uint32_t i = g_im_touched[k];
            const inst_minute *im = &g_im[i];
            if (im->notraffic)
                continue;
            for (int c = 0; c < 2; c++) {
                const int mode = c == 0 ? im->push_mode : im->pull_mode;
                if (mode == MODE_NONE)
                    continue;
                const int *eps = c == 0 ? k_push_eps : k_pull_eps;
                const unsigned n = mode == MODE_FULL ? 1 + (unsigned)rng_below(3) : 2 + (unsigned)rng_below(3);
                for (unsigned j = 0; j < n; j++) {
                    const int ep = eps[rng_below(4)];
                    unsigned st;
                    if (mode == MODE_FULL || j == 0)
                        st = draw_fail_status();
                    else if (j == 1)
                        st = draw_ok_status(ep);
                    else
                        st = rng_permille(500) ? draw_fail_status() : draw_ok_status(ep);
                    add_request(m, i, ep, st);
                    forced_lines += g_ev[g_n_ev - 1].repeat;
                }
            }
        }
        /* the rest of the minute's budget */
        w_cum += minute_weight(m);
        const uint64_t target = (uint64_t)(((unsigned __int128)opt.lines * w_cum) / w_total);
        uint64_t have = g_total_lines + forced_lines;
        while (have < target) {
            if (rng_permille(opt.noise_permille)) {
                event *e = ev_push();
                e->t = draw_time(m);
                e->inst = draw_instance();
                e->host = (uint8_t)draw_host(&g_inst[e->inst]);
                e->ep = (uint8_t)draw_endpoint();
                const unsigned r = (unsigned)rng_below(1000);
                e->type = r < 350 ? NZ_AUTHORIZED : r < 500 ? NZ_AUTH_WARN : r < 650 ? NZ_TRACE
                        : r < 680 ? NZ_BANNER : r < 930 ? NZ_COMBINED : r < 970 ? NZ_TEXT
                        : r < 995 ? NZ_TRUNCATED : NZ_BLANK;
                e->repeat = 1;
                have++;
                continue;
            }
            uint32_t i = draw_instance();
            for (int tries = 0; g_im[i].notraffic && tries < 8; tries++)
                i = draw_instance();
            if (g_im[i].notraffic) {
                event *e = ev_push(); /* nobody else to serve: a banner line */
                e->t = draw_time(m);
                e->inst = i;
                e->type = NZ_BANNER;
                e->repeat = 1;
                have++;
                continue;
            }
            const int ep = draw_endpoint();
            add_request(m, i, ep, request_status(i, ep));
            have += g_ev[g_n_ev - 1].repeat;
        }
        emit_minute();
        truth_close_minute(m);
        for (size_t k = 0; k < g_n_im_touched; k++)
            g_im[g_im_touched[k]] = (inst_minute){ 0 };
        g_n_im_touched = 0;
    }
    sink_close();
    /* files never reached (fewer lines than files) are still created, empty */
    for (uint32_t k = g_cur_file + 1; k < opt.files; k++) {
        g_cur_file = k;
        sink_open(k);
        sink_close();
    }
    if (opt.truth)
        write_truth(opt.truth, span_start, span_end, argc, argv);
    if (opt.inventory)
        write_inventory(opt.inventory);
    free(active);
    return 0;
}
