/* palette.h — the colour scheme as the panels are given it: a role
 * ("alert", "ok") maps to attributes. The front end (tui/theme.c) builds
 * the palette — colours, or bold/reverse/dim on a terminal without them
 * or under NO_COLOR — and hands it to the panels in their view
 * (panel.h's `palette`); a panel asks for a role and never learns which
 * it got. Nothing here is global. */
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

/* The monochrome palette: bold, reverse and dim only. */
const struct palette *palette_mono(void);

/* p's attributes for a role; a NULL palette reads as the monochrome one. */
attr_t palette_attr(const struct palette *p, enum theme_role role);

#endif
