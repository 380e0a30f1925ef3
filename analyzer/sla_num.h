#ifndef RSLA_SLA_NUM_H
#define RSLA_SLA_NUM_H
/* Unsigned big integers, just enough for exact availability fractions.
 *
 * Why: in error-rate mode availability is 1 - (sum of failed/valid over windows) / N, an exact
 * sum of fractions whose denominator is the lcm of the windows' valid counts. A month of 5-minute
 * windows easily takes that past 128 bits, and SLA-SPEC section 6 wants the exact fraction, so
 * the sum is kept here instead of overflowing or rounding. Little-endian 32-bit limbs; a value
 * is normalised (no leading zero limbs; zero has n == 0). Not thread-safe per value. */
#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* uint32_t, uint64_t */

typedef struct sla_big {
    uint32_t *d;
    size_t n, cap;
} sla_big;

#define SLA_BIG_INIT { NULL, 0, 0 }

void sla_big_free(sla_big *a);
void sla_big_set_u64(sla_big *a, uint64_t v);
void sla_big_copy(sla_big *dst, const sla_big *src);
bool sla_big_is_zero(const sla_big *a);
int sla_big_cmp(const sla_big *a, const sla_big *b);
void sla_big_mul_u64(sla_big *a, uint64_t m);          /* a *= m */
void sla_big_add(sla_big *a, const sla_big *b);        /* a += b */
void sla_big_sub(sla_big *a, const sla_big *b);        /* a -= b; requires a >= b */
uint64_t sla_big_mod_u64(const sla_big *a, uint64_t m); /* a mod m; m > 0 */
/* out = a * b (out may alias neither). */
void sla_big_mul(sla_big *out, const sla_big *a, const sla_big *b);
/* q = a / b, r = a % b; b != 0; q and r distinct from a and b (either may be NULL). */
void sla_big_divmod(const sla_big *a, const sla_big *b, sla_big *q, sla_big *r);
/* out = gcd(a, b) (binary gcd); gcd(0, b) = b. */
void sla_big_gcd(sla_big *out, const sla_big *a, const sla_big *b);
/* Decimal digits, malloc'd, "0" for zero. */
char *sla_big_to_dec(const sla_big *a);
/* Value as uint64 when it fits; returns false otherwise. */
bool sla_big_to_u64(const sla_big *a, uint64_t *out);

#endif
