/* palette.h — the colour scheme as the panels are given it: a role
 * ("alert", "ok") maps to attributes. The front end (tui/theme.c) builds
 * the palette — colours, or bold/reverse/dim on a terminal without them
 * or under NO_COLOR — and installs it; a panel asks for a role and never
 * learns which it got. */
#ifndef CUTOVER_PALETTE_H
#define CUTOVER_PALETTE_H

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
    TH_CHART,    /* a chart's dots */
    TH_HOT,      /* a chart's dots past the threshold */
    TH_COUNT
};

struct palette {
    attr_t attr[TH_COUNT];
    int colour;   /* 1 when the attributes are colours */
};

/* Makes p (which must outlive its use) the palette the panels draw with;
 * NULL: plain attributes. */
void palette_install(const struct palette *p);

/* The installed palette's attributes for a role (A_NORMAL when none). */
attr_t theme(enum theme_role role);
int theme_has_colour(void);

#endif
