/* view.c — what the panels see beyond the folded session itself: values
 * derived from it at the moment of drawing (a signal gone stale), computed
 * once per frame here so that no panel asks the engine. */
#include "panel.h"

#include "core/session.h"

void view_derive(struct view *v)
{
    for (size_t i = 0; i < VIEW_SIGNALS; i++)
        v->stale[i] = i < v->rb->n_signals &&
                      session_stale(v->s, i, v->now_ms);
}

int view_stale(const struct view *v, size_t signal)
{
    /* past the table's end nothing is known to be fresh: never shown as if it were */
    return signal >= VIEW_SIGNALS || v->stale[signal];
}
