/* panels_decl.c — `## Panels` read through rb_section_items, and the
 * defaults when there is none. Items are `TITLE: SIGNAL` followed by
 * clauses separated by commas, in the spirit of the criteria's
 * `, min 200 new_reads`: `threshold 1%`, `no threshold`, `also SIGNAL`. */
#include "panels_decl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "rbsection.h"

struct parse {
    const struct runbook *rb;
    struct panels_decls *d;
    int oom;
};

static void problem(struct panels_decls *d, int *oom, int line, int warning, const char *fmt, ...)
{
    struct panels_problem *v = realloc(d->problems, (d->n_problems + 1) * sizeof *v);
    if (!v) {
        *oom = 1;
        return;
    }
    d->problems = v;
    v[d->n_problems].line = line;
    v[d->n_problems].warning = warning;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v[d->n_problems].msg, sizeof v[d->n_problems].msg, fmt, ap);
    va_end(ap);
    d->n_problems++;
    d->n_errors += !warning;
}

static const struct rb_criterion *criterion_on(const struct runbook *rb, const char *signal)
{
    for (size_t i = 0; i < rb->n_criteria; i++)
        if (strcmp(rb->criteria[i].signal, signal) == 0)
            return &rb->criteria[i];
    return NULL;
}

/* The threshold a panel draws when the runbook writes none: its criterion's bound. */
static void threshold_from_criterion(const struct runbook *rb, struct panel_decl *p)
{
    p->criterion = criterion_on(rb, p->signal);
    if (p->criterion) {
        p->threshold_set = 1;
        p->threshold = p->criterion->threshold;
        p->is_percent = p->criterion->is_percent;
    }
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
    if (*n >= 2 && (*s)[0] == '`' && (*s)[*n - 1] == '`')   /* `signal` reads as signal */
        (*s)++, *n -= 2;
}

static int starts(const char *s, size_t n, const char *word)
{
    size_t k = strlen(word);
    return n >= k && strncmp(s, word, k) == 0 && (n == k || s[k] == ' ' || s[k] == '\t');
}

/* A signal name of the runbook's, copied; NULL (reported) when it has none. */
static char *signal_named(struct parse *p, const char *title, const char *s, size_t n, int line)
{
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(n < 127 ? n : 127), s);
    if (!n || !runbook_signal(p->rb, name)) {
        problem(p->d, &p->oom, line, 0, "panel `%s`: no signal `%s` under ## Signals", title, name);
        return NULL;
    }
    char *r = strdup(name);
    p->oom |= !r;
    return r;
}

/* `1%`, `0.5`, `2` */
static int threshold_value(const char *s, size_t n, double *v, int *pct)
{
    char buf[64];
    if (!n || n >= sizeof buf)
        return -1;
    *pct = s[n - 1] == '%';
    snprintf(buf, sizeof buf, "%.*s", (int)(n - (size_t)*pct), s);
    if (number_parse(buf, v) != 0)
        return -1;
    if (*pct)
        *v /= 100;
    return 0;
}

static void decl_free(struct panel_decl *p)
{
    free(p->title);
    free(p->signal);
    for (size_t i = 0; i < p->n_also; i++)
        free(p->also[i]);
    memset(p, 0, sizeof *p);
}

