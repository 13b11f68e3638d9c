/* reportdata.h — the report's data section: the backfill, the comparison,
 * its samples and the writer audit as the session fold left them at the
 * journal's end (bfprogress.h, datafold.h, writersfold.h), plus the one
 * thing the fold does not keep: the divergent keys of the newest full
 * comparison, listed up to REPORT_KEYS. */
#ifndef CUTOVER_REPORTDATA_H
#define CUTOVER_REPORTDATA_H

#include <stddef.h>
#include <stdint.h>

#include "bfprogress.h"
#include "datafold.h"
#include "events.h"
#include "journal.h"

#define REPORT_KEYS 20

struct session;

struct report_backfill {
    char job[64];
    int64_t rows, total;
    int done;
    int64_t started_ms, ended_ms;  /* the first start (or checkpoint); done (or the last checkpoint) */
    double rate;                   /* rows/s between the first checkpoint and the last */
    int64_t throttled_ms;
    int pauses, rewinds;
};

struct report_div_key {
    int64_t seq;
    char key[64], cause[32];
};

struct report_data {
    struct report_backfill backfill[BF_PROGRESS_JOBS];
    size_t n_backfill;
    int backfill_runs, backfill_restarts;  /* the console's data_job starts; after the first */
    int backfill_failed;                   /* runs that failed, the console's or by hand */
    char backfill_last_failure[160];       /* … the newest one's words */
    int compare_seen;
    struct datafold_compare cmp;           /* the newest full comparison */
    int compare_runs;                      /* the console's data_job starts */
    struct report_div_key keys[REPORT_KEYS];
    size_t n_keys;
    int64_t keys_total;                    /* divergence events of that comparison */
    int keys_closed;                       /* its compare result came: the next divergence starts anew */
    struct datafold_sample sample;
    int writers_audited;
    size_t writers, writers_unknown_open;
    const char *writers_verdict;           /* "clean", "unknown writers", "not run" */
    char writers_text[200];
};

/* A divergence event (b decoded): its key joins the newest comparison's
 * list (a sample's are left out: the sample line counts them). */
void reportdata_on_event(struct report_data *d, const struct journal_event *ev,
                         const struct event_body *b);

/* The rest, from the fold at the journal's end (ended_ms closes a throttle
 * still in force). */
void reportdata_finish(struct report_data *d, const struct session *s, int64_t ended_ms);

/* 1 when the journal had any data work to report. */
int reportdata_any(const struct report_data *d);

#endif
