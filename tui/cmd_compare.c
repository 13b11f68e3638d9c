/* cmd_compare.c — `cutover compare RUNBOOK [--journal F] [--format json]
 * [--restart] [--rate N] [--sample N]`: compares old and new through the
 * mapping, prints each divergent row (text, or one JSON object per line
 * then a summary object) and journals each with its cause. Exit 3 when
 * anything diverged, 0 when nothing did.
 *
 * With --journal the comparison is resumable: its progress and checkpoint
 * are journaled (compare_progress) about once a second, and a run after
 * a kill starts after the last checkpoint (cmpresume.h says why there),
 * keeping the divergences found before it. Progress goes to stderr: a
 * bar redrawn in place on a terminal, one line a second otherwise.
 * --rate N keeps to N of old's rows a second. --sample N compares N
 * random keys of old's and gives the divergence rate with its 95 %
 * Wilson interval. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "commands.h"
#include "core/cmplock.h"
#include "core/cmpresume.h"
#include "core/compare.h"
#include "core/keyorder.h"
#include "datacmd.h"

/* What the callbacks share. */
struct run {
    struct datacmd *c;
    struct cmpresume resume;
    char job[200];
    int tty;
    int64_t begun, last_note, last_line;
    int64_t rows0;           /* rows verified before this run */
    int sample;              /* --sample: its divergences are marked so */
    int bar;                 /* a progress bar is drawn on the terminal's last line */
};

/* A blob in a divergence shows at most BLOB_SHOWN of its bytes, a text
 * longer than TEXT_SHOWN characters that many of them: a value may be
 * megabytes, and each divergence is a line of output and an event of the
 * journal, which a reader pages through and every console folds. 256
 * bytes show a header, a hash or a short record whole, 1,024 characters
 * a name, an address or a paragraph; where old and new are both longer,
 * the part shown begins BLOB_BEFORE bytes (TEXT_BEFORE characters) before
 * the first that differs, so that the difference is in sight. */
#define BLOB_SHOWN 256
#define BLOB_BEFORE 32
#define TEXT_SHOWN 1024
#define TEXT_BEFORE 64

/* The part of a value shown: `units` in all (bytes of a blob, characters
 * of a text), the part from unit `from`, at byte `at`, `len` bytes. */
struct shown {
    size_t units, from, at, len;
};

/* 1 when byte i of v begins a unit: every byte of a blob, a byte of a
 * text that is no UTF-8 continuation byte (none of 0x80–0xBF) — so a text is cut
 * between characters, and the part shown is UTF-8 when the value is. */
static int unit_at(const struct cval *v, size_t i)
{
    return v->t != CV_TEXT || ((unsigned char)v->s[i] & 0xC0) != 0x80;
}

/* At most cap units of v: the first, or, where v is longer and other
 * (NULL: none) is of its type, from `before` units before the first byte
 * at which they differ. */
static struct shown shown_of(const struct cval *v, const struct cval *other, size_t cap,
                             size_t before)
{
    struct shown w = {0};
    for (size_t i = 0; i < v->n; i++)
        w.units += (size_t)unit_at(v, i);
    if (w.units > cap && other && other->t == v->t) {
        size_t at = 0, both = v->n < other->n ? v->n : other->n;
        while (at < both && v->s[at] == other->s[at])
            at++;
        while (at > 0 && at < v->n && !unit_at(v, at)) /* the unit it is in */
            at--;
        for (size_t k = 0; k < before && at > 0; k++)
            while (--at > 0 && !unit_at(v, at))
                ;
        w.at = at;
        for (size_t i = 0; i < at; i++)
            w.from += (size_t)unit_at(v, i);
    }
    size_t end = w.at;
    for (size_t k = 0; k < cap && end < v->n; k++)
        while (++end < v->n && !unit_at(v, end))
            ;
    w.len = end - w.at;
    return w;
}

/* {COUNT: N, ["from": OFFSET,] WHAT: "…"}: the whole length, and the part
 * shown (from offset 0 unless said). */
static cJSON *shown_json(const char *count, const struct shown *w, const char *what,
                         const char *text)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, count, (double)w->units);
    if (w->from)
        cJSON_AddNumberToObject(o, "from", (double)w->from);
    cJSON_AddStringToObject(o, what, text ? text : "");
    return o;
}

/* {"bytes": N, ["from": OFFSET,] "hex": "00ff…"}: the bytes shown as
 * PostgreSQL's hex; an object, so that a text reading "\x00ff" is not
 * taken for bytes. */
static cJSON *blob_json(const struct cval *v, const struct cval *other)
{
    struct shown w = shown_of(v, other, BLOB_SHOWN, BLOB_BEFORE);
    struct cbuf h = {0};
    canon_hex(&h, v->s + w.at, w.len);
    cJSON *o = shown_json("bytes", &w, "hex", h.oom ? NULL : h.p);
    cbuf_free(&h);
    return o;
}

