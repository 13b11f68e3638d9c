/* ordersim.c — the demo orders service: command line, start-up and
 * shutdown. A real process with real stores (SQLite files or PostgreSQL),
 * dual-write, shadow reads, a flag it obeys, faults on demand and a
 * /metrics endpoint, so the cockpit's demo and its end-to-end tests drive
 * something that behaves like a service, not a mock. See demo/README.md. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/number.h"
#include "faults.h"
#include "flagfile.h"
#include "flagwatch.h"
#include "http.h"
#include "metrics.h"
#include "sim.h"
#include "store.h"
#include "workload.h"

struct options {
    struct workload_config w;
    const char *flags_path, *flag;
    int port;
    const char *port_file;
    double duration;
    int route; /* --route: argv[optind..] are targeting keys to evaluate */
};

static void usage(FILE *out)
{
    fputs(
        "usage: ordersim [options]\n"
        "  --old SPEC             old store: a SQLite file, or postgres:CONNINFO (old.db)\n"
        "  --new SPEC             new store, the same forms (new.db)\n"
        "  --old-table NAME       table in old (orders_legacy)\n"
        "  --new-table NAME       table in new (orders)\n"
        "  --rate N               dual writes per second (50)\n"
        "  --read-rate N          reads per second (200)\n"
        "  --readers N            reader threads (4)\n"
        "  --forgotten-rate N     monthly-batch writes to old only, per second (0.2)\n"
        "  --customers N          customer ids 1..N, the flag's targeting keys (10000)\n"
        "  --history N            orders put in an empty old store at start (1000)\n"
        "  --shadow-ratio R       share of reads also done on the other store (1)\n"
        "  --old-latency-ms MS    median modelled latency of a read on old (2)\n"
        "  --new-latency-ms MS    median modelled latency of a read on new (2)\n"
        "  --jitter SIGMA         log-normal spread of the latency model (0.5)\n"
        "  --flags PATH           flagd file to obey (none: every read on old)\n"
        "  --flag NAME            flag in it (orders-read-new)\n"
        "  --fault KEY=VALUE      a fault from the start (repeatable; see README)\n"
        "  --ignore-flag          same as --fault ignore_flag=true\n"
        "  --port N               HTTP port on 127.0.0.1, 0 = any free one (0)\n"
        "  --port-file PATH       write the port there once listening\n"
        "  --duration SECONDS     stop by itself after that long (0 = on SIGTERM)\n"
        "  --seed N               random seed (1)\n"
        "  --route KEY...         print old/new for each targeting key under the\n"
        "                         flag file, and exit\n",
        out);
}

