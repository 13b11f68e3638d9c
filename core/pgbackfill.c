/* pgbackfill.c — PostgreSQL → PostgreSQL batches (pgbackfill.h). The
 * checkpoint's key is kept as text (cutover_backfill.k0..k7) and bound
 * back as untyped parameters or literals, which the server reads as the
 * key columns' own types. */
#include "pgbackfill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgcopy.h"
#include "pgdata.h"
#include "pgkeyset.h"
#include "pgtally.h"

struct pgbf {
    struct datajob *j;
    struct backfill_progress *p;
    PGconn *old, *new_;
    sqlite3 *lite;            /* old, when it is SQLite (then old is NULL) */
    int same;                 /* one database: INSERT … SELECT */
    int staged;               /* the staging table exists in this session */
    int returning;            /* one database, new's key typed as old's:
                               * a batch's last key read back by RETURNING */
    struct pgbinary bin;      /* across databases: the binary format, when it fits */
    char *cursor[MAP_MAX_KEY];
    int has_cursor;
    /* from an SQLite old, the cursor as old stores it, bound as it is: a
     * key column with no declared type compares an integer with the text
     * of its digits as unequal (every integer sorts before any text) */
    sqlite3_value *lite_cursor[MAP_MAX_KEY];
    sqlite3_value *lite_last[MAP_MAX_KEY];  /* the batch's last key: the cursor once committed */
    struct pgtally tally;     /* old's rows counted behind the batches (pgtally.h) */
};

static void put(struct cbuf *b, const char *s) { cbuf_put(b, s, strlen(s)); }

int pgbf_same_database(const struct pgbf *b) { return b->same; }

static void cursor_free(struct pgbf *b)
{
    for (size_t i = 0; i < MAP_MAX_KEY; i++) {
        free(b->cursor[i]);
        b->cursor[i] = NULL;
    }
    b->has_cursor = 0;
}

static void lite_keys_free(sqlite3_value **key)
{
    for (size_t i = 0; i < MAP_MAX_KEY; i++) {
        sqlite3_value_free(key[i]);
        key[i] = NULL;
    }
}

/* Binds the text t to st's ?1 as storage class `as`: 0 an integer, 1 a
 * real, 2 text; 0 when t does not read as that class. */
static int bind_as(sqlite3_stmt *st, const char *t, int as)
{
    char *end, canon[32];
    sqlite3_reset(st);
    if (as == 0) {
        long long n = strtoll(t, &end, 10);
        snprintf(canon, sizeof canon, "%lld", n);
        return *t && !*end && strcmp(canon, t) == 0 && sqlite3_bind_int64(st, 1, n) == SQLITE_OK;
    }
    if (as == 1) {
        double d = strtod(t, &end);
        return *t && !*end && sqlite3_bind_double(st, 1, d) == SQLITE_OK;
    }
    return sqlite3_bind_text(st, 1, t, -1, SQLITE_TRANSIENT) == SQLITE_OK;
}

/* The checkpoint's key, kept as text in new, as an SQLite old stores it
 * (b->lite_cursor), for a resumed copy: each part looked up in old as an
 * integer, a real, then text, the first old holds; none (its row gone
 * since), the first its text reads as. */
