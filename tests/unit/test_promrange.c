/* test_promrange.c — reading history with query_range: the step chosen for
 * a window, the pages (none over 11,000 points, together exactly the grid
 * one request would use, no boundary point twice), the matrix answer
 * (NaN and +Inf values, fractional seconds, empty, several series, error
 * answers, every truncation of a good answer), and the network part's
 * failures in words, bounded in time, with secrets masked. */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "core/gate.h"
#include "core/promrange.h"

#define S 1000LL
#define M (60 * S)
#define H (60 * M)
#define D (24 * H)
#define T0 1795615200000LL   /* 2026-11-25 14:00 UTC */

TEST(step_is_the_coarser_of_interval_and_window_over_10000)
{
    CHECK(promrange_step(7 * D, S) == 61 * S);       /* 60.48 s, up to a whole second */
    CHECK(promrange_step(H, S) == S);                /* 360 ms: never under a second */
    CHECK(promrange_step(H, 30 * S) == 30 * S);
    CHECK(promrange_step(7 * D, 5 * M) == 5 * M);
    CHECK(promrange_step(H, 250) == S);
    CHECK(promrange_step(0, 0) == S);
    for (int64_t w = S; w <= 92 * D; w = w * 3 + 7)
        CHECK(promrange_points(0, w, promrange_step(w, S)) <= PROMRANGE_MAX_POINTS);
}

TEST(points_on_the_grid)
{
    CHECK(promrange_points(0, 7 * D, 30 * S) == 20161);
    CHECK(promrange_points(0, 0, S) == 1);
    CHECK(promrange_points(0, 999, S) == 1);
    CHECK(promrange_points(5, 4, S) == 0);
    CHECK(promrange_points(0, 10, 0) == 0);
}

/* The pages of [from, to] cover exactly the one-request grid, in order,
 * each at most max points. */
static int plan_is_exact(int64_t from, int64_t to, int64_t step, int max)
{
    size_t pages = promrange_page_count(from, to, step, max);
    int64_t want = from, total = 0;
    int64_t per = max > 0 ? max : PROMRANGE_MAX_POINTS;
    for (size_t i = 0; i < pages; i++) {
        struct promrange_page p = promrange_page_at(from, to, step, max, i);
        int64_t k = promrange_points(p.start_ms, p.end_ms, step);
        if (p.start_ms != want || k < 1 || k > per || p.end_ms > to)
            return 0;
        total += k;
        want = p.start_ms + k * step;
    }
    return total == promrange_points(from, to, step) && want > to;
}

TEST(pages_split_a_long_window_and_repeat_no_point)
{
    int64_t from = T0 - 7 * D, to = T0;
    CHECK(promrange_page_count(from, to, 30 * S, 0) == 2);   /* 20,161 points */
    struct promrange_page a = promrange_page_at(from, to, 30 * S, 0, 0);
    struct promrange_page b = promrange_page_at(from, to, 30 * S, 0, 1);
    CHECK(a.start_ms == from && a.end_ms == from + 10999 * 30 * S);
    CHECK(b.start_ms == a.end_ms + 30 * S && b.end_ms == to);
    /* Prometheus refuses (end - start) / step > 11,000: every page is under */
    CHECK((a.end_ms - a.start_ms) / (30 * S) <= 11000 && (b.end_ms - b.start_ms) / (30 * S) <= 11000);
    CHECK(promrange_page_count(from, to, 61 * S, 0) == 1);
    CHECK(promrange_page_count(from, from + 10999 * S, S, 0) == 1);
    CHECK(promrange_page_count(from, from + 11000 * S, S, 0) == 2);
    CHECK(promrange_page_count(to, from, S, 0) == 0);
    CHECK(plan_is_exact(from, to, 30 * S, 0));
    srand(17);
    for (int i = 0; i < 2000; i++) {
        int64_t f = T0 - (rand() % 1000000) * S + rand() % 1000;
        int64_t t = f + (int64_t)(rand() % 5000000) * (rand() % 7 + 1);
        int64_t st = (rand() % 120 + 1) * 250;
        int max = rand() % 3 ? rand() % 50 + 1 : 0;
        if (promrange_points(f, t, st) > 3000000)
            continue;
        if (!plan_is_exact(f, t, st, max)) {
            printf("  plan not exact: %lld..%lld step %lld max %d\n", (long long)f, (long long)t,
                   (long long)st, max);
            CHECK(0);
            break;
        }
    }
}

