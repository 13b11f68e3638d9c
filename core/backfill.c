/* backfill.c — keyset batches of INSERT … SELECT … ON CONFLICT, each
 * committed with its checkpoint (backfill.h). The checkpoint table lives
 * in new's database: cutover_backfill(job, k0..k7, rows, done,
 * updated_ms), the key kept in its own columns so that it keeps its type. */
#include "backfill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgbackfill.h"
#include "pgtolite.h"

#define OLD_SCHEMA "cutover_old"

struct backfill {
    struct datajob *j;
    sqlite3 *db;                        /* new's connection, old attached */
    sqlite3_value *cursor[MAP_MAX_KEY]; /* NULL before the first batch */
    int has_cursor;
    struct backfill_progress p;
    char *sql_hi, *sql_hi_first, *sql_last, *sql_last_first, *sql_count, *sql_count_first;
    char *sql_copy[4];                  /* [has lower bound][has upper bound] */
    char *sql_ckpt;
    struct pgbf *pg;                    /* new is PostgreSQL: pgbackfill.c */
    struct pgtolite *tolite;            /* PostgreSQL → SQLite: pgtolite.c */
};

static void put(struct cbuf *b, const char *s) { cbuf_put(b, s, strlen(s)); }

static int exec(sqlite3 *db, const char *sql, struct error *err)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    error_set(err, "backfill: %s", sqlite3_errmsg(db));
    return -1;
}

/* SELECT K FROM old [WHERE K > ?] ORDER BY K [DESC] LIMIT 1 OFFSET ? */
static char *sql_keys(const struct datajob *j, int lower, const char *what, int desc)
{
    struct cbuf b = {0};
    put(&b, "SELECT ");
    if (what)
        put(&b, what);
    else
        datajob_keys(j, 0, NULL, &b);
    put(&b, " FROM ");
    datajob_table(j, 0, OLD_SCHEMA, &b);
    if (lower) {
        put(&b, " WHERE ");
        datajob_key_cmp(j, 0, ">", &b);
    }
    if (!what) {
        put(&b, " ORDER BY ");
        for (size_t i = 0; i < j->plan.n_key; i++) {
            if (i)
                put(&b, ", ");
            map_quote(&b, j->plan.cols[j->plan.key[i]].old_name);
            if (desc)
                put(&b, " DESC");
        }
        put(&b, desc ? " LIMIT 1" : " LIMIT 1 OFFSET ?");
    }
    return b.oom ? (free(b.p), NULL) : b.p;
}

/* The batch: INSERT INTO new (cols) SELECT mapped FROM old WHERE range
 * ON CONFLICT (key) DO UPDATE … WHERE the incoming version is newer. */
static char *sql_copy(const struct datajob *j, int lower, int upper)
{
    struct cbuf b = {0};
    put(&b, "INSERT INTO ");
    datajob_table(j, 1, "main", &b);
    put(&b, " (");
    datajob_select(j, 1, 0, &b);
    put(&b, ") SELECT ");
    datajob_select(j, 0, 0, &b);
    put(&b, " FROM ");
    datajob_table(j, 0, OLD_SCHEMA, &b);
    put(&b, " WHERE 1");
    if (lower) {
        put(&b, " AND ");
        datajob_key_cmp(j, 0, ">", &b);
    }
    if (upper) {
        put(&b, " AND ");
        datajob_key_cmp(j, 0, "<=", &b);
    }
    datajob_on_conflict(j, NULL, &b);
    return b.oom ? (free(b.p), NULL) : b.p;
}

static char *sql_checkpoint(size_t n_key)
{
    struct cbuf b = {0};
    char t[64];
    put(&b, "INSERT INTO main.cutover_backfill (job, rows, done, updated_ms");
    for (size_t i = 0; i < n_key; i++)
        snprintf(t, sizeof t, ", k%zu", i), put(&b, t);
    put(&b, ") VALUES (?, ?, ?, ?");
    for (size_t i = 0; i < n_key; i++)
        put(&b, ", ?");
    put(&b, ") ON CONFLICT (job) DO UPDATE SET rows = excluded.rows, done = excluded.done, "
            "updated_ms = excluded.updated_ms");
    for (size_t i = 0; i < n_key; i++)
        snprintf(t, sizeof t, ", k%zu = excluded.k%zu", i, i), put(&b, t);
    return b.oom ? (free(b.p), NULL) : b.p;
}

