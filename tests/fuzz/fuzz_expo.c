/* fuzz_expo.c — libFuzzer target for the exposition parser: any bytes must
 * parse or fail without a crash, a leak or an out-of-bounds read; a failure
 * returns nothing partial; and what is accepted, written back in canonical
 * form, must parse again to the same samples (names, labels, values,
 * timestamps) — so that what the cockpit reads is exactly what was there.
 * The scrape source's labelling (core/scrape.h) must then give every sample
 * one job and one instance of the target's, and a label set the series
 * store accepts (no name twice, whatever clashes were exported). */
#include "core/expo.h"
#include "core/scrape.h"
#include "core/series.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct buf {
    char *s;
    size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s)
            __builtin_trap();
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
}

static void puts_(struct buf *b, const char *s) { put(b, s, strlen(s)); }

/* One sample as the text format writes it. */
static void render(struct buf *b, const struct expo_sample *s)
{
    puts_(b, s->name);
    puts_(b, "{");
    for (size_t i = 0; i < s->n_labels; i++) {
        puts_(b, s->labels[i].name);
        puts_(b, "=\"");
        for (const char *v = s->labels[i].value; *v; v++) {
            if (*v == '\\' || *v == '"')
                put(b, "\\", 1);
            if (*v == '\n')
                puts_(b, "\\n");
            else
                put(b, v, 1);
        }
        puts_(b, "\",");
    }
    char num[64];
    if (isnan(s->value))
        snprintf(num, sizeof num, "} NaN");
    else if (isinf(s->value))
        snprintf(num, sizeof num, "} %s", s->value > 0 ? "+Inf" : "-Inf");
    else
        snprintf(num, sizeof num, "} %.17g", s->value);
    puts_(b, num);
    if (s->has_timestamp) {
        snprintf(num, sizeof num, " %lld", (long long)s->timestamp_ms);
        puts_(b, num);
    }
    puts_(b, "\n");
}

static int same_value(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static size_t count_label(const struct expo_sample *s, const char *name, const char *value)
{
    size_t n = 0;
    for (size_t k = 0; k < s->n_labels; k++)
        n += strcmp(s->labels[k].name, name) == 0 && strcmp(s->labels[k].value, value) == 0;
    return n;
}

static void check_labelled(const struct expo *e)
{
    struct scrape_target t;
    struct error err;
    struct expo out;
    struct scrape_report r = {.up = 1, .duration_s = 0.001};
    if (scrape_target_init(&t, "fuzz", "http://127.0.0.1:9100/metrics", &err) != 0 ||
        scrape_label(e, &t, &r, NULL, &out, &err) != 0 || out.n_samples != e->n_samples + 4)
        __builtin_trap();
    for (size_t i = 0; i < out.n_samples; i++)
        if (count_label(&out.samples[i], "job", "fuzz") != 1 ||
            count_label(&out.samples[i], "instance", "127.0.0.1:9100") != 1)
            __builtin_trap();
    struct series_store *st = series_store_new(60000, 4);
    if (!st || series_store_ingest(st, &out, 1000, &err) != 0)
        __builtin_trap();
    series_store_free(st);
    scrape_labelled_free(&out);
    scrape_target_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct expo e;
    struct error err;
    if (expo_parse((const char *)data, size, &e, &err) != 0) {
        if (e.samples || e.n_samples || e.arena || strncmp(err.msg, "line ", 5) != 0)
            __builtin_trap();
        return 0;
    }
    struct buf b = {0};
    for (size_t i = 0; i < e.n_samples; i++) {
        const struct expo_sample *s = &e.samples[i];
        if (!s->name[0] || (s->n_labels && !s->labels) || s->type > EXPO_GAUGE_HISTOGRAM)
            __builtin_trap();
        for (size_t k = 0; k < s->n_labels; k++)
            if (!s->labels[k].name[0] || expo_label(s, s->labels[k].name) == NULL)
                __builtin_trap();
        render(&b, s);
    }
    /* A NUL inside a label value ends it as a C string, which can make two
     * series look alike; the round trip is only exact without NULs. */
    if (!memchr(data, 0, size)) {
        struct expo again;
        if (expo_parse(b.s ? b.s : "", b.len, &again, &err) != 0)
            __builtin_trap();
        if (again.n_samples != e.n_samples)
            __builtin_trap();
        for (size_t i = 0; i < e.n_samples; i++) {
            const struct expo_sample *x = &e.samples[i], *y = &again.samples[i];
            if (strcmp(x->name, y->name) != 0 || x->n_labels != y->n_labels ||
                !same_value(x->value, y->value) || x->has_timestamp != y->has_timestamp ||
                x->timestamp_ms != y->timestamp_ms)
                __builtin_trap();
            for (size_t k = 0; k < x->n_labels; k++)
                if (strcmp(x->labels[k].name, y->labels[k].name) != 0 ||
                    strcmp(x->labels[k].value, y->labels[k].value) != 0)
                    __builtin_trap();
        }
        expo_free(&again);
    }
    free(b.s);
    check_labelled(&e);
    expo_free(&e);
    return 0;
}
