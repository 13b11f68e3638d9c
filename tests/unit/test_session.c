/* test_session.c — the fold (session_apply), the acknowledgement rules and
 * the ceremony's journal handling (mismatch guard, --force, two consoles). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/ceremony.h"
#include "core/events.h"
#include "core/session.h"

static const char RUNBOOK[] =
    "# Test cutover\n"
    "\n"
    "## Roles\n"
    "- commander: Alice Ng\n"
    "- dba: Bob Ruiz\n"
    "- flags: Carol Diaz\n"
    "\n"
    "## Phase 2: Dual-write\n"
    "- [ ] dba: start the backfill\n"
    "- [ ] flags: enable dual-write\n"
    "\n"
    "## Phase 3: Shadow reads\n"
    "- [ ] dba: compare old and new\n"
    "\n"
    "## Rollback\n"
    "### Phase 2\n"
    "Stop the backfill.\n"
    "### Phase 3\n"
    "Stop shadow reads.\n";

static struct runbook *parse(const char *text)
{
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("test.md", text, strlen(text), &pr);
    for (size_t i = 0; i < pr.n; i++)
        if (!pr.v[i].warning)
            printf("  unexpected problem: %d: %s\n", pr.v[i].line, pr.v[i].message);
    CHECK(rb && pr.n_errors == 0);
    rb_problems_free(&pr);
    return rb;
}

static int64_t seq;

static void apply(struct session *s, const char *kind, const char *actor, char *body)
{
    seq++;   /* before the initialiser: its items are not sequenced */
    struct journal_event ev = {.seq = seq, .ts_ms = 1000 * seq, .actor = actor,
                               .os_user = "test", .kind = kind, .body = body};
    session_apply(s, &ev);
    free(body);
}

static void ack(struct session *s, const char *step, const char *name, const char *role)
{
    apply(s, EV_ACK, "x", events_ack_body(step, name, role));
}

TEST(fold_acks_and_phases)
{
    struct runbook *rb = parse(RUNBOOK);
    struct session s;
    seq = 0;
    CHECK(session_init(&s, rb) == 0);
    CHECK_STR(session_status(&s), "READY");
    CHECK(s.current_phase == 0);
    ack(&s, "2.1", "Bob Ruiz", "dba");
    CHECK(s.acks[0].acked && s.acks[0].seq == 1 && s.acks[0].ts_ms == 1000);
    CHECK_STR(s.acks[0].name, "Bob Ruiz");
    CHECK_STR(session_status(&s), "IN PROGRESS");
    CHECK(s.current_phase == 0);
    ack(&s, "2.2", "Carol Diaz", "flags");
    CHECK(s.current_phase == 1);
    CHECK(session_phase_complete(&s, 0));
    ack(&s, "3.1", "Bob Ruiz", "dba");
    CHECK(s.current_phase == 2);
    CHECK_STR(session_status(&s), "COMPLETE");
    CHECK(s.n_acked == 3 && s.n_events == 3);
    session_free(&s);
    runbook_free(rb);
}

TEST(fold_first_ack_stands_and_junk_is_ignored)
{
    struct runbook *rb = parse(RUNBOOK);
    struct session s;
    seq = 0;
    session_init(&s, rb);
    ack(&s, "2.1", "Bob Ruiz", "dba");
    ack(&s, "2.1", "Someone Else", "dba");
    CHECK_STR(s.acks[0].name, "Bob Ruiz");
    CHECK(s.n_acked == 1);
    ack(&s, "9.9", "Bob Ruiz", "dba");          /* a step of another version */
    apply(&s, EV_ACK, "x", strdup("{not json"));
    apply(&s, "kind_from_the_future", "x", strdup("{\"a\":1}"));
    CHECK(s.n_ignored == 2);
    CHECK(s.n_events == 5);
    CHECK(s.n_acked == 1);
    /* an event folded twice (re-read) changes nothing */
    struct journal_event old = {.seq = 1, .ts_ms = 1, .actor = "x", .kind = EV_ACK,
                                .body = "{\"step\":\"2.2\",\"name\":\"C\",\"role\":\"flags\"}"};
    session_apply(&s, &old);
    CHECK(!s.acks[1].acked && s.n_events == 5);
    session_free(&s);
    runbook_free(rb);
}

