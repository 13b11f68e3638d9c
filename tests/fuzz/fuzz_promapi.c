/* fuzz_promapi.c — libFuzzer target: any bytes as a Prometheus query answer. */
#include <stddef.h>
#include <stdint.h>

#include "core/promapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    double v;
    struct error err;
    promapi_parse((const char *)data, size, &v, &err);
    return 0;
}
