/* fuzz_runbook.c — libFuzzer target for the runbook parser: any bytes must
 * parse without a crash, a leak or an out-of-bounds read, and the result
 * must be freed cleanly, with or without problems. */
#include "core/runbook.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rb_problems problems = {0};
    struct runbook *rb = runbook_parse("fuzz.md", (const char *)data, size, &problems);
    if (rb) {
        /* Touch what callers read, so that a dangling or unterminated
         * field shows up here rather than in the cockpit. */
        size_t sum = strlen(rb->sha256);
        for (size_t i = 0; i < rb->n_steps; i++) {
            sum += strlen(rb->steps[i].id) + strlen(rb->steps[i].text) + strlen(rb->steps[i].role);
            if (runbook_find_step(rb, rb->steps[i].id) == NULL)
                __builtin_trap();
        }
        for (size_t i = 0; i < rb->n_phases; i++)
            sum += strlen(rb->phases[i].prose) + strlen(rb->phases[i].title);
        for (size_t i = 0; i < rb->n_sections; i++)
            sum += strlen(rb->sections[i].text) + strlen(rb->sections[i].title);
        (void)sum;
    }
    for (size_t i = 0; i < problems.n; i++)
        if (!problems.v[i].message || problems.v[i].line < 0)
            __builtin_trap();
    runbook_free(rb);
    rb_problems_free(&problems);
    return 0;
}
