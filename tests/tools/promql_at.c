/* promql_at.c — evaluates a signal expression with the scrape source's own
 * engine (core/series.h + core/promql.h), for the integration test against
 * the real Prometheus.
 *
 *   promql_at eval  --samples F.json... --at T_MS --expr EXPR
 *   promql_at exact --samples F.json... --at T_MS --expr EXPR --prom A.json
 *                   [--tolerance R]
 *   promql_at live  --url URL --seconds N [--interval-ms M] --expr EXPR...
 *   promql_at compare --value V --prom A.json [--tolerance R]
 *   promql_at times --samples F.json...
 *   promql_at labels --url URL --job NAME
 *
 * --samples reads Prometheus's answers to /api/v1/query?query=METRIC[RANGE]
 * (the raw samples it stored, with its own timestamps) and replays them
 * into a store one scrape time at a time. eval prints the value (or
 * "nodata: why" / "error: why"). exact also reads Prometheus's answer A.json
 * to the same expression at the same time and exits 0 when both agree:
 * numbers within R relative (default 1e-9), or both NaN, both empty, both
 * errors; it prints "ours=… prom=… reldiff=…". live scrapes URL itself
 * every M ms (default 1000) for N seconds and prints "T_MS VALUE" per
 * expression, evaluated at the last scrape's time; compare checks such a
 * value against Prometheus's answer as exact does; times prints the scrape
 * times found in the samples, one a line; labels scrapes URL once as the
 * scrape source does (core/scrape.h: target labels job=NAME and instance,
 * exported_* clashes, the report series) and prints every series it
 * stored as one JSON object of its labels a line. Exit 2: bad
 * usage/input. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/expo.h"
#include "core/number.h"
#include "core/promql.h"
#include "core/scrape.h"
#include "core/series.h"

#define MAX_EXPRS 16
#define MAX_FILES 64

struct args {
    const char *mode;
    const char *samples[MAX_FILES];
    int n_samples;
    const char *exprs[MAX_EXPRS];
    int n_exprs;
    const char *prom, *url, *value, *job;
    long long at_ms;
    double seconds, tolerance;
    long interval_ms;
};

static void die(const char *fmt, const char *what)
{
    fprintf(stderr, "promql_at: ");
    fprintf(stderr, fmt, what);
    fprintf(stderr, "\n");
    exit(2);
}

/* --- input ------------------------------------------------------------------ */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open %s", path);
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    size_t n;
    while (s && (n = fread(s + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap)
            s = realloc(s, cap *= 2);
    }
    fclose(f);
    if (!s)
        die("out of memory reading %s", path);
    s[len] = 0;
    return s;
}

/* data.result of a Prometheus API answer, or NULL with *error set. */
static const cJSON *api_result(const cJSON *root, const char **type, const char **error)
{
    const cJSON *status = cJSON_GetObjectItem(root, "status");
    if (!cJSON_IsString(status) || strcmp(status->valuestring, "success") != 0) {
        const cJSON *e = cJSON_GetObjectItem(root, "error");
        *error = cJSON_IsString(e) ? e->valuestring : "not a Prometheus answer";
        return NULL;
    }
    const cJSON *data = cJSON_GetObjectItem(root, "data");
    const cJSON *t = cJSON_GetObjectItem(data, "resultType");
    *type = cJSON_IsString(t) ? t->valuestring : "";
    return cJSON_GetObjectItem(data, "result");
}

/* [1700000000.123, "1.5"] */
static int api_point(const cJSON *pair, long long *t_ms, double *v)
{
    const cJSON *t = cJSON_GetArrayItem(pair, 0), *s = cJSON_GetArrayItem(pair, 1);
    if (!cJSON_IsNumber(t) || !cJSON_IsString(s) || number_parse(s->valuestring, v) != 0)
        return -1;
    *t_ms = llround(t->valuedouble * 1000);
    return 0;
}

