/* The built-in JSON profiles other than Distribution (which stays in scan_profile.c beside the
 * profile step): rows of data read by the same step, LOG-FORMATS sections 3 and 4.
 *
 *   gitlab      LabKit JSON access log: `msg` = "access"; `time` (ISO 8601 ms), `host`, `method`,
 *               `uri`, `status` (int), `duration_ms` (integer ms), `correlation_id`.
 *   zot         zerolog JSON: `message` = "HTTP API"; `time` (RFC 3339 nano), `method`, `path`
 *               (with query), `statusCode` (int), `latency` (Go duration). No host field: the
 *               input's default host (`--host`), else "-", as the combined log does.
 *   nginx-json  `log_format ... escape=json` with user-chosen keys: every valid object is an
 *               access line. Time from `msec` (epoch seconds), `time_iso8601`, `time_local` or
 *               `access_time` (CLF); host from `host`, `http_host`, `server_name`, else the
 *               default host; method and target from `request` ($request), else `method` or
 *               `request_method` and `request_uri` or `uri`; `status` as a string or number;
 *               `request_time` (decimal seconds); `request_id`. The first key present wins. */
#include "ingest/scan/scan_internal.h"

#include <string.h>  /* strcmp */

/* MARK: - Rows (Private) */

#define BIT(f) SCAN_FIELD_BIT(SCAN_FIELD_##f)

static const char *const gitlab_messages[] = { "access", NULL };

static const scan_profile gitlab_profile = {
    .name = "gitlab",
    .keys = {
        [SCAN_FIELD_FILTER] = "msg",
        [SCAN_FIELD_TIME] = "time",
        [SCAN_FIELD_HOST] = "host",
        [SCAN_FIELD_METHOD] = "method",
        [SCAN_FIELD_URI] = "uri",
        [SCAN_FIELD_STATUS] = "status",
        [SCAN_FIELD_DURATION] = "duration_ms",
        [SCAN_FIELD_REQUEST_ID] = "correlation_id",
    },
    .required = BIT(TIME) | BIT(HOST) | BIT(METHOD) | BIT(URI) | BIT(STATUS),
    .filter_values = gitlab_messages,
    .time = SCAN_TIME_RFC3339,
    .status = SCAN_STATUS_INT | SCAN_STATUS_STRING,
    .duration = SCAN_DURATION_MS,
    .strip_query = true,
};

static const char *const zot_messages[] = { "HTTP API", NULL };

static const scan_profile zot_profile = {
    .name = "zot",
    .keys = {
        [SCAN_FIELD_FILTER] = "message",
        [SCAN_FIELD_TIME] = "time",
        [SCAN_FIELD_METHOD] = "method",
        [SCAN_FIELD_URI] = "path",
        [SCAN_FIELD_STATUS] = "statusCode",
        [SCAN_FIELD_DURATION] = "latency",
    },
    .required = BIT(TIME) | BIT(METHOD) | BIT(URI) | BIT(STATUS),
    .filter_values = zot_messages,
    .time = SCAN_TIME_RFC3339,
    .status = SCAN_STATUS_INT | SCAN_STATUS_STRING,
    .duration = SCAN_DURATION_GO,
    .strip_query = true,
    .default_host = "-",
};

static const scan_profile nginx_json_profile = {
    .name = "nginx-json",
    .keys = {
        [SCAN_FIELD_TIME] = "msec",
        [SCAN_FIELD_HOST] = "host",
        [SCAN_FIELD_METHOD] = "method",
        [SCAN_FIELD_URI] = "request_uri",
        [SCAN_FIELD_STATUS] = "status",
        [SCAN_FIELD_DURATION] = "request_time",
        [SCAN_FIELD_REQUEST_ID] = "request_id",
        [SCAN_FIELD_REQUEST_LINE] = "request",
        [SCAN_FIELD_ALT0 + 0] = "time_iso8601",
        [SCAN_FIELD_ALT0 + 1] = "time_local",
        [SCAN_FIELD_ALT0 + 2] = "access_time",
        [SCAN_FIELD_ALT0 + 3] = "http_host",
        [SCAN_FIELD_ALT0 + 4] = "server_name",
        [SCAN_FIELD_ALT0 + 5] = "request_method",
        [SCAN_FIELD_ALT0 + 6] = "uri",
    },
    .required = BIT(TIME) | BIT(METHOD) | BIT(URI) | BIT(STATUS),
    .filter_values = NULL,
    .time = SCAN_TIME_EPOCH_S,
    .status = SCAN_STATUS_INT | SCAN_STATUS_STRING,
    .duration = SCAN_DURATION_S,
    .strip_query = true,
    .n_alt = 7,
    .alt_field = { SCAN_FIELD_TIME, SCAN_FIELD_TIME, SCAN_FIELD_TIME, SCAN_FIELD_HOST,
                   SCAN_FIELD_HOST, SCAN_FIELD_METHOD, SCAN_FIELD_URI },
    .alt_syntax = { SCAN_TIME_RFC3339, SCAN_TIME_CLF, SCAN_TIME_CLF, 0, 0, 0, 0 },
    .default_host = "-",
};

#undef BIT

/* MARK: - Lookup (Public) */

const scan_profile *scan_profile_by_name(const char *name)
{
    static const scan_profile *const rows[] = { &gitlab_profile, &zot_profile,
                                                &nginx_json_profile };
    if (!name)
        return NULL;
    if (strcmp(name, scan_profile_name(scan_profile_distribution())) == 0)
        return scan_profile_distribution();
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (strcmp(name, rows[i]->name) == 0)
            return rows[i];
    return NULL;
}

void scan_state_set_default_host(scan_state *s, const char *host) { s->default_host = host; }
