/* criteria.c — every abort criterion with its state (ok, pending with the
 * time left in its window, firing, no data, insufficient data) and what
 * decided it. When no console drives, no row says OK: nothing judges them. */
#include <stdio.h>

#include "core/units.h"
#include "chart.h"
#include "draw.h"
#include "meter.h"
#include "panel.h"
#include "palette.h"

static attr_t badge_attr(const struct view *v, const struct crit_view *c)
{
    if (!c->judged)
        return view_attr(v, TH_DIM);
    switch (c->state) {
    case CRIT_OK: return view_attr(v, TH_OK);
    case CRIT_FIRING: return view_attr(v, TH_ALERT);
    default: return view_attr(v, TH_WARN);
    }
}

/* "now 1.03": a criterion shows the signal as it is, not as it was when
 * the state last changed; pending and firing add the value that crossed
 * and the worst since, all in the units the runbook wrote (view.c). */
static int live_value(const struct view *v, size_t i, char *buf, size_t len)
{
    if (meter_signal(v, v->rb->criteria[i].signal) < 0)
        return 0;
    view_crit_values(v, i, buf, len);
    return 1;
}

/* The criterion whose signal the screen must show now: one firing or
 * pending, else the one that stopped the ramp; -1 when none. */
static int fired_criterion(const struct view *v)
{
    for (size_t i = 0; i < v->rb->n_criteria; i++)
        if (v->s->crits[i].judged && v->s->crits[i].state == CRIT_FIRING)
            return (int)i;
    for (size_t i = 0; i < v->rb->n_criteria; i++)
        if (v->s->crits[i].judged && v->s->crits[i].state == CRIT_PENDING)
            return (int)i;
    int c = v->s->ramp.cause_criterion;
    int stopped = v->s->ramp.status == RAMP_ABORTED || v->s->ramp.status == RAMP_HALTED;
    return stopped && c >= 0 && (size_t)c < v->rb->n_criteria ? c : -1;
}

/* Under the list, where rows are left: the chart of the signal that fired
 * (it may have no panel of its own). */
static void fired_chart(WINDOW *w, int y, int rows, int width, const struct view *v)
{
    int c = fired_criterion(v);
    struct chart_spec spec;
    if (c < 0 || rows < 3 || !chart_spec_of(v, v->rb->criteria[c].signal, &spec))
        return;
    const struct rb_criterion *rc = &v->rb->criteria[c];
    spec.has_bound = 1, spec.bound = rc->threshold, spec.is_percent = rc->is_percent;
    spec.op = (int)rc->op;
    char title[160];
    snprintf(title, sizeof title, "%s  (%s %s)", rc->signal, v->s->crits[c].state == CRIT_FIRING ||
             v->s->ramp.cause_criterion == c ? "fired:" : "pending:", rc->text);
    mvwhline(w, y, 1, ACS_HLINE, width);
    draw_text(w, y, 2, width - 2, title, view_attr(v, TH_WARN));
    chart_draw(w, y + 1, 1, rows - 1, width, v, &spec);
}

static void criteria_draw(WINDOW *w, const struct view *v)
{
    int width = getmaxx(w) - 2, rows = getmaxy(w) - 2;
    werase(w);
    draw_frame(w, v, "Abort criteria");
    if (v->rb->n_criteria == 0) {
        draw_text(w, 1, 2, width - 2, "none written", view_attr(v, TH_ALERT));
        return;
    }
    for (size_t i = 0; i < v->rb->n_criteria && (int)i < rows; i++) {
        const struct rb_criterion *c = &v->rb->criteria[i];
        char now_text[160];
        const struct crit_view *cv = &v->s->crits[i];
        char badge[32];
        if (v->no_engine) {
            int x = 1 + draw_text(w, 1 + (int)i, 1, 18, " NOT WATCHED ", view_attr(v, TH_WARN) | A_BOLD);
            draw_text(w, 1 + (int)i, x + 1, width - x - 1, c->text, view_attr(v, TH_DIM));
            continue;
        }
        if (!cv->judged)
            snprintf(badge, sizeof badge, " ----- ");
        else if (cv->state == CRIT_PENDING) {
            char left[24];
            int64_t rest = cv->since_ms + c->for_ms - v->now_ms;
            units_format_duration(rest > 0 ? (rest + 999) / 1000 * 1000 : 0, left, sizeof left);
            snprintf(badge, sizeof badge, " PENDING %s ", left);
        } else {
            static const char *const names[] = {" OK ", " PENDING ", " FIRING ",
                                                " NO DATA ", " LOW DATA "};
            snprintf(badge, sizeof badge, "%s", names[cv->state]);
        }
        int x = 1;
        x += draw_text(w, 1 + (int)i, x, 18, badge, badge_attr(v, cv) | A_BOLD);
        x += 1;
        int out = cv->judged && (cv->state == CRIT_PENDING || cv->state == CRIT_FIRING);
        if (out && live_value(v, i, now_text, sizeof now_text)) {
            /* the values decide: they come before the text the edge may
             * cut — but where no chart below names this criterion (no room
             * for it) and the text would not fit whole beside them, the
             * value now stays and the crossing and the worst go (the
             * banner has them), so that the row still says what fired */
            int named_below = rows - (int)v->rb->n_criteria >= 3 && fired_criterion(v) == (int)i;
            if (!named_below && x + draw_width(now_text) + 2 + draw_width(c->text) > width + 1)
                view_crit_now(v, i, now_text, sizeof now_text);
            x += draw_text(w, 1 + (int)i, x, width - x + 1, now_text, badge_attr(v, cv));
            if (x + 2 < width)   /* the text only where a whole gap and a letter fit */
                draw_text(w, 1 + (int)i, x + 2, width - x - 1, c->text, view_attr(v, TH_NORMAL));
            continue;
        }
        x += draw_text(w, 1 + (int)i, x, width - x, c->text, view_attr(v, TH_NORMAL));
        if (cv->judged && cv->state == CRIT_NO_DATA) {
            char since[24], why[64];
            units_format_duration((v->now_ms - cv->since_ms) / 1000 * 1000, since, sizeof since);
            snprintf(why, sizeof why, "  no data for %s", since);
            draw_text(w, 1 + (int)i, x, width - x + 1, why, view_attr(v, TH_WARN));
        } else if (cv->judged && cv->state == CRIT_OK && live_value(v, i, now_text, sizeof now_text)) {
            if (x + 2 + draw_width(now_text) > width + 1)
                continue;   /* a value cut to "n" reads as part of the text: whole or nothing */
            x += draw_text(w, 1 + (int)i, x, width - x, "  ", view_attr(v, TH_DIM));
            draw_text(w, 1 + (int)i, x, width - x + 1, now_text, view_attr(v, TH_DIM));
        } else if (cv->judged && cv->why[0]) {
            x += draw_text(w, 1 + (int)i, x, width - x, "  ", view_attr(v, TH_DIM));
            draw_text(w, 1 + (int)i, x, width - x + 1, cv->why, view_attr(v, TH_DIM));
        }
    }
    int used = (int)v->rb->n_criteria;
    if (!v->no_engine && used < rows)
        fired_chart(w, 1 + used, rows - used, width, v);
}

const struct panel panel_criteria = {"criteria", 3, 40, criteria_draw};