static void cursor_text(struct backfill *b)
{
    size_t at = 0;
    b->p.cursor[0] = '\0';
    for (size_t i = 0; b->has_cursor && i < b->j->plan.n_key && at < sizeof b->p.cursor; i++) {
        const unsigned char *t = sqlite3_value_text(b->cursor[i]);
        at += (size_t)snprintf(b->p.cursor + at, sizeof b->p.cursor - at, "%s%s", i ? "," : "",
                               t ? (const char *)t : "NULL");
    }
}

static void set_cursor(struct backfill *b, sqlite3_value **key)
{
    for (size_t i = 0; i < b->j->plan.n_key; i++) {
        sqlite3_value_free(b->cursor[i]);
        b->cursor[i] = key[i];
        key[i] = NULL;
    }
    b->has_cursor = 1;
    cursor_text(b);
}

static int read_checkpoint(struct backfill *b, struct error *err)
{
    char sql[256];
    int n = snprintf(sql, sizeof sql, "SELECT rows, done");
    for (size_t i = 0; i < b->j->plan.n_key; i++)
        n += snprintf(sql + n, sizeof sql - (size_t)n, ", k%zu", i);
    snprintf(sql + n, sizeof sql - (size_t)n, " FROM main.cutover_backfill WHERE job = ?");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(b->db, sql, -1, &st, NULL) != SQLITE_OK) {
        error_set(err, "backfill: checkpoint: %s", sqlite3_errmsg(b->db));
        return -1;
    }
    sqlite3_bind_text(st, 1, b->p.job, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        b->p.rows = b->p.resumed = sqlite3_column_int64(st, 0);
        b->p.done = sqlite3_column_int(st, 1);
        if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
            for (size_t i = 0; i < b->j->plan.n_key; i++)
                b->cursor[i] = sqlite3_value_dup(sqlite3_column_value(st, (int)i + 2));
            b->has_cursor = 1;
            cursor_text(b);
        }
    }
    sqlite3_finalize(st);
    return 0;
}

/* Runs a one-row query with the cursor bound first; 1 row, 0 none, -1. */
static int query(struct backfill *b, const char *sql, long offset, sqlite3_stmt **out,
                 struct error *err)
{
    if (sqlite3_prepare_v2(b->db, sql, -1, out, NULL) != SQLITE_OK) {
        error_set(err, "backfill: %s", sqlite3_errmsg(b->db));
        return -1;
    }
    int at = 1;
    for (size_t i = 0; b->has_cursor && i < b->j->plan.n_key; i++)
        sqlite3_bind_value(*out, at++, b->cursor[i]);
    if (offset >= 0)
        sqlite3_bind_int64(*out, at, offset);
    int rc = sqlite3_step(*out);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    error_set(err, "backfill: %s", sqlite3_errmsg(b->db));
    return -1;
}

