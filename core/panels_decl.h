/* panels_decl.h — which signals the cockpit draws as panels: a runbook's
 * `## Panels` section (a title, a signal, the threshold to draw, more
 * signals to show under it), or, without one, today's named panels
 * (dual-write, latency, shadow reads) with the runbook's own signals in
 * the place of a named panel whose signal it does not have — and a
 * warning for `cutover check` saying so. */
#ifndef CUTOVER_PANELS_DECL_H
#define CUTOVER_PANELS_DECL_H

#include <stddef.h>

#include "runbook.h"

#define PANELS_ROW 4        /* what fits one row of the cockpit's panels */
#define PANELS_MAX 8        /* two rows of them */
#define PANELS_MAX_ALSO 4   /* signals under a panel's own */

enum panel_kind {
    PANEL_SIGNAL,       /* one signal, its threshold, its history */
    PANEL_DUALWRITE,    /* the named panels, drawn as they always were */
    PANEL_LATENCY,
    PANEL_DIVERGENCE,
};

/* - Ledger writes: ledger_write_failure_rate, threshold 1%, also ledger_lag */
struct panel_decl {
    enum panel_kind kind;
    char *title;
    char *signal;           /* a name under ## Signals */
    int threshold_set;      /* a threshold to draw: `threshold V`, or the
                             * bound of the first criterion on the signal */
    double threshold;       /* 1% is 0.01 */
    int is_percent;         /* shown as a percentage */
    const struct rb_criterion *criterion; /* the threshold's criterion; NULL when written */
    char *also[PANELS_MAX_ALSO];
    size_t n_also;
    int line;               /* 0 for a default panel */
};

struct panels_problem {
    int line;               /* 0: the runbook as a whole */
    int warning;
    char msg[512];
};

struct panels_decls {
    int line;               /* the ## Panels heading; 0 when the defaults apply */
    struct panel_decl v[PANELS_MAX];
    size_t n;
    struct panels_problem *problems;
    size_t n_problems, n_errors;
};

/* The panels to draw for rb: its ## Panels, or the defaults (see above).
 * Problems (an unknown signal, a bad threshold …) are collected with their
 * lines; a panel with an error is left out. -1 only when out of memory. */
int panels_parse(const struct runbook *rb, struct panels_decls *d);
void panels_decls_free(struct panels_decls *d);

#endif
