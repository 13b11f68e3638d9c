/* test_gatefold.c — gates in the fold: verdicts and overrides folded from
 * events, a phase completed (and latched) only with its exit gates open,
 * the acknowledgement rules that read them, and a signal's history read
 * back from a journal (gatehist_journal). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/ceremony.h"
#include "core/events.h"
#include "core/gatehist.h"
#include "core/gateoverride.h"
#include "core/session.h"

static const char RUNBOOK[] =
    "# Gated\n\n## Roles\n- commander: Ann Lee\n- dba: Bob Ruiz\n\n"
    "## Systems\n- metrics: scrape `http://127.0.0.1:1/m`\n\n"
    "## Signals\n- x: `x`\n- y: `y`\n\n"
    "## Phase 2: Dual-write {gate: y < 0.1% over 7d}\n"
    "- [ ] dba: hold it {gate: x < 1% for 1h}\n\n"
    "## Phase 3: Shadow reads\n- [ ] dba: compare\n\n"
    "## Rollback\n### Phase 2\nStop.\n### Phase 3\nStop.\n";

static struct runbook *parse(void)
{
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("t.md", RUNBOOK, sizeof RUNBOOK - 1, &pr);
    for (size_t i = 0; i < pr.n; i++)
        if (!pr.v[i].warning)
            printf("  unexpected problem: %d: %s\n", pr.v[i].line, pr.v[i].message);
    CHECK(rb && pr.n_errors == 0 && rb->n_gates == 2);
    rb_problems_free(&pr);
    return rb;
}

static int64_t seq;

static int apply(struct session *s, const char *kind, const char *actor, const char *body)
{
    seq++;   /* before the initialiser: its items are not sequenced */
    struct journal_event ev = {.seq = seq, .ts_ms = 1000 * seq, .actor = actor,
                               .os_user = "t", .kind = kind, .body = body};
    return session_apply(s, &ev);
}

static void verdict(struct session *s, const char *id, const char *state, const char *why)
{
    char body[300];
    snprintf(body, sizeof body,
             "{\"id\":\"%s\",\"state\":\"%s\",\"worst\":0.05,\"covered\":0.25,"
             "\"source\":\"journal\",\"why\":\"%s\"}", id, state, why);
    apply(s, EV_GATE, "engine", body);
}

static void ack(struct session *s, const char *step)
{
    char *b = events_ack_body(step, "Bob Ruiz", "dba");
    apply(s, EV_ACK, "Bob Ruiz/dba", b);
    free(b);
}

TEST(a_step_is_taken_only_while_its_gate_is_open_and_fresh)
{
    struct runbook *rb = parse();
    struct session s;
    char why[400];
    seq = 0;
    CHECK(session_init(&s, rb) == 0);
    CHECK(ceremony_ack_decide(&s, "2.1", "Bob Ruiz", "dba", why, sizeof why) != 0);
    CHECK(strstr(why, "has not been judged yet") != NULL);
    verdict(&s, "gate:2.1", "closed", "closed: x = 5 % at 10:00:00, not < 1 %");
    CHECK(ceremony_ack_decide(&s, "2.1", "Bob Ruiz", "dba", why, sizeof why) != 0);
    CHECK(strstr(why, "x = 5 %") != NULL);
    verdict(&s, "gate:2.1", "open", "open");
    CHECK(ceremony_ack_decide(&s, "2.1", "Bob Ruiz", "dba", why, sizeof why) == 0);
    CHECK(s.gf.gates[1].judged_ms == 2000 && fabs(s.gf.gates[1].worst - 0.05) < 1e-12);
    CHECK(gatefold_fresh_refusal(&s, 0, 2000 + GATE_FRESH_MS, why, sizeof why) == 0);
    CHECK(gatefold_fresh_refusal(&s, 0, 2001 + GATE_FRESH_MS, why, sizeof why) != 0);
    CHECK(strstr(why, "no console is driving") != NULL);
    session_free(&s);
    runbook_free(rb);
}

TEST(a_phase_completes_with_its_exit_gate_and_stays_complete)
{
    struct runbook *rb = parse();
    struct session s, copy;
    char why[400];
    seq = 0;
    CHECK(session_init(&s, rb) == 0);
    verdict(&s, "gate:2.1", "open", "open");
    ack(&s, "2.1");
    CHECK(s.acks[0].acked && s.current_phase == 0 && !session_phase_complete(&s, 0));
    verdict(&s, "gate:phase2", "insufficient", "insufficient history: 25% of 7d covered");
    CHECK(s.current_phase == 0);
    CHECK(ceremony_ack_decide(&s, "3.1", "Bob Ruiz", "dba", why, sizeof why) != 0);
    CHECK(strstr(why, "cannot complete: gate gate:phase2") != NULL);
    CHECK(strstr(why, "25% of 7d covered") != NULL);
    verdict(&s, "gate:phase2", "open", "open");
    CHECK(s.current_phase == 1 && session_phase_complete(&s, 0));
    CHECK(session_copy(&copy, &s) == 0);
    verdict(&s, "gate:phase2", "closed", "closed");
    CHECK(s.current_phase == 1 && session_phase_complete(&s, 0));   /* latched */
    CHECK(ceremony_ack_decide(&s, "3.1", "Bob Ruiz", "dba", why, sizeof why) == 0);
    CHECK(copy.gf.gates[0].state == GATE_OPEN && copy.gf.phase_done[0]);
    session_free(&copy);
    session_free(&s);
    runbook_free(rb);
}

