/* test_writers.c — the writer audit's judge (core/writers.h): while
 * dual-write is in force, a writer declared `old only` that a dated source
 * saw writing old is unknown, in words that say why; not before the time,
 * not from a source that cannot date what it saw, never a writer that
 * dual-writes or one that only read. Folded (core/writersfold.h), such a
 * declared writer's unknown is cleared only by an audit whose database
 * sources that saw it look again and find it fine. */
#include <stdlib.h>

#include "check.h"
#include "core/events.h"
#include "core/pgwriters.h"
#include "core/session.h"
#include "core/writers.h"
#include "core/writersfold.h"

static const char RUNBOOK[] =
    "# W\n\n## Roles\n- commander: A\n\n## Systems\n"
    "- old: postgres `x` table `orders_legacy`\n- new: postgres `y` table `orders`\n\n"
    "## Writers\n"
    "- checkout: app `checkout-api` role `checkout` dual-writes\n"
    "- legacy batch: app `legacy-batch` role `legacy` old only\n"
    "- report: role `report` old only\n"
    "- dual-write began: at `2026-12-01T10:00:00Z` stamp `updated_at`\n\n"
    "## Phase 1: X {readonly}\n- [ ] commander: audit `writers`\n";

struct fixture {
    struct runbook *rb;
    struct writers_decls d;
    struct writers_audit a;
};

/* The runbook read, no code, and what the database sources saw: checkout
 * and legacy batch each write once (by source), report is not seen. */
static void open_fixture(struct fixture *f, unsigned source)
{
    struct rb_problems pr = {0};
    f->rb = runbook_parse("w.md", RUNBOOK, strlen(RUNBOOK), &pr);
    rb_problems_free(&pr);
    CHECK(f->rb && writers_parse(f->rb, &f->d) == 0 && f->d.n_problems == 0);
    struct code_scan none = {0};
    CHECK(writers_audit(&f->d, &none, &f->a) == 0);
    struct writer_stmt co = {source, "checkout-api", "checkout", NULL, "INSERT …", NULL,
                             PGW_INSERT, 3, 3, 0};
    struct writer_stmt lb = {source, "legacy-batch", "legacy", NULL, "UPDATE …", NULL,
                             PGW_UPDATE, 1, 2, 0};
    CHECK(writers_observe(&f->a, &f->d, &co) == 0 && writers_observe(&f->a, &f->d, &lb) == 0);
}

static void close_fixture(struct fixture *f)
{
    writers_audit_free(&f->a);
    writers_decls_free(&f->d);
    runbook_free(f->rb);
}

static const struct writer_seen *named(const struct fixture *f, const char *name)
{
    for (size_t i = 0; i < f->a.n; i++)
        if (strcmp(f->a.v[i].name, name) == 0)
            return &f->a.v[i];
    return NULL;
}

TEST(an_old_only_writer_seen_writing_during_dual_write_is_unknown)
{
    struct fixture f;
    open_fixture(&f, WSRC_CAPTURE);
    CHECK(f.d.since && strcmp(f.d.since, "2026-12-01T10:00:00Z") == 0);
    CHECK(f.a.unknown == 0);
    CHECK(writers_judge(&f.a, &f.d, 1, WSRC_CAPTURE) == 1);
    CHECK(f.a.unknown == 1);
    const struct writer_seen *lb = named(&f, "legacy batch");
    CHECK(lb && writers_is_unknown(lb));
    CHECK(lb && strstr(lb->why, "declared as not dual-writing (old only), seen writing old "
                                "(capture) since dual-write began at 2026-12-01T10:00:00Z"));
    const struct writer_seen *co = named(&f, "checkout"), *rep = named(&f, "report");
    CHECK(co && !writers_is_unknown(co));    /* it dual-writes */
    CHECK(rep && !writers_is_unknown(rep));  /* not seen */
    close_fixture(&f);
}

TEST(not_before_dual_write_nor_from_an_undated_source)
{
    struct fixture f;
    open_fixture(&f, WSRC_STATEMENTS);
    CHECK(writers_judge(&f.a, &f.d, 0, WSRC_STATEMENTS) == 0);   /* not yet in force */
    CHECK(writers_judge(&f.a, &f.d, 1, WSRC_CAPTURE) == 0);      /* statistics older than it */
    CHECK(f.a.unknown == 0);
    CHECK(writers_judge(&f.a, &f.d, 1, WSRC_CAPTURE | WSRC_STATEMENTS) == 1);
    CHECK(strstr(named(&f, "legacy batch")->why, "seen writing old (stats) since"));
    CHECK(writers_judge(&f.a, &f.d, 1, WSRC_STATEMENTS) == 0);   /* judged once */
    CHECK(f.a.unknown == 1);
    close_fixture(&f);
}

TEST(a_statement_that_writes_nothing_is_not_writing_old)
{
    struct fixture f;
    open_fixture(&f, WSRC_CAPTURE);
    struct writer_stmt rd = {WSRC_CAPTURE, "", "report", NULL, "SELECT …", NULL, 0, 1, 0, 0};
    CHECK(writers_observe(&f.a, &f.d, &rd) == 0);
    CHECK(writers_judge(&f.a, &f.d, 1, WSRC_CAPTURE) == 1);   /* legacy batch only */
    CHECK(!writers_is_unknown(named(&f, "report")));
    close_fixture(&f);
}

