/* test_exporter.c — a Prometheus exporter on 127.0.0.1 for the integration
 * tests: counters that grow with time (dual writes and their failures,
 * shadow reads by result), a gauge, and a read-latency histogram per
 * backend (old, new) whose observations follow a fixed log-normal
 * distribution. GET /reset sets every counter and histogram back to zero,
 * as a restarted process would (a counter reset for rate()).
 *
 * Usage: test_exporter [PORT] [--log-scrapes]   (0 or none: any free port)
 * Prints "port N" once listening; runs until SIGTERM or SIGINT. With
 * --log-scrapes it also prints "scrape T_MS" (the wall clock) as each
 * GET /metrics arrives, for the tests of a scraper's cadence.
 *
 * Observations are drawn by inverse CDF at a low-discrepancy sequence
 * (golden-ratio steps), so any run of them has almost exactly the
 * distribution's quantiles: two scrapers that see different windows (our
 * scrape source and Prometheus) still agree on p99 closely.
 *
 * The HTTP server is Debian's libmicrohttpd (the Makefile's tests/tools
 * rule links it). */
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- the simulated service ---------------------------------------------------- */

static const double bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define N_BOUNDS (sizeof bounds / sizeof bounds[0])
#define OBSERVATIONS_PER_S 1000.0

struct backend {
    const char *name;
    double median, sigma;
    unsigned long long le[N_BOUNDS + 1]; /* cumulative counts, +Inf last */
    double sum;
    unsigned long long n;
    unsigned long long seq; /* position in the low-discrepancy sequence */
};

static struct backend backends[] = {
    {.name = "old", .median = 0.040, .sigma = 0.6},
    {.name = "new", .median = 0.060, .sigma = 0.7},
};

static const struct counter {
    const char *name, *label;
    double per_s;
} counters[] = {
    {"migration_dual_write_total", NULL, 250},
    {"migration_dual_write_failures_total", NULL, 2},
    {"shadow_reads_total", "match", 400},
    {"shadow_reads_total", "diverged", 0.5},
    {"shadow_reads_total", "error", 0.25},
};

static double start_s, reset_s;
static int log_scrapes;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Acklam's rational approximation of the standard normal quantile. */
static double normal_quantile(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                               2.445134137142996e+00, 3.754408661907416e+00};
    double q, r;
    if (p < 0.02425) {
        q = sqrt(-2 * log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - 0.02425)
        return -normal_quantile(1 - p);
    q = p - 0.5;
    r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

static void observe(struct backend *b)
{
    double u = fmod(0.5 + (double)b->seq++ * 0.6180339887498949, 1.0);
    if (u <= 0)
        u = 1e-9;
    double x = b->median * exp(b->sigma * normal_quantile(u));
    for (size_t i = 0; i < N_BOUNDS; i++)
        if (x <= bounds[i])
            b->le[i]++;
    b->le[N_BOUNDS]++;
    b->sum += x;
    b->n++;
}

/* Brings the histograms up to the present. */
static void advance(void)
{
    double since = now_s() - reset_s;
    for (size_t k = 0; k < sizeof backends / sizeof backends[0]; k++)
        while ((double)backends[k].n < floor(since * OBSERVATIONS_PER_S))
            observe(&backends[k]);
}

static void reset(void)
{
    reset_s = now_s();
    for (size_t k = 0; k < sizeof backends / sizeof backends[0]; k++) {
        struct backend *b = &backends[k];
        memset(b->le, 0, sizeof b->le);
        b->sum = 0;
        b->n = 0;
    }
}

/* --- exposition ------------------------------------------------------------------- */

struct out {
    char *s;
    size_t len, cap;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->s + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        o->cap = o->cap * 2 + (size_t)(n > 0 ? n : 0) + 256;
        o->s = realloc(o->s, o->cap);
        if (!o->s)
            abort();
    }
}

static void put_counters(struct out *o, double since)
{
    const char *last = "";
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
        const struct counter *c = &counters[i];
        if (strcmp(last, c->name) != 0)
            put(o, "# HELP %s Events so far.\n# TYPE %s counter\n", c->name, c->name);
        last = c->name;
        double v = floor(since * c->per_s);
        if (c->label)
            put(o, "%s{result=\"%s\"} %.17g\n", c->name, c->label, v);
        else
            put(o, "%s %.17g\n", c->name, v);
    }
}

static void put_histograms(struct out *o)
{
    put(o, "# HELP read_seconds Read latency.\n# TYPE read_seconds histogram\n");
    for (size_t k = 0; k < sizeof backends / sizeof backends[0]; k++) {
        const struct backend *b = &backends[k];
        for (size_t i = 0; i < N_BOUNDS; i++)
            put(o, "read_seconds_bucket{backend=\"%s\",le=\"%g\"} %llu\n", b->name, bounds[i],
                b->le[i]);
        put(o, "read_seconds_bucket{backend=\"%s\",le=\"+Inf\"} %llu\n", b->name,
            b->le[N_BOUNDS]);
        put(o, "read_seconds_sum{backend=\"%s\"} %.17g\n", b->name, b->sum);
        put(o, "read_seconds_count{backend=\"%s\"} %llu\n", b->name, b->n);
    }
}

static char *exposition(size_t *len)
{
    struct out o = {0};
    advance();
    double since = now_s() - reset_s;
    put_counters(&o, since);
    put(&o, "# HELP migration_dual_write_lag_seconds Lag.\n"
            "# TYPE migration_dual_write_lag_seconds gauge\n"
            "migration_dual_write_lag_seconds %.6f\n",
        0.2 + 0.1 * sin(now_s() - start_s));
    put_histograms(&o);
    *len = o.len;
    return o.s;
}

/* --- HTTP ---------------------------------------------------------------------------- */

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)cls, (void)method, (void)version, (void)upload, (void)upload_size, (void)con_cls;
    size_t len = 0;
    char *body;
    unsigned status = MHD_HTTP_OK;
    if (strcmp(url, "/metrics") == 0) {
        if (log_scrapes) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            printf("scrape %lld\n", (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
            fflush(stdout);
        }
        body = exposition(&len);
    } else if (strcmp(url, "/reset") == 0) {
        reset();
        body = strdup("reset\n");
        len = 6;
    } else {
        body = strdup("not found\n");
        len = 10;
        status = MHD_HTTP_NOT_FOUND;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    enum MHD_Result rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return rc;
}

int main(int argc, char **argv)
{
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_port = htons((uint16_t)(argc > 1 ? atoi(argv[1]) : 0));
    log_scrapes = argc > 2 && strcmp(argv[2], "--log-scrapes") == 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    start_s = reset_s = now_s();
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, answer,
                                     NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                     MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "test_exporter: cannot listen on 127.0.0.1:%d\n", ntohs(addr.sin_port));
        return 1;
    }
    printf("port %u\n", (unsigned)MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
    fflush(stdout);
    int sig;
    sigwait(&sigs, &sig);
    MHD_stop_daemon(d);
    return 0;
}
