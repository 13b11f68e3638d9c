/* test_events.c — the event table (core/events.def) and what comes from
 * it: validation of every field type and range, the validated accessors,
 * building bodies, the words on screen, and the README's table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/events.h"

static int valid(const char *kind, const char *body, char *why, size_t len)
{
    struct event_body b;
    struct error err = {{0}};
    int rc = events_decode(kind, body, &b, &err);
    events_body_free(&b);
    snprintf(why, len, "%s", err.msg);
    return rc == 0;
}

static void describe(const char *kind, const char *body, char *buf, size_t len)
{
    struct journal_event ev = {.seq = 1, .ts_ms = 0, .actor = "x", .kind = kind, .body = body};
    events_describe(&ev, buf, len);
}

TEST(every_kind_constant_is_the_tables)
{
    static const struct { const char *name; enum event_kind k; } kinds[] = {
        {EV_RUNBOOK, EVK_RUNBOOK}, {EV_CONSOLE_OPEN, EVK_CONSOLE_OPEN},
        {EV_CONSOLE_CLOSE, EVK_CONSOLE_CLOSE}, {EV_ACK, EVK_ACK}, {EV_ACK_REFUSED, EVK_ACK_REFUSED},
        {EV_APPROVE, EVK_APPROVE},
        {EV_NOTE, EVK_NOTE}, {EV_CRITERION, EVK_CRITERION}, {EV_RAMP_ADVANCE, EVK_RAMP_ADVANCE},
        {EV_RAMP_REFUSED, EVK_RAMP_REFUSED}, {EV_FLAG_SET, EVK_FLAG_SET}, {EV_FLAG_READ, EVK_FLAG_READ},
        {EV_ABORT, EVK_ABORT}, {EV_ABORT_REQUEST, EVK_ABORT_REQUEST},
        {EV_ABORT_REFUSED, EVK_ABORT_REFUSED}, {EV_ROLLBACK_DONE, EVK_ROLLBACK_DONE}, {EV_HALT, EVK_HALT},
        {EV_ABORT_EFFECTIVE, EVK_ABORT_EFFECTIVE}, {EV_RESUME, EVK_RESUME},
        {EV_FLAG_MISMATCH, EVK_FLAG_MISMATCH}, {EV_OVERRIDE, EVK_OVERRIDE},
        {EV_REHEARSAL, EVK_REHEARSAL}, {EV_FLAG_RESTORE, EVK_FLAG_RESTORE},
        {EV_NOTIFY_FAILED, EVK_NOTIFY_FAILED}, {EV_ANCHOR, EVK_ANCHOR},
        {EV_FLAG_ACCEPT, EVK_FLAG_ACCEPT}, {EV_OUTPUT_CLOSED, EVK_OUTPUT_CLOSED},
        {EV_JOURNAL_DAMAGED, EVK_JOURNAL_DAMAGED}, {EV_BACKFILL, EVK_BACKFILL},
        {EV_BACKFILL_CONTROL, EVK_BACKFILL_CONTROL},
        {EV_DIVERGENCE, EVK_DIVERGENCE}, {EV_COMPARE, EVK_COMPARE},
        {EV_COMPARE_PROGRESS, EVK_COMPARE_PROGRESS}, {EV_PREFLIGHT, EVK_PREFLIGHT},
        {EV_DEMO_FAULT, EVK_DEMO_FAULT}, {EV_TAKEOVER, EVK_TAKEOVER}, {EV_GATE, EVK_GATE},
        {EV_CLEANUP_DUE, EVK_CLEANUP_DUE}, {EV_CLEANUP_CHECK, EVK_CLEANUP_CHECK},
        {EV_WRITERS, EVK_WRITERS}, {EV_UNKNOWN_WRITER, EVK_UNKNOWN_WRITER},
        {EV_DATA_JOB, EVK_DATA_JOB}, {EV_DATA_FAILED, EVK_DATA_FAILED}};
    CHECK(sizeof kinds / sizeof kinds[0] == EVK_UNKNOWN);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        CHECK(events_kind(kinds[i].name) == kinds[i].k);
    CHECK(events_kind("from_the_future") == EVK_UNKNOWN);
    CHECK(events_kind(NULL) == EVK_UNKNOWN);
    CHECK(events_spec(EVK_UNKNOWN) == NULL);
    /* every kind has words and fields, and no field twice */
    for (size_t k = 0; k < EVK_UNKNOWN; k++) {
        const struct event_spec *s = events_spec((enum event_kind)k);
        CHECK(s->words[0] && s->doc[0] && s->n_fields > 0);
        CHECK(!s->switch_field[0] || s->words_else[0]);
        for (size_t i = 0; i < s->n_fields; i++)
            for (size_t j = i + 1; j < s->n_fields; j++)
                CHECK(strcmp(s->fields[i].name, s->fields[j].name) != 0);
    }
    CHECK(events_spec(EVK_ACK)->n_fields == 3);
    CHECK_STR(events_spec(EVK_NOTIFY_FAILED)->fields[0].name, "error");
}

