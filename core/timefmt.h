/* timefmt.h — wall time in milliseconds, shown as UTC for every console
 * alike (operators of one ceremony may sit in different time zones). */
#ifndef CUTOVER_TIMEFMT_H
#define CUTOVER_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* "14:03:22" */
void timefmt_hms(int64_t ts_ms, char *buf, size_t len);
/* "14:03:22.117" */
void timefmt_hms_ms(int64_t ts_ms, char *buf, size_t len);
/* "2026-11-25 14:03:22 UTC" */
void timefmt_full(int64_t ts_ms, char *buf, size_t len);
/* "2026-11-25T14:03:22.117Z" (ISO 8601, for machines) */
void timefmt_iso(int64_t ts_ms, char *buf, size_t len);

/* A span of time as people read it: "1h 02m 03s", "4m 05s", "12.3s"
 * (negative spans are 0). */
void timefmt_span(int64_t ms, char *buf, size_t len);

#endif
