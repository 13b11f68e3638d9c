/* journal_writer.c — the writer thread behind journal_writer.h. One queue,
 * in order: appends (events, samples, anchors) are batched into one
 * transaction each; a queued transaction (an ack, an act's intent) runs
 * alone in its turn and, unlike an append, is never kept for later: when
 * the journal cannot be written it fails at once, so no act waits on it.
 * The spool holds every append that failed once, one JSON line each, and
 * the transaction that writes spooled appends records in meta how far the
 * spool is written ("spool:<id>" = its last record), so a crash between
 * the commit and the spool's truncation never writes a record twice. */
#include "journal_writer.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal_internal.h"

#define BATCH_MAX 1024
#define BUSY_MS 100            /* one try at the lock; the loop never waits */
#define BACKOFF_MIN_MS 50
#define BACKOFF_MAX_MS 1000
#define RENEW_EVERY_MS JOURNAL_RENEW_MS
#define SPOOL_PREALLOC (1 << 20) /* so a full disk still takes the spool */
#define MAX_SPOOLS 8

enum entry_type { E_EVENT, E_SAMPLE, E_ANCHOR, E_TX };

struct entry {
    struct entry *next;
    enum entry_type type;
    int64_t ts_ms;
    char *actor, *kind, *body;          /* events, anchors (actor) */
    char *signal, *status;              /* samples */
    double value;
    int has_value;
    int spool;                          /* index into w->spools, -1: not spooled */
    int64_t n;                          /* its record number there */
    journal_tx_fn fn;                   /* E_TX */
    void *ctx;
    journal_done_fn done;
    int rc;
    struct error err;
};

struct spool {
    char path[4096];
    char id[24];
    int fd;
    int64_t next_n, off;
    int own;                            /* new records go here */
};

struct journal_writer {
    struct journal *front, *db;         /* the loop's handle; the thread's */
    struct journal_writer_config cfg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int wake_fd;
    struct entry *head, *tail;          /* the queue */
    struct entry *done_head, *done_tail;/* finished transactions */
    struct spool spools[MAX_SPOOLS];
    int n_spools;
    int stop;
    int64_t stop_at, retry_at, backoff, next_renew;
    int64_t next_heartbeat;    /* the console's row is touched then (cfg.console) */
    struct journal_writer_state st;
};

/* ---- entries ------------------------------------------------------------ */

static void entry_free(struct entry *e)
{
    if (!e)
        return;
    free(e->actor);
    free(e->kind);
    free(e->body);
    free(e->signal);
    free(e->status);
    free(e);
}

static void wake(struct journal_writer *w)
{
    uint64_t one = 1;
    ssize_t n = write(w->wake_fd, &one, sizeof one);
    (void)n;
}

/* Appends e to the queue (the lock held). */
static void enqueue(struct journal_writer *w, struct entry *e)
{
    if (w->tail)
        w->tail->next = e;
    else
        w->head = e;
    w->tail = e;
    if (e->type != E_TX) {
        if (!w->st.pending)
            w->st.oldest_ms = e->ts_ms;
        w->st.pending++;
    }
}

static int push_all(struct journal_writer *w, struct entry **v, size_t n,
                    struct error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!v[i]) {
            for (size_t k = 0; k < n; k++)
                entry_free(v[k]);
            error_set(err, "out of memory queueing an append");
            return -1;
        }
    }
    pthread_mutex_lock(&w->mu);
    for (size_t i = 0; i < n; i++)
        enqueue(w, v[i]);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

static struct entry *new_entry(enum entry_type t, int64_t ts)
{
    struct entry *e = calloc(1, sizeof *e);
    if (e) {
        e->type = t;
        e->ts_ms = ts;
        e->spool = -1;
    }
    return e;
}

static struct entry *event_entry(const struct journal_event *ev)
{
    struct entry *e = new_entry(E_EVENT, ev->ts_ms);
    if (e && (!(e->actor = strdup(ev->actor)) || !(e->kind = strdup(ev->kind)) ||
              !(e->body = strdup(ev->body ? ev->body : "{}")))) {
        entry_free(e);
        e = NULL;
    }
    return e;
}

