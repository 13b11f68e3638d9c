/* help.c — the keys, drawn over the screen by `?`. */
#include "draw.h"
#include "panel.h"
#include "tui/theme.h"

static const char *const lines[] = {
    "↑ ↓  j k     move between steps",
    "PgUp PgDn    move a page",
    "g G          first / last step",
    "a            acknowledge the selected step (your role's steps only)",
    "n            write a note into the journal",
    "[ ]          scroll the step text",
    "+            advance the ramp (commander; type the target percentage)",
    "!            abort now and roll the flag back (commander; type ABORT)",
    "r            resume after an abort or halt (commander; a written reason)",
    "f            set the flag back to the journal's value after a restart",
    "A            or accept the flag's value instead (commander; a written reason)",
    "o            override a failed rehearsal (commander; a written reason, shown in red)",
    "F            the demo's fault menu (cutover demo only)",
    "?            this help (any key closes it)",
    "q            quit this console (asks first while traffic is on new)",
    "",
    "Steps marked in yellow belong to your role.",
    "Every key that changes anything is journaled, refusals too.",
};

static void help_draw(WINDOW *w, const struct view *v)
{
    (void)v;
    werase(w);
    draw_frame(w, "Keys");
    int width = getmaxx(w) - 4;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        draw_text(w, 2 + (int)i, 2, width, lines[i], theme(TH_NORMAL));
}

const struct panel panel_help = {"help", 21, 60, help_draw};
