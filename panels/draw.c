/* draw.c — column-aware UTF-8 text for the panels. All text reaches the
 * screen through draw_text and draw_wrap, so both pass the installed
 * redaction (core/redact.h): no panel can show a secret. */
#include "draw.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/redact.h"
#include "panel.h"

/* Decodes one character at s; sets *cols to its display width (control
 * characters and invalid bytes count as one column, drawn as '?'). */
static size_t next_char(const char *s, int *cols, int *valid)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *cols = 1;
        *valid = 0;
        return 1;
    }
    int wd = wcwidth(wc);
    *valid = wd >= 0;
    *cols = wd < 0 ? 1 : wd;
    return n;
}

int draw_width(const char *s)
{
    int total = 0;
    while (*s) {
        int cols, valid;
        s += next_char(s, &cols, &valid);
        total += cols;
    }
    return total;
}

/* Columns of len bytes of s, up to the first newline. */
static int run_width(const char *s, size_t len)
{
    int total = 0;
    const char *end = s + len;
    while (s < end && *s && *s != '\n') {
        int cols, valid;
        s += next_char(s, &cols, &valid);
        total += cols;
    }
    return total;
}

/* Draws len bytes of s (stopping at the first newline) within max_cols and
 * the window's right edge. Text that does not fit, or that has more after it
 * (more: rows of a wrap left out), ends in "…": a value cut short ("for 10"
 * of "for 10s") must not read as a whole one. */
static int draw_run(WINDOW *w, int y, int x, int max_cols, const char *s,
                    size_t len, int more, attr_t a)
{
    int used = 0;
    int room = getmaxx(w) - x;
    if (max_cols > room)
        max_cols = room;
    if (max_cols <= 0)
        return 0;
    int cut = more || run_width(s, len) > max_cols;
    if (cut && --max_cols == 0)
        return 0;   /* the last column is the ellipsis; an ellipsis alone says nothing */
    wattron(w, a);
    wmove(w, y, x);
    const char *end = s + len;
    while (s < end && *s && *s != '\n') {
        int cols, valid;
        size_t n = next_char(s, &cols, &valid);
        if (used + cols > max_cols)
            break;
        if (valid)
            waddnstr(w, s, (int)n);
        else
            waddch(w, '?');
        used += cols;
        s += n;
    }
    if (cut) {
        waddstr(w, "…");
        used++;
    }
    wattroff(w, a);
    return used;
}

/* s masked: s itself when nothing needs it, else a copy to free; NULL
 * when out of memory (then nothing is drawn, rather than a secret). */
static const char *masked(const char *s)
{
    return redact_needed(redact_installed(), s) ? redact(redact_installed(), s) : s;
}

static void unmasked(const char *m, const char *s)
{
    if (m != s)
        free((char *)m);
}

int draw_text(WINDOW *w, int y, int x, int max_cols, const char *s, attr_t a)
{
    if (max_cols <= 0 || !s)
        return 0;
    const char *m = masked(s);
    int used = m ? draw_run(w, y, x, max_cols, m, strlen(m), 0, a) : 0;
    unmasked(m, s);
    return used;
}

/* Bytes of s that fit in width columns, breaking after a space if it can. */
static size_t wrap_point(const char *s, int width)
{
    size_t i = 0, last_space = 0;
    int used = 0;
    while (s[i] && s[i] != '\n') {
        int cols, valid;
        size_t n = next_char(s + i, &cols, &valid);
        if (used + cols > width)
            return last_space ? last_space : (i ? i : n);
        if (s[i] == ' ')
            last_space = i + 1;
        used += cols;
        i += n;
    }
    return i;
}

static int wrap_run(WINDOW *w, int y, int x, int width, int max_rows, int skip,
                    const char *s, attr_t a)
{
    int row = 0;
    while (*s) {
        size_t n = wrap_point(s, width);
        int shown = row - skip;
        if (shown >= 0 && shown < max_rows) {
            const char *rest = s + n + (s[n] == '\n');
            draw_run(w, y + shown, x, width, s, n, shown == max_rows - 1 && *rest, a);
        }
        row++;
        s += n;
        if (*s == '\n')
            s++;
    }
    return row;
}

int draw_wrap(WINDOW *w, int y, int x, int width, int max_rows, int skip,
              const char *s, attr_t a)
{
    if (width <= 0 || !s)
        return 0;
    const char *m = masked(s);
    int rows = m ? wrap_run(w, y, x, width, max_rows, skip, m, a) : 0;
    unmasked(m, s);
    return rows;
}

void draw_frame(WINDOW *w, const struct view *v, const char *title)
{
    box(w, 0, 0);
    if (title) {
        int cols = getmaxx(w);
        mvwaddch(w, 0, 2, ' ');
        int used = draw_text(w, 0, 3, cols - 6, title, view_attr(v, TH_TITLE));
        waddch(w, ' ');
        (void)used;
    }
}
