/* backfill.h — copies old's rows into new in keyset batches, through the
 * mapping, with an upsert that never makes a row older than the one
 * dual-write put there (the mapping's version column decides), and the
 * checkpoint committed in the same transaction as each batch, in new's own
 * database: a crash can never leave the checkpoint ahead of the data.
 * SQLite → SQLite (old is attached to new's connection, so each batch is
 * one INSERT … SELECT), into PostgreSQL from PostgreSQL or SQLite
 * (pgbackfill.h), and PostgreSQL → SQLite (pgtolite.h). The caller owns
 * time: it measures batches and paces them with backfill_next_size and
 * backfill_pace. */
#ifndef CUTOVER_BACKFILL_H
#define CUTOVER_BACKFILL_H

#include <stdint.h>

#include "datajob.h"
#include "error.h"

struct backfill;

struct backfill_progress {
    int64_t rows;       /* copied so far, over every run of this job */
    int64_t total;      /* old's rows when this run started */
    int64_t resumed;    /* rows the checkpoint held when this run started */
    int done;           /* the last batch is committed */
    char cursor[128];   /* the checkpoint's key, for people ("1200", "eu,42") */
    char job[128];      /* "backfill:TABLE" — the checkpoint's name */
    const char *how;    /* how the rows travel, for people (a static string) */
    int counting;       /* old's rows are being counted beside the copy: total not known yet */
};

/* Attaches old to new's connection, creates the checkpoint table in new
 * if needed and reads this job's checkpoint. */
int backfill_open(struct backfill **out, struct datajob *j, struct error *err);
void backfill_free(struct backfill *b);

/* Copies the next batch of at most `limit` rows and commits it with the
 * checkpoint (now_ms is recorded with it). 1 when the job is complete, 0
 * when there is more, -1 with err (nothing of the batch is kept). */
int backfill_batch(struct backfill *b, long limit, int64_t now_ms, struct error *err);

/* Forgets the checkpoint (a new copy from the first key). */
int backfill_reset(struct backfill *b, struct error *err);

const struct backfill_progress *backfill_progress(const struct backfill *b);

/* After a batch: old's rows were counted when the run started, and
 * dual-write adds rows meanwhile, which the copy reaches too. Once the
 * copy has passed the count, old held at least what was copied; once it
 * is done, old held what was copied: the total says so rather than "7284
 * of 5834 (125 %)". */
void backfill_progress_settle(struct backfill_progress *p);

/* p->cursor: the n key values (text) joined by commas, as shown; empty
 * when key is NULL. */
void backfill_cursor_text(struct backfill_progress *p, char *const *key, size_t n);

/* The next batch size: scaled toward target_ms by the last batch's time,
 * at most doubling or halving, within [lo, hi]. */
long backfill_next_size(long size, int64_t took_ms, int64_t target_ms, long lo, long hi);

/* The earliest time the next batch may start so that `rows` copied since
 * started_ms stay within `rate` rows per second (rate <= 0: no limit). */
int64_t backfill_pace(int64_t started_ms, int64_t rows, double rate);

#endif
