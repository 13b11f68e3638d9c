/* promapi.h — reading a Prometheus HTTP API answer to an instant query
 * (/api/v1/query) as the one number a signal needs. */
#ifndef CUTOVER_PROMAPI_H
#define CUTOVER_PROMAPI_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Returns 1 and sets *value (which may be NaN or ±Inf, as Prometheus
 * wrote it), 0 for no data (an empty vector), or -1 with err in words:
 * an error answer, malformed or truncated JSON, more than one series, a
 * range vector, or a value that is not a number. */
int promapi_parse(const char *json, size_t len, double *value, struct error *err);

/* The same, and *ts_ms gets the time the answer is stamped with
 * (milliseconds since the epoch; INT64_MIN when it has no number there). */
int promapi_parse_at(const char *json, size_t len, double *value, int64_t *ts_ms,
                     struct error *err);

#endif
