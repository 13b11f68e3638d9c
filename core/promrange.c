/* promrange.c — reading a signal's history with query_range, paged.
 * Answer shape (values are strings; times are seconds with a fraction):
 *   {"status":"success","data":{"resultType":"matrix",
 *     "result":[{"metric":{…},"values":[[1795183216,"0.0005"],…]}]}}
 * Prometheus leaves out the steps where the expression has no value, so
 * a hole in the history is a hole in the points, which the judge sees as
 * a gap; it never invents a value for one. */
#include "promrange.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "envsubst.h"
#include "http.h"
#include "number.h"
#include "redact.h"

/* More points than this in one read is a step chosen too fine by mistake
 * (92 days at 1 s are 8 million): refused in words, not allocated. */
#define PROMRANGE_MAX_TOTAL 2000000

int64_t promrange_step(int64_t window_ms, int64_t interval_ms)
{
    int64_t step = interval_ms > 0 ? interval_ms : 1000;
    int64_t fine = window_ms > 0 ? (window_ms + PROMRANGE_TARGET_POINTS - 1) / PROMRANGE_TARGET_POINTS
                                 : 0;
    if (fine > step)
        step = fine;
    step = (step + 999) / 1000 * 1000;
    return step < 1000 ? 1000 : step;
}

int64_t promrange_points(int64_t from_ms, int64_t to_ms, int64_t step_ms)
{
    if (to_ms < from_ms || step_ms <= 0)
        return 0;
    return (to_ms - from_ms) / step_ms + 1;
}

static int64_t page_points(int max_points)
{
    return max_points > 0 ? max_points : PROMRANGE_MAX_POINTS;
}

size_t promrange_page_count(int64_t from_ms, int64_t to_ms, int64_t step_ms, int max_points)
{
    int64_t pts = promrange_points(from_ms, to_ms, step_ms), per = page_points(max_points);
    return (size_t)((pts + per - 1) / per);
}

struct promrange_page promrange_page_at(int64_t from_ms, int64_t to_ms, int64_t step_ms,
                                        int max_points, size_t i)
{
    int64_t per = page_points(max_points);
    struct promrange_page p;
    p.start_ms = from_ms + (int64_t)i * per * step_ms;
    p.end_ms = p.start_ms + (per - 1) * step_ms;
    if (p.end_ms > to_ms)
        p.end_ms = to_ms;
    return p;
}

void promrange_points_free(struct promrange_points *p)
{
    free(p->v);
    free(p->metric);
    memset(p, 0, sizeof *p);
}

static int push(struct promrange_points *out, int64_t t_ms, double value)
{
    if (out->n && t_ms <= out->v[out->n - 1].t_ms)
        return 0;   /* a boundary point again, or out of order: the first one stands */
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 1024;
        struct gate_point *v = realloc(out->v, cap * sizeof *v);
        if (!v)
            return -1;
        out->v = v;
        out->cap = cap;
    }
    out->v[out->n++] = (struct gate_point){t_ms, value};
    return 0;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The one series' labels; a later page must name the same series. */
static int same_series(const cJSON *metric, struct promrange_points *out, struct error *err)
{
    char *m = cJSON_IsObject(metric) ? cJSON_PrintUnformatted(metric) : strdup("{}");
    if (!m) {
        error_set(err, "out of memory");
        return -1;
    }
    if (!out->metric) {
        out->metric = m;
        return 0;
    }
    int same = strcmp(out->metric, m) == 0;
    if (!same)
        error_set(err, "the expression gave series %.150s and later %.150s; a gate needs one "
                       "series over the whole window (aggregate it, e.g. with max() or sum())",
                  out->metric, m);
    free(m);
    return same ? 0 : -1;
}

static int read_values(const cJSON *values, struct promrange_points *out, struct error *err)
{
    if (!cJSON_IsArray(values)) {
        error_set(err, "prometheus answer: a series without \"values\"");
        return -1;
    }
    const cJSON *pair;
    cJSON_ArrayForEach(pair, values) {
        const cJSON *t = cJSON_IsArray(pair) && cJSON_GetArraySize(pair) == 2
                             ? cJSON_GetArrayItem(pair, 0) : NULL;
        const cJSON *v = t ? cJSON_GetArrayItem(pair, 1) : NULL;
        double value;
        if (!cJSON_IsNumber(t) || !isfinite(t->valuedouble) || fabs(t->valuedouble) > 1e13 ||
            !cJSON_IsString(v)) {
            error_set(err, "prometheus answer: a sample is not [time, \"value\"]");
            return -1;
        }
        if (number_parse(v->valuestring, &value) != 0) {
            error_set(err, "prometheus answer: value \"%.40s\" is not a number", v->valuestring);
            return -1;
        }
        if (push(out, (int64_t)llround(t->valuedouble * 1000.0), value) != 0) {
            error_set(err, "out of memory for the signal's history");
            return -1;
        }
    }
    return 0;
}

