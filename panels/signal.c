/* signal.c — the panel any signal can have (core/panels_decl.h): its
 * value now against the threshold the runbook declares (or its
 * criterion's bound), its recent history, and the signals declared under
 * it. The title is the runbook's; nothing here is named after a signal. */
#include "draw.h"
#include "chart.h"
#include "meter.h"
#include "palette.h"

void panel_signal_draw(WINDOW *w, const struct view *v, const struct panel_decl *d)
{
    int width = getmaxx(w) - 4, rows = getmaxy(w) - 2;
    werase(w);
    draw_frame(w, v, d->title);
    int y = 1;
    if (!meter_line_threshold(w, y++, 2, width, v, "now", d->signal, d)) {
        /* the declaration was checked against this runbook: only a replaced runbook gets here */
        draw_text(w, 1, 2, width, "signal not in this runbook", view_attr(v, TH_WARN));
        return;
    }
    int extra = 0;
    for (size_t i = 0; i < d->n_also; i++)
        extra += meter_signal(v, d->also[i]) >= 0;
    if (y <= rows)
        y += chart_or_spark(w, y, 2, rows - y + 1 - extra > 0 ? rows - y + 1 - extra : 1, width, v,
                            d->signal, d);
    for (size_t i = 0; i < d->n_also && y <= rows; i++)
        if (meter_line(w, y, 2, width, v, d->also[i], d->also[i]))
            y++;
}
