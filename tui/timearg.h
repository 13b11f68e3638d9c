/* timearg.h — a time typed on the command line or at a prompt, in UTC:
 * the one reading `gates --at`, `replay --at` and replay's `g` share. */
#ifndef CUTOVER_TIMEARG_H
#define CUTOVER_TIMEARG_H

#include <stdint.h>

/* Epoch seconds ("1795615200", "1795615200.5"); a date and time
 * ("2026-11-25T14:03:22Z", "2026-11-25 14:03", seconds optional, a fraction
 * allowed, then nothing, "Z", "+00:00" or " UTC"); or, when day_of_ms is
 * not 0, a time of day on that day ("14:03", "14:03:22.250"). 0 with *ms,
 * or -1. */
int timearg_parse(const char *s, int64_t day_of_ms, int64_t *ms);

#endif
