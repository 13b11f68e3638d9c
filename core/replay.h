/* replay.h — a ceremony as it stood at any moment, from its journal alone.
 *
 * Replay is the fold up to time t: the session a console would have had
 * after the last row journaled at or before t. Opening reads an index of
 * every row (its time, and what kind of event) without decoding bodies,
 * and starts a thread that folds the whole journal once, keeping a copy
 * of the folded session every REPLAY_CHECKPOINT rows; a seek restores the
 * nearest copy before it and folds the rows between, so any moment is a
 * bounded amount of work away. A seek further than the folder has gone
 * waits for it (only in the first moments after opening); stepping and
 * playing forward from where the replay stands never wait. The
 * checkpoints live in memory, outside the hashed history; nothing is ever
 * written to the journal (it is opened read-only).
 *
 * A damaged journal is replayed up to its first bad row and says so
 * (replay_damage); it is never shown as intact, nor as verified before
 * its chains are (replay_check_verified). */
#ifndef CUTOVER_REPLAY_H
#define CUTOVER_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "runbook.h"
#include "session.h"

#define REPLAY_CHECKPOINT 16384   /* rows between two kept copies of the fold */

struct replay;

/* What a row is, for jumping to the next one of a sort. */
enum replay_mark {
    REPLAY_SAMPLE,
    REPLAY_EVENT,      /* any other event */
    REPLAY_ABORT,      /* abort, abort_request */
    REPLAY_HALT,
    REPLAY_OVERRIDE,   /* override, flag_restore, flag_accept, resume */
    REPLAY_ACK,        /* ack, ack_refused */
};

/* Opens the journal at path at position 0 (nothing folded yet), its
 * chains being verified and its checkpoints folded on threads of their
 * own. -1 with err when it cannot be read at all (not a journal, no
 * runbook in it). */
int replay_open(const char *path, struct replay **out, struct error *err);
void replay_close(struct replay *r);
/* Waits until the folder has kept every checkpoint (for benches and tests). */
void replay_wait_folded(struct replay *r);

const struct runbook *replay_runbook(const struct replay *r);
/* The session at the current position. */
const struct session *replay_session(const struct replay *r);

/* Rows in the (readable part of the) journal, and the current position:
 * the number of rows folded, 0 .. replay_rows. */
size_t replay_rows(const struct replay *r);
size_t replay_position(const struct replay *r);
/* The first and last rows' times (0 when the journal has no rows). */
int64_t replay_first_ms(const struct replay *r);
int64_t replay_last_ms(const struct replay *r);
/* The time of row k (0-based), and its sort. */
int64_t replay_row_ms(const struct replay *r, size_t k);
enum replay_mark replay_row_mark(const struct replay *r, size_t k);

/* Folds to position k (the first k rows). */
int replay_seek_row(struct replay *r, size_t k, struct error *err);
/* Folds to time t: every row journaled at or before t (a row out of time
 * order stays in the journal's order). */
int replay_seek_time(struct replay *r, int64_t t_ms, struct error *err);
/* The position of time t (what replay_seek_time folds to). */
size_t replay_row_at(const struct replay *r, int64_t t_ms);

/* The next (dir > 0) or previous (dir < 0) event row from position pos
 * that is of sort mark (REPLAY_EVENT: any event); the position just after
 * it (so seeking there shows the screen once it happened), or (size_t)-1
 * when there is none. */
size_t replay_find(const struct replay *r, size_t pos, enum replay_mark mark, int dir);

/* Counts events in n equal spans of [from, to] into bins: where events
 * cluster, for a timeline bar. */
void replay_histogram(const struct replay *r, int64_t from, int64_t to, unsigned *bins,
                      size_t n);

/* Both chains are checked on a thread of their own while the journal is
 * folded (opening costs the fold, not the fold and the check). Until the
 * check is done replay_damage says NOT YET VERIFIED. This looks (wait 0)
 * or waits (wait 1) for it: 1 when it has just ended — rows past a first
 * bad one are dropped then, and the position may move back — 0 when it
 * has not (or ended before), -1 on error. */
int replay_check_verified(struct replay *r, int wait, struct error *err);

/* NULL when both chains verified; else what is wrong, in words ("DAMAGED:
 * events #1234: hash mismatch (row edited) — replayed up to #1233", or
 * "NOT YET VERIFIED: …" while the check runs). */
const char *replay_damage(const struct replay *r);
/* How many times faster than real time a console of this journal said it
 * ran (a test clock: CUTOVER_TIME_SCALE); 0 when every one ran on the
 * wall clock. Known from the opening on, whatever the moment shown. */
double replay_test_clock(const struct replay *r);

#endif
