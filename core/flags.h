/* flags.h — feature-flag drivers: set the share of traffic that goes to the
 * new system, and read back what the flag service says it is.
 *
 * Every driver is blocking and is called only on the flag worker thread
 * (flagworker.c), never on the screen's thread. Each has its own timeout;
 * a driver never reports success it did not see. */
#ifndef CUTOVER_FLAGS_H
#define CUTOVER_FLAGS_H

#include "error.h"
#include "runbook.h"

struct flag_driver;

/* Opens the driver for a `flag` system of the runbook (kind flagd,
 * unleash, http, postgres or sqlite); ${ENV} in its connection and
 * attributes is expanded here. Errors name the system and what is wrong. */
struct flag_driver *flags_open(const struct rb_system *sys, struct error *err);

/* Checks a flag system as written, without the environment, files or
 * network (for `cutover check`): a kind that is a flag driver, the
 * attributes that kind needs, and no attribute it does not know (a typo
 * like `enviroment` would otherwise fall back to a default in silence).
 * 0, or -1 with err naming the system. flags_open checks the same. */
int flags_check(const struct rb_system *sys, struct error *err);

/* A write the flag's own definition refuses (string variants, a rule a
 * person wrote): trying again changes nothing until someone edits it. */
#define FLAGS_REFUSED (-2)

/* Sets the flag to percent (0..100). 0 on success, -1 on a failure worth
 * retrying, FLAGS_REFUSED when only a person can make it writable. */
int flags_set(struct flag_driver *d, double percent, struct error *err);
/* 1 when the flag is switched off as a whole (flagd's DISABLED state, which
 * a write would silently switch on), 0 when not or when the service has no
 * such state, -1 when it cannot be told (err). */
int flags_disabled(struct flag_driver *d, struct error *err);

/* Hex digits of a rule's digest, and its buffer with the NUL. */
#define FLAGS_RULE_LEN 16
/* The digest of the flag's rule as it is now, so that a hand edit that
 * keeps the share but moves who is on new (buckets reordered) shows: 0
 * with out filled, or out "" when the service has no such rule; -1 on
 * error. out has FLAGS_RULE_LEN + 1 bytes. */
int flags_rule(struct flag_driver *d, char *out, struct error *err);

/* Reads the flag's percentage back from the service (not from memory). */
int flags_read(struct flag_driver *d, double *percent, struct error *err);

/* "flagd file /tmp/x/flags.json flag orders-read-new" — for the screen
 * and the journal; never includes a secret. */
const char *flags_describe(const struct flag_driver *d);

/* The part of a system's connection (as written) that is no secret:
 * PostgreSQL's host, port, dbname and user; a URL with `***@` for its
 * user:password; a file's path as it is. Malloc'd; NULL on OOM. */
char *flags_public_conn(const struct rb_system *sys);

/* The flag as the ramp bar names it, "KIND CONN flag NAME" (CONN as
 * flags_public_conn gives it), into buf: the driving console and replay
 * say the same. */
void flags_display_name(const struct rb_system *sys, char *buf, size_t len);

void flags_close(struct flag_driver *d);

#endif
