#ifndef RSLA_TZ_H
#define RSLA_TZ_H
/* The policy's time zone: a fixed offset or an IANA zone with its real daylight-saving rules.
 *
 * The process time zone (TZ, localtime) is never used: it is environment-dependent and not
 * thread-safe. An IANA zone is read from its TZif file (RFC 8536) under $TZDIR, by default
 * /usr/share/zoneinfo: the 64-bit data of version 2+ files (the 32-bit data of version 1 files),
 * and the footer's POSIX TZ string for instants after the last transition of the table. Leap
 * second records are ignored (instants here are POSIX time).
 *
 * All instants are seconds since 1970-01-01T00:00:00Z; offsets are seconds east of UTC. A loaded
 * zone is read-only, so one zone may be shared by threads. */
#include <stddef.h> /* size_t */
#include <stdint.h> /* int64_t, int32_t */

typedef struct tz_zone tz_zone;

/* tz_load() :
 * Accepts `UTC`, `Z`, `GMT`, a fixed offset `+08:00`, `-0500`, `+8`, `UTC+08:00`, or an IANA name
 * (`Asia/Shanghai`, `America/New_York`). A name containing `..`, starting with `/` or with
 * characters outside [A-Za-z0-9/_+-] is refused.
 * @return the zone (tz_free() it), or NULL with the reason in err. */
tz_zone *tz_load(const char *name, char *err, size_t errlen);

/* A fixed zone at offset_sec east of UTC (|offset| < 26 h); never fails. */
tz_zone *tz_fixed(int32_t offset_sec);

void tz_free(tz_zone *z);

/* The name as given to tz_load ("+08:00", "America/New_York"); "UTC" for tz_fixed(0). */
const char *tz_name(const tz_zone *z);

/* Offset from UTC in seconds at a UTC instant. */
int32_t tz_offset_at(const tz_zone *z, int64_t utc_sec);

/* tz_utc_of_local() :
 * The UTC instant of a local civil time given as seconds since 1970-01-01T00:00:00 local.
 * A local time that occurs twice (the repeated hour when clocks go back) gives the earlier
 * instant; a local time that does not exist (skipped when clocks go forward) gives the first
 * valid instant after it, that is the instant of the transition. */
int64_t tz_utc_of_local(const tz_zone *z, int64_t local_sec);

/* UTC instant of local midnight starting the given civil date (per tz_utc_of_local). */
int64_t tz_midnight_utc(const tz_zone *z, int64_t year, int month, int day);

#endif