static const char good[] =
    "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
    "\"values\":[[1795183216,\"0.0005\"],[1795183277.5,\"NaN\"],[1795183338,\"+Inf\"],"
    "[1795183399.125,\"-1e-3\"]]}]}}";

TEST(reads_a_matrix)
{
    struct promrange_points p = {0};
    struct error err = {{0}};
    CHECK(promrange_parse(good, strlen(good), &p, &err) == 0);
    CHECK(p.n == 4);
    if (p.n == 4) {
        CHECK(p.v[0].t_ms == 1795183216000LL && p.v[0].value == 0.0005);
        CHECK(p.v[1].t_ms == 1795183277500LL && isnan(p.v[1].value));
        CHECK(p.v[2].t_ms == 1795183338000LL && isinf(p.v[2].value) && p.v[2].value > 0);
        CHECK(p.v[3].t_ms == 1795183399125LL && p.v[3].value == -0.001);
    }
    CHECK_STR(p.metric, "{}");
    promrange_points_free(&p);
}

TEST(an_empty_result_is_zero_points_not_an_error)
{
    const char *j = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}";
    struct promrange_points p = {0};
    struct error err = {{0}};
    CHECK(promrange_parse(j, strlen(j), &p, &err) == 0 && p.n == 0);
    promrange_points_free(&p);
}