/* A text as a string, or, longer than TEXT_SHOWN characters,
 * {"chars": N, ["from": OFFSET,] "text": "…"}: short values, most of
 * them, read as they always did; one that is no UTF-8 (or holds a NUL)
 * as {"bytes": N, "hex": "…", "utf8": false}. */
static cJSON *text_json(const struct cval *v, const struct cval *other)
{
    if (canon_utf8_prefix(v->s, v->n) < v->n) {
        /* SQLite's TEXT may be no UTF-8, or hold a NUL: as its bytes, said so
         * (written raw, the line would be no JSON a strict reader takes) */
        struct cval b = *v, ob = other ? *other : (struct cval){0};
        b.t = CV_BLOB;
        ob.t = CV_BLOB;
        cJSON *o = blob_json(&b, other && other->t == CV_TEXT ? &ob : NULL);
        cJSON_AddBoolToObject(o, "utf8", 0);
        return o;
    }
    struct shown w = shown_of(v, other, TEXT_SHOWN, TEXT_BEFORE);
    char *s = strndup(v->s + w.at, w.len);
    cJSON *j = w.units > TEXT_SHOWN ? shown_json("chars", &w, "text", s)
                                    : cJSON_CreateString(s ? s : "");
    free(s);
    return j;
}

/* v as JSON; other, the value on the other side (NULL: none), places a
 * long blob's bytes or text's characters. */
static cJSON *json_of(const struct cval *v, const struct cval *other)
{
    switch (v->t) {
    case CV_NULL:
        return cJSON_CreateNull();
    case CV_INT:
        if (v->i > (1LL << 53) || v->i < -(1LL << 53)) {
            char t[24];
            snprintf(t, sizeof t, "%lld", (long long)v->i);
            return cJSON_CreateString(t);
        }
        return cJSON_CreateNumber((double)v->i);
    case CV_REAL:
        return cJSON_CreateNumber(v->d);
    case CV_BLOB:
        return blob_json(v, other);
    case CV_TEXT:
        break;
    }
    return text_json(v, other);
}

static cJSON *divergence_json(const struct divergence *d)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "key", d->key);
    cJSON_AddStringToObject(o, "cause", canon_cause_name(d->cause));
    cJSON *cols = cJSON_AddArrayToObject(o, "columns");
    cJSON *ov = d->old ? cJSON_AddObjectToObject(o, "old") : NULL;
    cJSON *nv = d->new_ ? cJSON_AddObjectToObject(o, "new") : NULL;
    for (size_t i = 0; i < d->n; i++) {
        const struct cval *a = d->old ? &d->old[i] : NULL, *b = d->new_ ? &d->new_[i] : NULL;
        cJSON_AddItemToArray(cols, cJSON_CreateString(d->columns[i]));
        if (ov)
            cJSON_AddItemToObject(ov, d->columns[i], json_of(a, b));
        if (nv)
            cJSON_AddItemToObject(nv, d->columns[i], json_of(b, a));
    }
    /* last: the line still begins {"key":"1001","cause":… as it always did */
    if (d->key_values)
        cJSON_AddItemToObject(o, "key_values", cmpresume_key_json(d->key_values, d->n_key));
    return o;
}

static void print_text(const struct divergence *d)
{
    printf("key %s: %s", d->key, canon_cause_name(d->cause));
    for (size_t i = 0; d->old && d->new_ && i < d->n; i++) {
        cJSON *a = json_of(&d->old[i], &d->new_[i]), *b = json_of(&d->new_[i], &d->old[i]);
        char *x = cJSON_PrintUnformatted(a), *y = cJSON_PrintUnformatted(b);
        printf("%s %s: %s → %s", i ? ";" : "", d->columns[i], x ? x : "?", y ? y : "?");
        free(x);
        free(y);
        cJSON_Delete(a);
        cJSON_Delete(b);
    }
    printf("\n");
}

static int on_divergence(const struct divergence *d, void *ctx, struct error *err)
{
    struct run *run = ctx;
    struct datacmd *c = run->c;
    /* found again after a resume: journaled by the run that was killed */
    cJSON *kv = d->key_values ? cmpresume_key_json(d->key_values, d->n_key) : NULL;
    char *typed = kv ? cJSON_PrintUnformatted(kv) : NULL;
    cJSON_Delete(kv);
    int seen = cmpresume_seen(&run->resume, d->key, typed);
    free(typed);
    if (seen)
        return 0;
    if (run->bar) { /* the row goes where the bar was; the bar comes back after */
        fputs("\r\033[K", stderr);
        run->bar = 0;
    }
    cJSON *o = divergence_json(d);
    if (run->sample)
        cJSON_AddBoolToObject(o, "sample", 1);
    if (c->json) {
        char *s = cJSON_PrintUnformatted(o);
        printf("%s\n", s ? s : "{}");
        free(s);
    } else {
        print_text(d);
    }
    if (datacmd_journal(c, EVK_DIVERGENCE, o) != 0) {
        error_set(err, "the journal cannot be written");
        return -1;
    }
    return 0;
}

