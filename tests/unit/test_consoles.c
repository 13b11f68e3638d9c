/* test_consoles.c — the consoles' heartbeat rows (core/journal_consoles.h)
 * and presence made from them (core/presence.h presence_live): a row is
 * present while touched within JOURNAL_PRESENT_MS, and at once no longer
 * when its process on this host is gone; a row on another host ages out;
 * leave removes it; a journal no console touched has none; presence_live
 * counts present rows, marks the stopped ones gone, and adds a person the
 * fold has not seen. Times are given, never read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "core/journal.h"
#include "core/journal_consoles.h"
#include "core/presence.h"

static char dir[64], path[128];

static struct journal *fresh(void)
{
    snprintf(dir, sizeof dir, "/tmp/cutover-test-consoles.XXXXXX");
    if (!mkdtemp(dir))
        exit(2);
    snprintf(path, sizeof path, "%s/j.journal", dir);
    struct journal *j = NULL;
    struct error err = {{0}};
    if (journal_open(path, JOURNAL_CREATE, &j, &err) != 0) {
        printf("  %s\n", err.msg);
        exit(2);
    }
    return j;
}

static void gone(struct journal *j)
{
    journal_close(j);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("  could not remove %s\n", dir);
}

static struct journal_console console_of(const char *id, const char *name, const char *role,
                                         const char *host, long pid)
{
    struct journal_console c;
    memset(&c, 0, sizeof c);
    snprintf(c.console, sizeof c.console, "%s", id);
    snprintf(c.name, sizeof c.name, "%s", name);
    snprintf(c.role, sizeof c.role, "%s", role);
    snprintf(c.mode, sizeof c.mode, "join");
    snprintf(c.account, sizeof c.account, "ops");
    snprintf(c.host, sizeof c.host, "%s", host);
    c.pid = pid;
    c.opened_ms = 1000;
    return c;
}

static const char *here(void)
{
    static char h[64];
    if (gethostname(h, sizeof h) != 0)
        h[0] = '\0';
    h[sizeof h - 1] = '\0';
    return h;
}

TEST(a_journal_no_console_touched_has_none)
{
    struct journal *j = fresh();
    struct journal_console rows[4];
    struct error err = {{0}};
    CHECK(journal_consoles(j, 5000, rows, 4, &err) == 0);
    struct journal_console me = console_of("a", "Bob Li", "dba", here(), (long)getpid());
    CHECK(journal_console_leave(j, &me, &err) == 0);   /* nothing to leave: no fault */
    gone(j);
}

TEST(a_row_elsewhere_is_present_until_its_heartbeat_is_old)
{
    struct journal *j = fresh();
    struct journal_console far = console_of("far", "Dee Ray", "comms", "another-host", 999999);
    struct error err = {{0}};
    CHECK(journal_console_touch(j, &far, 10000, &err) == 0);
    struct journal_console rows[4];
    CHECK(journal_consoles(j, 10000 + JOURNAL_PRESENT_MS, rows, 4, &err) == 1);
    CHECK(rows[0].present);
    CHECK_STR(rows[0].name, "Dee Ray");
    CHECK(rows[0].seen_ms == 10000);
    CHECK(journal_consoles(j, 10000 + JOURNAL_PRESENT_MS + 1, rows, 4, &err) == 1);
    CHECK(!rows[0].present);   /* its heartbeat stopped: kept, shown gone */
    /* touched again: present again, opened when it first said */
    CHECK(journal_console_touch(j, &far, 20000, &err) == 0);
    CHECK(journal_consoles(j, 20001, rows, 4, &err) == 1);
    CHECK(rows[0].present && rows[0].opened_ms == 1000 && rows[0].seen_ms == 20000);
    /* a row gone for JOURNAL_CONSOLE_FORGET_MS is removed by the next touch */
    struct journal_console me = console_of("me", "Bob Li", "dba", here(), (long)getpid());
    CHECK(journal_console_touch(j, &me, 20000 + JOURNAL_CONSOLE_FORGET_MS + 1, &err) == 0);
    CHECK(journal_consoles(j, 20000 + JOURNAL_CONSOLE_FORGET_MS + 1, rows, 4, &err) == 1);
    CHECK_STR(rows[0].console, "me");
    gone(j);
}

