/* choices.c — what a one-key prompt offers, listed over the screen above
 * the status line while the prompt is open (the demo's fault menu): the
 * status line keeps only the question, so no choice is ever cut by the
 * width of the terminal. */
#include "draw.h"
#include "panel.h"
#include "palette.h"

static void choices_draw(WINDOW *w, const struct view *v)
{
    werase(w);
    draw_frame(w, v, v->choices_title ? v->choices_title : "Choices");
    int width = getmaxx(w) - 4;
    for (size_t i = 0; i < v->n_choices && (int)i + 1 < getmaxy(w) - 1; i++)
        draw_text(w, (int)i + 1, 2, width, v->choices[i], view_attr(v, TH_NORMAL));
}

const struct panel panel_choices = {"choices", 3, 20, choices_draw};
