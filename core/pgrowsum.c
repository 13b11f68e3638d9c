/* pgrowsum.c — the PostgreSQL ↔ PostgreSQL range checksum (pgrowsum.h). */
#include "pgrowsum.h"

#include <stdio.h>
#include <string.h>

#include "pgcompare.h"
#include "pgdata.h"

enum { OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25,
       OID_JSON = 114, OID_BPCHAR = 1042, OID_VARCHAR = 1043, OID_TIMESTAMP = 1114,
       OID_TIMESTAMPTZ = 1184, OID_NUMERIC = 1700, OID_JSONB = 3802 };

/* Types whose values share one form when they are equal. */
enum class { K_OTHER, K_INT, K_NUMERIC, K_TEXT, K_JSON, K_TIME };

static enum class class_of(unsigned oid)
{
    switch (oid) {
    case OID_INT2: case OID_INT4: case OID_INT8: return K_INT;
    case OID_NUMERIC: return K_NUMERIC;
    case OID_TEXT: case OID_VARCHAR: return K_TEXT;
    case OID_JSON: case OID_JSONB: return K_JSON;
    case OID_TIMESTAMP: case OID_TIMESTAMPTZ: return K_TIME;
    default: return K_OTHER;
    }
}

static void put(struct cbuf *b, const char *s) { cbuf_put(b, s, strlen(s)); }

/* fn(pre x post, seed), NULL as the seed itself */
static void hashed(struct cbuf *b, const char *fn, const char *pre, const char *x,
                   const char *post, unsigned seed)
{
    char s[32];
    snprintf(s, sizeof s, ", %u), %u)", seed, seed);
    put(b, "coalesce(");
    put(b, fn);
    put(b, "(");
    put(b, pre);
    put(b, x);
    put(b, post);
    put(b, s);
}

/* One value's typed hash: its type's hash function on the form both
 * sides share for equal values. */
static void typed_field(struct cbuf *b, const char *x, unsigned oid, unsigned other,
                        unsigned seed)
{
    enum class k = class_of(oid), ko = class_of(other);
    if (k == K_INT && ko == K_INT) {
        hashed(b, "hashint8extended", "(", x, ")::int8", seed);
    } else if ((k == K_NUMERIC || k == K_INT) && (ko == K_NUMERIC || ko == K_INT)) {
        hashed(b, "hash_numeric_extended", "(", x, ")::numeric", seed);
    } else if (k == K_JSON && ko == K_JSON) {
        hashed(b, "jsonb_hash_extended", "(", x, ")::jsonb", seed);
    } else if (k == K_TIME && ko == K_TIME) {
        /* the session is in UTC: an instant is one timestamp */
        hashed(b, "timestamp_hash_extended", "(", x, ")::timestamp", seed);
    } else if ((k == K_TEXT && ko == K_TEXT) || oid == other) {
        /* one type on both sides writes equal values alike */
        hashed(b, "hashtextextended", "(", x, ")::text COLLATE \"C\"", seed);
    } else {
        struct cbuf c = {0};
        pgcompare_canon_sql(&c, x, oid);
        hashed(b, "hashtextextended", "", c.p ? c.p : "NULL", " COLLATE \"C\"", seed);
        cbuf_free(&c);
    }
}

/* One value's field in the ROW whose text MD5 hashes: as it is when both
 * sides write it alike, else the cheapest form both write alike. */
static void md5_field(struct cbuf *b, const char *x, unsigned oid, unsigned other)
{
    enum class k = class_of(oid), ko = class_of(other);
    if ((k == K_INT && ko == K_INT) || (k == K_TEXT && ko == K_TEXT) ||
        (oid == other && k != K_NUMERIC && oid != OID_JSON)) {
        put(b, "(");
        put(b, x);
        put(b, ")");
    } else if ((k == K_NUMERIC || k == K_INT) && (ko == K_NUMERIC || ko == K_INT)) {
        put(b, "trim_scale((");
        put(b, x);
        put(b, ")::numeric)");
    } else if (k == K_JSON && ko == K_JSON) {
        put(b, "(");
        put(b, x);
        put(b, ")::jsonb");
    } else if (k == K_TIME && ko == K_TIME) {
        put(b, "(");
        put(b, x);
        put(b, ")::timestamptz");
    } else {
        pgcompare_canon_sql(b, x, oid);
    }
}

void pgrowsum_row(struct cbuf *b, const char *const *x, const unsigned *oid,
                  const unsigned *other, size_t n, int typed)
{
    put(b, typed ? "(" : "('x' || left(md5(ROW(");
    for (size_t i = 0; i < n; i++) {
        if (typed) {
            put(b, i ? " # " : "");
            typed_field(b, x[i], oid[i], other[i], (unsigned)i + 1);
        } else {
            put(b, i ? ", " : "");
            md5_field(b, x[i], oid[i], other[i]);
        }
    }
    /* ROW of one field is still a record: "(v)" */
    put(b, typed ? ")" : ")::text), 16))::bit(64)::bigint");
}

void pgrowsum_sql(struct cbuf *b, const char *const *x, const unsigned *oid,
                  const unsigned *other, size_t n, int typed)
{
    put(b, "count(*), ((coalesce(sum(");
    pgrowsum_row(b, x, oid, other, n, typed);
    put(b, "), 0) % 18446744073709551616 + 18446744073709551616) % 18446744073709551616)::text");
}

int pgrowsum_probe(PGconn *a, PGconn *b, int *typed, struct error *err)
{
    static const char q[] =
        "SELECT concat_ws(',', hashtextextended('cutover probe: \xc3\xa9quivalence, "
        "0123456789abcdef' COLLATE \"C\", 42), hashint8extended(-1234567890123, 42), "
        "hash_numeric_extended(12345.678900, 42), "
        "jsonb_hash_extended('{\"a\": [1, 2.50, \"x\"], \"b\": null}', 42), "
        "timestamp_hash_extended('2024-02-29 12:34:56.789'::timestamp, 42))";
    *typed = 0;
    PGresult *ra = pgdata_query(a, "old", q, 0, NULL, NULL);
    PGresult *rb = ra ? pgdata_query(b, "new", q, 0, NULL, NULL) : NULL;
    (void)err; /* a server without one of the functions: MD5 then */
    if (ra && rb && PQntuples(ra) == 1 && PQntuples(rb) == 1)
        *typed = strcmp(PQgetvalue(ra, 0, 0), PQgetvalue(rb, 0, 0)) == 0;
    PQclear(ra);
    PQclear(rb);
    return 0;
}
