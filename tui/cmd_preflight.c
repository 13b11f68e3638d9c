/* cmd_preflight.c — `cutover preflight RUNBOOK`: asks every signal once,
 * through the same sources the cockpit polls with, and checks that every
 * store can be reached; prints one row each. Exit 1 if anything failed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "commands.h"
#include "core/db.h"
#include "core/envsubst.h"
#include "core/http.h"
#include "core/redact.h"
#include "core/runbook.h"
#include "core/signals.h"
#include "loop.h"
#include "options.h"

#define PREFLIGHT_TIMEOUT_MS 5000

static int row(const char *name, const char *source, const char *value, long latency_ms,
               const char *status)
{
    int ok = strcmp(status, "ok") == 0;
    char lat[24] = "-";
    if (latency_ms >= 0)
        snprintf(lat, sizeof lat, "%ld ms", latency_ms);
    printf("%-26s %-11s %-14s %8s  %s\n", name, source, value, lat, ok ? "OK" : status);
    return ok;
}

/* Stores: a connection and `SELECT 1`, as the data engine would open them. */
static int check_stores(const struct runbook *rb)
{
    int ok = 1;
    for (size_t i = 0; i < rb->n_systems; i++) {
        const struct rb_system *sys = &rb->systems[i];
        if (strcmp(sys->kind, "postgres") != 0 && strcmp(sys->kind, "sqlite") != 0)
            continue;
        struct error err = {{0}};
        struct db *db = NULL;
        double v;
        int64_t t0 = clock_now_ms();
        char *conn = envsubst(sys->conn, &err);
        int rc = conn && db_open(sys->kind, conn, &db, &err) == 0
                     ? db_query_number(db, "SELECT 1", 2000, &v, &err) : -1;
        free(conn);
        db_close(db);
        char status[600];
        snprintf(status, sizeof status, "error: %s", err.msg);
        ok &= row(sys->name, sys->kind, rc == 1 ? "reachable" : "-",
                  (long)(clock_now_ms() - t0), rc == 1 ? "ok" : status);
    }
    return ok;
}

/* Signals: one outcome each, or a timeout. */
static int check_signals(const struct runbook *rb)
{
    struct loop loop;
    struct error err = {{0}};
    if (loop_init(&loop, 0) != 0)
        return 0;
    struct signals *s = signals_new(rb, loop.multi, &err);
    if (!s) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        loop_free(&loop);
        return 0;
    }
    loop_add_fd(&loop, signals_wake_fd(s));
    size_t n = signals_count(s), got = 0;
    struct signal_outcome *seen = calloc(n + 1, sizeof *seen);
    int *done = calloc(n + 1, sizeof *done);
    int64_t start = clock_now_ms();
    /* poll as the cockpit would, until every signal has a value or the time
     * is up: a rate over a scrape needs two scrapes, one interval apart */
    while (got < n && clock_now_ms() - start < PREFLIGHT_TIMEOUT_MS) {
        signals_start_due(s, clock_now_ms());
        loop_perform(&loop);
        loop_wait(&loop, 100);
        loop_perform(&loop);
        struct signal_outcome out[64];
        size_t k = 0;
        CURLMsg *msg;
        int left, mine;
        while ((msg = curl_multi_info_read(loop.multi, &left)))
            if (msg->msg == CURLMSG_DONE)
                k += signals_on_done(s, http_of(msg->easy_handle), msg->data.result,
                                     clock_now_ms(), out + k, 64 - k, &mine);
        k += signals_collect_local(s, clock_now_ms(), out + k, 64 - k);
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < n; j++)
                if (strcmp(rb->signals[j].name, out[i].signal) == 0 && !(done[j] && seen[j].has_value)) {
                    seen[j] = out[i];
                    done[j] = 1;
                    got += out[i].has_value;
                }
    }
    int ok = 1;
    for (size_t j = 0; j < n; j++) {
        char value[32] = "-";
        if (done[j] && seen[j].has_value)
            snprintf(value, sizeof value, "%.6g", seen[j].value);
        const char *status = !done[j] ? "error: no answer within 5 s"
                           : seen[j].has_value ? "ok" : seen[j].status;
        ok &= row(rb->signals[j].name, signals_source_name(signals_source_of(s, j)), value,
                  done[j] ? (long)seen[j].latency_ms : -1, status);
    }
    free(seen);
    free(done);
    signals_free(s);
    loop_free(&loop);
    return ok;
}

int cmd_preflight(int argc, char **argv)
{
    struct options o;
    if (options_parse(argc, argv, &o) != 0 || o.n_positional != 1)
        return usage_of("preflight");
    const char *path = o.positional[0];
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_load(path, &pr);
    if (!rb || pr.n_errors) {
        fprintf(stderr, "cutover: %s has problems; `cutover check %s` lists them\n", path, path);
        runbook_free(rb);
        rb_problems_free(&pr);
        return EXIT_FAILED;
    }
    rb_problems_free(&pr);
    redact_install_runbook(rb);   /* an error may echo a password's words */
    printf("%-26s %-11s %-14s %8s  %s\n", "SIGNAL / SYSTEM", "SOURCE", "VALUE", "LATENCY", "STATUS");
    int ok = check_stores(rb);
    ok &= check_signals(rb);
    runbook_free(rb);
    printf("preflight: %s\n", ok ? "everything answered" : "FAILED — see the rows above");
    return ok ? EXIT_OK : EXIT_FAILED;
}
