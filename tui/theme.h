/* theme.h — the colour scheme, in one place: panels ask for a role
 * ("alert", "ok") and get colours, or bold/reverse/dim on a terminal that
 * has none (or when NO_COLOR is set). */
#ifndef CUTOVER_THEME_H
#define CUTOVER_THEME_H

#include <curses.h>

enum theme_role {
    TH_NORMAL,
    TH_HEADER,   /* the top bar */
    TH_TITLE,    /* panel titles */
    TH_DIM,      /* secondary text */
    TH_OK,       /* acknowledged, healthy */
    TH_WARN,     /* pending, needs attention */
    TH_ALERT,    /* refused, aborted, errors */
    TH_SELECTED, /* the cursor row */
    TH_COUNT
};

/* Call once after initscr(). */
void theme_init(void);
attr_t theme(enum theme_role role);
int theme_has_colour(void);

#endif
