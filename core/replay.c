/* replay.c — the fold up to any moment (see replay.h): a pass at open that
 * indexes every row (its time and sort, no body decoded), a folder thread
 * that folds the whole journal once and keeps a copy of the session every
 * REPLAY_CHECKPOINT rows, and seeks that restore the nearest copy and fold
 * on. */
#include "replay.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony.h"
#include "events.h"
#include "journal.h"

struct row {
    int64_t ts_ms;
    int64_t seq;            /* in its own table: events or samples (mark) */
    unsigned char mark;
};

struct verifying;

struct checkpoint {
    size_t pos;                       /* rows folded into s */
    int64_t event_seq, sample_seq;    /* the newest of each folded */
    struct session s;
};

/* The folder: the whole journal folded once, on a thread of its own with
 * its own connection, leaving a checkpoint every REPLAY_CHECKPOINT rows.
 * ready counts the checkpoints made so far (ck[0 .. ready-1]); a seek past
 * them waits on `more` for the one it needs. */
struct folder {
    pthread_t thread;
    int running;                      /* the thread was started and not joined */
    pthread_mutex_t mu;
    pthread_cond_t more;
    size_t ready;
    int finished, stop;               /* under mu */
    struct journal *j;
    struct session s;
    size_t pos, rows;                 /* folded so far; rows it folds (those indexed) */
    int64_t event_seq, sample_seq;
    int failed;
    struct replay *r;
};

struct replay {
    struct journal *j;
    struct runbook *rb;
    struct row *rows;
    int64_t *latest;                  /* latest[k]: the newest time among rows 0..k */
    size_t n, cap;
    struct checkpoint *ck;            /* n_ck slots, made at open; the folder fills them */
    size_t n_ck;
    struct folder f;
    struct session cur;
    size_t pos;
    int64_t event_seq, sample_seq;
    int64_t event_limit, sample_limit; /* rows past the first bad one are not read */
    char damage[400];
    double test_clock;             /* the fastest console_open's time_scale; 0: none */
    struct verifying *verifying;   /* both chains being checked on their thread, or NULL */
    pthread_t verifier;
};

static enum replay_mark mark_of(const char *kind)
{
    if (!strcmp(kind, EV_ABORT) || !strcmp(kind, EV_ABORT_REQUEST))
        return REPLAY_ABORT;
    if (!strcmp(kind, EV_HALT))
        return REPLAY_HALT;
    if (!strcmp(kind, EV_OVERRIDE) || !strcmp(kind, EV_FLAG_RESTORE) ||
        !strcmp(kind, EV_FLAG_ACCEPT) || !strcmp(kind, EV_RESUME))
        return REPLAY_OVERRIDE;
    if (!strcmp(kind, EV_ACK) || !strcmp(kind, EV_ACK_REFUSED))
        return REPLAY_ACK;
    return REPLAY_EVENT;
}

/* ---- the index: every row's time and sort, read at open --------------- */

static int index_row(struct replay *r, int64_t ts, int64_t seq, enum replay_mark mark)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 4096;
        struct row *rows = realloc(r->rows, cap * sizeof *rows);
        if (!rows)
            return -1;
        r->rows = rows;
        int64_t *latest = realloc(r->latest, cap * sizeof *latest);
        if (!latest)
            return -1;
        r->latest = latest;
        r->cap = cap;
    }
    r->rows[r->n] = (struct row){ts, seq, (unsigned char)mark};
    r->latest[r->n] = r->n && r->latest[r->n - 1] > ts ? r->latest[r->n - 1] : ts;
    r->n++;
    return 0;
}

static int index_event(const struct journal_event *ev, void *p)
{
    struct replay *r = p;
    if (!strcmp(ev->kind, EV_CONSOLE_OPEN)) {   /* the outline keeps its body */
        struct event_body b;
        struct error err = {{0}};
        if (events_decode(ev->kind, ev->body, &b, &err) == 0)
            r->test_clock = events_test_clock(&b, r->test_clock);
        events_body_free(&b);
    }
    return index_row(r, ev->ts_ms, ev->seq, mark_of(ev->kind)) != 0 ? -1 : 0;
}

static int index_sample(const struct journal_sample *sa, void *p)
{
    return index_row(p, sa->ts_ms, sa->seq, REPLAY_SAMPLE) != 0 ? -1 : 0;
}

/* ---- the walk: folding rows into a session up to a target ------------- */

