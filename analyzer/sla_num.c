/* Small unsigned big integers for exact fractions; see sla_num.h. Schoolbook algorithms: the
 * values are a few hundred limbs at most and are touched a few times per report row. */
#include "analyzer/sla_num.h"

#include <stdlib.h> /* free */
#include <string.h> /* memcpy, memset */

#include "common/rsla_base.h" /* rsla_xrealloc */

static void reserve(sla_big *a, size_t n)
{
    if (a->cap < n) {
        a->cap = n < 4 ? 4 : n * 2;
        a->d = rsla_xrealloc(a->d, a->cap * sizeof *a->d);
    }
}

static void norm(sla_big *a)
{
    while (a->n > 0 && a->d[a->n - 1] == 0)
        a->n--;
}

void sla_big_free(sla_big *a)
{
    free(a->d);
    a->d = NULL;
    a->n = a->cap = 0;
}

void sla_big_set_u64(sla_big *a, uint64_t v)
{
    reserve(a, 2);
    a->d[0] = (uint32_t)v;
    a->d[1] = (uint32_t)(v >> 32);
    a->n = 2;
    norm(a);
}

void sla_big_copy(sla_big *dst, const sla_big *src)
{
    if (dst == src)
        return;
    reserve(dst, src->n);
    if (src->n)
        memcpy(dst->d, src->d, src->n * sizeof *src->d);
    dst->n = src->n;
}

bool sla_big_is_zero(const sla_big *a) { return a->n == 0; }

bool sla_big_to_u64(const sla_big *a, uint64_t *out)
{
    if (a->n > 2)
        return false;
    *out = (a->n > 0 ? a->d[0] : 0) | (a->n > 1 ? (uint64_t)a->d[1] << 32 : 0);
    return true;
}

int sla_big_cmp(const sla_big *a, const sla_big *b)
{
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (size_t i = a->n; i-- > 0;)
        if (a->d[i] != b->d[i])
            return a->d[i] < b->d[i] ? -1 : 1;
    return 0;
}

void sla_big_mul_u64(sla_big *a, uint64_t m)
{
    if (a->n == 0)
        return;
    if (m == 0) {
        a->n = 0;
        return;
    }
    reserve(a, a->n + 2);
    unsigned __int128 carry = 0;
    for (size_t i = 0; i < a->n; i++) {
        carry += (unsigned __int128)a->d[i] * m;
        a->d[i] = (uint32_t)carry;
        carry >>= 32;
    }
    while (carry) {
        a->d[a->n++] = (uint32_t)carry;
        carry >>= 32;
    }
}

void sla_big_add(sla_big *a, const sla_big *b)
{
    const size_t n = a->n > b->n ? a->n : b->n;
    reserve(a, n + 1);
    for (size_t i = a->n; i < n; i++)
        a->d[i] = 0;
    uint64_t carry = 0;
    for (size_t i = 0; i < n; i++) {
        carry += (uint64_t)a->d[i] + (i < b->n ? b->d[i] : 0);
        a->d[i] = (uint32_t)carry;
        carry >>= 32;
    }
    a->n = n;
    if (carry)
        a->d[a->n++] = (uint32_t)carry;
}

void sla_big_sub(sla_big *a, const sla_big *b)
{
    int64_t borrow = 0;
    for (size_t i = 0; i < a->n; i++) {
        int64_t x = (int64_t)a->d[i] - (i < b->n ? b->d[i] : 0) - borrow;
        borrow = x < 0;
        if (x < 0)
            x += (int64_t)1 << 32;
        a->d[i] = (uint32_t)x;
    }
    norm(a);
}

uint64_t sla_big_mod_u64(const sla_big *a, uint64_t m)
{
    unsigned __int128 r = 0;
    for (size_t i = a->n; i-- > 0;)
        r = ((r << 32) | a->d[i]) % m;
    return (uint64_t)r;
}

