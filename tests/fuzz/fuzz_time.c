/* Fuzz target: the RFC 3339 parser and the formatter (common/rsla_time).
 *
 * Properties, for any input:
 *   - parsing never reads outside the slice (the input is passed with its exact length);
 *   - a time that parses is an instant the int64 nanosecond clock can hold (no overflow: UBSan
 *     aborts on one), and formatting it at any offset from -23:59 to +23:59 and parsing the text
 *     again gives the same instant (round trip);
 *   - the civil fields of the instant at offset 0 rebuild it through rsla_days_from_civil;
 *   - Z forms with a fraction sort like their instants.
 * The first byte picks the offset used for the round trip; the rest is the time text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/rsla_time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *text, size_t len, int64_t ns)
{
    fprintf(stderr, "fuzz_time: %s: '%.*s' -> %lld\n", what, (int)len, text, (long long)ns);
    abort();
}

static void round_trip(int64_t ns, int32_t offset_min, bool use_z, const char *src, size_t len)
{
    char out[64];
    memset(out, 0x7f, sizeof out);
    const size_t n = rsla_time_format(out, ns, offset_min, use_z);
    if (n == 0 || n >= 40 || out[n] != '\0')
        fail("format length", src, len, ns);
    int64_t back = 0;
    const rsla_time_status st = rsla_time_parse_rfc3339(out, n, &back);
    if (st != RSLA_TIME_OK || back != ns) {
        fprintf(stderr, "fuzz_time: formatted as '%s' (offset %d), parsed %d -> %lld\n", out,
                (int)offset_min, (int)st, (long long)back);
        fail("round trip", src, len, ns);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    /* Offsets the formatter must handle: whole minutes within a day either side of UTC. */
    const int32_t offset_min = (int32_t)(data[0] * 2878 / 255) - 1439;
    /* An exact-length copy so that ASan sees any read past the slice. */
    const size_t len = size - 1;
    char *text = malloc(len ? len : 1);
    memcpy(text, data + 1, len);

    int64_t ns = INT64_MIN;
    const rsla_time_status st = rsla_time_parse_rfc3339(text, len, &ns);
    if (st != RSLA_TIME_OK && st != RSLA_TIME_SYNTAX && st != RSLA_TIME_RANGE &&
        st != RSLA_TIME_NO_ZONE)
        fail("unknown status", text, len, ns);
    if (st != RSLA_TIME_OK) {
        if (ns != INT64_MIN)
            fail("refused but *ns written", text, len, ns);
        free(text);
        return 0;
    }
    round_trip(ns, 0, true, text, len);
    round_trip(ns, 0, false, text, len);
    round_trip(ns, offset_min, false, text, len);

    rsla_civil c;
    rsla_civil_from_ns(ns, 0, &c);
    if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > rsla_days_in_month(c.year, c.month) ||
        c.hour < 0 || c.hour > 23 || c.minute < 0 || c.minute > 59 || c.second < 0 ||
        c.second > 59 || c.nanosecond < 0 || c.nanosecond >= RSLA_NS_PER_SEC)
        fail("civil fields out of range", text, len, ns);
    const int64_t days = rsla_days_from_civil(c.year, c.month, c.day);
    const int64_t rebuilt =
        (days * 86400 + c.hour * 3600 + c.minute * 60 + c.second) * RSLA_NS_PER_SEC + c.nanosecond;
    if (rebuilt != ns)
        fail("civil fields do not rebuild the instant", text, len, ns);

    /* Lexical order is time order among Z forms with a fraction (the header's promise: fraction
     * digits kept to 9); a whole second prints no fraction, and 'Z' sorts after '.'. */
    if (ns < INT64_MAX && ns % RSLA_NS_PER_SEC != 0 && (ns + 1) % RSLA_NS_PER_SEC != 0) {
        char a[64], b[64];
        rsla_time_format(a, ns, 0, true);
        rsla_time_format(b, ns + 1, 0, true);
        if (strcmp(a, b) >= 0)
            fail("formatted text does not sort like time", text, len, ns);
    }
    free(text);
    return 0;
}
