/* test_noreturn.c — points of no return in the fold and their pure rules:
 * the two people (owner's ack, commander's approve, either order, never one
 * person), the conditions before (ramp at its last step for Monitoring:,
 * criteria clear, exit gates open) and their override, the plans voided
 * after; and presence (who is on which console). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/ceremony.h"
#include "core/events.h"
#include "core/noreturn.h"
#include "core/presence.h"
#include "core/session.h"

static const char RUNBOOK[] =
    "# NR\n\n## Roles\n- commander: Ann Lee\n- dba: Bob Ruiz\n- comms: Cy\n\n"
    "## Systems\n- metrics: scrape `http://127.0.0.1:1/m`\n- flag: flagd `f.json` flag `f`\n\n"
    "## Signals\n- x: `x`\n- y: `y`\n\n"
    "## Abort criteria\n- abort if x > 1%\n\n"
    "## Ramp\n- 100%\n\nMonitoring: 10m\n\n"
    "## Phase 4: Cutover\n- [ ] commander: ramp `ramp`\n\n"
    "## Phase 5: Cleanup {gate: y < 0.1% for 1h}\n"
    "- [ ] dba: make old read-only {#ro irreversible}\n"
    "- [ ] dba: drop the columns {#drop irreversible}\n"
    "- [ ] comms: announce\n\n"
    "## Rollback\n### Phase 4\nFlip back.\n### Phase 5\nRestore writes.\n";

static struct runbook *parse(void)
{
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("t.md", RUNBOOK, sizeof RUNBOOK - 1, &pr);
    for (size_t i = 0; i < pr.n; i++)
        if (!pr.v[i].warning)
            printf("  unexpected problem: %d: %s\n", pr.v[i].line, pr.v[i].message);
    CHECK(rb && pr.n_errors == 0 && rb->ramp_monitoring_ms == 600000);
    rb_problems_free(&pr);
    return rb;
}

static int64_t seq;

static int apply_at(struct session *s, int64_t ts, const char *kind, const char *actor,
                    const char *body)
{
    struct journal_event ev = {.seq = ++seq, .ts_ms = ts, .actor = actor, .os_user = "t",
                               .kind = kind, .body = body};
    return session_apply(s, &ev);
}

static int person_event(struct session *s, int64_t ts, const char *kind, const char *step,
                        const char *name, const char *role)
{
    char body[200], actor[100];
    snprintf(body, sizeof body, "{\"step\":\"%s\",\"name\":\"%s\",\"role\":\"%s\"}", step, name,
             role);
    snprintf(actor, sizeof actor, "%s/%s", name, role);
    return apply_at(s, ts, kind, actor, body);
}

/* The ramp at 100 % from ts, the criterion ok, the exit gate open. */
static void all_clear(struct session *s, const struct runbook *rb, int64_t ts)
{
    char body[300];
    apply_at(s, ts, EV_RAMP_ADVANCE, "engine", "{\"percent\":100,\"step\":0}");
    apply_at(s, ts, EV_FLAG_READ, "engine", "{\"percent\":100,\"purpose\":\"advance\",\"ok\":true}");
    snprintf(body, sizeof body, "{\"criterion\":\"%s\",\"index\":0,\"from\":\"unjudged\",\"to\":\"ok\"}",
             rb->criteria[0].text);
    apply_at(s, ts, EV_CRITERION, "engine", body);
    apply_at(s, ts, EV_GATE, "engine", "{\"id\":\"gate:phase5\",\"state\":\"open\",\"why\":\"open\"}");
}

TEST(conditions_are_each_met_or_not_with_the_time_left)
{
    struct runbook *rb = parse();
    struct session s;
    struct noreturn_cond c[NORETURN_CONDS];
    char why[600];
    seq = 0;
    CHECK(session_init(&s, rb) == 0);
    size_t ro = (size_t)runbook_step_index(rb, "ro");
    CHECK(noreturn_conditions(&s, ro, 0, c) == 4);
    for (size_t k = 0; k < 4; k++)
        CHECK(!c[k].met);
    CHECK(noreturn_condition_refusal(&s, ro, 0, why, sizeof why) != 0);
    CHECK(strstr(why, "it waits for the ramp to hold at 100%") != NULL);
    CHECK(strstr(why, "the monitoring period of 10m at 100% has not begun") != NULL);
    CHECK(strstr(why, "criterion \"abort if x > 1%\" is not clear (not judged yet)") != NULL);
    all_clear(&s, rb, 1000000);
    noreturn_conditions(&s, ro, 1000000 + 300000, c);
    CHECK(c[0].met && !c[1].met && c[2].met && c[3].met);
    CHECK_STR(c[1].state, "5m left");
    CHECK(noreturn_condition_refusal(&s, ro, 1000000 + 300000, why, sizeof why) != 0);
    CHECK(strstr(why, "has 5m left") != NULL);
    CHECK(noreturn_condition_refusal(&s, ro, 1000000 + 600000, why, sizeof why) == 0);
    /* a step that is not irreversible has no conditions */
    CHECK(noreturn_condition_refusal(&s, ro + 2, 0, why, sizeof why) == 0);
    session_free(&s);
    runbook_free(rb);
}