static int lite_cursor_resolve(struct pgbf *b, struct error *err)
{
    for (size_t i = 0; b->has_cursor && i < b->j->plan.n_key; i++) {
        const char *name = b->j->plan.cols[b->j->plan.key[i]].old_name;
        struct cbuf q = {0};
        put(&q, "SELECT ");
        map_quote(&q, name);
        put(&q, " FROM ");
        datajob_table(b->j, 0, NULL, &q);
        put(&q, " WHERE ");
        map_quote(&q, name);
        put(&q, " = ?1 LIMIT 1");
        sqlite3_stmt *held = NULL, *as_is = NULL;
        int rc = q.oom ? SQLITE_NOMEM : sqlite3_prepare_v2(b->lite, q.p, -1, &held, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_prepare_v2(b->lite, "SELECT ?1", -1, &as_is, NULL);
        cbuf_free(&q);
        for (int pass = 0; rc == SQLITE_OK && pass < 2 && !b->lite_cursor[i]; pass++) {
            sqlite3_stmt *st = pass ? as_is : held;
            for (int as = 0; as < 3 && !b->lite_cursor[i]; as++)
                if (bind_as(st, b->cursor[i], as) && sqlite3_step(st) == SQLITE_ROW)
                    b->lite_cursor[i] = sqlite3_value_dup(sqlite3_column_value(st, 0));
        }
        if (rc != SQLITE_OK)
            error_set(err, "backfill: old: %s", sqlite3_errmsg(b->lite));
        sqlite3_finalize(held);
        sqlite3_finalize(as_is);
        if (rc != SQLITE_OK)
            return -1;
    }
    return 0;
}

static void cursor_text(struct pgbf *b)
{
    backfill_cursor_text(b->p, b->has_cursor ? b->cursor : NULL, b->j->plan.n_key);
}

/* "(k1, k2) > ($1, $2)" on old, or with literals when lits. */
static void after_cursor(struct pgbf *b, int lits, struct cbuf *q)
{
    if (!b->has_cursor)
        return;
    put(q, " WHERE (");
    datajob_keys(b->j, 0, NULL, q);
    put(q, ") > (");
    for (size_t i = 0; i < b->j->plan.n_key; i++) {
        char t[16];
        if (i)
            put(q, ", ");
        if (b->lite) {
            put(q, "?");
        } else if (lits) {
            char *l = PQescapeLiteral(b->old, b->cursor[i], strlen(b->cursor[i]));
            put(q, l ? l : "NULL");
            PQfreemem(l);
        } else {
            snprintf(t, sizeof t, "$%zu", i + 1);
            put(q, t);
        }
    }
    put(q, ")");
}

/* SELECT mapped AS "new name", … [, K] FROM old: old's own key columns
 * last when old_keys */
static void mapped_sql_keys(struct pgbf *b, int old_keys, struct cbuf *q)
{
    const struct map_plan *p = &b->j->plan;
    put(q, "SELECT ");
    for (size_t i = 0; i < p->n_cols; i++) {
        put(q, i ? ", (" : "(");
        put(q, p->cols[i].old_sql);
        put(q, ") AS ");
        map_quote(q, p->cols[i].name);
    }
    if (old_keys) {
        put(q, ", ");
        datajob_keys(b->j, 0, NULL, q);
    }
    put(q, " FROM ");
    datajob_table(b->j, 0, NULL, q);
}

static void mapped_sql(struct pgbf *b, struct cbuf *q) { mapped_sql_keys(b, 0, q); }

/* " ORDER BY 1, …": mapped_sql's rows in key order, by the key columns'
 * places (a name could be another column's new name) */
static void order_by_key(struct pgbf *b, struct cbuf *q)
{
    for (size_t i = 0; i < b->j->plan.n_key; i++) {
        char t[32];
        snprintf(t, sizeof t, "%s%zu", i ? ", " : " ORDER BY ", b->j->plan.key[i] + 1);
        put(q, t);
    }
}

/* SELECT mapped AS "new name", …, K FROM old WHERE K > cursor ORDER BY K
 * LIMIT n: old's own key last, the next cursor as old stores it */
static void source_sql(struct pgbf *b, int lits, long limit, struct cbuf *q)
{
    mapped_sql_keys(b, 1, q);
    after_cursor(b, lits, q);
    put(q, " ORDER BY ");
    datajob_keys(b->j, 0, NULL, q);
    char t[48];
    snprintf(t, sizeof t, " LIMIT %ld", limit);
    put(q, t);
}

/* INSERT INTO new (cols) SELECT cols FROM src ON CONFLICT (key) DO UPDATE
 * … WHERE the incoming version is newer than what dual-write put there. */
static void upsert_sql(struct pgbf *b, const char *src, struct cbuf *q)
{
    put(q, "INSERT INTO ");
    datajob_table(b->j, 1, NULL, q);
    put(q, " AS cutover_new (");
    datajob_select(b->j, 1, 0, q);
    put(q, ") SELECT ");
    datajob_select(b->j, 1, 0, q);
    put(q, " FROM ");
    put(q, src);
    datajob_on_conflict(b->j, "cutover_new", q);
}

static int read_checkpoint(struct pgbf *b, struct error *err)
{
    const char *prm[1] = {b->p->job};
    PGresult *r = pgdata_query(b->new_, "backfill: checkpoint",
                               "SELECT rows, done, k0, k1, k2, k3, k4, k5, k6, k7 "
                               "FROM cutover_backfill WHERE job = $1", 1, prm, err);
    if (!r)
        return -1;
    if (PQntuples(r) == 1) {
        b->p->rows = b->p->resumed = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        b->p->done = atoi(PQgetvalue(r, 0, 1)) != 0;
        if (!PQgetisnull(r, 0, 2)) {
            for (size_t i = 0; i < b->j->plan.n_key; i++)
                b->cursor[i] = strdup(PQgetvalue(r, 0, 2 + (int)i));
            b->has_cursor = 1;
            cursor_text(b);
        }
    }
    PQclear(r);
    return 0;
}

/* 1 when each key column has the same type, modifier and collation in
 * new as in old (so that new's key, read back, is old's key and orders as
 * old's: text in ICU's und in old and "C" in new would not), 0 when not,
 * -1 on an error. */
static int keys_alike(struct pgbf *b, struct error *err)
{
    for (size_t i = 0; i < b->j->plan.n_key; i++) {
        const struct map_col *c = &b->j->plan.cols[b->j->plan.key[i]];
        char told[160], tnew[160];
        if (datajob_pg_type(b->j, b->new_, 0, c->old_name, 1, told, sizeof told, err) != 0 ||
            datajob_pg_type(b->j, b->new_, 1, c->name, 1, tnew, sizeof tnew, err) != 0)
            return -1;
        if (!told[0] || strcmp(told, tnew) != 0)
            return 0;
    }
    return 1;
}

/* Across databases, whether old's mapped rows can travel in COPY's binary
 * format into new's columns (pgbinary.h): zero-row probes of both. */
static int plan_binary(struct pgbf *b, struct error *err)
{
    struct cbuf o = {0}, n = {0};
    mapped_sql(b, &o);
    put(&o, " LIMIT 0");
    put(&n, "SELECT ");
    datajob_select(b->j, 1, 0, &n);
    put(&n, " FROM ");
    datajob_table(b->j, 1, NULL, &n);
    put(&n, " LIMIT 0");
    int rc = o.oom || n.oom ? (error_set(err, "out of memory"), -1)
             : pgbinary_plan(&b->bin, b->old, o.p, b->new_, n.p, b->j->plan.key,
                             b->j->plan.n_key, err);
    cbuf_free(&o);
    cbuf_free(&n);
    return rc;
}

int pgbf_binary(const struct pgbf *b) { return b->bin.on; }

int pgbf_open(struct pgbf **out, struct datajob *j, struct backfill_progress *p,
              struct error *err)
{
    struct pgbf *b = calloc(1, sizeof *b);
    *out = b;
    if (!b) {
        error_set(err, "out of memory");
        return -1;
    }
    b->j = j;
    b->p = p;
    b->old = j->old_pg;
    b->new_ = j->new_pg;
    b->lite = j->old_db;
    if (b->old && pgdata_same_database(b->old, b->new_, &b->same, err) != 0)
        return -1;
    if (b->same && (b->returning = keys_alike(b, err)) < 0)
        return -1;
    if (b->old && plan_binary(b, err) != 0)
        return -1;
    p->how = b->lite       ? "from SQLite through a staging table (COPY text)"
             : b->bin.on   ? (b->same ? "in one database (COPY binary between two sessions)"
                                      : "across databases (COPY binary)")
             : b->same     ? "in one database (INSERT … SELECT)"
                           : "across databases (COPY text: a mapped type differs from new's)";
    /* one copy of a job at a time: the caller claims the job through its
     * control row (bfcontrol.h), whose PostgreSQL side is a session
     * advisory lock in new */
    if (pgdata_exec(b->new_, "backfill: checkpoint",
                    "CREATE TABLE IF NOT EXISTS cutover_backfill (job text PRIMARY KEY, k0 text, "
                    "k1 text, k2 text, k3 text, k4 text, k5 text, k6 text, k7 text, "
                    "rows bigint NOT NULL, done integer NOT NULL, updated_ms bigint)", err) != 0)
        return -1;
    if (read_checkpoint(b, err) != 0 || (b->lite && lite_cursor_resolve(b, err) != 0))
        return -1;
    struct cbuf q = {0};
    put(&q, "SELECT count(*) FROM ");
    datajob_table(j, 0, NULL, &q);
    if (b->lite) {
        sqlite3_stmt *st = NULL;
        int rc = q.oom ? SQLITE_NOMEM : sqlite3_prepare_v2(b->lite, q.p, -1, &st, NULL);
        cbuf_free(&q);
        if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            p->total = sqlite3_column_int64(st, 0);
        else
            error_set(err, "backfill: old: %s", sqlite3_errmsg(b->lite));
        sqlite3_finalize(st);
        return rc == SQLITE_OK ? 0 : -1;
    }
    /* streamed batches leave old's session idle while new takes them
     * in: old's rows are counted then, a slice at a time, not by a
     * whole scan before the first batch (p->counting until it is in) */
    if (!b->same || b->bin.on) {
        cbuf_free(&q);
        pgtally_start(&b->tally, j, b->old, p);
        return 0;
    }
    PGresult *r = q.oom ? NULL : pgdata_query(b->old, "backfill: old", q.p, 0, NULL, err);
    cbuf_free(&q);
    if (!r)
        return -1;
    p->total = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return 0;
}

void pgbf_free(struct pgbf *b)
{
    if (!b)
        return;
    pgtally_free(&b->tally);
    cursor_free(b);
    lite_keys_free(b->lite_cursor);
    lite_keys_free(b->lite_last);
    free(b);
}

/* The checkpoint, in new, at the end of the batch's open transaction,
 * and its COMMIT: one round trip (a simple query, its values quoted).
 * The commit stays synchronous even though a lost commit would only
 * redo the batch: the journal mirrors the checkpoint once it is
 * committed, and a last batch's lost commit would leave the journal
 * saying done. */
static int checkpoint_commit(struct pgbf *b, int64_t rows, int done, int64_t now_ms, char **key,
                             struct error *err)
{
    struct cbuf q = {0};
    char t[96];
    put(&q, "INSERT INTO cutover_backfill (job, rows, done, updated_ms, k0, k1, k2, k3, k4, k5, "
            "k6, k7) VALUES (");
    for (size_t i = 0; i <= MAP_MAX_KEY; i++) {
        const char *v = i == 0 ? b->p->job : i - 1 < b->j->plan.n_key ? key[i - 1] : NULL;
        char *l = v ? PQescapeLiteral(b->new_, v, strlen(v)) : NULL;
        if (v && !l)
            q.oom = 1;
        put(&q, i ? ", " : "");
        put(&q, l ? l : "NULL");
        PQfreemem(l);
        if (i == 0) {
            snprintf(t, sizeof t, ", %lld, %d, %lld", (long long)rows, done, (long long)now_ms);
            put(&q, t);
        }
    }
    put(&q, ") ON CONFLICT (job) DO UPDATE SET rows = excluded.rows, done = excluded.done, "
            "updated_ms = excluded.updated_ms, k0 = excluded.k0, k1 = excluded.k1, "
            "k2 = excluded.k2, k3 = excluded.k3, k4 = excluded.k4, k5 = excluded.k5, "
            "k6 = excluded.k6, k7 = excluded.k7; COMMIT");
    int rc = q.oom ? -1 : pgdata_exec(b->new_, "backfill: checkpoint", q.p, err);
    if (q.oom)
        error_set(err, "out of memory");
    cbuf_free(&q);
    return rc;
}

/* Reads the batch from an SQLite old and writes it into new's COPY: *count
 * rows, the last one's key as old stores it into b->lite_last. */
static int lite_copy(struct pgbf *b, long limit, const char *in_sql, int64_t *count,
                     struct error *err)
{
    size_t nk = b->j->plan.n_key;
    int ncol = (int)b->j->plan.n_cols;
    *count = 0;
    lite_keys_free(b->lite_last);
    struct cbuf q = {0}, o = {0};
    source_sql(b, 0, limit, &q);
    sqlite3_stmt *st = NULL;
    if (q.oom || sqlite3_prepare_v2(b->lite, q.p, -1, &st, NULL) != SQLITE_OK) {
        error_set(err, "backfill: old: %s", sqlite3_errmsg(b->lite));
        cbuf_free(&q);
        return -1;
    }
    cbuf_free(&q);
    for (size_t i = 0; b->has_cursor && i < nk; i++)
        if (b->lite_cursor[i])
            sqlite3_bind_value(st, (int)i + 1, b->lite_cursor[i]);
        else
            sqlite3_bind_text(st, (int)i + 1, b->cursor[i], -1, SQLITE_TRANSIENT);
    PGresult *r = PQexec(b->new_, in_sql);
    int rc = PQresultStatus(r) == PGRES_COPY_IN ? 0 : -1;
    PQclear(r);
    if (rc != 0) {
        error_set(err, "backfill: new: %s", PQerrorMessage(b->new_));
        sqlite3_finalize(st);
        return -1;
    }
    int step;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < ncol; i++) {
            if (i)
                put(&o, "\t");
            pgcopy_sqlite_value(&o, st, i);
        }
        put(&o, "\n");
        ++*count;
        lite_keys_free(b->lite_last);
        for (size_t i = 0; i < nk; i++)
            if (!(b->lite_last[i] = sqlite3_value_dup(sqlite3_column_value(st, ncol + (int)i))))
                o.oom = 1;
        if (o.oom) {
            error_set(err, "out of memory");
            rc = -1;
        } else if (o.n >= 65536) {
            if (PQputCopyData(b->new_, o.p, (int)o.n) != 1)
                rc = -1, error_set(err, "backfill: new: %s", PQerrorMessage(b->new_));
            o.n = 0;
        }
    }
    if (rc == 0 && step != SQLITE_DONE) {
        error_set(err, "backfill: old: %s", sqlite3_errmsg(b->lite));
        rc = -1;
    }
    sqlite3_finalize(st);
    if (rc == 0 && o.n && PQputCopyData(b->new_, o.p, (int)o.n) != 1)
        rc = -1, error_set(err, "backfill: new: %s", PQerrorMessage(b->new_));
    cbuf_free(&o);
    PQputCopyEnd(b->new_, rc == 0 ? NULL : "the read of old failed");
    while ((r = PQgetResult(b->new_))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0) {
            error_set(err, "backfill: new: %s", PQerrorMessage(b->new_));
            rc = -1;
        }
        PQclear(r);
    }
    return rc;
}

