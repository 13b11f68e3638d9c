/* store_sqlite.c — the orders table in a SQLite file: WAL (the dual-writer,
 * the monthly batch, the readers and the cockpit's backfill all touch the
 * same files at once), a busy timeout instead of instant SQLITE_BUSY, and
 * statements prepared once per connection. */
#include "store_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLUMNS "id, customer_id, total_cents, status, note, created, written_by"

struct sq {
    struct store base;
    sqlite3 *db;
    sqlite3_stmt *insert, *upsert, *get, *count;
};

static enum store_rc sq_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW: return STORE_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return STORE_BUSY;
    case SQLITE_CONSTRAINT: return STORE_CONSTRAINT;
    default: return STORE_ERROR;
    }
}

static enum store_rc fail(struct sq *q, int rc, const char *what, struct error *err)
{
    error_set(err, "sqlite %s on %s: %s", what, q->base.table, sqlite3_errmsg(q->db));
    return sq_rc(rc) == STORE_OK ? STORE_ERROR : sq_rc(rc);
}

static int sq_exec(struct store *s, const char *sql, struct error *err)
{
    struct sq *q = (struct sq *)s;
    char *msg = NULL;
    if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        error_set(err, "sqlite: %s: %s", sql, msg ? msg : sqlite3_errmsg(q->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static sqlite3_stmt *prepare(struct sq *q, const char *fmt, struct error *err)
{
    char sql[512];
    snprintf(sql, sizeof sql, fmt, q->base.table);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK) {
        error_set(err, "sqlite: cannot prepare on %s: %s", q->base.table, sqlite3_errmsg(q->db));
        return NULL;
    }
    return st;
}

/* Statements are prepared after the table exists, on first use. */
static int ready(struct sq *q, struct error *err)
{
    if (q->get)
        return 0;
    q->insert = prepare(q, "INSERT INTO %s (" COLUMNS ") VALUES (NULL, ?, ?, ?, ?, ?, ?)", err);
    q->upsert = q->insert ? prepare(q,
        "INSERT INTO %s (" COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, "
        "total_cents = excluded.total_cents, status = excluded.status, note = excluded.note, "
        "created = excluded.created, written_by = excluded.written_by", err) : NULL;
    q->count = q->upsert ? prepare(q, "SELECT count(*) FROM %s", err) : NULL;
    q->get = q->count ? prepare(q, "SELECT " COLUMNS " FROM %s WHERE id = ?", err) : NULL;
    return q->get ? 0 : -1;
}

static int sq_create(struct store *s, bool serial, struct error *err)
{
    (void)serial; /* INTEGER PRIMARY KEY takes a given id or assigns one */
    struct sq *q = (struct sq *)s;
    char sql[512];
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS %s (id INTEGER PRIMARY KEY, "
             "customer_id INTEGER NOT NULL, total_cents INTEGER NOT NULL, "
             "status TEXT NOT NULL, note TEXT, created TEXT NOT NULL, "
             "written_by TEXT NOT NULL)",
             s->table);
    return sq_exec(s, sql, err) == 0 ? ready(q, err) : -1;
}

/* Binds the columns after id, starting at parameter 1 + first. */
static void bind_order(sqlite3_stmt *st, int first, const struct order *o)
{
    sqlite3_bind_int64(st, first + 1, o->customer_id);
    sqlite3_bind_int64(st, first + 2, o->total_cents);
    sqlite3_bind_text(st, first + 3, o->status, -1, SQLITE_STATIC);
    if (o->note_null)
        sqlite3_bind_null(st, first + 4);
    else
        sqlite3_bind_text(st, first + 4, o->note, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, first + 5, o->created, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, first + 6, o->written_by, -1, SQLITE_STATIC);
}

static enum store_rc step_done(struct sq *q, sqlite3_stmt *st, const char *what,
                               struct error *err)
{
    int rc = sqlite3_step(st);
    enum store_rc out = rc == SQLITE_DONE ? STORE_OK : fail(q, rc, what, err);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return out;
}

static enum store_rc sq_insert(struct store *s, struct order *o, struct error *err)
{
    struct sq *q = (struct sq *)s;
    if (ready(q, err) != 0)
        return STORE_ERROR;
    bind_order(q->insert, 0, o);
    enum store_rc rc = step_done(q, q->insert, "insert", err);
    if (rc == STORE_OK)
        o->id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

static enum store_rc sq_upsert(struct store *s, const struct order *o, struct error *err)
{
    struct sq *q = (struct sq *)s;
    if (ready(q, err) != 0)
        return STORE_ERROR;
    sqlite3_bind_int64(q->upsert, 1, o->id);
    bind_order(q->upsert, 1, o);
    return step_done(q, q->upsert, "upsert", err);
}

static void column_text(sqlite3_stmt *st, int i, char *out, size_t len)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(out, len, "%s", t ? (const char *)t : "");
}

static enum store_rc sq_get(struct store *s, long long id, struct order *out,
                            struct error *err)
{
    struct sq *q = (struct sq *)s;
    if (ready(q, err) != 0)
        return STORE_ERROR;
    sqlite3_stmt *st = q->get;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    enum store_rc result = STORE_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->id = sqlite3_column_int64(st, 0);
        out->customer_id = sqlite3_column_int64(st, 1);
        out->total_cents = sqlite3_column_int64(st, 2);
        column_text(st, 3, out->status, sizeof out->status);
        out->note_null = sqlite3_column_type(st, 4) == SQLITE_NULL;
        column_text(st, 4, out->note, sizeof out->note);
        column_text(st, 5, out->created, sizeof out->created);
        column_text(st, 6, out->written_by, sizeof out->written_by);
        result = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        result = fail(q, rc, "read", err);
    }
    sqlite3_reset(st);
    return result;
}

static enum store_rc sq_count(struct store *s, long long *n, struct error *err)
{
    struct sq *q = (struct sq *)s;
    if (ready(q, err) != 0)
        return STORE_ERROR;
    int rc = sqlite3_step(q->count);
    enum store_rc result = STORE_OK;
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(q->count, 0);
    else
        result = fail(q, rc, "count", err);
    sqlite3_reset(q->count);
    return result;
}

static void sq_close(struct store *s)
{
    struct sq *q = (struct sq *)s;
    sqlite3_finalize(q->insert);
    sqlite3_finalize(q->upsert);
    sqlite3_finalize(q->get);
    sqlite3_finalize(q->count);
    sqlite3_close(q->db);
    free(q);
}

static const struct store_ops sq_ops = {
    .create = sq_create, .insert = sq_insert, .upsert = sq_upsert, .get = sq_get,
    .count = sq_count, .exec = sq_exec, .close = sq_close,
};

struct store *store_sqlite_open(const char *path, const char *table, struct error *err)
{
    struct sq *q = calloc(1, sizeof *q);
    if (!q) {
        error_set(err, "out of memory");
        return NULL;
    }
    q->base.ops = &sq_ops;
    snprintf(q->base.table, sizeof q->base.table, "%s", table);
    int rc = sqlite3_open_v2(path, &q->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        error_set(err, "cannot open %s: %s", path, q->db ? sqlite3_errmsg(q->db) : "out of memory");
        sqlite3_close(q->db);
        free(q);
        return NULL;
    }
    sqlite3_busy_timeout(q->db, 5000);
    /* NORMAL is durable enough for a demo in WAL and keeps each write from
     * waiting on fsync */
    if (sq_exec(&q->base, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", err) != 0) {
        sq_close(&q->base);
        return NULL;
    }
    return &q->base;
}