TEST(fold_notes_refusals_and_tail)
{
    struct runbook *rb = parse(RUNBOOK);
    struct session s;
    seq = 0;
    session_init(&s, rb);
    apply(&s, EV_NOTE, "Alice Ng/commander", events_note_body("go/no-go: go"));
    apply(&s, EV_ACK_REFUSED, "x", events_ack_refused_body("2.1", "A", "flags", "not yours"));
    CHECK(s.n_notes == 1);
    CHECK_STR(s.newest_note.text, "go/no-go: go");
    CHECK_STR(s.newest_note.actor, "Alice Ng/commander");
    CHECK(s.n_refused == 1);
    for (int i = 0; i < SESSION_TAIL + 38; i++)   /* the ring goes round */
        apply(&s, EV_NOTE, "x", events_note_body("n"));
    int64_t newest = SESSION_TAIL + 40;
    CHECK(s.n_tail == SESSION_TAIL);
    CHECK(session_tail(&s, 0)->seq == newest);
    CHECK(session_tail(&s, SESSION_TAIL - 1)->seq == newest - SESSION_TAIL + 1);
    CHECK(session_tail(&s, SESSION_TAIL) == NULL);
    /* the notes went round the kept ring too; the refused ack is out of
     * it only because more than SESSION_KEPT filtered events followed */
    CHECK(s.n_kept == SESSION_KEPT && s.n_kept_seen == SESSION_TAIL + 40);
    CHECK(session_kept(&s, 0)->seq == newest);
    session_free(&s);
    runbook_free(rb);
}

/* An ack stays within a kind filter's reach after a flood of events no
 * filter takes (the tail's 256 went round: the kept ring did not). */
TEST(the_kept_ring_holds_acks_past_the_tail)
{
    struct runbook *rb = parse(RUNBOOK);
    struct session s;
    seq = 0;
    session_init(&s, rb);
    apply(&s, EV_ACK_REFUSED, "x", events_ack_refused_body("2.1", "A", "flags", "not yours"));
    for (int i = 0; i < SESSION_TAIL + 10; i++)
        apply(&s, EV_FLAG_READ, "engine", strdup("{\"purpose\":\"check\",\"ok\":true}"));
    CHECK(s.n_tail == SESSION_TAIL && session_tail(&s, SESSION_TAIL - 1)->seq > 1);
    CHECK(s.n_kept == 1 && s.n_kept_seen == 1);
    CHECK(session_kept(&s, 0)->seq == 1);
    CHECK_STR(session_kept(&s, 0)->kind, EV_ACK_REFUSED);
    CHECK(session_kept(&s, 1) == NULL);
    session_free(&s);
    runbook_free(rb);
}

/* The tail keeps a runbook event without its text (a whole document),
 * and still reads it as a valid event: the text is emptied, not dropped
 * (a required field missing read "— INVALID: runbook: text …"). */
TEST(the_tail_reads_a_runbook_event_as_valid)
{
    struct runbook *rb = parse(RUNBOOK);
    struct session s;
    seq = 0;
    session_init(&s, rb);
    apply(&s, EV_RUNBOOK, "Alice Ng/commander",
          events_runbook_body("orders.md", rb->sha256, rb->text, rb->title, NULL));
    const struct session_line *l = session_tail(&s, 0);
    CHECK(l && strstr(l->body, "## Roles") == NULL);   /* the document is not kept */
    char text[512];
    struct journal_event ev = {.seq = l->seq, .ts_ms = l->ts_ms, .actor = l->actor,
                               .os_user = "", .kind = l->kind, .body = l->body};
    session_describe(&s, &ev, text, sizeof text);
    CHECK(strstr(text, "runbook loaded") != NULL);
    CHECK(strstr(text, "INVALID") == NULL);
    if (strstr(text, "INVALID"))
        printf("  %s\n", text);
    session_free(&s);
    runbook_free(rb);
}

