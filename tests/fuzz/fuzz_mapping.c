/* fuzz_mapping.c — libFuzzer target for the ## Mapping section: any bytes
 * under its heading are read without a crash, a leak or an out-of-bounds
 * read, every problem names a line inside the section, and the plan built
 * from what was read against fixed tables frees cleanly. */
#include "core/mapping.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char head[] = "# F\n\n## Roles\n- commander: A\n\n## Mapping\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(sizeof head + size);
    if (!text)
        return 0;
    memcpy(text, head, sizeof head - 1);
    memcpy(text + sizeof head - 1, data, size);
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("f.md", text, sizeof head - 1 + size, &pr);
    struct mapping m;
    if (rb && mapping_parse(rb, &m) == 0) {
        for (size_t i = 0; i < m.n_problems; i++)
            if (m.problems[i].line < 6)
                __builtin_trap();
        static char *old[] = {"id", "a", "b"}, *new_[] = {"id", "a", "c"}, *pk[] = {"id"};
        struct map_plan plan;
        mapping_plan(&m, old, 3, new_, 3, pk, 1, NULL, &plan);
        map_plan_free(&plan);
        mapping_free(&m);
    }
    runbook_free(rb);
    rb_problems_free(&pr);
    free(text);
    return 0;
}
