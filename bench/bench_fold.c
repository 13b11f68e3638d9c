/* bench_fold.c — how long folding a journal of 1,000,000 rows, events and
 * samples, takes through the one history (journal_read_history, the
 * merged reader every fold uses) — goal ≤ 1 s — against the baselines of
 * reading the same rows with no fold, table by table and merged, in the
 * same run. The rows are a long ceremony's: samples of two signals (the
 * fold steps the criteria on each), criterion transitions with valid
 * bodies (each a tick of every criterion), acks and notes.
 *
 * Then the refold path: a console (a ceremony on the same journal, with
 * its writer) has one row of its own queued when another writer's row is
 * read back ahead of it; the time of that ceremony_refresh, which must be
 * a cost of what is new, not of the 1,000,000 rows before. Everything is
 * read through connections opened after the rows were written, as a
 * restart, a join or a replay reads them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_clock.h"
#include "core/ceremony.h"
#include "core/events.h"
#include "core/session.h"

#define N_ROWS 1000000
#define GROUP 10           /* per group: 4 events, 6 samples */
#define GROUPS_PER_TX 1000

static const char RUNBOOK[] =
    "# Bench\n\n## Roles\n- commander: A\n- dba: B\n\n"
    "## Systems\n- metrics: prometheus `http://127.0.0.1:9`\n\n"
    "## Signals\n- p99_ratio: `r`\n- error_rate: `e`\n\n"
    "## Abort criteria\n- abort if p99_ratio > 2 for 60s\n- abort if error_rate > 1% for 30s\n\n"
    "## Phase 1: One\n- [ ] dba: a\n- [ ] dba: b\n- [ ] dba: c\n"
    "## Phase 2: Two\n- [ ] dba: d\n- [ ] dba: e\n"
    "## Rollback\n### Phase 1\nx\n### Phase 2\ny\n";

struct filler {
    const struct runbook *rb;
    long group;          /* the next group's number */
};

