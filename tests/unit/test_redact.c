/* test_redact.c — secrets never leave in text: known values (and their
 * words), and the syntaxes that carry a secret whatever its value. */
#include <stdlib.h>

#include "check.h"
#include "core/redact.h"
#include "core/runbook.h"

static char *r_(const struct redactor *r, const char *in)
{
    static char buf[1024];
    redact_into(r, in, buf, sizeof buf);
    return buf;
}

TEST(syntaxes_are_masked_without_knowing_the_secret)
{
    CHECK_STR(r_(NULL, "host=db port=5432 dbname=shop user=app password=hunter2"),
              "host=db port=5432 dbname=shop user=app password=***");
    CHECK_STR(r_(NULL, "password = 'hunter 2' dbname=x"), "password = *** dbname=x");
    CHECK_STR(r_(NULL, "http://admin:pw-123@flags.internal:4242/api"),
              "http://***@flags.internal:4242/api");
    CHECK_STR(r_(NULL, "HTTP 401: bad token: Bearer tok-abc.def"), "HTTP 401: bad token: Bearer ***");
    CHECK_STR(r_(NULL, "Authorization: *:*.unleash-admin-secret"), "Authorization: ***");
    CHECK_STR(r_(NULL, "Authorization: Bearer abc"), "Authorization: Bearer ***");
    CHECK_STR(r_(NULL, "GET /x?token=s3cr3t&q=1"), "GET /x?token=***&q=1");
    CHECK_STR(r_(NULL, "{\"error\":\"password=abc\"}"), "{\"error\":\"password=***\"}");
}

TEST(ordinary_text_is_left_alone)
{
    CHECK_STR(r_(NULL, "flag at 25% (read back 25%) — http://127.0.0.1:9090/api"),
              "flag at 25% (read back 25%) — http://127.0.0.1:9090/api");
    CHECK_STR(r_(NULL, "the password is wrong; tokens=3; mypassword=x"),
              "the password is wrong; tokens=3; mypassword=x");
    CHECK_STR(r_(NULL, ""), "");
}

TEST(known_secrets_and_their_words)
{
    struct redactor *r = redactor_new();
    CHECK(redactor_add(r, "hunter2 leakedWORD") == 0);
    CHECK(redactor_add(r, "abc") == 0);   /* too short to mask */
    /* libpq's answer to a password with a space: only a fragment echoed */
    CHECK_STR(r_(r, "invalid connection option \"leakedWORD\""),
              "invalid connection option \"***\"");
    CHECK_STR(r_(r, "x hunter2 leakedWORD y"), "x *** y");
    CHECK_STR(r_(r, "abc abc"), "abc abc");
    redactor_free(r);
}

TEST(a_runbooks_env_secrets)
{
    setenv("TEST_REDACT_PW", "pa55-w0rd-long", 1);
    setenv("TEST_REDACT_TOKEN", "tok-zzz-999", 1);
    setenv("TEST_REDACT_HOOK", "T0AB/B1CD/webhookpath9", 1);
    setenv("TEST_REDACT_DIR", "/tmp/demo-dir", 1);
    const char *text =
        "# T\n\n## Roles\n- commander: A B\n\n## Systems\n"
        "- metrics: prometheus `http://127.0.0.1:9090`\n"
        "- old: postgres `host=h user=u password=${TEST_REDACT_PW}`\n"
        "- flag: http `http://127.0.0.1:1/f` read `x` token_env `TEST_REDACT_TOKEN`\n"
        "- notify: slack `https://hooks.example/services/${TEST_REDACT_HOOK}`\n"
        "- new: sqlite `${TEST_REDACT_DIR}/new.db`\n"
        "\n## Phase 1: P\n- [ ] commander: go\n\n## Rollback\n### Phase 1\nBack.\n";
    struct rb_problems probs = {0};
    struct runbook *rb = runbook_parse("t.md", text, strlen(text), &probs);
    CHECK(rb != NULL);
    if (rb) {
        struct redactor *r = redactor_new();
        CHECK(redactor_add_runbook(r, rb) == 0);
        CHECK_STR(r_(r, "auth failed for pa55-w0rd-long"), "auth failed for ***");
        CHECK_STR(r_(r, "echo: tok-zzz-999!"), "echo: ***!");
        CHECK_STR(r_(r, "HTTP 404: no hook services/T0AB/B1CD/webhookpath9"), "HTTP 404: no hook ***");
        /* a file's directory is no secret: the demo's paths stay readable */
        CHECK_STR(r_(r, "journal: /tmp/demo-dir/demo.journal"), "journal: /tmp/demo-dir/demo.journal");
        redactor_free(r);
        runbook_free(rb);
    }
    rb_problems_free(&probs);
}

TEST(out_buffers_truncate_safely)
{
    char small[8];
    redact_into(NULL, "password=abcdefgh", small, sizeof small);
    CHECK_STR(small, "passwor");
}

TEST(needed_says_whether_anything_would_change)
{
    struct redactor *r = redactor_new();
    CHECK(redactor_add(r, "hunter9 leakedWORD") == 0);
    CHECK(redact_needed(r, "ok") == 0);
    CHECK(redact_needed(r, "") == 0);
    CHECK(redact_needed(r, "error: missing \"=\" after \"leakedWORD\"") == 1);
    CHECK(redact_needed(NULL, "user=app password=x") == 1);
    CHECK(redact_needed(NULL, "http://127.0.0.1:9090/api") == 0);
    redactor_free(r);
}

TEST(json_bodies_stay_json_and_keep_their_hashes)
{
    struct redactor *r = redactor_new();
    CHECK(redactor_add(r, "5432") == 0);        /* a secret that looks like a number */
    CHECK(redactor_add(r, "pa\"ss\\word") == 0); /* one JSON escapes */
    int oom = 1;
    CHECK(redact_json(r, "{\"percent\":5432,\"ok\":true}", &oom) == NULL);
    CHECK(oom == 0);
    char *m = redact_json(r, "{\"n\":5432,\"error\":\"port 5432 refused\","
                             "\"a\":[{\"x\":\"password=zz\"}]}", &oom);
    CHECK_STR(m ? m : "", "{\"n\":5432,\"error\":\"port *** refused\",\"a\":[{\"x\":\"password=***\"}]}");
    free(m);
    const char *hash = "{\"sample_hash\":\"aa5432aa00000000000000000000000000000000000000000000000000000000\"}";
    CHECK(redact_json(r, hash, &oom) == NULL);
    m = redact_json(r, "{\"e\":\"bad pa\\\"ss\\\\word here\"}", &oom);
    CHECK_STR(m ? m : "", "{\"e\":\"bad *** here\"}");
    free(m);
    m = redact_json(r, "not json password=x", &oom);
    CHECK_STR(m ? m : "", "not json password=***");
    free(m);
    redactor_free(r);
}

RUN_TESTS(T(needed_says_whether_anything_would_change), T(json_bodies_stay_json_and_keep_their_hashes), T(syntaxes_are_masked_without_knowing_the_secret), T(ordinary_text_is_left_alone),
          T(known_secrets_and_their_words), T(a_runbooks_env_secrets),
          T(out_buffers_truncate_safely))