static int number_arg(const char *opt, const char *s, double lo, double hi, double *out)
{
    double v;
    if (number_parse(s, &v) != 0 || !isfinite(v) || v < lo || v > hi) {
        fprintf(stderr, "ordersim: %s: `%s` is not a number in [%g, %g]\n", opt, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int fault_arg(const char *kv)
{
    char key[64];
    const char *eq = strchr(kv, '=');
    if (!eq || (size_t)(eq - kv) >= sizeof key) {
        fprintf(stderr, "ordersim: --fault: `%s` is not KEY=VALUE\n", kv);
        return -1;
    }
    memcpy(key, kv, (size_t)(eq - kv));
    key[eq - kv] = '\0';
    const char *keys[1] = {key}, *values[1] = {eq + 1};
    struct error err = {{0}};
    if (faults_update(1, keys, values, "command line", &err) != 0) {
        fprintf(stderr, "ordersim: --fault: %s\n", err.msg);
        return -1;
    }
    return 0;
}

enum {
    O_OLD = 256, O_NEW, O_OLD_TABLE, O_NEW_TABLE, O_RATE, O_READ_RATE, O_READERS,
    O_FORGOTTEN, O_CUSTOMERS, O_HISTORY, O_SHADOW, O_OLD_LAT, O_NEW_LAT, O_JITTER, O_FLAGS,
    O_FLAG, O_FAULT, O_IGNORE, O_PORT, O_PORT_FILE, O_DURATION, O_SEED, O_ROUTE,
};

static const struct option longopts[] = {
    {"old", required_argument, NULL, O_OLD},
    {"new", required_argument, NULL, O_NEW},
    {"old-table", required_argument, NULL, O_OLD_TABLE},
    {"new-table", required_argument, NULL, O_NEW_TABLE},
    {"rate", required_argument, NULL, O_RATE},
    {"read-rate", required_argument, NULL, O_READ_RATE},
    {"readers", required_argument, NULL, O_READERS},
    {"forgotten-rate", required_argument, NULL, O_FORGOTTEN},
    {"customers", required_argument, NULL, O_CUSTOMERS},
    {"history", required_argument, NULL, O_HISTORY},
    {"shadow-ratio", required_argument, NULL, O_SHADOW},
    {"old-latency-ms", required_argument, NULL, O_OLD_LAT},
    {"new-latency-ms", required_argument, NULL, O_NEW_LAT},
    {"jitter", required_argument, NULL, O_JITTER},
    {"flags", required_argument, NULL, O_FLAGS},
    {"flag", required_argument, NULL, O_FLAG},
    {"fault", required_argument, NULL, O_FAULT},
    {"ignore-flag", no_argument, NULL, O_IGNORE},
    {"port", required_argument, NULL, O_PORT},
    {"port-file", required_argument, NULL, O_PORT_FILE},
    {"duration", required_argument, NULL, O_DURATION},
    {"seed", required_argument, NULL, O_SEED},
    {"route", no_argument, NULL, O_ROUTE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* One option into o; -1 on a bad value (already said on stderr). */
static int option(struct options *o, int opt, const char *name, const char *arg)
{
    struct workload_config *w = &o->w;
    double v = 0;
    switch (opt) {
    case O_OLD: w->old_spec = arg; return 0;
    case O_NEW: w->new_spec = arg; return 0;
    case O_OLD_TABLE: w->old_table = arg; return 0;
    case O_NEW_TABLE: w->new_table = arg; return 0;
    case O_FLAGS: o->flags_path = arg; return 0;
    case O_FLAG: o->flag = arg; return 0;
    case O_PORT_FILE: o->port_file = arg; return 0;
    case O_FAULT: return fault_arg(arg);
    case O_IGNORE: return fault_arg("ignore_flag=true");
    case O_ROUTE: o->route = 1; return 0;
    default: break;
    }
    /* the rest are numbers */
    static const struct { int opt; double lo, hi; } ranges[] = {
        {O_RATE, 0, 100000}, {O_READ_RATE, 0, 100000}, {O_READERS, 0, 64},
        {O_FORGOTTEN, 0, 1000}, {O_CUSTOMERS, 1, 1e12}, {O_HISTORY, 0, 1e8},
        {O_SHADOW, 0, 1}, {O_OLD_LAT, 0, 2000}, {O_NEW_LAT, 0, 2000}, {O_JITTER, 0, 3},
        {O_PORT, 0, 65535}, {O_DURATION, 0, 1e9}, {O_SEED, 0, 1e15},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++) {
        if (ranges[i].opt != opt)
            continue;
        if (number_arg(name, arg, ranges[i].lo, ranges[i].hi, &v) != 0)
            return -1;
        switch (opt) {
        case O_RATE: w->rate = v; break;
        case O_READ_RATE: w->read_rate = v; break;
        case O_READERS: w->readers = (int)v; break;
        case O_FORGOTTEN: w->forgotten_rate = v; break;
        case O_CUSTOMERS: w->customers = (long long)v; break;
        case O_HISTORY: w->history = (long long)v; break;
        case O_SHADOW: w->shadow_ratio = v; break;
        case O_OLD_LAT: w->latency.median[BACKEND_OLD] = v / 1000; break;
        case O_NEW_LAT: w->latency.median[BACKEND_NEW] = v / 1000; break;
        case O_JITTER: w->latency.sigma = v; break;
        case O_PORT: o->port = (int)v; break;
        case O_DURATION: o->duration = v; break;
        case O_SEED: w->seed = (uint64_t)v; break;
        default: break;
        }
        return 0;
    }
    return -1;
}

/* 0 ok, 1 bad input, 2 usage; 3 means --help was asked (exit 0). */
static int parse(int argc, char **argv, struct options *o)
{
    *o = (struct options){
        .w = {.old_spec = "old.db", .new_spec = "new.db", .old_table = "orders_legacy",
              .new_table = "orders", .rate = 50, .read_rate = 200, .forgotten_rate = 0.2,
              .readers = 4, .customers = 10000, .history = 1000, .shadow_ratio = 1,
              .latency = {.median = {0.002, 0.002}, .sigma = 0.5}, .seed = 1},
        .flag = "orders-read-new",
    };
    int opt, idx;
    while ((opt = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
        if (opt == 'h')
            return 3;
        if (opt == '?')
            return 2;
        char name[40];
        snprintf(name, sizeof name, "--%s", longopts[idx].name);
        if (option(o, opt, name, optarg) != 0)
            return 1;
    }
    if (optind < argc && !o->route) {
        fprintf(stderr, "ordersim: unexpected argument `%s`\n", argv[optind]);
        return 2;
    }
    if (!store_identifier_ok(o->w.old_table) || !store_identifier_ok(o->w.new_table)) {
        fprintf(stderr, "ordersim: table names must be plain identifiers\n");
        return 1;
    }
    if (strlen(o->flag) == 0 || strlen(o->flag) >= 100) {
        fprintf(stderr, "ordersim: --flag: the name must be 1 to 99 characters\n");
        return 1;
    }
    return 0;
}

/* --route: how the flag file routes each key given; for checking the
 * routing against another flagd evaluator. */
static int route_keys(const struct options *o, int argc, char **argv)
{
    if (flagwatch_start(o->flags_path, o->flag) != 0)
        return 1;
    sim_stop();
    flagwatch_stop();
    for (int i = optind; i < argc; i++)
        printf("%s %s\n", argv[i], flagwatch_route_new(argv[i]) ? "new" : "old");
    return 0;
}

/* Writes the port to path through a temporary file and a rename, so a
 * reader never sees it half written. */
static int write_port_file(const char *path, int port)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "ordersim: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Waits for SIGTERM/SIGINT, or for the duration to pass. */
static void wait_for_end(const sigset_t *set, double duration)
{
    if (duration > 0) {
        double end = sim_now() + duration;
        for (;;) {
            double left = end - sim_now();
            if (left <= 0) {
                sim_log("--duration %g s over: stopping", duration);
                return;
            }
            struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
            int sig = sigtimedwait(set, NULL, &ts);
            if (sig > 0) {
                sim_log("signal %d: stopping", sig);
                return;
            }
        }
    }
    int sig = 0;
    sigwait(set, &sig);
    sim_log("signal %d: stopping", sig);
}

static int run(const struct options *o, const sigset_t *signals)
{
    struct error err = {{0}};
    if (workload_prepare(&o->w, &err) != 0) {
        fprintf(stderr, "ordersim: %s\n", err.msg);
        return 1;
    }
    metrics_init();
    if (flagwatch_start(o->flags_path, o->flag) != 0) {
        fprintf(stderr, "ordersim: cannot start the flag watcher\n");
        return 1;
    }
    int port = httpd_start(o->port, &err);
    int rc = 0;
    if (port < 0 || workload_start(&o->w, &err) != 0) {
        fprintf(stderr, "ordersim: %s\n", err.msg);
        rc = 1;
    } else {
        printf("listening on 127.0.0.1:%d\n", port);
        fflush(stdout);
        sim_log("serving on 127.0.0.1:%d: %g writes/s, %g reads/s, monthly batch %g/s", port,
                o->w.rate, o->w.read_rate, o->w.forgotten_rate);
        if (o->port_file && write_port_file(o->port_file, port) != 0)
            rc = 1;
        else
            wait_for_end(signals, o->duration);
    }
    sim_stop();
    workload_join();
    httpd_stop();
    flagwatch_stop();
    sim_log("stopped");
    return rc;
}

int main(int argc, char **argv)
{
    struct faults none;
    faults_none(&none);
    faults_init(&none);
    struct options o;
    int rc = parse(argc, argv, &o);
    if (rc == 3) {
        usage(stdout);
        return 0;
    }
    if (rc == 2)
        usage(stderr);
    if (rc != 0)
        return rc;
    /* what the command line set is what POST /faults/reset goes back to */
    struct faults base;
    faults_get(&base);
    faults_init(&base);
    if (o.route)
        return route_keys(&o, argc, argv);

    /* every thread, the HTTP library's included, inherits this mask: the
     * signals are taken only by wait_for_end() */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    return run(&o, &set);
}
