/* pgcompare_sql.c — each side's SQL, built once before a comparison
 * (pgcompare_internal.h): the compared values, the range checksum, the key
 * and, where both sides can, each row's hash; PostgreSQL on both sides
 * takes pgrowsum.h's cheaper checksum. */
#include "pgcompare_internal.h"

#include <stdlib.h>

#include "pgdata.h"
#include "pgrowsum.h"
#include "rowhash.h"

/* The side's SQL: on PostgreSQL, the values' types read first (a boolean
 * is compared as 0/1, as SQLite stores it; text keys order COLLATE "C";
 * json and jsonb are canonical JSON). */
int pgc_side_init(struct pgc *c, int side)
{
    struct side *s = &c->s[side];
    struct datajob *j = c->j;
    struct cbuf exprs = {0}, vals = {0}, sums = {0}, keys = {0}, table = {0};
    s->pg = side ? j->new_pg : j->old_pg;
    s->db = side ? j->new_db : j->old_db;
    s->name = side ? "new" : "old";
    datajob_select(j, side, 1, &exprs);
    datajob_table(j, side, NULL, &table);
    int rc = 0;
    if (s->pg) {
        struct cbuf q = {0};
        put(&q, "SELECT ");
        put(&q, exprs.p ? exprs.p : "");
        put(&q, " FROM ");
        put(&q, table.p ? table.p : "");
        put(&q, " LIMIT 0");
        PGresult *r = q.oom ? NULL : pgdata_query(s->pg, s->name, q.p, 0, NULL, c->err);
        cbuf_free(&q);
        /* the per-range sums group by a computed bucket whose count the
         * planner guesses as one per row, and so sorts (to disk) where a
         * hash of a few hundred groups is what it needs; and no JIT: the
         * cost enable_sort adds to any sort left in a plan sets JIT off,
         * and compiling a statement took 0.3-0.6 s each execution, longer
         * than the segment's scan it was meant to speed up */
        if (!r || pgdata_install_canon(s->pg, c->err) != 0 ||
            pgdata_exec(s->pg, s->name, "SET enable_sort = off; SET jit = off", c->err) != 0)
            rc = -1;
        for (size_t i = 0; r && i < c->n && i < MAXCOL; i++)
            s->oid[i] = s->type[i] = PQftype(r, (int)i);
        PQclear(r);
        put(&sums, "count(*), ((coalesce(sum(pg_temp.cutover_rowsum(");
        size_t at = 0;
        for (size_t i = 0; i < j->plan.n_cols; i++) {
            const struct map_col *m = &j->plan.cols[i];
            if (!m->compared)
                continue;
            struct cbuf e = {0};
            if (side)
                map_quote(&e, m->name);
            else
                put(&e, m->old_sql);
            const char *x = e.p ? e.p : "NULL";
            unsigned oid = s->oid[at];
            put(&vals, at ? ", (" : "(");
            put(&vals, x);
            put(&vals, oid == OID_BOOL ? ")::int" : ")");
            if (oid == OID_BOOL)
                s->oid[at] = OID_INT4;
            put(&sums, at ? " || " : "");
            pgcompare_canon_sql(&sums, x, oid);
            put(&sums, " || chr(31)");
            cbuf_free(&e);
            at++;
        }
        put(&sums, ")), 0) % 18446744073709551616 + 18446744073709551616) "
                   "% 18446744073709551616)::text");
        for (size_t i = 0; i < c->nk; i++) {
            const struct map_col *m = &j->plan.cols[j->plan.key[i]];
            unsigned oid = s->oid[c->keypos[i]];
            s->koid[i] = oid;
            if (i)
                put(&keys, ", ");
            map_quote(&keys, side ? m->name : m->old_name);
            if (oid == OID_TEXT || oid == OID_VARCHAR || oid == OID_BPCHAR)
                put(&keys, " COLLATE \"C\"");
        }
    } else {
        /* SQLite on both sides: the cheaper FNV checksum (rowhash.h);
         * against PostgreSQL, the MD5 one its SQL computes too */
        if ((c->lite_only ? rowhash_register(s->db) : rowhash_register_md5(s->db)) != SQLITE_OK) {
            error_set(c->err, "compare: %s: cannot register the checksum", s->name);
            rc = -1;
        }
        put(&vals, exprs.p ? exprs.p : "");
        put(&sums, c->lite_only ? "count(*), cutover_rowhash(" : "count(*), cutover_rowmd5(");
        put(&sums, exprs.p ? exprs.p : "");
        put(&sums, ")");
        datajob_keys(j, side, NULL, &keys);
        if (c->lite_only) {
            struct cbuf h = {0};
            put(&h, keys.p ? keys.p : "");
            put(&h, ", cutover_rowhash1(");
            put(&h, exprs.p ? exprs.p : "");
            put(&h, ")");
            if (h.oom)
                rc = -1;
            s->rowh = h.p;
        }
    }
    cbuf_free(&exprs);
    s->vals = vals.p;
    s->sums = sums.p;
    s->keys = keys.p;
    s->table = table.p;
    if (rc == 0 && (vals.oom || sums.oom || keys.oom || table.oom || !s->vals || !s->keys)) {
        error_set(c->err, "out of memory");
        rc = -1;
    }
    return rc;
}

/* PostgreSQL on both sides: pgrowsum.h's cheaper checksum replaces the
 * canonical text's, on both at once (each side's form depends on both
 * sides' types). */
int pgc_both_pg(struct pgc *c)
{
    int typed = 0;
    if (pgrowsum_probe(c->s[0].pg, c->s[1].pg, &typed, c->err) != 0)
        return -1;
    const char *x[MAXCOL];
    struct cbuf e[MAXCOL];
    for (int side = 0; side < 2; side++) {
        size_t at = 0;
        for (size_t i = 0; i < c->j->plan.n_cols; i++) {
            const struct map_col *m = &c->j->plan.cols[i];
            if (!m->compared)
                continue;
            e[at] = (struct cbuf){0};
            if (side)
                map_quote(&e[at], m->name);
            else
                put(&e[at], m->old_sql);
            x[at] = e[at].p ? e[at].p : "NULL";
            at++;
        }
        struct cbuf sums = {0}, rowh = {0};
        pgrowsum_sql(&sums, x, c->s[side].type, c->s[!side].type, at, typed);
        put(&rowh, c->s[side].keys);
        put(&rowh, ", ");
        pgrowsum_row(&rowh, x, c->s[side].type, c->s[!side].type, at, typed);
        for (size_t i = 0; i < at; i++)
            cbuf_free(&e[i]);
        if (sums.oom || rowh.oom) {
            cbuf_free(&sums);
            cbuf_free(&rowh);
            error_set(c->err, "out of memory");
            return -1;
        }
        free(c->s[side].sums);
        c->s[side].sums = sums.p;
        c->s[side].rowh = rowh.p;
        for (size_t i = 0; i < c->nk; i++)
            c->s[side].hoid[i] = c->s[side].koid[i];
        c->s[side].hoid[c->nk] = OID_INT8;
    }
    return 0;
}
