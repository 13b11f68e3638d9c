/* pgcanon.c — holds the two halves of the canonical text against each
 * other: for each SQL expression read from standard input (one a line),
 * the canonical text PostgreSQL computes for it (pgcompare_canon_sql, the
 * checksum's SQL) against canon_append in C over the value as compare
 * fetches it (pgcompare_cval), and, when a line carries
 * " -- sqlite: EXPR", against canon_append over EXPR's value in SQLite (the
 * other engine's side of a cross-engine checksum).
 *
 *   pgcanon CONNINFO < cases     prints "same EXPR" or "DIFFERENT EXPR: …"
 *                                per line; exit 1 when any differs */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "core/canon.h"
#include "core/pgcompare.h"
#include "core/pgdata.h"
#include "core/rowhash.h"

static void put(struct cbuf *b, const char *s) { cbuf_put(b, s, strlen(s)); }

/* The canonical text of expr's value in SQLite, or NULL. */
static char *lite_canon(sqlite3 *db, const char *expr)
{
    struct cbuf q = {0}, out = {0};
    put(&q, "SELECT ");
    put(&q, expr);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, q.p, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        struct cval v = rowhash_cval(sqlite3_column_value(st, 0));
        canon_append(&out, &v);
    }
    sqlite3_finalize(st);
    cbuf_free(&q);
    return out.p;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pgcanon CONNINFO < cases\n");
        return 2;
    }
    PGconn *pg = PQconnectdb(argv[1]);
    struct error err = {{0}};
    if (PQstatus(pg) != CONNECTION_OK ||
        pgdata_exec(pg, "pgcanon", "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'", &err) != 0 ||
        pgdata_install_canon(pg, &err) != 0) {
        fprintf(stderr, "pgcanon: %s%s\n", err.msg, PQerrorMessage(pg));
        return 1;
    }
    sqlite3 *lite = NULL;
    sqlite3_open(":memory:", &lite);
    char line[4096];
    int bad = 0;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *lexpr = strstr(line, " -- sqlite: ");
        if (lexpr) {
            *lexpr = '\0';
            lexpr += strlen(" -- sqlite: ");
        }
        struct cbuf q = {0};
        put(&q, "SELECT (");
        put(&q, line);
        put(&q, ")");
        PGresult *r = pgdata_query(pg, "pgcanon", q.p, 0, NULL, &err);
        unsigned oid = r ? PQftype(r, 0) : 0;
        PQclear(r);
        struct cbuf sql = {0};
        put(&sql, "SELECT ");
        pgcompare_canon_sql(&sql, line, oid);
        put(&sql, ", (");
        put(&sql, line);
        put(&sql, oid == 16 ? ")::int::text" : ")::text");
        r = pgdata_query(pg, "pgcanon", sql.p, 0, NULL, &err);
        if (!r) {
            printf("DIFFERENT %s: %s\n", line, err.msg);
            bad = 1;
            cbuf_free(&q);
            cbuf_free(&sql);
            continue;
        }
        const char *in_pg = PQgetvalue(r, 0, 0);
        /* as compare reads the value: a boolean as 0/1, the rest by type */
        struct cval v = pgcompare_cval(r, 0, 1, oid == 16 ? 23 : oid);
        struct cbuf in_c = {0};
        canon_append(&in_c, &v);
        char *in_lite = lexpr ? lite_canon(lite, lexpr) : NULL;
        int same = in_c.p && strcmp(in_pg, in_c.p) == 0 &&
                   (!lexpr || (in_lite && strcmp(in_lite, in_pg) == 0));
        if (same) {
            printf("same %s\n", line);
        } else {
            printf("DIFFERENT %s: PostgreSQL %s, C %s", line, in_pg, in_c.p ? in_c.p : "?");
            if (lexpr)
                printf(", SQLite %s %s", lexpr, in_lite ? in_lite : "?");
            printf("\n");
            bad = 1;
        }
        free(in_lite);
        if (v.t == CV_TEXT || v.t == CV_BLOB)
            free((char *)v.s);
        cbuf_free(&in_c);
        PQclear(r);
        cbuf_free(&q);
        cbuf_free(&sql);
    }
    sqlite3_close(lite);
    PQfinish(pg);
    return bad;
}
