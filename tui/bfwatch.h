/* bfwatch.h — the signals a backfill's throttle names (throttle.h), read
 * between batches through signals.h on a curl handle of the job's own:
 * the same sources, scrapes and SQL workers as the cockpit, polled at the
 * signals' own intervals. */
#ifndef CUTOVER_BFWATCH_H
#define CUTOVER_BFWATCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/runbook.h"
#include "core/throttle.h"

struct bfwatch;

/* Starts reading t's signals of rb (both must outlive the watcher) and
 * waits up to first_ms for a first reading of each. NULL with err. */
struct bfwatch *bfwatch_new(const struct runbook *rb, const struct throttle *t, int first_ms,
                            struct error *err);
void bfwatch_free(struct bfwatch *w);

/* Polls what is due and takes what arrived, waiting at most wait_ms. */
void bfwatch_pump(struct bfwatch *w, int wait_ms);

/* 1 when a condition holds the job back, its reasons (joined by "; ") in
 * why; 0 when none does, why the readings in words. */
int bfwatch_judge(const struct bfwatch *w, int64_t now_ms, char *why, size_t len);

#endif
