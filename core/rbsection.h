/* rbsection.h — the list items of one of a runbook's own `##` sections
 * that the parser keeps as text (## Mapping, ## Writers …), each with its
 * line, so a feature reads its section without a parser of its own. */
#ifndef CUTOVER_RBSECTION_H
#define CUTOVER_RBSECTION_H

#include <stddef.h>

#include "runbook.h"

/* Called with an item's text after its `- ` (not NUL-terminated) and its
 * line; a non-zero return stops the walk. */
typedef int (*rb_item_fn)(void *ctx, const char *text, size_t len, int line);

/* Walks the top-level list items of section `title` (case-insensitive),
 * outside code fences, up to the next `#` or `##` heading. Returns the
 * section's line, 0 when the runbook has no such section, or the non-zero
 * value fn stopped with (negated) when fn stops it. */
int rb_section_items(const struct runbook *rb, const char *title, rb_item_fn fn, void *ctx);

#endif