TEST(required_fields_types_and_ranges)
{
    char why[512];
    CHECK(valid(EV_ACK, "{\"step\":\"2.1\",\"name\":\"B\",\"role\":\"dba\"}", why, sizeof why));
    CHECK(!valid(EV_ACK, "{\"step\":\"2.1\",\"name\":\"B\"}", why, sizeof why));
    CHECK_STR(why, "ack: role is missing");
    CHECK(!valid(EV_ACK, "{\"step\":\"2.1\",\"name\":\"B\",\"role\":null}", why, sizeof why));
    CHECK(!valid(EV_ACK, "{\"step\":2.1,\"name\":\"B\",\"role\":\"dba\"}", why, sizeof why));
    CHECK_STR(why, "ack: step is 2.1, not a string");
    CHECK(!valid(EV_FLAG_SET, "{\"purpose\":\"advance\",\"ok\":1}", why, sizeof why));
    CHECK_STR(why, "flag_set: ok is 1, not true or false");
    /* percentages */
    CHECK(valid(EV_RAMP_ADVANCE, "{\"percent\":0}", why, sizeof why));
    CHECK(valid(EV_RAMP_ADVANCE, "{\"percent\":100}", why, sizeof why));
    CHECK(!valid(EV_RAMP_ADVANCE, "{\"percent\":100.5}", why, sizeof why));
    CHECK(!valid(EV_RAMP_ADVANCE, "{\"percent\":-0.1}", why, sizeof why));
    CHECK(!valid(EV_RAMP_ADVANCE, "{\"percent\":\"5\"}", why, sizeof why));
    CHECK_STR(why, "ramp_advance: percent is not a percentage from 0 to 100");
    /* a refused advance records what was typed, whatever it was */
    CHECK(valid(EV_RAMP_REFUSED, "{\"percent\":150,\"reason\":\"not a step\"}", why, sizeof why));
    /* positions */
    CHECK(valid(EV_RAMP_ADVANCE, "{\"percent\":5,\"step\":3}", why, sizeof why));
    CHECK(!valid(EV_RAMP_ADVANCE, "{\"percent\":5,\"step\":-1}", why, sizeof why));
    CHECK(!valid(EV_RAMP_ADVANCE, "{\"percent\":5,\"step\":1.5}", why, sizeof why));
    CHECK(!valid(EV_RAMP_ADVANCE, "{\"percent\":5,\"step\":1e12}", why, sizeof why));
    /* integers: -1 allowed, beyond 2^53 not */
    CHECK(valid(EV_ABORT, "{\"cause\":\"c\",\"criterion\":-1,\"breach_ms\":1700000000000}", why, sizeof why));
    CHECK(!valid(EV_ABORT, "{\"cause\":\"c\",\"breach_ms\":1e300}", why, sizeof why));
    CHECK(!valid(EV_ABORT, "{\"cause\":\"c\",\"criterion\":0.5}", why, sizeof why));
    /* bodies that are not objects */
    CHECK(!valid(EV_NOTE, "not json", why, sizeof why));
    CHECK_STR(why, "note: the body is not a JSON object");
    CHECK(!valid(EV_NOTE, "[\"text\"]", why, sizeof why));
    CHECK(!valid(EV_NOTE, "\"text\"", why, sizeof why));
    CHECK(!valid(EV_NOTE, "", why, sizeof why));
    CHECK(!valid(EV_NOTE, NULL, why, sizeof why));
    /* a kind from a newer build: valid as long as it is an object */
    CHECK(valid("from_the_future", "{\"anything\":[1,2]}", why, sizeof why));
    CHECK(!valid("from_the_future", "nope", why, sizeof why));
    /* fields the table does not list are ignored; EF_ANY takes anything */
    CHECK(valid(EV_NOTE, "{\"text\":\"t\",\"extra\":{}}", why, sizeof why));
    CHECK(valid(EV_REHEARSAL, "{\"passed\":true,\"checks\":[{\"name\":\"flag\"}]}", why, sizeof why));
}

