/* test_cmpresume.c — the comparison's checkpoint read back from journal
 * events (cmpresume.h), and the Wilson interval of a sample's rate. */
#include <math.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "core/cmpresume.h"
#include "core/compare.h"

static int near(double a, double b) { return fabs(a - b) < 5e-5; }

TEST(wilson_matches_the_textbook)
{
    double lo, hi;
    compare_wilson(10, 100, &lo, &hi); /* p = 0.1: 0.0552 .. 0.1744 */
    CHECK(near(lo, 0.05523) && near(hi, 0.17437));
    compare_wilson(0, 1000, &lo, &hi); /* nothing found: 0 .. 0.0038 */
    CHECK(lo == 0 && near(hi, 0.00383));
    compare_wilson(5, 5, &lo, &hi);
    CHECK(hi == 1 && near(lo, 0.56551));
    compare_wilson(0, 0, &lo, &hi);
    CHECK(lo == 0 && hi == 1);
}

TEST(a_checkpoint_and_what_came_after_it)
{
    struct cmpresume s;
    cmpresume_init(&s, "compare:orders");
    cmpresume_apply(&s, "divergence", "{\"key\":\"1\",\"cause\":\"value\"}");
    cmpresume_apply(&s, "compare_progress", "{\"job\":\"compare:orders\",\"rows\":14000,"
                    "\"rows_new\":13999,\"divergent\":2,\"by_cause\":{\"value\":1,"
                    "\"missing-in-new\":1},\"after\":[14000],\"cursor\":\"14000\"}");
    cmpresume_apply(&s, "compare_progress", "{\"job\":\"compare:other\",\"rows\":5,\"after\":[5]}");
    cmpresume_apply(&s, "divergence", "{\"key\":\"15000\",\"cause\":\"value\"}");
    cmpresume_apply(&s, "divergence", "{\"key\":\"3\",\"cause\":\"value\",\"sample\":true}");
    CHECK(s.have && s.n_after == 1 && s.after[0].t == CV_INT && s.after[0].i == 14000);
    CHECK_STR(s.cursor, "14000");
    CHECK(s.prior.rows_old == 14000 && s.prior.rows_new == 13999 && s.prior.divergent == 2);
    CHECK(s.prior.by_cause[CAUSE_VALUE] == 1 && s.prior.by_cause[CAUSE_MISSING_IN_NEW] == 1);
    /* every divergence since the comparison began: a later run's
     * checkpoint may fall before a key an earlier run journaled */
    CHECK(cmpresume_seen(&s, "15000", NULL) && cmpresume_seen(&s, "1", NULL) && !cmpresume_seen(&s, "2", NULL));
    CHECK(!cmpresume_seen(&s, "3", NULL)); /* a sample's are its own */
    /* a sample's outcome leaves the checkpoint alone; a whole one ends it */
    cmpresume_apply(&s, "compare", "{\"rows_old\":5,\"rows_new\":5,\"divergent\":0,\"sample\":5}");
    CHECK(s.have);
    cmpresume_apply(&s, "compare", "{\"rows_old\":5,\"rows_new\":5,\"divergent\":0,"
                    "\"job\":\"compare:orders\"}");
    CHECK(!s.have && !cmpresume_seen(&s, "15000", NULL));
    cmpresume_free(&s);
}

TEST(a_composite_text_key_and_a_restart)
{
    struct cmpresume s;
    cmpresume_init(&s, "compare:u");
    cmpresume_apply(&s, "compare_progress", "{\"job\":\"compare:u\",\"rows\":7,"
                    "\"after\":[\"e,u\",42],\"cursor\":\"e,u,42\"}");
    CHECK(s.have && s.n_after == 2 && s.after[0].t == CV_TEXT && s.after[1].i == 42);
    CHECK_STR(s.after[0].s, "e,u");
    cmpresume_apply(&s, "compare_progress", "{\"job\":\"compare:u\",\"rows\":0}");
    CHECK(!s.have && s.prior.rows_old == 0);
    cmpresume_apply(&s, "compare_progress", "{\"job\":\"compare:u\",\"rows\":1,\"after\":[{}]}");
    CHECK(!s.have); /* a key it cannot read: start over rather than guess */
    cmpresume_free(&s);
}

TEST(the_progress_body_reads_back)
{
    struct compare_result r = {.rows_old = 3000, .rows_new = 2999, .divergent = 1, .ranges = 6};
    r.by_cause[CAUSE_TIME_SHIFT] = 1;
    struct cval key[2] = {{.t = CV_TEXT, .s = "eu", .n = 2}, {.t = CV_INT, .i = 9}};
    struct compare_progress p = {.r = &r, .total = 5000, .n_key = 2, .after = key};
    cJSON *o = cmpresume_progress_json("compare:t", &p, 1234.5);
    char *body = cJSON_PrintUnformatted(o);
    CHECK(strstr(body, "\"cursor\":\"eu,9\"") != NULL);
    CHECK(strstr(body, "\"by_cause\":{\"time-shift\":1}") != NULL);
    struct cmpresume s;
    cmpresume_init(&s, "compare:t");
    cmpresume_apply(&s, "compare_progress", body);
    CHECK(s.have && s.n_after == 2 && s.after[1].i == 9 && s.prior.rows_new == 2999);
    CHECK(s.prior.by_cause[CAUSE_TIME_SHIFT] == 1 && s.prior.ranges == 6);
    cmpresume_free(&s);
    free(body);
    cJSON_Delete(o);
}

/* Keys whose text reads alike are told apart by their typed values: the
 * integer 10 and the text '10', ('x,y', 'z') and ('x', 'y,z'); an integer
 * beyond 2^53 goes as its digits and comes back exact. */
TEST(typed_keys_are_told_apart)
{
    struct cmpresume s;
    cmpresume_init(&s, "compare:t");
    cmpresume_apply(&s, "divergence", "{\"key\":\"10\",\"key_values\":[10],\"cause\":\"value\"}");
    cmpresume_apply(&s, "divergence", "{\"key\":\"x,y,z\",\"key_values\":[\"x\",\"y,z\"],"
                    "\"cause\":\"value\"}");
    CHECK(cmpresume_seen(&s, "10", "[10]") && !cmpresume_seen(&s, "10", "[\"10\"]"));
    CHECK(cmpresume_seen(&s, "x,y,z", "[\"x\",\"y,z\"]"));
    CHECK(!cmpresume_seen(&s, "x,y,z", "[\"x,y\",\"z\"]"));
    struct cval big[2] = {{.t = CV_INT, .i = 1152921504606847976LL}, {.t = CV_TEXT, .s = "a", .n = 1}};
    cJSON *a = cmpresume_key_json(big, 2);
    char *text = cJSON_PrintUnformatted(a);
    CHECK_STR(text, "[{\"int\":\"1152921504606847976\"},\"a\"]");
    char body[200];
    snprintf(body, sizeof body, "{\"job\":\"compare:t\",\"rows\":1,\"after\":%s}", text);
    cmpresume_apply(&s, "compare_progress", body);
    CHECK(s.have && s.n_after == 2 && s.after[0].t == CV_INT && s.after[0].i == 1152921504606847976LL);
    free(text);
    cJSON_Delete(a);
    cmpresume_free(&s);
}

RUN_TESTS(T(wilson_matches_the_textbook), T(a_checkpoint_and_what_came_after_it),
          T(a_composite_text_key_and_a_restart), T(the_progress_body_reads_back),
          T(typed_keys_are_told_apart))