static struct entry *sample_entry(const struct journal_sample *s)
{
    struct entry *e = new_entry(E_SAMPLE, s->ts_ms);
    if (!e)
        return NULL;
    e->value = s->value;
    e->has_value = s->has_value && !isnan(s->value);
    if (!(e->signal = strdup(s->signal)) || (s->status && !(e->status = strdup(s->status)))) {
        entry_free(e);
        return NULL;
    }
    return e;
}

int journal_writer_queue_events(struct journal_writer *w, const struct journal_event *evs,
                                size_t n, struct error *err)
{
    struct entry *v[64], **p = n <= 64 ? v : calloc(n, sizeof *p);
    if (!p) {
        error_set(err, "out of memory queueing %zu events", n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!evs[i].actor || !evs[i].kind) {
            for (size_t k = 0; k < i; k++)
                entry_free(p[k]);
            if (p != v)
                free(p);
            error_set(err, "cannot append: event %zu has no %s", i + 1,
                      evs[i].actor ? "kind" : "actor");
            return -1;
        }
        p[i] = event_entry(&evs[i]);
    }
    int rc = push_all(w, p, n, err);
    if (p != v)
        free(p);
    return rc;
}

int journal_writer_queue_samples(struct journal_writer *w, const struct journal_sample *s,
                                 size_t n, struct error *err)
{
    struct entry *v[64], **p = n <= 64 ? v : calloc(n, sizeof *p);
    if (!p) {
        error_set(err, "out of memory queueing %zu samples", n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!s[i].signal) {
            for (size_t k = 0; k < i; k++)
                entry_free(p[k]);
            if (p != v)
                free(p);
            error_set(err, "cannot append: sample %zu has no signal", i + 1);
            return -1;
        }
        p[i] = sample_entry(&s[i]);
    }
    int rc = push_all(w, p, n, err);
    if (p != v)
        free(p);
    return rc;
}

int journal_writer_queue_anchor(struct journal_writer *w, int64_t ts_ms, const char *actor,
                                struct error *err)
{
    struct entry *e = new_entry(E_ANCHOR, ts_ms);
    if (e && !(e->actor = strdup(actor))) {
        entry_free(e);
        e = NULL;
    }
    return push_all(w, &e, 1, err);
}

static void blocked_reason(struct journal_writer *w, char *why, size_t len)
{
    int64_t age = w->cfg.now_ms() - w->st.failing_since_ms;
    snprintf(why, len, "the journal cannot be written (for %lld s): %s",
             (long long)(age / 1000), w->st.error);
}

int journal_writer_queue_tx(struct journal_writer *w, journal_tx_fn fn, void *ctx,
                            journal_done_fn done, struct error *err)
{
    pthread_mutex_lock(&w->mu);
    if (w->st.failing) {
        char why[400];
        blocked_reason(w, why, sizeof why);
        pthread_mutex_unlock(&w->mu);
        error_set(err, "%s", why);
        return -1;
    }
    pthread_mutex_unlock(&w->mu);
    struct entry *e = new_entry(E_TX, 0);
    if (e) {
        e->fn = fn;
        e->ctx = ctx;
        e->done = done;
    }
    return push_all(w, &e, 1, err);
}

/* ---- the spool ---------------------------------------------------------- */

