/* cleanupjournal.h — what a ceremony's journal says about its cleanup
 * (cleanupdue.h's view, folded from the whole journal, read-only), for the
 * commands that run outside a console: `cutover cleanup` and `check`. */
#ifndef CUTOVER_CLEANUPJOURNAL_H
#define CUTOVER_CLEANUPJOURNAL_H

#include "cleanupdue.h"
#include "error.h"
#include "runbook.h"

/* Folds the journal at path. 0 with *v filled and *rb the runbook in force
 * in it (the caller frees it with runbook_free), or -1 with err (no such
 * journal, no runbook in it). */
int cleanup_read_journal(const char *path, struct cleanup_view *v, struct runbook **rb,
                         struct error *err);

#endif
