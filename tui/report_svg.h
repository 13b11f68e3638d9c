/* report_svg.h — a signal of the report as an SVG chart (report_svg.c). */
#ifndef CUTOVER_REPORT_SVG_H
#define CUTOVER_REPORT_SVG_H

#include <stdio.h>

#include "core/report.h"

/* The chart's styles: in the HTML page's <style>, or inside a standalone SVG. */
#define REPORT_SVG_CSS                                                                       \
    ".plot{fill:#fafafa;stroke:#ccc}.value{fill:none;stroke:#1565c0;stroke-width:1.5}\n"     \
    ".threshold{stroke:#c62828;stroke-dasharray:6 4}.step{stroke:#999;stroke-dasharray:2 3}\n" \
    ".abort{stroke:#c62828;stroke-width:2}.axis,.steplabel{font-size:11px;fill:#555}\n"      \
    ".abortlabel{font-size:11px;fill:#c62828;font-weight:bold}\n"

/* Writes s with <, >, & and " escaped: journal text is data, never markup. */
void report_esc(FILE *out, const char *s);

/* A value as the runbook writes its threshold: 0.0137 with a % threshold
 * is "1.37%"; otherwise `digits` significant digits. */
void report_number_text(int is_percent, int digits, double v, char *buf, size_t len);
/* "0.25%" for a percent signal, "1.03" otherwise (a chart's labels). */
void report_value_text(const struct report_signal *g, double v, char *buf, size_t len);

/* Writes g's chart over the ceremony; standalone adds the namespace and the
 * styles, for a file of its own. */
void report_svg_chart(FILE *out, const struct report *r, const struct report_signal *g,
                      int standalone);

#endif
