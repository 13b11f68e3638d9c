/* rbsection.c — one walk over a kept section's lines, the way the
 * runbook's Markdown reads: fences hide their content, a level-1 or
 * level-2 heading ends the section, `- ` or `* ` at the margin opens an
 * item. */
#include "rbsection.h"

#include <string.h>
#include <strings.h>

static const struct rb_section *find(const struct runbook *rb, const char *title)
{
    for (size_t i = 0; i < rb->n_sections; i++)
        if (rb->sections[i].title && strcasecmp(rb->sections[i].title, title) == 0)
            return &rb->sections[i];
    return NULL;
}

/* `# x` or `## x` at the margin, not `### x`. */
static int ends_section(const char *s, const char *le)
{
    if (s >= le || *s != '#')
        return 0;
    if (s + 1 < le && s[1] == ' ')
        return 1;
    return s + 2 < le && s[1] == '#' && (s[2] == ' ');
}

int rb_section_items(const struct runbook *rb, const char *title, rb_item_fn fn, void *ctx)
{
    const struct rb_section *sec = find(rb, title);
    if (!sec)
        return 0;
    const char *p = rb->text, *end = rb->text + rb->text_len;
    int line = 1, fence = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (line > sec->line) {
            const char *s = p;
            while (s < le && (*s == ' ' || *s == '\t'))
                s++;
            if ((size_t)(le - s) >= 3 && (memcmp(s, "```", 3) == 0 || memcmp(s, "~~~", 3) == 0)) {
                fence = !fence;
            } else if (!fence && s == p && ends_section(s, le)) {
                break;
            } else if (!fence && s == p && s + 1 < le && (*s == '-' || *s == '*') && s[1] == ' ') {
                int rc = fn(ctx, s + 2, (size_t)(le - s - 2), line);
                if (rc)
                    return -rc;
            }
        }
        line++;
        p = le + 1;
    }
    return sec->line;
}
