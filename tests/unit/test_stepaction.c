/* test_stepaction.c — steps that are gates, as the fold sees them: the ramp
 * step done only when the flag reads back its last step (not when it is
 * asked for), a backfill of the runbook's table, a compare without
 * divergence, a passed preflight; a result that came before its step's
 * turn completes the step when the turn comes; an override completes a
 * backfill step but never the ramp step, and overrides no ramp guard;
 * the ramp waits for the first open step before it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/ceremony.h"
#include "core/events.h"
#include "core/ramp.h"
#include "core/session.h"
#include "core/stepaction.h"

static const char *RUNBOOK =
    "# Gates\n\n## Roles\n- commander: Ana\n- dba: Bo\n- flags: Cy\n\n"
    "## Systems\n- metrics: prometheus `http://127.0.0.1:9`\n"
    "- new: sqlite `new.db` table `orders`\n\n"
    "## Signals\n- err: `e`\n\n"
    "## Abort criteria\n- abort if err > 1% for 30s\n\n"
    "## Ramp\n- 1% for 10m\n- 100%\n\n"
    "## Phase 1: Data\n- [ ] dba: preflight `preflight` {#pre}\n"
    "- [ ] dba: copy `backfill` {#copy}\n- [ ] dba: compare `compare` {#cmp}\n\n"
    "## Phase 2: Ceremony\n- [ ] commander: go {#go}\n"
    "- [ ] dba: look around {#look any order}\n"
    "- [ ] flags: ramp `ramp` {#ramp}\n- [ ] commander: end {#end}\n\n"
    "## Rollback\n### Phase 1\nnothing\n### Phase 2\nflip back\n";

struct fixture {
    struct runbook *rb;
    struct session s;
    int64_t seq;
};

static void setup(struct fixture *f)
{
    struct rb_problems pr = {0};
    f->rb = runbook_parse("gates.md", RUNBOOK, strlen(RUNBOOK), &pr);
    for (size_t i = 0; i < pr.n; i++)
        printf("  problem %d: %s\n", pr.v[i].line, pr.v[i].message);
    CHECK(f->rb && pr.n_errors == 0);
    rb_problems_free(&pr);
    session_init(&f->s, f->rb);
    f->seq = 0;
}

static void teardown(struct fixture *f)
{
    session_free(&f->s);
    runbook_free(f->rb);
}

static int event_as(struct fixture *f, const char *actor, const char *kind, const char *body)
{
    struct journal_event ev = {.seq = ++f->seq, .ts_ms = 1000 * f->seq, .actor = actor,
                               .os_user = "t", .kind = kind, .body = body};
    return session_apply(&f->s, &ev);
}

static int event(struct fixture *f, const char *kind, const char *body)
{
    return event_as(f, "engine", kind, body);
}

static void ack(struct fixture *f, const char *step, const char *name, const char *role)
{
    char *b = events_ack_body(step, name, role);
    event(f, EV_ACK, b);
    free(b);
}

static int done(const struct fixture *f, const char *step)
{
    return f->s.acks[runbook_step_index(f->rb, step)].acked;
}

static const char *by(const struct fixture *f, const char *step)
{
    return f->s.acks[runbook_step_index(f->rb, step)].role;
}

static void data_done(struct fixture *f)
{
    event(f, EV_PREFLIGHT, "{\"passed\":true}");
    event(f, EV_BACKFILL, "{\"job\":\"backfill:orders\",\"rows\":5,\"done\":true}");
    event(f, EV_COMPARE, "{\"rows_old\":5,\"rows_new\":5,\"divergent\":0,\"diverged\":false}");
}

static void all_clear(struct fixture *f)
{
    char *b = events_criterion_body(0, f->rb->criteria[0].text, "x", "ok", 1, 0, NAN, NAN, "ok");
    event(f, EV_CRITERION, b);
    free(b);
    event(f, EV_REHEARSAL, "{\"passed\":true,\"summary\":\"fine\"}");
}

static void to_percent(struct fixture *f, int step, double pct, int read_back)
{
    char b[128];
    snprintf(b, sizeof b, "{\"step\":%d,\"percent\":%g}", step, pct);
    event(f, EV_RAMP_ADVANCE, b);
    snprintf(b, sizeof b, "{\"percent\":%g,\"purpose\":\"advance\",\"ok\":true}", pct);
    event(f, EV_FLAG_SET, b);
    if (read_back)
        event(f, EV_FLAG_READ, b);
}

TEST(the_data_steps_complete_by_their_results_as_the_engine)
{
    struct fixture f;
    setup(&f);
    event(&f, EV_PREFLIGHT, "{\"passed\":false,\"summary\":\"new: no answer\"}");
    CHECK(!done(&f, "pre"));
    event(&f, EV_PREFLIGHT, "{\"passed\":true}");
    CHECK(done(&f, "pre"));
    CHECK_STR(by(&f, "pre"), STEPACTION_ENGINE_ROLE);
    event(&f, EV_BACKFILL, "{\"job\":\"backfill:orders\",\"rows\":5,\"done\":false}");
    CHECK(!done(&f, "copy"));
    event(&f, EV_BACKFILL, "{\"job\":\"backfill:other\",\"rows\":5,\"done\":true}");
    CHECK(!done(&f, "copy"));   /* another table's job */
    event(&f, EV_BACKFILL, "{\"job\":\"backfill:orders\",\"rows\":9,\"done\":true}");
    CHECK(done(&f, "copy"));
    event(&f, EV_COMPARE, "{\"rows_old\":5,\"rows_new\":5,\"divergent\":1,\"diverged\":true}");
    CHECK(!done(&f, "cmp"));
    event(&f, EV_COMPARE, "{\"rows_old\":5,\"rows_new\":5,\"divergent\":0,\"diverged\":false}");
    CHECK(done(&f, "cmp") && f.s.current_phase == 1);
    teardown(&f);
}

