/* fuzz_pgbinary.c — libFuzzer target: any bytes as COPY binary messages
 * from old (core/pgbinary.h): the first byte picks the columns' types and
 * which go to jsonb, the rest is cut into messages at 0xFE bytes; every
 * message is passed on and its fields read as keys. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pgbinary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const unsigned oids[] = {20, 21, 23, 25, 1043, 2950, 1700, 114};
    struct pgbinary b;
    memset(&b, 0, sizeof b);
    b.on = 1;
    b.n_cols = (size_t)(data[0] & 3) + 1;
    for (size_t i = 0; i < b.n_cols; i++) {
        b.key_oid[i] = oids[(data[0] >> (2 + i)) & 7];
        b.to_jsonb[i] = (data[0] >> (4 + i)) & 1;
    }
    size_t at = 1;
    while (at < size) {
        size_t end = at;
        while (end < size && data[end] != 0xFE)
            end++;
        char *out = NULL;
        int n = 0;
        const char *m = (const char *)data + at;
        int len = (int)(end - at);
        if (pgbinary_message(&b, m, len, &out, &n) >= 0 && out != m)
            free(out);
        for (int f = 0; f < 5; f++)
            free(pgbinary_field(&b, m, len, f));
        at = end + 1;
    }
    return 0;
}
