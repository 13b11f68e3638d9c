/* theme.c — colour pairs when the terminal has colours, attributes when it
 * does not, so that no panel has to care which. */
#include "theme.h"

#include <stdlib.h>

static attr_t attrs[TH_COUNT];
static int colour;

int theme_has_colour(void)
{
    return colour;
}

attr_t theme(enum theme_role role)
{
    return role < TH_COUNT ? attrs[role] : A_NORMAL;
}

static void mono(void)
{
    attrs[TH_NORMAL] = A_NORMAL;
    attrs[TH_HEADER] = A_REVERSE;
    attrs[TH_TITLE] = A_BOLD;
    attrs[TH_DIM] = A_DIM;
    attrs[TH_OK] = A_NORMAL;
    attrs[TH_WARN] = A_BOLD;
    attrs[TH_ALERT] = A_BOLD | A_REVERSE;
    attrs[TH_SELECTED] = A_REVERSE;
}

void theme_init(void)
{
    mono();
    const char *no_colour = getenv("NO_COLOR");
    if (!has_colors() || (no_colour && *no_colour) || start_color() != OK)
        return;
    use_default_colors();
    colour = 1;
    init_pair(1, COLOR_WHITE, COLOR_BLUE);
    init_pair(2, COLOR_CYAN, -1);
    init_pair(3, COLOR_GREEN, -1);
    init_pair(4, COLOR_YELLOW, -1);
    init_pair(5, COLOR_WHITE, COLOR_RED);
    init_pair(6, COLOR_BLACK, COLOR_WHITE);
    attrs[TH_HEADER] = COLOR_PAIR(1);
    attrs[TH_TITLE] = COLOR_PAIR(2) | A_BOLD;
    attrs[TH_OK] = COLOR_PAIR(3);
    attrs[TH_WARN] = COLOR_PAIR(4) | A_BOLD;
    attrs[TH_ALERT] = COLOR_PAIR(5) | A_BOLD;
    attrs[TH_SELECTED] = COLOR_PAIR(6);
}
