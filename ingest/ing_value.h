#ifndef ING_VALUE_H
#define ING_VALUE_H
/* Field-value syntaxes shared by every input profile: Go duration strings, HTTP status digits in a
 * string or a JSON number, and JSON string unescaping.
 *
 * These helpers see one already-isolated value (a slice of a line, JSON quotes removed) and never
 * the line around it. They are pure functions of their input: no allocation, no global state,
 * safe from any thread. */
#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* int64_t, int32_t */

/* ing_value_go_duration() :
 * Parses a Go time.Duration string as time.Duration.String() writes it and time.ParseDuration
 * reads it: `[+]?([0-9]*(\.[0-9]*)?unit)+` or the lone `0`, units ns, us, µs (U+00B5), μs (U+03BC),
 * ms, s, m, h; e.g. `40.123508ms`, `88.251µs`, `1m51.900179248s`, `2h3m`, `0s`.
 * Arithmetic is exact in integers: each component contributes floor(value * unit); fraction digits
 * after the 19th are ignored. A leading '-' is refused (a response never lasts a negative time,
 * and -1 means "no duration" in an outcome), as is a result above INT64_MAX nanoseconds.
 * note 1 : a unit without a number (`ns`, `h`) is malformed, as in Go.
 * @return true and *ns set, or false (*ns untouched). */
bool ing_value_go_duration(const char *s, size_t len, int64_t *ns);

/* The same parser without its fast path for one-component durations (`358.880582ms`):
 * ing_value_go_duration gives exactly its results, and tests compare the two. */
bool ing_value_go_duration_general(const char *s, size_t len, int64_t *ns);

/* Result of reading an HTTP status. */
typedef enum ing_status_result {
    ING_STATUS_OK = 0,
    ING_STATUS_BAD_VALUE,  /* of the right type but not a status: negative, > 999, not digits */
    ING_STATUS_WRONG_TYPE, /* a JSON number with a fraction or an exponent */
} ing_status_result;

/* ing_value_status_digits() :
 * Reads a status written as a string: 1 to 3 ASCII digits and nothing else (`"503"`).
 * @return ING_STATUS_OK and *status set, or ING_STATUS_BAD_VALUE. */
ing_status_result ing_value_status_digits(const char *s, size_t len, int32_t *status);

/* ing_value_status_json_number() :
 * Reads a status given as a JSON number token (already known to be valid JSON number syntax).
 * An integer 0..999 is a status; a '-' sign or more than three significant digits is
 * ING_STATUS_BAD_VALUE; a fraction or exponent is ING_STATUS_WRONG_TYPE (checked first). */
ing_status_result ing_value_status_json_number(const char *s, size_t len, int32_t *status);

/* ing_value_json_unescape() :
 * Decodes the body of a JSON string (between the quotes, already validated) into out, which
 * must hold at least len bytes (decoding never grows a string). `\uXXXX` becomes UTF-8; a
 * surrogate pair becomes one 4-byte sequence; a lone surrogate becomes U+FFFD (RFC 8259 leaves
 * it undefined; this keeps the output valid UTF-8).
 * @return the decoded length. */
size_t ing_value_json_unescape(const char *s, size_t len, char *out);

/*! ing_value_decimal_ns() :
 * Reads a non-negative decimal `[0-9]+(\.[0-9]+)?` (no sign, no exponent; the text of a JSON
 * number or of a string) counted in units of 10^exp10 nanoseconds (exp10 0..9: 6 for nginx-style
 * or GitLab `duration_ms` milliseconds, 9 for nginx `$request_time` seconds), exactly in integers:
 * floor(value * 10^exp10); fraction digits past the unit's precision are dropped, so no floating
 * point is involved. `0.772` at 9 gives 772000000.
 * @return true and *ns set, or false (*ns untouched) for any other text or a result above
 *         INT64_MAX. */
bool ing_value_decimal_ns(const char *s, size_t len, unsigned exp10, int64_t *ns);

/*! ing_value_request_line() :
 * Splits an HTTP request line as nginx `$request` and the combined log write it:
 * `METHOD SP target [SP protocol...]`, the method made of RFC 9110 token characters, the target
 * of bytes above 0x20 other than 0x7F (absolute-form `https://host/v2/` included, left as is).
 * @return true with the method at s[0, *method_len) and the target at
 *         s[*target_start, *target_start + *target_len), or false when the text is not a request
 *         line (`-`, TLS bytes, an empty target). */
bool ing_value_request_line(const char *s, size_t len, size_t *method_len, size_t *target_start,
                            size_t *target_len);

#endif
