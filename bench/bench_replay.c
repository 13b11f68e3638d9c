/* bench_replay.c — `cutover replay`'s figures (issue 19): opening a journal
 * of 1,000,000 events and 100,000 samples (the index of every row, while
 * the chains are verified and the checkpoints folded on threads of their
 * own) — goal ≤ 1 s — and seeking anywhere in it, once folded —
 * goal ≤ 100 ms — against the baselines of the same run: verifying alone,
 * and one plain fold through the one history. Then `cutover report` on the
 * same journal in each format (report_time.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_clock.h"
#include "core/events.h"
#include "core/journal.h"
#include "core/replay.h"
#include "core/session.h"
#include "report_time.h"

#define N_EVENTS 1000000L
#define EVENTS_PER_SAMPLE 10
#define EVENTS_PER_TX 20000
#define N_SEEKS 200

static const char RUNBOOK[] =
    "# Replay bench\n\n## Roles\n- commander: A\n- dba: B\n\n"
    "## Systems\n- metrics: prometheus `http://127.0.0.1:9`\n\n"
    "## Signals\n- error_rate: `e`\n\n"
    "## Abort criteria\n- abort if error_rate > 1% for 30s\n\n"
    "## Phase 1: One\n- [ ] dba: a\n- [ ] dba: b\n"
    "## Rollback\n### Phase 1\nx\n";

struct writer {
    const struct runbook *rb;
    long next;   /* the next event's number */
};

/* Notes, acks and criterion ticks, a sample after every tenth event. */
static int write_tx(struct journal *j, void *p, struct error *err)
{
    struct writer *w = p;
    for (int i = 0; i < EVENTS_PER_TX && w->next < N_EVENTS; i++, w->next++) {
        long n = w->next;
        int64_t ts = 1750000000000LL + n * 50;
        char *body;
        const char *kind;
        if (n % 3 == 0) {
            kind = EV_CRITERION;
            body = events_criterion_body(0, w->rb->criteria[0].text, n % 2 ? "ok" : "pending",
                                         n % 2 ? "pending" : "ok", 1, 0.004, 0, 0, "tick");
        } else if (n % 3 == 1) {
            kind = EV_ACK;
            body = events_ack_body(n % 2 ? "1.1" : "1.2", "B", "dba");
        } else {
            kind = EV_NOTE;
            body = events_note_body("what someone saw, in an ordinary sentence");
        }
        struct journal_event ev = {.ts_ms = ts, .actor = "B/dba", .kind = kind, .body = body};
        int rc = body ? journal_append(j, &ev, NULL, err) : -1;
        free(body);
        if (rc != 0)
            return -1;
        if (n % EVENTS_PER_SAMPLE == 0) {
            struct journal_sample s = {.ts_ms = ts + 1, .signal = "error_rate", .status = "ok",
                                       .has_value = 1, .value = 0.001 * (double)(n % 9)};
            if (journal_append_samples(j, &s, 1, err) != 0)
                return -1;
        }
    }
    return 0;
}

static int fold_event(const struct journal_event *ev, void *s)
{
    session_apply(s, ev);
    return 0;
}

static int fold_sample(const struct journal_sample *sa, void *s)
{
    session_apply_sample(s, sa);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(void)
{
    char path[] = "/tmp/cutover-bench-replay-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    struct error err = {{0}};
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("replay.md", RUNBOOK, strlen(RUNBOOK), &pr);
    struct journal *j;
    if (!rb || pr.n_errors || journal_open(path, JOURNAL_CREATE, &j, &err) != 0) {
        fprintf(stderr, "replay bench: setup failed: %s\n", err.msg);
        return 1;
    }
    printf("replay: writing %ld events and %ld samples ...\n", N_EVENTS, N_EVENTS / EVENTS_PER_SAMPLE);
    char *body = events_runbook_body("replay.md", rb->sha256, rb->text, rb->title, NULL);
    struct journal_event ev = {.ts_ms = 1750000000000LL - 1, .actor = "A/commander",
                               .kind = EV_RUNBOOK, .body = body};
    int rc = journal_append(j, &ev, NULL, &err);
    free(body);
    struct writer w = {rb, 0};
    while (rc == 0 && w.next < N_EVENTS)
        rc = journal_transact(j, write_tx, &w, &err) < 0 ? -1 : 0;
    journal_close(j);
    if (rc != 0) {
        fprintf(stderr, "replay bench: %s\n", err.msg);
        return 1;
    }

    struct journal_verify_result res;
    double t0 = now_s();
    journal_verify(path, &res, &err);
    double verify_s = now_s() - t0;
    struct session s;
    session_init(&s, rb);
    journal_open(path, JOURNAL_READONLY, &j, &err);
    t0 = now_s();
    double c0 = cpu_s();
    journal_read_history(j, 0, 0, fold_event, fold_sample, &s, &err);
    double fold_s = now_s() - t0, fold_cpu = cpu_s() - c0;
    session_free(&s);
    journal_close(j);

    struct replay *r;
    t0 = now_s();
    if (replay_open(path, &r, &err) != 0) {
        fprintf(stderr, "replay bench: %s\n", err.msg);
        return 1;
    }
    double open_s = now_s() - t0;
    replay_wait_folded(r);   /* the checkpoints, kept meanwhile on their thread */
    double folded_s = now_s() - t0;
    replay_check_verified(r, 1, &err);   /* the chains, checked meanwhile on their thread */
    double verified_s = now_s() - t0;
    double seeks[N_SEEKS];
    srand(7);
    int64_t first = replay_first_ms(r), span = replay_last_ms(r) - first;
    for (int i = 0; i < N_SEEKS; i++) {
        int64_t t = first + (int64_t)((double)rand() / RAND_MAX * (double)span);
        t0 = now_s();
        replay_seek_time(r, t, &err);
        seeks[i] = now_s() - t0;
    }
    qsort(seeks, N_SEEKS, sizeof *seeks, cmp_double);
    int ok = res.ok && !replay_damage(r) && replay_rows(r) == (size_t)(N_EVENTS + 1 + N_EVENTS / EVENTS_PER_SAMPLE);
    printf("replay: baselines: verify %.3f s, one plain fold %.3f s\n", verify_s, fold_s);
    printf("replay: open (the index of every row; the screen is usable, says NOT YET VERIFIED) "
           "%.3f s = %.2f× one plain fold  (goal <= 1 s) %s\n",
           open_s, open_s / fold_s, open_s <= 1.0 ? "MET" : "MISSED");
    printf("replay: every checkpoint folded (on its own thread; a far seek before then waits) "
           "%.3f s after opening began = %.2f× one plain fold\n", folded_s, folded_s / fold_s);
    printf("replay: both chains verified (on their own thread) %.3f s after opening began = %.2f× "
           "verify alone\n", verified_s, verified_s / verify_s);
    printf("replay: %d seeks anywhere: median %.1f ms, p99 %.1f ms, worst %.1f ms  (goal <= 100 ms) %s\n",
           N_SEEKS, seeks[N_SEEKS / 2] * 1000, seeks[N_SEEKS * 99 / 100] * 1000,
           seeks[N_SEEKS - 1] * 1000, seeks[N_SEEKS - 1] <= 0.1 ? "MET" : "MISSED");
    replay_close(r);
    if (report_time_bench(path, fold_s, fold_cpu) != 0)
        ok = 0;
    runbook_free(rb);
    rb_problems_free(&pr);
    char p[64];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    return ok ? 0 : 1;
}
