/* test_replay.c — replay is the fold up to time t: after any seek (forward,
 * backward, across checkpoints) the session is the one a fresh fold of the
 * same first rows gives; times map to rows; jumps find the next event of a
 * sort; a damaged journal is cut at its first bad row. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "core/events.h"
#include "core/journal.h"
#include "core/replay.h"
#include "core/session.h"

#define N_EVENTS 40000L   /* more than two checkpoints' worth with the samples */
#define T0 1750000000000LL

static const char RUNBOOK[] =
    "# Replay\n\n## Roles\n- commander: A\n- dba: B\n\n"
    "## Systems\n- metrics: prometheus `http://127.0.0.1:9`\n\n"
    "## Signals\n- error_rate: `e`\n\n"
    "## Abort criteria\n- abort if error_rate > 1% for 30s\n\n"
    "## Phase 1: One\n- [ ] dba: a\n- [ ] dba: b\n"
    "## Rollback\n### Phase 1\nx\n";

static char path[64];
static struct runbook *rb;

struct filler {
    long next;
};

static int fill_tx(struct journal *j, void *p, struct error *err)
{
    struct filler *f = p;
    for (int i = 0; i < 10000 && f->next < N_EVENTS; i++, f->next++) {
        long n = f->next;
        char *body = n == 20000 ? events_ack_body("1.1", "B", "dba")
                     : n % 2  ? events_criterion_body(0, rb->criteria[0].text, n % 4 == 1 ? "ok" : "pending",
                                                     n % 4 == 1 ? "pending" : "ok", 1, 0.02, 0, 0, "tick")
                              : events_note_body("a note");
        const char *kind = n == 20000 ? EV_ACK : n % 2 ? EV_CRITERION : EV_NOTE;
        struct journal_event ev = {.ts_ms = T0 + n * 10, .actor = "B/dba", .kind = kind, .body = body};
        int rc = journal_append(j, &ev, NULL, err);
        free(body);
        if (rc != 0)
            return -1;
        if (n % 3 == 0) {
            struct journal_sample s = {.ts_ms = T0 + n * 10 + 1, .signal = "error_rate", .status = "ok",
                                       .has_value = 1, .value = 0.001 * (double)(n % 17)};
            if (journal_append_samples(j, &s, 1, err) != 0)
                return -1;
        }
    }
    return 0;
}

static void make_journal(void)
{
    snprintf(path, sizeof path, "/tmp/cutover-test-replay-%d", (int)getpid());
    unlink(path);
    struct rb_problems pr = {0};
    rb = runbook_parse("replay.md", RUNBOOK, sizeof RUNBOOK - 1, &pr);
    rb_problems_free(&pr);
    struct journal *j;
    struct error err = {{0}};
    if (!rb || journal_open(path, JOURNAL_CREATE, &j, &err) != 0)
        return;
    char *body = events_runbook_body("replay.md", rb->sha256, rb->text, rb->title, NULL);
    struct journal_event ev = {.ts_ms = T0 - 1, .actor = "A/commander", .kind = EV_RUNBOOK, .body = body};
    journal_append(j, &ev, NULL, &err);
    free(body);
    struct filler f = {0};
    while (f.next < N_EVENTS && journal_transact(j, fill_tx, &f, &err) >= 0)
        ;
    journal_close(j);
}

/* A fresh fold of the first k rows of the one history. */
struct fresh {
    struct session s;
    size_t k, n;
};

static int fresh_event(const struct journal_event *ev, void *p)
{
    struct fresh *f = p;
    if (f->n == f->k)
        return 1;
    session_apply(&f->s, ev);
    f->n++;
    return 0;
}

static int fresh_sample(const struct journal_sample *sa, void *p)
{
    struct fresh *f = p;
    if (f->n == f->k)
        return 1;
    session_apply_sample(&f->s, sa);
    f->n++;
    return 0;
}

static int same_as_fresh(const struct session *s, size_t k)
{
    struct fresh f = {.k = k};
    struct journal *j;
    struct error err = {{0}};
    session_init(&f.s, rb);
    journal_open(path, JOURNAL_READONLY, &j, &err);
    journal_read_history(j, 0, 0, fresh_event, fresh_sample, &f, &err);
    journal_close(j);
    int same = s->last_seq == f.s.last_seq && s->last_sample_seq == f.s.last_sample_seq &&
               s->n_events == f.s.n_events && s->n_notes == f.s.n_notes &&
               s->n_acked == f.s.n_acked && s->crits[0].state == f.s.crits[0].state &&
               s->crits[0].since_ms == f.s.crits[0].since_ms &&
               s->signals[0].value == f.s.signals[0].value &&
               s->signals[0].n_history == f.s.signals[0].n_history &&
               s->tracks[0].breach_since_ms == f.s.tracks[0].breach_since_ms &&
               s->ramp.n_unclear == f.s.ramp.n_unclear;
    if (!same)
        printf("  at row %zu: replay seq %lld/%lld, fresh %lld/%lld\n", k, (long long)s->last_seq,
               (long long)s->last_sample_seq, (long long)f.s.last_seq, (long long)f.s.last_sample_seq);
    session_free(&f.s);
    return same;
}