/* The range after lo (NULL: from the start) holding `limit` rows of old,
 * through `on`, a session of old's database: its last key found first by
 * a walk of old's key index, *count = limit and *upper = 1; or, for the
 * last batch, what is left and its last key (*upper = 0; *count 0 when
 * nothing is). */
static int batch_range(struct pgbf *b, PGconn *on, char **lo, long limit, int64_t *count,
                       char **key, int *upper, struct error *err)
{
    size_t nk = b->j->plan.n_key;
    const char *prm[MAP_MAX_KEY];
    int np = 0;
    struct cbuf q = {0};
    pgkeyset_after(b->j, NULL, lo, limit, prm, &np, &q);
    PGresult *r = q.oom ? NULL : pgdata_query(on, "backfill: old", q.p, np, prm, err);
    *upper = r && PQntuples(r) == 1;
    *count = *upper ? limit : 0;
    for (size_t i = 0; *upper && i < nk; i++)
        key[i] = strdup(PQgetvalue(r, 0, (int)i));
    if (r && !*upper) {
        PQclear(r);
        q.n = 0;
        np = 0;
        put(&q, "SELECT (SELECT count(*) FROM ");
        datajob_table(b->j, 0, NULL, &q);
        pgkeyset_range(b->j, 0, NULL, lo, NULL, NULL, prm, &np, &q);
        put(&q, ")::text, ");
        pgkeyset_text(b->j, 0, &q);
        put(&q, " FROM ");
        datajob_table(b->j, 0, NULL, &q);
        np = 0;   /* the same parameters again */
        pgkeyset_range(b->j, 0, NULL, lo, NULL, NULL, prm, &np, &q);
        pgkeyset_desc(b->j, 0, &q);
        put(&q, " LIMIT 1");
        r = q.oom ? NULL : pgdata_query(on, "backfill: old", q.p, np, prm, err);
        if (r && PQntuples(r) == 1) {
            *count = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
            for (size_t i = 0; i < nk; i++)
                key[i] = strdup(PQgetvalue(r, 0, 1 + (int)i));
        }
    }
    if (!r && q.oom)
        error_set(err, "out of memory");
    PQclear(r);
    cbuf_free(&q);
    return r ? 0 : -1;
}

