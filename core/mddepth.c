/* mddepth.c — container depth of a Markdown line, counted in one pass
 * over its leading markers: linear in the text, so it can run before the
 * real parse on any input. */
#include "mddepth.h"

#include <string.h>

static int blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Length of a list marker at s (with the space after it), or 0. */
static size_t list_marker(const char *s, size_t n)
{
    if (n >= 2 && (s[0] == '-' || s[0] == '+' || s[0] == '*') && blank(s[1]))
        return 2;
    size_t d = 0;
    while (d < n && d < 9 && s[d] >= '0' && s[d] <= '9')
        d++;
    if (d > 0 && d + 1 < n && (s[d] == '.' || s[d] == ')') && blank(s[d + 1]))
        return d + 2;
    return 0;
}

/* "- - -" or "* * *": a thematic break, however long, opens nothing. */
static int thematic_break(const char *s, size_t n)
{
    char mark = 0;
    for (size_t i = 0; i < n; i++) {
        if (blank(s[i]))
            continue;
        if ((s[i] != '-' && s[i] != '*' && s[i] != '_') || (mark && s[i] != mark))
            return 0;
        mark = s[i];
    }
    return mark != 0;
}

size_t md_line_depth(const char *s, size_t n)
{
    if (thematic_break(s, n))
        return 0;
    size_t depth = 0, i = 0;
    for (;;) {
        while (i < n && blank(s[i]))
            i++;
        if (i < n && s[i] == '>') {
            depth++;
            i++;
            continue;
        }
        size_t m = list_marker(s + i, n - i);
        if (!m)
            return depth;
        depth++;
        i += m;
    }
}

int md_first_deep_line(const char *text, size_t len, size_t max, size_t *depth)
{
    size_t off = 0;
    int line = 1;
    while (off < len) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t d = md_line_depth(text + off, end - off);
        if (d > max) {
            *depth = d;
            return line;
        }
        off = end + 1;
        line++;
    }
    return 0;
}
