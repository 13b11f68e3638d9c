/* palette.c — the palette the panels were given (see palette.h). */
#include "palette.h"

static const struct palette *installed;

void palette_install(const struct palette *p)
{
    installed = p;
}

attr_t theme(enum theme_role role)
{
    return installed && role < TH_COUNT ? installed->attr[role] : A_NORMAL;
}

int theme_has_colour(void)
{
    return installed && installed->colour;
}