/* The journal's side: a ceremony on RUNBOOK, fed events. */
static void feed(struct session *s, int64_t seq, const char *kind, const char *body)
{
    char *copy = strdup(body);
    struct journal_event ev = {.seq = seq, .ts_ms = 1796256000000LL + seq, .actor = "cutover",
                               .os_user = "t", .kind = kind, .body = copy};
    CHECK(session_apply(s, &ev) == 0);
    free(copy);
}

static void audit_lists(struct session *s, int64_t seq, const char *sha, const char *seen)
{
    char body[800];
    snprintf(body, sizeof body, "{\"table\":\"orders_legacy\",\"writers\":1,\"unknown\":0,"
             "\"clean\":true,\"runbook_sha256\":\"%s\",\"list\":[{\"writer\":\"legacy batch\","
             "\"seen\":\"%s\",\"ops\":\"update\",\"declared\":true,\"unknown\":false,"
             "\"dual_writes\":false,\"app\":\"legacy-batch\",\"role\":\"legacy\"}]}", sha, seen);
    feed(s, seq, EV_WRITERS, body);
}

TEST(a_declared_writers_unknown_is_cleared_only_by_an_audit_that_looks_again)
{
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("w.md", RUNBOOK, strlen(RUNBOOK), &pr);
    rb_problems_free(&pr);
    CHECK(rb != NULL);
    if (!rb)
        return;
    struct session s;
    session_init(&s, rb);
    feed(&s, 1, EV_UNKNOWN_WRITER, "{\"writer\":\"legacy batch\",\"seen\":\"stats+capture\","
         "\"why\":\"declared as not dual-writing (old only), seen writing old\"}");
    CHECK(writersfold_open(&s.wf) == 1);
    audit_lists(&s, 2, rb->sha256, "-");               /* not seen at all */
    CHECK(writersfold_open(&s.wf) == 1);
    audit_lists(&s, 3, rb->sha256, "stats");           /* no capture this time */
    CHECK(writersfold_open(&s.wf) == 1);
    audit_lists(&s, 4, rb->sha256, "stats+capture");   /* seen by both, and fine */
    CHECK(writersfold_open(&s.wf) == 0);
    CHECK(strstr(s.wf.unknown[0].resolution, "declared as `legacy batch`") != NULL);
    session_free(&s);
    runbook_free(rb);
}

/* A writer known by its statement: the statistics know no application,
 * and a shared role is another writer's; the statement's text decides. */
TEST(a_statement_pattern_names_the_writer_before_its_role)
{
    static const char rb_text[] =
        "# W\n\n## Roles\n- commander: A\n\n## Systems\n"
        "- old: postgres `x` table `orders_legacy`\n- new: postgres `y` table `orders`\n\n"
        "## Writers\n"
        "- nightly purge: statement `DELETE FROM orders_legacy WHERE created <` old only\n"
        "- api: role `app_rw` dual-writes\n\n"
        "## Phase 1: X {readonly}\n- [ ] commander: audit `writers`\n";
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("w.md", rb_text, strlen(rb_text), &pr);
    rb_problems_free(&pr);
    struct writers_decls d = {0};
    struct writers_audit a = {0};
    struct code_scan none = {0};
    CHECK(rb && writers_parse(rb, &d) == 0 && d.n_problems == 0);
    CHECK(writers_audit(&d, &none, &a) == 0);
    struct writer_stmt purge = {WSRC_STATEMENTS, NULL, "app_rw", NULL,
                                "DELETE FROM orders_legacy WHERE created < $1", NULL,
                                PGW_DELETE, 1, 40, 0};
    struct writer_stmt api = {WSRC_STATEMENTS, NULL, "app_rw", NULL,
                              "INSERT INTO orders_legacy (id) VALUES ($1)", NULL, PGW_INSERT, 9, 9, 0};
    struct writer_stmt ghost = {WSRC_STATEMENTS, NULL, "ghost", NULL,
                                "UPDATE orders_legacy SET paid = $1", NULL, PGW_UPDATE, 2, 2, 0};
    CHECK(writers_observe(&a, &d, &purge) == 0 && writers_observe(&a, &d, &api) == 0 &&
          writers_observe(&a, &d, &ghost) == 0);
    const struct writer_seen *p = NULL, *q = NULL, *g = NULL;
    for (size_t i = 0; i < a.n; i++) {
        if (strcmp(a.v[i].name, "nightly purge") == 0)
            p = &a.v[i];
        else if (strcmp(a.v[i].name, "api") == 0)
            q = &a.v[i];
        else if (strcmp(a.v[i].role, "ghost") == 0)
            g = &a.v[i];
    }
    CHECK(p && p->ops == PGW_DELETE && p->rows == 40 && !writers_is_unknown(p));
    CHECK(q && q->ops == PGW_INSERT && q->rows == 9 && !writers_is_unknown(q));
    CHECK(g && g->decl == NULL && writers_is_unknown(g));   /* not declared */
    writers_audit_free(&a);
    writers_decls_free(&d);
    runbook_free(rb);
}

RUN_TESTS(T(a_declared_writers_unknown_is_cleared_only_by_an_audit_that_looks_again),
          T(an_old_only_writer_seen_writing_during_dual_write_is_unknown),
          T(not_before_dual_write_nor_from_an_undated_source),
          T(a_statement_that_writes_nothing_is_not_writing_old),
          T(a_statement_pattern_names_the_writer_before_its_role))