int backfill_open(struct backfill **out, struct datajob *j, struct error *err)
{
    struct backfill *b = calloc(1, sizeof *b);
    *out = b;
    if (!b) {
        error_set(err, "out of memory");
        return -1;
    }
    b->j = j;
    b->db = j->new_db;
    snprintf(b->p.job, sizeof b->p.job, "backfill:%s", j->new_t.name);
    if (j->new_pg)
        return pgbf_open(&b->pg, j, &b->p, err);
    if (j->old_pg)
        return pgtolite_open(&b->tolite, j, &b->p, err);
    char *path = sqlschema_path(j->old_sys, err);
    if (!path)
        return -1;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(b->db, "ATTACH DATABASE ? AS " OLD_SCHEMA, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    free(path);
    if (rc != SQLITE_OK) {
        error_set(err, "backfill: cannot attach old: %s", sqlite3_errmsg(b->db));
        return -1;
    }
    if (exec(b->db, "CREATE TABLE IF NOT EXISTS main.cutover_backfill (job TEXT PRIMARY KEY, "
                    "k0, k1, k2, k3, k4, k5, k6, k7, rows INTEGER NOT NULL, "
                    "done INTEGER NOT NULL, updated_ms INTEGER)", err) != 0)
        return -1;
    b->sql_hi = sql_keys(j, 1, NULL, 0);
    b->sql_hi_first = sql_keys(j, 0, NULL, 0);
    b->sql_last = sql_keys(j, 1, NULL, 1);
    b->sql_last_first = sql_keys(j, 0, NULL, 1);
    b->sql_count = sql_keys(j, 1, "count(*)", 0);
    b->sql_count_first = sql_keys(j, 0, "count(*)", 0);
    for (int i = 0; i < 4; i++)
        b->sql_copy[i] = sql_copy(j, i >> 1, i & 1);
    b->sql_ckpt = sql_checkpoint(j->plan.n_key);
    for (int i = 0; i < 4; i++)
        if (!b->sql_copy[i])
            b->sql_ckpt = NULL;
    if (!b->sql_hi || !b->sql_hi_first || !b->sql_last || !b->sql_last_first || !b->sql_count ||
        !b->sql_count_first || !b->sql_ckpt) {
        error_set(err, "out of memory");
        return -1;
    }
    if (read_checkpoint(b, err) != 0)
        return -1;
    int has = b->has_cursor;
    b->has_cursor = 0;
    rc = query(b, b->sql_count_first, -1, &st, err);
    b->has_cursor = has;
    b->p.total = rc == 1 ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc < 0 ? -1 : 0;
}

void backfill_progress_settle(struct backfill_progress *p)
{
    if (p->done || p->rows > p->total)
        p->total = p->rows;
}

void backfill_free(struct backfill *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < MAP_MAX_KEY; i++)
        sqlite3_value_free(b->cursor[i]);
    free(b->sql_hi);
    free(b->sql_hi_first);
    free(b->sql_last);
    free(b->sql_last_first);
    free(b->sql_count);
    free(b->sql_count_first);
    for (int i = 0; i < 4; i++)
        free(b->sql_copy[i]);
    free(b->sql_ckpt);
    pgbf_free(b->pg);
    pgtolite_free(b->tolite);
    if (b->db)
        sqlite3_exec(b->db, "DETACH DATABASE " OLD_SCHEMA, NULL, NULL, NULL);
    free(b);
}

const struct backfill_progress *backfill_progress(const struct backfill *b) { return &b->p; }

/* Copies (cursor, hi] — or (cursor, end) when hi is NULL — and moves the
 * checkpoint to new_cursor, all in one transaction. */
