/* hangup.h — a terminal that went away (hangup.c). */
#ifndef CUTOVER_HANGUP_H
#define CUTOVER_HANGUP_H

/* True when the terminal on standard input is gone: its pty was closed
 * (the ssh session dropped, the tmux server died). Asks without waiting. */
int terminal_gone(void);

#endif
