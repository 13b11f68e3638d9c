/* presence.h — who is at the ceremony: each person's consoles (by
 * name/role, from `console_open` and `console_close`), in which mode, with
 * which OS account, and when last seen (their newest event of any kind).
 * Part of the fold (session.h); nothing here reads a clock. In the fold a
 * console killed without closing stays "open"; a live console corrects it
 * with the consoles' heartbeat rows (journal_consoles.h, presence_live):
 * then "open" is the consoles present now, "last seen" their heartbeat,
 * and a console whose heartbeat stopped is "gone". */
#ifndef CUTOVER_PRESENCE_H
#define CUTOVER_PRESENCE_H

#include <stddef.h>
#include <stdint.h>

#include "journal.h"
#include "journal_consoles.h"
#include "runbook.h"

struct event_body;

#define PRESENCE_MAX 32   /* people past this many share the last row */

struct presence_person {
    char name[64], role[32];
    char mode[16];        /* of the newest console_open: run, join, headless */
    char account[32];     /* its OS account, when it said */
    int open;             /* consoles open now (opened minus closed) */
    int gone;             /* presence_live: consoles whose heartbeat stopped */
    int64_t opened_ms, closed_ms, last_seen_ms;
    int64_t n_events;
};

struct presence {
    struct presence_person v[PRESENCE_MAX];
    size_t n;
    int live;             /* presence_live made it: open counts heartbeats */
};

/* Folds one decoded event (any kind): its actor was seen; a console_open
 * or console_close opens or closes one of their consoles. */
void presence_apply(struct presence *p, const struct journal_event *ev,
                    const struct event_body *b);

/* How many consoles are open now in role (0: nobody present). */
int presence_role_open(const struct presence *p, const char *role);

/* The row of name/role, or NULL when they were never seen. */
const struct presence_person *presence_find(const struct presence *p, const char *name,
                                            const char *role);

/* The first open step from `from` on (in runbook order) whose role has no
 * console open — or, for an {irreversible} one, when the commander has
 * none (the approval needs them); -1 when none. who: the absent role. */
struct session;
ptrdiff_t presence_absent_step(const struct session *s, size_t from, const char **who);
/* The same over presence p (the fold's, or presence_live's). */
ptrdiff_t presence_absent_step_in(const struct presence *p, const struct session *s, size_t from,
                                  const char **who);

/* Presence at now_ms: the fold's people, with "open" set from the
 * consoles' heartbeat rows (present ones count, and a row's person is added
 * when the fold has not seen them yet), "last seen" the newest heartbeat,
 * "gone" the rows whose heartbeat stopped. A console whose console_open
 * the fold took within JOURNAL_PRESENT_MS and whose row was not read yet
 * counts as open (joining), as a row elsewhere counts until it is old. */
void presence_live(struct presence *out, const struct presence *fold,
                   const struct journal_console *rows, size_t n, int64_t now_ms);

#endif