/* --- replaying stored samples ------------------------------------------------- */

struct point {
    long long t_ms;
    double v;
    const cJSON *metric;
};

struct points {
    struct point *p;
    size_t n, cap;
};

static void collect_series(const cJSON *series, struct points *pts)
{
    const cJSON *metric = cJSON_GetObjectItem(series, "metric");
    const cJSON *pair;
    cJSON_ArrayForEach(pair, cJSON_GetObjectItem(series, "values"))
    {
        if (pts->n == pts->cap) {
            pts->cap = pts->cap ? pts->cap * 2 : 1024;
            pts->p = realloc(pts->p, pts->cap * sizeof *pts->p);
            if (!pts->p)
                die("%s", "out of memory");
        }
        struct point *p = &pts->p[pts->n];
        if (api_point(pair, &p->t_ms, &p->v) != 0)
            die("%s", "a sample is not [time, \"value\"]");
        p->metric = metric;
        pts->n++;
    }
}

static cJSON *collect_file(const char *path, struct points *pts)
{
    char *text = read_file(path);
    cJSON *root = cJSON_Parse(text);
    free(text);
    const char *type = "", *error = NULL;
    const cJSON *result = root ? api_result(root, &type, &error) : NULL;
    if (!result || strcmp(type, "matrix") != 0)
        die("%s is not a matrix answer from Prometheus", path);
    const cJSON *series;
    cJSON_ArrayForEach(series, result) collect_series(series, pts);
    return root;
}

static int by_time(const void *a, const void *b)
{
    long long x = ((const struct point *)a)->t_ms, y = ((const struct point *)b)->t_ms;
    return (x > y) - (x < y);
}

/* One sample from a point: name and labels from its series' metric object. */
static void point_sample(const struct point *p, struct expo_sample *s, struct expo_label *l)
{
    const cJSON *lbl;
    memset(s, 0, sizeof *s);
    s->labels = l;
    s->value = p->v;
    cJSON_ArrayForEach(lbl, p->metric)
    {
        if (strcmp(lbl->string, "__name__") == 0)
            s->name = lbl->valuestring;
        else
            l[s->n_labels++] = (struct expo_label){lbl->string, lbl->valuestring};
    }
}

/* Replays the points scrape by scrape: all points with one timestamp make
 * one scrape, as they came from one scrape of one target. */
static void replay(struct series_store *st, struct points *pts)
{
    qsort(pts->p, pts->n, sizeof *pts->p, by_time);
    struct expo_sample *s = calloc(pts->n + 1, sizeof *s);
    struct expo_label *l = calloc(pts->n * 32 + 1, sizeof *l);
    if (!s || !l)
        die("%s", "out of memory");
    for (size_t i = 0; i < pts->n;) {
        size_t j = i;
        for (; j < pts->n && pts->p[j].t_ms == pts->p[i].t_ms; j++)
            point_sample(&pts->p[j], &s[j - i], l + (j - i) * 32);
        struct expo e = {s, j - i, NULL, j - i};
        struct error err;
        if (series_store_ingest(st, &e, pts->p[i].t_ms, &err) != 0)
            die("ingest: %s", err.msg);
        i = j;
    }
    free(s);
    free(l);
}

/* --- evaluating and comparing --------------------------------------------------- */

struct outcome {
    int rc; /* as promql_eval: 1 value, 0 no data, -1 error */
    double v;
    int nan; /* no data because NaN */
    char why[512];
};

static struct outcome evaluate(const char *expr, const struct series_store *st, long long at)
{
    struct outcome o = {0};
    struct promql *q;
    struct error err = {{0}};
    if (promql_parse(expr, &q, &err) != 0)
        die("parse: %s", err.msg);
    o.rc = promql_eval(q, st, at, &o.v, &err);
    o.nan = o.rc == 0 && strstr(err.msg, "NaN") != NULL;
    snprintf(o.why, sizeof o.why, "%s", err.msg);
    promql_free(q);
    return o;
}