TEST(accessors_read_only_what_the_table_declares)
{
    struct event_body b;
    struct error err = {{0}};
    CHECK(events_decode(EV_RAMP_ADVANCE, "{\"percent\":5,\"step\":1,\"automatic\":true,\"x\":\"y\"}",
                        &b, &err) == 0);
    CHECK(event_num(&b, "percent", -1) == 5);
    CHECK(event_num(&b, "step", -1) == 1);
    CHECK(event_bool(&b, "automatic"));
    CHECK(event_str(&b, "x") == NULL && !event_has(&b, "x"));   /* not in the table */
    CHECK(event_str(&b, "confirmed_by") == NULL);
    CHECK(event_num(&b, "nothing", 7) == 7);
    events_body_free(&b);
    /* null is absent, also in a valid body */
    CHECK(events_decode(EV_RAMP_ADVANCE, "{\"percent\":5,\"step\":null}", &b, &err) == 0);
    CHECK(!event_has(&b, "step") && event_num(&b, "step", -1) == -1);
    events_body_free(&b);
    /* an invalid body keeps its JSON; a field of the wrong type reads as absent */
    CHECK(events_decode(EV_RAMP_ADVANCE, "{\"percent\":500,\"step\":\"one\"}", &b, &err) != 0);
    CHECK(b.json != NULL);
    CHECK(isnan(event_num(&b, "percent", NAN)) && !event_has(&b, "step"));
    events_body_free(&b);
}

TEST(builders_make_bodies_the_table_accepts)
{
    char why[512];
    char *bodies[][2] = {
        {EV_RUNBOOK, events_runbook_body("r.md", "abc", "# T", "T", NULL)},
        {EV_RUNBOOK, events_runbook_body("r.md", "abc", "# T", "T", "def")},
        {EV_CONSOLE_OPEN, events_console_body("A", "commander", "run")},
        {EV_ACK, events_ack_body("2.1", "B", "dba")},
        {EV_ACK_REFUSED, events_ack_refused_body("2.1", "B", "dba", "no")},
        {EV_NOTE, events_note_body("hello")},
        {EV_CRITERION, events_criterion_body(1, "abort if e > 1", "ok", "firing", 1, INFINITY, NAN, 0.5, "w")},
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        CHECK(bodies[i][1] != NULL);
        CHECK(bodies[i][1] && valid(bodies[i][0], bodies[i][1], why, sizeof why));
        free(bodies[i][1]);
    }
    /* a builder missing a required field gets NULL and the reason */
    struct error err = {{0}};
    CHECK(events_ack_body(NULL, "B", "dba") == NULL);
    CHECK(events_encode(EVK_NOTE, NULL, &err) == NULL);
}