static void random_id(char out[24])
{
    unsigned char b[8] = {0};
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, b, sizeof b);
        (void)n;
        close(fd);
    }
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static char *spool_line(const struct entry *e)
{
    cJSON *o = cJSON_CreateObject();
    char num[40];
    cJSON_AddNumberToObject(o, "n", (double)e->n);
    cJSON_AddStringToObject(o, "t", e->type == E_EVENT ? "e" : e->type == E_SAMPLE ? "s" : "a");
    snprintf(num, sizeof num, "%lld", (long long)e->ts_ms);
    cJSON_AddStringToObject(o, "ts", num);
    if (e->type == E_SAMPLE) {
        cJSON_AddStringToObject(o, "signal", e->signal);
        if (e->has_value) {
            snprintf(num, sizeof num, "%.17g", e->value);
            cJSON_AddStringToObject(o, "value", num);
        }
        if (e->status)
            cJSON_AddStringToObject(o, "status", e->status);
    } else {
        cJSON_AddStringToObject(o, "actor", e->actor);
        if (e->type == E_EVENT) {
            cJSON_AddStringToObject(o, "kind", e->kind);
            cJSON_AddStringToObject(o, "body", e->body);
        }
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static const char *str_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* One spool line back into an entry; NULL when it is not one. */
static struct entry *spool_entry(const char *line, int spool)
{
    cJSON *o = cJSON_Parse(line);
    const char *t = str_of(o, "t"), *ts = str_of(o, "ts");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "n");
    struct entry *e = NULL;
    if (t && ts && cJSON_IsNumber(n)) {
        int64_t at = strtoll(ts, NULL, 10);
        if (t[0] == 'e' && str_of(o, "actor") && str_of(o, "kind") && str_of(o, "body")) {
            struct journal_event ev = {.ts_ms = at, .actor = str_of(o, "actor"),
                                       .kind = str_of(o, "kind"), .body = str_of(o, "body")};
            e = event_entry(&ev);
        } else if (t[0] == 's' && str_of(o, "signal")) {
            const char *v = str_of(o, "value");
            struct journal_sample s = {.ts_ms = at, .signal = str_of(o, "signal"),
                                       .value = v ? strtod(v, NULL) : 0, .has_value = v != NULL,
                                       .status = str_of(o, "status")};
            e = sample_entry(&s);
        } else if (t[0] == 'a' && str_of(o, "actor")) {
            if ((e = new_entry(E_ANCHOR, at)) && !(e->actor = strdup(str_of(o, "actor")))) {
                entry_free(e);
                e = NULL;
            }
        }
        if (e) {
            e->spool = spool;
            e->n = (int64_t)n->valuedouble;
        }
    }
    cJSON_Delete(o);
    return e;
}

/* Reads a spool left by an earlier console: its records that the journal
 * does not hold yet are queued first. */
static int spool_adopt(struct journal_writer *w, struct spool *sp, int idx, struct error *err)
{
    struct stat sb;
    if (fstat(sp->fd, &sb) != 0 || sb.st_size == 0)
        return 0;
    char *text = malloc((size_t)sb.st_size + 1);
    ssize_t got = text ? pread(sp->fd, text, (size_t)sb.st_size, 0) : -1;
    if (got < 0) {
        free(text);
        error_set(err, "%s: cannot read the spool: %s", sp->path, strerror(errno));
        return -1;
    }
    text[got] = '\0';
    char *save = NULL, applied_s[32];
    int64_t applied = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!sp->id[0]) {
            cJSON *h = cJSON_Parse(line);
            const char *id = str_of(h, "spool");
            if (id)
                snprintf(sp->id, sizeof sp->id, "%s", id);
            cJSON_Delete(h);
            char key[40];
            snprintf(key, sizeof key, "spool:%s", sp->id);
            if (!sp->id[0] || journal_meta_get(w->db, key, applied_s, sizeof applied_s, err)) {
                free(text);
                return sp->id[0] ? -1 : 0;
            }
            applied = strtoll(applied_s, NULL, 10);
            continue;
        }
        struct entry *e = spool_entry(line, idx);
        if (!e)
            break;   /* a torn last line: the crash came while it was written */
        if (e->n <= applied || e->n < sp->next_n) {
            entry_free(e);
            continue;
        }
        sp->next_n = e->n + 1;
        enqueue(w, e);
        w->st.spooled++;
    }
    free(text);
    sp->off = sb.st_size;
    return 0;
}

/* Opens (and locks) the spools beside the journal: the first free one is
 * this writer's own; every one with records is replayed. */