TEST(ack_rules)
{
    struct runbook *rb = parse(RUNBOOK);
    struct session s;
    char why[256];
    seq = 0;
    session_init(&s, rb);
    CHECK(ceremony_ack_decide(&s, "2.1", "Bob Ruiz", "dba", why, sizeof why) == 0);
    CHECK(ceremony_ack_decide(&s, "2.1", "Carol Diaz", "flags", why, sizeof why) != 0);
    CHECK(strstr(why, "belongs to role dba") != NULL);
    CHECK(ceremony_ack_decide(&s, "7.1", "Bob Ruiz", "dba", why, sizeof why) != 0);
    CHECK(strstr(why, "no step '7.1'") != NULL);
    CHECK(ceremony_ack_decide(&s, "3.1", "Bob Ruiz", "dba", why, sizeof why) != 0);
    CHECK(strstr(why, "phase 2 (Dual-write) is not finished yet: 2 of 2") != NULL);
    ack(&s, "2.1", "Bob Ruiz", "dba");
    CHECK(ceremony_ack_decide(&s, "2.1", "Bob Ruiz", "dba", why, sizeof why) != 0);
    CHECK(strstr(why, "already acknowledged by Bob Ruiz") != NULL);
    session_free(&s);
    runbook_free(rb);
}

TEST(identity_must_match_the_runbook)
{
    struct runbook *rb = parse(RUNBOOK);
    struct error err = {{0}};
    CHECK(ceremony_check_identity(rb, "Bob Ruiz", "dba", &err) == 0);
    CHECK(ceremony_check_identity(rb, "Mallory", "dba", &err) != 0);
    CHECK(strstr(err.msg, "assigns role 'dba' to Bob Ruiz, not to Mallory") != NULL);
    CHECK(ceremony_check_identity(rb, "Bob Ruiz", "janitor", &err) != 0);
    CHECK(strstr(err.msg, "'janitor' is not in") != NULL);
    CHECK(strstr(err.msg, "commander, dba, flags") != NULL);
    runbook_free(rb);
}

static char journal_path[64];

static void fresh_journal(void)
{
    strcpy(journal_path, "/tmp/cutover-test-XXXXXX");
    int fd = mkstemp(journal_path);
    close(fd);
    unlink(journal_path);
}

