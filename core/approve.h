/* approve.h — the commander's half of a point of no return: `approve` of
 * an {irreversible} step (its owner's `ack` is the other half, from
 * another person), and the commander's override of the step's conditions
 * with a written reason (`override`, guard `noreturn:<id>`). Each is
 * decided and journaled in one write transaction on what the journal
 * holds, as acknowledgements are; a refusal is journaled as `ack_refused`
 * with the reason. `cutover approve` and the console's keys (v, o) both
 * come here. The rules are core/noreturn.h's. */
#ifndef CUTOVER_APPROVE_H
#define CUTOVER_APPROVE_H

#include <stddef.h>
#include <stdint.h>

#include "ceremony.h"

/* reason NULL: approve step_id; else override its conditions with reason.
 * Returns 0 done, 1 refused (why in msg), -1 the journal failed (err). */
int approve_step(struct ceremony *c, const char *step_id, const char *reason, int64_t now_ms,
                 char *msg, size_t len, struct error *err);

/* The same through the journal's writer (a console): done follows on the
 * loop's thread with rc 0, 1 or -1; -1 here when it cannot be queued. */
int approve_step_async(struct ceremony *c, const char *step_id, const char *reason,
                       int64_t now_ms, ceremony_ack_done_fn done, void *ctx, char *msg,
                       size_t len);

#endif
