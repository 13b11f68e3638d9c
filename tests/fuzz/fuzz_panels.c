/* fuzz_panels.c — libFuzzer target for the ## Panels section: any bytes
 * under its heading are read without a crash, a leak or an out-of-bounds
 * read; every problem names the heading or a line under it (or the runbook as
 * a whole, for a warning); never more panels than the row holds, each on
 * a signal of the runbook's. */
#include "core/panels_decl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char head[] =
    "# F\n\n## Roles\n- commander: A\n\n## Systems\n- metrics: prometheus `http://x`\n\n"
    "## Signals\n- a: `a`\n- b_rate: `b`\n\n## Abort criteria\n- abort if a > 1%\n\n## Panels\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(sizeof head + size);
    if (!text)
        return 0;
    memcpy(text, head, sizeof head - 1);
    memcpy(text + sizeof head - 1, data, size);
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("f.md", text, sizeof head - 1 + size, &pr);
    struct panels_decls d;
    if (rb && panels_parse(rb, &d) == 0) {
        for (size_t i = 0; i < d.n_problems; i++)
            if (d.problems[i].line != 0 && d.problems[i].line < 16)
                __builtin_trap();
        if (d.n > PANELS_MAX)
            __builtin_trap();
        for (size_t i = 0; i < d.n; i++)
            if (!runbook_signal(rb, d.v[i].signal))
                __builtin_trap();
        panels_decls_free(&d);
    }
    runbook_free(rb);
    rb_problems_free(&pr);
    free(text);
    return 0;
}
