/* writers_journal.h — `cutover writers RUNBOOK --journal J`: the audit's
 * verdict journaled, one `unknown_writer` event per unknown writer, then
 * one `writers` event with the table, in one transaction. A `writers`
 * step completes itself on an audit with none unknown (core/writersfold.h).
 * The audit must read the runbook the journal has in force: its
 * declarations are the ceremony's. */
#ifndef CUTOVER_WRITERS_JOURNAL_H
#define CUTOVER_WRITERS_JOURNAL_H

#include <stddef.h>

#include "core/runbook.h"
#include "core/writers.h"

/* 0 when the journal at path can take the audit of rb: it is writable
 * and has no runbook in force, or rb's; -1 with why in msg. */
int writers_journal_check(const char *path, const struct runbook *rb, char *msg, size_t len);

/* Appends the audit a of table (sources: what was read, "statements
 * capture"; skipped_rows -1 when not looked for; limits: the statistics'
 * limits in sentences, NULL-terminated, or NULL when they were not read).
 * Each writer's statements go in as a count, never as text. 0, or -1
 * with why. */
int writers_journal(const char *path, const struct runbook *rb, const char *table,
                    const struct writers_audit *a, const char *sources, long long skipped_rows,
                    const char *const *limits, char *msg, size_t len);

#endif