/* BEGIN, and the first key new holds after lo (NULL: from the start)
 * into next[]: one round trip. 1; 0 when new holds none; -1 on an error. */
static int begin_next_in_new(struct pgbf *b, char **lo, char **next, struct error *err)
{
    struct cbuf q = {0};
    put(&q, "BEGIN; SELECT ");
    pgkeyset_text(b->j, 1, &q);
    put(&q, " FROM ");
    datajob_table(b->j, 1, NULL, &q);
    pgkeyset_range(b->j, 1, b->new_, lo, NULL, NULL, NULL, NULL, &q);
    put(&q, " ORDER BY ");
    datajob_keys(b->j, 1, NULL, &q);
    put(&q, " LIMIT 1");
    PGresult *r = q.oom ? NULL : PQexec(b->new_, q.p);
    cbuf_free(&q);
    int found = PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) == 1 : -1;
    if (found < 0)
        error_set(err, "backfill: %s", r ? PQerrorMessage(b->new_) : "out of memory");
    for (size_t i = 0; found == 1 && i < b->j->plan.n_key; i++)
        next[i] = strdup(PQgetvalue(r, 0, (int)i));
    PQclear(r);
    return found;
}

/* One database, new holding nothing after lo and before next (NULL: to
 * the end): up to `limit` rows in key order by one plain INSERT … SELECT,
 * its count and last key read back through RETURNING (new's key columns
 * have old's types: pgbf_open checked). 2 when a row dual-write wrote
 * meanwhile is in the way (a duplicate key). */