static int spools_open(struct journal_writer *w, struct error *err)
{
    for (int i = 0; i < MAX_SPOOLS; i++) {
        struct spool *sp = &w->spools[w->n_spools];
        memset(sp, 0, sizeof *sp);
        if (i == 0)
            snprintf(sp->path, sizeof sp->path, "%s.spool", w->front->path);
        else
            snprintf(sp->path, sizeof sp->path, "%s.spool.%d", w->front->path, i);
        int own_needed = !w->n_spools || !w->spools[0].own;
        sp->fd = open(sp->path, O_RDWR | O_CLOEXEC | (own_needed ? O_CREAT : 0), 0600);
        if (sp->fd < 0)
            continue;
        if (flock(sp->fd, LOCK_EX | LOCK_NB) != 0) {
            close(sp->fd);
            continue;
        }
        sp->next_n = 1;
        if (spool_adopt(w, sp, w->n_spools, err)) {
            close(sp->fd);
            return -1;
        }
        if (own_needed) {
            sp->own = 1;
            if (!sp->id[0])
                random_id(sp->id);
            /* the blocks taken now, while there is room (not the size) */
            fallocate(sp->fd, FALLOC_FL_KEEP_SIZE, 0, SPOOL_PREALLOC);
            if (w->n_spools) {   /* own first */
                struct spool tmp = w->spools[0];
                w->spools[0] = *sp;
                *sp = tmp;
                for (struct entry *e = w->head; e; e = e->next)
                    if (e->spool == 0 || e->spool == w->n_spools)
                        e->spool = e->spool == 0 ? w->n_spools : 0;
            }
            w->n_spools++;
        } else if (sp->off > 0) {
            w->n_spools++;
        } else {
            close(sp->fd);
        }
    }
    if (!w->n_spools || !w->spools[0].own) {
        error_set(err, "%s.spool: cannot open a spool beside the journal: %s", w->front->path,
                  strerror(errno));
        return -1;
    }
    return 0;
}

/* Writes every append not yet spooled to the own spool, fsync'd. The lock
 * is held on entry and exit, dropped around the disk. */
static void spool_pending(struct journal_writer *w)
{
    struct spool *sp = &w->spools[0];
    size_t len = 0, cap = 0;
    char *buf = NULL;
    struct entry *first = NULL, *last = NULL;
    int64_t n0 = sp->next_n;
    if (sp->off == 0) {
        char head[64];
        int k = snprintf(head, sizeof head, "{\"spool\":\"%s\"}\n", sp->id);
        buf = malloc(cap = 4096);
        if (!buf)
            return;
        memcpy(buf, head, (size_t)k);
        len = (size_t)k;
    }
    for (struct entry *e = w->head; e; e = e->next) {
        if (e->type == E_TX || e->spool >= 0)
            continue;
        e->n = sp->next_n++;
        char *line = spool_line(e);
        size_t l = line ? strlen(line) : 0;
        char *grown = buf;
        if (line && len + l + 1 > cap)
            grown = realloc(buf, cap = (len + l + 1) * 2);
        if (!line || !grown) {
            free(line);
            free(buf);
            sp->next_n = n0;
            return;
        }
        buf = grown;
        memcpy(buf + len, line, l);
        buf[len + l] = '\n';
        len += l + 1;
        free(line);
        if (!first)
            first = e;
        last = e;
    }
    if (!first) {
        free(buf);
        return;
    }
    int64_t off = sp->off;
    pthread_mutex_unlock(&w->mu);
    ssize_t put = pwrite(sp->fd, buf, len, off);
    int ok = put == (ssize_t)len && fdatasync(sp->fd) == 0;
    int why = errno;
    free(buf);
    pthread_mutex_lock(&w->mu);
    if (!ok) {
        if (ftruncate(sp->fd, off) != 0)
            why = errno;
        sp->next_n = n0;
        snprintf(w->st.spool_error, sizeof w->st.spool_error, "the spool cannot be written: %s",
                 strerror(why));
        return;
    }
    w->st.spool_error[0] = '\0';
    sp->off = off + (int64_t)len;
    for (struct entry *e = first;; e = e->next) {
        if (e->type != E_TX && e->spool < 0) {
            e->spool = 0;
            w->st.spooled++;
        }
        if (e == last)
            break;
    }
}

/* After a commit: a spool whose every record is written is emptied (the
 * own one) or removed (one left by an earlier console). */
static void spools_trim(struct journal_writer *w)
{
    for (int i = 0; i < w->n_spools; i++) {
        struct spool *sp = &w->spools[i];
        if (sp->fd < 0 || sp->off == 0)
            continue;
        int left = 0;
        for (struct entry *e = w->head; e && !left; e = e->next)
            left = e->spool == i;
        if (left)
            continue;
        if (sp->own) {
            if (ftruncate(sp->fd, 0) == 0)
                sp->off = 0;
        } else {
            unlink(sp->path);
            close(sp->fd);
            sp->fd = -1;
            sp->off = 0;
        }
    }
}