TEST(the_words_come_from_the_table)
{
    char line[512];
    describe(EV_ACK, "{\"step\":\"2.1\",\"name\":\"Bob Ruiz\",\"role\":\"dba\"}", line, sizeof line);
    CHECK_STR(line, "step 2.1 acknowledged by Bob Ruiz (dba)");
    describe(EV_FLAG_SET, "{\"percent\":5,\"purpose\":\"advance\",\"ok\":true}", line, sizeof line);
    CHECK_STR(line, "flag set to 5% (advance)");
    describe(EV_FLAG_SET, "{\"percent\":0,\"purpose\":\"rollback\",\"ok\":false,\"error\":\"timeout\"}",
             line, sizeof line);
    CHECK_STR(line, "FLAG NOT SET to 0% (rollback): timeout");
    describe(EV_RUNBOOK, "{\"sha256\":\"0123456789abcdef\",\"title\":\"T\",\"text\":\"x\"}", line,
             sizeof line);
    CHECK_STR(line, "runbook loaded: T (sha256 0123456789ab)");
    describe(EV_ABORT_EFFECTIVE, "{\"observed\":0.25,\"after_set_ms\":1200}", line, sizeof line);
    CHECK_STR(line, "the abort took effect: 0.2% of traffic on new, 1200 ms after the flag was set");
    describe(EV_RAMP_ADVANCE, "{\"percent\":25,\"automatic\":false}", line, sizeof line);
    CHECK_STR(line, "ramp: advance to 25% (confirmed by the commander)");
    describe(EV_REHEARSAL, "{\"passed\":false,\"summary\":\"✘ no\"}", line, sizeof line);
    CHECK_STR(line, "REHEARSAL FAILED: ✘ no");
    /* numbers whole, however big: not %g's 1.23457e+06 */
    describe(EV_BACKFILL, "{\"job\":\"backfill:t\",\"rows\":1234567,\"total\":10000000,\"cursor\":\"9\"}",
             line, sizeof line);
    CHECK_STR(line, "backfill backfill:t: 1234567 of 10000000 rows copied (checkpoint 9)");
    /* backfill_control says what changed, and only that */
    describe(EV_BACKFILL_CONTROL, "{\"job\":\"backfill:t\",\"paused\":true}", line, sizeof line);
    CHECK_STR(line, "backfill backfill:t: paused");
    describe(EV_BACKFILL_CONTROL, "{\"job\":\"backfill:t\",\"paused\":false}", line, sizeof line);
    CHECK_STR(line, "backfill backfill:t: resumed");
    describe(EV_BACKFILL_CONTROL, "{\"job\":\"backfill:t\",\"rate\":1000000}", line, sizeof line);
    CHECK_STR(line, "backfill backfill:t: rate limit 1000000 rows/s");
    describe(EV_BACKFILL_CONTROL, "{\"job\":\"backfill:t\",\"rate\":0,\"paused\":false}", line, sizeof line);
    CHECK_STR(line, "backfill backfill:t: resumed, rate limit lifted");
    describe(EV_BACKFILL_CONTROL, "{\"job\":\"backfill:t\"}", line, sizeof line);
    CHECK_STR(line, "backfill backfill:t: no change");
    /* absent fields read "?"; an invalid body says why after its words */
    describe(EV_RAMP_ADVANCE, "{\"percent\":-5}", line, sizeof line);
    CHECK_STR(line, "ramp: advance to -5% (confirmed by the commander) — INVALID: "
                    "ramp_advance: percent is -5, not a percentage from 0 to 100");
    describe(EV_NOTE, "{}", line, sizeof line);
    CHECK_STR(line, "note: ? — INVALID: note: text is missing");
    describe(EV_NOTE, "{{", line, sizeof line);
    CHECK_STR(line, "note (unreadable body)");
    describe("from_the_future", "{\"a\":1}", line, sizeof line);
    CHECK_STR(line, "unknown kind from_the_future: {\"a\":1}");
    /* a short buffer is cut, never overrun */
    char tiny[8];
    describe(EV_ACK, "{\"step\":\"2.1\",\"name\":\"Bob Ruiz\",\"role\":\"dba\"}", tiny, sizeof tiny);
    CHECK_STR(tiny, "step 2.");
}

TEST(the_readme_table_lists_every_kind_and_field)
{
    char *md = events_table_markdown();
    CHECK(md != NULL);
    for (size_t k = 0; md && k < EVK_UNKNOWN; k++) {
        const struct event_spec *s = events_spec((enum event_kind)k);
        char cell[64];
        snprintf(cell, sizeof cell, "| `%s` |", s->kind);
        CHECK(strstr(md, cell) != NULL);
        for (size_t i = 0; i < s->n_fields; i++) {
            snprintf(cell, sizeof cell, "`%s`", s->fields[i].name);
            CHECK(strstr(md, cell) != NULL);
        }
    }
    CHECK(md && strstr(md, "`step`* (string)") != NULL);
    free(md);
}

RUN_TESTS(T(every_kind_constant_is_the_tables), T(required_fields_types_and_ranges),
          T(accessors_read_only_what_the_table_declares), T(builders_make_bodies_the_table_accepts),
          T(the_words_come_from_the_table), T(the_readme_table_lists_every_kind_and_field))
