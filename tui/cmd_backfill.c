/* cmd_backfill.c — `cutover backfill RUNBOOK [--journal F] [--rate N]
 * [--batch N] [--restart] [--pause | --resume] [--running]`: copies old into new
 * headless, resuming from the checkpoint in new, in batches sized to take
 * about TARGET_MS each and paced to --rate; the checkpoint is mirrored to
 * the journal at most once a second and at the end. Progress on stderr.
 * While a job runs, the same command with --rate, --pause or --resume
 * changes the running job (through its control row) and returns; with
 * --running it never starts one. A copy started again keeps the pause
 * and the rate a person last set (bfcontrol.h); one whose claim on the
 * job is gone stops. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "commands.h"
#include "core/backfill.h"
#include "core/bfcontrol.h"
#include "core/signals.h"
#include "bfwatch.h"
#include "datacmd.h"

#define TARGET_MS 200
#define MIN_BATCH 100L
#define MAX_BATCH 200000L

/* Under a rate limit a batch is at most one target time's worth of rows,
 * so that the pace is smooth rather than a burst and a wait; at a slow rate
 * down to one row (100 rows at 5 rows/s came every 20 s, and the
 * checkpoint, the panel's rate and its ETA stood still meanwhile). */
static long most_for(double rate)
{
    if (rate <= 0)
        return MAX_BATCH;
    long n = (long)(rate * TARGET_MS / 1000.0);
    return n < 1 ? 1 : n > MAX_BATCH ? MAX_BATCH : n;
}

