/* test_pgbinary.c — COPY's binary rows as the backfill passes them on
 * (core/pgbinary.h): the stream's header and trailer are not rows; a
 * json or text field bound for jsonb gets jsonb's version byte and its
 * length grows by one, NULLs stay NULL; the key of a row is read back as
 * text for int2, int4, int8, text and uuid; a row with the wrong field
 * count or a length past its end is refused. Messages are built by hand,
 * as PostgreSQL sends them (PostgreSQL's own streams are in
 * test_data_postgres). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/pgbinary.h"

struct msg {
    unsigned char b[512];
    int n;
};

static void u16(struct msg *m, int v) { m->b[m->n++] = (unsigned char)(v >> 8), m->b[m->n++] = (unsigned char)v; }
static void u32(struct msg *m, long v)
{
    for (int s = 24; s >= 0; s -= 8)
        m->b[m->n++] = (unsigned char)((unsigned long)v >> s);
}
static void field(struct msg *m, const void *p, int len)
{
    u32(m, len);
    if (len > 0)
        memcpy(m->b + m->n, p, (size_t)len), m->n += len;
}
static void header(struct msg *m)
{
    memcpy(m->b, "PGCOPY\n\377\r\n", 11);
    m->n = 11;
    u32(m, 0);
    u32(m, 0);
}

/* columns: int8 key, text, jsonb (from json), uuid */
static struct pgbinary plan(void)
{
    struct pgbinary b;
    memset(&b, 0, sizeof b);
    b.on = 1;
    b.n_cols = 4;
    b.key_oid[0] = 20;
    b.key_oid[1] = 25;
    b.to_jsonb[2] = 1;
    b.key_oid[3] = 2950;
    return b;
}

static void row(struct msg *m, long long id, const char *s, const char *json)
{
    static const unsigned char uuid[16] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
                                           0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
    unsigned char k[8];
    for (int i = 0; i < 8; i++)
        k[i] = (unsigned char)((unsigned long long)id >> (56 - 8 * i));
    u16(m, 4);
    field(m, k, 8);
    field(m, s, s ? (int)strlen(s) : -1);
    field(m, json, json ? (int)strlen(json) : -1);
    field(m, uuid, 16);
}

TEST(the_header_is_passed_on_and_the_first_row_counted)
{
    struct pgbinary b = plan();
    struct msg m = {0};
    header(&m);
    row(&m, 7, "eu", "{\"a\":1}");
    char *out = NULL;
    int n = 0;
    CHECK(pgbinary_message(&b, (char *)m.b, m.n, &out, &n) == 1);
    CHECK(n == m.n + 1);   /* the jsonb version byte */
    CHECK(memcmp(out, m.b, 19) == 0);
    /* key, text as they were; the json field one longer, starting with 1 */
    int at = 19 + 2 + 4 + 8 + 4 + 2;
    CHECK(out[at + 3] == 8 && out[at + 4] == 1 && memcmp(out + at + 5, "{\"a\":1}", 7) == 0);
    free(out);
    char *k = pgbinary_field(&b, (char *)m.b, m.n, 0);
    CHECK_STR(k, "7");
    free(k);
}

TEST(later_rows_nulls_the_trailer_and_the_keys)
{
    struct pgbinary b = plan();
    b.seen_header = 1;
    struct msg m = {0};
    row(&m, -9000000000LL, NULL, NULL);
    char *out = NULL;
    int n = 0;
    CHECK(pgbinary_message(&b, (char *)m.b, m.n, &out, &n) == 1);
    CHECK(n == m.n && memcmp(out, m.b, (size_t)n) == 0);   /* a NULL json stays NULL */
    if (out != (char *)m.b)
        free(out);
    char *k = pgbinary_field(&b, (char *)m.b, m.n, 0), *t = pgbinary_field(&b, (char *)m.b, m.n, 1),
         *u = pgbinary_field(&b, (char *)m.b, m.n, 3), *j = pgbinary_field(&b, (char *)m.b, m.n, 2);
    CHECK_STR(k, "-9000000000");
    CHECK(t == NULL);   /* NULL */
    CHECK_STR(u, "12345678-9abc-def0-0123-456789abcdef");
    CHECK(j == NULL);   /* not a key type */
    free(k), free(u);
    struct msg tr = {0};
    u16(&tr, -1);
    CHECK(pgbinary_message(&b, (char *)tr.b, tr.n, &out, &n) == 0);
}

TEST(a_stream_with_no_rows_is_header_and_trailer)
{
    struct pgbinary b = plan();
    struct msg m = {0};
    header(&m);
    u16(&m, -1);
    char *out = NULL;
    int n = 0;
    CHECK(pgbinary_message(&b, (char *)m.b, m.n, &out, &n) == 0);
    CHECK(out == (char *)m.b && n == m.n);
}

TEST(damaged_rows_are_refused)
{
    struct pgbinary b = plan();
    struct msg m = {0};
    char *out = NULL;
    int n = 0;
    row(&m, 1, "x", "{}");
    CHECK(pgbinary_message(&b, (char *)m.b, m.n, &out, &n) == -1);   /* no header first */
    b.seen_header = 1;
    CHECK(pgbinary_message(&b, (char *)m.b, m.n - 3, &out, &n) == -1);   /* cut short */
    struct msg w = {0};
    u16(&w, 3);
    CHECK(pgbinary_message(&b, (char *)w.b, w.n, &out, &n) == -1);   /* 3 fields, not 4 */
    struct msg l = {0};
    u16(&l, 4);
    u32(&l, 1000);   /* a length past the end */
    CHECK(pgbinary_message(&b, (char *)l.b, l.n, &out, &n) == -1);
    CHECK(pgbinary_field(&b, (char *)l.b, l.n, 0) == NULL);
}

RUN_TESTS(T(the_header_is_passed_on_and_the_first_row_counted),
          T(later_rows_nulls_the_trailer_and_the_keys),
          T(a_stream_with_no_rows_is_header_and_trailer),
          T(damaged_rows_are_refused))
