/* prompt.c — line editing for the status-line prompt. UTF-8 is kept as
 * bytes; backspace removes a whole character. */
#include "prompt.h"

#include <curses.h>
#include <string.h>

void prompt_open(struct prompt *p, const char *label)
{
    memset(p, 0, sizeof *p);
    p->active = 1;
    strncpy(p->label, label, sizeof p->label - 1);
}

static void backspace(struct prompt *p)
{
    /* step back over UTF-8 continuation bytes (10xxxxxx) */
    while (p->len > 0 && ((unsigned char)p->text[p->len - 1] & 0xC0) == 0x80)
        p->len--;
    if (p->len > 0)
        p->len--;
    p->text[p->len] = '\0';
}

int prompt_key(struct prompt *p, int ch, char *out)
{
    if (ch == 27) {   /* Esc */
        p->active = 0;
        return PROMPT_CANCELLED;
    }
    if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        p->active = 0;
        memcpy(out, p->text, (size_t)p->len + 1);
        return PROMPT_DONE;
    }
    if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        backspace(p);
    } else if (ch >= 32 && ch < 256 && p->len < PROMPT_MAX - 1) {
        p->text[p->len++] = (char)ch;
        p->text[p->len] = '\0';
    }
    return PROMPT_EDITING;
}
