/* preflight_journal.h — `cutover preflight --journal F`: the table's verdict
 * as one `preflight` event, which completes a runbook's `preflight` step
 * (core/stepaction.h). Rows are counted as they are printed. */
#ifndef CUTOVER_PREFLIGHT_JOURNAL_H
#define CUTOVER_PREFLIGHT_JOURNAL_H

#include <stddef.h>

struct preflight_tally {
    size_t rows, failed;
    char summary[400];   /* "everything answered", or the first failures (redacted) */
};

/* Counts one printed row; status is what was printed (already redacted). */
void preflight_tally_row(struct preflight_tally *t, const char *name, const char *status, int ok);

/* Appends the verdict to the journal at path (created if missing), as the
 * engine. 0, or -1 with why in msg. */
int preflight_journal(const char *path, const struct preflight_tally *t, char *msg, size_t len);

#endif
