/* datajob.c — opening old and new for the data engine, and the SQL pieces
 * that the mapping plan implies (datajob.h). */
#include "datajob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdata.h"

static void put(struct cbuf *b, const char *s) { cbuf_put(b, s, strlen(s)); }

/* One side: a PostgreSQL or an SQLite store (read-only when only looked
 * at), and its table. */
static int side_open(const struct rb_system *sys, int readonly, sqlite3 **db, PGconn **pg,
                     struct sqltable *t, struct error *err)
{
    const char *table = rb_attr_get(sys->attrs, sys->n_attrs, "table");
    if (strcmp(sys->kind, "postgres") == 0)
        return pgdata_open(sys, pg, err) != 0 ? -1 : pgdata_table(*pg, table, t, err);
    if ((readonly ? sqlschema_open_readonly(sys, db, err) : sqlschema_open(sys, db, err)) != 0)
        return -1;
    return sqltable_read(*db, "main", table, t, err);
}

int datajob_used(const struct runbook *rb)
{
    for (size_t i = 0; i < rb->n_steps; i++)
        if (rb->steps[i].action == RB_ACTION_BACKFILL || rb->steps[i].action == RB_ACTION_COMPARE)
            return 1;
    return 0;
}

int datajob_check_schemas(const struct runbook *rb, struct mapping *map, struct error *err)
{
    const struct rb_system *sys[2] = {runbook_system(rb, "old"), runbook_system(rb, "new")};
    if (mapping_parse(rb, map) != 0) {
        error_set(err, "out of memory");
        return -1;
    }
    if (map->n_problems)
        return 0;   /* its syntax is at fault: no plan to judge */
    sqlite3 *db[2] = {NULL, NULL};
    PGconn *pg[2] = {NULL, NULL};
    struct sqltable t[2] = {{0}};
    int rc = 0;
    for (int s = 0; rc == 0 && s < 2; s++)
        if (!sys[s]) {
            error_set(err, "## Systems has no `%s` store", s ? "new" : "old");
            rc = -1;
        } else {
            rc = side_open(sys[s], 1, &db[s], &pg[s], &t[s], err);
        }
    if (rc == 0) {
        struct map_plan plan = {.version = -1};
        mapping_plan(map, t[0].cols, t[0].n_cols, t[1].cols, t[1].n_cols, t[1].pk, t[1].n_pk,
                     rb_attr_get(sys[1]->attrs, sys[1]->n_attrs, "key"), &plan);
        map_plan_free(&plan);
    }
    for (int s = 0; s < 2; s++) {
        sqltable_free(&t[s]);
        sqlite3_close(db[s]);
        if (pg[s])
            PQfinish(pg[s]);
    }
    return rc;
}

int datajob_open(struct datajob *j, const struct runbook *rb, struct error *err)
{
    *j = (struct datajob){.plan = {.version = -1}};
    j->old_sys = runbook_system(rb, "old");
    j->new_sys = runbook_system(rb, "new");
    if (!j->old_sys || !j->new_sys) {
        error_set(err, "## Systems needs an `old` and a `new` store");
        return -1;
    }
    if (mapping_parse(rb, &j->map) != 0) {
        error_set(err, "out of memory");
        return -1;
    }
    if (j->map.n_problems) {
        error_set(err, "the mapping has %zu problem%s", j->map.n_problems,
                  j->map.n_problems == 1 ? "" : "s");
        return -1;
    }
    if (side_open(j->old_sys, 0, &j->old_db, &j->old_pg, &j->old_t, err) != 0 ||
        side_open(j->new_sys, 0, &j->new_db, &j->new_pg, &j->new_t, err) != 0)
        return -1;
    if (mapping_plan(&j->map, j->old_t.cols, j->old_t.n_cols, j->new_t.cols, j->new_t.n_cols,
                     j->new_t.pk, j->new_t.n_pk,
                     rb_attr_get(j->new_sys->attrs, j->new_sys->n_attrs, "key"), &j->plan) != 0) {
        error_set(err, "the mapping has %zu problem%s", j->map.n_problems,
                  j->map.n_problems == 1 ? "" : "s");
        return -1;
    }
    return 0;
}

