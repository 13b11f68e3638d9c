/* runbook_shapes.h — documents shaped to make a runbook parser slow: a valid
 * runbook of about 4 MiB, and hostile shapes repeated up to 4 MiB. Shared by
 * tests/unit/test_runbook.c (each parses, within a generous bound) and
 * bench/bench_runbook.c (each timed against a baseline), so the test and
 * the figure are about the same bytes. Header-only: each includer gets its
 * own static copies. */
#ifndef CUTOVER_RUNBOOK_SHAPES_H
#define CUTOVER_RUNBOOK_SHAPES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/runbook.h"

/* A valid runbook of about `size` bytes: many phases of many steps. The
 * caller frees it. */
static char *shapes_big_runbook(size_t size, size_t *len)
{
    char *t = malloc(size + 4096);
    if (!t)
        return NULL;
    size_t n = (size_t)sprintf(t, "# Big\n\n## Roles\n- commander: A\n- dba: B\n\n"
                                  "## Systems\n- metrics: prometheus `u`\n\n"
                                  "## Signals\n- s: `x`\n\n## Criteria\n- abort if s > 1%% for 1m\n\n"
                                  "## Ramp\n- 1%% for 1m\n- 100%%\n\n");
    size_t phase = 0;
    while (n + 400 + (phase + 1) * 32 < size) { /* 32: its line under ## Rollback */
        phase++;
        n += (size_t)sprintf(t + n, "## Phase %zu: P\n\nSome prose, `code`, *emphasis*.\n\n", phase);
        for (int k = 0; k < 20 && n + 200 + phase * 32 < size; k++)
            n += (size_t)sprintf(t + n, "- [ ] dba: step %d of phase %zu with `text` `backfill` {k=v}\n", k, phase);
        n += (size_t)sprintf(t + n, "\n");
    }
    n += (size_t)sprintf(t + n, "## Rollback\n");
    for (size_t p = 1; p <= phase; p++)
        n += (size_t)sprintf(t + n, "### Phase %zu\nx\n", p);
    *len = n;
    return t;
}

/* The big runbook's size: under the 4 MiB limit with room for its tail. */
#define SHAPES_BIG_SIZE (RUNBOOK_MAX_BYTES - 400000)

struct shape {
    const char *name, *prefix, *unit, *suffix;
};

static const struct shape shapes[] = {
    {"one huge step", "# T\n## Roles\n- commander: A\n## Phase 1\n- [ ] commander: ", "word `c` ", "`ramp` {#x}\n"},
    {"many empty items", "# T\n## Roles\n", "-\n", ""},
    {"deep nesting", "# T\n## Phase 1\n", "- ", "x\n"},
    {"deep quotes", "# T\n", ">", "x\n"},
    {"many headings", "# T\n", "## Phase 1\n", ""},
    {"many criteria", "# T\n## Criteria\n", "- abort if s > 1% for 1m\n", ""},
    {"many roles", "# T\n## Roles\n", "- dba: x\n", ""},
    {"many braces", "# T\n## Roles\n- commander: A\n## Phase 1\n- [ ] commander: x ", "{", "}\n"},
    {"many backticks", "# T\n", "`", "\n"},
    {"many links", "# T\n", "[a](b) ", "\n"},
    {"blank lines", "x\n", "\n", "-\n-\n"},
    {"table", "# T\n\n| a | b |\n|---|---|\n", "| 1 | 2 |\n", ""},
};
#define N_SHAPES (sizeof shapes / sizeof shapes[0])

/* How big a shape's text is: 4 MiB unless the includer says less. */
#ifndef SHAPES_TEXT_BYTES
#define SHAPES_TEXT_BYTES RUNBOOK_MAX_BYTES
#endif

/* The shape's prefix, its unit repeated up to SHAPES_TEXT_BYTES, its
 * suffix. The caller frees it. */
static char *shapes_text(const struct shape *s, size_t *len)
{
    size_t cap = SHAPES_TEXT_BYTES, n = strlen(s->prefix), u = strlen(s->unit);
    char *t = malloc(cap + 1);
    if (!t)
        return NULL;
    memcpy(t, s->prefix, n);
    while (n + u + strlen(s->suffix) < cap) {
        memcpy(t + n, s->unit, u);
        n += u;
    }
    memcpy(t + n, s->suffix, strlen(s->suffix));
    n += strlen(s->suffix);
    *len = n;
    return t;
}

#endif
