/* sqlsource.h — signals answered by SQL on the old or new store, each
 * store on its own worker thread with its own connection, so that a slow
 * or unreachable database never holds the screen. Results come back
 * through a queue and a wake-up pipe the main loop waits on. */
#ifndef CUTOVER_SQLSOURCE_H
#define CUTOVER_SQLSOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "runbook.h"
#include "signals.h"

struct sqlsource;

struct sqlsource *sqlsource_new(struct error *err);
/* Registers a signal answered by `sql` on system sys; *slot names it. */
int sqlsource_add(struct sqlsource *q, const struct rb_system *sys, const char *signal,
                  const char *sql, size_t *slot, struct error *err);
/* Starts one worker per system. */
int sqlsource_start(struct sqlsource *q, struct error *err);
/* Asks for a new answer (ignored while one is still being computed). */
void sqlsource_request(struct sqlsource *q, size_t slot, int64_t now_ms);
/* Finished answers, stamped now_ms. */
size_t sqlsource_collect(struct sqlsource *q, int64_t now_ms, struct signal_outcome *out,
                         size_t max);
int sqlsource_wake_fd(const struct sqlsource *q);
/* Stops the workers (a query in progress is waited for, up to its
 * timeout) and frees everything. */
void sqlsource_free(struct sqlsource *q);

#endif
