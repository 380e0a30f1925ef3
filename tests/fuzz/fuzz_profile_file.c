/* Fuzz target: profile files (ingest/scan/scan_profiles_file.c) on any bytes.
 *
 * Checked, besides memory safety:
 *   - a refused file gives one message `p.json:LINE:COL: reason` with LINE and COL within the
 *     text (COL may be one past a line's end);
 *   - an accepted file gives a profile that every kernel runs: on a fixed set of log lines, each
 *     kernel makes exactly the scalar kernel's sink calls. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ingest/scan/scan.h"
#include "ingest/scan/scan_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char lines[] =
    "{\"msg\":\"access\",\"time\":\"2025-02-12T21:28:02.740Z\",\"host\":\"h\",\"method\":\"GET\","
    "\"uri\":\"/v2/?x\",\"status\":200,\"duration_ms\":3,\"correlation_id\":\"c\"}\n"
    "{\"ts\":1503988479444,\"req\":\"GET /v2/ HTTP/1.1\",\"code\":\"503\",\"took\":\"1.5ms\"}\n"
    "{\"time_local\":\"13/May/2020:15:25:30 +0000\",\"request\":\"-\",\"status\":\"400\","
    "\"request_time\":\"0.1\",\"a\":{\"b\":[1,\"\\u00e9\"]}}\n"
    "{\"msec\":\"1.5\",\"k\":\"v\",\"kind\":\"req\",\"x\":null,\"y\":true,\"z\":-1.5e3}\n"
    "not json\n"
    "{\"broken\":\n";

/* Line and column of a message, or 0 when it is not `p.json:L:C: ...`. */
static int position(const char *err, size_t *line, size_t *col)
{
    return sscanf(err, "p.json:%zu:%zu: ", line, col) == 2;
}

static void check_error(const char *text, size_t size, const char *err)
{
    size_t line = 0, col = 0;
    if (!position(err, &line, &col))
        abort();
    size_t lines_in = 1, longest = 0, cur = 0;
    for (size_t i = 0; i < size; i++, cur++)
        if (text[i] == '\n') {
            longest = cur > longest ? cur : longest;
            cur = (size_t)-1;
            lines_in++;
        }
    longest = cur > longest ? cur : longest;
    if (line < 1 || line > lines_in || col < 1 || col > longest + 1)
        abort();
}

static void run_kernels(const scan_profile *p)
{
    const size_t len = sizeof lines - 1;
    char *buf = calloc(1, len + SCAN_PADDING);
    memcpy(buf, lines, len);
    const scan_kernel *k[8];
    size_t n = scan_kernel_list(k, 8);
    n = n > 8 ? 8 : n;
    scan_record ref = { 0 }, got = { 0 };
    for (size_t i = n; i-- > 0;) {
        scan_record *r = i == n - 1 ? &ref : &got;
        scan_record_clear(r);
        scan_record_str(r, "");
        scan_state *s = scan_state_create(k[i], p);
        scan_state_set_default_host(s, "d.example");
        const scan_sink sink = scan_record_sink(r);
        if (scan_chunk(s, buf, len, &sink) != 6)
            abort();
        scan_state_free(s);
        if (r == &got && strcmp(ref.text, got.text) != 0)
            abort();
    }
    scan_record_clear(&ref);
    scan_record_clear(&got);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    scan_profile *p = scan_profile_parse((const char *)data, size, "p.json", err, sizeof err);
    if (!p) {
        check_error((const char *)data, size, err);
        return 0;
    }
    if (!scan_profile_name(p) || !*scan_profile_name(p))
        abort();
    run_kernels(p);
    scan_profile_free(p);
    return 0;
}
