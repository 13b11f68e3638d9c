/* datajob.h — what backfill and compare both start from: the runbook's
 * `old` and `new` systems opened (SQLite or PostgreSQL, either side), their tables read, the mapping resolved
 * into one plan, and the SQL pieces the plan implies. */
#ifndef CUTOVER_DATAJOB_H
#define CUTOVER_DATAJOB_H

#include <libpq-fe.h>
#include <sqlite3.h>

#include "canon.h"
#include "error.h"
#include "mapping.h"
#include "runbook.h"
#include "sqlschema.h"

struct datajob {
    const struct rb_system *old_sys, *new_sys;
    sqlite3 *old_db, *new_db;   /* the side's SQLite, or NULL when it is PostgreSQL */
    PGconn *old_pg, *new_pg;    /* the side's PostgreSQL, or NULL when it is SQLite */
    struct sqltable old_t, new_t;
    struct mapping map;
    struct map_plan plan;
};

/* Opens both stores and resolves the mapping. -1 with err, or with the
 * mapping's problems in j->map.problems (each with its runbook line) and
 * err saying so. Close with datajob_close in either case. */
int datajob_open(struct datajob *j, const struct runbook *rb, struct error *err);
void datajob_close(struct datajob *j);

/* The runbook's mapping judged against old's and new's tables, read and
 * never written (an SQLite file opened read-only): for `cutover check`
 * and `preflight`. 0 when judged, its problems (each with its runbook
 * line) in map->problems — the syntax's too, the caller having said
 * those; -1 with err when a store cannot be reached or read (nothing
 * judged). map is the caller's to free (mapping_free) either way. */
int datajob_check_schemas(const struct runbook *rb, struct mapping *map, struct error *err);

/* 1 when the runbook has a `backfill` or `compare` step: the data engine
 * is used, and its mapping is worth judging against the tables. */
int datajob_used(const struct runbook *rb);

/* 0 when every row of old has its whole key; else -1 with err saying how
 * many do not ("2 rows of old have no key (`k` is NULL) …"): such a row
 * can be neither copied by keyset nor paired with new's by compare, and
 * a keyset batch would stop at it. One count on old (PostgreSQL answers
 * it from the key's NOT NULL at once). */
int datajob_keys_whole(const struct datajob *j, struct error *err);

/* The declared type of `side`'s column col in PostgreSQL, read on `on` (a
 * session of that side's database), into type[len] ("" when it has no such
 * column): "bigint", or with `exact` its modifier and collation too
 * ("character varying(20) COLLATE C"), which must match for a key read
 * back from one side to order as the other's. -1 with err. */
int datajob_pg_type(const struct datajob *j, PGconn *on, int side, const char *col, int exact,
                    char *type, size_t len, struct error *err);

/* SQL pieces, appended to b. `side` 0 is old (old's column names), 1 new. */
void datajob_keys(const struct datajob *j, int side, const char *prefix, struct cbuf *b);
/* "(k1, k2) OP (?, ?)" — row values, so composite keys order as tuples. */
void datajob_key_cmp(const struct datajob *j, int side, const char *op, struct cbuf *b);
/* old's select list giving new's columns in plan order (compared ones only
 * when compared_only), or new's own columns. */
void datajob_select(const struct datajob *j, int side, int compared_only, struct cbuf *b);
/* The quoted table, schema-qualified when schema is not NULL. */
void datajob_table(const struct datajob *j, int side, const char *schema, struct cbuf *b);
/* " ON CONFLICT (K) DO UPDATE SET c = excluded.c, … WHERE T.v IS NULL OR
 * excluded.v > T.v": the backfill's upsert, which never makes a row older
 * than what dual-write put there (T: target, the name the statement gives
 * new's table, or new's table itself when NULL); DO NOTHING when every
 * column is a key. */
void datajob_on_conflict(const struct datajob *j, const char *target, struct cbuf *b);

#endif
