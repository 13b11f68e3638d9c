/* test_canon.c — equal by meaning (canon.h): numbers by value, JSON by
 * content, timestamps by instant; and the cause named for each kind of
 * difference. */
#include <stdlib.h>

#include "check.h"
#include "core/canon.h"

static struct cval text(const char *s) { return (struct cval){CV_TEXT, s, strlen(s), 0, 0}; }
static struct cval integer(long long i) { return (struct cval){CV_INT, NULL, 0, i, 0}; }
static struct cval real(double d) { return (struct cval){CV_REAL, NULL, 0, 0, d}; }
static const struct cval null_ = {CV_NULL, NULL, 0, 0, 0};

static int eq(struct cval a, struct cval b) { return canon_equal(&a, &b); }
static const char *cause(struct cval a, struct cval b) { return canon_cause_name(canon_cause(&a, &b)); }

TEST(numbers_are_equal_whatever_their_scale_or_type)
{
    CHECK(eq(text("1.10"), text("1.1")));
    CHECK(eq(text("1.10"), real(1.1)));
    CHECK(eq(integer(1), real(1.0)));
    CHECK(eq(text("-0.0"), integer(0)));
    CHECK(eq(text("100"), integer(100)));
    CHECK(!eq(text("1.1"), text("1.11")));
    CHECK(!eq(text("007"), integer(7))); /* a code with leading zeros stays text */
}

TEST(json_is_equal_whatever_its_key_order_and_spacing)
{
    CHECK(eq(text("{\"a\":1,\"b\":[1,2,{\"y\":1,\"x\":2}]}"),
             text(" { \"b\" : [1, 2, {\"x\":2, \"y\":1}], \"a\" : 1.0 } ")));
    CHECK(!eq(text("{\"a\":1}"), text("{\"a\":2}")));
    CHECK(!eq(text("[1,2]"), text("[2,1]")));
}

/* Text already canonical is kept as it is (no parse): it must read the
 * same as the parsed and printed form of an equal document. */
TEST(canonical_json_kept_as_is_agrees_with_the_parsed_form)
{
    CHECK(eq(text("{\"a\":1,\"b\":[true,false,null,\"x\"],\"c\":{}}"),
             text("{\"c\":{},\"b\":[true,false,null,\"x\"],\"a\":1}")));
    CHECK(eq(text("{\"a\":1.5}"), text("{\"a\":1.50}")));
    CHECK(eq(text("{\"a\":\"caf\xc3\xa9\"}"), text("{\"a\":\"caf\\u00e9\"}")));
    CHECK(eq(text("[1,-2,0]"), text("[ 1, -2, 0 ]")));
    CHECK(eq(text("{\"a\":1234567890}"), text("{ \"a\": 1234567890 }")));
    CHECK(!eq(text("{\"a\":1,\"b\":2}"), text("{\"a\":1,\"b\":3}")));
    CHECK(!eq(text("{\"ab\":1}"), text("{\"a\":1}")));
    struct cbuf b = {0};
    CHECK(canon_json(&b, "{\"a\":1,}", 8) != 0); /* not JSON: stays text */
    CHECK(canon_json(&b, "\"x\"", 3) != 0);        /* a scalar is not a document */
    cbuf_free(&b);
}

TEST(timestamps_are_equal_as_instants)
{
    CHECK(eq(text("2024-03-01 10:00:00"), text("2024-03-01T11:00:00+01:00")));
    CHECK(eq(text("2024-03-01T10:00:00Z"), text("2024-03-01 10:00:00.000")));
    CHECK(eq(text("2024-02-29T23:30:00-00:30"), text("2024-03-01 00:00:00")));
    CHECK(!eq(text("2024-03-01 10:00:00"), text("2024-03-01 10:00:01")));
    int64_t us;
    CHECK(canon_timestamp("1970-01-01T00:00:01.5Z", 22, &us) == 0 && us == 1500000);
    CHECK(canon_timestamp("2024-13-01 00:00:00", 19, &us) != 0);
}

TEST(null_and_empty_and_text_differ)
{
    CHECK(!eq(null_, text("")));
    CHECK(eq(null_, null_));
    CHECK(!eq(text("a "), text("a")));
}

TEST(each_difference_has_its_cause)
{
    CHECK_STR(cause(text("2024-03-01 10:00:00"), text("2024-03-01 12:00:00")), "time-shift");
    CHECK_STR(cause(text("2024-03-01 10:00:00"), text("2024-03-01 10:30:00")), "value");
    CHECK_STR(cause(null_, text("")), "null-vs-empty");
    CHECK_STR(cause(text(""), null_), "null-vs-empty");
    CHECK_STR(cause(text("1.235"), text("1.24")), "numeric-precision");
    CHECK_STR(cause(real(1.47), text("1.5")), "numeric-precision");
    CHECK_STR(cause(text("1.2"), text("1.4")), "value");
    CHECK_STR(cause(integer(100), integer(101)), "value");
    CHECK_STR(cause(text("a  b"), text(" a b")), "whitespace");
    CHECK_STR(cause(text("caf\xc3\xa9"), text("cafe\xcc\x81")), "unicode-normalisation");
    CHECK_STR(cause(text("caf\xc3\xa9"), text("cafe")), "value");
    CHECK_STR(cause(text("x"), text("y")), "value");
}

TEST(utf8_prefix_stops_at_the_first_byte_that_is_not_utf8)
{
    CHECK(canon_utf8_prefix("abc", 3) == 3);
    CHECK(canon_utf8_prefix("\xc3\xa9t\xc3\xa9", 5) == 5);       /* été */
    CHECK(canon_utf8_prefix("\xf0\x9f\x98\x80", 4) == 4);        /* an emoji */
    CHECK(canon_utf8_prefix("v\xc3(", 3) == 1);                  /* a lead byte alone */
    CHECK(canon_utf8_prefix("a\0b", 3) == 1);                    /* a NUL */
    CHECK(canon_utf8_prefix("\xc0\x80", 2) == 0);                /* overlong */
    CHECK(canon_utf8_prefix("\xed\xa0\x80", 3) == 0);            /* a surrogate */
    CHECK(canon_utf8_prefix("\xf4\x90\x80\x80", 4) == 0);        /* past U+10FFFF */
    CHECK(canon_utf8_prefix("ok\xe2\x82", 4) == 2);              /* cut short */
}

RUN_TESTS(T(numbers_are_equal_whatever_their_scale_or_type),
          T(json_is_equal_whatever_its_key_order_and_spacing),
          T(canonical_json_kept_as_is_agrees_with_the_parsed_form),
          T(timestamps_are_equal_as_instants), T(null_and_empty_and_text_differ),
          T(each_difference_has_its_cause), T(utf8_prefix_stops_at_the_first_byte_that_is_not_utf8))
