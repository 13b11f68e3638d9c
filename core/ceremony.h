/* ceremony.h — one console's hold on a ceremony: the journal it writes to,
 * the runbook in force (always the one recorded in the journal), the session
 * folded from the journal, and who is at this console.
 *
 * Every command that touches a journal (run, join, ack, headless) goes
 * through here, so identity checks, the runbook-mismatch guard and the
 * acknowledgement rules are written once. */
#ifndef CUTOVER_CEREMONY_H
#define CUTOVER_CEREMONY_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "journal.h"
#include "runbook.h"
#include "session.h"

struct ceremony {
    struct journal *journal;
    struct runbook *rb;   /* owned; the runbook recorded in the journal */
    struct session s;
    char name[64];
    char role[32];
    char actor[96];       /* "name/role" */
};

/* Checks that role is in the runbook and that name is the person it
 * assigns to that role. */
int ceremony_check_identity(const struct runbook *rb, const char *name,
                            const char *role, struct error *err);

/* `cutover run`: opens or creates the journal for runbook rb (ownership
 * passes to c, also on failure). A journal that recorded a different
 * runbook is refused unless force, in which case the replacement is
 * journaled. Folds every event so far. */
int ceremony_start(struct ceremony *c, struct runbook *rb, const char *rb_path,
                   const char *journal_path, int force, const char *name,
                   const char *role, int64_t now_ms, struct error *err);

/* `cutover join` / `cutover ack`: the runbook comes from the journal. */
int ceremony_join(struct ceremony *c, const char *journal_path,
                  const char *name, const char *role, struct error *err);

/* Folds events appended since the last call (by anyone). on_new, if given,
 * is called for each, after it is folded. */
int ceremony_refresh(struct ceremony *c, journal_event_fn on_new, void *ctx,
                     struct error *err);

/* May this person in this role acknowledge step_id now? 0 yes; -1 no, with
 * the reason in words. A pure function of the session. */
int ceremony_ack_decide(const struct session *s, const char *step_id,
                        const char *name, const char *role, char *reason,
                        size_t len);

/* Decides and journals: an `ack`, or an `ack_refused` with the reason.
 * Returns 0 acknowledged, 1 refused (reason in msg), -1 journal failure. */
int ceremony_ack(struct ceremony *c, const char *step_id, int64_t now_ms,
                 char *msg, size_t len, struct error *err);

/* Journals an event of this console's actor. */
int ceremony_append(struct ceremony *c, const char *kind, const char *body,
                    int64_t now_ms, struct error *err);

void ceremony_close(struct ceremony *c);

#endif