struct walk {
    struct session *s;
    size_t *pos;
    int64_t *event_seq, *sample_seq;
    int64_t event_limit, sample_limit;
    size_t target;                 /* stop before folding row `target` */
    struct folder *keeping;        /* the folder's walk: keep checkpoints */
    int failed;
};

static int keep_checkpoint(struct folder *f)
{
    struct checkpoint *c = &f->r->ck[f->pos / REPLAY_CHECKPOINT];
    if (session_copy(&c->s, &f->s) != 0)
        return -1;
    c->pos = f->pos;
    c->event_seq = f->event_seq;
    c->sample_seq = f->sample_seq;
    pthread_mutex_lock(&f->mu);
    f->ready++;
    int stop = f->stop;
    pthread_cond_broadcast(&f->more);
    pthread_mutex_unlock(&f->mu);
    return stop;
}

/* Before folding a row: 1 stops the walk (the target is reached). */
static int arrive(struct walk *w) { return *w->pos >= w->target; }

static int after(struct walk *w)
{
    ++*w->pos;
    if (w->keeping && *w->pos % REPLAY_CHECKPOINT == 0) {
        int rc = keep_checkpoint(w->keeping);
        if (rc < 0)
            w->failed = 1;
        if (rc != 0)
            return 1;
    }
    return 0;
}

static int on_event(const struct journal_event *ev, void *p)
{
    struct walk *w = p;
    if (ev->seq > w->event_limit || arrive(w))
        return 1;   /* past the first bad row nothing is replayed */
    session_apply(w->s, ev);
    *w->event_seq = ev->seq;
    return after(w);
}

static int on_sample(const struct journal_sample *sa, void *p)
{
    struct walk *w = p;
    if (sa->seq > w->sample_limit || arrive(w))
        return 1;
    session_apply_sample(w->s, sa);
    *w->sample_seq = sa->seq;
    return after(w);
}

/* The current position folded on to row `target`, on the caller's thread. */
static int walk_to(struct replay *r, size_t target, struct error *err)
{
    struct walk w = {.s = &r->cur, .pos = &r->pos, .event_seq = &r->event_seq,
                     .sample_seq = &r->sample_seq, .event_limit = r->event_limit,
                     .sample_limit = r->sample_limit, .target = target};
    if (r->pos >= target)
        return 0;
    if (journal_read_history(r->j, r->event_seq, r->sample_seq, on_event, on_sample, &w, err) < 0)
        return -1;
    return 0;
}

