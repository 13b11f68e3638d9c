/* fuzz_promql.c — libFuzzer target for the scrape source's PromQL: any
 * bytes must parse or fail with a message (never crash, leak or read out of
 * bounds), and whatever parses must evaluate over a small store — counters
 * with a reset, a histogram, a stale series, NaN and Inf values — with a
 * result that keeps promql_eval's contract. */
#include "core/promql.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct series_store *store;

static void add(int64_t t, const struct expo_sample *s, size_t n)
{
    struct expo e = {(struct expo_sample *)s, n, NULL};
    struct error err;
    if (series_store_ingest(store, &e, t, &err) != 0)
        __builtin_trap();
}

/* Six scrapes 10 s apart; "gone" disappears after the third. */
static void build_store(void)
{
    static const struct expo_label old = {"backend", "old"}, fresh = {"backend", "new"};
    static const char *le[] = {"0.1", "0.5", "1", "+Inf"};
    store = series_store_new(600000, 1000);
    for (int i = 0; i < 6; i++) {
        struct expo_label l[2][4][2];
        struct expo_sample s[16];
        size_t n = 0;
        double c = i == 3 ? 5 : i * 100.0; /* a counter reset at the 4th scrape */
        s[n++] = (struct expo_sample){"req_total", &old, 1, c, 0, 0, EXPO_COUNTER};
        s[n++] = (struct expo_sample){"req_total", &fresh, 1, c * 2, 0, 0, EXPO_COUNTER};
        s[n++] = (struct expo_sample){"lag", NULL, 0, i == 2 ? NAN : i, 0, 0, EXPO_GAUGE};
        s[n++] = (struct expo_sample){"inf", NULL, 0, INFINITY, 0, 0, EXPO_GAUGE};
        if (i < 3)
            s[n++] = (struct expo_sample){"gone", NULL, 0, 1, 0, 0, EXPO_GAUGE};
        for (int b = 0; b < 2; b++)
            for (int k = 0; k < 4; k++) {
                l[b][k][0] = b ? fresh : old;
                l[b][k][1] = (struct expo_label){"le", le[k]};
                s[n++] = (struct expo_sample){"h_bucket", l[b][k], 2, i * (k + 1.0) * (b + 1),
                                              0, 0, EXPO_HISTOGRAM};
            }
        add(i * 10000, s, n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!store)
        build_store();
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    struct promql *q = NULL;
    struct error err = {{0}};
    if (promql_parse(text, &q, &err) != 0) {
        if (q || !err.msg[0] || strlen(err.msg) >= sizeof err.msg)
            __builtin_trap();
    } else {
        if (promql_max_range_ms(q) < 0)
            __builtin_trap();
        static const int64_t at[] = {0, 25000, 50000, 400000};
        for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
            double v;
            int rc = promql_eval(q, store, at[i], &v, &err);
            if (rc < -1 || rc > 1 || (rc == 1 && isnan(v)) || (rc != 1 && !isnan(v)))
                __builtin_trap();
        }
        promql_free(q);
    }
    free(text);
    return 0;
}