static cJSON *summary_json(const struct compare_result *r, int64_t sample)
{
    cJSON *o = cJSON_CreateObject(), *by = NULL;
    cJSON_AddNumberToObject(o, "rows_old", (double)r->rows_old);
    cJSON_AddNumberToObject(o, "rows_new", (double)r->rows_new);
    cJSON_AddNumberToObject(o, "divergent", (double)r->divergent);
    by = cJSON_AddObjectToObject(o, "by_cause");
    for (int k = 0; k < CAUSE_COUNT; k++)
        if (r->by_cause[k])
            cJSON_AddNumberToObject(by, canon_cause_name((enum canon_cause)k), (double)r->by_cause[k]);
    if (sample > 0) {
        cJSON_AddNumberToObject(o, "sample", (double)r->sampled);
        cJSON_AddNumberToObject(o, "rate", r->rate);
        cJSON_AddNumberToObject(o, "rate_low", r->rate_low);
        cJSON_AddNumberToObject(o, "rate_high", r->rate_high);
    }
    return o;
}

static int fold_checkpoint(const struct journal_event *ev, void *ctx)
{
    cmpresume_apply(ctx, ev->kind, ev->body);
    return 0;
}

static void sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* After each verified segment: keep to --rate, draw the progress, and
 * journal the checkpoint about once a second and at the end. */
static int on_progress(const struct compare_progress *p, void *ctx, struct error *err)
{
    struct run *run = ctx;
    const struct compare_result *r = p->r;
    int64_t done_here = (p->sample ? r->sampled : r->rows_old) - run->rows0;
    if (run->c->rate > 0)
        sleep_ms(run->begun + (int64_t)(1000.0 * (double)done_here / run->c->rate) -
                 clock_now_ms());
    if (p->sample)  /* paced only: a sample journals no checkpoint */
        return 0;
    int64_t now = clock_now_ms();
    double secs = (double)(now - run->begun) / 1000.0;
    double rate = secs > 0 ? (double)done_here / secs : 0;
    if (p->done || now - run->last_line >= (run->tty ? 100 : 1000)) {
        double pct = p->total ? 100.0 * (double)r->rows_old / (double)p->total : 100.0;
        double eta = rate > 0 && p->total > r->rows_old ? (double)(p->total - r->rows_old) / rate : 0;
        fprintf(stderr, "%scompare %lld/%lld rows (%.1f%%) %.0f rows/s eta %.0fs, %lld divergent%s",
                run->tty ? "\r" : "", (long long)r->rows_old, (long long)p->total,
                pct > 100 ? 100 : pct, rate, eta, (long long)r->divergent,
                run->tty ? "   " : "\n");
        if (run->tty && p->done)
            fputc('\n', stderr);
        run->bar = run->tty && !p->done;
        run->last_line = now;
    }
    if (p->done || now - run->last_note >= 1000) {
        run->last_note = now;
        if (datacmd_journal(run->c, EVK_COMPARE_PROGRESS,
                            cmpresume_progress_json(run->job, p, rate)) != 0) {
            error_set(err, "the journal cannot be written");
            return -1;
        }
    }
    return 0;
}

/* The checkpoint, from the journal (none without one); --restart
 * journals a fresh start instead. */
