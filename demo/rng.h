/* rng.h — a small per-thread random generator (splitmix64). Each thread
 * owns one, seeded from --seed and its index, so a run is repeatable in
 * what it draws and no thread ever waits on a shared generator's lock. */
#ifndef ORDERSIM_RNG_H
#define ORDERSIM_RNG_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

struct rng {
    uint64_t s;
};

static inline void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
    r->s = seed * 0x9E3779B97F4A7C15ULL + stream * 0xD1B54A32D192ED03ULL + 1;
}

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static inline double rng_uniform(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* True with probability p (never for p <= 0, always for p >= 1). */
static inline bool rng_chance(struct rng *r, double p)
{
    return p > 0 && rng_uniform(r) < p;
}

/* Uniform integer in [lo, hi]. */
static inline long long rng_range(struct rng *r, long long lo, long long hi)
{
    if (hi <= lo)
        return lo;
    return lo + (long long)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* Standard normal (Box-Muller; one of the pair is thrown away, which is
 * cheap next to the sleep it scales). */
static inline double rng_normal(struct rng *r)
{
    double u1 = 1.0 - rng_uniform(r); /* (0, 1]: log(0) never happens */
    double u2 = rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

#endif