TEST(the_override_lifts_the_conditions_and_guards_no_ramp)
{
    struct runbook *rb = parse();
    struct session s;
    char why[600];
    seq = 0;
    CHECK(session_init(&s, rb) == 0);
    size_t ro = (size_t)runbook_step_index(rb, "ro");
    CHECK(noreturn_override_decide(&s, "ro", "dba", "x", why, sizeof why) != 0);
    CHECK(noreturn_override_decide(&s, "ro", "commander", "", why, sizeof why) != 0);
    CHECK(noreturn_override_decide(&s, "5.3", "commander", "x", why, sizeof why) != 0);
    CHECK(noreturn_override_decide(&s, "ro", "commander", "held by hand", why, sizeof why) == 0);
    CHECK(apply_at(&s, 5, EV_OVERRIDE, "Ann Lee/commander",
                   "{\"guard\":\"noreturn:ro\",\"reason\":\"held by hand\"}") == 0);
    CHECK(s.nr[ro].overridden && strcmp(s.nr[ro].override_reason, "held by hand") == 0);
    CHECK(!s.ramp.override_active);   /* not the rehearsal's override */
    CHECK(noreturn_condition_refusal(&s, ro, 0, why, sizeof why) == 0);
    CHECK(noreturn_override_decide(&s, "ro", "commander", "again", why, sizeof why) != 0);
    /* an override of a step that is not irreversible is a fault */
    CHECK(apply_at(&s, 6, EV_OVERRIDE, "Ann Lee/commander",
                   "{\"guard\":\"noreturn:5.3\",\"reason\":\"x\"}") != 0);
    session_free(&s);
    runbook_free(rb);
}

TEST(two_people_in_either_order_never_one)
{
    struct runbook *rb = parse();
    struct session s, copy;
    char why[600];
    seq = 0;
    CHECK(session_init(&s, rb) == 0);
    size_t ro = (size_t)runbook_step_index(rb, "ro"), drop = ro + 1;
    CHECK(person_event(&s, 1, EV_ACK, "4.1", "Ann Lee", "commander") == 0);   /* phase 4 done */
    CHECK(noreturn_approve_decide(&s, "drop", "Ann Lee", "commander", why, sizeof why) != 0);
    CHECK(strstr(why, "is not reached: step ro") != NULL);
    CHECK(noreturn_approve_decide(&s, "ro", "Bob Ruiz", "dba", why, sizeof why) != 0);
    CHECK(noreturn_approve_decide(&s, "5.3", "Ann Lee", "commander", why, sizeof why) != 0);
    CHECK(strstr(why, "not {irreversible}") != NULL);
    /* owner first: the ack is held */
    CHECK(person_event(&s, 2, EV_ACK, "ro", "Bob Ruiz", "dba") == 0);
    CHECK(!s.acks[ro].acked && s.nr[ro].owner_acked && !noreturn_taken(&s, why, sizeof why));
    CHECK(ceremony_ack_decide(&s, "ro", "Bob Ruiz", "dba", why, sizeof why) != 0);
    CHECK(strstr(why, "waits for the commander's approval") != NULL);
    CHECK(noreturn_approve_decide(&s, "ro", "Ann Lee", "commander", why, sizeof why) == 0);
    CHECK(session_copy(&copy, &s) == 0);
    CHECK(person_event(&s, 3, EV_APPROVE, "ro", "Ann Lee", "commander") == 0);
    CHECK(s.acks[ro].acked && strcmp(s.acks[ro].name, "Bob Ruiz") == 0 && s.acks[ro].ts_ms == 3);
    CHECK(noreturn_taken(&s, why, sizeof why) && strstr(why, "step ro") != NULL);
    CHECK(!copy.acks[ro].acked && copy.nr[ro].owner_acked && !copy.nr[ro].approved);
    session_free(&copy);
    CHECK(noreturn_approve_decide(&s, "ro", "Ann Lee", "commander", why, sizeof why) != 0);
    /* commander first: the owner's ack completes it */
    CHECK(person_event(&s, 4, EV_APPROVE, "drop", "Ann Lee", "commander") == 0);
    CHECK(!s.acks[drop].acked && s.nr[drop].approved);
    CHECK(ceremony_ack_decide(&s, "drop", "Bob Ruiz", "dba", why, sizeof why) == 0);
    CHECK(person_event(&s, 5, EV_ACK, "drop", "Bob Ruiz", "dba") == 0);
    CHECK(s.acks[drop].acked);
    /* an approval of a step that is not irreversible is a fault */
    CHECK(person_event(&s, 6, EV_APPROVE, "5.3", "Ann Lee", "commander") != 0);
    session_free(&s);
    runbook_free(rb);
}

