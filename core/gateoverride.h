/* gateoverride.h — the commander overrides a gate that holds a step or a
 * phase, with a written reason: an `override` event whose guard is the
 * gate's id (`gate:phase2`), decided and journaled in one write
 * transaction, on what the journal holds, as acknowledgements are.
 * The console's prompt (o) and `cutover ack JOURNAL --override-gate ID
 * --reason TEXT` both come here. */
#ifndef CUTOVER_GATEOVERRIDE_H
#define CUTOVER_GATEOVERRIDE_H

#include <stddef.h>
#include <stdint.h>

#include "ceremony.h"

/* May someone in role override gate `id` with this reason? 0 yes, or -1
 * with why. A pure function of the session. */
int gateoverride_decide(const struct session *s, const char *role, const char *id,
                        const char *reason, char *why, size_t len);

/* Decides and journals (from a script): 0 overridden, 1 refused (msg),
 * -1 the journal failed (err). */
int gateoverride(struct ceremony *c, const char *id, const char *reason, int64_t now_ms,
                 char *msg, size_t len, struct error *err);

/* The same through the journal's writer (a console): done follows on the
 * loop's thread with rc 0, 1 or -1; -1 here when it cannot be queued. */
int gateoverride_async(struct ceremony *c, const char *id, const char *reason, int64_t now_ms,
                       ceremony_ack_done_fn done, void *ctx, char *msg, size_t len);

#endif
