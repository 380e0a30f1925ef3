#include "common/rsla_accounting.h"

const char *rsla_skip_reason_name(rsla_skip_reason r)
{
    static const char *const names[RSLA_SKIP_REASON_COUNT] = {
        [RSLA_SKIP_BLANK] = "blank",
        [RSLA_SKIP_NOT_JSON] = "not_json",
        [RSLA_SKIP_OTHER_MESSAGE] = "other_message",
        [RSLA_SKIP_OTHER_FORMAT] = "other_format",
        [RSLA_SKIP_NOT_REQUEST] = "not_request",
        [RSLA_SKIP_UNKNOWN_FORMAT] = "unknown_format",
    };
    return (unsigned)r < RSLA_SKIP_REASON_COUNT ? names[r] : "unknown";
}

const char *rsla_reject_reason_name(rsla_reject_reason r)
{
    static const char *const names[RSLA_REJECT_REASON_COUNT] = {
        [RSLA_REJECT_JSON_SYNTAX] = "json_syntax",
        [RSLA_REJECT_INVALID_UTF8] = "invalid_utf8",
        [RSLA_REJECT_TOO_DEEP] = "too_deep",
        [RSLA_REJECT_NOT_OBJECT] = "not_object",
        [RSLA_REJECT_MISSING_FIELD] = "missing_field",
        [RSLA_REJECT_WRONG_TYPE] = "wrong_type",
        [RSLA_REJECT_BAD_TIME] = "bad_time",
        [RSLA_REJECT_TIME_NO_ZONE] = "time_without_zone",
        [RSLA_REJECT_BAD_STATUS] = "bad_status",
        [RSLA_REJECT_BAD_DURATION] = "bad_duration",
        [RSLA_REJECT_NO_ABSOLUTE_TIME] = "no_absolute_time",
        [RSLA_REJECT_TEXT_SYNTAX] = "text_syntax",
        [RSLA_REJECT_PARTIAL_LINE] = "partial_line",
    };
    return (unsigned)r < RSLA_REJECT_REASON_COUNT ? names[r] : "unknown";
}

void rsla_line_counts_add(rsla_line_counts *dst, const rsla_line_counts *src)
{
    dst->lines += src->lines;
    dst->outcomes += src->outcomes;
    dst->skipped += src->skipped;
    dst->rejected += src->rejected;
    for (int i = 0; i < RSLA_SKIP_REASON_COUNT; i++)
        dst->skipped_by_reason[i] += src->skipped_by_reason[i];
    for (int i = 0; i < RSLA_REJECT_REASON_COUNT; i++)
        dst->rejected_by_reason[i] += src->rejected_by_reason[i];
}
