/* latency.c — the latency panel: p99 of new over old against its bound,
 * with both p99s when the runbook measures them. Signals: p99_ratio,
 * p99_old, p99_new. */
#include "draw.h"
#include "chart.h"
#include "meter.h"
#include "palette.h"

static void latency_draw(WINDOW *w, const struct view *v)
{
    int width = getmaxx(w) - 4, rows = getmaxy(w) - 2;
    werase(w);
    draw_frame(w, v, "Latency p99 new/old");
    int y = 1;
    if (!meter_line(w, y++, 2, width, v, "ratio", "p99_ratio")) {
        draw_text(w, 1, 2, width, "no p99_ratio signal", view_attr(v, TH_DIM));
        return;
    }
    int extra = (meter_signal(v, "p99_new") >= 0) + (meter_signal(v, "p99_old") >= 0);
    if (y <= rows)
        y += chart_or_spark(w, y, 2, rows - y + 1 - extra > 0 ? rows - y + 1 - extra : 1, width, v,
                            "p99_ratio", NULL);
    if (y <= rows && meter_line(w, y, 2, width, v, "new", "p99_new"))
        y++;
    if (y <= rows)
        meter_line(w, y, 2, width, v, "old", "p99_old");
}

const struct panel panel_latency = {"latency", 4, 24, latency_draw};
