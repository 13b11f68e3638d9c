/* datakeys.h — the data steps' keys, on any console: `P` pauses or
 * resumes the running backfill and `R` sets its rate (both sent the
 * script's way, `cutover backfill RUNBOOK --pause …`, by the job runner);
 * `c` on a compare step whose comparison diverged or failed asks for it
 * again, through the journal (a `data_job` `requested`), which the driving
 * console obeys. The dba's and the commander's keys. */
#ifndef CUTOVER_DATAKEYS_H
#define CUTOVER_DATAKEYS_H

#include <stddef.h>

#include "core/ceremony.h"
#include "jobrunner.h"

enum datakey_answer {
    DATAKEY_NOT_OURS,   /* not a data key */
    DATAKEY_DONE,       /* answered: msg says how (alert: refused or failed) */
    DATAKEY_PROMPT,     /* ask: open a prompt with *label; datakeys_rate takes the answer */
};

/* Key ch on the console with step `selected` selected. jobs may be NULL
 * (no journal path): the controls are refused then. */
enum datakey_answer datakeys_key(struct ceremony *c, struct jobrunner *jobs, size_t selected,
                                 int ch, char *msg, size_t len, int *alert, const char **label);

/* The rate typed at R's prompt: sent, or refused in msg. 0 sent, 1 not. */
int datakeys_rate(struct jobrunner *jobs, const char *text, char *msg, size_t len);

#endif