TEST(every_seek_is_the_fold_of_the_rows_before)
{
    struct replay *r;
    struct error err = {{0}};
    CHECK(replay_open(path, &r, &err) == 0);
    if (!r)
        return;
    size_t n = replay_rows(r);
    CHECK(n == (size_t)(1 + N_EVENTS + (N_EVENTS + 2) / 3));
    CHECK(replay_damage(r) == NULL || strstr(replay_damage(r), "NOT YET VERIFIED") != NULL);
    CHECK(replay_check_verified(r, 1, &err) == 1 || replay_damage(r) == NULL);
    CHECK(replay_damage(r) == NULL && replay_check_verified(r, 1, &err) == 0);
    CHECK(replay_position(r) == 0 && same_as_fresh(replay_session(r), 0));
    /* forward, backward, across checkpoints, to the ends */
    size_t at[] = {0, 1, n, 17000, 16384, 16383, 40000, 5, 53334, n - 1, 33000, 2};
    for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
        size_t k = at[i] > n ? n : at[i];
        CHECK(replay_seek_row(r, k, &err) == 0 && replay_position(r) == k);
        CHECK(same_as_fresh(replay_session(r), k));
    }
    replay_close(r);
}

/* Seeks made at once, while the folder is still on its way, wait for the
 * checkpoint they need and land where a fresh fold does; closing at once
 * stops the folder. */
TEST(seeks_before_the_folder_is_through_are_the_fold_too)
{
    struct error err = {{0}};
    struct replay *r;
    CHECK(replay_open(path, &r, &err) == 0);
    if (!r)
        return;
    size_t n = replay_rows(r);
    CHECK(replay_seek_row(r, n, &err) == 0 && replay_position(r) == n);
    CHECK(same_as_fresh(replay_session(r), n));
    CHECK(replay_seek_row(r, 20000, &err) == 0 && same_as_fresh(replay_session(r), 20000));
    replay_close(r);
    for (int i = 0; i < 5; i++) {   /* open and close at once: the folder stops */
        CHECK(replay_open(path, &r, &err) == 0);
        replay_close(r);
    }
}

TEST(times_map_to_rows_and_jumps_find_events)
{
    struct replay *r;
    struct error err = {{0}};
    CHECK(replay_open(path, &r, &err) == 0);
    if (!r)
        return;
    CHECK(replay_first_ms(r) == T0 - 1);
    CHECK(replay_row_at(r, T0 - 2) == 0);
    CHECK(replay_row_at(r, T0 - 1) == 1);   /* the runbook event is shown at its own time */
    size_t k = replay_row_at(r, T0 + 20000 * 10);
    CHECK(replay_row_ms(r, k - 1) <= T0 + 20000 * 10 && replay_row_ms(r, k) > T0 + 20000 * 10);
    size_t ack = replay_find(r, 0, REPLAY_ACK, 1);
    CHECK(ack != (size_t)-1 && replay_row_mark(r, ack - 1) == REPLAY_ACK);
    CHECK(replay_seek_row(r, ack, &err) == 0 && replay_session(r)->n_acked == 1);
    CHECK(replay_seek_row(r, ack - 1, &err) == 0 && replay_session(r)->n_acked == 0);
    CHECK(replay_find(r, ack, REPLAY_ACK, 1) == (size_t)-1);
    CHECK(replay_find(r, replay_rows(r), REPLAY_ACK, -1) == ack);
    CHECK(replay_find(r, 0, REPLAY_ABORT, 1) == (size_t)-1);
    unsigned bins[10];
    replay_histogram(r, replay_first_ms(r), replay_last_ms(r), bins, 10);
    unsigned total = 0;
    for (int i = 0; i < 10; i++)
        total += bins[i];
    CHECK(total == N_EVENTS + 1);   /* events only: samples are not what clusters */
    replay_close(r);
}

TEST(a_damaged_journal_is_cut_at_its_first_bad_row)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "sqlite3 %s \"drop trigger if exists events_no_update; update events set body = "
             "replace(body, 'a note', 'A NOTE') where seq = 30002\"", path);
    if (system(cmd) != 0) {
        printf("  (no sqlite3: skipped)\n");
        return;
    }
    struct replay *r;
    struct error err = {{0}};
    CHECK(replay_open(path, &r, &err) == 0);
    if (!r)
        return;
    CHECK(replay_check_verified(r, 1, &err) >= 0);   /* the rows past the bad one go */
    CHECK(replay_damage(r) && strstr(replay_damage(r), "DAMAGED: events #30002"));
    CHECK(replay_seek_row(r, replay_rows(r), &err) == 0);
    CHECK(replay_session(r)->last_seq == 30001);
    CHECK(replay_seek_row(r, 0, &err) == 0 && replay_seek_row(r, replay_rows(r), &err) == 0);
    CHECK(replay_session(r)->last_seq == 30001);
    replay_close(r);
}

static void cleanup(void)
{
    char p[80];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    runbook_free(rb);
}

TEST(set_up)
{
    make_journal();
    CHECK(rb != NULL && access(path, F_OK) == 0);
}

TEST(tear_down)
{
    cleanup();
}

RUN_TESTS(T(set_up), T(every_seek_is_the_fold_of_the_rows_before),
          T(seeks_before_the_folder_is_through_are_the_fold_too),
          T(times_map_to_rows_and_jumps_find_events), T(a_damaged_journal_is_cut_at_its_first_bad_row),
          T(tear_down))
