/* driver.h — what the console that runs a ceremony does besides drawing:
 * poll the signals, journal their samples, judge the criteria, and carry
 * out the ramp controller's decisions through the flag worker — abort
 * without asking, retry a rollback until its read-back is seen, and check
 * the flag against the journal after a restart. Other consoles only fold
 * the journal. Nothing here blocks: HTTP is on the caller's curl multi
 * handle, databases and flags are on worker threads. */
#ifndef CUTOVER_DRIVER_H
#define CUTOVER_DRIVER_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#include "ceremony.h"
#include "error.h"

struct driver;

struct driver *driver_new(struct ceremony *c, CURLM *multi, struct error *err);
void driver_free(struct driver *d);

/* At the close: gives the comms webhook's notifications still on their
 * way wait_ms (real time, as real_ms tells it) to arrive; any still not
 * delivered then is journaled as a notify_failed (at clock_ms's time).
 * Nothing else waits on a webhook. */
void driver_drain_notify(struct driver *d, int64_t wait_ms, int64_t (*real_ms)(void),
                         int64_t (*clock_ms)(void));

/* Descriptors of the worker threads' wake-up pipes (at most 4). */
size_t driver_fds(const struct driver *d, int *fds);

/* Milliseconds until the driver has something to do. */
int64_t driver_wait_ms(const struct driver *d, int64_t now_ms);

/* After each wait: runs transfers, journals what came back, judges,
 * decides. Returns 1 when the session changed, 0 when not, -1 on a
 * journal error (err). */
int driver_step(struct driver *d, int64_t now_ms, struct error *err);

/* The commander's acts; each returns 0 (done, or under way: its intent is
 * being journaled, and driver_message tells the end) or -1 (refused: msg
 * says why; a refusal is journaled when the journal can be written). An
 * abort moves the flag at once, whatever the journal does. */
int driver_advance(struct driver *d, const char *typed_percent, int64_t now_ms,
                   char *msg, size_t len);
int driver_abort(struct driver *d, int64_t now_ms, char *msg, size_t len);
int driver_resume(struct driver *d, const char *reason, int64_t now_ms, char *msg, size_t len);
int driver_override(struct driver *d, const char *reason, int64_t now, char *msg, size_t len);
int driver_restore_flag(struct driver *d, const char *typed_percent, int64_t now_ms,
                        char *msg, size_t len);

/* After a flag_mismatch: the commander takes the flag's value as the
 * ramp's (a written reason, journaled), instead of setting the journal's. */
int driver_accept_flag(struct driver *d, const char *reason, int64_t now, char *msg, size_t len);

/* A brake on every console: a console that does not drive (a joined one,
 * `cutover abort`) journals an abort request, which the driving console
 * carries out at its next step. A role `Abort:` does not allow is refused
 * and the refusal journaled. 0 requested (*seq its event), -1 refused or
 * not journaled (msg says why). */
int driver_request_abort(struct ceremony *c, const char *reason, int64_t now_ms, int64_t *seq,
                         char *msg, size_t len);

/* The flag's value as last read, or as the journal last confirmed it: 1
 * with *percent, 0 when never known. */
int driver_flag_last(const struct driver *d, double *percent);
/* 1 while an abort's rollback is not read back. */
int driver_rollback_pending(const struct driver *d);
/* 1 (why in words) when leaving now would leave traffic on new unwatched:
 * the flag above the rollback value, or a rollback not read back. */
int driver_quit_risk(const struct driver *d, char *why, size_t len);
/* 1 (why) when the ceremony cannot go on without a person: a flag that
 * disagrees with the journal, a rehearsal failed on what retrying cannot
 * fix. A headless run ends on it instead of waiting forever. */
int driver_stuck(const struct driver *d, char *why, size_t len);

/* How an act's intent ended once its journal write came back (an act other
 * than abort is journaled before it is carried out): 1 with the words in
 * msg (alert when it was refused), 0 when there is nothing new. */
int driver_message(struct driver *d, char *msg, size_t len, int *alert);

/* A short description of the flag ("flagd flags.json flag x"), or NULL. */
const char *driver_flag_name(const struct driver *d);

#endif
