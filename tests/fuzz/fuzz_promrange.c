/* fuzz_promrange.c — libFuzzer target: any bytes as a query_range answer,
 * read twice into one accumulator (as two pages are), so the boundary and
 * one-series checks run on what the first read left. */
#include <stddef.h>
#include <stdint.h>

#include "core/promrange.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct promrange_points p = {0};
    struct error err;
    size_t half = size / 2;
    promrange_parse((const char *)data, half, &p, &err);
    promrange_parse((const char *)data + half, size - half, &p, &err);
    for (size_t i = 1; i < p.n; i++)
        if (p.v[i].t_ms <= p.v[i - 1].t_ms)
            __builtin_trap();   /* oldest first, each time once */
    promrange_points_free(&p);
    return 0;
}