static int read_checkpoint(struct run *run)
{
    struct datacmd *c = run->c;
    if (!c->journal)
        return 0;
    if (c->restart) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "job", run->job);
        cJSON_AddNumberToObject(o, "rows", 0);
        return datacmd_journal(c, EVK_COMPARE_PROGRESS, o);
    }
    struct error err = {{0}};
    if (journal_read(c->journal, 0, fold_checkpoint, &run->resume, &err) != 0) {
        fprintf(stderr, "cutover compare: journal: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* --sample N, taken out of argv (the other options are datacmd's). */
static int take_sample(int *argc, char **argv, int64_t *n)
{
    *n = 0;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--sample") != 0)
            continue;
        char *end = NULL;
        long long v = i + 1 < *argc ? strtoll(argv[i + 1], &end, 10) : 0;
        if (!end || *end || v < 1) {
            fprintf(stderr, "cutover compare: --sample wants a number of keys, not `%s`\n",
                    i + 1 < *argc ? argv[i + 1] : "");
            return -1;
        }
        *n = v;
        memmove(&argv[i], &argv[i + 2], (size_t)(*argc - i - 2) * sizeof *argv);
        *argc -= 2;
        i--;
    }
    return 0;
}

static void print_summary(const struct datacmd *c, const struct compare_result *r, cJSON *sum,
                          int64_t sample)
{
    if (c->json) {
        cJSON *w = cJSON_CreateObject();
        cJSON_AddItemToObject(w, "summary", cJSON_Duplicate(sum, 1));
        char *s = cJSON_PrintUnformatted(w);
        printf("%s\n", s ? s : "{}");
        free(s);
        cJSON_Delete(w);
    } else if (sample > 0) {
        printf("compare sample: %lld keys of old's, %lld divergent: rate %.4f%% "
               "(95%% Wilson interval %.4f%% – %.4f%%)\n",
               (long long)r->sampled, (long long)r->divergent, 100 * r->rate,
               100 * r->rate_low, 100 * r->rate_high);
    } else {
        printf("compare: %lld rows in old, %lld in new, %lld divergent (%lld ranges checked, "
               "%lld rows fetched)\n",
               (long long)r->rows_old, (long long)r->rows_new, (long long)r->divergent,
               (long long)r->ranges, (long long)r->fetched);
    }
}

/* One comparison of the table at a time (cmplock.h): a second is refused,
 * naming the one that runs. */
static int take_lock(struct datacmd *c, const char *job, struct cmplock *lock)
{
    char held[400];
    struct error err = {{0}};
    int rc = cmplock_take(lock, &c->job, job, held, sizeof held, &err);
    if (rc < 0)
        return datacmd_fail(c, err.msg);
    if (rc > 0)
        fprintf(stderr, "cutover compare: %s is already being compared by %s; wait for it to "
                        "finish (its progress is in its journal), or stop it\n", job, held);
    return rc == 0 ? EXIT_OK : EXIT_FAILED;
}

int cmd_compare(int argc, char **argv)
{
    int64_t sample;
    if (take_sample(&argc, argv, &sample) != 0)
        return usage_of("compare");
    struct datacmd c;
    int status = datacmd_open(&c, "compare", argc, argv);
    if (status != 0) {
        datacmd_close(&c);
        return status;
    }
    struct error why = {{0}};
    if (!sample && keyorder_alike(&c.job, &why) != 0) {
        status = datacmd_fail(&c, why.msg);
        datacmd_close(&c);
        return status;
    }
    struct run run = {.c = &c, .tty = isatty(2), .sample = sample > 0};
    snprintf(run.job, sizeof run.job, "compare:%s", c.job.new_t.name ? c.job.new_t.name : "?");
    struct cmplock lock;
    if ((status = take_lock(&c, run.job, &lock)) != EXIT_OK) {
        datacmd_close(&c);
        return status;
    }
    cmpresume_init(&run.resume, run.job);
    if (!sample && read_checkpoint(&run) != 0) {
        cmpresume_free(&run.resume);
        datacmd_close(&c);
        cmplock_release(&lock);
        return EXIT_FAILED;
    }
    struct compare_opts o = {.on_divergence = on_divergence, .ctx = &run, .sample = sample,
                             .now_ms = clock_now_ms};
    o.on_progress = on_progress;
    if (!sample) {
        if (c.rate > 0)  /* two checkpoints a second under a rate limit */
            o.segment_rows = (int64_t)(c.rate / 2) > 1 ? (int64_t)(c.rate / 2) : 1;
    }
    if (run.resume.have) {
        o.after = run.resume.after;
        o.n_after = run.resume.n_after;
        o.prior = run.resume.prior;
        run.rows0 = o.prior.rows_old;
        fprintf(stderr, "compare: resuming %s after key %s (%lld rows already verified, %lld "
                        "divergent); --restart starts over\n", run.job, run.resume.cursor,
                (long long)o.prior.rows_old, (long long)o.prior.divergent);
    }
    run.begun = run.last_note = clock_now_ms();
    struct compare_result r;
    struct error err = {{0}};
    if (compare_run_opts(&c.job, &o, &r, &err) != 0) {
        if (run.tty)
            fputc('\n', stderr);
        datacmd_fail(&c, err.msg);
        cmpresume_free(&run.resume);
        datacmd_close(&c);
        cmplock_release(&lock);
        return EXIT_FAILED;
    }
    cJSON *sum = summary_json(&r, sample);
    print_summary(&c, &r, sum, sample);
    cJSON_AddBoolToObject(sum, "diverged", r.divergent > 0);
    cJSON_AddStringToObject(sum, "job", run.job);
    status = datacmd_journal(&c, EVK_COMPARE, sum) != 0 ? EXIT_FAILED
             : r.divergent                                ? EXIT_ABORTED
                                                          : EXIT_OK;
    cmpresume_free(&run.resume);
    datacmd_close(&c);
    cmplock_release(&lock);   /* after the stores: cmplock.h says why */
    return status;
}