TEST(a_result_before_its_turn_completes_the_step_when_the_turn_comes)
{
    struct fixture f;
    setup(&f);
    event(&f, EV_COMPARE, "{\"rows_old\":5,\"rows_new\":5,\"divergent\":0}");
    event(&f, EV_BACKFILL, "{\"job\":\"backfill:orders\",\"rows\":5,\"done\":true}");
    CHECK(!done(&f, "copy") && !done(&f, "cmp"));   /* the preflight comes first */
    event(&f, EV_PREFLIGHT, "{\"passed\":true}");
    CHECK(done(&f, "pre") && done(&f, "copy") && done(&f, "cmp"));
    teardown(&f);
}

TEST(the_ramp_step_is_done_when_the_last_step_reads_back_not_when_asked)
{
    struct fixture f;
    setup(&f);
    data_done(&f);
    ack(&f, "go", "Ana", "commander");
    all_clear(&f);
    to_percent(&f, 0, 1, 1);
    CHECK(!done(&f, "ramp"));
    to_percent(&f, 1, 100, 0);
    CHECK(f.s.ramp.status == RAMP_SETTING && !done(&f, "ramp"));   /* asked, not confirmed */
    event(&f, EV_FLAG_READ, "{\"percent\":100,\"purpose\":\"advance\",\"ok\":true}");
    CHECK(f.s.ramp.status == RAMP_COMPLETE && done(&f, "ramp"));
    CHECK_STR(by(&f, "ramp"), STEPACTION_ENGINE_ROLE);
    CHECK(!done(&f, "end") && f.s.current_phase == 1);
    teardown(&f);
}

TEST(an_ack_of_an_action_step_is_refused_with_what_completes_it)
{
    struct fixture f;
    setup(&f);
    data_done(&f);
    ack(&f, "go", "Ana", "commander");
    char why[400];
    CHECK(ceremony_ack_decide(&f.s, "ramp", "Cy", "flags", why, sizeof why) != 0);
    CHECK(strstr(why, "step ramp completes itself when the ramp reaches 100 %") != NULL);
    CHECK(ceremony_ack_decide(&f.s, "go", "Ana", "commander", why, sizeof why) != 0);
    CHECK(strstr(why, "already") != NULL);
    teardown(&f);
}