static void *fold_thread(void *p)
{
    struct folder *f = p;
    struct walk w = {.s = &f->s, .pos = &f->pos, .event_seq = &f->event_seq,
                     .sample_seq = &f->sample_seq, .event_limit = INT64_MAX,
                     .sample_limit = INT64_MAX, .target = f->rows, .keeping = f};
    struct error err = {{0}};
    if (journal_read_history(f->j, 0, 0, on_event, on_sample, &w, &err) < 0 || w.failed)
        f->failed = 1;
    pthread_mutex_lock(&f->mu);
    f->finished = 1;
    pthread_cond_broadcast(&f->more);
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

/* The first checkpoint is the empty fold, made here; the folder makes the
 * others. Without a thread to spare, the checkpoints are made here. */
static int start_folder(struct replay *r, const char *path, struct error *err)
{
    struct folder *f = &r->f;
    r->n_ck = r->n / REPLAY_CHECKPOINT + 1;
    if (!(r->ck = calloc(r->n_ck, sizeof *r->ck)) || session_init(&f->s, r->rb) != 0 ||
        session_copy(&r->ck[0].s, &f->s) != 0) {
        error_set(err, "out of memory");
        return -1;
    }
    f->ready = 1;
    f->r = r;
    f->rows = r->n;
    if (r->n_ck == 1) {
        f->finished = 1;
        return 0;
    }
    if (journal_open(path, JOURNAL_READONLY, &f->j, err) != 0)
        return -1;
    if (pthread_create(&f->thread, NULL, fold_thread, f) == 0)
        f->running = 1;
    else
        fold_thread(f);
    return 0;
}

/* The newest checkpoint at or before row k that the folder has made,
 * waiting for it while the folder is still on its way there. */
static size_t checkpoint_for(struct replay *r, size_t k)
{
    size_t want = k / REPLAY_CHECKPOINT;
    if (want >= r->n_ck)
        want = r->n_ck - 1;
    pthread_mutex_lock(&r->f.mu);
    while (r->f.ready <= want && !r->f.finished)
        pthread_cond_wait(&r->f.more, &r->f.mu);
    size_t c = r->f.ready <= want ? r->f.ready - 1 : want;
    pthread_mutex_unlock(&r->f.mu);
    while (c > 0 && r->ck[c].pos > r->n)   /* made of rows a damaged journal lost */
        c--;
    return c;
}

static void stop_folder(struct replay *r)
{
    struct folder *f = &r->f;
    if (f->running) {
        pthread_mutex_lock(&f->mu);
        f->stop = 1;
        pthread_mutex_unlock(&f->mu);
        pthread_join(f->thread, NULL);
        f->running = 0;
    }
}

/* ---- open, seek ------------------------------------------------------- */

/* Both chains are verified on a thread of their own while this one folds:
 * opening costs the longer of the two, not their sum. */
struct verifying {
    const char *path;           /* owned: the thread may outlive the caller's string */
    struct journal_verify_result res;
    int rc;
    struct error err;
};

static void *verify_thread(void *p)
{
    struct verifying *v = p;
    v->rc = journal_verify(v->path, &v->res, &v->err);
    return NULL;
}

/* The rows from the first bad one on are dropped, and so is what was folded of them. */
static int cut_at_damage(struct replay *r, const struct verifying *v, struct error *err)
{
    if (v->rc != 0) {
        snprintf(r->damage, sizeof r->damage, "NOT VERIFIED: %s", v->err.msg);
        return 0;
    }
    if (v->res.ok)
        return 0;
    int samples = strcmp(v->res.table, "samples") == 0;
    int64_t bad = v->res.first_bad_seq;
    size_t k = 0;
    while (k < r->n && !((r->rows[k].mark == REPLAY_SAMPLE) == samples && r->rows[k].seq >= bad))
        k++;
    snprintf(r->damage, sizeof r->damage, "DAMAGED: %s #%lld: %s — replayed up to #%lld",
             v->res.table, (long long)bad, v->res.reason, (long long)(bad - 1));
    r->n = k;   /* checkpoints past it are never used again (checkpoint_for) */
    if (samples)
        r->sample_limit = bad - 1;
    else
        r->event_limit = bad - 1;
    /* what was folded of the lost rows goes */
    return r->pos > k ? replay_seek_row(r, k, err) : 0;
}

/* While the chains are checked, the replay says so: never shown as intact. */
#define NOT_YET_VERIFIED "NOT YET VERIFIED: the hash chains are being checked"

int replay_open(const char *path, struct replay **out, struct error *err)
{
    *out = NULL;
    struct replay *r = calloc(1, sizeof *r);
    struct verifying *v = calloc(1, sizeof *v);
    if (!r || !v || !(v->path = strdup(path))) {
        free(r);
        if (v)
            free((char *)v->path);
        free(v);
        error_set(err, "out of memory");
        return -1;
    }
    r->event_limit = r->sample_limit = INT64_MAX;
    pthread_mutex_init(&r->f.mu, NULL);
    pthread_cond_init(&r->f.more, NULL);
    if (pthread_create(&r->verifier, NULL, verify_thread, v) == 0) {
        r->verifying = v;
        snprintf(r->damage, sizeof r->damage, NOT_YET_VERIFIED);
    } else {
        verify_thread(v);   /* no thread to spare: verified first, then folded */
    }
    int rc = -1;
    if (journal_open(path, JOURNAL_READONLY, &r->j, err) != 0 ||
        !(r->rb = ceremony_runbook_from_journal(r->j, path, err)))
        goto out;
    if (journal_read_outline(r->j, index_event, index_sample, r, err) < 0) {
        if (!err->msg[0])
            error_set(err, "out of memory");
        goto out;
    }
    if (start_folder(r, path, err) != 0 || session_copy(&r->cur, &r->ck[0].s) != 0) {
        if (!err->msg[0])
            error_set(err, "out of memory");
        goto out;
    }
    rc = 0;
    if (!r->verifying)
        rc = cut_at_damage(r, v, err);
out:
    if (!r->verifying) {
        free((char *)v->path);
        free(v);
    }
    if (rc != 0) {
        replay_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

int replay_check_verified(struct replay *r, int wait, struct error *err)
{
    if (!r->verifying)
        return 0;
    if (wait ? pthread_join(r->verifier, NULL) != 0 : pthread_tryjoin_np(r->verifier, NULL) != 0)
        return 0;
    struct verifying *v = r->verifying;
    r->verifying = NULL;
    r->damage[0] = '\0';
    int rc = cut_at_damage(r, v, err);
    free((char *)v->path);
    free(v);
    return rc != 0 ? -1 : 1;
}

void replay_wait_folded(struct replay *r)
{
    pthread_mutex_lock(&r->f.mu);
    while (!r->f.finished)
        pthread_cond_wait(&r->f.more, &r->f.mu);
    pthread_mutex_unlock(&r->f.mu);
}

void replay_close(struct replay *r)
{
    if (!r)
        return;
    if (r->verifying) {   /* its answer is not wanted any more */
        pthread_join(r->verifier, NULL);
        free((char *)r->verifying->path);
        free(r->verifying);
    }
    stop_folder(r);
    pthread_mutex_destroy(&r->f.mu);
    pthread_cond_destroy(&r->f.more);
    for (size_t i = 0; r->ck && i < r->f.ready && i < r->n_ck; i++)
        session_free(&r->ck[i].s);
    if (r->ck) {   /* both were made by then */
        session_free(&r->f.s);
        session_free(&r->cur);
    }
    free(r->ck);
    journal_close(r->f.j);
    free(r->rows);
    free(r->latest);
    runbook_free(r->rb);
    journal_close(r->j);
    free(r);
}

int replay_seek_row(struct replay *r, size_t k, struct error *err)
{
    if (k > r->n)
        k = r->n;
    /* folding on from here is cheaper than from a copy when it is nearer:
     * playing forward never waits for the folder */
    if (k >= r->pos && k - r->pos < REPLAY_CHECKPOINT)
        return walk_to(r, k, err);
    size_t c = checkpoint_for(r, k);
    if (k < r->pos || r->ck[c].pos > r->pos) {
        struct session s;
        if (session_copy(&s, &r->ck[c].s) != 0) {
            error_set(err, "out of memory");
            return -1;
        }
        session_free(&r->cur);
        r->cur = s;
        r->pos = r->ck[c].pos;
        r->event_seq = r->ck[c].event_seq;
        r->sample_seq = r->ck[c].sample_seq;
    }
    return walk_to(r, k, err);
}

size_t replay_row_at(const struct replay *r, int64_t t_ms)
{
    size_t lo = 0, hi = r->n;   /* the first row whose latest time is past t */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->latest[mid] <= t_ms)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int replay_seek_time(struct replay *r, int64_t t_ms, struct error *err)
{
    return replay_seek_row(r, replay_row_at(r, t_ms), err);
}

size_t replay_find(const struct replay *r, size_t pos, enum replay_mark mark, int dir)
{
    if (dir > 0) {
        for (size_t k = pos; k < r->n; k++)
            if (r->rows[k].mark != REPLAY_SAMPLE &&
                (mark == REPLAY_EVENT || r->rows[k].mark == mark))
                return k + 1;
        return (size_t)-1;
    }
    /* the row before the one that made the screen at pos */
    for (size_t k = pos >= 1 ? pos - 1 : 0; k-- > 0;)
        if (r->rows[k].mark != REPLAY_SAMPLE && (mark == REPLAY_EVENT || r->rows[k].mark == mark))
            return k + 1;
    return (size_t)-1;
}

void replay_histogram(const struct replay *r, int64_t from, int64_t to, unsigned *bins, size_t n)
{
    memset(bins, 0, n * sizeof *bins);
    if (n == 0 || to <= from)
        return;
    for (size_t k = 0; k < r->n; k++) {
        if (r->rows[k].mark == REPLAY_SAMPLE || r->rows[k].ts_ms < from || r->rows[k].ts_ms > to)
            continue;
        size_t b = (size_t)((double)(r->rows[k].ts_ms - from) / (double)(to - from) * (double)n);
        bins[b >= n ? n - 1 : b]++;
    }
}

const struct runbook *replay_runbook(const struct replay *r) { return r->rb; }
const struct session *replay_session(const struct replay *r) { return &r->cur; }
size_t replay_rows(const struct replay *r) { return r->n; }
size_t replay_position(const struct replay *r) { return r->pos; }
int64_t replay_first_ms(const struct replay *r) { return r->n ? r->rows[0].ts_ms : 0; }
int64_t replay_last_ms(const struct replay *r) { return r->n ? r->latest[r->n - 1] : 0; }
int64_t replay_row_ms(const struct replay *r, size_t k) { return k < r->n ? r->rows[k].ts_ms : 0; }
enum replay_mark replay_row_mark(const struct replay *r, size_t k)
{
    return k < r->n ? (enum replay_mark)r->rows[k].mark : REPLAY_EVENT;
}
const char *replay_damage(const struct replay *r) { return r->damage[0] ? r->damage : NULL; }

double replay_test_clock(const struct replay *r) { return r->test_clock; }
