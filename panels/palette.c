/* palette.c — the monochrome palette, and a role's attributes in the
 * palette a panel was given (see palette.h). */
#include "palette.h"

static const struct palette mono = {
    .attr = {
        [TH_NORMAL] = A_NORMAL,
        [TH_HEADER] = A_REVERSE,
        [TH_TITLE] = A_BOLD,
        [TH_DIM] = A_DIM,
        [TH_OK] = A_NORMAL,
        [TH_WARN] = A_BOLD,
        [TH_ALERT] = A_BOLD | A_REVERSE,
        [TH_SELECTED] = A_REVERSE,
        [TH_CHART] = A_NORMAL,
        [TH_HOT] = A_BOLD,   /* past the threshold: bold dots without colours */
    },
    .colour = 0,
};

const struct palette *palette_mono(void)
{
    return &mono;
}

attr_t palette_attr(const struct palette *p, enum theme_role role)
{
    if (role >= TH_COUNT)
        return A_NORMAL;
    return (p ? p : &mono)->attr[role];
}
