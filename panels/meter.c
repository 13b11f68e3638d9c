/* meter.c — a signal on screen. Colour follows the worst state among the
 * criteria that watch the signal; a signal with no fresh value is never
 * drawn as if it had one (its staleness is the view's, see view.c). */
#include "meter.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/units.h"
#include "draw.h"
#include "palette.h"

int meter_signal(const struct view *v, const char *name)
{
    for (size_t i = 0; i < v->rb->n_signals; i++)
        if (strcmp(v->rb->signals[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* The first criterion on the signal (its bound), or NULL. */
static const struct rb_criterion *bound_of(const struct view *v, int sig, size_t *index)
{
    for (size_t i = 0; i < v->rb->n_criteria; i++)
        if (strcmp(v->rb->criteria[i].signal, v->rb->signals[sig].name) == 0) {
            *index = i;
            return &v->rb->criteria[i];
        }
    return NULL;
}

void meter_format(const struct view *v, int sig, double value, char *buf, size_t len)
{
    size_t ci;
    const struct rb_criterion *c = bound_of(v, sig, &ci);
    if (!isfinite(value))
        snprintf(buf, len, "%g", value);
    else if (c && c->is_percent)
        snprintf(buf, len, "%.3g%%", value * 100);
    else
        snprintf(buf, len, "%.4g", value);
}

static attr_t state_attr(const struct view *v, enum crit_state st)
{
    switch (st) {
    case CRIT_OK: return view_attr(v, TH_OK);
    case CRIT_PENDING: return view_attr(v, TH_WARN);
    case CRIT_FIRING: return view_attr(v, TH_ALERT);
    default: return view_attr(v, TH_WARN);
    }
}

/* The bound a line draws: the first criterion's on the signal, or a
 * panel's own (core/panels_decl.h). */
struct bound {
    int set;
    double value;
    int is_percent;
    const char *op;   /* "> " for a criterion, "threshold " for a written one */
    int written;      /* the runbook's own threshold, no criterion's */
};

static void format_as(const struct bound *b, double value, char *buf, size_t len)
{
    if (!isfinite(value))
        snprintf(buf, len, "%g", value);
    else if (b->set && b->is_percent)
        snprintf(buf, len, "%.3g%%", value * 100);
    else
        snprintf(buf, len, "%.4g", value);
}

/* Whether "LABEL TEXTEXTRA" fits in width cells. */
static int fits(const char *label, const char *text, const char *extra, int width)
{
    return strlen(label) + 1 + strlen(text) + strlen(extra) <= (size_t)width;
}

/* One signal's line; label_optional: the label goes before the value's
 * bound does (a panel's "now" is a word the reader can do without). */
static int line_with(WINDOW *w, int y, int x, int width, const struct view *v,
                     const char *label, int label_optional, int sig, const struct bound *b)
{
    const struct signal_view *sv = &v->s->signals[sig];
    char text[96], extra[128] = "";
    attr_t a = view_attr(v, TH_NORMAL);
    size_t ci = 0;
    const struct rb_criterion *c = bound_of(v, sig, &ci);
    if (!sv->last_ms) {
        snprintf(text, sizeof text, "waiting");
        a = view_attr(v, TH_DIM);
    } else if (!sv->has_value) {
        snprintf(text, sizeof text, "%s", strncmp(sv->status, "error", 5) == 0 ? "ERROR" : "NO DATA");
        const char *why = sv->status;
        if (strncmp(why, "error: ", 7) == 0)
            why += 7;
        else if (strncmp(why, "no data: ", 9) == 0)
            why += 9;
        snprintf(extra, sizeof extra, " %s", why);
        a = view_attr(v, TH_WARN);
    } else {
        format_as(b, sv->value, text, sizeof text);
        if (b->set) {
            char bound[48];
            format_as(b, b->value, bound, sizeof bound);
            snprintf(extra, sizeof extra, " (%s%s)", b->op, bound);
            /* a narrow panel (four to a row at 80 columns) keeps the
             * bound whole rather than the word */
            if (b->written && !fits(label, text, extra, width))
                snprintf(extra, sizeof extra, " (thr %s)", bound);
        }
        if (c)
            a = v->s->crits[ci].judged ? state_attr(v, v->s->crits[ci].state) : view_attr(v, TH_NORMAL);
    }
    if (sv->last_ms && view_stale(v, (size_t)sig)) {
        char age[32];
        units_format_duration((v->now_ms - sv->last_ms) / 1000 * 1000, age, sizeof age);
        snprintf(text, sizeof text, "STALE");
        snprintf(extra, sizeof extra, " no sample for %s", age);
        a = view_attr(v, TH_WARN);
    }
    int used = 0;
    if (!label_optional || fits(label, text, extra, width)) {
        used = draw_text(w, y, x, width, label, view_attr(v, TH_DIM));
        used += draw_text(w, y, x + used, width - used, " ", view_attr(v, TH_NORMAL));
    }
    used += draw_text(w, y, x + used, width - used, text, a | A_BOLD);
    draw_text(w, y, x + used, width - used, extra, view_attr(v, TH_DIM));
    return 1;
}

int meter_line(WINDOW *w, int y, int x, int width, const struct view *v,
               const char *label, const char *signal)
{
    int sig = meter_signal(v, signal);
    if (sig < 0)
        return 0;
    size_t ci;
    const struct rb_criterion *c = bound_of(v, sig, &ci);
    char op[8] = "";
    if (c)
        snprintf(op, sizeof op, "%s ", rb_op_name(c->op));
    struct bound b = {c != NULL, c ? c->threshold : 0, c && c->is_percent, op, 0};
    return line_with(w, y, x, width, v, label, 0, sig, &b);
}

int meter_line_threshold(WINDOW *w, int y, int x, int width, const struct view *v,
                         const char *label, const char *signal, const struct panel_decl *d)
{
    int sig = meter_signal(v, signal);
    if (sig < 0)
        return 0;
    char op[16] = "threshold ";
    if (d->criterion)
        snprintf(op, sizeof op, "%s ", rb_op_name(d->criterion->op));
    struct bound b = {d->threshold_set, d->threshold, d->is_percent, op, !d->criterion};
    return line_with(w, y, x, width, v, label, 1, sig, &b);
}

void meter_spark(WINDOW *w, int y, int x, int width, const struct view *v,
                 const char *signal)
{
    int sig = meter_signal(v, signal);
    size_t ci;
    const struct rb_criterion *c = sig < 0 ? NULL : bound_of(v, sig, &ci);
    meter_spark_bound(w, y, x, width, v, signal, c != NULL, c ? c->threshold : 0);
}

void meter_spark_bound(WINDOW *w, int y, int x, int width, const struct view *v,
                       const char *signal, int has_bound, double bound)
{
    static const char *const bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    int sig = meter_signal(v, signal);
    if (sig < 0 || width <= 0)
        return;
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < width; i++) {
        double h = session_history(v->s, (size_t)sig, (size_t)i);
        if (isfinite(h)) {
            lo = h < lo ? h : lo;
            hi = h > hi ? h : hi;
        }
    }
    if (lo > 0)
        lo = 0;   /* rates and ratios read best from zero */
    if (has_bound && isfinite(bound) && bound * 1.25 > hi)
        hi = bound * 1.25;   /* the bound sits near the top: height means danger */
    for (int i = 0; i < width; i++) {
        double h = session_history(v->s, (size_t)sig, (size_t)(width - 1 - i));
        const char *ch = " ";
        attr_t a = view_attr(v, TH_TITLE);
        if (isfinite(h)) {
            int level = hi > lo ? (int)((h - lo) / (hi - lo) * 7.0 + 0.5) : 0;
            ch = bars[level < 0 ? 0 : level > 7 ? 7 : level];
        } else if ((size_t)(width - 1 - i) < v->s->signals[sig].n_history) {
            ch = "·";   /* a poll that brought no value */
            a = view_attr(v, TH_WARN);
        }
        draw_text(w, y, x + i, 1, ch, a);
    }
}
