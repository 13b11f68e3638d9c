/* events.h — the kinds of event the cockpit journals, how each is built,
 * and how each reads as one line for a person (journal tail, headless).
 *
 * The set is open: a journal may hold kinds this build does not know (a
 * newer build wrote them); they are shown as written and otherwise ignored. */
#ifndef CUTOVER_EVENTS_H
#define CUTOVER_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "journal.h"

#define EV_RUNBOOK       "runbook"        /* text + sha256 of the runbook in force */
#define EV_CONSOLE_OPEN  "console_open"   /* a console joined: name, role, mode */
#define EV_CONSOLE_CLOSE "console_close"
#define EV_ACK           "ack"            /* step acknowledged: step, name, role */
#define EV_ACK_REFUSED   "ack_refused"    /* step, name, role, reason */
#define EV_NOTE          "note"           /* free text from a person */
#define EV_CRITERION     "criterion"      /* a criterion changed state: index, from, to, value, why */
#define EV_RAMP_ADVANCE  "ramp_advance"   /* step, percent, automatic, by */
#define EV_RAMP_REFUSED  "ramp_refused"   /* percent, reason */
#define EV_FLAG_SET      "flag_set"       /* percent, purpose, ok, error, try */
#define EV_FLAG_READ     "flag_read"      /* percent, expected, purpose, ok, error */
#define EV_ABORT         "abort"          /* criterion, cause, breach_ms, manual */
#define EV_ROLLBACK_DONE "rollback_confirmed" /* percent, breach_ms, set_ms, latency_ms */
#define EV_HALT          "halt"           /* criterion, cause */
#define EV_ABORT_EFFECTIVE "abort_effective" /* observed, after_ms: traffic really left new */
#define EV_RESUME        "resume"         /* reason */
#define EV_FLAG_MISMATCH "flag_mismatch"  /* journal_percent, flag_percent */
#define EV_OVERRIDE      "override"       /* guard, reason */
#define EV_REHEARSAL     "rehearsal"      /* passed, checks [{name, ok, detail}], summary */
#define EV_FLAG_RESTORE  "flag_restore"   /* guard, reason: the commander set the flag back */
#define EV_NOTIFY_FAILED "notify_failed"  /* error: the comms webhook did not take a message */

/* Writes "name/role" into buf. */
void events_actor(char *buf, size_t len, const char *name, const char *role);

/* Each returns a malloc'd JSON object text (caller frees), NULL on OOM. */
char *events_runbook_body(const char *path, const char *sha256, const char *text,
                          const char *title, const char *previous_sha256);
char *events_console_body(const char *name, const char *role, const char *mode);
char *events_ack_body(const char *step, const char *name, const char *role);
char *events_ack_refused_body(const char *step, const char *name,
                              const char *role, const char *reason);
char *events_note_body(const char *text);
char *events_criterion_body(size_t index, const char *criterion, const char *from,
                            const char *to, int has_value, double value, double count,
                            double bound, const char *why);

/* One line in words for a person: "step 2.1 acknowledged by Bob Ruiz (dba)". */
void events_describe(const struct journal_event *ev, char *buf, size_t len);

#endif