static int same_direct(struct pgbf *b, char **lo, char **next, long limit, int64_t *count,
                       char **key, struct error *err)
{
    const char *prm[2 * MAP_MAX_KEY];
    int np = 0;
    struct cbuf q = {0};
    char t[48];
    put(&q, "WITH cutover_w AS (INSERT INTO ");
    datajob_table(b->j, 1, NULL, &q);
    put(&q, " (");
    datajob_select(b->j, 1, 0, &q);
    put(&q, ") ");
    mapped_sql(b, &q);
    pgkeyset_range(b->j, 0, NULL, lo, next, "<", prm, &np, &q);
    order_by_key(b, &q);
    snprintf(t, sizeof t, " LIMIT %ld RETURNING ", limit);
    put(&q, t);
    datajob_keys(b->j, 1, NULL, &q);
    put(&q, ") SELECT (SELECT count(*) FROM cutover_w)::text, ");
    pgkeyset_text(b->j, 1, &q);
    put(&q, " FROM cutover_w");
    pgkeyset_desc(b->j, 1, &q);
    put(&q, " LIMIT 1");
    if (q.oom) {
        cbuf_free(&q);
        error_set(err, "out of memory");
        return -1;
    }
    PGresult *r = PQexecParams(b->new_, q.p, np, NULL, prm, NULL, NULL, 0);
    cbuf_free(&q);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        error_set(err, "backfill: %s", PQerrorMessage(b->new_));
        rc = state && strcmp(state, "23505") == 0 ? 2 : -1;
    } else if (PQntuples(r) == 1) {
        *count = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        for (size_t i = 0; i < b->j->plan.n_key; i++)
            key[i] = strdup(PQgetvalue(r, 0, 1 + (int)i));
    }
    PQclear(r);
    return rc;
}

