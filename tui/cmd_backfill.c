/* cmd_backfill.c — `cutover backfill RUNBOOK [--journal F] [--rate N]
 * [--batch N] [--restart]`: copies old into new headless, resuming from
 * the checkpoint in new, in batches sized to take about TARGET_MS each and
 * paced to --rate; the checkpoint is mirrored to the journal at most once
 * a second and at the end. Progress on stderr. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "commands.h"
#include "core/backfill.h"
#include "datacmd.h"

#define TARGET_MS 200
#define MIN_BATCH 100L
#define MAX_BATCH 200000L

static void wait_until(int64_t t_ms)
{
    int64_t now = clock_now_ms();
    if (t_ms <= now)
        return;
    struct timespec ts = {(time_t)((t_ms - now) / 1000), (long)((t_ms - now) % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int mirror(struct datacmd *c, const struct backfill_progress *p, long batch)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "job", p->job);
    cJSON_AddNumberToObject(o, "rows", (double)p->rows);
    cJSON_AddNumberToObject(o, "total", (double)p->total);
    if (p->cursor[0])
        cJSON_AddStringToObject(o, "cursor", p->cursor);
    cJSON_AddBoolToObject(o, "done", p->done);
    if (c->rate > 0)
        cJSON_AddNumberToObject(o, "rate", c->rate);
    cJSON_AddNumberToObject(o, "batch", (double)batch);
    return datacmd_journal(c, EVK_BACKFILL, o);
}

static void progress(const struct backfill_progress *p, double rate, int tty)
{
    double pct = p->total ? 100.0 * (double)p->rows / (double)p->total : 100.0;
    if (pct > 100)
        pct = 100;
    double eta = rate > 0 && p->total > p->rows ? (double)(p->total - p->rows) / rate : 0;
    fprintf(stderr, "%sbackfill %lld/%lld rows (%.1f%%) %.0f rows/s eta %.0fs checkpoint %s%s",
            tty ? "\r" : "", (long long)p->rows, (long long)p->total, pct, rate, eta,
            p->cursor[0] ? p->cursor : "-", tty ? "   " : "\n");
}

static int run(struct datacmd *c, struct backfill *bf)
{
    struct error err = {{0}};
    int tty = isatty(2);
    long batch = c->batch ? c->batch : 1000;
    /* Under a rate limit a batch is at most one target time's worth of
     * rows, so that the pace is smooth rather than a burst and a wait. */
    long most = c->rate > 0 ? (long)(c->rate * TARGET_MS / 1000.0) : MAX_BATCH;
    most = most < MIN_BATCH ? MIN_BATCH : most > MAX_BATCH ? MAX_BATCH : most;
    const struct backfill_progress *p = backfill_progress(bf);
    int64_t start = clock_now_ms(), last_note = 0, rows0 = p->rows;
    if (p->resumed && !p->done)
        fprintf(stderr, "backfill: resuming %s after key %s (%lld rows already copied)\n", p->job,
                p->cursor, (long long)p->resumed);
    int rc = 0;
    while (rc == 0) {
        wait_until(backfill_pace(start, p->rows - rows0, c->rate));
        int64_t t0 = clock_now_ms();
        rc = backfill_batch(bf, batch, t0, &err);
        if (rc < 0)
            break;
        int64_t t1 = clock_now_ms();
        if (rc == 1 || t1 - last_note >= 1000) {
            double secs = (double)(t1 - start) / 1000.0;
            progress(p, secs > 0 ? (double)(p->rows - rows0) / secs : 0, tty);
            if (mirror(c, p, batch) != 0)
                return EXIT_FAILED;
            last_note = t1;
        }
        batch = backfill_next_size(batch, t1 - t0, TARGET_MS, MIN_BATCH, most);
    }
    if (tty)
        fputc('\n', stderr);
    if (rc < 0) {
        fprintf(stderr, "cutover backfill: %s\n", err.msg);
        return EXIT_FAILED;
    }
    printf("backfill %s: done, %lld rows copied (%lld in this run) in %.1fs\n", p->job,
           (long long)p->rows, (long long)(p->rows - rows0),
           (double)(clock_now_ms() - start) / 1000.0);
    return EXIT_OK;
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
    if (backfill_open(&bf, &c.job, &err) != 0 || (c.restart && backfill_reset(bf, &err) != 0)) {
        fprintf(stderr, "cutover backfill: %s\n", err.msg);
        status = EXIT_FAILED;
    } else if (backfill_progress(bf)->done) {
        printf("backfill %s: already done (%lld rows); --restart copies again\n",
               backfill_progress(bf)->job, (long long)backfill_progress(bf)->rows);
    } else {
        status = run(&c, bf);
    }
    backfill_free(bf);
    datacmd_close(&c);
    return status;
}
