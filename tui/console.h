/* console.h — running a ceremony at one console: full screen, or headless
 * (one line per event on stdout, for automation and tests). Both run the
 * same loop over the same ceremony. */
#ifndef CUTOVER_CONSOLE_H
#define CUTOVER_CONSOLE_H

#include "core/ceremony.h"

/* Runs until the user quits (screen) or SIGINT/SIGTERM (both). Journals
 * console_open/console_close with `mode`. Returns an exit status. When a
 * joined console took over (T, with a reason), the reason is copied to
 * takeover (PROMPT_MAX bytes; "" otherwise, and takeover may be NULL):
 * the caller starts the console again as the driver. */
int console_run(struct ceremony *c, const char *mode, int headless,
                const char *journal_path, char *takeover);

/* 0 when a full-screen console can run here: its keys come from standard
 * input and its screen goes to standard output, both a terminal. Else -1,
 * having said so on stderr for `command` ("run", "join", "demo"): a
 * console reading /dev/null or a file found nothing to read, at once,
 * forever, and spun a whole core. Called before anything is journaled. */
int console_needs_terminal(const char *command, int headless);

/* A take-over that lost (another console took the lease first) starts
 * the joined console again with this in its environment: the words its
 * status line opens with. */
#define CONSOLE_TAKEOVER_REFUSED_ENV "CUTOVER_TAKEOVER_REFUSED"

#endif
