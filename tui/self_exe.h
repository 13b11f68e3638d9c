/* self_exe.h — the path of this very program, for the commands that start
 * it again (a take-over, a step's job) or find files beside it. */
#ifndef CUTOVER_SELF_EXE_H
#define CUTOVER_SELF_EXE_H

#include <stddef.h>

/* The running binary's path into buf: 0, or -1 with errno set. */
int self_exe(char *buf, size_t len);

/* The path to start this very program by, into buf: its real path while
 * that still names the running binary; "/proc/self/exe" once it does not
 * (upgraded in place or deleted while the console ran: the path reads
 * "…/cutover (deleted)", or names a newer binary), which the kernel still
 * runs. 0, or -1 with errno set. */
int self_exe_to_start(char *buf, size_t len);

/* Replaces this process with this program run with args (args[0] its
 * name): by its real path, so `ps` and `pgrep cutover` still name it
 * (exec of /proc/self/exe would be called "exe"). Returns only on
 * failure, -1 with errno set. As self_exe_to_start says. */
int self_exec(char *const args[]);

#endif
