/* fuzz_canon.c — libFuzzer target for the meaning of values (canon.h):
 * any bytes as a text value canonicalise without a crash or a leak; the
 * canonical form is stable (a JSON document's canonical text, read again,
 * is kept as it is — the allocation-free path and cJSON's agree); a value
 * equals itself; and the input cut in two gives a cause without a crash. */
#include "core/canon.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct cval v = {CV_TEXT, s, size, 0, 0};
    struct cbuf a = {0}, b = {0};
    canon_append(&a, &v);
    if (a.oom)
        __builtin_trap();
    if (a.n > 1 && a.p[0] == 'j') {
        struct cval again = {CV_TEXT, a.p + 1, a.n - 1, 0, 0};
        canon_append(&b, &again);
        if (b.n != a.n || memcmp(a.p, b.p, a.n) != 0)
            __builtin_trap(); /* canonical JSON must be a fixed point */
    }
    if (!canon_equal(&v, &v))
        __builtin_trap();
    size_t half = size / 2;
    struct cval x = {CV_TEXT, s, half, 0, 0}, y = {CV_TEXT, s + half, size - half, 0, 0};
    if (!canon_equal(&x, &y))
        (void)canon_cause_name(canon_cause(&x, &y));
    cbuf_free(&a);
    cbuf_free(&b);
    return 0;
}
