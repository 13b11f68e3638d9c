/* sighist.c — the tiers of a signal's history (see sighist.h). A bucket
 * knows its own id, so a bucket the ring has not reached for a while (no
 * sample in its time) reads as empty: a gap, never a zero. */
#include "sighist.h"

#include <float.h>
#include <math.h>
#include <string.h>

static const int64_t tier_width[SIGHIST_TIERS] = {1000, 20000, 120000};

int64_t sighist_tier_ms(int tier)
{
    return tier_width[tier < 0 ? 0 : tier >= SIGHIST_TIERS ? SIGHIST_TIERS - 1 : tier];
}

int64_t sighist_tier_span_ms(int tier)
{
    return sighist_tier_ms(tier) * SIGHIST_BUCKETS;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static float as_float(double v)
{
    if (isfinite(v) && fabs(v) > FLT_MAX)
        return v > 0 ? INFINITY : -INFINITY;   /* past float's range: not undefined */
    return (float)v;
}

void sighist_add(struct sighist *h, int64_t ts_ms, int has_value, double value)
{
    int finite = has_value && !isnan(value);
    float f = finite ? as_float(value) : 0;
    for (int k = 0; k < SIGHIST_TIERS; k++) {
        int64_t id = floor_div(ts_ms, tier_width[k]);
        struct sighist_bucket *b = &h->b[k][(uint64_t)id % SIGHIST_BUCKETS];
        if (b->id != (uint32_t)id || !b->flags) {
            b->id = (uint32_t)id;
            b->flags = 0;
        }
        if (!finite) {
            b->flags |= SIGHIST_NODATA;
            continue;
        }
        if (!(b->flags & SIGHIST_VALUE)) {
            b->lo = b->hi = f;
            b->flags |= SIGHIST_VALUE;
        } else {
            b->lo = f < b->lo ? f : b->lo;
            b->hi = f > b->hi ? f : b->hi;
        }
    }
}

/* The finest tier whose ring still reaches back to t0 from now. */
static int tier_for(int64_t now_ms, int64_t t0)
{
    for (int k = 0; k < SIGHIST_TIERS; k++)
        if (now_ms - t0 < sighist_tier_span_ms(k) - tier_width[k])
            return k;
    return SIGHIST_TIERS - 1;
}

static void merge(struct sighist_cell *c, const struct sighist_bucket *b)
{
    if (b->flags & SIGHIST_VALUE) {
        if (!(c->flags & SIGHIST_VALUE)) {
            c->lo = b->lo;
            c->hi = b->hi;
        } else {
            c->lo = b->lo < c->lo ? b->lo : c->lo;
            c->hi = b->hi > c->hi ? b->hi : c->hi;
        }
    }
    c->flags |= b->flags;
}

int64_t sighist_columns(const struct sighist *h, int64_t now_ms, int64_t t0, int64_t cell_ms,
                        size_t n, struct sighist_cell *out)
{
    if (!h) {   /* a signal nothing charts: no history, every cell empty */
        memset(out, 0, n * sizeof *out);
        return tier_width[tier_for(now_ms, t0)];
    }
    int k = tier_for(now_ms, t0);
    int64_t w = tier_width[k];
    int64_t oldest = floor_div(now_ms, w) - SIGHIST_BUCKETS + 1;   /* still in the ring */
    if (cell_ms < 1)
        cell_ms = 1;
    for (size_t i = 0; i < n; i++) {
        struct sighist_cell *c = &out[i];
        memset(c, 0, sizeof *c);
        int64_t from = t0 + (int64_t)i * cell_ms, to = from + cell_ms - 1;
        int64_t a = floor_div(from, w), z = floor_div(to, w);
        if (a < oldest)
            a = oldest;
        for (int64_t id = a; id <= z; id++) {
            const struct sighist_bucket *b = &h->b[k][(uint64_t)id % SIGHIST_BUCKETS];
            if (b->flags && b->id == (uint32_t)id)
                merge(c, b);
        }
    }
    return w;
}
