/* dualwrite.c — the dual-write panel: the failure rate against its bound,
 * its recent history, and the lag when the runbook measures it. Signals:
 * dual_write_failure_rate, dual_write_lag. */
#include "draw.h"
#include "chart.h"
#include "meter.h"
#include "palette.h"

static void dualwrite_draw(WINDOW *w, const struct view *v)
{
    int width = getmaxx(w) - 4, rows = getmaxy(w) - 2;
    werase(w);
    draw_frame(w, v, "Dual-write");
    int y = 1;
    if (!meter_line(w, y++, 2, width, v, "failures", "dual_write_failure_rate")) {
        draw_text(w, 1, 2, width, "no dual_write_failure_rate signal", view_attr(v, TH_DIM));
        return;
    }
    int extra = meter_signal(v, "dual_write_lag") >= 0;
    if (y <= rows)
        y += chart_or_spark(w, y, 2, rows - y + 1 - extra > 0 ? rows - y + 1 - extra : 1, width, v,
                            "dual_write_failure_rate", NULL);
    if (y <= rows)
        meter_line(w, y++, 2, width, v, "lag", "dual_write_lag");
}

const struct panel panel_dualwrite = {"dualwrite", 4, 24, dualwrite_draw};
