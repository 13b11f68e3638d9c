/* pgtolite.c — PostgreSQL → SQLite batches (pgtolite.h). Values arrive
 * as PostgreSQL's text and are bound by type: integers as integers,
 * booleans as 1 and 0 (SQLite has none), bytea as a blob of its bytes
 * (its text is the hex form, '\x00ff', which is not the value), the rest
 * as text, which new's column affinity converts as SQLite always does. */
#include "pgtolite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdata.h"

struct pgtolite {
    struct datajob *j;
    struct backfill_progress *p;
    PGconn *old;
    sqlite3 *db;
    char *cursor[MAP_MAX_KEY];   /* the checkpoint's key, as text */
    int has_cursor;
    char *sql_read, *sql_read_first, *sql_up, *sql_ckpt;
};

static void put(struct cbuf *b, const char *s) { cbuf_put(b, s, strlen(s)); }

static void cursor_set(struct pgtolite *b, char **key)
{
    for (size_t i = 0; i < MAP_MAX_KEY; i++) {
        free(b->cursor[i]);
        b->cursor[i] = key ? key[i] : NULL;
    }
    b->has_cursor = key && key[0];
    backfill_cursor_text(b->p, b->has_cursor ? b->cursor : NULL, b->j->plan.n_key);
}

/* SELECT mapped … FROM old [WHERE (K) > ($1, …)] ORDER BY K LIMIT $n */
static char *read_sql(struct pgtolite *b, int lower)
{
    struct cbuf q = {0};
    const struct map_plan *p = &b->j->plan;
    put(&q, "SELECT ");
    datajob_select(b->j, 0, 0, &q);
    put(&q, " FROM ");
    datajob_table(b->j, 0, NULL, &q);
    if (lower) {
        put(&q, " WHERE (");
        datajob_keys(b->j, 0, NULL, &q);
        put(&q, ") > (");
        for (size_t i = 0; i < p->n_key; i++) {
            char t[16];
            snprintf(t, sizeof t, "%s$%zu", i ? ", " : "", i + 1);
            put(&q, t);
        }
        put(&q, ")");
    }
    put(&q, " ORDER BY ");
    datajob_keys(b->j, 0, NULL, &q);
    char t[24];
    snprintf(t, sizeof t, " LIMIT $%zu", (lower ? p->n_key : 0) + 1);
    put(&q, t);
    return q.oom ? (free(q.p), NULL) : q.p;
}

/* INSERT INTO new (cols) VALUES (?, …) ON CONFLICT (K) DO UPDATE … WHERE
 * the incoming version is newer than what dual-write put there. */
static char *upsert_sql(struct pgtolite *b)
{
    struct cbuf q = {0};
    const struct map_plan *p = &b->j->plan;
    put(&q, "INSERT INTO main.");
    datajob_table(b->j, 1, NULL, &q);
    put(&q, " (");
    datajob_select(b->j, 1, 0, &q);
    put(&q, ") VALUES (");
    for (size_t i = 0; i < p->n_cols; i++)
        put(&q, i ? ", ?" : "?");
    put(&q, ")");
    datajob_on_conflict(b->j, NULL, &q);
    return q.oom ? (free(q.p), NULL) : q.p;
}

static int lite_error(struct pgtolite *b, struct error *err)
{
    error_set(err, "backfill: new: %s", sqlite3_errmsg(b->db));
    return -1;
}

int pgtolite_open(struct pgtolite **out, struct datajob *j, struct backfill_progress *p,
                  struct error *err)
{
    struct pgtolite *b = calloc(1, sizeof *b);
    *out = b;
    if (!b) {
        error_set(err, "out of memory");
        return -1;
    }
    b->j = j;
    b->p = p;
    b->old = j->old_pg;
    b->db = j->new_db;
    if (sqlite3_exec(b->db, "CREATE TABLE IF NOT EXISTS main.cutover_backfill (job TEXT PRIMARY "
                            "KEY, k0, k1, k2, k3, k4, k5, k6, k7, rows INTEGER NOT NULL, "
                            "done INTEGER NOT NULL, updated_ms INTEGER)",
                     NULL, NULL, NULL) != SQLITE_OK)
        return lite_error(b, err);
    b->sql_read = read_sql(b, 1);
    b->sql_read_first = read_sql(b, 0);
    b->sql_up = upsert_sql(b);
    b->sql_ckpt = strdup("INSERT INTO main.cutover_backfill (job, rows, done, updated_ms, k0, k1, "
                         "k2, k3, k4, k5, k6, k7) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT (job) DO UPDATE SET rows = excluded.rows, done = "
                         "excluded.done, updated_ms = excluded.updated_ms, k0 = excluded.k0, "
                         "k1 = excluded.k1, k2 = excluded.k2, k3 = excluded.k3, k4 = excluded.k4, "
                         "k5 = excluded.k5, k6 = excluded.k6, k7 = excluded.k7");
    if (!b->sql_read || !b->sql_read_first || !b->sql_up || !b->sql_ckpt) {
        error_set(err, "out of memory");
        return -1;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(b->db, "SELECT rows, done, k0, k1, k2, k3, k4, k5, k6, k7 FROM "
                                  "main.cutover_backfill WHERE job = ?", -1, &st, NULL) != SQLITE_OK)
        return lite_error(b, err);
    sqlite3_bind_text(st, 1, p->job, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        p->rows = p->resumed = sqlite3_column_int64(st, 0);
        p->done = sqlite3_column_int(st, 1);
        if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
            char *key[MAP_MAX_KEY] = {0};
            for (size_t i = 0; i < j->plan.n_key; i++) {
                const unsigned char *t = sqlite3_column_text(st, (int)i + 2);
                key[i] = strdup(t ? (const char *)t : "");
            }
            cursor_set(b, key);
        }
    }
    sqlite3_finalize(st);
    struct cbuf q = {0};
    put(&q, "SELECT count(*) FROM ");
    datajob_table(j, 0, NULL, &q);
    PGresult *r = q.oom ? NULL : pgdata_query(b->old, "backfill: old", q.p, 0, NULL, err);
    cbuf_free(&q);
    if (!r)
        return -1;
    p->total = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return 0;
}

