/* bench_abort.c — abort latency: from the breaching sample's arrival to the
 * read-back that confirms the rollback, through the real driver (journal,
 * criteria, ramp decision, flag worker thread, flag driver), p50 and p99
 * over 100 trials (goal: <= 20 ms for a flagd file, <= 100 ms for HTTP on
 * loopback). Baseline in the same run: the driver's bare set + read back.
 * The journal is off the abort path, as in the console: appends go to the
 * writer thread (goal: p99 within 1.5x the baseline's p99).
 *
 *   bench_abort flagd            a flag file in a temporary directory
 *   bench_abort http URL         an HTTP flag service (PUT URL, GET URL)  */
#include <curl/curl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/ceremony.h"
#include "core/driver.h"
#include "core/flags.h"
#include "core/journal_writer.h"

#define TRIALS 100

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    printf("abort: %-44s p50 %6.2f ms  p99 %6.2f ms  (n=%d)\n", what, v[n / 2],
           v[(n * 99) / 100 - (n >= 100)], n);
}

static void sample(struct ceremony *c, double value)
{
    struct error err = {{0}};
    struct journal_sample s = {.ts_ms = wall_ms(), .signal = "error_ratio", .value = value,
                               .has_value = 1, .status = "ok"};
    journal_append_samples(c->journal, &s, 1, &err);
}

/* Steps the driver until cond holds (waiting on its worker pipes). */
static int step_until(struct driver *d, struct ceremony *c, int (*cond)(const struct ceremony *))
{
    struct error err = {{0}};
    int fds[5];
    size_t n = driver_fds(d, fds);
    fds[n++] = journal_writer_fd(c->journal);
    struct pollfd p[5];
    for (size_t i = 0; i < n; i++)
        p[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    double t0 = mono_ms();
    while (mono_ms() - t0 < 5000) {
        journal_writer_poll(c->journal);
        if (driver_step(d, wall_ms(), &err) < 0) {
            fprintf(stderr, "driver: %s\n", err.msg);
            return -1;
        }
        if (cond(c))
            return 0;
        poll(p, n, 5);
    }
    return -1;
}

static int holding(const struct ceremony *c) { return c->s.ramp.status == RAMP_HOLDING; }
static int confirmed(const struct ceremony *c) { return c->s.ramp.rollback_confirmed_ms != 0; }
static int resumed(const struct ceremony *c) { return c->s.ramp.status != RAMP_ABORTED; }
static int ready(const struct ceremony *c)
{
    return c->s.crits[0].judged && c->s.crits[0].state == CRIT_OK && c->s.ramp.rehearsed;
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/cutover-bench-abort-XXXXXX";
    if (argc < 2 || !mkdtemp(dir))
        return 2;
    int http = strcmp(argv[1], "http") == 0 && argc > 2;
    char flag_line[512], text[2048], rb_path[600], journal[600];
    if (http)
        snprintf(flag_line, sizeof flag_line,
                 "- flag: http `%s` body `{\"rollout\": {{percent}}}` path `$.rollout`", argv[2]);
    else
        snprintf(flag_line, sizeof flag_line, "- flag: flagd `%s/flags.json` flag `f`", dir);
    snprintf(text, sizeof text,
             "# Abort bench\n\n## Roles\n- commander: A\n\n## Systems\n"
             "- metrics: prometheus `http://127.0.0.1:1`\n%s\n\n"
             "## Signals\n- error_ratio: `x` every 1h\n\n## Abort criteria\n- abort if error_ratio > 1%%\n\n"
             "## Ramp\n- 1%% for 1h\n- 100%%\n\n## Phase 1: P\n- [ ] commander: ramp `ramp`\n\n"
             "## Rollback\n### Phase 1\nback\n", flag_line);
    snprintf(rb_path, sizeof rb_path, "%s/rb.md", dir);
    snprintf(journal, sizeof journal, "%s/j.journal", dir);
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse(rb_path, text, strlen(text), &pr);
    struct ceremony c;
    struct error err = {{0}};
    CURLM *multi = curl_multi_init();
    if (!rb || pr.n_errors ||
        ceremony_start(&c, rb, rb_path, journal, 0, "A", "commander", wall_ms(), &err) != 0) {
        fprintf(stderr, "setup: %s %s\n", err.msg, pr.n ? pr.v[0].message : "");
        return 1;
    }
    rb_problems_free(&pr);
    struct driver *d = driver_new(&c, multi, &err);
    if (!d || ceremony_start_writer(&c, wall_ms, &err) != 0) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    double cockpit[TRIALS], bare[TRIALS];
    char msg[300];
    for (int i = 0; i < TRIALS; i++) {
        sample(&c, 0);
        if (step_until(d, &c, ready) != 0 || driver_advance(d, "1", wall_ms(), msg, sizeof msg) != 0 ||
            step_until(d, &c, holding) != 0) {
            fprintf(stderr, "trial %d: could not reach 1%%: %s\n", i, msg);
            return 1;
        }
        double t0 = mono_ms();
        sample(&c, 0.5);   /* the breaching sample arrives */
        if (step_until(d, &c, confirmed) != 0) {
            fprintf(stderr, "trial %d: no confirmed rollback\n", i);
            return 1;
        }
        cockpit[i] = mono_ms() - t0;
        driver_resume(d, "bench", wall_ms(), msg, sizeof msg);
        if (step_until(d, &c, resumed) != 0) {
            fprintf(stderr, "trial %d: no resume: %s\n", i, msg);
            return 1;
        }
    }
    /* the baseline: the flag driver alone, set + read back */
    const struct rb_system *sys = runbook_system(c.rb, "flag");
    struct flag_driver *fd = flags_open(sys, &err);
    for (int i = 0; i < TRIALS && fd; i++) {
        double v, t0 = mono_ms();
        flags_set(fd, i % 2 ? 1 : 0, &err);
        flags_read(fd, &v, &err);
        bare[i] = mono_ms() - t0;
    }
    flags_close(fd);
    char what[96];
    snprintf(what, sizeof what, "%s: breaching sample -> rollback read back", http ? "http" : "flagd file");
    report(what, cockpit, TRIALS);
    snprintf(what, sizeof what, "%s: baseline, the driver's set + read back", http ? "http" : "flagd file");
    report(what, bare, TRIALS);
    printf("abort: p99 / baseline p99: %.2f (goal <= 1.5)\n",
           cockpit[(TRIALS * 99) / 100 - 1] / bare[(TRIALS * 99) / 100 - 1]);
    struct error left = {{0}};
    journal_writer_stop(c.journal, 1000, &left);
    driver_free(d);
    ceremony_close(&c);
    curl_multi_cleanup(multi);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