void sla_big_mul(sla_big *out, const sla_big *a, const sla_big *b)
{
    if (a->n == 0 || b->n == 0) {
        out->n = 0;
        return;
    }
    reserve(out, a->n + b->n);
    memset(out->d, 0, (a->n + b->n) * sizeof *out->d);
    for (size_t i = 0; i < a->n; i++) {
        uint64_t carry = 0;
        for (size_t j = 0; j < b->n; j++) {
            const uint64_t t = (uint64_t)a->d[i] * b->d[j] + out->d[i + j] + carry;
            out->d[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        out->d[i + b->n] = (uint32_t)carry;
    }
    out->n = a->n + b->n;
    norm(out);
}

static size_t bit_len(const sla_big *a)
{
    if (a->n == 0)
        return 0;
    size_t bits = (a->n - 1) * 32;
    for (uint32_t top = a->d[a->n - 1]; top; top >>= 1)
        bits++;
    return bits;
}

static void shl1_or(sla_big *a, unsigned bit)
{
    reserve(a, a->n + 1);
    uint32_t carry = bit;
    for (size_t i = 0; i < a->n; i++) {
        const uint32_t next = a->d[i] >> 31;
        a->d[i] = (a->d[i] << 1) | carry;
        carry = next;
    }
    if (carry)
        a->d[a->n++] = carry;
}

static void shr(sla_big *a, size_t bits)
{
    const size_t limbs = bits / 32, r = bits % 32;
    if (limbs >= a->n) {
        a->n = 0;
        return;
    }
    for (size_t i = 0; i + limbs < a->n; i++) {
        uint64_t v = a->d[i + limbs] >> r;
        if (r && i + limbs + 1 < a->n)
            v |= (uint64_t)a->d[i + limbs + 1] << (32 - r);
        a->d[i] = (uint32_t)v;
    }
    a->n -= limbs;
    norm(a);
}

static size_t trailing_zeros(const sla_big *a)
{
    size_t z = 0;
    for (size_t i = 0; i < a->n; i++) {
        if (a->d[i] == 0) {
            z += 32;
            continue;
        }
        return z + (size_t)__builtin_ctz(a->d[i]);
    }
    return z;
}

void sla_big_divmod(const sla_big *a, const sla_big *b, sla_big *q, sla_big *r)
{
    sla_big rem = SLA_BIG_INIT, quo = SLA_BIG_INIT;
    if (b->n == 1) {
        /* Single-limb divisor: one pass. */
        reserve(&quo, a->n);
        quo.n = a->n;
        uint64_t rr = 0;
        for (size_t i = a->n; i-- > 0;) {
            const uint64_t cur = (rr << 32) | a->d[i];
            quo.d[i] = (uint32_t)(cur / b->d[0]);
            rr = cur % b->d[0];
        }
        norm(&quo);
        sla_big_set_u64(&rem, rr);
    } else {
        const size_t bits = bit_len(a);
        reserve(&quo, a->n);
        quo.n = a->n;
        if (a->n)
            memset(quo.d, 0, a->n * sizeof *quo.d);
        for (size_t i = bits; i-- > 0;) {
            shl1_or(&rem, (a->d[i / 32] >> (i % 32)) & 1);
            if (sla_big_cmp(&rem, b) >= 0) {
                sla_big_sub(&rem, b);
                quo.d[i / 32] |= (uint32_t)1 << (i % 32);
            }
        }
        norm(&quo);
    }
    if (q)
        sla_big_copy(q, &quo);
    if (r)
        sla_big_copy(r, &rem);
    sla_big_free(&quo);
    sla_big_free(&rem);
}

void sla_big_gcd(sla_big *out, const sla_big *a, const sla_big *b)
{
    if (a->n == 0) {
        sla_big_copy(out, b);
        return;
    }
    if (b->n == 0) {
        sla_big_copy(out, a);
        return;
    }
    sla_big u = SLA_BIG_INIT, v = SLA_BIG_INIT;
    sla_big_copy(&u, a);
    sla_big_copy(&v, b);
    const size_t zu = trailing_zeros(&u), zv = trailing_zeros(&v);
    const size_t shift = zu < zv ? zu : zv;
    shr(&u, zu);
    shr(&v, zv);
    for (;;) {
        /* both odd */
        const int c = sla_big_cmp(&u, &v);
        if (c == 0)
            break;
        if (c > 0) {
            sla_big_sub(&u, &v);
            shr(&u, trailing_zeros(&u));
        } else {
            sla_big_sub(&v, &u);
            shr(&v, trailing_zeros(&v));
        }
    }
    /* out = u << shift */
    sla_big_copy(out, &u);
    for (size_t i = 0; i < shift; i++)
        shl1_or(out, 0);
    sla_big_free(&u);
    sla_big_free(&v);
}

char *sla_big_to_dec(const sla_big *a)
{
    /* Peel 9 digits at a time. */
    const size_t max_digits = a->n * 10 + 2;
    char *buf = rsla_xmalloc(max_digits + 1);
    size_t pos = max_digits;
    buf[pos] = '\0';
    sla_big t = SLA_BIG_INIT;
    sla_big_copy(&t, a);
    do {
        uint64_t rr = 0;
        for (size_t i = t.n; i-- > 0;) {
            const uint64_t cur = (rr << 32) | t.d[i];
            t.d[i] = (uint32_t)(cur / 1000000000u);
            rr = cur % 1000000000u;
        }
        norm(&t);
        for (int k = 0; k < 9; k++) {
            buf[--pos] = (char)('0' + rr % 10);
            rr /= 10;
            if (t.n == 0 && rr == 0)
                break;
        }
    } while (t.n > 0);
    sla_big_free(&t);
    memmove(buf, buf + pos, max_digits - pos + 1);
    return buf;
}
