/* cleanupjournal.c — the cleanup view of a journal, by the one fold
 * (cleanupjournal.h). */
#include "cleanupjournal.h"

#include "ceremony.h"
#include "journal.h"
#include "session.h"

static int fold_event(const struct journal_event *ev, void *s)
{
    session_apply(s, ev);
    return 0;
}

static int fold_sample(const struct journal_sample *sa, void *s)
{
    session_apply_sample(s, sa);
    return 0;
}

int cleanup_read_journal(const char *path, struct cleanup_view *v, struct runbook **rb,
                         struct error *err)
{
    struct journal *j = NULL;
    *rb = NULL;
    cleanup_view_init(v);
    if (journal_open(path, JOURNAL_READONLY, &j, err) != 0)
        return -1;
    struct runbook *in_force = ceremony_runbook_from_journal(j, path, err);
    struct session s;
    int rc = -1;
    if (!in_force)
        goto out;
    if (session_init(&s, in_force) != 0) {
        error_set(err, "out of memory");
        goto out;
    }
    rc = journal_read_history(j, 0, 0, fold_event, fold_sample, &s, err) < 0 ? -1 : 0;
    *v = s.cleanup;
    session_free(&s);
out:
    journal_close(j);
    if (rc == 0)
        *rb = in_force;
    else
        runbook_free(in_force);
    return rc;
}
