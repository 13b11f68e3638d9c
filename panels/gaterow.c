/* gaterow.c — a gate's line under its step or phase (see gaterow.h),
 * drawn from the fold's last verdict only. When it can open comes before
 * the worst value: at 80 columns the line is cut after it. */
#include "gaterow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/criteria.h"
#include "core/timefmt.h"
#include "draw.h"
#include "palette.h"

size_t gaterow_count(const struct runbook *rb, ptrdiff_t step, size_t p)
{
    size_t n = 0;
    for (size_t i = 0; i < rb->n_gates; i++)
        n += rb->gates[i].step == step && (step >= 0 || rb->gates[i].phase == p);
    return n;
}

ptrdiff_t gaterow_nth(const struct runbook *rb, ptrdiff_t step, size_t p, size_t k)
{
    for (size_t i = 0; i < rb->n_gates; i++)
        if (rb->gates[i].step == step && (step >= 0 || rb->gates[i].phase == p) && k-- == 0)
            return (ptrdiff_t)i;
    return -1;
}

/* "12:14:01", or the date as well when it is not within the day. */
static void when(int64_t t, int64_t now, char *buf, size_t len)
{
    if (llabs(t - now) < 20LL * 3600 * 1000)
        timefmt_hms(t, buf, len);
    else
        timefmt_full(t, buf, len);
}

/* Is gate i still deciding something (its step open, its phase not done)? */
static int matters(const struct view *v, size_t i)
{
    const struct rb_gate *g = &v->rb->gates[i];
    return g->step >= 0 ? !v->s->acks[g->step].acked : !session_phase_complete(v->s, g->phase);
}

static void describe(const struct view *v, size_t i, char *buf, size_t len, attr_t *a)
{
    const struct rb_gate *rg = &v->rb->gates[i];
    const struct gate_view *g = &v->s->gf.gates[i];
    const char *word = gatefold_word(v->s, i);
    char covered[32] = "", worst[48] = "", opens[64] = "", stale[48] = "";
    *a = view_attr(v, TH_DIM);
    if (g->overridden) {
        snprintf(buf, len, "↳ gate %s by %s: %s · %s", word, g->override_by, g->override_reason,
                 rg->cond.text);
        *a = view_attr(v, TH_ALERT);
        return;
    }
    if (g->judged) {
        if (g->state == GATE_INSUFFICIENT)
            snprintf(covered, sizeof covered, " %.0f%% covered", floor(g->covered * 100));
        char val[40];
        criteria_format_value(&rg->cond, g->worst, val, sizeof val);
        snprintf(worst, sizeof worst, " · worst %s", isnan(g->worst) ? "none" : val);
        if (g->state != GATE_OPEN) {
            char t[40] = "unknown until data comes";
            if (g->opens_at_ms > 0)
                when(g->opens_at_ms, v->now_ms, t, sizeof t);
            snprintf(opens, sizeof opens, " · opens %s", t);
        }
        if (v->now_ms - g->judged_ms > GATE_FRESH_MS && matters(v, i)) {
            char t[16];
            timefmt_hms(g->judged_ms, t, sizeof t);
            snprintf(stale, sizeof stale, " · not judged since %s", t);
        }
        *a = g->state == GATE_OPEN && !stale[0] ? view_attr(v, TH_OK) : view_attr(v, TH_WARN);
    }
    snprintf(buf, len, "↳ gate %s%s%s%s%s · %s", word, covered, opens, worst, stale,
             rg->cond.text);
}

void gaterow_text(const struct view *v, size_t g, char *buf, size_t len, attr_t *a)
{
    describe(v, g, buf, len, a);
}

void gaterow_draw(WINDOW *w, int y, int width, const struct view *v, size_t g)
{
    char line[512];
    attr_t a;
    describe(v, g, line, sizeof line, &a);
    draw_text(w, y, 3, width - 2, line, a);
}
