/* sqlsource.h — signals answered by SQL on the old or new store, each
 * store on its own worker thread with its own connection, so that a slow
 * or unreachable database never holds the screen. Results come back
 * through a queue; each one pokes the loop's wake-up pipe. */
#ifndef CUTOVER_SQLSOURCE_H
#define CUTOVER_SQLSOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "runbook.h"
#include "signals.h"

struct sqlsource;

/* wake_fd: written one byte when an answer is ready (not owned). */
struct sqlsource *sqlsource_new(int wake_fd, struct error *err);
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
/* Stops the workers (a statement in progress is interrupted, never waited
 * out) and frees everything. */
void sqlsource_free(struct sqlsource *q);

#endif