static void wait_until(int64_t t_ms)
{
    int64_t now = clock_now_ms();
    if (t_ms <= now)
        return;
    struct timespec ts = {(time_t)((t_ms - now) / 1000), (long)((t_ms - now) % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int mirror(struct datacmd *c, const struct backfill_progress *p, long batch, int paused,
                  const char *throttled)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "job", p->job);
    cJSON_AddNumberToObject(o, "rows", (double)p->rows);
    if (!p->counting)   /* absent until old's rows are counted */
        cJSON_AddNumberToObject(o, "total", (double)p->total);
    if (p->cursor[0])
        cJSON_AddStringToObject(o, "cursor", p->cursor);
    cJSON_AddBoolToObject(o, "done", p->done);
    if (c->rate > 0)
        cJSON_AddNumberToObject(o, "rate", c->rate);
    cJSON_AddNumberToObject(o, "batch", (double)batch);
    if (paused)
        cJSON_AddBoolToObject(o, "paused", 1);
    if (throttled)
        cJSON_AddStringToObject(o, "throttled", throttled);
    return datacmd_journal(c, EVK_BACKFILL, o);
}

static void progress(const struct backfill_progress *p, double rate, int tty)
{
    if (p->counting) {   /* old's rows are still being counted: no total, no ETA */
        fprintf(stderr, "%sbackfill %lld rows (old's rows being counted) %.0f rows/s checkpoint %s%s",
                tty ? "\r" : "", (long long)p->rows, rate, p->cursor[0] ? p->cursor : "-",
                tty ? "   " : "\n");
        return;
    }
    double pct = p->total ? 100.0 * (double)p->rows / (double)p->total : 100.0;
    if (pct > 100)
        pct = 100;
    double eta = rate > 0 && p->total > p->rows ? (double)(p->total - p->rows) / rate : 0;
    fprintf(stderr, "%sbackfill %lld/%lld rows (%.1f%%) %.0f rows/s eta %.0fs checkpoint %s%s",
            tty ? "\r" : "", (long long)p->rows, (long long)p->total, pct, rate, eta,
            p->cursor[0] ? p->cursor : "-", tty ? "   " : "\n");
}

/* Reads the control row at a batch's end and while waiting: a new rate
 * re-bases the pace; a pause waits here, beating, until a resume. -1 on an
 * error, or when the row is no longer this process's (its claim was let
 * go or taken over: copying on would be beside another copy, at no rate
 * anyone set). */
static int obey(struct datacmd *c, const struct backfill_progress *p, long batch,
                int64_t *start, int64_t *rows0, long *most, struct error *err)
{
    struct bfcontrol now;
    int announced = 0;
    for (;;) {
        int rc = bfcontrol_beat(&c->ctl, p->job, (long)getpid(), clock_now_ms(), &now, err);
        if (rc == 1)
            error_set(err, "lost its claim on %s (its control row no longer names this "
                      "process): stopping rather than copying beside another", p->job);
        if (rc != 0)
            return -1;
        if (now.rate != c->rate) {
            c->rate = now.rate;
            *start = clock_now_ms();
            *rows0 = p->rows;
            *most = most_for(c->rate);
            fprintf(stderr, "backfill: rate now %s\n", c->rate > 0 ? "limited" : "unlimited");
        }
        if (!now.paused)
            break;
        if (!announced) {
            fprintf(stderr, "backfill: paused\n");
            if (mirror(c, p, batch, 1, NULL) != 0) {
                error_set(err, "the journal cannot be written");
                return -1;
            }
            announced = 1;
        }
        wait_until(clock_now_ms() + BFCONTROL_BEAT_MS);
        *start = clock_now_ms();
        *rows0 = p->rows;
    }
    return 0;
}

/* Waits for the pace's next batch, beating and obeying the control row
 * every BFCONTROL_BEAT_MS meanwhile: a slow rate keeps the claim alive
 * and a change is applied at once, not after the wait. -1 on an error. */
static int pace(struct datacmd *c, const struct backfill_progress *p, long batch,
                int64_t *start, int64_t *rows0, long *most, struct error *err)
{
    for (;;) {
        int64_t due = backfill_pace(*start, p->rows - *rows0, c->rate), now = clock_now_ms();
        if (due <= now)
            return 0;
        wait_until(due - now < BFCONTROL_BEAT_MS ? due : now + BFCONTROL_BEAT_MS);
        if (obey(c, p, batch, start, rows0, most, err) != 0)
            return -1;
    }
}

/* Between batches: while a throttle signal is over its bound (or cannot
 * be read), waits, still beating and obeying the control row; journals
 * the throttle and its reason when it starts, at most once a second
 * while it lasts, and when it lifts. -1 on an error. */
static int throttle(struct datacmd *c, struct bfwatch *w, const struct backfill_progress *p,
                    long batch, int64_t *start, int64_t *rows0, long *most, struct error *err)
{
    char why[512];
    int was = 0;
    int64_t noted = 0;
    bfwatch_pump(w, 0);
    while (bfwatch_judge(w, clock_now_ms(), why, sizeof why)) {
        int64_t now = clock_now_ms();
        if (!was || now - noted >= 1000) {
            if (!was)
                fprintf(stderr, "backfill: throttled: %s\n", why);
            if (mirror(c, p, batch, 0, why) != 0) {
                error_set(err, "the journal cannot be written");
                return -1;
            }
            was = 1;
            noted = now;
        }
        if (obey(c, p, batch, start, rows0, most, err) != 0)
            return -1;
        bfwatch_pump(w, 200);
        *start = clock_now_ms();
        *rows0 = p->rows;
    }
    if (was) {
        fprintf(stderr, "backfill: throttle lifted: %s\n", why);
        if (mirror(c, p, batch, 0, NULL) != 0) {
            error_set(err, "the journal cannot be written");
            return -1;
        }
    }
    return 0;
}

static int run(struct datacmd *c, struct backfill *bf, struct bfwatch *w)
{
    struct error err = {{0}};
    int tty = isatty(2);
    long batch = c->batch ? c->batch : 1000;
    long most = most_for(c->rate);
    const struct backfill_progress *p = backfill_progress(bf);
    int64_t start = clock_now_ms(), last_note = 0, rows0 = p->rows, begun = start, first = p->rows;
    if (p->how)
        fprintf(stderr, "backfill: copying %s\n", p->how);
    if (p->resumed && !p->done)
        fprintf(stderr, "backfill: resuming %s after key %s (%lld rows already copied)\n", p->job,
                p->cursor, (long long)p->resumed);
    int rc = 0;
    /* what this run copies with, journaled when the control row's rate
     * was kept (a kept pause is journaled by obey() as it holds) */
    if (c->kept == KEPT_RATE && mirror(c, p, batch, 0, NULL) != 0)
        return EXIT_FAILED;
    if (obey(c, p, batch, &start, &rows0, &most, &err) != 0)
        rc = -1;
    if (rc == 0 && w && throttle(c, w, p, batch, &start, &rows0, &most, &err) != 0)
        rc = -1;
    while (rc == 0) {
        if (pace(c, p, batch, &start, &rows0, &most, &err) != 0) {
            rc = -1;
            break;
        }
        if (batch > most)   /* the rate was lowered since the size was chosen */
            batch = most;
        int64_t t0 = clock_now_ms();
        rc = backfill_batch(bf, batch, t0, &err);
        if (rc < 0)
            break;
        int64_t t1 = clock_now_ms();
        if (rc == 1 || t1 - last_note >= 1000) {
            double secs = (double)(t1 - begun) / 1000.0;
            progress(p, secs > 0 ? (double)(p->rows - first) / secs : 0, tty);
            if (mirror(c, p, batch, 0, NULL) != 0)
                return EXIT_FAILED;
            last_note = t1;
        }
        batch = backfill_next_size(batch, t1 - t0, TARGET_MS, most < MIN_BATCH ? most : MIN_BATCH,
                                   most);
        if (rc == 0 && obey(c, p, batch, &start, &rows0, &most, &err) != 0)
            rc = -1;
        if (rc == 0 && w && throttle(c, w, p, batch, &start, &rows0, &most, &err) != 0)
            rc = -1;
    }
    if (tty)
        fputc('\n', stderr);
    if (rc < 0)
        return datacmd_fail(c, err.msg);
    printf("backfill %s: done, %lld rows copied (%lld in this run) in %.1fs\n", p->job,
           (long long)p->rows, (long long)(p->rows - first),
           (double)(clock_now_ms() - begun) / 1000.0);
    return EXIT_OK;
}

/* Reads the runbook's throttle (FILE:LINE on a mistake), starts reading
 * its signals, and runs the copy. */
static int run_watched(struct datacmd *c, struct backfill *bf)
{
    struct throttle t;
    struct error err = {{0}};
    char why[sizeof err.msg + 320], said[300];
    if (throttle_parse(c->rb, &t, said, sizeof said) != 0) {
        fprintf(stderr, "%s:%d: %s\n", c->runbook_path, t.line, said);
        snprintf(why, sizeof why, "%s:%d: %s", c->runbook_path, t.line, said);
        return datacmd_journal_failure(c, why);
    }
    struct bfwatch *w = NULL;
    if (t.n && !(w = bfwatch_new(c->rb, &t, 2 * SIGNAL_POLL_TIMEOUT_MS, &err))) {
        snprintf(why, sizeof why, "throttle: %s", err.msg);
        return datacmd_fail(c, why);
    }
    int status = run(c, bf, w);
    bfwatch_free(w);
    return status;
}

/* Another process runs the job: change it (--rate, --pause, --resume),
 * journal the change, and return; or refuse a second copy. A --driven
 * start never comes here: claim() refuses it (EXIT_HELD) first. */
static int control(struct datacmd *c, const char *job, const struct bfcontrol *held)
{
    struct error err = {{0}};
    if (!c->rate_given && c->pause < 0) {
        fprintf(stderr, "cutover backfill: %s is already running (pid %ld); --rate N, --pause or "
                        "--resume change it\n", job, held->pid);
        return EXIT_FAILED;
    }
    if (bfcontrol_set(&c->ctl, job, c->rate_given ? c->rate : -1, c->pause, &err) != 0)
        return datacmd_fail(c, err.msg);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "job", job);
    if (c->rate_given)
        cJSON_AddNumberToObject(o, "rate", c->rate);
    if (c->pause >= 0)
        cJSON_AddBoolToObject(o, "paused", c->pause);
    cJSON_AddNumberToObject(o, "pid", (double)held->pid);
    if (datacmd_journal(c, EVK_BACKFILL_CONTROL, o) != 0)
        return EXIT_FAILED;
    printf("backfill %s (pid %ld):%s%s\n", job, held->pid,
           c->rate_given ? (c->rate > 0 ? " rate set" : " rate limit lifted") : "",
           c->pause == 1 ? " paused" : c->pause == 0 ? " resumed" : "");
    return EXIT_OK;
}

