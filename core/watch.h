/* watch.h — the driving console's judge: the criteria's memory is part of
 * the fold (session.h, struct session's tracks); the judge journals what
 * the fold says has changed, and the passing of time, as `criterion`
 * events. A restart, a joined console and replay fold the same events
 * and samples, so they hold the same memory: nothing here is kept between
 * calls. */
#ifndef CUTOVER_WATCH_H
#define CUTOVER_WATCH_H

#include <stdint.h>

#include "criteria.h"
#include "error.h"
#include "journal.h"
#include "session.h"

/* Steps a copy of s's tracks at now_ms (time passing: staleness, a `for`
 * window elapsing, `no data for D`) and appends one `criterion` event
 * (actor "engine", at now_ms) for every criterion whose state then differs
 * from its last journaled one; folding those events steps s's own tracks
 * to the same place. Returns the number of events, or -1 on a journal
 * error. */
int watch_judge(const struct session *s, int64_t now_ms, struct journal *j,
                struct error *err);

#endif