static int from_data(const cJSON *data, struct promrange_points *out, struct error *err)
{
    const char *type = str(data, "resultType");
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(data, "result");
    if (!type || !cJSON_IsArray(result)) {
        error_set(err, "prometheus answer: no data.resultType/result");
        return -1;
    }
    if (strcmp(type, "matrix") != 0) {
        error_set(err, "prometheus answer: a %s, but a range query answers a matrix", type);
        return -1;
    }
    int n = cJSON_GetArraySize(result);
    if (n == 0)
        return 0;
    if (n != 1) {
        error_set(err, "the expression returned %d series; a gate needs one "
                       "(aggregate it, e.g. with max() or sum())", n);
        return -1;
    }
    const cJSON *series = cJSON_GetArrayItem(result, 0);
    if (same_series(cJSON_GetObjectItemCaseSensitive(series, "metric"), out, err) != 0)
        return -1;
    return read_values(cJSON_GetObjectItemCaseSensitive(series, "values"), out, err);
}

int promrange_parse(const char *json, size_t len, struct promrange_points *out,
                    struct error *err)
{
    size_t n0 = out->n;
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) {
        error_set(err, "prometheus answer: malformed or truncated JSON (%zu bytes)", len);
        return -1;
    }
    int rc = -1;
    const char *status = str(root, "status");
    if (status && strcmp(status, "success") == 0) {
        rc = from_data(cJSON_GetObjectItemCaseSensitive(root, "data"), out, err);
    } else if (status && strcmp(status, "error") == 0) {
        const char *type = str(root, "errorType"), *msg = str(root, "error");
        error_set(err, "prometheus: %s: %.300s", type ? type : "error", msg ? msg : "(no message)");
    } else {
        error_set(err, "prometheus answer: no \"status\"; is this a Prometheus API?");
    }
    cJSON_Delete(root);
    if (rc != 0)
        out->n = n0;   /* a page is taken whole or not at all */
    return rc;
}

/* ms as the API's seconds: "1795615200.000" */
static void api_time(int64_t ms, char *buf, size_t len)
{
    int64_t s = ms / 1000, f = ms % 1000;
    if (f < 0) {
        s -= 1;
        f += 1000;
    }
    snprintf(buf, len, "%lld.%03lld", (long long)s, (long long)f);
}