static int copy_range(struct backfill *b, int upper, sqlite3_value **key,
                      int64_t rows, int done, int64_t now_ms, struct error *err)
{
    size_t nk = b->j->plan.n_key;
    sqlite3_stmt *cp = NULL, *ck = NULL;
    if (exec(b->db, "BEGIN IMMEDIATE", err) != 0)
        return -1;
    const char *sql = b->sql_copy[(b->has_cursor ? 2 : 0) | (upper ? 1 : 0)];
    int rc = sqlite3_prepare_v2(b->db, sql, -1, &cp, NULL);
    int at = 1;
    for (size_t i = 0; rc == SQLITE_OK && b->has_cursor && i < nk; i++)
        sqlite3_bind_value(cp, at++, b->cursor[i]);
    for (size_t i = 0; rc == SQLITE_OK && upper && i < nk; i++)
        sqlite3_bind_value(cp, at++, key[i]);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(cp) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(b->db, b->sql_ckpt, -1, &ck, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(ck, 1, b->p.job, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ck, 2, b->p.rows + rows);
        sqlite3_bind_int(ck, 3, done);
        sqlite3_bind_int64(ck, 4, now_ms);
        for (size_t i = 0; i < nk; i++)
            sqlite3_bind_value(ck, 5 + (int)i, key[i]);
        rc = sqlite3_step(ck) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(b->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        error_set(err, "backfill: %s", sqlite3_errmsg(b->db));
        sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_finalize(cp);
    sqlite3_finalize(ck);
    if (rc != SQLITE_OK)
        return -1;
    b->p.rows += rows;
    b->p.done = done;
    backfill_progress_settle(&b->p);
    set_cursor(b, key);
    return 0;
}

/* The one-row query's key, copied out so that the statement can end
 * before the batch's transaction begins. */
static int key_of(struct backfill *b, const char *sql, long offset, sqlite3_value **key,
                  int64_t *count, struct error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = query(b, sql, offset, &st, err);
    for (size_t i = 0; rc == 1 && key && i < b->j->plan.n_key; i++)
        if (!(key[i] = sqlite3_value_dup(sqlite3_column_value(st, (int)i))))
            rc = -1, error_set(err, "out of memory");
    if (rc == 1 && count)
        *count = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

static void keys_free(sqlite3_value **key)
{
    for (size_t i = 0; i < MAP_MAX_KEY; i++) {
        sqlite3_value_free(key[i]);
        key[i] = NULL;
    }
}

/* Whether the SQLite files of the job are still those their paths name:
 * checked before and after each batch, so that a copy whose file was
 * deleted under it stops rather than say done. */
static int files_in_place(const struct backfill *b, struct error *err)
{
    const struct datajob *j = b->j;
    if (j->new_db && sqlschema_in_place(j->new_db, "main", "new", err) != 0)
        return -1;
    if (j->old_db && sqlschema_in_place(j->old_db, "main", "old", err) != 0)
        return -1;
    if (b->db && !b->tolite && sqlschema_in_place(b->db, OLD_SCHEMA, "old", err) != 0)
        return -1;
    return 0;
}

static int lite_batch(struct backfill *b, long limit, int64_t now_ms, struct error *err);

int backfill_batch(struct backfill *b, long limit, int64_t now_ms, struct error *err)
{
    if (files_in_place(b, err) != 0)
        return -1;
    int rc = b->pg       ? pgbf_batch(b->pg, limit, now_ms, err)
             : b->tolite ? pgtolite_batch(b->tolite, limit, now_ms, err)
                         : lite_batch(b, limit, now_ms, err);
    return rc >= 0 && files_in_place(b, err) != 0 ? -1 : rc;
}

static int lite_batch(struct backfill *b, long limit, int64_t now_ms, struct error *err)
{
    if (b->p.done)
        return 1;
    if (limit < 1)
        limit = 1;
    sqlite3_value *key[MAP_MAX_KEY] = {0};
    int64_t rows = 0;
    int rc = key_of(b, b->has_cursor ? b->sql_hi : b->sql_hi_first, limit - 1, key, NULL, err);
    if (rc == 1) {
        rc = copy_range(b, 1, key, limit, 0, now_ms, err);
    } else if (rc == 0) {
        /* the last batch: everything after the cursor */
        rc = key_of(b, b->has_cursor ? b->sql_count : b->sql_count_first, -1, NULL, &rows, err);
        if (rc >= 0)
            rc = key_of(b, b->has_cursor ? b->sql_last : b->sql_last_first, -1, key, NULL, err);
        if (rc == 1)
            rc = copy_range(b, 0, key, rows, 1, now_ms, err);
        else if (rc == 0) { /* nothing after the cursor, or old is empty */
            b->p.done = 1;
            backfill_progress_settle(&b->p);
        }
    }
    keys_free(key);
    return rc < 0 ? -1 : b->p.done;
}

int backfill_reset(struct backfill *b, struct error *err)
{
    if (b->pg)
        return pgbf_reset(b->pg, err);
    if (b->tolite)
        return pgtolite_reset(b->tolite, err);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(b->db, "DELETE FROM main.cutover_backfill WHERE job = ?", -1, &st,
                           NULL) != SQLITE_OK) {
        error_set(err, "backfill: %s", sqlite3_errmsg(b->db));
        return -1;
    }
    sqlite3_bind_text(st, 1, b->p.job, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        error_set(err, "backfill: %s", sqlite3_errmsg(b->db));
        return -1;
    }
    for (size_t i = 0; i < MAP_MAX_KEY; i++) {
        sqlite3_value_free(b->cursor[i]);
        b->cursor[i] = NULL;
    }
    b->has_cursor = 0;
    b->p.rows = b->p.resumed = 0;
    b->p.done = 0;
    b->p.cursor[0] = '\0';
    return 0;
}

void backfill_cursor_text(struct backfill_progress *p, char *const *key, size_t n)
{
    size_t at = 0;
    p->cursor[0] = '\0';
    for (size_t i = 0; key && i < n && at < sizeof p->cursor; i++)
        at += (size_t)snprintf(p->cursor + at, sizeof p->cursor - at, "%s%s", i ? "," : "",
                               key[i] ? key[i] : "NULL");
}

long backfill_next_size(long size, int64_t took_ms, int64_t target_ms, long lo, long hi)
{
    long next = size;
    if (took_ms <= 0)
        next = size * 2;
    else
        next = (long)((double)size * (double)target_ms / (double)took_ms);
    if (next > size * 2)
        next = size * 2;
    if (next < size / 2)
        next = size / 2;
    return next < lo ? lo : next > hi ? hi : next;
}

int64_t backfill_pace(int64_t started_ms, int64_t rows, double rate)
{
    if (rate <= 0)
        return started_ms;
    return started_ms + (int64_t)((double)rows * 1000.0 / rate);
}