/* Takes the job, or hands over to control() when a live process holds it
 * (a holder whose process is gone, after kill -9, is taken over; a
 * --driven copy, a console's, refuses instead: exit EXIT_HELD). A start
 * runs with the row's pause, and its rate unless a person gives one
 * (--rate by hand; a console's --driven start passes its step's {rate=N},
 * which gives way to a rate a person set): said on stderr and journaled. */
static int claim(struct datacmd *c, const char *job, int *status)
{
    struct error err = {{0}};
    struct bfcontrol held;
    enum bfcontrol_rate how = c->running || c->pause >= 0  ? BFRATE_KEEP
                              : c->rate_given && !c->driven ? BFRATE_OWN
                                                            : BFRATE_DEFAULT;
    int rc = bfcontrol_claim(&c->ctl, job, (long)getpid(), clock_now_ms(), c->rate, how, 0,
                             &held, &err);
    if (rc == 1 && kill((pid_t)held.pid, 0) != 0 && errno == ESRCH)
        rc = bfcontrol_claim(&c->ctl, job, (long)getpid(), clock_now_ms(), c->rate, how, 1,
                             &held, &err);
    if (rc == 0 && how != BFRATE_KEEP) {
        if (held.rate != c->rate) {
            fprintf(stderr, "backfill: at the rate a person last set, %g rows/s (0: no limit), "
                    "not %g\n", held.rate, c->rate);
            c->kept |= KEPT_RATE;
        }
        if (held.paused) {
            fprintf(stderr, "backfill: paused, as the last control left it; --resume goes on\n");
            c->kept |= KEPT_PAUSE;
        }
        c->rate = held.rate;
    }
    if (rc < 0) {
        *status = datacmd_fail(c, err.msg);
    } else if (rc == 1 && c->driven) {
        /* a console's copy never turns into a control of another's: it
         * refuses, and the console watches the copy that runs */
        fprintf(stderr, "cutover backfill: %s is already run by another copy (pid %ld): "
                        "not started twice, nor changed\n", job, held.pid);
        *status = EXIT_HELD;
    } else if (rc == 1) {
        *status = control(c, job, &held);
    } else if (c->pause >= 0 || c->running) {
        fprintf(stderr, "cutover backfill: no backfill of %s is running to %s\n", job,
                c->pause > 0 ? "pause" : c->pause == 0 ? "resume" : "change");
        bfcontrol_release(&c->ctl, job, (long)getpid(), &err);
        *status = EXIT_FAILED;
        rc = 1;
    }
    return rc;
}

int cmd_backfill(int argc, char **argv)
{
    struct datacmd c;
    int status = datacmd_open(&c, "backfill", argc, argv);
    if (status != 0) {
        datacmd_close(&c);
        return status;
    }
    struct backfill *bf = NULL;
    struct error err = {{0}};
    int held = 1;
    if (backfill_open(&bf, &c.job, &err) != 0) {
        status = datacmd_fail(&c, err.msg);
    } else if ((held = claim(&c, backfill_progress(bf)->job, &status)) != 0) {
        /* changed the running job, refused, or failed: status says */
    } else if (c.restart && backfill_reset(bf, &err) != 0) {
        status = datacmd_fail(&c, err.msg);
    } else if (backfill_progress(bf)->done) {
        printf("backfill %s: already done (%lld rows); --restart copies again\n",
               backfill_progress(bf)->job, (long long)backfill_progress(bf)->rows);
    } else {
        status = run_watched(&c, bf);
    }
    if (held == 0)
        bfcontrol_release(&c.ctl, backfill_progress(bf)->job, (long)getpid(), &err);
    backfill_free(bf);
    datacmd_close(&c);
    return status;
}
