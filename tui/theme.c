/* theme.c — colour pairs when the terminal has colours, attributes when it
 * does not, so that no panel has to care which: the palette the panels
 * are given (panels/palette.h). */
#include "theme.h"

#include <stdlib.h>

static struct palette pal;
static int built;

const struct palette *theme_palette(void)
{
    return built ? &pal : palette_mono();
}

void theme_init(void)
{
    pal = *palette_mono();
    built = 1;
    const char *no_colour = getenv("NO_COLOR");
    if (!has_colors() || (no_colour && *no_colour) || start_color() != OK)
        return;
    use_default_colors();
    pal.colour = 1;
    init_pair(1, COLOR_WHITE, COLOR_BLUE);
    init_pair(2, COLOR_CYAN, -1);
    init_pair(3, COLOR_GREEN, -1);
    init_pair(4, COLOR_YELLOW, -1);
    init_pair(5, COLOR_WHITE, COLOR_RED);
    init_pair(6, COLOR_BLACK, COLOR_WHITE);
    init_pair(7, COLOR_RED, -1);
    pal.attr[TH_HEADER] = COLOR_PAIR(1);
    pal.attr[TH_TITLE] = COLOR_PAIR(2) | A_BOLD;
    pal.attr[TH_OK] = COLOR_PAIR(3);
    pal.attr[TH_WARN] = COLOR_PAIR(4) | A_BOLD;
    pal.attr[TH_ALERT] = COLOR_PAIR(5) | A_BOLD;
    pal.attr[TH_SELECTED] = COLOR_PAIR(6);
    pal.attr[TH_CHART] = COLOR_PAIR(2);
    pal.attr[TH_HOT] = COLOR_PAIR(7) | A_BOLD;
}