/* The binary format for a stream from old's COPY `out` into new's `in`,
 * when it fits (both statements are given it), or NULL: the text. */
static struct pgbinary *binary_format(struct pgbf *b, struct cbuf *out, struct cbuf *in)
{
    if (!b->bin.on)
        return NULL;
    put(out, " (FORMAT binary)");
    put(in, " (FORMAT binary)");
    return &b->bin;
}

/* Old's session streaming into new's (another server or database, or the
 * same database in binary), new holding nothing after lo and before next (NULL: to
 * the end): up to `limit` rows in key order streamed from old's COPY
 * straight into new's table; the count and last key read off the stream
 * (a key is a plain column of old, so its field is old's value's text).
 * 2 when a row dual-write wrote meanwhile is in the way. */
static int stream_direct(struct pgbf *b, char **lo, char **next, long limit, int64_t *count,
                        char **key, struct error *err)
{
    struct cbuf out = {0}, in = {0};
    char t[48];
    put(&out, "COPY (");
    mapped_sql(b, &out);
    pgkeyset_range(b->j, 0, b->old, lo, next, "<", NULL, NULL, &out);
    order_by_key(b, &out);
    snprintf(t, sizeof t, " LIMIT %ld) TO STDOUT", limit);
    put(&out, t);
    put(&in, "COPY ");
    datajob_table(b->j, 1, NULL, &in);
    put(&in, " (");
    datajob_select(b->j, 1, 0, &in);
    put(&in, ") FROM STDIN");
    /* while new takes the batch in, old's session counts a slice of its rows */
    struct cbuf then = {0};
    long slice = pgtally_slice(&b->tally, limit);
    pgtally_query(&b->tally, slice, &then);
    struct pgcopy c = {.binary = binary_format(b, &out, &in), .then = then.oom ? NULL : then.p};
    int rc = -1;
    if (out.oom || in.oom)
        error_set(err, "out of memory");
    else
        rc = pgcopy_pipe(b->old, b->new_, out.p, in.p, &c, err);
    if (c.then_sent)
        pgtally_sent(&b->tally, slice);
    cbuf_free(&out);
    cbuf_free(&in);
    cbuf_free(&then);
    if (rc == 0 && c.rows > 0) {
        *count = c.rows;
        for (size_t i = 0; i < b->j->plan.n_key; i++)
            if (!(key[i] = c.binary ? pgbinary_field(c.binary, c.last, c.last_n, (int)b->j->plan.key[i])
                                    : pgcopy_field(c.last, c.last_n, (int)b->j->plan.key[i]))) {
                error_set(err, "backfill: the last row's key cannot be read");
                rc = -1;
            }
    }
    pgcopy_done(&c);
    return rc;
}

