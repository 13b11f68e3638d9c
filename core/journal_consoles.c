/* journal_consoles.c — the consoles' heartbeat rows and the rule that says
 * which are present (see journal_consoles.h). The store keeps the rows;
 * the rule is here, as the lease's is in journal.c. */
#include "journal_consoles.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "journal_internal.h"

struct touch_op {
    const struct journal_console *me;
    int64_t now;
};

static int touch_tx(struct journal *j, void *ctx, struct error *err)
{
    const struct touch_op *op = ctx;
    return j->ops->console_touch(j->store, op->me, op->now, op->now - JOURNAL_CONSOLE_FORGET_MS,
                                 err);
}

int journal_console_touch(struct journal *j, const struct journal_console *me, int64_t now_ms,
                          struct error *err)
{
    struct touch_op op = {me, now_ms};
    return journal_transact(j, touch_tx, &op, err);
}

static int leave_tx(struct journal *j, void *ctx, struct error *err)
{
    const struct journal_console *me = ctx;
    return j->ops->console_delete(j->store, me->console, err);
}

int journal_console_leave(struct journal *j, const struct journal_console *me,
                          struct error *err)
{
    return journal_transact(j, leave_tx, (void *)me, err);
}

int journal_console_present(const struct journal_console *c, const char *here, int64_t now_ms)
{
    if (now_ms - c->seen_ms > JOURNAL_PRESENT_MS)
        return 0;
    /* a process of this host that is gone is gone now, not in six seconds */
    if (strcmp(c->host, here) == 0 && c->pid > 0 && kill((pid_t)c->pid, 0) != 0 &&
        errno == ESRCH)
        return 0;
    return 1;
}

long journal_consoles(struct journal *j, int64_t now_ms, struct journal_console *out,
                      size_t max, struct error *err)
{
    long n = j->ops->console_read(j->store, out, max, err);
    if (n <= 0)
        return n;
    char here[64];
    if (gethostname(here, sizeof here) != 0)
        here[0] = '\0';
    here[sizeof here - 1] = '\0';
    for (long i = 0; i < n; i++)
        out[i].present = journal_console_present(&out[i], here, now_ms);
    return n;
}