static void remove_journal(void)
{
    char p[96];
    unlink(journal_path);
    snprintf(p, sizeof p, "%s-wal", journal_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", journal_path);
    unlink(p);
}

TEST(two_consoles_share_one_session)
{
    struct ceremony a, b;
    struct error err = {{0}};
    char msg[320];
    fresh_journal();
    CHECK(ceremony_start(&a, parse(RUNBOOK), "test.md", journal_path, 0, "Alice Ng",
                         "commander", 1000, &err) == 0);
    CHECK(ceremony_join(&b, journal_path, "Bob Ruiz", "dba", &err) == 0);
    CHECK(ceremony_ack(&b, "2.1", 2000, msg, sizeof msg, &err) == 0);
    CHECK(strstr(msg, "acknowledged by Bob Ruiz") != NULL);
    CHECK(journal_changed(a.journal) == 1);
    CHECK(ceremony_refresh(&a, NULL, NULL, &err) == 0);
    CHECK(a.s.acks[0].acked && a.s.acks[0].ts_ms == 2000);
    /* the commander may not acknowledge the dba's step; the refusal is journaled */
    CHECK(ceremony_ack(&a, "2.2", 3000, msg, sizeof msg, &err) == 1);
    CHECK(strstr(msg, "refused") != NULL);
    CHECK(a.s.n_refused == 1);
    ceremony_close(&b);
    ceremony_close(&a);
    remove_journal();
}

TEST(a_different_runbook_is_refused_unless_forced)
{
    struct ceremony c;
    struct error err = {{0}};
    fresh_journal();
    CHECK(ceremony_start(&c, parse(RUNBOOK), "test.md", journal_path, 0, "Alice Ng",
                         "commander", 1000, &err) == 0);
    ceremony_close(&c);
    /* the same runbook again: no new runbook event */
    CHECK(ceremony_start(&c, parse(RUNBOOK), "test.md", journal_path, 0, "Alice Ng",
                         "commander", 1000, &err) == 0);
    CHECK(c.s.n_events == 1);
    ceremony_close(&c);

    char changed[sizeof RUNBOOK + 32];
    snprintf(changed, sizeof changed, "%s\nOne more line.\n", RUNBOOK);
    CHECK(ceremony_start(&c, parse(changed), "test.md", journal_path, 0, "Alice Ng",
                         "commander", 1000, &err) != 0);
    CHECK(strstr(err.msg, "different runbook") != NULL);
    CHECK(strstr(err.msg, "--force") != NULL);
    CHECK(ceremony_start(&c, parse(changed), "test.md", journal_path, 1, "Alice Ng",
                         "commander", 1000, &err) == 0);
    CHECK(c.s.runbook_forced == 1);
    CHECK(c.s.n_events == 2);
    ceremony_close(&c);
    remove_journal();
}

TEST(join_needs_a_started_journal)
{
    struct ceremony c;
    struct error err = {{0}};
    CHECK(ceremony_join(&c, "/nonexistent/dir/x.journal", "Bob Ruiz", "dba", &err) != 0);
    CHECK(err.msg[0] != '\0');
}

static const char CRIT_RUNBOOK[] =
    "# Crit\n\n## Roles\n- commander: Alice Ng\n- dba: Bob Ruiz\n\n"
    "## Systems\n- metrics: prometheus `http://127.0.0.1:9`\n\n"
    "## Signals\n- err: `e`\n- lag: `l`\n\n"
    "## Abort criteria\n- abort if err > 1% for 30s\n- hold if lag > 5\n\n"
    "## Phase 2: Dual-write\n- [ ] dba: start the backfill\n\n"
    "## Rollback\n### Phase 2\nStop.\n";

static void raw(struct session *s, const char *kind, const char *body)
{
    apply(s, kind, "engine", strdup(body));
}

TEST(criteria_are_resolved_by_their_text_and_checked_by_position)
{
    struct runbook *rb = parse(CRIT_RUNBOOK);
    struct session s;
    seq = 0;
    session_init(&s, rb);
    /* the text as written is the id; the index agrees */
    raw(&s, EV_CRITERION, "{\"index\":1,\"criterion\":\"hold if lag > 5\",\"to\":\"firing\"}");
    CHECK(s.crits[1].judged && s.crits[1].state == CRIT_FIRING && s.n_faults == 0);
    /* the index disagrees: the id wins, the disagreement is reported */
    raw(&s, EV_CRITERION, "{\"index\":0,\"criterion\":\"hold if lag > 5\",\"to\":\"ok\"}");
    CHECK(s.crits[1].state == CRIT_OK && !s.crits[0].judged);
    CHECK(strstr(session_fault_at(&s, seq), "is criterion 1 of the runbook, not 0") != NULL);
    /* an old journal: the index alone */
    raw(&s, EV_CRITERION, "{\"index\":0,\"to\":\"pending\"}");
    CHECK(s.crits[0].judged && s.crits[0].state == CRIT_PENDING && !session_fault_at(&s, seq));
    /* references to nothing */
    raw(&s, EV_CRITERION, "{\"index\":42,\"to\":\"firing\"}");
    CHECK(strstr(session_fault_at(&s, seq), "index 42 is past the runbook's 2 criteria") != NULL);
    raw(&s, EV_CRITERION, "{\"criterion\":\"abort if x > 1\",\"to\":\"firing\"}");
    CHECK(strstr(session_fault_at(&s, seq), "is not a criterion of the runbook") != NULL);
    raw(&s, EV_CRITERION, "{\"index\":0,\"to\":\"exploded\"}");
    CHECK(strstr(session_fault_at(&s, seq), "is not a state") != NULL);
    raw(&s, EV_CRITERION, "{\"to\":\"ok\"}");
    CHECK(strstr(session_fault_at(&s, seq), "names no criterion") != NULL);
    raw(&s, EV_CRITERION, "{\"index\":-3,\"to\":\"ok\"}");
    CHECK(strstr(session_fault_at(&s, seq), "index is -3") != NULL);
    CHECK(s.crits[0].state == CRIT_PENDING && s.crits[1].state == CRIT_OK);
    session_free(&s);
    runbook_free(rb);
}

TEST(faults_carry_their_sequence_and_read_as_words)
{
    struct runbook *rb = parse(RUNBOOK);
    struct session s;
    seq = 0;
    session_init(&s, rb);
    ack(&s, "2.1", "Bob Ruiz", "dba");
    raw(&s, EV_ACK, "{\"step\":\"7.7\",\"name\":\"B\",\"role\":\"dba\"}");
    CHECK(s.n_faults == 1 && s.first_fault.seq == 2);
    CHECK(session_tail(&s, 0)->fault && !session_tail(&s, 1)->fault);
    char line[300];
    struct journal_event ev = {.seq = 2, .ts_ms = 2000, .actor = "engine", .kind = EV_ACK,
                               .body = "{\"step\":\"7.7\",\"name\":\"B\",\"role\":\"dba\"}"};
    session_describe(&s, &ev, line, sizeof line);
    CHECK_STR(line, "journal event #2: ack: there is no step '7.7' in the runbook");
    ev.seq = 1;
    session_describe(&s, &ev, line, sizeof line);   /* no fault at #1: the plain words */
    CHECK_STR(line, "step 7.7 acknowledged by B (dba)");
    raw(&s, EV_ACK, "{\"step\":\"2.2\",\"name\":7,\"role\":\"flags\"}");
    CHECK(strstr(session_fault_at(&s, seq), "ack: name is 7, not a string") != NULL);
    CHECK(!s.acks[1].acked);
    raw(&s, EV_NOTE, "[1,2]");
    CHECK(strstr(session_fault_at(&s, seq), "not a JSON object") != NULL);
    raw(&s, "kind_from_the_future", "{\"a\":1}");
    CHECK(session_fault_at(&s, seq) == NULL);   /* kept, not a fault */
    struct journal_event late = {.seq = ++seq, .ts_ms = -5, .actor = "x", .kind = EV_NOTE,
                                 .body = "{\"text\":\"t\"}"};
    CHECK(session_apply(&s, &late) == -1);
    CHECK(strstr(session_fault_at(&s, seq), "is not a time") != NULL && s.n_notes == 0);
    /* the ring keeps the newest; the first stays */
    for (int i = 0; i < 40; i++)
        raw(&s, EV_NOTE, "nope");
    CHECK(s.first_fault.seq == 2 && s.n_faults == 44);
    CHECK(session_fault_at(&s, seq) != NULL && session_fault_at(&s, 2) == NULL);
    session_free(&s);
    runbook_free(rb);
}

/* Issue 15: a --force replacement is applied at its place. Before it,
 * positions point into the runbook it replaced: the fold reads them there
 * and carries each reference over by its id, or leaves it as history. */
static const char OLD_RUNBOOK[] =
    "# Older\n\n## Roles\n- commander: Alice Ng\n- dba: Bob Ruiz\n\n"
    "## Systems\n- metrics: prometheus `http://127.0.0.1:9`\n\n"
    "## Signals\n- err: `e`\n- lag: `l`\n- gone: `g`\n\n"
    "## Abort criteria\n- hold if lag > 5\n- abort if err > 1% for 30s\n- abort if gone > 0\n\n"
    "## Ramp\n- 1% for 1m\n- 5% for 1m\n- 100%\n\n"
    "## Phase 2: Dual-write\n- [ ] dba: start the backfill\n- [ ] dba: an older step\n"
    "- [ ] commander: ramp `ramp`\n\n"
    "## Rollback\n### Phase 2\nStop.\n";

static const char NEW_RUNBOOK[] =
    "# Crit\n\n## Roles\n- commander: Alice Ng\n- dba: Bob Ruiz\n\n"
    "## Systems\n- metrics: prometheus `http://127.0.0.1:9`\n\n"
    "## Signals\n- err: `e`\n- lag: `l`\n\n"
    "## Abort criteria\n- abort if err > 1% for 30s\n- hold if lag > 5\n\n"
    "## Ramp\n- 1% for 1m\n- 10% for 1m\n- 100%\n\n"
    "## Phase 2: Dual-write\n- [ ] dba: start the backfill\n- [ ] commander: ramp `ramp`\n\n"
    "## Rollback\n### Phase 2\nStop.\n";

TEST(history_before_a_forced_replacement_keeps_its_meaning)
{
    struct runbook *old = parse(OLD_RUNBOOK), *rb = parse(NEW_RUNBOOK);
    struct session s;
    seq = 0;
    session_init(&s, rb);
    apply(&s, EV_RUNBOOK, "x", events_runbook_body("old.md", old->sha256, OLD_RUNBOOK, "Older", NULL));
    CHECK(!session_positions_current(&s) && session_runbook_in_force(&s) != NULL);
    CHECK(s.n_faults == 0);
    /* position 0 was "hold if lag > 5" then: it is criterion 1 now */
    raw(&s, EV_CRITERION, "{\"index\":0,\"to\":\"firing\"}");
    CHECK(s.crits[1].judged && s.crits[1].state == CRIT_FIRING && !s.crits[0].judged);
    /* a criterion only the older runbook had: history, not a fault */
    raw(&s, EV_CRITERION, "{\"index\":2,\"to\":\"firing\"}");
    CHECK(s.n_faults == 0 && !s.crits[0].judged);
    raw(&s, EV_CRITERION, "{\"index\":5,\"to\":\"firing\"}");
    CHECK(strstr(session_fault_at(&s, seq), "index 5 is past the runbook's 3 criteria") != NULL);
    /* 5% was step 1 then; this runbook has no 5%: left as history */
    raw(&s, EV_RAMP_ADVANCE, "{\"step\":1,\"percent\":5}");
    CHECK(session_fault_at(&s, seq) == NULL && s.ramp.status == RAMP_IDLE);
    raw(&s, EV_RAMP_ADVANCE, "{\"step\":2,\"percent\":5}");
    CHECK(strstr(session_fault_at(&s, seq), "5% is step 1 of the ramp, not step 2") != NULL);
    raw(&s, EV_RAMP_ADVANCE, "{\"step\":0,\"percent\":1}");
    CHECK(s.ramp.status == RAMP_SETTING && s.ramp.step == 0);
    /* an abort naming criterion 2 was right then */
    raw(&s, EV_ABORT, "{\"criterion\":2,\"cause\":\"gone\"}");
    CHECK(session_fault_at(&s, seq) == NULL && s.ramp.status == RAMP_ABORTED);
    /* steps by id: one only the older runbook had, one neither had */
    raw(&s, EV_ACK, "{\"step\":\"2.2\",\"name\":\"Bob Ruiz\",\"role\":\"dba\"}");
    CHECK(session_fault_at(&s, seq) == NULL && !s.acks[1].acked);
    raw(&s, EV_ACK, "{\"step\":\"7.7\",\"name\":\"Bob Ruiz\",\"role\":\"dba\"}");
    CHECK(session_fault_at(&s, seq) != NULL);
    ack(&s, "2.1", "Bob Ruiz", "dba");
    CHECK(s.acks[0].acked);
    int64_t faults = s.n_faults;

    /* the replacement: from here positions are this runbook's */
    apply(&s, EV_RUNBOOK, "x", events_runbook_body("new.md", rb->sha256, NEW_RUNBOOK, "Crit", old->sha256));
    CHECK(session_positions_current(&s) && session_runbook_in_force(&s) == rb && s.runbook_forced);
    raw(&s, EV_CRITERION, "{\"index\":2,\"to\":\"firing\"}");
    CHECK(s.n_faults == faults + 1);
    raw(&s, EV_ABORT, "{\"criterion\":2,\"cause\":\"gone\"}");
    CHECK(s.n_faults == faults + 2);
    /* a runbook event whose text does not parse: reported, ids still work */
    raw(&s, EV_RUNBOOK, "{\"sha256\":\"zzz\",\"text\":\"no heading here\"}");
    CHECK(strstr(session_fault_at(&s, seq), "does not parse") != NULL);
    CHECK(!session_positions_current(&s) && session_runbook_in_force(&s) == NULL);
    raw(&s, EV_CRITERION, "{\"criterion\":\"abort if err > 1% for 30s\",\"to\":\"pending\"}");
    CHECK(s.crits[0].state == CRIT_PENDING && session_fault_at(&s, seq) == NULL);
    session_free(&s);
    runbook_free(rb);
    runbook_free(old);
}

RUN_TESTS(T(criteria_are_resolved_by_their_text_and_checked_by_position),
          T(faults_carry_their_sequence_and_read_as_words),
          T(history_before_a_forced_replacement_keeps_its_meaning),
          T(fold_acks_and_phases), T(fold_first_ack_stands_and_junk_is_ignored),
          T(fold_notes_refusals_and_tail), T(the_tail_reads_a_runbook_event_as_valid),
          T(the_kept_ring_holds_acks_past_the_tail), T(ack_rules), T(identity_must_match_the_runbook),
          T(two_consoles_share_one_session), T(a_different_runbook_is_refused_unless_forced),
          T(join_needs_a_started_journal))