/* The staging table (temporary, emptied at each commit), made once a
 * session; a rolled-back batch that made it takes it along (b->staged). */
static int stage(struct pgbf *b, struct error *err)
{
    if (b->staged)
        return 0;
    struct cbuf q = {0};
    put(&q, "CREATE TEMP TABLE IF NOT EXISTS cutover_stage ON COMMIT DELETE ROWS AS SELECT ");
    datajob_select(b->j, 1, 0, &q);
    put(&q, " FROM ");
    datajob_table(b->j, 1, NULL, &q);
    put(&q, " WITH NO DATA");
    int rc = q.oom ? -1 : pgdata_exec(b->new_, "backfill: staging table", q.p, err);
    cbuf_free(&q);
    b->staged = rc == 0;
    return rc;
}

/* The upsert of `limit` rows after lo: the range found first, then in one
 * database one INSERT … SELECT … ON CONFLICT over it; across servers
 * streamed by COPY into the staging table and upserted from there. */
static int upsert_range(struct pgbf *b, char **lo, long limit, int64_t *count, char **key,
                        struct error *err)
{
    int upper = 0;
    if (pgtally_collect(&b->tally, err) != 0)
        return -1;
    if (batch_range(b, b->same ? b->new_ : b->old, lo, limit, count, key, &upper, err) != 0)
        return -1;
    if (*count == 0)
        return 0;
    const char *prm[2 * MAP_MAX_KEY];
    int np = 0, rc = 0;
    struct cbuf src = {0}, q = {0};
    if (b->same) {
        put(&src, "(");
        mapped_sql(b, &src);
        pgkeyset_range(b->j, 0, NULL, lo, upper ? key : NULL, "<=", prm, &np, &src);
        put(&src, ") AS cutover_src");
        upsert_sql(b, src.oom ? "" : src.p, &q);
    } else {
        put(&src, "COPY (");
        mapped_sql(b, &src);
        pgkeyset_range(b->j, 0, b->old, lo, upper ? key : NULL, "<=", NULL, NULL, &src);
        put(&src, ") TO STDOUT");
        put(&q, "COPY cutover_stage (");
        datajob_select(b->j, 1, 0, &q);
        put(&q, ") FROM STDIN");
        struct pgcopy c = {.binary = binary_format(b, &src, &q)};
        if (!src.oom && !q.oom && (rc = stage(b, err)) == 0)
            rc = pgcopy_pipe(b->old, b->new_, src.p, q.p, &c, err) == 0 ? 0 : -1;
        pgcopy_done(&c);
        q.n = 0;
        upsert_sql(b, "cutover_stage", &q);
    }
    if (rc == 0 && (src.oom || q.oom)) {
        error_set(err, "out of memory");
        rc = -1;
    }
    PGresult *r = rc == 0 ? pgdata_query(b->new_, "backfill", q.p, np, prm, err) : NULL;
    cbuf_free(&src);
    cbuf_free(&q);
    PQclear(r);
    return r ? 0 : -1;
}

/* From an SQLite old: the keyset batch into the staging table (its size
 * and last key as old read them), then the upsert. */
static int lite_batch(struct pgbf *b, long limit, int64_t *count, char **key, struct error *err)
{
    struct cbuf q = {0}, in = {0};
    int rc = stage(b, err);
    put(&in, "COPY cutover_stage (");
    datajob_select(b->j, 1, 0, &in);
    put(&in, ") FROM STDIN");
    if (rc == 0)
        rc = in.oom ? -1 : lite_copy(b, limit, in.p, count, err);
    cbuf_free(&in);
    if (rc == 0 && *count > 0) {
        upsert_sql(b, "cutover_stage", &q);
        PGresult *u = q.oom ? NULL : pgdata_query(b->new_, "backfill", q.p, 0, NULL, err);
        rc = u ? 0 : -1;
        PQclear(u);
    }
    cbuf_free(&q);
    for (size_t i = 0; rc == 0 && *count > 0 && i < b->j->plan.n_key; i++) {
        const unsigned char *t = sqlite3_value_text(b->lite_last[i]);
        if (!(key[i] = strdup(t ? (const char *)t : ""))) {
            error_set(err, "out of memory");
            rc = -1;
        }
    }
    return rc;
}

/* Begins new's transaction and copies the batch in it; *count and key[] say
 * what it held (count 0: nothing after the cursor). From a PostgreSQL
 * old, optimistic: the rows before the first key new already holds go
 * straight into new's table (no range to find first, no upsert), and
 * only the rest of the batch, from that key on, is upserted. With
 * upsert_only (a straight copy met a row dual-write wrote meanwhile and
 * was rolled back) the whole batch is upserted. */
