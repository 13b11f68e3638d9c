/* report_html.h — the post-mortem as one self-contained HTML file: the
 * summary, the aborts, a chart per signal as inline SVG (its threshold as
 * a dashed line, the ramp's steps and the aborts marked, gaps left as
 * gaps), and the timeline. No script, no outside resource. */
#ifndef CUTOVER_REPORT_HTML_H
#define CUTOVER_REPORT_HTML_H

#include <stdio.h>

#include "core/report.h"

void report_print_html(const struct report *r, FILE *out);

#endif