TEST(a_dead_process_on_this_host_is_gone_at_once)
{
    struct journal *j = fresh();
    struct journal_console me = console_of("me", "Bob Li", "dba", here(), (long)getpid());
    /* a pid that no process has: ours forked and reaped */
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);
    struct journal_console dead = console_of("dead", "Dee Ray", "comms", here(), (long)child);
    struct error err = {{0}};
    CHECK(journal_console_touch(j, &me, 5000, &err) == 0);
    CHECK(journal_console_touch(j, &dead, 5000, &err) == 0);
    struct journal_console rows[4];
    CHECK(journal_consoles(j, 5001, rows, 4, &err) == 2);
    for (int i = 0; i < 2; i++)
        CHECK(rows[i].present == (strcmp(rows[i].console, "me") == 0));
    CHECK(journal_console_leave(j, &me, &err) == 0);
    CHECK(journal_consoles(j, 5001, rows, 4, &err) == 1);
    CHECK_STR(rows[0].console, "dead");
    gone(j);
}

TEST(presence_live_counts_present_rows_and_marks_gone_ones)
{
    struct presence fold;
    memset(&fold, 0, sizeof fold);
    /* the fold saw two people open a console and never close it */
    fold.n = 2;
    snprintf(fold.v[0].name, sizeof fold.v[0].name, "Bob Li");
    snprintf(fold.v[0].role, sizeof fold.v[0].role, "dba");
    fold.v[0].open = 1;
    fold.v[0].last_seen_ms = 1000;
    snprintf(fold.v[1].name, sizeof fold.v[1].name, "Dee Ray");
    snprintf(fold.v[1].role, sizeof fold.v[1].role, "comms");
    fold.v[1].open = 1;
    struct journal_console rows[3] = {
        console_of("b", "Bob Li", "dba", "h", 1),
        console_of("d", "Dee Ray", "comms", "h", 2),
        console_of("a", "Alice Ng", "commander", "h", 3),
    };
    rows[0].present = 1, rows[0].seen_ms = 9000;
    rows[1].present = 0, rows[1].seen_ms = 2000;
    rows[2].present = 1, rows[2].seen_ms = 9500;
    struct presence live;
    presence_live(&live, &fold, rows, 3, 9600);
    CHECK(live.live);
    const struct presence_person *b = presence_find(&live, "Bob Li", "dba");
    const struct presence_person *d = presence_find(&live, "Dee Ray", "comms");
    const struct presence_person *a = presence_find(&live, "Alice Ng", "commander");
    CHECK(b && b->open == 1 && b->gone == 0 && b->last_seen_ms == 9000);
    CHECK(d && d->open == 0 && d->gone == 1);
    CHECK(a && a->open == 1);   /* not folded yet: added from its row */
    CHECK(presence_role_open(&live, "comms") == 0);
    CHECK(presence_role_open(&fold, "comms") == 1);   /* the fold alone still counts it */
}

TEST(a_console_just_opened_counts_before_its_heartbeat_is_read)
{
    /* the fold took Bob's console_open at 9000; the rows were read before
     * his writer touched his row: he is joining, not gone */
    struct presence fold;
    memset(&fold, 0, sizeof fold);
    fold.n = 2;
    snprintf(fold.v[0].name, sizeof fold.v[0].name, "Bob Li");
    snprintf(fold.v[0].role, sizeof fold.v[0].role, "dba");
    snprintf(fold.v[0].mode, sizeof fold.v[0].mode, "join");
    fold.v[0].open = 1, fold.v[0].opened_ms = 9000;
    snprintf(fold.v[1].name, sizeof fold.v[1].name, "Dee Ray");
    snprintf(fold.v[1].role, sizeof fold.v[1].role, "comms");
    fold.v[1].open = 1, fold.v[1].opened_ms = 1000;   /* long ago, and no row: not here */
    struct presence live;
    presence_live(&live, &fold, NULL, 0, 9500);
    CHECK(presence_role_open(&live, "dba") == 1);
    CHECK_STR(presence_find(&live, "Bob Li", "dba")->mode, "join");
    CHECK(presence_role_open(&live, "comms") == 0);
    presence_live(&live, &fold, NULL, 0, 9000 + JOURNAL_PRESENT_MS + 1);
    CHECK(presence_role_open(&live, "dba") == 0);   /* no heartbeat came: gone by the rule */
}

RUN_TESTS(T(a_journal_no_console_touched_has_none),
          T(a_row_elsewhere_is_present_until_its_heartbeat_is_old),
          T(a_dead_process_on_this_host_is_gone_at_once),
          T(presence_live_counts_present_rows_and_marks_gone_ones),
          T(a_console_just_opened_counts_before_its_heartbeat_is_read))