/* One transaction of GROUPS_PER_TX groups, each appended in its order. */
static int fill_tx(struct journal *j, void *p, struct error *err)
{
    static const char *steps[] = {"1.1", "1.2", "1.3", "2.1", "2.2"};
    static const char *states[] = {"ok", "pending", "ok", "no data"};
    struct filler *f = p;
    for (int g = 0; g < GROUPS_PER_TX; g++, f->group++) {
        long n = f->group;
        int64_t ts = 1700000000000LL + n * 100;
        size_t ci = (size_t)(n % 2);
        char *bodies[4] = {
            events_ack_body(steps[n % 5], "B", "dba"),
            events_note_body("a note of ordinary length, as people write them"),
            events_criterion_body(ci, f->rb->criteria[ci].text, states[n % 4],
                                  states[(n + 1) % 4], 1, 1.31, 0, 0, "p99_ratio = 1.31, within > 2"),
            events_note_body("another note"),
        };
        const char *kinds[4] = {EV_ACK, EV_NOTE, EV_CRITERION, EV_NOTE};
        int rc = 0;
        for (int i = 0; i < 4; i++) {
            struct journal_event ev = {.ts_ms = ts + i, .actor = "B/dba", .kind = kinds[i],
                                       .body = bodies[i]};
            if (rc == 0 && journal_append(j, &ev, NULL, err) != 0)
                rc = -1;
            free(bodies[i]);
            if (i == 1 && rc == 0) {   /* samples between the events, as a console writes them */
                struct journal_sample s[6];
                for (int k = 0; k < 6; k++)
                    s[k] = (struct journal_sample){.ts_ms = ts + 2, .status = "ok", .has_value = 1,
                                                   .signal = k % 2 ? "error_rate" : "p99_ratio",
                                                   .value = k % 2 ? 0.001 * (n % 7) : 1.0 + 0.1 * (n % 5)};
                rc = journal_append_samples(j, s, 6, err);
            }
        }
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int fill(struct journal *j, const struct runbook *rb)
{
    struct filler f = {rb, 0};
    struct error err = {{0}};
    char *body = events_runbook_body("bench.md", rb->sha256, rb->text, rb->title, NULL);
    struct journal_event ev = {.ts_ms = 1700000000000LL - 1, .actor = "A/commander",
                               .kind = EV_RUNBOOK, .body = body};
    int rc = body ? journal_append(j, &ev, NULL, &err) : -1;
    free(body);
    if (rc != 0) {
        fprintf(stderr, "append: %s\n", err.msg);
        return -1;
    }
    for (long done = 0; done < N_ROWS; done += (long)GROUP * GROUPS_PER_TX)
        if (journal_transact(j, fill_tx, &f, &err) < 0) {
            fprintf(stderr, "append: %s\n", err.msg);
            return -1;
        }
    return 0;
}

static int count_event(const struct journal_event *ev, void *ctx)
{
    (void)ev;
    (*(long *)ctx)++;
    return 0;
}

static int count_sample(const struct journal_sample *s, void *ctx)
{
    (void)s;
    (*(long *)ctx)++;
    return 0;
}

static int fold_event(const struct journal_event *ev, void *ctx)
{
    session_apply(ctx, ev);
    return 0;
}

static int fold_sample(const struct journal_sample *s, void *ctx)
{
    session_apply_sample(ctx, s);
    return 0;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define DIVERGENCES 5

/* A console with one row of its own queued, another's row read back
 * ahead of it: the slowest ceremony_refresh of DIVERGENCES, in seconds. */
static int refold_path(const char *path, double *worst, double *first, long *scratch,
                       long *restores)
{
    struct ceremony c;
    struct journal *other = NULL;
    struct error err = {{0}};
    char *note = events_note_body("a row of ours, or another's");
    int rc = -1;
    if (!note || ceremony_join(&c, path, "B", "dba", &err) != 0)
        goto out;
    if (ceremony_start_writer(&c, wall_ms, &err) != 0 ||
        journal_open(path, 0, &other, &err) != 0)
        goto close;
    *worst = 0;
    for (int i = 0; i < DIVERGENCES; i++) {
        struct journal_event theirs = {.ts_ms = wall_ms(), .actor = "A/commander",
                                       .kind = EV_NOTE, .body = note};
        if (journal_append(other, &theirs, NULL, &err) != 0 ||
            ceremony_append(&c, EV_NOTE, note, wall_ms(), &err) != 0)
            goto close;
        double t0 = now_s();
        if (ceremony_refresh(&c, NULL, NULL, &err) != 0)
            goto close;
        double t = now_s() - t0;
        if (i == 0)
            *first = t;
        if (t > *worst)
            *worst = t;
    }
    *scratch = c.n_refolds;
    *restores = c.n_restores;
    rc = 0;
close:
    journal_close(other);
    ceremony_close(&c);
out:
    if (rc)
        fprintf(stderr, "refold path: %s\n", err.msg);
    free(note);
    return rc;
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
        fprintf(stderr, "setup failed: %s %s\n", err.msg, pr.n ? pr.v[0].message : "");
        return 1;
    }
    printf("fold: writing %d rows (4 events and 6 samples in every 10) ...\n", N_ROWS);
    if (fill(j, rb) != 0)
        return 1;
    journal_close(j);   /* read as a restart, a join or a replay does: opened anew */
    if (journal_open(path, 0, &j, &err) != 0) {
        fprintf(stderr, "reopen: %s\n", err.msg);
        return 1;
    }

    long n_tables = 0, n_merged = 0;
    double t0 = now_s(), c0 = cpu_s();
    journal_read(j, 0, count_event, &n_tables, &err);
    journal_read_samples(j, 0, count_sample, &n_tables, &err);
    double read_s = now_s() - t0, read_cpu = cpu_s() - c0;
    t0 = now_s(), c0 = cpu_s();
    journal_read_history(j, 0, 0, count_event, count_sample, &n_merged, &err);
    double merged_s = now_s() - t0, merged_cpu = cpu_s() - c0;

    struct session s;
    session_init(&s, rb);
    t0 = now_s(), c0 = cpu_s();
    journal_read_history(j, 0, 0, fold_event, fold_sample, &s, &err);
    double fold_s = now_s() - t0, fold_cpu = cpu_s() - c0;

    printf("fold: baseline read, table by table (no fold):  %ld rows  %.3f s (cpu %.3f s)\n",
           n_tables, read_s, read_cpu);
    printf("fold: the one history, merged read (no fold):   %ld rows  %.3f s (cpu %.3f s)\n",
           n_merged, merged_s, merged_cpu);
    printf("fold: merged read + fold (%lld events, %lld samples, criteria stepped): %.3f s "
           "(cpu %.3f s)  (goal <= 1 s) %s\n", (long long)s.n_events, (long long)s.last_sample_seq,
           fold_s, fold_cpu, fold_s <= 1.0 ? "MET" : "MISSED");
    printf("fold: fold / plain read ratio: %.2f (cpu %.2f); faults: %lld\n", fold_s / read_s,
           fold_cpu / read_cpu, (long long)s.n_faults);
    int bad = s.n_faults != 0 || n_merged != n_tables;
    session_free(&s);
    journal_close(j);
    double worst = 0, first = 0;
    long scratch = 0, restores = 0;
    if (refold_path(path, &worst, &first, &scratch, &restores) != 0)
        return 1;
    printf("fold: refold path (another's row ahead of one queued row of ours, %d times "
           "after %d rows): first %.4f s, worst %.4f s; %ld from base, %ld from scratch "
           "(goal: a cost of what is new, keys within 0.1 s) %s\n", DIVERGENCES, N_ROWS, first, worst,
           restores, scratch,
           worst < 0.1 ? "MET" : "MISSED");
    bad |= restores + scratch < DIVERGENCES || worst >= 0.1;   /* 0.1 s: keys would wait */
    runbook_free(rb);
    rb_problems_free(&pr);
    char p[64];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    return bad;
}
