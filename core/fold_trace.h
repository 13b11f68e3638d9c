/* fold_trace.h — one line per fold step: the position in the one history
 * and the state that decides, in words. A live console writes them when
 * asked (CUTOVER_FOLD_TRACE=FILE) and tests/tools/fold_trace prints them
 * for a refold of the journal from scratch, so the two can be compared
 * at every sequence point ("live equals refold"). */
#ifndef CUTOVER_FOLD_TRACE_H
#define CUTOVER_FOLD_TRACE_H

#include <stddef.h>

#include "session.h"

/* "e<last event seq> s<last sample seq> <state>"; cut short at len. */
void fold_trace_line(const struct session *s, char *line, size_t len);

#endif
