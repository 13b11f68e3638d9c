/* cmplock.h — one comparison of a table at a time. A second `cutover
 * compare` of the same new table (the same runbook, the same journal)
 * while one runs would interleave its checkpoints with the first's in the
 * journal and double the load on both stores: it is refused, naming the
 * one that runs. Read-only, as a comparison is (cmpresume.h says why):
 *
 *   PostgreSQL new  a session advisory lock on hashtext('cutover ' ||
 *                   job) on the comparison's own connection to new, as
 *                   the backfill's (bfcontrol_pg.c), with job
 *                   "compare:TABLE"; the server lets go of it when the
 *                   connection closes, kill -9 included. The holder is
 *                   named by the application_name it sets on that
 *                   connection ("cutover compare pid N on HOST").
 *   SQLite new      an flock(2) on new's database file (independent of
 *                   SQLite's own fcntl locks), which the kernel lets go
 *                   of when the process dies; the holder is found in
 *                   /proc/locks, and named by its command line. */
#ifndef CUTOVER_CMPLOCK_H
#define CUTOVER_CMPLOCK_H

#include <stddef.h>

#include "datajob.h"
#include "error.h"

struct cmplock {
    int fd;   /* the SQLite file's descriptor holding the flock; -1 none */
};

/* Takes the comparison of job ("compare:TABLE") on j's new store for
 * this process: 0 taken; 1 another holds it, named in held ("pid 1234:
 * cutover compare rb.md --journal j"); -1 with err. */
int cmplock_take(struct cmplock *l, const struct datajob *j, const char *job, char *held,
                 size_t len, struct error *err);

/* Lets go. Call it after the stores are closed: closing the descriptor
 * while SQLite still has the file open would drop SQLite's own locks
 * (POSIX locks belong to the process); in PostgreSQL closing the
 * connection let go already. */
void cmplock_release(struct cmplock *l);

#endif
