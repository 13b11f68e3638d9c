/* bench_fold.c — how long folding a journal of 1,000,000 events takes
 * (goal ≤ 1 s), against the baseline of reading the same rows with no fold,
 * in the same run. The events are a mix of acks, notes and a kind the
 * session does not act on, as a long ceremony's journal would be. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/events.h"
#include "core/session.h"

#define N_EVENTS 1000000
#define BATCH 10000

static const char RUNBOOK[] =
    "# Bench\n\n## Roles\n- commander: A\n- dba: B\n\n"
    "## Phase 1: One\n- [ ] dba: a\n- [ ] dba: b\n- [ ] dba: c\n"
    "## Phase 2: Two\n- [ ] dba: d\n- [ ] dba: e\n"
    "## Rollback\n### Phase 1\nx\n### Phase 2\ny\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fill(struct journal *j)
{
    static const char *steps[] = {"1.1", "1.2", "1.3", "2.1", "2.2"};
    struct journal_event *evs = calloc(BATCH, sizeof *evs);
    char **bodies = calloc(BATCH, sizeof *bodies);
    struct error err = {{0}};
    for (int done = 0; done < N_EVENTS; done += BATCH) {
        for (int i = 0; i < BATCH; i++) {
            int n = done + i;
            const char *kind = n % 3 == 0 ? EV_ACK : n % 3 == 1 ? EV_NOTE : "criterion";
            bodies[i] = n % 3 == 0 ? events_ack_body(steps[n % 5], "B", "dba")
                      : n % 3 == 1 ? events_note_body("a note of ordinary length, as people write them")
                      : strdup("{\"criterion\":\"p99_ratio > 2 for 60s\",\"state\":\"ok\",\"value\":1.31}");
            evs[i] = (struct journal_event){.ts_ms = 1700000000000LL + n, .actor = "B/dba",
                                            .kind = kind, .body = bodies[i]};
        }
        int rc = journal_append_many(j, evs, BATCH, &err);
        for (int i = 0; i < BATCH; i++)
            free(bodies[i]);
        if (rc != 0) {
            fprintf(stderr, "append: %s\n", err.msg);
            return -1;
        }
    }
    free(evs);
    free(bodies);
    return 0;
}

static int count_only(const struct journal_event *ev, void *ctx)
{
    (void)ev;
    (*(long *)ctx)++;
    return 0;
}

static int fold_one(const struct journal_event *ev, void *ctx)
{
    session_apply(ctx, ev);
    return 0;
}

int main(void)
{
    char path[] = "/tmp/cutover-bench-fold-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    struct journal *j;
    struct error err = {{0}};
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("bench.md", RUNBOOK, strlen(RUNBOOK), &pr);
    if (!rb || pr.n_errors || journal_open(path, JOURNAL_CREATE, &j, &err) != 0) {
        fprintf(stderr, "setup failed: %s\n", err.msg);
        return 1;
    }
    printf("fold: writing %d events ...\n", N_EVENTS);
    if (fill(j) != 0)
        return 1;

    long n = 0;
    double t0 = now_s();
    journal_read(j, 0, count_only, &n, &err);
    double read_s = now_s() - t0;

    struct session s;
    session_init(&s, rb);
    t0 = now_s();
    journal_read(j, 0, fold_one, &s, &err);
    double fold_s = now_s() - t0;

    printf("fold: baseline read of %ld events (no fold): %.3f s\n", n, read_s);
    printf("fold: read + session_apply of %lld events:   %.3f s  (goal <= 1 s) %s\n",
           (long long)s.n_events, fold_s, fold_s <= 1.0 ? "MET" : "MISSED");
    printf("fold: fold / read ratio: %.2f\n", fold_s / read_s);
    session_free(&s);
    journal_close(j);
    runbook_free(rb);
    rb_problems_free(&pr);
    char p[64];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    return 0;
}
