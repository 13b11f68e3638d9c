/* test_envsubst.c — ${NAME} expansion: values as they are, except a whole
 * libpq value with a space, a quote or a backslash, which is quoted so it
 * stays one value (a password with a space made libpq echo its second
 * word back as an unknown keyword, into the screen and the journal). */
#include "check.h"
#include "core/envsubst.h"

#include <stdlib.h>
#include <string.h>

static int expands(const char *in, const char *want)
{
    struct error err = {{0}};
    char *out = envsubst(in, &err);
    int ok = out && strcmp(out, want) == 0;
    if (!ok)
        printf("  %s -> %s (wanted %s) %s\n", in, out ? out : "NULL", want, err.msg);
    free(out);
    return ok;
}

TEST(values_as_they_are)
{
    setenv("EV_HOST", "127.0.0.1", 1);
    setenv("EV_PLAIN", "hunter2", 1);
    CHECK(expands("host=${EV_HOST} password=${EV_PLAIN}", "host=127.0.0.1 password=hunter2"));
    CHECK(expands("http://${EV_HOST}:9090/metrics", "http://127.0.0.1:9090/metrics"));
    CHECK(expands("${EV_HOST}/old.db", "127.0.0.1/old.db"));
}

TEST(a_libpq_value_with_a_space_is_quoted)
{
    setenv("EV_PW", "hunter9 leakedWORD", 1);
    setenv("EV_Q", "it's a\\b", 1);
    setenv("EV_EMPTY", "", 1);
    CHECK(expands("host=h password=${EV_PW} dbname=shop", "host=h password='hunter9 leakedWORD' dbname=shop"));
    CHECK(expands("password=${EV_Q}", "password='it\\'s a\\\\b'"));
    CHECK(expands("password=${EV_EMPTY} user=u", "password='' user=u"));
    /* already quoted by the runbook, part of a value, or in a URL: as is */
    CHECK(expands("password='${EV_PW}'", "password='hunter9 leakedWORD'"));
    CHECK(expands("options=-c${EV_PW}", "options=-chunter9 leakedWORD"));
    CHECK(expands("postgresql://u:${EV_PW}@h/db?x=${EV_PW}", "postgresql://u:hunter9 leakedWORD@h/db?x=hunter9 leakedWORD"));
}

TEST(a_missing_variable_is_named)
{
    struct error err = {{0}};
    unsetenv("EV_NOPE");
    CHECK(envsubst("password=${EV_NOPE}", &err) == NULL);
    CHECK(strstr(err.msg, "EV_NOPE is not set") != NULL);
}

RUN_TESTS(T(values_as_they_are), T(a_libpq_value_with_a_space_is_quoted), T(a_missing_variable_is_named))