TEST(pages_concatenate_without_the_boundary_twice)
{
    const char *a = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{"
                    "\"metric\":{\"job\":\"x\"},\"values\":[[100,\"1\"],[130,\"2\"]]}]}}";
    const char *b = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{"
                    "\"metric\":{\"job\":\"x\"},\"values\":[[130,\"2\"],[160,\"3\"]]}]}}";
    const char *c = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{"
                    "\"metric\":{\"job\":\"y\"},\"values\":[[190,\"4\"]]}]}}";
    struct promrange_points p = {0};
    struct error err = {{0}};
    CHECK(promrange_parse(a, strlen(a), &p, &err) == 0);
    CHECK(promrange_parse(b, strlen(b), &p, &err) == 0);
    CHECK(p.n == 3 && p.v[1].t_ms == 130000 && p.v[2].t_ms == 160000 && p.v[2].value == 3);
    /* another series on a later page: one gate, one series */
    CHECK(promrange_parse(c, strlen(c), &p, &err) == -1 && p.n == 3);
    CHECK(strstr(err.msg, "{\"job\":\"x\"}") && strstr(err.msg, "{\"job\":\"y\"}") &&
          strstr(err.msg, "one series"));
    promrange_points_free(&p);
}

TEST(refusals_in_words)
{
    static const struct {
        const char *json, *says;
    } cases[] = {
        {"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
         "{\"metric\":{\"a\":\"1\"},\"values\":[[1,\"1\"]]},{\"metric\":{\"a\":\"2\"},\"values\":[[1,\"1\"]]}]}}",
         "returned 2 series; a gate needs one"},
        {"{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"exceeded maximum resolution of "
         "11,000 points per timeseries. Try decreasing the query resolution (?step=XX)\"}",
         "prometheus: bad_data: exceeded maximum resolution of 11,000 points"},
        {"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}",
         "a vector, but a range query answers a matrix"},
        {"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
         "\"values\":[[1,0.5]]}]}}", "not [time, \"value\"]"},
        {"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
         "\"values\":[[1,\"lots\"]]}]}}", "\"lots\" is not a number"},
        {"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{}}]}}",
         "without \"values\""},
        {"<html><title>502 Bad Gateway</title></html>", "malformed or truncated JSON"},
        {"{\"data\":{}}", "no \"status\""},
        {"", "malformed or truncated JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct promrange_points p = {0};
        struct error err = {{0}};
        int rc = promrange_parse(cases[i].json, strlen(cases[i].json), &p, &err);
        if (rc != -1 || !strstr(err.msg, cases[i].says)) {
            printf("  case %zu: rc %d, said \"%s\", wanted \"%s\"\n", i, rc, err.msg, cases[i].says);
            CHECK(0);
        }
        CHECK(p.n == 0);
        promrange_points_free(&p);
    }
}

/* Every prefix of a good answer is refused, keeping what was read before. */
TEST(truncated_answers_never_pass_and_never_crash)
{
    struct promrange_points p = {0};
    struct error err = {{0}};
    const char *first = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{"
                        "\"metric\":{},\"values\":[[1,\"1\"]]}]}}";
    CHECK(promrange_parse(first, strlen(first), &p, &err) == 0 && p.n == 1);
    size_t len = strlen(good);
    int bad = 0;
    for (size_t cut = 0; cut < len; cut++) {
        char *copy = malloc(cut ? cut : 1);   /* exactly cut bytes: ASan sees any overread */
        memcpy(copy, good, cut);
        if (promrange_parse(copy, cut, &p, &err) != -1 || p.n != 1 || !err.msg[0])
            bad++;
        free(copy);
    }
    CHECK(bad == 0);
    /* and bytes flipped anywhere: an answer or an error, never a crash */
    srand(5);
    char buf[sizeof good];
    for (int i = 0; i < 20000; i++) {
        memcpy(buf, good, sizeof good);
        for (int k = rand() % 3 + 1; k; k--)
            buf[rand() % (sizeof good - 1)] = (char)(rand() % 256);
        struct promrange_points q = {0};
        int rc = promrange_parse(buf, sizeof good - 1, &q, &err);
        CHECK(rc == 0 || rc == -1);
        for (size_t j = 1; rc == 0 && j < q.n; j++)
            CHECK(q.v[j].t_ms > q.v[j - 1].t_ms);
        promrange_points_free(&q);
    }
    promrange_points_free(&p);
}

TEST(url_of_a_page)
{
    char *u = promrange_url("http://h:9090//", "max(x{a=\"b\"}) [5m]", T0 - 1500, T0, 30 * S);
    CHECK_STR(u, "http://h:9090/api/v1/query_range?query=max%28x%7Ba%3D%22b%22%7D%29%20%5B5m%5D"
                 "&start=1795615198.500&end=1795615200.000&step=30.000");
    free(u);
}

/* A port nobody listens on, and one that accepts and never answers. */
static int listener(int *port, int do_listen)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0 || (do_listen && listen(fd, 4) != 0))
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

static int64_t mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

TEST(network_failures_in_words_with_secrets_masked)
{
    int port;
    int fd = listener(&port, 0);
    CHECK(fd >= 0);
    close(fd);   /* bound, never listened: refused */
    char base[128];
    snprintf(base, sizeof base, "http://reader:hunter2secret@127.0.0.1:%d", port);
    struct gate_point *pts = (struct gate_point *)1;
    size_t n = 9;
    struct error err = {{0}};
    CHECK(promrange_fetch(base, "x", T0 - H, T0, S, &pts, &n, &err) == -1);
    CHECK(pts == NULL && n == 0);
    CHECK(strstr(err.msg, "connection refused") != NULL);
    CHECK(strstr(err.msg, "hunter2secret") == NULL && strstr(err.msg, "127.0.0.1") != NULL);

    CHECK(promrange_fetch(base, "x", T0, T0 - H, S, &pts, &n, &err) == -1);
    CHECK(promrange_fetch(base, "x", T0 - 92 * D, T0, S, &pts, &n, &err) == -1 &&
          strstr(err.msg, "too fine"));
    setenv("PROMRANGE_TEST_UNSET", "", 1);
    unsetenv("PROMRANGE_TEST_UNSET");
    CHECK(promrange_fetch("http://${PROMRANGE_TEST_UNSET}:9090", "x", T0 - H, T0, S, &pts, &n,
                          &err) == -1 && strstr(err.msg, "PROMRANGE_TEST_UNSET"));

    /* a server that takes the request and never answers: bounded */
    int hang = listener(&port, 1);
    CHECK(hang >= 0);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    struct promrange_opts o = {.request_timeout_ms = 300, .total_timeout_ms = 500, .max_points = 10};
    struct promrange_stats st;
    int64_t t0 = mono();
    CHECK(promrange_fetch_opts(base, "x", T0 - H, T0, S, &o, &pts, &n, &st, &err) == -1);
    int64_t took = mono() - t0;
    CHECK(took < 3000);
    CHECK(strstr(err.msg, "timed out") != NULL);
    CHECK(st.requests == 1 && st.points_asked == 3601);
    if (took >= 3000 || !strstr(err.msg, "timed out"))
        printf("  took %lld ms: %s\n", (long long)took, err.msg);
    close(hang);
}

/* A tiny query_range server: answers each request with the grid it asks
 * for, value 0.0005 from data_from on (nothing before), and counts the
 * requests and the largest page. One connection at a time, closed after
 * each answer. */
struct grid_server {
    int fd, port;
    int64_t data_from_ms;
    int requests, max_page;
    pthread_t th;
};

static int64_t query_ms(const char *req, const char *key)
{
    const char *p = strstr(req, key);
    return p ? (int64_t)llround(strtod(p + strlen(key), NULL) * 1000) : -1;
}

static void *grid_serve(void *arg)
{
    struct grid_server *gs = arg;
    for (;;) {
        int c = accept(gs->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        char req[4096];
        size_t got = 0;
        ssize_t k;
        while (got + 1 < sizeof req && (k = read(c, req + got, sizeof req - 1 - got)) > 0) {
            got += (size_t)k;
            req[got] = '\0';
            if (strstr(req, "\r\n\r\n"))
                break;
        }
        req[got] = '\0';
        int64_t start = query_ms(req, "&start="), end = query_ms(req, "&end="),
                step = query_ms(req, "&step=");
        size_t cap = 64 + (size_t)promrange_points(start, end, step) * 40 + 256;
        char *body = malloc(cap), head[160];
        size_t n = (size_t)snprintf(body, cap, "{\"status\":\"success\",\"data\":{\"resultType\":"
                                               "\"matrix\",\"result\":[{\"metric\":{},\"values\":[");
        int page = 0;
        for (int64_t t = start; step > 0 && t <= end; t += step, page++)
            if (t >= gs->data_from_ms)
                n += (size_t)snprintf(body + n, cap - n, "%s[%lld.%03lld,\"0.0005\"]",
                                      body[n - 1] == '[' ? "" : ",", (long long)(t / 1000),
                                      (long long)(t % 1000));
        n += (size_t)snprintf(body + n, cap - n, "]}]}}");
        gs->requests++;
        if (page > gs->max_page)
            gs->max_page = page;
        int h = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                            "Content-Length: %zu\r\nConnection: close\r\n\r\n", n);
        if (write(c, head, (size_t)h) < 0 || write(c, body, n) < 0)
            CHECK(0);
        free(body);
        close(c);
    }
}

TEST(judges_a_gate_over_paged_history_from_a_server)
{
    struct grid_server gs = {0};
    gs.fd = listener(&gs.port, 1);
    gs.data_from_ms = T0 - 5 * D;
    CHECK(gs.fd >= 0 && pthread_create(&gs.th, NULL, grid_serve, &gs) == 0);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/", gs.port);
    struct rb_gate g = {0};
    char why[200];
    CHECK(gate_parse("divergence_rate < 0.1% over 7d", 30, &g, why, sizeof why) == 0);
    struct gate_verdict v;
    struct promrange_read rd;
    struct error err = {{0}};
    /* at the default step: one request, 5 of 7 days */
    CHECK(promrange_judge_gate(&g, base, "x", S, 0, T0, NULL, &v, &rd, &err) == 0);
    CHECK(v.state == GATE_INSUFFICIENT && floor(v.covered * 100) == 71);
    CHECK(rd.step_ms == 61 * S && rd.requests == 1 && gs.requests == 1);
    CHECK(rd.from_ms == T0 - 7 * D - 3 * 61 * S && rd.to_ms == T0);
    /* at 30 s with pages of 5,000 points: every page under, every point once */
    struct promrange_opts o = {.max_points = 5000};
    gs.requests = gs.max_page = 0;
    CHECK(promrange_judge_gate(&g, base, "x", S, 30 * S, T0 + 3 * D, &o, &v, &rd, &err) == 0);
    CHECK(v.state == GATE_OPEN && v.covered == 1);
    CHECK(rd.requests == 5 && gs.requests == 5 && gs.max_page <= 5000);
    if (rd.requests != 5 || gs.requests != 5 || gs.max_page > 5000)
        printf("  %zu requests, %d served, largest page %d: %s\n", rd.requests, gs.requests,
               gs.max_page, err.msg);
    CHECK((int64_t)rd.points == promrange_points(rd.from_ms, rd.to_ms, 30 * S));
    /* the same through promrange_fetch: oldest first, each once, on the grid */
    struct gate_point *pts;
    size_t n;
    CHECK(promrange_fetch(base, "x", T0 - 7 * D, T0, 30 * S, &pts, &n, &err) == 0);
    CHECK(n == (size_t)promrange_points(T0 - 5 * D, T0, 30 * S));
    int ordered = 1;
    for (size_t i = 1; i < n; i++)
        ordered &= pts[i].t_ms == pts[i - 1].t_ms + 30 * S;
    CHECK(ordered && n && pts[0].t_ms == T0 - 5 * D && pts[n - 1].t_ms == T0);
    free(pts);
    shutdown(gs.fd, SHUT_RDWR);
    close(gs.fd);
    pthread_join(gs.th, NULL);
    /* nobody there any more: not judged, never open */
    CHECK(promrange_judge_gate(&g, base, "x", S, 0, T0, NULL, &v, &rd, &err) == -1);
    CHECK(v.state == GATE_UNJUDGED && strstr(err.msg, "connection refused"));
    gate_spec_free(&g);
}

/* The gate worker calls in from threads: nothing shared, each read its own. */
struct worker {
    int port, ok;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", w->port);
    w->ok = 1;
    for (int i = 0; i < 20; i++) {
        struct gate_point *pts;
        size_t n;
        struct error err = {{0}};
        if (promrange_fetch(base, "sum(x)", T0 - 7 * D, T0, 30 * S, &pts, &n, &err) != -1 ||
            !strstr(err.msg, "connection refused"))
            w->ok = 0;
        struct promrange_points p = {0};
        if (promrange_parse(good, strlen(good), &p, &err) != 0 || p.n != 4)
            w->ok = 0;
        promrange_points_free(&p);
    }
    return NULL;
}

TEST(reads_from_several_threads_at_once)
{
    int port;
    int fd = listener(&port, 0);
    close(fd);
    pthread_t th[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i].port = port;
        CHECK(pthread_create(&th[i], NULL, work, &w[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK(w[i].ok);
    }
}

RUN_TESTS(T(step_is_the_coarser_of_interval_and_window_over_10000), T(points_on_the_grid),
          T(pages_split_a_long_window_and_repeat_no_point), T(reads_a_matrix),
          T(an_empty_result_is_zero_points_not_an_error),
          T(pages_concatenate_without_the_boundary_twice), T(refusals_in_words),
          T(truncated_answers_never_pass_and_never_crash), T(url_of_a_page),
          T(network_failures_in_words_with_secrets_masked), T(reads_from_several_threads_at_once),
          T(judges_a_gate_over_paged_history_from_a_server))
