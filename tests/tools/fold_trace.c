/* fold_trace.c — refolds a journal from scratch, through the one history,
 * and prints a fold trace line (core/fold_trace.h) after every event and
 * sample: what a live console run with CUTOVER_FOLD_TRACE=FILE wrote, as
 * the journal alone says it. The suites diff the two.
 *
 *   fold_trace JOURNAL        errors exit 1, usage 2 */
#include <stdio.h>
#include <stdlib.h>

#include "core/ceremony.h"
#include "core/fold_trace.h"

static void print(const struct session *s)
{
    char line[4096];
    fold_trace_line(s, line, sizeof line);
    puts(line);
}

static int on_event(const struct journal_event *ev, void *p)
{
    session_apply(p, ev);
    print(p);
    return 0;
}

static int on_sample(const struct journal_sample *sa, void *p)
{
    session_apply_sample(p, sa);
    print(p);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fold_trace JOURNAL\n");
        return 2;
    }
    struct error err = {{0}};
    struct journal *j = NULL;
    struct runbook *rb = NULL;
    struct session s;
    int rc = 1;
    if (journal_open(argv[1], JOURNAL_READONLY, &j, &err) != 0 ||
        !(rb = ceremony_runbook_from_journal(j, argv[1], &err)))
        goto out;
    if (session_init(&s, rb) != 0) {
        error_set(&err, "out of memory");
        goto out;
    }
    rc = journal_read_history(j, 0, 0, on_event, on_sample, &s, &err) == 0 ? 0 : 1;
    session_free(&s);
out:
    if (rc)
        fprintf(stderr, "fold_trace: %s\n", err.msg);
    runbook_free(rb);
    journal_close(j);
    return rc;
}
