/* decide.h — one decision of a person, decided and journaled in the write
 * transaction that records it, on the fold of what the journal holds: two
 * consoles (or five scripts) deciding at once take turns, and the second
 * sees the first's event. Acknowledgements (ceremony.c), approvals and the
 * overrides of a point of no return (approve.c) and of a gate
 * (gateoverride.c) are such decisions: each says what it decides, this
 * file runs it — at once from a script (the ceremony's own session is
 * refreshed and used), or on the journal's writer thread from a console
 * (folded privately there, the answer on the loop's thread). */
#ifndef CUTOVER_DECIDE_H
#define CUTOVER_DECIDE_H

#include <stddef.h>
#include <stdint.h>

#include "ceremony.h"

struct decide_op;

/* Decides on s (what the journal holds): sets *kind and *body (allocated;
 * NULL: nothing is journaled) and op->msg, the answer in words. Returns 0
 * done, 1 refused (a refusal may still be journaled), -1 with err. */
typedef int (*decide_fn)(struct decide_op *op, const struct session *s, const char **kind,
                         char **body, struct error *err);

/* The first member of each decision's own operation (the decide_fn casts
 * back to it). */
struct decide_op {
    struct ceremony *c;   /* the identity and runbook; its session when at once */
    int own_fold;         /* on the writer's thread: fold privately */
    int64_t now;
    decide_fn decide;
    char msg[720];
    ceremony_ack_done_fn done;
    void *ctx;
};

/* At once: 0, 1 or -1 as decide said (-1: the journal failed, err); msg
 * gets op->msg. The ceremony's session is refreshed after. */
int decide_run(struct decide_op *op, char *msg, size_t len, struct error *err);

/* Through the writer: a copy of the size bytes of the operation op heads
 * is queued; done(ctx, rc, msg) follows on the loop's thread. -1 here when
 * it cannot be queued (msg says why); else 0 with `pending` in msg
 * ("acknowledging 2.1…"). */
int decide_queue(const struct decide_op *op, size_t size, ceremony_ack_done_fn done, void *ctx,
                 const char *pending, char *msg, size_t len);

/* The body of an `override` of guard, which had found failed, with the
 * commander's written reason: malloc'd, or NULL (out of memory). */
char *decide_override_body(const char *guard, const char *failed, const char *reason);

#endif
