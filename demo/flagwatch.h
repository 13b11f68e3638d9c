/* flagwatch.h — the flag ordersim obeys: a flagd file watched by a thread
 * that looks at it every 100 ms and reads it again when its inode, size or
 * times change. Reads ask flagwatch_route_new() per targeting key. A
 * missing or invalid file sends every read to old (0 %), says so once on
 * stderr, and shows as migration_flag_valid 0. */
#ifndef ORDERSIM_FLAGWATCH_H
#define ORDERSIM_FLAGWATCH_H

#include <stdbool.h>

/* Loads the file once (so the first reads already obey it) and starts the
 * watcher thread. path NULL: no flag, every read stays on old. */
int flagwatch_start(const char *path, const char *flag);
void flagwatch_stop(void); /* after sim_stop(): joins the thread */

/* True when the read for targeting_key is to be served from new. */
bool flagwatch_route_new(const char *targeting_key);

#endif
