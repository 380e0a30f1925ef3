#ifndef RSLA_AGG_TEST_H
#define RSLA_AGG_TEST_H
/* What the tests of analyzer/agg share. */
#include <string.h>        /* memset */
#include "analyzer/agg.h" /* agg_status_table */

/* The verdicts of SLA-SPEC section 4's defaults, written out here rather than taken from a policy,
 * so that the aggregation is tested on its own: 5xx and 0 failed, 429 excluded, the rest good. */
static inline agg_status_table agg_test_statuses(void)
{
    agg_status_table s;
    memset(&s, 0, sizeof s);
    for (int i = 500; i < 600; i++)
        s.verdict[i] = AGG_FAILED;
    s.verdict[0] = AGG_FAILED;
    s.verdict[429] = AGG_EXCLUDED;
    return s;
}

#endif
