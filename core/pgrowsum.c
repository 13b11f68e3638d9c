/* pgrowsum.c — the PostgreSQL ↔ PostgreSQL range checksum (pgrowsum.h). */
#include "pgrowsum.h"

#include <string.h>

#include "pgcompare.h"
#include "pgdata.h"

enum { OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25,
       OID_JSON = 114, OID_BPCHAR = 1042, OID_VARCHAR = 1043, OID_TIMESTAMP = 1114,
       OID_TIMESTAMPTZ = 1184, OID_NUMERIC = 1700, OID_JSONB = 3802 };

/* Types whose values share one text form when they are equal. */
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

/* One value's field in the ROW: as it is when both sides write it alike,
 * else the cheapest form both write alike for equal values. */
static void field(struct cbuf *b, const char *x, unsigned oid, unsigned other)
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

void pgrowsum_sql(struct cbuf *b, const char *const *x, const unsigned *oid,
                  const unsigned *other, size_t n, int hashtext)
{
    put(b, "count(*), ((coalesce(sum(");
    put(b, hashtext ? "hashtextextended(ROW(" : "('x' || left(md5(ROW(");
    for (size_t i = 0; i < n; i++) {
        if (i)
            put(b, ", ");
        field(b, x[i], oid[i], other[i]);
    }
    /* ROW of one field is still a record: "(v)" */
    put(b, hashtext ? ")::text, 0)" : ")::text), 16))::bit(64)::bigint");
    put(b, "), 0) % 18446744073709551616 + 18446744073709551616) % 18446744073709551616)::text");
}

int pgrowsum_probe(PGconn *a, PGconn *b, int *same, struct error *err)
{
    static const char q[] = "SELECT hashtextextended('cutover probe: \xc3\xa9quivalence, "
                            "0123456789abcdef', 42)::text";
    *same = 0;
    PGresult *ra = pgdata_query(a, "old", q, 0, NULL, NULL);
    PGresult *rb = ra ? pgdata_query(b, "new", q, 0, NULL, NULL) : NULL;
    (void)err; /* a server without the function: MD5 then */
    if (ra && rb && PQntuples(ra) == 1 && PQntuples(rb) == 1)
        *same = strcmp(PQgetvalue(ra, 0, 0), PQgetvalue(rb, 0, 0)) == 0;
    PQclear(ra);
    PQclear(rb);
    return 0;
}