/* One clause after the signal; 0 understood, -1 reported. */
static int clause(struct parse *p, struct panel_decl *pd, const char *s, size_t n, int line,
                  int *no_threshold)
{
    if (n == 12 && strncmp(s, "no threshold", 12) == 0) {
        *no_threshold = 1;
        return 0;
    }
    if (starts(s, n, "threshold")) {
        const char *v = s + 9;
        size_t vn = n - 9;
        trim(&v, &vn);
        if (threshold_value(v, vn, &pd->threshold, &pd->is_percent) != 0) {
            problem(p->d, &p->oom, line, 0, "panel `%s`: threshold `%.*s` is not a number "
                    "(write it as the criteria do: `1%%`, `0.5`, `2`)", pd->title, (int)vn, v);
            return -1;
        }
        pd->threshold_set = 2;   /* written; the criterion's is not looked up */
        return 0;
    }
    if (starts(s, n, "also")) {
        const char *v = s + 4;
        size_t vn = n - 4;
        trim(&v, &vn);
        if (pd->n_also >= PANELS_MAX_ALSO) {
            problem(p->d, &p->oom, line, 0, "panel `%s`: at most %d `also` signals fit under a panel",
                    pd->title, PANELS_MAX_ALSO);
            return -1;
        }
        char *sig = signal_named(p, pd->title, v, vn, line);
        if (!sig)
            return -1;
        pd->also[pd->n_also++] = sig;
        return 0;
    }
    problem(p->d, &p->oom, line, 0, "panel `%s`: `%.*s` not understood: expected `threshold VALUE`, "
            "`no threshold` or `also SIGNAL`", pd->title, (int)n, s);
    return -1;
}

/* - TITLE: SIGNAL[, clause]… */
static int item(void *ctx, const char *s, size_t n, int line)
{
    struct parse *p = ctx;
    const char *colon = memchr(s, ':', n);
    const char *t = s;
    size_t tn = colon ? (size_t)(colon - s) : 0;
    trim(&t, &tn);
    if (!colon || !tn) {
        problem(p->d, &p->oom, line, 0, "expected a panel `- TITLE: SIGNAL[, threshold VALUE]"
                "[, also SIGNAL]`, found `%.*s`", (int)n, s);
        return p->oom;
    }
    struct panel_decl pd = {.kind = PANEL_SIGNAL, .line = line};
    pd.title = strndup(t, tn);
    if (!pd.title) {
        p->oom = 1;
        return 1;
    }
    const char *rest = colon + 1, *end = s + n;
    const char *comma = memchr(rest, ',', (size_t)(end - rest));
    const char *sig = rest;
    size_t sn = (size_t)((comma ? comma : end) - rest);
    trim(&sig, &sn);
    pd.signal = signal_named(p, pd.title, sig, sn, line);
    int ok = pd.signal != NULL, no_threshold = 0;
    while (ok && comma) {
        const char *c = comma + 1;
        comma = memchr(c, ',', (size_t)(end - c));
        size_t cn = (size_t)((comma ? comma : end) - c);
        trim(&c, &cn);
        ok = clause(p, &pd, c, cn, line, &no_threshold) == 0;
    }
    if (ok && no_threshold && pd.threshold_set) {
        problem(p->d, &p->oom, line, 0, "panel `%s`: both a threshold and `no threshold`", pd.title);
        ok = 0;
    }
    if (ok && p->d->n >= PANELS_MAX) {
        problem(p->d, &p->oom, line, 0, "panel `%s`: at most %d panels fit the cockpit (two rows of %d)",
                pd.title, PANELS_MAX, PANELS_ROW);
        ok = 0;
    }
    if (!ok || p->oom) {
        decl_free(&pd);
        return p->oom;
    }
    if (!pd.threshold_set && !no_threshold)
        threshold_from_criterion(p->rb, &pd);
    if (pd.threshold_set == 2)
        pd.threshold_set = 1;
    p->d->v[p->d->n++] = pd;
    return 0;
}

/* ---- without ## Panels ------------------------------------------------------ */

static const struct {
    enum panel_kind kind;
    const char *title, *signal;
    const char *shows[5];   /* every signal the named panel draws */
} named[] = {
    {PANEL_DUALWRITE, "Dual-write", "dual_write_failure_rate", {"dual_write_failure_rate", "dual_write_lag"}},
    {PANEL_LATENCY, "Latency p99 new/old", "p99_ratio", {"p99_ratio", "p99_new", "p99_old"}},
    {PANEL_DIVERGENCE, "Shadow reads", "divergence_rate",
     {"divergence_rate", "shadow_matches", "shadow_divergences", "shadow_errors"}},
};
#define N_NAMED (sizeof named / sizeof named[0])

