/* divergence.c — the shadow-read panel: the divergence rate against the
 * migration contract's tolerance, with matches, divergences and errors
 * when the runbook counts them. Signals: divergence_rate, shadow_matches,
 * shadow_divergences, shadow_errors. */
#include "draw.h"
#include "chart.h"
#include "meter.h"
#include "palette.h"

static void divergence_draw(WINDOW *w, const struct view *v)
{
    int width = getmaxx(w) - 4, rows = getmaxy(w) - 2;
    werase(w);
    draw_frame(w, v, "Shadow reads");
    int y = 1;
    if (!meter_line(w, y++, 2, width, v, "diverged", "divergence_rate")) {
        draw_text(w, 1, 2, width, "no divergence_rate signal", view_attr(v, TH_DIM));
        return;
    }
    static const char *const more[][2] = {{"matches", "shadow_matches"},
                                          {"diverged", "shadow_divergences"},
                                          {"errors", "shadow_errors"}};
    int extra = 0;
    for (size_t i = 0; i < 3; i++)
        extra += meter_signal(v, more[i][1]) >= 0;
    if (y <= rows)
        y += chart_or_spark(w, y, 2, rows - y + 1 - extra > 0 ? rows - y + 1 - extra : 1, width, v,
                            "divergence_rate", NULL);
    for (size_t i = 0; i < 3 && y <= rows; i++)
        if (meter_line(w, y, 2, width, v, more[i][0], more[i][1]))
            y++;
}

const struct panel panel_divergence = {"divergence", 4, 24, divergence_draw};
