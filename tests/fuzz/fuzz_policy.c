/* Fuzz target: policy files (the strict JSON reader and every key's checks). A parse either
 * fails with a "SOURCE:LINE:COL: reason" message or gives a policy whose invariants hold. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analyzer/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    policy p;
    char err[256];
    if (!policy_parse((const char *)data, size, "fuzz.json", &p, err, sizeof err)) {
        if (strncmp(err, "fuzz.json:", 10) != 0 || p.zone != NULL)
            __builtin_trap();
        return 0;
    }
    if (p.window_minutes < 1 || 1440 % p.window_minutes != 0 || p.threshold_den == 0 ||
        p.threshold_num > p.threshold_den || p.min_consecutive < 1 || p.zone == NULL ||
        p.n_tiers > POLICY_MAX_TIERS)
        __builtin_trap();
    for (int s = 0; s < 1000; s++)
        if (p.failed_status[s] && p.excluded_status[s])
            __builtin_trap();
    agg_status_table st;
    policy_status_table(&p, &st);
    policy_release(&p);
    return 0;
}
