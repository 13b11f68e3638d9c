/* expo_check.c — parses exposition files with core/expo.c, for the shell
 * suites that feed it real programs' /metrics. Usage:
 *   expo_check [--dump] FILE...
 * prints "FILE: N samples, M families" for each file, or "FILE: ERROR", and
 * exits 1 if any file failed. --dump also prints every sample first, one a
 * line, in a canonical form a test can compare with what Prometheus stored:
 *   TYPE TIMESTAMP|- name{label="value",...} VALUE
 * with labels sorted by name, values escaped as the format escapes them, and
 * the value as %.17g, NaN, +Inf or -Inf. */
#include "core/expo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *type_name(enum expo_type t)
{
    switch (t) {
    case EXPO_COUNTER: return "counter";
    case EXPO_GAUGE: return "gauge";
    case EXPO_HISTOGRAM: return "histogram";
    case EXPO_SUMMARY: return "summary";
    case EXPO_GAUGE_HISTOGRAM: return "gaugehistogram";
    case EXPO_UNTYPED: break;
    }
    return "untyped";
}

/* Reads a whole file; NULs and all. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *s = malloc(cap);
    size_t got;
    while (s && (got = fread(s + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *t = realloc(s, cap *= 2);
            if (!t)
                free(s);
            s = t;
        }
    }
    if (s && ferror(f)) {
        free(s);
        s = NULL;
    }
    fclose(f);
    *len = n;
    return s;
}

static int cmp_label(const void *a, const void *b)
{
    return strcmp(((const struct expo_label *)a)->name, ((const struct expo_label *)b)->name);
}

static void dump(const struct expo_sample *s)
{
    struct expo_label *sorted = malloc((s->n_labels + 1) * sizeof *sorted);
    if (!sorted)
        abort();
    memcpy(sorted, s->labels, s->n_labels * sizeof *sorted);
    qsort(sorted, s->n_labels, sizeof *sorted, cmp_label);
    printf("%s ", type_name(s->type));
    if (s->has_timestamp)
        printf("%lld ", (long long)s->timestamp_ms);
    else
        printf("- ");
    printf("%s{", s->name);
    for (size_t i = 0; i < s->n_labels; i++) {
        printf("%s%s=\"", i ? "," : "", sorted[i].name);
        for (const char *v = sorted[i].value; *v; v++) {
            if (*v == '\\' || *v == '"')
                printf("\\%c", *v);
            else if (*v == '\n')
                printf("\\n");
            else
                putchar(*v);
        }
        putchar('"');
    }
    free(sorted);
    if (isnan(s->value))
        printf("} NaN\n");
    else if (isinf(s->value))
        printf("} %s\n", s->value > 0 ? "+Inf" : "-Inf");
    else
        printf("} %.17g\n", s->value);
}

/* A family is the TYPE'd name a sample belongs to: histogram "h" for
 * h_bucket, h_sum and h_count; summary "s" for s_sum and s_count. */
static size_t family_len(const struct expo_sample *s)
{
    static const char *sfx[] = {"_bucket", "_sum", "_count"};
    size_t n = strlen(s->name);
    for (size_t k = 0; k < 3; k++) {
        size_t l = strlen(sfx[k]);
        int fits = s->type == EXPO_HISTOGRAM || (s->type == EXPO_SUMMARY && k > 0);
        if (fits && n > l && strcmp(s->name + n - l, sfx[k]) == 0)
            return n - l;
    }
    return n;
}

struct fam {
    const char *name;
    size_t len;
};

static int cmp_fam(const void *a, const void *b)
{
    const struct fam *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static size_t count_families(const struct expo *e)
{
    if (e->n_samples == 0)
        return 0;
    struct fam *f = malloc(e->n_samples * sizeof *f);
    if (!f)
        return 0;
    for (size_t i = 0; i < e->n_samples; i++)
        f[i] = (struct fam){e->samples[i].name, family_len(&e->samples[i])};
    qsort(f, e->n_samples, sizeof *f, cmp_fam);
    size_t n = 1;
    for (size_t i = 1; i < e->n_samples; i++)
        n += cmp_fam(&f[i - 1], &f[i]) != 0;
    free(f);
    return n;
}

int main(int argc, char **argv)
{
    int dump_samples = 0, failed = 0, files = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dump") == 0) {
            dump_samples = 1;
            continue;
        }
        files++;
        size_t len = 0;
        char *text = slurp(argv[i], &len);
        if (!text) {
            printf("%s: cannot read\n", argv[i]);
            failed = 1;
            continue;
        }
        struct expo e;
        struct error err;
        if (expo_parse(text, len, &e, &err) != 0) {
            printf("%s: %s\n", argv[i], err.msg);
            failed = 1;
        } else {
            if (dump_samples)
                for (size_t k = 0; k < e.n_samples; k++)
                    dump(&e.samples[k]);
            printf("%s: %zu samples, %zu families\n", argv[i], e.n_samples, count_families(&e));
            expo_free(&e);
        }
        free(text);
    }
    if (!files) {
        fprintf(stderr, "usage: expo_check [--dump] FILE...\n");
        return 2;
    }
    return failed;
}