static int copy_batch(struct pgbf *b, long limit, int64_t *count, char **key, int upsert_only,
                      struct error *err)
{
    *count = 0;
    if (pgtally_collect(&b->tally, err) != 0)
        return -1;
    char **lo = b->has_cursor ? b->cursor : NULL;
    char *next[MAP_MAX_KEY] = {0};
    int rc = 0, held = 1;
    /* in one database the binary stream beats INSERT … SELECT, which
     * inserts row by row where COPY inserts in bulk */
    int stream = !b->same || b->bin.on;
    int direct = !b->lite && !upsert_only && (stream || b->returning);
    if (!direct && pgdata_exec(b->new_, "backfill", "BEGIN", err) != 0)
        return -1;
    if (b->lite)
        return lite_batch(b, limit, count, key, err);
    if (direct) {
        held = begin_next_in_new(b, lo, next, err);
        if (held >= 0)
            rc = stream ? stream_direct(b, lo, held ? next : NULL, limit, count, key, err)
                        : same_direct(b, lo, held ? next : NULL, limit, count, key, err);
        pgkeyset_free(next);
        if (held < 0 || rc != 0)
            return held < 0 ? -1 : rc;
        if (*count > 0)
            lo = key;
    }
    if (!held || *count == limit)   /* new holds nothing further, or the batch is full */
        return 0;
    char *last[MAP_MAX_KEY] = {0};
    int64_t more = 0;
    rc = upsert_range(b, lo, limit - *count, &more, last, err);
    if (rc == 0 && more > 0) {
        pgkeyset_free(key);
        memcpy(key, last, sizeof last);
        *count += more;
    } else {
        pgkeyset_free(last);
    }
    return rc;
}

int pgbf_batch(struct pgbf *b, long limit, int64_t now_ms, struct error *err)
{
    if (b->p->done)
        return 1;
    if (limit < 1)
        limit = 1;
    char *key[MAP_MAX_KEY] = {0};
    int64_t count = 0;
    size_t nk = b->j->plan.n_key;
    int rc = copy_batch(b, limit, &count, key, 0, err);
    if (rc == 2) {   /* dual-write wrote into the range meanwhile: upsert it */
        for (size_t i = 0; i < MAP_MAX_KEY; i++)
            free(key[i]), key[i] = NULL;
        err->msg[0] = '\0';
        pgdata_exec(b->new_, "backfill", "ROLLBACK", NULL);
        b->staged = 0;   /* a staging table made in this batch went with it */
        rc = copy_batch(b, limit, &count, key, 1, err);
    }
    int done = count < limit;
    if (rc == 0 && count == 0) /* nothing after the cursor: it stays */
        for (size_t i = 0; i < nk && b->has_cursor; i++)
            key[i] = strdup(b->cursor[i]);
    if (rc == 0 && done)   /* the total is in before the last batch is said */
        rc = pgtally_finish(&b->tally, err);
    if (rc == 0)
        rc = checkpoint_commit(b, b->p->rows + count, done, now_ms, key, err);
    if (rc != 0) {
        pgdata_exec(b->new_, "backfill", "ROLLBACK", NULL);
        for (size_t i = 0; i < MAP_MAX_KEY; i++)
            free(key[i]);
        lite_keys_free(b->lite_last);
        return -1;
    }
    if (b->lite && count > 0) {
        lite_keys_free(b->lite_cursor);
        memcpy(b->lite_cursor, b->lite_last, sizeof b->lite_last);
        memset(b->lite_last, 0, sizeof b->lite_last);
    }
    b->p->rows += count;
    b->p->done = done;
    backfill_progress_settle(b->p);
    if (count > 0 || b->has_cursor) {
        cursor_free(b);
        for (size_t i = 0; i < MAP_MAX_KEY; i++)
            b->cursor[i] = key[i];
        b->has_cursor = key[0] != NULL;
    }
    cursor_text(b);
    return done;
}

int pgbf_reset(struct pgbf *b, struct error *err)
{
    const char *prm[1] = {b->p->job};
    PGresult *r = pgdata_query(b->new_, "backfill: checkpoint",
                               "DELETE FROM cutover_backfill WHERE job = $1", 1, prm, err);
    if (!r)
        return -1;
    PQclear(r);
    cursor_free(b);
    lite_keys_free(b->lite_cursor);
    b->p->rows = b->p->resumed = 0;
    b->p->done = 0;
    b->p->cursor[0] = '\0';
    return 0;
}
