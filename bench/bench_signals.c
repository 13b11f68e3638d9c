/* bench_signals.c — the signal figures of issue 3, each against a
 * baseline in the same run:
 *   1. parse time of a 10,000-series exposition (goal <= 20 ms), against a
 *      plain scan of the same bytes (every line split at its last space and
 *      the value read with strtod) — the least any parser must do;
 *   2. memory after an hour of 1 s polls of 8 signals (goal: bounded, under
 *      20 MB RSS): the scrape store, 8 expressions evaluated each second and
 *      the session folding 8 samples a second, with time as an argument, so
 *      the hour takes seconds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_clock.h"
#include "core/expo.h"
#include "core/number.h"
#include "core/promql.h"
#include "core/series.h"
#include "core/session.h"

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

/* n series: histograms (10 buckets each), counters and gauges. */
static char *exposition(size_t n, double t, size_t *len)
{
    static const char *les[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"};
    size_t cap = n * 120 + 4096, used = 0, series = 0;
    char *s = malloc(cap);
#define PUT(...) used += (size_t)snprintf(s + used, cap - used, __VA_ARGS__)
    PUT("# TYPE read_seconds histogram\n");
    for (int h = 0; series < n && h < 400; h++)
        for (int b = 0; b < 10 && series < n; b++, series++)
            PUT("read_seconds_bucket{backend=\"%s\",shard=\"%d\",le=\"%s\"} %.0f\n",
                h % 2 ? "new" : "old", h / 2, les[b], t * 10 * (b + 1));
    PUT("# TYPE migration_dual_write_total counter\n");
    for (int c = 0; series < n; c++, series++)
        PUT("migration_dual_write_total{shard=\"%d\"} %.0f\n", c, t * 50);
#undef PUT
    *len = used;
    return s;
}

/* The baseline: split each line at its last space and read the value. */
static double plain_scan(const char *s, size_t len)
{
    double sum = 0;
    const char *end = s + len;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl)
            break;
        if (*s != '#') {
            const char *sp = nl;
            while (sp > s && sp[-1] != ' ')
                sp--;
            sum += number_strtod(sp, NULL);
        }
        s = nl + 1;
    }
    return sum;
}

static void bench_parse(void)
{
    size_t len;
    char *text = exposition(10000, 1000, &len);
    double best = 1e9, best_scan = 1e9, sink = 0;
    for (int i = 0; i < 20; i++) {
        struct expo e = {0};
        struct error err = {{0}};
        double t0 = now_s();
        if (expo_parse(text, len, &e, &err) != 0) {
            fprintf(stderr, "parse failed: %s\n", err.msg);
            exit(1);
        }
        double t = now_s() - t0;
        best = t < best ? t : best;
        expo_free(&e);
        t0 = now_s();
        sink += plain_scan(text, len);
        t = now_s() - t0;
        best_scan = t < best_scan ? t : best_scan;
    }
    printf("signals: exposition of 10,000 series (%zu KiB): expo_parse %.2f ms (goal <= 20 ms) %s\n",
           len / 1024, best * 1e3, best * 1e3 <= 20 ? "MET" : "MISSED");
    printf("signals: baseline plain line scan of the same bytes: %.2f ms; ratio %.1f (sink %g)\n",
           best_scan * 1e3, best / best_scan, sink > 0 ? 1.0 : 0.0);
    free(text);
}

static const char *const EXPRS[8] = {
    "sum(rate(migration_dual_write_total[1m]))",
    "histogram_quantile(0.99, sum by (le) (rate(read_seconds_bucket{backend=\"new\"}[1m])))",
    "histogram_quantile(0.99, sum by (le) (rate(read_seconds_bucket{backend=\"old\"}[1m])))",
    "histogram_quantile(0.99, sum by (le) (rate(read_seconds_bucket{backend=\"new\"}[1m]))) / "
    "histogram_quantile(0.99, sum by (le) (rate(read_seconds_bucket{backend=\"old\"}[1m])))",
    "sum(rate(read_seconds_count{backend=\"new\"}[5m]))",
    "sum(increase(migration_dual_write_total[1m]))",
    "sum(rate(read_seconds_sum[1m])) / sum(rate(read_seconds_count[1m]))",
    "sum(rate(migration_dual_write_total[5m]))",
};

static void bench_hour(void)
{
    static const char RUNBOOK[] =
        "# Bench\n\n## Roles\n- commander: A\n\n## Systems\n- metrics: scrape `http://x`\n\n"
        "## Signals\n- s0: `a`\n- s1: `a`\n- s2: `a`\n- s3: `a`\n- s4: `a`\n- s5: `a`\n- s6: `a`\n- s7: `a`\n\n"
        "## Phase 1: P\n- [ ] commander: x\n\n## Rollback\n### Phase 1\nx\n";
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("bench.md", RUNBOOK, strlen(RUNBOOK), &pr);
    struct session s;
    session_init(&s, rb);
    struct series_store *st = series_store_new(10 * 60 * 1000, 1200);
    struct promql *q[8];
    struct error err = {{0}};
    for (int i = 0; i < 8; i++) {
        if (promql_parse(EXPRS[i], &q[i], &err) != 0) {
            fprintf(stderr, "%s: %s\n", EXPRS[i], err.msg);
            exit(1);
        }
        promql_want(q[i], st);
    }
    long before = rss_kib();
    double t0 = now_s();
    int64_t seq = 0;
    long after_10min = 0;
    for (int sec = 0; sec < 3600; sec++) {
        size_t len;
        char *text = exposition(400, sec, &len);   /* ~4 KiB of series scraped */
        struct expo e = {0};
        int64_t t = (int64_t)sec * 1000;
        if (expo_parse(text, len, &e, &err) != 0 || series_store_ingest(st, &e, t, &err) != 0) {
            fprintf(stderr, "ingest: %s\n", err.msg);
            exit(1);
        }
        expo_free(&e);
        free(text);
        for (int i = 0; i < 8; i++) {
            double v = NAN;
            int rc = promql_eval(q[i], st, t, &v, &err);
            char name[4] = {'s', (char)('0' + i), 0, 0};
            struct journal_sample sample = {.seq = ++seq, .ts_ms = t, .signal = name, .value = v,
                                            .has_value = rc == 1, .status = rc == 1 ? "ok" : err.msg};
            session_apply_sample(&s, &sample);
        }
        if (sec == 600)
            after_10min = rss_kib();
    }
    long after = rss_kib();
    printf("signals: an hour of 8 signals at 1 s (scrape store %zu series, %zu KiB held): "
           "RSS %ld -> %ld KiB after 10 min -> %ld KiB after 60 min (goal: bounded, < 20 MB) %s\n",
           series_store_count(st), series_store_memory(st) / 1024, before, after_10min, after,
           after < 20 * 1024 && after - after_10min < 1024 ? "MET" : "MISSED");
    printf("signals: the simulated hour took %.2f s of CPU-bound work (%.2f ms per second of ceremony)\n",
           now_s() - t0, (now_s() - t0) / 3.6);
    for (int i = 0; i < 8; i++)
        promql_free(q[i]);
    series_store_free(st);
    session_free(&s);
    runbook_free(rb);
    rb_problems_free(&pr);
}

int main(void)
{
    bench_parse();
    bench_hour();
    return 0;
}