/* Prometheus's answer as an outcome: a vector of one or a scalar is a
 * value; an empty vector no data; several series or an error, an error. */
static struct outcome prom_outcome(const char *path)
{
    struct outcome o = {0};
    char *text = read_file(path);
    cJSON *root = cJSON_Parse(text);
    free(text);
    const char *type = "", *error = NULL;
    const cJSON *result = root ? api_result(root, &type, &error) : NULL;
    long long t;
    if (!result) {
        o.rc = -1;
        snprintf(o.why, sizeof o.why, "%s", error ? error : "unreadable answer");
    } else if (strcmp(type, "scalar") == 0) {
        o.rc = api_point(result, &t, &o.v) == 0 ? 1 : -1;
    } else if (cJSON_GetArraySize(result) != 1) {
        o.rc = cJSON_GetArraySize(result) == 0 ? 0 : -1;
        snprintf(o.why, sizeof o.why, "%d series", cJSON_GetArraySize(result));
    } else {
        const cJSON *value = cJSON_GetObjectItem(cJSON_GetArrayItem(result, 0), "value");
        o.rc = api_point(value, &t, &o.v) == 0 ? 1 : -1;
    }
    if (o.rc == 1 && isnan(o.v))
        o.rc = 0, o.nan = 1;
    cJSON_Delete(root);
    return o;
}

static double reldiff(double a, double b)
{
    if (a == b)
        return 0;
    if (isinf(a) || isinf(b) || isnan(a) || isnan(b))
        return INFINITY;
    return fabs(a - b) / fmax(fabs(a), fabs(b));
}

static void print_outcome(const char *who, const struct outcome *o)
{
    if (o->rc == 1)
        printf("%s=%.17g ", who, o->v);
    else if (o->rc == 0)
        printf("%s=%s ", who, o->nan ? "NaN" : "empty");
    else
        printf("%s=error(%s) ", who, o->why);
}

static int compare(const struct outcome *ours, const struct outcome *prom, double tol)
{
    print_outcome("ours", ours);
    print_outcome("prom", prom);
    if (ours->rc == 1 && prom->rc == 1) {
        double d = reldiff(ours->v, prom->v);
        printf("reldiff=%.3g\n", d);
        return d <= tol ? 0 : 1;
    }
    printf("reldiff=%s\n", ours->rc == prom->rc && ours->nan == prom->nan ? "0" : "inf");
    return ours->rc == prom->rc && ours->nan == prom->nan ? 0 : 1;
}

static struct series_store *store_from_samples(const struct args *a, cJSON **roots)
{
    struct points pts = {0};
    for (int i = 0; i < a->n_samples; i++)
        roots[i] = collect_file(a->samples[i], &pts);
    struct series_store *st = series_store_new(INT64_C(1) << 50, 1u << 20);
    if (!st)
        die("%s", "out of memory");
    replay(st, &pts);
    free(pts.p);
    return st;
}

static int run_offline(const struct args *a)
{
    cJSON *roots[MAX_FILES];
    struct series_store *st = store_from_samples(a, roots);
    struct outcome ours = evaluate(a->exprs[0], st, a->at_ms);
    int rc = 0;
    if (strcmp(a->mode, "exact") == 0) {
        struct outcome prom = prom_outcome(a->prom);
        rc = compare(&ours, &prom, a->tolerance);
    } else {
        print_outcome("value", &ours);
        printf("\n");
    }
    series_store_free(st);
    for (int i = 0; i < a->n_samples; i++)
        cJSON_Delete(roots[i]);
    return rc;
}

