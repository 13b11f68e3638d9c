/* footer.c — the bottom bar's keys from the console's state (footer.h):
 * the state's keys between the moving and acknowledging ones and help and
 * quit, short enough for 80 columns in the usual cases (the bar cuts the
 * rest with …). */
#include "footer.h"

#include <stdio.h>
#include <string.h>

static void add(char *buf, size_t len, const char *key)
{
    size_t n = strlen(buf);
    if (n < len)
        snprintf(buf + n, len - n, "%s%s", n ? "  " : "", key);
}

void footer_keys(const struct footer_state *f, char *buf, size_t len)
{
    if (!len)
        return;
    buf[0] = '\0';
    add(buf, len, "↑↓ move");
    add(buf, len, "a ack");
    add(buf, len, "n note");
    if (f->advance)
        add(buf, len, "+ advance");
    if (f->abort)
        add(buf, len, "! abort");
    if (f->resume)
        add(buf, len, "r resume");
    if (f->approve)
        add(buf, len, "v approve");
    if (f->override)
        add(buf, len, "o override");
    if (f->no_engine)
        add(buf, len, "T take over");
    if (f->demo)
        add(buf, len, "F faults");
    add(buf, len, "? help");
    add(buf, len, "q quit");
}
