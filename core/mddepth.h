/* mddepth.h — how deeply a Markdown line nests its containers (block
 * quotes and list items opened on that line), so the runbook parser can
 * refuse a hostile document before md4c spends seconds on a line like
 * "- - - - … x" or ">>>>…x" that no runbook needs. */
#ifndef CUTOVER_MDDEPTH_H
#define CUTOVER_MDDEPTH_H

#include <stddef.h>

/* The most containers a runbook's line may open. */
#define MD_MAX_DEPTH 32

/* The number of container markers (`>`, or a list marker `-`, `+`, `*`,
 * `1.`, `1)` followed by a space or tab) at the start of the line s[0..n). */
size_t md_line_depth(const char *s, size_t n);

/* The first line (1-based) of text[0..len) that opens more than max
 * containers, with its depth in *depth; 0 when there is none. */
int md_first_deep_line(const char *text, size_t len, size_t max, size_t *depth);

#endif