static int run_times(const struct args *a)
{
    struct points pts = {0};
    cJSON *roots[MAX_FILES];
    for (int i = 0; i < a->n_samples; i++)
        roots[i] = collect_file(a->samples[i], &pts);
    qsort(pts.p, pts.n, sizeof *pts.p, by_time);
    for (size_t i = 0; i < pts.n; i++)
        if (i == 0 || pts.p[i].t_ms != pts.p[i - 1].t_ms)
            printf("%lld\n", pts.p[i].t_ms);
    free(pts.p);
    for (int i = 0; i < a->n_samples; i++)
        cJSON_Delete(roots[i]);
    return 0;
}

/* --- live scraping -------------------------------------------------------------------- */

struct body {
    char *s;
    size_t len;
};

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    struct body *b = ctx;
    char *s = realloc(b->s, b->len + size * n + 1);
    if (!s)
        return 0;
    memcpy(s + b->len, p, size * n);
    b->s = s;
    b->len += size * n;
    s[b->len] = 0;
    return size * n;
}

static long long wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_until(long long ms)
{
    long long d = ms - wall_ms();
    if (d > 0)
        nanosleep(&(struct timespec){d / 1000, (d % 1000) * 1000000}, NULL);
}

/* One scrape into the store; a failed one counts as empty (all stale). */
static void scrape_once(CURL *c, struct series_store *st, long long t)
{
    struct body b = {0};
    struct expo e = {0};
    struct error err;
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    int ok = curl_easy_perform(c) == CURLE_OK && b.s && expo_parse(b.s, b.len, &e, &err) == 0;
    if (!ok)
        fprintf(stderr, "promql_at: scrape at %lld failed\n", t);
    if (series_store_ingest(st, ok ? &e : NULL, t, &err) != 0)
        die("ingest: %s", err.msg);
    if (ok)
        expo_free(&e);
    free(b.s);
}

static int run_live(const struct args *a)
{
    struct series_store *st = series_store_new(10 * 60 * 1000, 100000);
    CURL *c = curl_easy_init();
    if (!st || !c)
        die("%s", "cannot start");
    curl_easy_setopt(c, CURLOPT_URL, a->url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 900L);
    long long start = wall_ms(), t = start;
    for (long long next = start; next < start + (long long)(a->seconds * 1000);
         next += a->interval_ms) {
        sleep_until(next);
        t = wall_ms();
        scrape_once(c, st, t);
    }
    for (int i = 0; i < a->n_exprs; i++) {
        struct outcome o = evaluate(a->exprs[i], st, t);
        printf("%lld ", t);
        print_outcome("value", &o);
        printf("\n");
    }
    curl_easy_cleanup(c);
    series_store_free(st);
    return 0;
}

