/* journal.c — the newest journal events (the fold's tail), newest at the
 * bottom, in words, each wrapped to the panel's width; an event the fold
 * refused reads "journal event #N: why", in red. Scrolls back, filters
 * by text or by kind (aborts, acks, overrides, notes), and fills the
 * screen when the layout gives it the screen (J). */
#include <stdio.h>
#include <string.h>

#include "core/events.h"
#include "core/marks.h"
#include "core/timefmt.h"
#include "draw.h"
#include "journal_view.h"
#include "panel.h"
#include "palette.h"

static attr_t kind_attr(const struct view *v, const char *kind)
{
    if (strcmp(kind, EV_ACK_REFUSED) == 0 || strcmp(kind, EV_ABORT) == 0 ||
        strcmp(kind, EV_HALT) == 0)
        return view_attr(v, TH_ALERT);
    if (strcmp(kind, EV_ACK) == 0)
        return view_attr(v, TH_OK);
    if (strcmp(kind, EV_OVERRIDE) == 0)
        return view_attr(v, TH_WARN);
    return view_attr(v, TH_NORMAL);
}

const char *journal_kind_name(int kind)
{
    static const char *const names[] = {"all", "aborts", "acks", "overrides", "notes"};
    return kind >= 0 && kind < JOURNAL_KINDS ? names[kind] : "all";
}

/* The i-th newest line the panel looks at, in words: under a kind filter
 * the fold's kept events (every ack, abort, override and note, however
 * busy the journal), else its tail. NULL past the last. */
static const struct session_line *line_at(const struct view *v, size_t i, char *what, size_t len)
{
    const struct session_line *l = v->journal_kind ? session_kept(v->s, i) : session_tail(v->s, i);
    if (!l)
        return NULL;
    struct journal_event ev = {.seq = l->seq, .ts_ms = l->ts_ms, .actor = l->actor,
                               .kind = l->kind, .body = l->body ? l->body : "{}"};
    session_describe(v->s, &ev, what, len);
    return l;
}

static int shown(const struct view *v, const struct session_line *l, const char *what)
{
    if (v->journal_kind && !marks_filter_matches(v->journal_kind, l->kind))
        return 0;
    const char *f = v->journal_find;
    return !f || !*f || strcasestr(what, f) || strcasestr(l->actor, f) || strcasestr(l->kind, f);
}

static void title_of(const struct view *v, int scroll, char *buf, size_t len)
{
    int n = snprintf(buf, len, "Journal  %lld events", (long long)v->s->n_events);
    if (v->journal_kind && n > 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, "  only %s", journal_kind_name(v->journal_kind));
    if (v->journal_find && *v->journal_find && n > 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, "  /%s", v->journal_find);
    if (scroll && n > 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, "  ↑%d older", scroll);
    /* what a search or a scroll reaches, when it is not the whole journal */
    const struct session *s = v->s;
    int reach = v->journal_kind ? s->n_kept_seen > (int64_t)s->n_kept
                                : (scroll || (v->journal_find && *v->journal_find)) &&
                                      s->n_events > (int64_t)s->n_tail;
    if (reach && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, "  (of the newest %zu)",
                 v->journal_kind ? s->n_kept : s->n_tail);
}

/* The head of a line: its time (and, when wide, its sequence and who). */
static void head_of(const struct session_line *l, int width, char *head, size_t len)
{
    char t[16];
    timefmt_hms(l->ts_ms, t, sizeof t);
    /* a narrow tail (beside the criteria) leaves out who: the
     * description names people where it matters */
    if (width >= 90)
        snprintf(head, len, "%5lld %s %-18s ", (long long)l->seq, t, l->actor);
    else
        snprintf(head, len, "%s ", t);
}

/* Rows a line takes once wrapped beside its head. */
static int rows_of(WINDOW *w, int width, const char *head, const char *what)
{
    int hw = draw_width(head), tw = width - hw < 10 ? 10 : width - hw;
    int need = draw_wrap(w, 0, 1 + hw, tw, 0, 0, what, A_NORMAL);
    return need < 1 ? 1 : need;
}

int journal_draw_lines(WINDOW *w, int top, int rows, const struct view *v)
{
    int width = getmaxx(w) - 2;
    /* the shown lines, newest first, with the rows each takes: describing
     * every line only when a filter or a scroll needs them all */
    size_t idx[SESSION_TAIL > SESSION_KEPT ? SESSION_TAIL : SESSION_KEPT] = {0};
    int height[SESSION_TAIL > SESSION_KEPT ? SESSION_TAIL : SESSION_KEPT] = {0}, n = 0, filled = 0;
    int all = v->journal_scroll || v->journal_kind || (v->journal_find && *v->journal_find);
    char what[512], head[160];
    for (size_t i = 0; i < sizeof idx / sizeof idx[0] && (all || filled < rows); i++) {
        const struct session_line *l = line_at(v, i, what, sizeof what);
        if (!l)
            break;
        if (!shown(v, l, what))
            continue;
        head_of(l, width, head, sizeof head);
        idx[n] = i;
        height[n] = rows_of(w, width, head, what);
        filled += height[n++];
    }
    /* scrolled no further than the page that ends with the oldest line,
     * whole: a tall line that would overfill that page starts the next one
     * (else the oldest lines were pushed above the top, never to be seen) */
    int scroll = v->journal_scroll, below = 0;
    for (int k = n - 1; k >= 0; k--) {
        below += height[k];
        if (below >= rows) {
            int oldest_page = below > rows && k + 1 < n ? k + 1 : k;
            scroll = scroll > oldest_page ? oldest_page : scroll;
            break;
        }
        if (k == 0)
            scroll = 0;
    }
    if (scroll < 0)
        scroll = 0;
    char title[200];
    title_of(v, scroll, title, sizeof title);
    draw_frame(w, v, title);
    int y = top + rows;   /* fills upwards from the bottom */
    for (int k = scroll; k < n && y > top; k++) {
        const struct session_line *l = line_at(v, idx[k], what, sizeof what);
        head_of(l, width, head, sizeof head);
        int hw = draw_width(head), tw = width - hw < 10 ? 10 : width - hw;
        attr_t a = l->fault ? view_attr(v, TH_ALERT) : kind_attr(v, l->kind);
        y -= height[k];
        int skip = y < top ? top - y : 0;
        /* a line cut at the top still says when it was, on its first row
         * shown, and that its beginning is above: the head's last space
         * becomes "…" */
        draw_text(w, y + skip, 1, width, head, view_attr(v, TH_DIM));
        if (skip && hw > 0)
            draw_text(w, y + skip, hw, 1, "…", view_attr(v, TH_DIM));
        draw_wrap(w, y + skip, 1 + hw, tw, height[k] - skip, skip, what, a);
    }
    if (n == 0)
        draw_text(w, top + rows - 1, 2, width - 1, "no event matches the filter", view_attr(v, TH_DIM));
    return scroll;
}

static void journal_draw(WINDOW *w, const struct view *v)
{
    werase(w);
    (void)journal_draw_lines(w, 1, getmaxy(w) - 2, v);
}

const struct panel panel_journal = {"journal", 3, 40, journal_draw};
