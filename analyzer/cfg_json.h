#ifndef RSLA_CFG_JSON_H
#define RSLA_CFG_JSON_H
/* A small, strict JSON reader for configuration files (policy files), not for logs.
 *
 * It builds a little DOM in one pass. Numbers are kept as their source text, never converted to
 * a double, so that `99.95` stays exactly 99.95 for whoever reads it (policy.c turns it into an
 * exact decimal). Strict RFC 8259: no comments, no trailing commas, no NaN, no leading zeros,
 * strings are valid UTF-8 with the standard escapes (surrogate pairs joined, lone surrogates
 * refused), duplicate keys in one object refused, nesting limited to CFG_JSON_MAX_DEPTH. Every
 * value remembers the line and column (1-based, columns in bytes) where it starts, so a caller
 * that refuses a value can point at it. */
#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */

/* Deepest nesting accepted; a policy file needs 3. */
#define CFG_JSON_MAX_DEPTH 64

typedef enum cfg_json_type {
    CFG_JSON_NULL = 0,
    CFG_JSON_BOOL,
    CFG_JSON_NUMBER,
    CFG_JSON_STRING,
    CFG_JSON_ARRAY,
    CFG_JSON_OBJECT
} cfg_json_type;

typedef struct cfg_json cfg_json;
struct cfg_json {
    cfg_json_type type;
    int line, col;       /* where the value starts (1-based) */
    bool boolean;        /* CFG_JSON_BOOL */
    char *text;          /* CFG_JSON_STRING: decoded, NUL-terminated (may hold NUL: see len);
                            CFG_JSON_NUMBER: the number as written */
    size_t len;          /* length of text */
    cfg_json *items;     /* CFG_JSON_ARRAY: elements; CFG_JSON_OBJECT: values, in file order */
    char **keys;         /* CFG_JSON_OBJECT: keys, parallel to items */
    size_t n;            /* number of elements or members */
};

/* cfg_json_parse() :
 * Parses one JSON text (an optional UTF-8 BOM, then one value, then only whitespace).
 * @return the root value, to release with cfg_json_free(); NULL on error with
 *         "LINE:COL: reason" written into err (when err is not NULL). Thread-safe. */
cfg_json *cfg_json_parse(const char *text, size_t len, char *err, size_t errlen);

/* Releases a value returned by cfg_json_parse(); NULL is accepted. */
void cfg_json_free(cfg_json *v);

/* Member of an object by key; NULL when absent or when obj is not an object. */
const cfg_json *cfg_json_get(const cfg_json *obj, const char *key);

/* Name of a type for messages: "null", "boolean", "number", "string", "array", "object". */
const char *cfg_json_type_name(cfg_json_type t);

#endif