/* One scrape as the scrape source stores it; every series' labels. */
static int run_labels(const struct args *a)
{
    struct series_store *st = series_store_new(10 * 60 * 1000, 10);
    struct scrape_target tgt;
    struct error err = {{0}};
    CURL *c = curl_easy_init();
    struct body b = {0};
    struct expo e = {0}, lab = {0};
    if (!st || !c || scrape_target_init(&tgt, a->job, a->url, &err) != 0)
        die("cannot start: %s", err.msg);
    curl_easy_setopt(c, CURLOPT_URL, a->url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
    long long t0 = wall_ms();
    if (curl_easy_perform(c) != CURLE_OK || !b.s || expo_parse(b.s, b.len, &e, &err) != 0)
        die("scrape failed: %s", err.msg);
    struct scrape_report rep = {.up = 1, .duration_s = (wall_ms() - t0) / 1000.0};
    if (scrape_label(&e, &tgt, &rep, NULL, &lab, &err) != 0 ||
        series_store_ingest(st, &lab, t0, &err) != 0)
        die("store: %s", err.msg);
    size_t cur = 0;
    const struct series *sr;
    while ((sr = series_store_next(st, NULL, 0, &cur))) {
        size_t n;
        const struct series_label *l = series_labels(sr, &n);
        cJSON *o = cJSON_CreateObject();
        for (size_t i = 0; i < n; i++)
            cJSON_AddStringToObject(o, l[i].name, l[i].value);
        char *text = cJSON_PrintUnformatted(o);
        printf("%s\n", text);
        free(text);
        cJSON_Delete(o);
    }
    scrape_labelled_free(&lab);
    expo_free(&e);
    free(b.s);
    scrape_target_free(&tgt);
    curl_easy_cleanup(c);
    series_store_free(st);
    return 0;
}

/* --- command line ------------------------------------------------------------------------ */

static void parse_args(int argc, char **argv, struct args *a)
{
    memset(a, 0, sizeof *a);
    a->tolerance = 1e-9;
    a->interval_ms = 1000;
    a->at_ms = -1;
    if (argc < 2)
        die("%s", "usage: promql_at eval|exact|live ... (see the file's comment)");
    a->mode = argv[1];
    const char *opt = "";
    for (int i = 2; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) == 0) {
            opt = argv[i];
            if (i + 1 >= argc)
                die("%s needs a value", opt);
            continue;
        }
        if (strcmp(opt, "--samples") == 0 && a->n_samples < MAX_FILES)
            a->samples[a->n_samples++] = argv[i];
        else if (strcmp(opt, "--expr") == 0 && a->n_exprs < MAX_EXPRS)
            a->exprs[a->n_exprs++] = argv[i];
        else if (strcmp(opt, "--at") == 0)
            a->at_ms = atoll(argv[i]);
        else if (strcmp(opt, "--prom") == 0)
            a->prom = argv[i];
        else if (strcmp(opt, "--value") == 0)
            a->value = argv[i];
        else if (strcmp(opt, "--url") == 0)
            a->url = argv[i];
        else if (strcmp(opt, "--job") == 0)
            a->job = argv[i];
        else if (strcmp(opt, "--seconds") == 0)
            a->seconds = atof(argv[i]);
        else if (strcmp(opt, "--interval-ms") == 0)
            a->interval_ms = atol(argv[i]);
        else if (strcmp(opt, "--tolerance") == 0)
            a->tolerance = atof(argv[i]);
        else
            die("unexpected argument %s", argv[i]);
    }
    if (a->n_exprs == 0 && strcmp(a->mode, "compare") != 0 && strcmp(a->mode, "times") != 0 &&
        strcmp(a->mode, "labels") != 0)
        die("%s", "no --expr");
}

/* A value as live prints it: a number, "NaN" or "empty". */
static int run_compare(const struct args *a)
{
    struct outcome ours = {.rc = 1};
    if (!a->value || !a->prom)
        die("%s", "compare needs --value and --prom");
    if (strcmp(a->value, "empty") == 0)
        ours.rc = 0;
    else if (strcmp(a->value, "NaN") == 0)
        ours.rc = 0, ours.nan = 1;
    else if (number_parse(a->value, &ours.v) != 0)
        die("not a value: %s", a->value);
    struct outcome prom = prom_outcome(a->prom);
    return compare(&ours, &prom, a->tolerance);
}

int main(int argc, char **argv)
{
    struct args a;
    parse_args(argc, argv, &a);
    if (strcmp(a.mode, "live") == 0) {
        if (!a.url || a.seconds <= 0 || a.interval_ms <= 0)
            die("%s", "live needs --url and --seconds");
        return run_live(&a);
    }
    if (strcmp(a.mode, "compare") == 0)
        return run_compare(&a);
    if (strcmp(a.mode, "times") == 0)
        return run_times(&a);
    if (strcmp(a.mode, "labels") == 0) {
        if (!a.url || !a.job)
            die("%s", "labels needs --url and --job");
        return run_labels(&a);
    }
    if (strcmp(a.mode, "eval") != 0 && strcmp(a.mode, "exact") != 0)
        die("unknown mode %s", a.mode);
    if (a.n_samples == 0 || a.at_ms < 0 || (strcmp(a.mode, "exact") == 0 && !a.prom))
        die("%s", "eval and exact need --samples and --at (exact also --prom)");
    return run_offline(&a);
}
