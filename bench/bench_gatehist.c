/* bench_gatehist.c — what judging a gate `over 7d` from the journal costs:
 * a journal holding seven days of one signal at 1 s (604,800 samples) and
 * of a second signal beside it, read back through gatehist_journal (the
 * (signal, ts_ms) index) and judged by gate_judge. Baseline in the same
 * run: walking every sample of the journal (journal_read_samples). The
 * first read of the window costs a walk of the index plus a row lookup per
 * sample; the worker keeps the window's points, so each later judgment
 * reads only the samples since (the second figure). Goal: the first read
 * and judgment within 5 s (1.4 s on an idle machine), on the gates' worker, never on the loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/gate.h"
#include "core/gatehist.h"
#include "core/journal.h"

#define DAY_MS (24LL * 3600 * 1000)
#define N_X (7 * 86400)        /* x: 7 days at 1 s */
#define Y_EVERY 10             /* y: one sample every 10 s */

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int count(const struct journal_sample *s, void *ctx)
{
    (void)s;
    (*(long *)ctx)++;
    return 0;
}

static int fail(const char *what, const struct error *err)
{
    fprintf(stderr, "bench_gatehist: %s: %s\n", what, err->msg);
    return 1;
}

int main(void)
{
    char path[] = "/tmp/bench_gatehist.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    close(fd);
    unlink(path);
    struct journal *j;
    struct error err = {{0}};
    if (journal_open(path, JOURNAL_CREATE, &j, &err) != 0)
        return fail("open", &err);
    const int64_t t0 = 1700000000000LL;
    enum { CHUNK = 10000 };
    static struct journal_sample buf[CHUNK + CHUNK / Y_EVERY + 1];
    double w0 = mono_ms();
    for (int i = 0; i < N_X;) {
        size_t n = 0;
        for (int k = 0; k < CHUNK && i < N_X; k++, i++) {
            int64_t t = t0 + (int64_t)i * 1000;
            buf[n++] = (struct journal_sample){.ts_ms = t, .signal = "x", .value = 0.0004,
                                               .has_value = 1, .status = "ok"};
            if (i % Y_EVERY == 0)
                buf[n++] = (struct journal_sample){.ts_ms = t, .signal = "y", .value = 3,
                                                   .has_value = 1, .status = "ok"};
        }
        if (journal_append_samples(j, buf, n, &err) != 0)
            return fail("append", &err);
    }
    double written = mono_ms() - w0;
    journal_close(j);

    if (journal_open(path, 0, &j, &err) != 0)
        return fail("reopen", &err);
    struct rb_gate g;
    char why[200];
    static const char text[] = "x < 0.1% over 7d";
    if (gate_parse(text, sizeof text - 1, &g, why, sizeof why) != 0) {
        fprintf(stderr, "bench_gatehist: %s\n", why);
        return 1;
    }
    int64_t now = t0 + (int64_t)N_X * 1000, gap = gate_max_gap(&g, 1000, 0);
    struct gate_points p = {0};
    double r0 = mono_ms();
    if (gatehist_journal(j, "x", gate_window_start(&g, gap, now), now, &p, &err) != 0)
        return fail("read", &err);
    double read = mono_ms() - r0;
    /* the worker's steady state: the window kept, 15 s of new samples read */
    for (int k = 0; k < 15; k++) {
        struct journal_sample more = {.ts_ms = now + (k + 1) * 1000, .signal = "x",
                                      .value = 0.0004, .has_value = 1, .status = "ok"};
        if (journal_append_samples(j, &more, 1, &err) != 0)
            return fail("append more", &err);
    }
    int64_t later = now + 15000;
    double i0 = mono_ms();
    if (gatehist_journal_more(j, "x", now + 1, later, &p, &err) != 0)
        return fail("read more", &err);
    gate_points_trim(&p, gate_window_start(&g, gap, later));
    double incremental = mono_ms() - i0;
    now = later;
    struct gate_verdict v;
    double j0 = mono_ms();
    gate_judge(&g, p.v, p.n, gap, now, &v);
    double judged = mono_ms() - j0;
    long all = 0;
    double b0 = mono_ms();
    if (journal_read_samples(j, 0, count, &all, &err) != 0)
        return fail("baseline", &err);
    double base = mono_ms() - b0;
    printf("bench_gatehist: 7 days of x at 1 s (%zu points) among %ld samples "
           "(written in %.0f ms)\n", p.n, all, written);
    printf("  gatehist_journal (index):  %8.1f ms  (%.2fx a walk of every sample, %.1f ms)\n",
           read, base > 0 ? read / base : 0, base);
    printf("  then 15 s more (kept window): %6.2f ms  (%zu points; what each judgment reads)\n",
           incremental, p.n);
    printf("  gate_judge:                %8.1f ms  -> %s (%.0f%% covered)\n", judged,
           gate_state_name(v.state), v.covered * 100);
    printf("  read + judge:              %8.1f ms  (goal: <= 5000 ms, on the gates' worker)\n",
           read + judged);
    gate_points_free(&p);
    gate_spec_free(&g);
    journal_close(j);
    char side[64];
    if (getenv("BENCH_KEEP"))
        printf("  kept: %s\n", path);
    else
        unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    return read + judged <= 5000 ? 0 : 1;
}