TEST(only_the_commander_overrides_a_gate)
{
    struct runbook *rb = parse();
    struct session s;
    char why[400];
    seq = 0;
    CHECK(session_init(&s, rb) == 0);
    verdict(&s, "gate:2.1", "open", "open");
    ack(&s, "2.1");
    verdict(&s, "gate:phase2", "insufficient", "insufficient history");
    CHECK(gateoverride_decide(&s, "dba", "phase2", "why not", why, sizeof why) != 0);
    CHECK(gateoverride_decide(&s, "commander", "phase2", "", why, sizeof why) != 0);
    CHECK(gateoverride_decide(&s, "commander", "phase9", "r", why, sizeof why) != 0);
    CHECK(gateoverride_decide(&s, "commander", "phase2", "r", why, sizeof why) == 0);
    /* a hand-made row by a dba is a fault, and changes nothing */
    CHECK(apply(&s, EV_OVERRIDE, "Bob Ruiz/dba", "{\"guard\":\"gate:phase2\",\"reason\":\"r\"}") != 0);
    CHECK(s.current_phase == 0 && !s.gf.gates[0].overridden);
    CHECK(apply(&s, EV_OVERRIDE, "Ann Lee/commander",
                "{\"guard\":\"gate:phase2\",\"reason\":\"checked by hand\"}") == 0);
    CHECK(s.current_phase == 1 && s.gf.gates[0].overridden);
    CHECK_STR(s.gf.gates[0].override_reason, "checked by hand");
    CHECK(!s.ramp.override_active);   /* not the rehearsal's override */
    CHECK(apply(&s, EV_GATE, "engine", "{\"id\":\"gate:nope\",\"state\":\"open\"}") != 0);
    CHECK(apply(&s, EV_GATE, "engine", "{\"id\":\"gate:2.1\",\"state\":\"ajar\"}") != 0);
    session_free(&s);
    runbook_free(rb);
}

TEST(history_is_one_signal_over_the_window_oldest_first)
{
    char path[] = "/tmp/test_gatefold.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    unlink(path);
    struct journal *j;
    struct error err = {{0}};
    CHECK(journal_open(path, JOURNAL_CREATE, &j, &err) == 0);
    struct journal_sample v[] = {
        {.ts_ms = 1000, .signal = "x", .value = 0.5, .has_value = 1, .status = "ok"},
        {.ts_ms = 2000, .signal = "y", .value = 9, .has_value = 1, .status = "ok"},
        {.ts_ms = 3000, .signal = "x", .has_value = 0, .status = "error: down"},
        {.ts_ms = 4000, .signal = "x", .value = 0.7, .has_value = 1, .status = "ok"},
        {.ts_ms = 9000, .signal = "x", .value = 0.9, .has_value = 1, .status = "ok"},
    };
    CHECK(journal_append_samples(j, v, 5, &err) == 0);
    struct gate_points p = {0};
    CHECK(gatehist_journal(j, "x", 1000, 4000, &p, &err) == 0);
    CHECK(p.n == 3 && p.v[0].t_ms == 1000 && p.v[0].value == 0.5 && isnan(p.v[1].value) &&
          p.v[2].t_ms == 4000);
    CHECK(gatehist_journal(j, "y", 0, 10000, &p, &err) == 0);
    CHECK(p.n == 1 && p.v[0].value == 9);
    gate_points_free(&p);
    journal_close(j);
    unlink(path);
    char side[64];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* The ETA's input: the latest opening among the gates still waited for;
 * unknown while one has no verdict or no known opening; none once passed. */
TEST(the_eta_waits_for_the_latest_gate_opening)
{
    struct runbook *rb = parse();
    struct session s;
    seq = 0;
    CHECK(session_init(&s, rb) == 0);
    CHECK(gatefold_earliest_open(&s) == -1);   /* nothing judged yet */
    apply(&s, EV_GATE, "engine",
          "{\"id\":\"gate:2.1\",\"state\":\"closed\",\"opens_at\":5000000,\"why\":\"c\"}");
    CHECK(gatefold_earliest_open(&s) == -1);   /* the phase's gate is still unjudged */
    apply(&s, EV_GATE, "engine",
          "{\"id\":\"gate:phase2\",\"state\":\"insufficient\",\"opens_at\":9000000,\"why\":\"i\"}");
    CHECK(gatefold_earliest_open(&s) == 9000000);
    apply(&s, EV_GATE, "engine",
          "{\"id\":\"gate:phase2\",\"state\":\"insufficient\",\"why\":\"no data now\"}");
    CHECK(gatefold_earliest_open(&s) == -1);   /* no known opening */
    apply(&s, EV_GATE, "engine", "{\"id\":\"gate:phase2\",\"state\":\"open\",\"why\":\"o\"}");
    CHECK(gatefold_earliest_open(&s) == 5000000);
    apply(&s, EV_GATE, "engine", "{\"id\":\"gate:2.1\",\"state\":\"open\",\"why\":\"o\"}");
    CHECK(gatefold_earliest_open(&s) == 0);    /* none waits */
    session_free(&s);
    runbook_free(rb);
}

RUN_TESTS(T(a_step_is_taken_only_while_its_gate_is_open_and_fresh),
          T(a_phase_completes_with_its_exit_gate_and_stays_complete),
          T(only_the_commander_overrides_a_gate),
          T(history_is_one_signal_over_the_window_oldest_first),
          T(the_eta_waits_for_the_latest_gate_opening))
