/* proclive.h — whether a process that last showed itself at a moment is
 * still that process, alive and running: a job's holder in SQLite is its
 * pid and heartbeat, and a holder busy in one long statement (a batch
 * waiting for new's write lock, or taking more than a heartbeat's lapse)
 * cannot beat meanwhile. Linux's /proc tells a live holder from a
 * stopped one (Ctrl-Z, SIGSTOP: it holds the job without working), a
 * zombie, or another process that was given the same pid since. */
#ifndef CUTOVER_PROCLIVE_H
#define CUTOVER_PROCLIVE_H

#include <stdint.h>

/* 1 when pid is a live process, neither stopped nor a zombie, that
 * started no later than seen_ms (milliseconds since the epoch, the last
 * time the holder showed itself); 0 when not, or when /proc cannot tell
 * (another system: the heartbeat alone decides there). */
int proclive_running_since(long pid, int64_t seen_ms);

#endif
