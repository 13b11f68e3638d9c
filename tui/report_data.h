/* report_data.h — the report's data section (core/reportdata.h) printed
 * in each of the report's formats: the backfill, the comparison with its
 * divergences by cause and their keys, the samples, the writer audit. */
#ifndef CUTOVER_REPORT_DATA_H
#define CUTOVER_REPORT_DATA_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "core/report.h"

/* "## Data" with a table per part; nothing when the journal had no data work. */
void report_data_md(const struct report *r, FILE *out);

/* The same as HTML; esc escapes the journal's text. */
void report_data_html(const struct report *r, FILE *out, void (*esc)(FILE *, const char *));

/* "data": {"backfill": [...], "compare": {...} | null, "sample": {...} | null,
 * "writers": {...}} added to o. */
void report_data_json(cJSON *o, const struct report *r);

/* A time as the report's JSON gives every time: ISO 8601 UTC with
 * milliseconds, null when not on record (0). */
void report_json_time(cJSON *o, const char *key, int64_t ts);

#endif