TEST(one_person_in_both_roles_is_refused_both_ways)
{
    struct runbook *rb = parse();
    struct session s;
    char why[600];
    seq = 0;
    CHECK(session_init(&s, rb) == 0);
    person_event(&s, 1, EV_ACK, "4.1", "Ann Lee", "commander");
    person_event(&s, 2, EV_ACK, "ro", "Ann Lee", "dba");
    CHECK(noreturn_approve_decide(&s, "ro", "Ann Lee", "commander", why, sizeof why) != 0);
    CHECK(strstr(why, "needs two people: Ann Lee acknowledged it as dba") != NULL);
    /* the other order, on a fresh fold */
    session_free(&s);
    CHECK(session_init(&s, rb) == 0);
    person_event(&s, 1, EV_ACK, "4.1", "Ann Lee", "commander");
    person_event(&s, 2, EV_APPROVE, "ro", "Ann Lee", "commander");
    CHECK(ceremony_ack_decide(&s, "ro", "Ann Lee", "dba", why, sizeof why) != 0);
    CHECK(strstr(why, "needs two people: Ann Lee approved it as the commander") != NULL);
    CHECK(ceremony_ack_decide(&s, "ro", "Bob Ruiz", "dba", why, sizeof why) == 0);
    session_free(&s);
    runbook_free(rb);
}

TEST(the_plans_of_its_phase_and_earlier_ones_are_void_after)
{
    struct runbook *rb = parse();
    struct session s;
    char why[600], list[100];
    seq = 0;
    CHECK(session_init(&s, rb) == 0);
    size_t ro = (size_t)runbook_step_index(rb, "ro");
    CHECK(noreturn_voids(rb, ro, list, sizeof list) == 2);
    CHECK_STR(list, "4, 5");
    CHECK(!noreturn_plan_void(&s, 0, why, sizeof why));
    person_event(&s, 1, EV_ACK, "4.1", "Ann Lee", "commander");
    person_event(&s, 2, EV_ACK, "ro", "Bob Ruiz", "dba");
    CHECK(!noreturn_plan_void(&s, 0, why, sizeof why));   /* one half is not enough */
    person_event(&s, 3, EV_APPROVE, "ro", "Ann Lee", "commander");
    CHECK(noreturn_plan_void(&s, 0, why, sizeof why) && noreturn_plan_void(&s, 1, why, sizeof why));
    CHECK_STR(why, "step ro (make old read-only) was taken");
    session_free(&s);
    runbook_free(rb);
}

TEST(presence_is_who_opened_a_console_and_when_last_seen)
{
    struct runbook *rb = parse();
    struct session s;
    const char *who = NULL;
    seq = 0;
    CHECK(session_init(&s, rb) == 0);
    apply_at(&s, 10, EV_CONSOLE_OPEN, "Ann Lee/commander",
             "{\"name\":\"Ann Lee\",\"role\":\"commander\",\"mode\":\"run\",\"account\":\"ann\"}");
    apply_at(&s, 20, EV_CONSOLE_OPEN, "Bob Ruiz/dba",
             "{\"name\":\"Bob Ruiz\",\"role\":\"dba\",\"mode\":\"join\"}");
    CHECK(presence_role_open(&s.presence, "commander") == 1);
    CHECK(presence_role_open(&s.presence, "dba") == 1);
    CHECK(presence_role_open(&s.presence, "comms") == 0);
    /* the first open step whose role nobody holds: comms' announce */
    CHECK(presence_absent_step(&s, 0, &who) == 3 && strcmp(who, "comms") == 0);
    apply_at(&s, 30, EV_NOTE, "Bob Ruiz/dba", "{\"text\":\"here\"}");
    const struct presence_person *b = presence_find(&s.presence, "Bob Ruiz", "dba");
    CHECK(b && b->last_seen_ms == 30 && b->open == 1 && strcmp(b->mode, "join") == 0);
    CHECK(strcmp(presence_find(&s.presence, "Ann Lee", "commander")->account, "ann") == 0);
    apply_at(&s, 40, EV_CONSOLE_CLOSE, "Bob Ruiz/dba", "{\"name\":\"Bob Ruiz\",\"role\":\"dba\"}");
    CHECK(presence_role_open(&s.presence, "dba") == 0 && b->closed_ms == 40);
    /* now the dba's irreversible step is the first whose role is absent */
    CHECK(presence_absent_step(&s, 0, &who) == 1 && strcmp(who, "dba") == 0);
    /* a close without an open never goes below zero; the engine is no one */
    apply_at(&s, 50, EV_CONSOLE_CLOSE, "Bob Ruiz/dba", "{\"name\":\"Bob Ruiz\",\"role\":\"dba\"}");
    apply_at(&s, 60, EV_GATE, "engine", "{\"id\":\"gate:phase5\",\"state\":\"open\"}");
    CHECK(b->open == 0 && s.presence.n == 2);
    session_free(&s);
    runbook_free(rb);
}

RUN_TESTS(T(conditions_are_each_met_or_not_with_the_time_left),
          T(the_override_lifts_the_conditions_and_guards_no_ramp),
          T(two_people_in_either_order_never_one),
          T(one_person_in_both_roles_is_refused_both_ways),
          T(the_plans_of_its_phase_and_earlier_ones_are_void_after),
          T(presence_is_who_opened_a_console_and_when_last_seen))
