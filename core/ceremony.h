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
#include <stdio.h>

#include "error.h"
#include "journal.h"
#include "journal_consoles.h"
#include "runbook.h"
#include "session.h"

struct pending_row;

struct ceremony {
    struct journal *journal;
    struct runbook *rb;   /* owned; the runbook recorded in the journal */
    struct session s;
    char name[64];
    char role[32];
    char actor[96];       /* "name/role" */
    /* How far the journal has been read: with a writer attached, the fold
     * runs ahead of it by this console's own queued appends, which wait
     * in `pending` until they are read back as written. */
    int64_t read_seq, read_sample_seq;
    struct pending_row *pending, *pending_tail;  /* events and samples, in queue order */
    size_t n_pending;
    int diverged;         /* another's row came before ours (ceremony_refresh) */
    /* While rows of ours wait, `base` is the fold of what is written (up
     * to read_seq, read_sample_seq): every row read back is folded into
     * it, and when another's row comes before ours the session is base
     * again with ours on top — a cost of what is new, not of the journal. */
    struct session base;
    int has_base;
    long n_refolds;       /* from scratch: only when base could not be kept (OOM) */
    long n_restores;      /* from base */
    FILE *trace;          /* CUTOVER_FOLD_TRACE, or NULL */
    struct journal_lease lease;  /* held by the console that drives */
    int has_lease;
    char took_over_from[96];     /* another's lapsed lease this start replaced, or "" */
    struct journal_console presence;  /* this console's heartbeat row (journal_consoles.h) */
    int has_presence;
};

/* Checks that role is in the runbook and that name is the person it
 * assigns to that role. */
int ceremony_check_identity(const struct runbook *rb, const char *name,
                            const char *role, struct error *err);

/* `cutover run`: opens or creates the journal for runbook rb (ownership
 * passes to c, also on failure). A damaged journal (verify fails) or one
 * that recorded a different runbook is refused unless force, in which case
 * the damage or the replacement is journaled. Takes the driver's lease: a
 * journal another live console drives is refused, naming who and since
 * when. Folds every event so far. */
int ceremony_start(struct ceremony *c, struct runbook *rb, const char *rb_path,
                   const char *journal_path, int force, const char *name,
                   const char *role, int64_t now_ms, struct error *err);

/* The runbook in force in journal j (the newest `runbook` event), parsed;
 * path is for messages. NULL with err set when there is none or it no
 * longer parses. The caller frees it with runbook_free. */
struct runbook *ceremony_runbook_from_journal(struct journal *j, const char *path,
                                              struct error *err);

/* `cutover join` / `cutover ack`: the runbook comes from the journal. */
int ceremony_join(struct ceremony *c, const char *journal_path,
                  const char *name, const char *role, struct error *err);

/* `cutover join`: the same, after verifying the journal's chains; a damaged
 * journal is refused with its first bad sequence unless force, in which
 * case the damage is journaled (`journal_damaged`) before anything else. */
int ceremony_join_verified(struct ceremony *c, const char *journal_path,
                           const char *name, const char *role, int force,
                           int64_t now_ms, struct error *err);

/* Starts the journal's writer thread (journal_writer.h) for this console:
 * appends are queued from now on and folded at once, and the lease, if
 * held, is renewed by the writer. */
int ceremony_start_writer(struct ceremony *c, int64_t (*now_ms)(void),
                          struct error *err);

/* Before ceremony_start_writer: this is a console (mode run, join or
 * headless, on OS account), so the writer keeps its heartbeat row. */
void ceremony_be_present(struct ceremony *c, const char *mode, const char *account,
                         int64_t now_ms);

/* Acknowledges through the writer: decided and journaled in one write
 * transaction on its thread. done(ctx, rc, msg) follows on the loop's
 * thread (rc 0 acknowledged, 1 refused, -1 the journal failed); -1 here
 * when it cannot even be queued (msg says why). */
typedef void (*ceremony_ack_done_fn)(void *ctx, int rc, const char *msg);
int ceremony_ack_async(struct ceremony *c, const char *step_id, int64_t now_ms,
                       ceremony_ack_done_fn done, void *ctx, char *msg,
                       size_t len);

/* Every ceremony opened after this writes a fold trace line (fold_trace.h)
 * to path after each fold step; NULL or "" for none. For tests. */
void ceremony_trace_to(const char *path);

/* Folds events and samples appended since the last call (by anyone), in
 * the journal's one order. When another's row turns out to come before
 * rows of ours already folded, the session becomes the fold of what is
 * written (kept aside while ours wait) with ours on top, so it is always
 * the journal's order. on_new, if given,
 * is called for each event as it is read (after it is folded, or before
 * the refold that folds it when another's row came first). */
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

/* The commander completes a backfill, compare or preflight step by
 * override (stepaction.h): decided and journaled like an acknowledgement —
 * an `override` with guard "step:ID" and the written reason, or an
 * `ack_refused` saying why not. reason NULL: an acknowledgement. Returns 0
 * completed, 1 refused (reason in msg), -1 journal failure. */
int ceremony_override_step(struct ceremony *c, const char *step_id, const char *reason,
                           int64_t now_ms, char *msg, size_t len, struct error *err);

/* The same through the writer, as ceremony_ack_async. */
int ceremony_override_step_async(struct ceremony *c, const char *step_id, const char *reason,
                                 int64_t now_ms, ceremony_ack_done_fn done, void *ctx,
                                 char *msg, size_t len);

/* Journals an event of this console's actor. */
int ceremony_append(struct ceremony *c, const char *kind, const char *body,
                    int64_t now_ms, struct error *err);

void ceremony_close(struct ceremony *c);

#endif