/* Already on screen: drawn by a named panel that is shown, or taken. */
static int shown(const struct runbook *rb, const struct panels_decls *d, const char *signal)
{
    for (size_t k = 0; k < N_NAMED; k++)
        if (runbook_signal(rb, named[k].signal))
            for (size_t i = 0; i < 5 && named[k].shows[i]; i++)
                if (strcmp(named[k].shows[i], signal) == 0)
                    return 1;
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].signal && strcmp(d->v[i].signal, signal) == 0)
            return 1;
    return 0;
}

/* The runbook's own signal for an empty named slot: one a criterion
 * watches first (what decides is what to watch), then any; NULL if none. */
static const struct rb_signal *stand_in(const struct runbook *rb, const struct panels_decls *d)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < rb->n_signals; i++) {
            const char *name = rb->signals[i].name;
            if (!shown(rb, d, name) && (pass || criterion_on(rb, name)) &&
                !(rb->ramp_observed && strcmp(rb->ramp_observed, name) == 0))
                return &rb->signals[i];
        }
    return NULL;
}

static int defaults(const struct runbook *rb, struct panels_decls *d, int *oom)
{
    char missing[240] = "";
    int n_missing = 0;
    for (size_t k = 0; k < N_NAMED && !*oom; k++) {
        struct panel_decl pd = {.kind = named[k].kind};
        const struct rb_signal *sig = runbook_signal(rb, named[k].signal);
        if (!sig && rb->n_signals) {
            size_t at = strlen(missing);
            snprintf(missing + at, sizeof missing - at, "%s`%s` (%s)", at ? ", " : "",
                     named[k].title, named[k].signal);
            n_missing++;
            sig = stand_in(rb, d);
            pd.kind = PANEL_SIGNAL;
        }
        if (!sig)
            continue;
        pd.title = strdup(pd.kind == PANEL_SIGNAL ? sig->name : named[k].title);
        pd.signal = strdup(sig->name);
        if (!pd.title || !pd.signal) {
            decl_free(&pd);
            *oom = 1;
            break;
        }
        threshold_from_criterion(rb, &pd);
        d->v[d->n++] = pd;
    }
    /* A runbook that speaks the named panels' language but calls one of
     * their signals by its own name (ledger_write_failure_rate) is told
     * so, once. A runbook with none of their names is not: the cockpit
     * shows its own signals there, and nothing on screen is wrong. */
    if (n_missing > 0 && n_missing < (int)N_NAMED && !*oom)
        problem(d, oom, 0, 1, "the default panel%s %s show%s a signal this runbook does not have "
                "(the cockpit shows its own signals in %s place): say which signals to draw "
                "under ## Panels, e.g. `- Ledger writes: SIGNAL, threshold 1%%`",
                n_missing > 1 ? "s" : "", missing, n_missing > 1 ? "" : "s",
                n_missing > 1 ? "their" : "its");
    return *oom ? -1 : 0;
}

int panels_parse(const struct runbook *rb, struct panels_decls *d)
{
    memset(d, 0, sizeof *d);
    struct parse p = {rb, d, 0};
    int line = rb_section_items(rb, "Panels", item, &p);
    d->line = line > 0 ? line : 0;
    if (!p.oom && line == 0)
        defaults(rb, d, &p.oom);
    else if (!p.oom && d->n == 0 && d->n_errors == 0)
        problem(d, &p.oom, d->line, 1, "## Panels declares no panel: the cockpit shows no signal panel");
    if (p.oom) {
        panels_decls_free(d);
        return -1;
    }
    return 0;
}

void panels_decls_free(struct panels_decls *d)
{
    for (size_t i = 0; i < d->n; i++)
        decl_free(&d->v[i]);
    free(d->problems);
    memset(d, 0, sizeof *d);
}