/* ---- writing ------------------------------------------------------------ */

struct batch {
    struct journal_writer *w;
    struct entry *first;
    size_t n;
};

static int flush_events(struct journal *j, struct journal_event *evs, size_t *n,
                        struct error *err)
{
    int rc = *n ? journal_append_many(j, evs, *n, err) : 0;
    *n = 0;
    return rc;
}

static int flush_samples(struct journal *j, struct journal_sample *s, size_t *n,
                         struct error *err)
{
    int rc = *n ? journal_append_samples(j, s, *n, err) : 0;
    *n = 0;
    return rc;
}

static int anchor_now(struct journal *j, const struct entry *e, struct error *err)
{
    return journal_append_anchor(j, e->ts_ms, e->actor, err);
}

/* Inside one transaction: the batch's rows, runs of one kind at a time,
 * and how far each spool is now written. */
static int batch_tx(struct journal *j, void *ctx, struct error *err)
{
    struct batch *b = ctx;
    static __thread struct journal_event evs[BATCH_MAX];
    static __thread struct journal_sample ss[BATCH_MAX];
    size_t ne = 0, ns = 0;
    int64_t marks[MAX_SPOOLS] = {0};
    struct entry *e = b->first;
    for (size_t i = 0; i < b->n; i++, e = e->next) {
        if (e->spool >= 0 && e->n > marks[e->spool])
            marks[e->spool] = e->n;
        if (e->type != E_EVENT && flush_events(j, evs, &ne, err))
            return -1;
        if (e->type != E_SAMPLE && flush_samples(j, ss, &ns, err))
            return -1;
        if (e->type == E_EVENT)
            evs[ne++] = (struct journal_event){.ts_ms = e->ts_ms, .actor = e->actor,
                                               .kind = e->kind, .body = e->body};
        else if (e->type == E_SAMPLE)
            ss[ns++] = (struct journal_sample){.ts_ms = e->ts_ms, .signal = e->signal,
                                               .value = e->value, .has_value = e->has_value,
                                               .status = e->status};
        else if (anchor_now(j, e, err))
            return -1;
    }
    if (flush_events(j, evs, &ne, err) || flush_samples(j, ss, &ns, err))
        return -1;
    for (int i = 0; i < b->w->n_spools; i++) {
        char key[40], val[24];
        if (!marks[i])
            continue;
        snprintf(key, sizeof key, "spool:%s", b->w->spools[i].id);
        snprintf(val, sizeof val, "%lld", (long long)marks[i]);
        if (journal_meta_set(j, key, val, err))
            return -1;
    }
    return 0;
}

static void post_done(struct journal_writer *w, struct entry *e)
{
    e->next = NULL;
    if (w->done_tail)
        w->done_tail->next = e;
    else
        w->done_head = e;
    w->done_tail = e;
}

/* Every queued transaction fails at once: none may wait for the journal. */
static void fail_transactions(struct journal_writer *w)
{
    struct entry **pp = &w->head, *prev = NULL;
    while (*pp) {
        struct entry *e = *pp;
        if (e->type != E_TX) {
            prev = e;
            pp = &e->next;
            continue;
        }
        *pp = e->next;
        if (w->tail == e)
            w->tail = prev;
        e->rc = -1;
        blocked_reason(w, e->err.msg, sizeof e->err.msg);
        post_done(w, e);
    }
}

/* Takes the head of the queue off after it was written; returns what is
 * to be freed, so that the lock the loop queues under is not held for it. */
static struct entry *pop(struct journal_writer *w, size_t n)
{
    struct entry *gone = NULL;
    for (size_t i = 0; i < n && w->head; i++) {
        struct entry *e = w->head;
        w->head = e->next;
        if (!w->head)
            w->tail = NULL;
        if (e->type == E_TX) {
            post_done(w, e);
            continue;
        }
        w->st.pending--;
        w->st.written++;
        if (e->spool >= 0)
            w->st.spooled--;
        e->next = gone;
        gone = e;
    }
    if (w->head && w->st.pending) {
        for (struct entry *e = w->head; e; e = e->next)
            if (e->type != E_TX) {
                w->st.oldest_ms = e->ts_ms;
                break;
            }
    }
    return gone;
}