int datajob_keys_whole(const struct datajob *j, struct error *err)
{
    struct cbuf q = {0}, names = {0};
    put(&q, "SELECT count(*) FROM ");
    datajob_table(j, 0, NULL, &q);
    for (size_t i = 0; i < j->plan.n_key; i++) {
        const char *name = j->plan.cols[j->plan.key[i]].old_name;
        put(&q, i ? " OR " : " WHERE ");
        map_quote(&q, name);
        put(&q, " IS NULL");
        put(&names, i ? "`, `" : "`");
        put(&names, name);
    }
    put(&names, "`");
    long long n = -1;
    if (q.oom || names.oom) {
        error_set(err, "out of memory");
    } else if (j->old_pg) {
        PGresult *r = pgdata_query(j->old_pg, "old", q.p, 0, NULL, err);
        if (r)
            n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    } else {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(j->old_db, q.p, -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        else
            error_set(err, "old: %s", sqlite3_errmsg(j->old_db));
        sqlite3_finalize(st);
    }
    if (n > 0)
        error_set(err, "%lld row%s of old ha%s no key (%s%s%s): a row without its key can be "
                  "neither copied nor compared; give %s a key, or keep %s out of old's table",
                  n, n == 1 ? "" : "s", n == 1 ? "s" : "ve", j->plan.n_key == 1 ? "" : "a NULL in ",
                  names.p, j->plan.n_key == 1 ? " is NULL" : "", n == 1 ? "it" : "them",
                  n == 1 ? "it" : "them");
    cbuf_free(&q);
    cbuf_free(&names);
    return n == 0 ? 0 : -1;
}

void datajob_close(struct datajob *j)
{
    map_plan_free(&j->plan);
    mapping_free(&j->map);
    sqltable_free(&j->old_t);
    sqltable_free(&j->new_t);
    sqlite3_close(j->old_db);
    sqlite3_close(j->new_db);
    if (j->old_pg)
        PQfinish(j->old_pg);
    if (j->new_pg)
        PQfinish(j->new_pg);
    *j = (struct datajob){.plan = {.version = -1}};
}

void datajob_keys(const struct datajob *j, int side, const char *prefix, struct cbuf *b)
{
    for (size_t i = 0; i < j->plan.n_key; i++) {
        const struct map_col *c = &j->plan.cols[j->plan.key[i]];
        if (i)
            put(b, ", ");
        if (prefix)
            put(b, prefix);
        map_quote(b, side ? c->name : c->old_name);
    }
}

void datajob_key_cmp(const struct datajob *j, int side, const char *op, struct cbuf *b)
{
    put(b, "(");
    datajob_keys(j, side, NULL, b);
    put(b, ") ");
    put(b, op);
    put(b, " (");
    for (size_t i = 0; i < j->plan.n_key; i++)
        put(b, i ? ", ?" : "?");
    put(b, ")");
}

void datajob_select(const struct datajob *j, int side, int compared_only, struct cbuf *b)
{
    int first = 1;
    for (size_t i = 0; i < j->plan.n_cols; i++) {
        const struct map_col *c = &j->plan.cols[i];
        if (compared_only && !c->compared)
            continue;
        if (!first)
            put(b, ", ");
        first = 0;
        if (side) {
            map_quote(b, c->name);
        } else {
            put(b, "(");
            put(b, c->old_sql);
            put(b, ")");
        }
    }
}

void datajob_table(const struct datajob *j, int side, const char *schema, struct cbuf *b)
{
    if (schema) {
        map_quote(b, schema);
        put(b, ".");
    }
    map_quote(b, side ? j->new_t.name : j->old_t.name);
}

/* T."v": the version column of new's row as the statement names it */
static void target_version(const struct datajob *j, const char *target, struct cbuf *b)
{
    if (target)
        put(b, target);
    else
        datajob_table(j, 1, NULL, b);
    put(b, ".");
    map_quote(b, j->plan.cols[j->plan.version].name);
}

void datajob_on_conflict(const struct datajob *j, const char *target, struct cbuf *b)
{
    const struct map_plan *p = &j->plan;
    put(b, " ON CONFLICT (");
    datajob_keys(j, 1, NULL, b);
    put(b, ") DO ");
    int any = 0;
    for (size_t i = 0; i < p->n_cols; i++) {
        int is_key = 0;
        for (size_t k = 0; k < p->n_key; k++)
            is_key |= p->key[k] == i;
        if (is_key)
            continue;
        put(b, any ? ", " : "UPDATE SET ");
        any = 1;
        map_quote(b, p->cols[i].name);
        put(b, " = excluded.");
        map_quote(b, p->cols[i].name);
    }
    if (!any)
        put(b, "NOTHING");
    if (any && p->version >= 0) {
        put(b, " WHERE ");
        target_version(j, target, b);
        put(b, " IS NULL OR excluded.");
        map_quote(b, p->cols[p->version].name);
        put(b, " > ");
        target_version(j, target, b);
    }
}

int datajob_pg_type(const struct datajob *j, PGconn *on, int side, const char *col, int exact,
                    char *type, size_t len, struct error *err)
{
    struct cbuf t = {0};
    datajob_table(j, side, NULL, &t);
    const char *prm[2] = {t.oom ? "" : t.p, col};
    PGresult *r = pgdata_query(
        on, side ? "new" : "old",
        exact ? "SELECT format_type(atttypid, atttypmod) || coalesce(' COLLATE ' || "
                "(SELECT collname FROM pg_collation WHERE oid = attcollation), '') "
                "FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2"
              : "SELECT format_type(atttypid, NULL) FROM pg_attribute "
                "WHERE attrelid = $1::regclass AND attname = $2",
        2, prm, err);
    cbuf_free(&t);
    type[0] = '\0';
    if (r && PQntuples(r) == 1)
        snprintf(type, len, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return r ? 0 : -1;
}