void pgtolite_free(struct pgtolite *b)
{
    if (!b)
        return;
    cursor_set(b, NULL);
    free(b->sql_read);
    free(b->sql_read_first);
    free(b->sql_up);
    free(b->sql_ckpt);
    free(b);
}

/* Binds PostgreSQL's value of row i, column c at position at: as the
 * value itself, or, for the checkpoint (as_text), a bytea as the text
 * PostgreSQL writes and reads back — the cursor goes back to old as a
 * text parameter, and raw bytes are no text it reads (not UTF-8, a NUL). */
static int bind(sqlite3_stmt *st, int at, PGresult *r, int i, int c, int as_text)
{
    if (PQgetisnull(r, i, c))
        return sqlite3_bind_null(st, at);
    const char *v = PQgetvalue(r, i, c);
    switch (PQftype(r, c)) {
    case 16: /* bool */
        return sqlite3_bind_int(st, at, v[0] == 't');
    case 20: case 21: case 23: /* int8, int2, int4 */
        return sqlite3_bind_int64(st, at, strtoll(v, NULL, 10));
    case 17: /* bytea */
        if (!as_text) {
            size_t n = 0;
            unsigned char *bytes = PQunescapeBytea((const unsigned char *)v, &n);
            if (!bytes)
                return SQLITE_NOMEM;
            /* an empty bytea stays an empty blob (a pointer, not NULL) */
            int rc = sqlite3_bind_blob64(st, at, bytes, n, SQLITE_TRANSIENT);
            PQfreemem(bytes);
            return rc;
        }
        break;
    default:
        break;
    }
    return sqlite3_bind_text(st, at, v, PQgetlength(r, i, c), SQLITE_TRANSIENT);
}

int pgtolite_batch(struct pgtolite *b, long limit, int64_t now_ms, struct error *err)
{
    if (b->p->done)
        return 1;
    if (limit < 1)
        limit = 1;
    size_t nk = b->j->plan.n_key, nc = b->j->plan.n_cols;
    const char *prm[MAP_MAX_KEY + 1];
    char lim[24];
    int np = 0;
    for (size_t i = 0; b->has_cursor && i < nk; i++)
        prm[np++] = b->cursor[i];
    snprintf(lim, sizeof lim, "%ld", limit);
    prm[np++] = lim;
    PGresult *r = pgdata_query(b->old, "backfill: old", b->has_cursor ? b->sql_read
                               : b->sql_read_first, np, prm, err);
    if (!r)
        return -1;
    int n = PQntuples(r), done = n < limit, rc = SQLITE_OK;
    sqlite3_stmt *up = NULL, *ck = NULL;
    if (sqlite3_exec(b->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        PQclear(r);
        return lite_error(b, err);
    }
    if (n > 0)
        rc = sqlite3_prepare_v2(b->db, b->sql_up, -1, &up, NULL);
    for (int i = 0; rc == SQLITE_OK && i < n; i++) {
        for (size_t c = 0; rc == SQLITE_OK && c < nc; c++)
            rc = bind(up, (int)c + 1, r, i, (int)c, 0);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(up) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_reset(up);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(b->db, b->sql_ckpt, -1, &ck, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(ck, 1, b->p->job, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ck, 2, b->p->rows + n);
        sqlite3_bind_int(ck, 3, done);
        sqlite3_bind_int64(ck, 4, now_ms);
        for (size_t k = 0; k < nk; k++) {
            if (n > 0)
                bind(ck, 5 + (int)k, r, n - 1, (int)b->j->plan.key[k], 1);
            else if (b->has_cursor)
                sqlite3_bind_text(ck, 5 + (int)k, b->cursor[k], -1, SQLITE_TRANSIENT);
        }
        rc = sqlite3_step(ck) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(b->db, "COMMIT", NULL, NULL, NULL);
    if (rc == SQLITE_NOMEM) /* a bytea's bytes not decoded: SQLite has no word for it */
        error_set(err, "backfill: out of memory");
    else if (rc != SQLITE_OK)
        lite_error(b, err);
    if (rc != SQLITE_OK)
        sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_finalize(up);
    sqlite3_finalize(ck);
    if (rc == SQLITE_OK && n > 0) {
        char *key[MAP_MAX_KEY] = {0};
        for (size_t k = 0; k < nk; k++)
            key[k] = strdup(PQgetvalue(r, n - 1, (int)b->j->plan.key[k]));
        cursor_set(b, key);
    }
    PQclear(r);
    if (rc != SQLITE_OK)
        return -1;
    b->p->rows += n;
    b->p->done = done;
    backfill_progress_settle(b->p);
    return done;
}

int pgtolite_reset(struct pgtolite *b, struct error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(b->db, "DELETE FROM main.cutover_backfill WHERE job = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return lite_error(b, err);
    sqlite3_bind_text(st, 1, b->p->job, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return lite_error(b, err);
    cursor_set(b, NULL);
    b->p->rows = b->p->resumed = 0;
    b->p->done = 0;
    return 0;
}
