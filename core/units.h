/* units.h — durations ("90s", "10m", "1h30m", "2d") and percentages ("1%",
 * "0.5%") as written in runbooks, and back to text for the screen. */
#ifndef CUTOVER_UNITS_H
#define CUTOVER_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Parses a duration made of one or more <number><unit> groups, units
 * ms, s, m, h, d. Returns 0 and sets *ms, or -1 on anything else (empty,
 * negative, unknown unit, overflow). */
int units_parse_duration(const char *s, int64_t *ms);

/* Parses "25%" or "25" into 25.0. Returns -1 unless 0 <= value <= 1000000
 * and the whole string is used. *had_percent is set when '%' was written. */
int units_parse_percent(const char *s, double *value, int *had_percent);

/* Formats a duration compactly: "1h30m", "45s", "250ms". */
void units_format_duration(int64_t ms, char *buf, size_t len);

#endif
