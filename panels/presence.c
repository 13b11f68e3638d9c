/* presence.c — who is at the ceremony (p, over the screen): every role of
 * the runbook with the people on a console in it (mode, OS account, when
 * last seen), a role nobody holds in red, and the next step whose role is
 * absent, before it is reached. On a live console from the consoles'
 * heartbeats (last seen: the heartbeat; a console whose heartbeat stopped
 * is GONE), in a replay from the fold (core/presence.h). */
#include <stdio.h>
#include <string.h>

#include "core/presence.h"
#include "draw.h"
#include "panel.h"
#include "palette.h"

/* "12s", "4m", "2h" ago. */
static void ago(int64_t now_ms, int64_t then_ms, char *buf, size_t len)
{
    int64_t s = now_ms > then_ms ? (now_ms - then_ms) / 1000 : 0;
    if (s < 120)
        snprintf(buf, len, "%llds", (long long)s);
    else if (s < 7200)
        snprintf(buf, len, "%lldm", (long long)(s / 60));
    else
        snprintf(buf, len, "%lldh", (long long)(s / 3600));
}

/* One role: its people, or NOBODY PRESENT. Returns the next row. */
static int role_rows(WINDOW *w, int y, int width, const struct view *v, const char *role)
{
    const struct presence *p = view_presence(v);
    int bottom = getmaxy(w) - 1, shown = 0;
    char line[300], when[16];
    for (size_t i = 0; i < p->n && y < bottom; i++) {
        const struct presence_person *r = &p->v[i];
        if (strcmp(r->role, role) != 0 || (!r->open && !r->gone && !r->opened_ms))
            continue;
        ago(v->now_ms, r->last_seen_ms, when, sizeof when);
        const char *console = r->open ? r->mode : r->gone ? "GONE" : "left";
        char more[64] = "";
        if (r->open > 1)
            snprintf(more, sizeof more, " (%d consoles)", r->open);
        if (r->open && r->gone)
            snprintf(more + strlen(more), sizeof more - strlen(more), " (%d gone)", r->gone);
        snprintf(line, sizeof line, "%-10.10s %-20.20s %-8.8s %-10.10s %s %s%s%s", role, r->name,
                 console, r->account, r->open || !r->gone ? "last seen" : "no heartbeat for",
                 when, r->open || !r->gone ? " ago" : "", more);
        draw_text(w, y++, 2, width, line,
                  r->open ? view_attr(v, TH_OK) : r->gone ? view_attr(v, TH_WARN) : view_attr(v, TH_DIM));
        shown += r->open;
    }
    if (!shown && y < bottom) {
        snprintf(line, sizeof line, "%-10.10s NOBODY PRESENT (%s)", role,
                 runbook_person(v->rb, role) ? runbook_person(v->rb, role) : "?");
        draw_text(w, y++, 2, width, line, view_attr(v, TH_ALERT));
    }
    return y;
}

static void presence_draw(WINDOW *w, const struct view *v)
{
    werase(w);
    /* a replay shows it at the moment replayed, and keeps it while time moves */
    int replay = v->mode && strcmp(v->mode, "replay") == 0;
    draw_frame(w, v, replay ? "Presence at the moment shown (p closes)"
                         : "Presence — who is on which console (any key closes)");
    int width = getmaxx(w) - 4, y = 1, bottom = getmaxy(w) - 1;
    draw_text(w, y++, 2, width, "role       person               console  account    ",
              view_attr(v, TH_DIM));
    for (size_t i = 0; i < v->rb->n_roles && y < bottom; i++)
        y = role_rows(w, y, width, v, v->rb->roles[i].role);
    const char *who = NULL;
    size_t from = 0;
    while (from < v->rb->n_steps && v->s->acks[from].acked)
        from++;
    ptrdiff_t st = presence_absent_step_in(view_presence(v), v->s, from, &who);
    if (st >= 0 && y + 1 < bottom) {
        char line[300];
        snprintf(line, sizeof line, "⚠ nobody present as %s for step %s (%s: %s)", who,
                 v->rb->steps[st].id, v->rb->steps[st].role, v->rb->steps[st].text);
        draw_wrap(w, y + 1, 2, width, bottom - y - 1, 0, line, view_attr(v, TH_WARN));
    }
}

const struct panel panel_presence = {"presence", 10, 60, presence_draw};
