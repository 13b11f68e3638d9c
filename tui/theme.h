/* theme.h — the colour scheme, in one place: tui/theme.c builds the
 * palette (panels/palette.h) for this terminal and gives it to the panels. */
#ifndef CUTOVER_THEME_H
#define CUTOVER_THEME_H

#include "panels/palette.h"

/* Call once after initscr(): builds the palette and installs it. */
void theme_init(void);

/* The palette theme_init built. */
const struct palette *theme_palette(void);

#endif
