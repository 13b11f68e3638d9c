/* compare.c — the comparison's front (compare.h): the plain whole run, and
 * the Wilson score interval a sample's rate is given with. The engine,
 * for every pair of stores, is pgcompare.c. */
#include "compare.h"

#include <math.h>

#include "pgcompare.h"

int compare_run(struct datajob *j, compare_fn fn, void *ctx, struct compare_result *r,
                struct error *err)
{
    struct compare_opts o = {.on_divergence = fn, .ctx = ctx};
    return compare_run_opts(j, &o, r, err);
}

int compare_run_opts(struct datajob *j, const struct compare_opts *o,
                     struct compare_result *r, struct error *err)
{
    return pgcompare_run(j, o, r, err);
}

/* Wilson's interval rather than the normal one: it stays inside [0, 1]
 * and keeps its coverage when the rate is near 0, the usual case of a
 * divergence rate, where p ± z·sqrt(p(1-p)/n) collapses to [0, 0]. */
void compare_wilson(int64_t d, int64_t n, double *low, double *high)
{
    if (n <= 0) {
        *low = 0;
        *high = 1;
        return;
    }
    const double z = 1.959963984540054;
    double nn = (double)n, p = (double)d / nn, z2 = z * z;
    double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
    double half = z / (1 + z2 / nn) * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    *low = centre - half < 0 ? 0 : centre - half;
    *high = centre + half > 1 ? 1 : centre + half;
    if (d == 0)
        *low = 0;
    if (d == n)
        *high = 1;
}
