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

/* Sets the flag to percent (0..100). 0 on success. */
int flags_set(struct flag_driver *d, double percent, struct error *err);

/* Reads the flag's percentage back from the service (not from memory). */
int flags_read(struct flag_driver *d, double *percent, struct error *err);

/* "flagd file /tmp/x/flags.json flag orders-read-new" — for the screen
 * and the journal; never includes a secret. */
const char *flags_describe(const struct flag_driver *d);

void flags_close(struct flag_driver *d);

#endif