static void free_list(struct journal_writer *w, struct entry *list)
{
    if (!list)
        return;
    pthread_mutex_unlock(&w->mu);
    while (list) {
        struct entry *e = list;
        list = e->next;
        entry_free(e);
    }
    pthread_mutex_lock(&w->mu);
}

/* One attempt at the head of the queue (the lock held on entry and exit). */
static void write_head(struct journal_writer *w, int64_t now)
{
    struct batch b = {w, w->head, 0};
    if (w->head->type == E_TX)
        b.n = 1;
    else
        for (struct entry *e = w->head; e && e->type != E_TX && b.n < BATCH_MAX; e = e->next)
            b.n++;
    pthread_mutex_unlock(&w->mu);
    struct error err = {{0}};
    int rc;
    if (b.first->type == E_TX)
        rc = journal_transact(w->db, b.first->fn, b.first->ctx, &b.first->err);
    else
        rc = journal_transact(w->db, batch_tx, &b, &err);
    pthread_mutex_lock(&w->mu);
    if (b.first->type == E_TX) {
        b.first->rc = rc;
        free_list(w, pop(w, 1));   /* a transaction's own refusal is its answer, not a failure */
        if (rc >= 0 || !strstr(b.first->err.msg, "busy"))
            w->st.failing = 0;
        wake(w);
        return;
    }
    if (rc == 0) {
        struct entry *gone = pop(w, b.n);
        w->st.failing = 0;
        w->backoff = BACKOFF_MIN_MS;
        spools_trim(w);
        wake(w);
        free_list(w, gone);
        return;
    } else {
        if (!w->st.failing)
            w->st.failing_since_ms = now;
        w->st.failing = 1;
        snprintf(w->st.error, sizeof w->st.error, "%s", err.msg);
        fail_transactions(w);
        spool_pending(w);
        w->retry_at = w->cfg.now_ms() + w->backoff;
        w->backoff = w->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : w->backoff * 2;
    }
    wake(w);
}

static void renew_lease(struct journal_writer *w)
{
    struct journal_lease holder;
    struct error err = {{0}};
    memset(&holder, 0, sizeof holder);
    int64_t now = w->cfg.now_ms();
    pthread_mutex_unlock(&w->mu);
    int rc = journal_lease_renew(w->db, w->cfg.lease, now, &holder, &err);
    pthread_mutex_lock(&w->mu);
    if (rc == 1 && !w->st.lease_lost) {
        w->st.lease_lost = 1;
        w->st.holder = holder;
        wake(w);
    }
}

/* The console's heartbeat (journal_consoles.h): a failure is not the
 * record's (nothing queued waits on it); a row not touched ages out. */
static void touch_console(struct journal_writer *w, int64_t now)
{
    struct error err = {{0}};
    pthread_mutex_unlock(&w->mu);
    journal_console_touch(w->db, w->cfg.console, now, &err);
    pthread_mutex_lock(&w->mu);
}

static void timed_wait(struct journal_writer *w, int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);   /* pthread_cond_timedwait's clock */
    ms = ms < 1 ? 1 : ms;
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&w->cv, &w->mu, &ts);
}

static void *writer_main(void *p)
{
    struct journal_writer *w = p;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        int64_t now = w->cfg.now_ms();
        if (w->stop && (!w->head || now >= w->stop_at))
            break;
        if (w->cfg.lease && now >= w->next_renew && !w->stop) {
            renew_lease(w);
            w->next_renew = now + RENEW_EVERY_MS;
            continue;
        }
        if (w->cfg.console && now >= w->next_heartbeat && !w->stop) {
            touch_console(w, now);
            w->next_heartbeat = now + JOURNAL_HEARTBEAT_MS;
            continue;
        }
        if (!w->head || (w->st.failing && now < w->retry_at)) {
            int64_t until = w->head ? w->retry_at : now + RENEW_EVERY_MS;
            if (w->cfg.lease && w->next_renew < until)
                until = w->next_renew;
            if (w->cfg.console && w->next_heartbeat < until)
                until = w->next_heartbeat;
            if (w->stop && w->stop_at < until)
                until = w->stop_at;
            timed_wait(w, until - now);
            continue;
        }
        write_head(w, now);
    }
    spool_pending(w);   /* what is left stays on disk for the next start */
    fail_transactions(w);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* ---- the loop's side ---------------------------------------------------- */

