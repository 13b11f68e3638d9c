/* keyorder.c — whether old's key and new's order alike (keyorder.h). */
#include "keyorder.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "pgdata.h"

/* A column's declared type, from PostgreSQL's catalogue or SQLite's
 * table_info, into type[len]; -1 with err. */
static int column_type(const struct datajob *j, int side, const char *col, char *type, size_t len,
                       struct error *err)
{
    PGconn *pg = side ? j->new_pg : j->old_pg;
    sqlite3 *db = side ? j->new_db : j->old_db;
    type[0] = '\0';
    if (pg)
        return datajob_pg_type(j, pg, side, col, 0, type, len, err);
    const struct sqltable *t = side ? &j->new_t : &j->old_t;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT type FROM pragma_table_info(?1, ?2) WHERE name = ?3",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, t->schema ? t->schema : "main", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, col, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            snprintf(type, len, "%s", (const char *)sqlite3_column_text(st, 0));
    } else {
        error_set(err, "%s: %s", side ? "new" : "old", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : -1;
}

/* An SQLite text column's collation other than BINARY, into coll[len] ("" when
 * BINARY or PostgreSQL: the comparison orders text by its bytes there). */
static void sqlite_collation(const struct datajob *j, int side, const char *col, char *coll,
                             size_t len)
{
    sqlite3 *db = side ? j->new_db : j->old_db;
    const struct sqltable *t = side ? &j->new_t : &j->old_t;
    const char *seq = NULL;
    coll[0] = '\0';
    if (db && sqlite3_table_column_metadata(db, t->schema ? t->schema : "main", t->name, col, NULL,
                                            &seq, NULL, NULL, NULL) == SQLITE_OK &&
        seq && strcmp(seq, "BINARY") != 0)
        snprintf(coll, len, "%s", seq);
}

static int has(const char *upper, const char *word) { return strstr(upper, word) != NULL; }

/* How values of a declared type order: "a number", "text", or the type
 * itself; NULL when anything goes (SQLite, no declared type). */
static const char *order_of(const char *type, int sqlite)
{
    char u[64];
    size_t n = 0;
    for (; type[n] && n + 1 < sizeof u; n++)
        u[n] = (char)toupper((unsigned char)type[n]);
    u[n] = '\0';
    if (sqlite) {   /* SQLite's affinity rules, in their order */
        if (has(u, "INT"))
            return "a number";
        if (has(u, "CHAR") || has(u, "CLOB") || has(u, "TEXT"))
            return "text";
        if (!u[0] || has(u, "BLOB"))
            return NULL;
        return "a number";   /* REAL, NUMERIC and the rest */
    }
    if (has(u, "INT") || has(u, "NUMERIC") || has(u, "DECIMAL") || has(u, "REAL") ||
        has(u, "DOUBLE"))
        return "a number";
    if (has(u, "CHAR") || has(u, "TEXT") || strcmp(u, "NAME") == 0)
        return "text";
    return type;
}

/* The storage class of an SQLite column's lowest or highest value (SQLite
 * orders NULL, then numbers, then text, then blobs): "integer", "real",
 * "text", "blob", or "" when the table is empty. */
static int lite_class(const struct datajob *j, int side, const char *col, int highest,
                      char *cls, size_t len, struct error *err)
{
    sqlite3 *db = side ? j->new_db : j->old_db;
    struct cbuf q = {0}, c = {0};
    map_quote(&c, col);
    cbuf_put(&q, "SELECT typeof(", 14);
    cbuf_put(&q, c.p, c.n);
    cbuf_put(&q, ") FROM ", 7);
    datajob_table(j, side, NULL, &q);
    cbuf_put(&q, " WHERE ", 7);
    cbuf_put(&q, c.p, c.n);
    cbuf_put(&q, " IS NOT NULL ORDER BY ", 22);
    cbuf_put(&q, c.p, c.n);
    cbuf_put(&q, highest ? " DESC LIMIT 1" : " LIMIT 1", highest ? 13 : 8);
    cbuf_put(&q, "", 1);
    sqlite3_stmt *st = NULL;
    int rc = q.oom || c.oom ? SQLITE_NOMEM : sqlite3_prepare_v2(db, q.p, -1, &st, NULL);
    cls[0] = '\0';
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        snprintf(cls, len, "%s", (const char *)sqlite3_column_text(st, 0));
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        error_set(err, "%s: %s", side ? "new" : "old", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    cbuf_free(&q);
    cbuf_free(&c);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int is_number(const char *cls) { return !strcmp(cls, "integer") || !strcmp(cls, "real"); }

/* How an SQLite key column's values order, from what it holds rather than
 * what it declares: a column with no declared type (or a declared type
 * whose affinity lets text through) orders by each value's storage class.
 * "a number", "text", "numbers before text"; the declared order when the
 * table is empty or holds blobs. Its words go to what[len]. */
static int lite_order(const struct datajob *j, int side, const char *col, const char *declared,
                      const char **order, char *what, size_t len, struct error *err)
{
    char lo[16], hi[16];
    if (lite_class(j, side, col, 0, lo, sizeof lo, err) != 0 ||
        lite_class(j, side, col, 1, hi, sizeof hi, err) != 0)
        return -1;
    const char *held = NULL;
    if (is_number(lo) && is_number(hi))
        held = "a number";
    else if (!strcmp(lo, "text") && !strcmp(hi, "text"))
        held = "text";
    else if (is_number(lo) && !strcmp(hi, "text"))
        held = "numbers before text";
    if (held && (!*order || strcmp(held, *order) != 0)) {
        snprintf(what, len, "%s, holding %s", declared[0] ? declared : "no declared type",
                 strcmp(held, "a number") == 0 ? "numbers"
                 : strcmp(held, "text") == 0   ? "text"
                                               : "numbers and text");
        *order = held;
    }
    return 0;
}

int keyorder_alike(const struct datajob *j, struct error *err)
{
    for (size_t i = 0; i < j->plan.n_key; i++) {
        const struct map_col *c = &j->plan.cols[j->plan.key[i]];
        char told[64], tnew[64], wold[96], wnew[96];
        if (column_type(j, 0, c->old_name, told, sizeof told, err) != 0 ||
            column_type(j, 1, c->name, tnew, sizeof tnew, err) != 0)
            return -1;
        const char *o = order_of(told, j->old_db != NULL), *n = order_of(tnew, j->new_db != NULL);
        snprintf(wold, sizeof wold, "%s", told);
        snprintf(wnew, sizeof wnew, "%s", tnew);
        if ((j->old_db && lite_order(j, 0, c->old_name, told, &o, wold, sizeof wold, err) != 0) ||
            (j->new_db && lite_order(j, 1, c->name, tnew, &n, wnew, sizeof wnew, err) != 0))
            return -1;
        char coll[32];
        for (int side = 0; side < 2; side++) {
            const char *ord = side ? n : o;
            if (!ord || strcmp(ord, "text") != 0)
                continue;
            sqlite_collation(j, side, side ? c->name : c->old_name, coll, sizeof coll);
            if (!coll[0])
                continue;
            error_set(err, "the key `%s` sorts by SQLite's collation %s in %s: the comparison "
                      "orders text keys by their bytes, so its ranges would hold other rows "
                      "on each side; declare the key's column without COLLATE %s to compare it "
                      "(backfill is not affected)",
                      side ? c->name : c->old_name, coll, side ? "new" : "old", coll);
            return -1;
        }
        if (!o || !n || strcmp(o, n) == 0)
            continue;
        error_set(err, "the key `%s` orders as %s in old (%s) and as %s in new (%s): ranges cut "
                  "on one side hold other rows on the other, and every row would be called "
                  "missing and extra; give the key the same type on both sides to compare them "
                  "(backfill is not affected)",
                  c->old_name, o, wold, n, wnew);
        return -1;
    }
    return 0;
}