TEST(an_override_completes_a_data_step_never_the_ramp_and_guards_nothing_of_the_ramp)
{
    struct fixture f;
    setup(&f);
    char why[400];
    CHECK(stepaction_override_decide(&f.s, "copy", "commander", "known", why, sizeof why) != 0);
    CHECK(strstr(why, "comes after step pre") != NULL);
    event(&f, EV_PREFLIGHT, "{\"passed\":true}");
    CHECK(stepaction_override_decide(&f.s, "copy", "dba", "known", why, sizeof why) != 0);
    CHECK(stepaction_override_decide(&f.s, "copy", "commander", "  ", why, sizeof why) != 0);
    CHECK(stepaction_override_decide(&f.s, "copy", "commander", "known", why, sizeof why) == 0);
    CHECK(stepaction_override_decide(&f.s, "ramp", "commander", "sure", why, sizeof why) != 0);
    CHECK(strstr(why, "traffic either moved or not") != NULL);
    CHECK(event_as(&f, "Ana/commander", EV_OVERRIDE,
                   "{\"guard\":\"step:copy\",\"reason\":\"copied by hand\"}") == 0);
    CHECK(done(&f, "copy"));
    CHECK_STR(f.s.acks[runbook_step_index(f.rb, "copy")].name, "Ana");
    CHECK_STR(by(&f, "copy"), STEPACTION_OVERRIDE_ROLE);
    CHECK(!f.s.ramp.override_active);   /* the rehearsal's guard still stands */
    /* an override of the ramp step in a journal is a fault and completes nothing */
    CHECK(event_as(&f, "Ana/commander", EV_OVERRIDE, "{\"guard\":\"step:ramp\",\"reason\":\"x\"}") != 0);
    CHECK(!done(&f, "ramp"));
    teardown(&f);
}

TEST(the_ramp_waits_for_the_first_open_step_before_it)
{
    struct fixture f;
    setup(&f);
    all_clear(&f);
    struct ramp_decision d = ramp_decide(f.rb, &f.s, 1000 * f.seq);
    CHECK(d.action == RA_NONE && strstr(d.why, "which has not started: step pre (dba: preflight) is open"));
    data_done(&f);
    d = ramp_decide(f.rb, &f.s, 1000 * f.seq);
    CHECK(d.action == RA_NONE);
    CHECK(strstr(d.why, "the ramp starts when the steps before step ramp are done: step go "
                        "(commander: go) is open") != NULL);
    ack(&f, "go", "Ana", "commander");   /* {any order} `look` holds nothing back */
    d = ramp_decide(f.rb, &f.s, 1000 * f.seq);
    CHECK(d.action == RA_READY && d.next_step == 0);
    teardown(&f);
}

TEST(a_refold_of_a_copy_decides_the_same)
{
    struct fixture f;
    setup(&f);
    event(&f, EV_BACKFILL, "{\"job\":\"backfill:orders\",\"rows\":5,\"done\":true}");
    struct session c;
    CHECK(session_copy(&c, &f.s) == 0);
    struct journal_event ev = {.seq = ++f.seq, .ts_ms = 1, .actor = "engine", .os_user = "t",
                               .kind = EV_PREFLIGHT, .body = "{\"passed\":true}"};
    session_apply(&c, &ev);
    CHECK(c.acks[0].acked && c.acks[1].acked && !c.acks[2].acked);
    session_free(&c);
    teardown(&f);
}

RUN_TESTS(T(the_data_steps_complete_by_their_results_as_the_engine),
          T(a_result_before_its_turn_completes_the_step_when_the_turn_comes),
          T(the_ramp_step_is_done_when_the_last_step_reads_back_not_when_asked),
          T(an_ack_of_an_action_step_is_refused_with_what_completes_it),
          T(an_override_completes_a_data_step_never_the_ramp_and_guards_nothing_of_the_ramp),
          T(the_ramp_waits_for_the_first_open_step_before_it),
          T(a_refold_of_a_copy_decides_the_same))
