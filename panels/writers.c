/* writers.c — the writer audit's panel (`w` switches to it over the
 * screen): the newest audit's table as `cutover writers` prints it —
 * writer, how seen, operations, statements, calls, rows, rows that skipped
 * new, dual-writes?, declared?, and its code sites on a line below — the
 * statistics' limits dim under it when there is room, then the
 * unknown writers the journal holds, open ones first, in red. Drawn from
 * the fold alone (core/writersfold.h), so a joined console and a replay
 * show what the driving one does. */
#include <stdio.h>
#include <string.h>

#include "core/timefmt.h"
#include "draw.h"
#include "panel.h"
#include "palette.h"

static void number(long long v, char *buf, size_t len)
{
    if (v < 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%lld", v);
}

/* One row of the table; returns the rows used (2 with code sites). */
static int draw_row(const struct view *v, WINDOW *w, int y, int width, int name_w, int skip, const struct wf_row *r,
                    int last_row)
{
    char line[512], stmts[24], calls[24], rows[24], skipped[24];
    number(r->statements, stmts, sizeof stmts);
    number(r->calls, calls, sizeof calls);
    number(r->rows, rows, sizeof rows);
    number(r->skipped, skipped, sizeof skipped);
    const char *dw = r->dual_writes < 0 ? "?" : r->dual_writes ? "yes" : "no";
    if (skip)
        snprintf(line, sizeof line, "%-*.*s %-13.13s %-12.12s %5s %6s %7s %6s %-3s %-4s", name_w,
                 name_w, r->writer, r->seen, r->ops, stmts, calls, rows, skipped, dw,
                 r->declared ? "yes" : "NO");
    else
        snprintf(line, sizeof line, "%-*.*s %-13.13s %-12.12s %5s %6s %7s %-3s %-4s", name_w, name_w,
                 r->writer, r->seen, r->ops, stmts, calls, rows, dw, r->declared ? "yes" : "NO");
    draw_text(w, y, 2, width, line, r->unknown ? view_attr(v, TH_ALERT) | A_BOLD : view_attr(v, TH_NORMAL));
    if (!r->code[0] || y + 1 > last_row)
        return 1;
    char code[220];
    snprintf(code, sizeof code, "  code: %s", r->code);
    draw_text(w, y + 1, 2, width, code, r->unknown ? view_attr(v, TH_ALERT) : view_attr(v, TH_DIM));
    return 2;
}

static int draw_unknown(const struct view *v, WINDOW *w, int y, int width, const struct wf_unknown *u)
{
    char line[700];
    if (u->resolved == WF_OPEN)
        snprintf(line, sizeof line, "UNKNOWN %s (%s%s%s): %s", u->writer, u->seen,
                 u->app[0] ? ", app " : "", u->app, u->why);
    else
        snprintf(line, sizeof line, "resolved %s: %s", u->writer, u->resolution);
    draw_text(w, y, 2, width, line,
              u->resolved == WF_OPEN ? view_attr(v, TH_ALERT) | A_BOLD : view_attr(v, TH_DIM));
    return 1;
}

static void writers_draw(WINDOW *w, const struct view *v)
{
    const struct writersfold *f = &v->s->wf;
    int width = getmaxx(w) - 4, last = getmaxy(w) - 2, y = 1;
    werase(w);
    draw_frame(w, v, "Writers (any key closes)");
    size_t open = writersfold_open(f);
    if (!f->audited) {
        draw_text(w, y++, 2, width, "No writer audit of this runbook is journaled yet.",
                  view_attr(v, TH_WARN));
        draw_text(w, y++, 2, width, "Run: cutover writers RUNBOOK --journal JOURNAL "
                  "[--code DIR] [--capture 10m]", view_attr(v, TH_DIM));
    } else {
        char when[40], head[300];
        timefmt_hms(f->audit_ms, when, sizeof when);
        snprintf(head, sizeof head, "%s: %zu writers, %zu unknown — audit #%lld at %s (%s)",
                 f->table, f->n_writers, f->n_unknown_audit, (long long)f->audit_seq, when,
                 f->sources[0] ? f->sources : "no source");
        draw_text(w, y++, 2, width, head, f->n_unknown_audit ? view_attr(v, TH_WARN) : view_attr(v, TH_OK));
        int skip = f->skipped_rows >= 0;
        int fixed = 13 + 12 + 5 + 6 + 7 + 3 + 4 + (skip ? 6 + 1 : 0) + 7;
        int name_w = width - fixed - 1;
        name_w = name_w > 30 ? 30 : name_w < 8 ? 8 : name_w;
        char hdr[300];
        if (skip)
            snprintf(hdr, sizeof hdr, "%-*s %-13s %-12s %5s %6s %7s %6s %-3s %-4s", name_w, "WRITER",
                     "SEEN", "OPS", "STMTS", "CALLS", "ROWS", "SKIP", "DW", "DECL");
        else
            snprintf(hdr, sizeof hdr, "%-*s %-13s %-12s %5s %6s %7s %-3s %-4s", name_w, "WRITER",
                     "SEEN", "OPS", "STMTS", "CALLS", "ROWS", "DW", "DECL");
        draw_text(w, y++, 2, width, hdr, view_attr(v, TH_TITLE));
        /* unknown rows first: at 80×24 they are what must not be cut */
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < f->n_rows && y <= last; i++)
                if (f->rows[i].unknown == !pass)
                    y += draw_row(v, w, y, width, name_w, skip, &f->rows[i], last);
        if (f->rows_cut && y <= last) {
            char more[80];
            snprintf(more, sizeof more, "… and %zu more in the journal", f->rows_cut);
            draw_text(w, y++, 2, width, more, view_attr(v, TH_DIM));
        }
        if (f->other_runbook && y <= last)
            draw_text(w, y++, 2, width, "the newest audit read another runbook: ignored",
                      view_attr(v, TH_WARN));
        /* the statistics' limits, dim, whole, in the room the unknown writers leave */
        int keep = f->n_unknown ? 2 + (int)f->n_unknown : 0;
        for (size_t i = 0; i < f->n_limits; i++) {
            char lim[420];
            snprintf(lim, sizeof lim, "limit: %s", f->limits[i]);
            int room = last - keep - y + 1;
            int need = draw_wrap(w, y, 2, width, 0, 0, lim, view_attr(v, TH_DIM));   /* counts */
            if (need > room) {
                if (room > 0) {
                    snprintf(lim, sizeof lim, "… and %zu more limits of the statistics: "
                             "`cutover writers` prints them", f->n_limits - i);
                    draw_text(w, y++, 2, width, lim, view_attr(v, TH_DIM));
                }
                break;
            }
            y += draw_wrap(w, y, 2, width, need, 0, lim, view_attr(v, TH_DIM));
        }
    }
    if (f->n_unknown && y + 1 <= last) {
        char title[120];
        snprintf(title, sizeof title, "Unknown writers: %zu open%s", open,
                 open ? " — they hold the steps that need the audit" : "");
        y++;
        draw_text(w, y++, 2, width, title, open ? view_attr(v, TH_ALERT) : view_attr(v, TH_OK));
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < f->n_unknown && y <= last; i++)
                if ((f->unknown[i].resolved == WF_OPEN) == !pass)
                    y += draw_unknown(v, w, y, width, &f->unknown[i]);
    }
}

const struct panel panel_writers = {"writers", 10, 60, writers_draw};