char *promrange_url(const char *base, const char *expr, int64_t start_ms, int64_t end_ms,
                    int64_t step_ms)
{
    char *q = curl_easy_escape(NULL, expr, 0);
    if (!q)
        return NULL;
    size_t n = strlen(base);
    while (n && base[n - 1] == '/')
        n--;
    char s[32], e[32], st[32];
    api_time(start_ms, s, sizeof s);
    api_time(end_ms, e, sizeof e);
    api_time(step_ms, st, sizeof st);
    size_t len = n + strlen(q) + 128;
    char *url = malloc(len);
    if (url)
        snprintf(url, len, "%.*s/api/v1/query_range?query=%s&start=%s&end=%s&step=%s", (int)n,
                 base, q, s, e, st);
    curl_free(q);
    return url;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One page: asks, and appends its points. A refusal with a JSON body
 * (Prometheus's 400 and 422) is said in Prometheus's own words. */
static int fetch_page(const char *root, const char *expr, struct promrange_page pg,
                      int64_t step_ms, long timeout_ms, size_t max_body,
                      struct promrange_points *out, struct error *err)
{
    char *url = promrange_url(root, expr, pg.start_ms, pg.end_ms, step_ms);
    struct http_request *r = url ? http_get_new(url, timeout_ms, max_body, err) : NULL;
    free(url);
    if (!r) {
        if (!url)
            error_set(err, "out of memory");
        return -1;
    }
    struct error herr = {{0}};
    int rc = http_perform(r, &herr);
    if (rc == 0) {
        rc = promrange_parse(r->body ? r->body : "", r->len, out, err);
    } else {
        struct error perr = {{0}};
        struct promrange_points scratch = {0};
        long status = 0;
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 400 && r->len && !r->too_large &&
            promrange_parse(r->body, r->len, &scratch, &perr) != 0 &&
            strncmp(perr.msg, "prometheus: ", 12) == 0)
            error_set(err, "HTTP %ld: %s", status, perr.msg);
        else
            *err = herr;
        promrange_points_free(&scratch);
    }
    http_request_free(r);
    return rc;
}

int promrange_fetch_opts(const char *base_url, const char *expr, int64_t from_ms,
                         int64_t to_ms, int64_t step_ms, const struct promrange_opts *opts,
                         struct gate_point **pts, size_t *n, struct promrange_stats *stats,
                         struct error *err)
{
    static const struct promrange_opts defaults = {0};
    if (!opts)
        opts = &defaults;
    long req_timeout = opts->request_timeout_ms > 0 ? opts->request_timeout_ms : 10000;
    long total = opts->total_timeout_ms > 0 ? opts->total_timeout_ms : 60000;
    size_t max_body = opts->max_body ? opts->max_body : 16u << 20;
    *pts = NULL;
    *n = 0;
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (step_ms <= 0 || to_ms < from_ms) {
        error_set(err, "history: an empty range or a step of %lld ms", (long long)step_ms);
        return -1;
    }
    int64_t asked = promrange_points(from_ms, to_ms, step_ms);
    if (stats)
        stats->points_asked = asked;
    if (asked > PROMRANGE_MAX_TOTAL) {
        error_set(err, "history: %lld points at a step of %lld ms is too fine (at most %d); "
                       "choose a coarser step", (long long)asked, (long long)step_ms,
                  PROMRANGE_MAX_TOTAL);
        return -1;
    }
    struct error why = {{0}};
    char *root = envsubst(base_url, &why);
    if (!root) {
        error_set(err, "prometheus %s: %s", base_url, why.msg);
        return -1;
    }
    struct promrange_points acc = {0};
    size_t pages = promrange_page_count(from_ms, to_ms, step_ms, opts->max_points);
    int64_t deadline = mono_ms() + total;
    int rc = 0;
    for (size_t i = 0; i < pages && rc == 0; i++) {
        int64_t left = deadline - mono_ms();
        if (left <= 0) {
            error_set(&why, "timed out after %.1f s with %zu of %zu requests answered",
                      total / 1000.0, i, pages);
            rc = -1;
            break;
        }
        if (stats)
            stats->requests++;
        rc = fetch_page(root, expr,
                        promrange_page_at(from_ms, to_ms, step_ms, opts->max_points, i), step_ms,
                        left < req_timeout ? (long)left : req_timeout, max_body, &acc, &why);
        if (rc != 0 && pages > 1) {
            char page[64];
            snprintf(page, sizeof page, " (request %zu of %zu)", i + 1, pages);
            size_t l = strlen(why.msg);
            if (l + strlen(page) < sizeof why.msg)
                memcpy(why.msg + l, page, strlen(page) + 1);
        }
    }
    if (rc != 0) {
        /* named as written (${ENV} unexpanded); the message may quote a
         * server's echo of the URL, so it is masked as a whole */
        char said[sizeof why.msg + 160];
        snprintf(said, sizeof said, "prometheus %.150s: %s", base_url, why.msg);
        if (err)
            redact_into(redact_installed(), said, err->msg, sizeof err->msg);
        promrange_points_free(&acc);
    } else {
        *pts = acc.v;
        *n = acc.n;
        free(acc.metric);
    }
    free(root);
    return rc;
}

int promrange_fetch(const char *base_url, const char *expr, int64_t from_ms, int64_t to_ms,
                    int64_t step_ms, struct gate_point **pts, size_t *n, struct error *err)
{
    return promrange_fetch_opts(base_url, expr, from_ms, to_ms, step_ms, NULL, pts, n, NULL,
                                err);
}

int promrange_judge_gate(const struct rb_gate *g, const char *base_url, const char *expr,
                         int64_t interval_ms, int64_t step_ms, int64_t at_ms,
                         const struct promrange_opts *opts, struct gate_verdict *v,
                         struct promrange_read *read, struct error *err)
{
    struct promrange_read info = {0};
    memset(v, 0, sizeof *v);
    v->state = GATE_UNJUDGED;
    v->at_ms = at_ms;
    v->worst = NAN;
    info.step_ms = step_ms > 0 ? step_ms : promrange_step(g->cond.for_ms, interval_ms);
    int64_t max_gap = gate_max_gap(g, interval_ms, info.step_ms);
    info.from_ms = gate_window_start(g, max_gap, at_ms);
    info.to_ms = at_ms;
    struct gate_point *pts = NULL;
    struct promrange_stats st;
    int rc = promrange_fetch_opts(base_url, expr, info.from_ms, at_ms, info.step_ms, opts, &pts,
                                  &info.points, &st, err);
    info.requests = st.requests;
    if (rc == 0)
        gate_judge(g, pts, info.points, max_gap, at_ms, v);
    free(pts);
    if (read)
        *read = info;
    return rc;
}
