/* test_promapi.c — every shape of /api/v1/query answer, good and bad, as
 * Prometheus 2.42 writes them (the samples were taken from a real one). */
#include <math.h>

#include "check.h"
#include "core/number.h"
#include "core/promapi.h"

static int parse(const char *json, double *v, struct error *err)
{
    return promapi_parse(json, strlen(json), v, err);
}

TEST(vector_of_one)
{
    double v = 0;
    struct error err = {{0}};
    CHECK(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
                "[{\"metric\":{},\"value\":[1795567983.146,\"0.0125\"]}]}}", &v, &err) == 1);
    CHECK(v == 0.0125);
}

TEST(scalar)
{
    double v = 0;
    struct error err = {{0}};
    CHECK(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":"
                "[1795567983.152,\"342\"]}}", &v, &err) == 1);
    CHECK(v == 342);
}

TEST(empty_vector_is_no_data)
{
    double v = 0;
    struct error err = {{0}};
    CHECK(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}",
                &v, &err) == 0);
}

TEST(nan_and_infinities_are_values_to_be_judged_elsewhere)
{
    double v = 0;
    struct error err = {{0}};
    const char *fmt = "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"%s\"]}}";
    char buf[200];
    snprintf(buf, sizeof buf, fmt, "NaN");
    CHECK(parse(buf, &v, &err) == 1 && isnan(v));
    snprintf(buf, sizeof buf, fmt, "+Inf");
    CHECK(parse(buf, &v, &err) == 1 && isinf(v) && v > 0);
    snprintf(buf, sizeof buf, fmt, "-Inf");
    CHECK(parse(buf, &v, &err) == 1 && isinf(v) && v < 0);
    snprintf(buf, sizeof buf, fmt, "1e-05");
    CHECK(parse(buf, &v, &err) == 1 && v == 1e-05);
}

TEST(error_answer_is_shown_in_words)
{
    double v = 0;
    struct error err = {{0}};
    CHECK(parse("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":"
                "\"1:5: parse error: unexpected end of input\"}", &v, &err) == -1);
    CHECK_STR(err.msg, "prometheus: bad_data: 1:5: parse error: unexpected end of input");
}

TEST(malformed_answers)
{
    double v = 0;
    struct error err = {{0}};
    CHECK(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vec", &v, &err) == -1);
    CHECK(strstr(err.msg, "truncated") != NULL);
    CHECK(parse("<html>502 Bad Gateway</html>", &v, &err) == -1);
    CHECK(parse("{}", &v, &err) == -1);
    CHECK(strstr(err.msg, "no \"status\"") != NULL);
    CHECK(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"fast\"]}}",
                &v, &err) == -1);
    CHECK(strstr(err.msg, "\"fast\" is not a number") != NULL);
    CHECK(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,2]}}",
                &v, &err) == -1);
    CHECK(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}",
                &v, &err) == -1);
    CHECK(strstr(err.msg, "matrix") != NULL);
    CHECK(parse("", &v, &err) == -1);
}

TEST(many_series_are_an_error_not_a_pick)
{
    double v = 0;
    struct error err = {{0}};
    CHECK(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                "{\"metric\":{\"a\":\"1\"},\"value\":[1,\"1\"]},"
                "{\"metric\":{\"a\":\"2\"},\"value\":[1,\"2\"]}]}}", &v, &err) == -1);
    CHECK(strstr(err.msg, "returned 2 series") != NULL);
}

TEST(numbers_ignore_the_locale)
{
    double v;
    CHECK(number_parse("0.5", &v) == 0 && v == 0.5);
    CHECK(number_parse("-Inf", &v) == 0 && isinf(v) && v < 0);
    CHECK(number_parse("inf", &v) == 0 && isinf(v));
    CHECK(number_parse("NaN", &v) == 0 && isnan(v));
    CHECK(number_parse("1,5", &v) == -1);
    CHECK(number_parse("0x10", &v) == -1);
    CHECK(number_parse("", &v) == -1);
    CHECK(number_parse("1 ", &v) == -1);
}

RUN_TESTS(T(vector_of_one), T(scalar), T(empty_vector_is_no_data),
          T(nan_and_infinities_are_values_to_be_judged_elsewhere), T(error_answer_is_shown_in_words),
          T(malformed_answers), T(many_series_are_an_error_not_a_pick), T(numbers_ignore_the_locale))