int journal_writer_start(struct journal *j, const struct journal_writer_config *cfg,
                         struct error *err)
{
    struct journal_writer *w = calloc(1, sizeof *w);
    if (!w) {
        error_set(err, "out of memory");
        return -1;
    }
    w->front = j;
    w->cfg = *cfg;
    w->backoff = BACKOFF_MIN_MS;
    w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (w->wake_fd < 0) {
        error_set(err, "cannot make the journal writer's wake-up descriptor: %s",
                  strerror(errno));
        goto fail;
    }
    if (journal_open(j->path, 0, &w->db, err))
        goto fail;
    journal_set_busy_timeout(w->db, BUSY_MS);
    if (spools_open(w, err))
        goto fail;
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        error_set(err, "cannot start the journal writer thread");
        goto fail;
    }
    j->writer = w;
    return 0;
fail:
    for (int i = 0; i < w->n_spools; i++)
        if (w->spools[i].fd >= 0)
            close(w->spools[i].fd);
    while (w->head) {
        struct entry *e = w->head;
        w->head = e->next;
        entry_free(e);
    }
    journal_close(w->db);
    if (w->wake_fd >= 0)
        close(w->wake_fd);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
    return -1;
}

int journal_writer_fd(struct journal *j)
{
    return j->writer ? j->writer->wake_fd : -1;
}

static int run_done(struct journal_writer *w)
{
    pthread_mutex_lock(&w->mu);
    struct entry *list = w->done_head;
    w->done_head = w->done_tail = NULL;
    pthread_mutex_unlock(&w->mu);
    int n = 0;
    while (list) {
        struct entry *e = list;
        list = e->next;
        if (e->done)
            e->done(e->ctx, e->rc, &e->err);
        entry_free(e);
        n++;
    }
    return n;
}

int journal_writer_poll(struct journal *j)
{
    struct journal_writer *w = j->writer;
    if (!w)
        return 0;
    uint64_t v;
    ssize_t got = read(w->wake_fd, &v, sizeof v);
    (void)got;
    return run_done(w);
}

void journal_writer_state(struct journal *j, struct journal_writer_state *st)
{
    memset(st, 0, sizeof *st);
    struct journal_writer *w = j->writer;
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    *st = w->st;
    pthread_mutex_unlock(&w->mu);
}

int journal_writer_blocked(struct journal *j, char *why, size_t len)
{
    struct journal_writer *w = j->writer;
    if (!w)
        return 0;
    pthread_mutex_lock(&w->mu);
    int failing = w->st.failing;
    if (failing)
        blocked_reason(w, why, len);
    pthread_mutex_unlock(&w->mu);
    return failing;
}

int journal_writer_stop(struct journal *j, int wait_ms, struct error *err)
{
    struct journal_writer *w = j->writer;
    if (!w)
        return 0;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    w->stop_at = w->cfg.now_ms() + wait_ms;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    run_done(w);
    int ret = 0;
    if (w->st.pending) {
        error_set(err, "%zu appends could not be written to %s; %s", w->st.pending, j->path,
                  w->st.spooled == w->st.pending
                      ? "they are in the spool beside it and are written by the next start"
                      : w->st.spool_error);
        ret = -1;
    } else if (w->cfg.lease) {
        journal_lease_release(w->db, w->cfg.lease, err);
    }
    if (w->cfg.console) {   /* gone from the consoles at once, not in six seconds */
        struct error ignored = {{0}};
        journal_console_leave(w->db, w->cfg.console, &ignored);
    }
    for (int i = 0; i < w->n_spools; i++) {
        struct spool *sp = &w->spools[i];
        if (sp->fd < 0)
            continue;
        if (sp->own && sp->off == 0)
            unlink(sp->path);
        close(sp->fd);
    }
    while (w->head) {
        struct entry *e = w->head;
        w->head = e->next;
        entry_free(e);
    }
    journal_close(w->db);
    close(w->wake_fd);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    j->writer = NULL;
    free(w);
    return ret;
}
