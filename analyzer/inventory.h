#ifndef RSLA_INVENTORY_H
#define RSLA_INVENTORY_H
/* The instance inventory and the exclusions file (SLA-SPEC section 2), both CSV.
 *
 * CSV here is RFC 4180: fields separated by ',', optionally quoted with '"' (a quote inside a
 * quoted field is doubled), records ended by CRLF or LF (a quoted field may span lines), a
 * header row naming the columns in any order, unknown columns ignored, a UTF-8 BOM tolerated,
 * blank lines ignored. Cells are taken as written (no trimming), except host names, which are
 * split on ';', trimmed of spaces and normalised (lower case, no :port).
 *
 * Instants are RFC 3339 with a zone and are floored to the start of their minute. Every error
 * names the file (as given), the line, and the reason. */
#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* int64_t */

typedef struct inventory_instance {
    char *id;
    char **hosts;             /* normalised */
    size_t n_hosts;
    bool has_created, has_deleted;
    int64_t created_min;      /* UTC minute, floored; service starts at it */
    int64_t deleted_min;      /* UTC minute, floored; service ends before it */
    bool has_fee;
    int64_t fee_minor;        /* monthly fee in minor units ("1580.00" -> 158000) */
    int fee_decimals;         /* the currency's minor-unit digits (2 when no currency) */
    char currency[4];         /* ISO 4217 code, "" when not given */
    int line;                 /* line of the CSV record */
} inventory_instance;

typedef struct inventory_host {
    char *host;               /* normalised */
    size_t instance;          /* index into instances */
} inventory_host;

typedef struct inventory {
    inventory_instance *instances; /* sorted by id */
    size_t n_instances;
    inventory_host *hosts;    /* sorted by host */
    size_t n_hosts;
} inventory;

/* inventory_parse() :
 * Reads an inventory CSV. name is used in messages. Required columns: instance, hosts; optional:
 * created, deleted, monthly_fee, currency. Refused: a duplicate instance id, a host claimed by
 * two instances, created >= deleted (after flooring), a fee with more decimals than the
 * currency has, an unknown-looking currency (not three letters).
 * @return the inventory (inventory_free()), or NULL with "NAME:LINE: reason" in err. */
inventory *inventory_parse(const char *data, size_t len, const char *name, char *err,
                           size_t errlen);
inventory *inventory_load(const char *path, char *err, size_t errlen);
void inventory_free(inventory *inv);

/* The instance of a normalised host, or NULL. */
const inventory_instance *inventory_find_host(const inventory *inv, const char *host);
/* The instance with this id, or NULL. */
const inventory_instance *inventory_find(const inventory *inv, const char *id);

/* inventory_instance_of_host() :
 * agg_instance_of_host callback (analyzer/agg.h): ctx is the inventory, host is normalised.
 * @return the instance id (owned by the inventory) or NULL. Thread-safe (read-only). */
const char *inventory_instance_of_host(void *ctx, const char *host);

/* Minor-unit digits of an ISO 4217 currency: 0 for JPY, KRW, ...; 3 for BHD, KWD, ...;
 * 2 otherwise and for "". */
int inventory_currency_decimals(const char *code);

/* One announced maintenance: [start, end) for one instance or "*" for all. */
typedef struct exclusion {
    char *instance;           /* instance id, or "*" */
    int64_t start_min, end_min; /* UTC minutes, floored; start < end */
    char *reason;
    int line;
} exclusion;

typedef struct exclusions {
    exclusion *items;         /* sorted by (start, end, instance, line) */
    size_t n;
} exclusions;

/* exclusions_parse() :
 * Reads an exclusions CSV (columns instance, start, end, reason; reason optional). A period
 * that is empty after flooring to minutes is kept but covers nothing; end before start is
 * refused.
 * @return the exclusions (exclusions_free()), or NULL with "NAME:LINE: reason" in err. */
exclusions *exclusions_parse(const char *data, size_t len, const char *name, char *err,
                             size_t errlen);
exclusions *exclusions_load(const char *path, char *err, size_t errlen);
void exclusions_free(exclusions *ex);

/* MARK: - CSV (Public, for tests and other CSV readers) */

typedef struct csv_record {
    char **fields;
    size_t n;
    int line;                 /* line where the record starts */
} csv_record;

/* csv_parse() :
 * Splits RFC 4180 text into records (blank lines dropped, BOM removed).
 * @return number of records in *out (free with csv_records_free), or -1 with "LINE:COL: reason"
 * in err (an unterminated quote, a quote inside an unquoted field, text after a closing quote). */
long csv_parse(const char *data, size_t len, csv_record **out, char *err, size_t errlen);
void csv_records_free(csv_record *recs, size_t n);

#endif
