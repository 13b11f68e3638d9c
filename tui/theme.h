/* theme.h — the colour scheme, in one place: tui/theme.c builds the
 * palette (panels/palette.h) for this terminal; the console and the
 * replay put it in the view they give the panels. */
#ifndef CUTOVER_THEME_H
#define CUTOVER_THEME_H

#include "panels/palette.h"

/* Call once after initscr(): builds the palette for this terminal. */
void theme_init(void);

/* The palette theme_init built (the monochrome one before it ran). */
const struct palette *theme_palette(void);

#endif
