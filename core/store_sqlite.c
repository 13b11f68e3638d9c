/* store_sqlite.c — the SQLite journal store, one file behind
 * journal_store.h: the schema, open (and migrate), append, read, notice
 * changes, the lease row, the consoles' heartbeat rows and verify.
 *
 * Every append is one BEGIN IMMEDIATE transaction that reads the chain's
 * tail (last seq and hash) and inserts after it, so any number of processes
 * appending to the same file (consoles, `cutover ack` from a script) take
 * turns on the write lock and can never fork the chain. WAL mode lets
 * readers go on while one of them writes. The statements are prepared once
 * per handle. The encoding hashed is chain.c's; the schema is in
 * docs/journal.md. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account.h"
#include "chain.h"
#include "journal_store.h"

/* PRAGMA application_id of every cutover journal: "cuto" in ASCII. */
#define JOURNAL_APPLICATION_ID 0x6375746f
/* meta.format_version this build writes and the newest it reads. Format 2
 * adds the lease table, format 3 the samples' after_event (their place in
 * the one history); an older journal is migrated when opened for writing
 * (read-only opens accept it as it is, reading after_event as NULL). */
#define JOURNAL_FORMAT_VERSION 3
/* How long a writer waits for another writer's transaction, in ms. */
#define JOURNAL_BUSY_TIMEOUT_MS 5000

enum journal_stmt {
    JS_BEGIN,
    JS_BEGIN_READ,
    JS_COMMIT,
    JS_ROLLBACK,
    JS_EV_LAST,
    JS_EV_INSERT,
    JS_EV_READ,
    JS_EV_KIND_LAST,
    JS_SA_LAST,
    JS_SA_INSERT,
    JS_SA_READ,
    JS_DATA_VERSION,
    JS_EV_OUTLINE,
    JS_SA_OUTLINE,
    JS_COUNT
};

/* The statements that differ in a journal read as it is, without format 3's
 * after_event column (a read-only open of an older journal). */
static const char sa_insert_v2[] =
    "INSERT INTO samples(seq, ts_ms, signal, value, status, prev_hash, hash)"
    " VALUES (?,?,?,?,?,?,?)";
static const char sa_read_v2[] =
    "SELECT seq, ts_ms, signal, value, status, NULL"
    " FROM samples WHERE seq > ? ORDER BY seq";
static const char sa_outline_v2[] =
    "SELECT seq, ts_ms, '', NULL, '', NULL FROM samples WHERE seq > ? ORDER BY seq";

struct journal_store {
    sqlite3 *db;
    char *path;
    int readonly;
    int empty;          /* open_db found no tables at all (see sq_verify) */
    int has_after;             /* samples has after_event (format 3) */
    int in_tx;                 /* inside begin/commit: appends join it */
    int64_t data_version;      /* as of the last changed() */
    char os_user[64];          /* login name of the effective user */
    sqlite3_stmt *st[JS_COUNT];
    struct jbuf content, input; /* scratch for hashing, reused */
};

/* The append-only triggers stop a post-mortem's careless UPDATE or DELETE;
 * they are no defence against someone who drops them (verify is). */
static const char schema_sql[] =
    "CREATE TABLE meta(\n"
    "  key   TEXT PRIMARY KEY,\n"
    "  value TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE events(\n"
    "  seq       INTEGER PRIMARY KEY,\n"
    "  ts_ms     INTEGER NOT NULL,\n"
    "  actor     TEXT NOT NULL,\n"
    "  os_user   TEXT NOT NULL,\n"
    "  kind      TEXT NOT NULL,\n"
    "  body      TEXT NOT NULL,\n"
    "  prev_hash TEXT NOT NULL,\n"
    "  hash      TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX events_kind ON events(kind);\n"
    "CREATE TABLE samples(\n"
    "  seq       INTEGER PRIMARY KEY,\n"
    "  ts_ms     INTEGER NOT NULL,\n"
    "  signal    TEXT NOT NULL,\n"
    "  value     REAL,\n"
    "  status    TEXT,\n"
    "  prev_hash TEXT NOT NULL,\n"
    "  hash      TEXT NOT NULL,\n"
    "  after_event INTEGER\n"
    ");\n"
    "CREATE INDEX samples_signal ON samples(signal, ts_ms);\n"
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events\n"
    "  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;\n"
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events\n"
    "  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;\n"
    "CREATE TRIGGER samples_no_update BEFORE UPDATE ON samples\n"
    "  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;\n"
    "CREATE TRIGGER samples_no_delete BEFORE DELETE ON samples\n"
    "  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;\n";

/* Format 2: which console drives (one row, renewed every second). Not
 * part of the record: it changes in place and is not hashed. */
static const char lease_sql[] =
    "CREATE TABLE IF NOT EXISTS lease(\n"
    "  id         INTEGER PRIMARY KEY CHECK (id = 1),\n"
    "  holder     TEXT NOT NULL,\n"
    "  host       TEXT NOT NULL,\n"
    "  pid        INTEGER NOT NULL,\n"
    "  console    TEXT NOT NULL,\n"
    "  since_ms   INTEGER NOT NULL,\n"
    "  renewed_ms INTEGER NOT NULL\n"
    ");\n";

static const char *const stmt_sql[JS_COUNT] = {
    [JS_BEGIN] = "BEGIN IMMEDIATE",
    [JS_BEGIN_READ] = "BEGIN",   /* a read transaction: its snapshot is taken by the first read */
    [JS_COMMIT] = "COMMIT",
    [JS_ROLLBACK] = "ROLLBACK",
    [JS_EV_LAST] = "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
    [JS_EV_INSERT] = "INSERT INTO events(seq, ts_ms, actor, os_user, kind,"
                     " body, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)",
    [JS_EV_READ] = "SELECT seq, ts_ms, actor, os_user, kind, body"
                   " FROM events WHERE seq > ? ORDER BY seq",
    [JS_EV_KIND_LAST] = "SELECT body FROM events WHERE kind = ?"
                        " ORDER BY seq DESC LIMIT 1",
    [JS_SA_LAST] = "SELECT seq, hash FROM samples ORDER BY seq DESC LIMIT 1",
    [JS_SA_INSERT] = "INSERT INTO samples(seq, ts_ms, signal, value, status,"
                     " prev_hash, hash, after_event) VALUES (?,?,?,?,?,?,?,?)",
    [JS_SA_READ] = "SELECT seq, ts_ms, signal, value, status, after_event"
                   " FROM samples WHERE seq > ? ORDER BY seq",
    [JS_DATA_VERSION] = "PRAGMA data_version",
    /* the history's outline: the same rows, only what places them (and
     * console_open's few bodies: whether the run was on a test clock) */
    [JS_EV_OUTLINE] = "SELECT seq, ts_ms, '', '', kind,"
                      " CASE kind WHEN 'console_open' THEN body ELSE '' END"
                      " FROM events WHERE seq > ? ORDER BY seq",
    [JS_SA_OUTLINE] = "SELECT seq, ts_ms, '', NULL, '', after_event"
                      " FROM samples WHERE seq > ? ORDER BY seq",
};

/* ---- errors and small helpers ------------------------------------------ */

static void sq_error(const struct journal_store *j, struct error *err,
                      const char *what)
{
    int sys = sqlite3_system_errno(j->db);
    if (sys && (sqlite3_errcode(j->db) & 0xff) == SQLITE_CANTOPEN)
        error_set(err, "%s: %s: %s (%s)", j->path, what,
                  sqlite3_errmsg(j->db), strerror(sys));
    else
        error_set(err, "%s: %s: %s", j->path, what, sqlite3_errmsg(j->db));
}

/* Runs a statement that returns at most one integer; -1 on error. */
static int query_int(sqlite3 *db, const char *sql, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* ---- open and close ---------------------------------------------------- */

/* Looks at what the file holds: its application_id and how many schema
 * objects it has. Fails on a file that is not an SQLite database. */
static int probe(struct journal_store *j, int64_t *app_id, int64_t *n_objects,
                 struct error *err)
{
    /* One statement, so both come from one snapshot even while another
     * process is creating the schema. */
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(j->db,
                                "SELECT (SELECT application_id FROM "
                                "pragma_application_id), (SELECT count(*) "
                                "FROM sqlite_master)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *app_id = sqlite3_column_int64(st, 0);
        *n_objects = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    if ((sqlite3_errcode(j->db) & 0xff) == SQLITE_NOTADB)
        error_set(err, "%s is not a cutover journal (%s)", j->path,
                  sqlite3_errmsg(j->db));
    else
        sq_error(j, err, "cannot read the journal");
    return -1;
}

/* The journal's mode, lower case, into mode[16]; -1 on error (*busy says
 * whether it was the lock). */
static int wal_mode(struct journal_store *j, const char *sql, char mode[16],
                        int *busy)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(j->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *m = (const char *)sqlite3_column_text(st, 0);
        snprintf(mode, 16, "%s", m ? m : "?");
    }
    sqlite3_finalize(st);
    *busy = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
    return rc == SQLITE_ROW ? 0 : -1;
}

/* WAL is a property of the file, so this switches only a new journal.
 * Changing the mode needs the file to itself and SQLite does not wait for
 * that, so this waits here, as long as busy_timeout would. */
static int set_wal(struct journal_store *j, struct error *err)
{
    char mode[16];
    int busy = 0;
    if (wal_mode(j, "PRAGMA journal_mode", mode, &busy) == 0 &&
        strcmp(mode, "wal") == 0)
        return 0;
    for (int waited = 0;; waited += 10) {
        if (wal_mode(j, "PRAGMA journal_mode=WAL", mode, &busy) == 0)
            break;
        if (!busy || waited >= JOURNAL_BUSY_TIMEOUT_MS) {
            sq_error(j, err, "cannot switch the journal to WAL mode");
            return -1;
        }
        sqlite3_sleep(10);
    }
    if (strcmp(mode, "wal") != 0) {
        error_set(err, "%s: cannot switch the journal to WAL mode (it stays "
                  "in \"%s\" mode); is it on a network file system?",
                  j->path, mode);
        return -1;
    }
    return 0;
}

/* Creates the schema in an empty file. Two processes creating the same
 * journal at once take turns on BEGIN IMMEDIATE; the second finds the
 * schema there and leaves it alone. */
static int create_schema(struct journal_store *j, struct error *err)
{
    if (set_wal(j, err))
        return -1;
    if (sqlite3_exec(j->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        sq_error(j, err, "cannot create the journal");
        return -1;
    }
    int64_t app_id = 0, n_objects = 0;
    if (probe(j, &app_id, &n_objects, err))
        goto fail;
    if (app_id == 0 && n_objects == 0) {
        char *sql = sqlite3_mprintf(
            "PRAGMA application_id = %d;\n%s%s"
            "INSERT INTO meta(key, value) VALUES\n"
            "  ('format_version', '%d'),\n"
            "  ('created_at', strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now')),\n"
            "  ('created_by', %Q);\n",
            JOURNAL_APPLICATION_ID, schema_sql, lease_sql,
            JOURNAL_FORMAT_VERSION,
            j->os_user);
        int rc = sql ? sqlite3_exec(j->db, sql, NULL, NULL, NULL)
                     : SQLITE_NOMEM;
        sqlite3_free(sql);
        if (rc != SQLITE_OK) {
            sq_error(j, err, "cannot create the journal's tables");
            goto fail;
        }
    }
    if (sqlite3_exec(j->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        sq_error(j, err, "cannot create the journal");
        goto fail;
    }
    return 0;
fail:
    sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

static int check_format(struct journal_store *j, long *version_out,
                        struct error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(j->db,
                           "SELECT value FROM meta WHERE key = "
                           "'format_version'",
                           -1, &st, NULL) != SQLITE_OK) {
        error_set(err, "%s is not a cutover journal (%s)", j->path,
                  sqlite3_errmsg(j->db));
        return -1;
    }
    int rc = sqlite3_step(st);
    const char *v = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0)
                                     : NULL;
    long version = v ? strtol(v, NULL, 10) : 0;
    int ret = -1;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        sq_error(j, err, "cannot read the journal's format version");
    else if (version < 1)
        error_set(err, "%s is not a cutover journal (it has no valid format "
                  "version)", j->path);
    else if (version > JOURNAL_FORMAT_VERSION)
        error_set(err, "%s was written by a newer cutover (journal format "
                  "%ld; this build reads format %d and older)", j->path,
                  version, JOURNAL_FORMAT_VERSION);
    else
        ret = 0;
    *version_out = version;
    sqlite3_finalize(st);
    return ret;
}

/* 1 when the samples table has format 3's after_event column. */
static int has_after_column(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_prepare_v2(db, "SELECT after_event FROM samples LIMIT 0", -1, &st,
                                NULL) == SQLITE_OK;
    sqlite3_finalize(st);
    return ok;
}

/* A format-1 journal gains the lease table, a format-2 one the samples'
 * after_event (NULL in the rows it has: they hash as they always did);
 * nothing else changes. Two consoles migrating at once take turns, and the
 * second finds the column there. */
static int migrate(struct journal_store *j, long version, struct error *err)
{
    if (version >= JOURNAL_FORMAT_VERSION)
        return 0;
    if (sqlite3_exec(j->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        sq_error(j, err, "cannot bring the journal to format 3");
        return -1;
    }
    int after = has_after_column(j->db);
    char *sql = sqlite3_mprintf("%s%s"
                                "UPDATE meta SET value = '%d' WHERE key = "
                                "'format_version';\nCOMMIT;",
                                lease_sql,
                                after ? "" : "ALTER TABLE samples ADD COLUMN after_event INTEGER;\n",
                                JOURNAL_FORMAT_VERSION);
    int rc = sql ? sqlite3_exec(j->db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        sq_error(j, err, "cannot bring the journal to format 3");
        sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

/* A journal the ceremony's people share: its group may write it, nobody
 * else may read it (the journal, its WAL and its shared memory). */
static void restrict_mode(const char *path)
{
    char p[4200];
    chmod(path, 0660);
    snprintf(p, sizeof p, "%s-wal", path);
    chmod(p, 0660);
    snprintf(p, sizeof p, "%s-shm", path);
    chmod(p, 0660);
}

static int open_db(struct journal_store *j, int flags, struct error *err)
{
    int create = (flags & JOURNAL_CREATE) && !(flags & JOURNAL_READONLY);
    struct stat sb;
    int existed = stat(j->path, &sb) == 0;
    if (!create && !existed) {
        error_set(err, "%s: no journal there (%s)", j->path, strerror(errno));
        return -1;
    }
    if (existed && !j->readonly && (sb.st_mode & S_IWOTH)) {
        /* anyone on the machine could rewrite the record: not a record */
        error_set(err, "%s is writable by anyone (mode %04o): a journal must not be; "
                  "`chmod o-w %s` and open it again", j->path, (unsigned)(sb.st_mode & 07777),
                  j->path);
        return -1;
    }
    int oflags = j->readonly ? SQLITE_OPEN_READONLY
                             : SQLITE_OPEN_READWRITE |
                                   (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(j->path, &j->db, oflags, NULL) != SQLITE_OK) {
        if (j->db)
            sq_error(j, err, "cannot open the journal");
        else
            error_set(err, "%s: cannot open the journal: out of memory",
                      j->path);
        return -1;
    }
    sqlite3_extended_result_codes(j->db, 1);
    sqlite3_busy_timeout(j->db, JOURNAL_BUSY_TIMEOUT_MS);
    /* A journal may come from someone else: do not let its schema run
     * functions with side effects. */
    sqlite3_db_config(j->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);

    int64_t app_id = 0, n_objects = 0;
    if (probe(j, &app_id, &n_objects, err))
        return -1;
    if (app_id == 0 && n_objects == 0) {
        if (!create) {
            j->empty = 1;
            error_set(err, "%s is not a cutover journal (it is empty)",
                      j->path);
            return -1;
        }
        if (create_schema(j, err) || probe(j, &app_id, &n_objects, err))
            return -1;
        if (!existed)
            restrict_mode(j->path);
    }
    if (app_id != JOURNAL_APPLICATION_ID) {
        error_set(err, "%s is not a cutover journal (it is an SQLite "
                  "database of another application)", j->path);
        return -1;
    }
    long version = 0;
    if (check_format(j, &version, err))
        return -1;
    if (!j->readonly) {
        /* synchronous=NORMAL: in WAL mode a commit survives the process
         * being killed (kill -9), which is the recovery the ceremony needs;
         * only a power cut can lose the newest commits, never the chain. */
        if (set_wal(j, err) ||
            sqlite3_exec(j->db, "PRAGMA synchronous=NORMAL", NULL, NULL,
                         NULL) != SQLITE_OK) {
            if (!err || !err->msg[0])
                sq_error(j, err, "cannot set up the journal");
            return -1;
        }
        if (migrate(j, version, err))
            return -1;
    }
    return 0;
}

static void sq_close(struct journal_store *j);

/* The history there is at open, read through a memory map: the first fold
 * of a long journal (a restart, a join, a replay) reads every page, and a
 * pread per page costs as much as folding its rows. Only that much: pages
 * appended later are read as before, so the map is never remapped while
 * a console runs (each remap costs the loop tens of milliseconds). SQLite
 * maps for reading only; writes go through the file. */
static void map_history(struct journal_store *j)
{
    struct stat sb;
    char sql[64];
    if (stat(j->path, &sb) != 0 || sb.st_size <= 0)
        return;
    snprintf(sql, sizeof sql, "PRAGMA mmap_size=%lld", (long long)sb.st_size);
    sqlite3_exec(j->db, sql, NULL, NULL, NULL);
}

static const char *stmt_text(const struct journal_store *j, int i)
{
    if (!j->has_after && i == JS_SA_INSERT)
        return sa_insert_v2;
    if (!j->has_after && i == JS_SA_READ)
        return sa_read_v2;
    if (!j->has_after && i == JS_SA_OUTLINE)
        return sa_outline_v2;
    return stmt_sql[i];
}

/* sq_open, telling *empty when it failed on a file with no tables yet. */
static int open_store(const char *path, int flags, struct journal_store **out, int *empty,
                      struct error *err);

static int sq_open(const char *path, int flags, struct journal_store **out,
                 struct error *err)
{
    int empty;
    return open_store(path, flags, out, &empty, err);
}

static int open_store(const char *path, int flags, struct journal_store **out, int *empty,
                      struct error *err)
{
    *empty = 0;
    *out = NULL;
    if (err)
        err->msg[0] = '\0';
    struct journal_store *j = calloc(1, sizeof *j);
    if (!j || !(j->path = strdup(path ? path : ""))) {
        free(j);
        error_set(err, "%s: cannot open the journal: out of memory",
                  path ? path : "");
        return -1;
    }
    j->readonly = (flags & JOURNAL_READONLY) != 0;
    os_account(j->os_user, sizeof j->os_user);
    if (!path || !path[0]) {
        error_set(err, "no journal path given");
        goto fail;
    }
    if (open_db(j, flags, err))
        goto fail;
    j->has_after = has_after_column(j->db);
    map_history(j);
    for (int i = 0; i < JS_COUNT; i++) {
        if (sqlite3_prepare_v3(j->db, stmt_text(j, i), -1, SQLITE_PREPARE_PERSISTENT,
                               &j->st[i], NULL) != SQLITE_OK) {
            sq_error(j, err, "the journal's tables are not as "
                             "expected");
            goto fail;
        }
    }
    if (query_int(j->db, "PRAGMA data_version", &j->data_version)) {
        sq_error(j, err, "cannot read the journal");
        goto fail;
    }
    *out = j;
    return 0;
fail:
    *empty = j->empty;
    sq_close(j);
    return -1;
}

static void sq_close(struct journal_store *j)
{
    if (!j)
        return;
    for (int i = 0; i < JS_COUNT; i++)
        sqlite3_finalize(j->st[i]);
    sqlite3_close(j->db);
    jbuf_free(&j->content);
    jbuf_free(&j->input);
    free(j->path);
    free(j);
}

/* ---- appending --------------------------------------------------------- */

static int step_once(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc;
}

static int tx_begin(struct journal_store *j, struct error *err)
{
    if (j->readonly) {
        error_set(err, "%s: the journal was opened read-only; cannot append",
                  j->path);
        return -1;
    }
    if (j->in_tx)
        return 0;
    int rc = step_once(j->st[JS_BEGIN]);
    if (rc == SQLITE_DONE)
        return 0;
    if ((rc & 0xff) == SQLITE_BUSY)
        error_set(err, "%s: the journal is busy: another process holds its "
                  "write lock", j->path);
    else
        sq_error(j, err, "cannot start a transaction");
    return -1;
}

/* Ends a failed transaction; the message names what failed, with sqlite's
 * words taken before ROLLBACK overwrites them (what = NULL: out of memory). */
static int tx_fail(struct journal_store *j, struct error *err, const char *what)
{
    if (what)
        sq_error(j, err, what);
    else
        error_set(err, "%s: cannot append: out of memory", j->path);
    if (j->in_tx)
        return -1;    /* journal_transact rolls back */
    if (!sqlite3_get_autocommit(j->db))
        step_once(j->st[JS_ROLLBACK]);
    return -1;
}

static int tx_commit(struct journal_store *j, struct error *err)
{
    if (j->in_tx)
        return 0;
    if (step_once(j->st[JS_COMMIT]) != SQLITE_DONE)
        return tx_fail(j, err, "cannot commit");
    return 0;
}

/* The chain's tail: the last seq (0 when empty) and its hash. */
static int chain_tail(struct journal_store *j, enum journal_stmt which,
                      int64_t *seq, char prev[65])
{
    sqlite3_stmt *st = j->st[which];
    int rc = sqlite3_step(st);
    *seq = 0;
    memcpy(prev, CHAIN_ZERO_HASH, 65);
    if (rc == SQLITE_ROW) {
        const char *h = (const char *)sqlite3_column_text(st, 1);
        *seq = sqlite3_column_int64(st, 0);
        snprintf(prev, 65, "%s", h ? h : "");
        rc = SQLITE_DONE;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Inserts one event after prev (which becomes its hash). Returns sqlite's
 * result code, or -1 when out of memory. */
static int insert_event(struct journal_store *j, const struct journal_event *ev,
                        int64_t seq, char prev[65])
{
    const char *body = ev->body ? ev->body : "{}";
    size_t alen = strlen(ev->actor), ulen = strlen(j->os_user),
           klen = strlen(ev->kind), blen = strlen(body);
    char hash[65];
    j->content.len = 0;
    if (chain_event_content(&j->content, ev->ts_ms, ev->actor, alen,
                              j->os_user, ulen, ev->kind, klen, body, blen) ||
        chain_row_hash("event", prev, seq, j->content.p, j->content.len,
                         &j->input, hash))
        return -1;
    sqlite3_stmt *st = j->st[JS_EV_INSERT];
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_int64(st, 2, ev->ts_ms);
    sqlite3_bind_text(st, 3, ev->actor, (int)alen, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, j->os_user, (int)ulen, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, ev->kind, (int)klen, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, body, (int)blen, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, prev, 64, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, hash, 64, SQLITE_STATIC);
    int rc = step_once(st);
    memcpy(prev, hash, 65);
    return rc;
}

static int append_events(struct journal_store *j, const struct journal_event *evs,
                         size_t n, int64_t *seq_out, struct error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!evs[i].actor || !evs[i].kind) {
            error_set(err, "%s: cannot append: event %zu has no %s", j->path,
                      i + 1, evs[i].actor ? "kind" : "actor");
            return -1;
        }
    }
    if (n == 0 || tx_begin(j, err))
        return n == 0 ? 0 : -1;
    int64_t seq;
    char prev[65];
    if (chain_tail(j, JS_EV_LAST, &seq, prev))
        return tx_fail(j, err, "cannot read the last event");
    for (size_t i = 0; i < n; i++) {
        int rc = insert_event(j, &evs[i], ++seq, prev);
        if (rc != SQLITE_DONE) {
            sqlite3_clear_bindings(j->st[JS_EV_INSERT]);
            return tx_fail(j, err, rc < 0 ? NULL : "cannot append an event");
        }
    }
    sqlite3_clear_bindings(j->st[JS_EV_INSERT]);
    if (tx_commit(j, err))
        return -1;
    if (seq_out)
        *seq_out = seq;
    return 0;
}

static int insert_sample(struct journal_store *j, const struct journal_sample *s,
                         int64_t seq, char prev[65], int64_t after_event)
{
    /* SQLite stores NaN as NULL and -0.0 as 0: record what it will give
     * back, so the hash verifies later. */
    int has = s->has_value && !isnan(s->value);
    double v = s->value == 0.0 ? 0.0 : s->value;
    size_t slen = strlen(s->signal), stlen = s->status ? strlen(s->status) : 0;
    char hash[65];
    j->content.len = 0;
    if (!j->has_after)
        after_event = CHAIN_NO_AFTER;
    if (chain_sample_content(&j->content, s->ts_ms, s->signal, slen, has, v,
                               s->status, stlen, after_event) ||
        chain_row_hash("sample", prev, seq, j->content.p, j->content.len,
                         &j->input, hash))
        return -1;
    sqlite3_stmt *st = j->st[JS_SA_INSERT];
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_int64(st, 2, s->ts_ms);
    sqlite3_bind_text(st, 3, s->signal, (int)slen, SQLITE_STATIC);
    if (has)
        sqlite3_bind_double(st, 4, v);
    else
        sqlite3_bind_null(st, 4);
    if (s->status)
        sqlite3_bind_text(st, 5, s->status, (int)stlen, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 5);
    sqlite3_bind_text(st, 6, prev, 64, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, hash, 64, SQLITE_STATIC);
    if (j->has_after)
        sqlite3_bind_int64(st, 8, after_event);
    int rc = step_once(st);
    memcpy(prev, hash, 65);
    return rc;
}

static int append_samples(struct journal_store *j, const struct journal_sample *s,
                          size_t n, struct error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!s[i].signal) {
            error_set(err, "%s: cannot append: sample %zu has no signal",
                      j->path, i + 1);
            return -1;
        }
    }
    if (n == 0 || tx_begin(j, err))
        return n == 0 ? 0 : -1;
    int64_t seq, after_event;
    char prev[65], ev_hash[65];
    /* the samples' place in the one history: after the newest event, as
     * this transaction sees it (the writer appends its queue in order) */
    if (chain_tail(j, JS_EV_LAST, &after_event, ev_hash))
        return tx_fail(j, err, "cannot read the last event");
    if (chain_tail(j, JS_SA_LAST, &seq, prev))
        return tx_fail(j, err, "cannot read the last sample");
    for (size_t i = 0; i < n; i++) {
        int rc = insert_sample(j, &s[i], ++seq, prev, after_event);
        if (rc != SQLITE_DONE) {
            sqlite3_clear_bindings(j->st[JS_SA_INSERT]);
            return tx_fail(j, err, rc < 0 ? NULL : "cannot append a sample");
        }
    }
    sqlite3_clear_bindings(j->st[JS_SA_INSERT]);
    return tx_commit(j, err);
}

/* ---- reading ----------------------------------------------------------- */

static const char *col_text(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

/* The handle's statement, or a fresh one when a visit callback reads the
 * same journal again while the outer walk still holds it. */
static sqlite3_stmt *walk_stmt(struct journal_store *j, enum journal_stmt which,
                               sqlite3_stmt **own)
{
    *own = NULL;
    if (!sqlite3_stmt_busy(j->st[which]))
        return j->st[which];
    if (sqlite3_prepare_v2(j->db, stmt_text(j, which), -1, own, NULL) != SQLITE_OK)
        return NULL;
    return *own;
}

static int walk_end(struct journal_store *j, sqlite3_stmt *st, sqlite3_stmt *own,
                    int rc, int ret, struct error *err)
{
    if (ret == 0 && rc != SQLITE_DONE) {
        sq_error(j, err, "cannot read the journal");
        ret = -1;
    }
    sqlite3_reset(st);
    sqlite3_finalize(own);
    return ret;
}

static struct journal_event row_event(sqlite3_stmt *st)
{
    return (struct journal_event){
        .seq = sqlite3_column_int64(st, 0),
        .ts_ms = sqlite3_column_int64(st, 1),
        .actor = col_text(st, 2),
        .os_user = col_text(st, 3),
        .kind = col_text(st, 4),
        .body = col_text(st, 5),
    };
}

static struct journal_sample row_sample(sqlite3_stmt *st)
{
    int has = sqlite3_column_type(st, 3) != SQLITE_NULL;
    return (struct journal_sample){
        .seq = sqlite3_column_int64(st, 0),
        .ts_ms = sqlite3_column_int64(st, 1),
        .signal = col_text(st, 2),
        .value = has ? sqlite3_column_double(st, 3) : 0.0,
        .has_value = has,
        .status = (const char *)sqlite3_column_text(st, 4),
        .after_event = sqlite3_column_type(st, 5) == SQLITE_NULL
                           ? JOURNAL_NO_AFTER : sqlite3_column_int64(st, 5),
    };
}

static int sq_read(struct journal_store *j, int64_t after_seq, journal_event_fn fn,
                 void *ctx, struct error *err)
{
    sqlite3_stmt *own, *st = walk_stmt(j, JS_EV_READ, &own);
    if (!st) {
        sq_error(j, err, "cannot read the journal");
        return -1;
    }
    sqlite3_bind_int64(st, 1, after_seq);
    int rc = SQLITE_DONE, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct journal_event ev = row_event(st);
        ret = fn(&ev, ctx);
    }
    return walk_end(j, st, own, ret ? SQLITE_DONE : rc, ret, err);
}

static int sq_read_samples(struct journal_store *j, int64_t after_seq,
                         journal_sample_fn fn, void *ctx, struct error *err)
{
    sqlite3_stmt *own, *st = walk_stmt(j, JS_SA_READ, &own);
    if (!st) {
        sq_error(j, err, "cannot read the journal");
        return -1;
    }
    sqlite3_bind_int64(st, 1, after_seq);
    int rc = SQLITE_DONE, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct journal_sample s = row_sample(st);
        ret = fn(&s, ctx);
    }
    return walk_end(j, st, own, ret ? SQLITE_DONE : rc, ret, err);
}

/* Prepared for each read: a gate's history is read every few seconds at
 * most, on a worker, and the statement then walks the (signal, ts_ms)
 * index rather than the table. */
static int sq_read_signal(struct journal_store *j, const char *signal, int64_t from_ms,
                          int64_t to_ms, journal_sample_fn fn, void *ctx, struct error *err)
{
    static const char sql[] =
        "SELECT seq, ts_ms, signal, value, status, NULL FROM samples"
        " WHERE signal = ? AND ts_ms >= ? AND ts_ms <= ? ORDER BY ts_ms, seq";
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) {
        sq_error(j, err, "cannot read a signal's samples");
        return -1;
    }
    sqlite3_bind_text(st, 1, signal, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, from_ms);
    sqlite3_bind_int64(st, 3, to_ms);
    int rc = SQLITE_DONE, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct journal_sample sa = row_sample(st);
        ret = fn(&sa, ctx);
    }
    if (ret == 0 && rc != SQLITE_DONE) {
        sq_error(j, err, "cannot read a signal's samples");
        ret = -1;
    }
    sqlite3_finalize(st);
    return ret;
}

/* Two cursors merged in C (an ORDER BY over a UNION would sort the whole
 * history on every read), inside one read transaction so that both see
 * the journal as of one moment: a sample is never given before the event
 * it follows. (Without it, a cursor that finds nothing new ends its own
 * implicit transaction at once, and the other one's starts after a commit
 * that may have landed in between.) A walk inside a transaction already
 * open (a nested read, journal_transact) shares that one. */
static int merge_walk(struct journal_store *j, enum journal_stmt ev_read,
                      enum journal_stmt sa_read, int64_t after_event, int64_t after_sample,
                      journal_event_fn on_event, journal_sample_fn on_sample, void *ctx,
                      struct error *err)
{
    sqlite3_stmt *own_e = NULL, *own_s = NULL;
    int own_tx = sqlite3_get_autocommit(j->db);
    if (own_tx && step_once(j->st[JS_BEGIN_READ]) != SQLITE_DONE) {
        sq_error(j, err, "cannot read the journal");
        return -1;
    }
    sqlite3_stmt *es = walk_stmt(j, ev_read, &own_e);
    sqlite3_stmt *ss = es ? walk_stmt(j, sa_read, &own_s) : NULL;
    if (!ss) {
        sq_error(j, err, "cannot read the journal");
        sqlite3_finalize(own_e);
        if (own_tx)
            step_once(j->st[JS_COMMIT]);
        return -1;
    }
    sqlite3_bind_int64(es, 1, after_event);
    sqlite3_bind_int64(ss, 1, after_sample);
    int erc = sqlite3_step(es), src = sqlite3_step(ss), ret = 0;
    struct journal_event ev = {0};
    struct journal_sample sa = {0};
    if (erc == SQLITE_ROW)
        ev = row_event(es);
    if (src == SQLITE_ROW)
        sa = row_sample(ss);
    while (ret == 0 && (erc == SQLITE_ROW || src == SQLITE_ROW)) {
        if (src == SQLITE_ROW && (erc != SQLITE_ROW || journal_sample_first(&sa, &ev))) {
            ret = on_sample(&sa, ctx);
            if ((src = sqlite3_step(ss)) == SQLITE_ROW)
                sa = row_sample(ss);
        } else {
            ret = on_event(&ev, ctx);
            if ((erc = sqlite3_step(es)) == SQLITE_ROW)
                ev = row_event(es);
        }
    }
    /* a cursor that stopped on anything but its end is a read error */
    int rc = erc != SQLITE_DONE && erc != SQLITE_ROW ? erc
             : src != SQLITE_DONE && src != SQLITE_ROW ? src : SQLITE_DONE;
    ret = walk_end(j, es, own_e, ret ? SQLITE_DONE : rc, ret, err);
    sqlite3_reset(ss);
    sqlite3_finalize(own_s);
    if (own_tx && sqlite3_get_autocommit(j->db) == 0)
        step_once(j->st[JS_COMMIT]);   /* a read's end: nothing to write, never busy */
    return ret;
}

static int sq_read_history(struct journal_store *j, int64_t after_event, int64_t after_sample,
                           journal_event_fn on_event, journal_sample_fn on_sample,
                           void *ctx, struct error *err)
{
    return merge_walk(j, JS_EV_READ, JS_SA_READ, after_event, after_sample, on_event, on_sample,
                      ctx, err);
}

static int sq_read_outline(struct journal_store *j, journal_event_fn on_event,
                           journal_sample_fn on_sample, void *ctx, struct error *err)
{
    return merge_walk(j, JS_EV_OUTLINE, JS_SA_OUTLINE, 0, 0, on_event, on_sample, ctx, err);
}

static int sq_changed(struct journal_store *j)
{
    sqlite3_stmt *st = j->st[JS_DATA_VERSION];
    int rc = sqlite3_step(st);
    int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return -1;
    int changed = v != j->data_version;
    j->data_version = v;
    return changed;
}

static int64_t sq_last_seq(struct journal_store *j)
{
    int64_t seq;
    char hash[65];
    return chain_tail(j, JS_EV_LAST, &seq, hash) ? -1 : seq;
}

static int sq_last_of_kind(struct journal_store *j, const char *kind, char **body,
                         struct error *err)
{
    *body = NULL;
    sqlite3_stmt *st = j->st[JS_EV_KIND_LAST];
    sqlite3_bind_text(st, 1, kind ? kind : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), ret = 0;
    if (rc == SQLITE_ROW) {
        *body = strdup(col_text(st, 0));
        if (!*body) {
            error_set(err, "%s: out of memory", j->path);
            ret = -1;
        }
    } else if (rc != SQLITE_DONE) {
        sq_error(j, err, "cannot read the journal");
        ret = -1;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ret;
}

static int sq_meta_get(struct journal_store *j, const char *key, char *value,
                     size_t len, struct error *err)
{
    sqlite3_stmt *st = NULL;
    value[0] = '\0';
    int rc = sqlite3_prepare_v2(j->db, "SELECT value FROM meta WHERE key = ?",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            snprintf(value, len, "%s", col_text(st, 0));
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return 0;
    sq_error(j, err, "cannot read the journal's meta");
    return -1;
}

static int sq_meta_set(struct journal_store *j, const char *key, const char *value,
                     struct error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(j->db, "INSERT OR REPLACE INTO meta(key, value)"
                                " VALUES (?, ?)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    sq_error(j, err, "cannot write the journal's meta");
    return -1;
}

/* ---- the driver's lease ------------------------------------------------ */

/* The lease row into *l; 0 found, 1 none, -1 error. */
static int lease_read(struct journal_store *j, struct journal_lease *l,
                      struct error *err)
{
    sqlite3_stmt *st = NULL;
    memset(l, 0, sizeof *l);
    int rc = sqlite3_prepare_v2(j->db, "SELECT holder, host, pid, console,"
                                " since_ms, renewed_ms FROM lease WHERE id = 1",
                                -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        snprintf(l->holder, sizeof l->holder, "%s", col_text(st, 0));
        snprintf(l->host, sizeof l->host, "%s", col_text(st, 1));
        l->pid = (long)sqlite3_column_int64(st, 2);
        snprintf(l->console, sizeof l->console, "%s", col_text(st, 3));
        l->since_ms = sqlite3_column_int64(st, 4);
        l->renewed_ms = sqlite3_column_int64(st, 5);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return 1;
    sq_error(j, err, "cannot read the lease");
    return -1;
}

static int lease_write(struct journal_store *j, const struct journal_lease *me,
                       int64_t since, int64_t now, struct error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(j->db, "INSERT OR REPLACE INTO lease(id, holder,"
                                " host, pid, console, since_ms, renewed_ms)"
                                " VALUES (1, ?, ?, ?, ?, ?, ?)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, me->holder, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, me->host, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, me->pid);
        sqlite3_bind_text(st, 4, me->console, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, since);
        sqlite3_bind_int64(st, 6, now);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    sq_error(j, err, "cannot write the lease");
    return -1;
}

/* ---- the consoles' heartbeat ------------------------------------------- */

/* Made by the first touch, so a journal of any format gains it without a
 * new format: a console of an older build never reads it. */
static const char consoles_sql[] =
    "CREATE TABLE IF NOT EXISTS consoles(\n"
    "  console   TEXT PRIMARY KEY,\n"
    "  name      TEXT NOT NULL,\n"
    "  role      TEXT NOT NULL,\n"
    "  mode      TEXT NOT NULL,\n"
    "  account   TEXT NOT NULL,\n"
    "  host      TEXT NOT NULL,\n"
    "  pid       INTEGER NOT NULL,\n"
    "  opened_ms INTEGER NOT NULL,\n"
    "  seen_ms   INTEGER NOT NULL\n"
    ");\n";

static int console_touch(struct journal_store *j, const struct journal_console *me,
                         int64_t now, int64_t forget, struct error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_exec(j->db, consoles_sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(j->db, "INSERT INTO consoles(console, name, role, mode,"
                                " account, host, pid, opened_ms, seen_ms)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                " ON CONFLICT(console) DO UPDATE SET seen_ms = excluded.seen_ms",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, me->console, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, me->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, me->role, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, me->mode, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, me->account, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, me->host, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, me->pid);
        sqlite3_bind_int64(st, 8, me->opened_ms);
        sqlite3_bind_int64(st, 9, now);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SQLITE_OK &&
        (rc = sqlite3_prepare_v2(j->db, "DELETE FROM consoles WHERE seen_ms < ?", -1, &st,
                                 NULL)) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, forget);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_OK)
        return 0;
    sq_error(j, err, "cannot write the console's heartbeat");
    return -1;
}

/* 1 when the consoles table is there, 0 not yet, -1 error. */
static int has_consoles(struct journal_store *j)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(j->db, "SELECT 1 FROM sqlite_master WHERE type = 'table'"
                                " AND name = 'consoles'", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static long console_read(struct journal_store *j, struct journal_console *out, size_t max,
                         struct error *err)
{
    int there = has_consoles(j);
    if (there <= 0) {
        if (there == 0)
            return 0;
        sq_error(j, err, "cannot read the consoles");
        return -1;
    }
    sqlite3_stmt *st = NULL;
    long n = 0;
    int rc = sqlite3_prepare_v2(j->db, "SELECT console, name, role, mode, account, host, pid,"
                                " opened_ms, seen_ms FROM consoles ORDER BY opened_ms, console",
                                -1, &st, NULL);
    while (rc == SQLITE_OK && (size_t)n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct journal_console *c = &out[n++];
        memset(c, 0, sizeof *c);
        snprintf(c->console, sizeof c->console, "%s", col_text(st, 0));
        snprintf(c->name, sizeof c->name, "%s", col_text(st, 1));
        snprintf(c->role, sizeof c->role, "%s", col_text(st, 2));
        snprintf(c->mode, sizeof c->mode, "%s", col_text(st, 3));
        snprintf(c->account, sizeof c->account, "%s", col_text(st, 4));
        snprintf(c->host, sizeof c->host, "%s", col_text(st, 5));
        c->pid = (long)sqlite3_column_int64(st, 6);
        c->opened_ms = sqlite3_column_int64(st, 7);
        c->seen_ms = sqlite3_column_int64(st, 8);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_OK || rc == SQLITE_DONE)
        return n;
    sq_error(j, err, "cannot read the consoles");
    return -1;
}

static int console_delete(struct journal_store *j, const char *console, struct error *err)
{
    if (has_consoles(j) == 0)
        return 0;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(j->db, "DELETE FROM consoles WHERE console = ?", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, console, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_OK)
        return 0;
    sq_error(j, err, "cannot remove the console's heartbeat");
    return -1;
}

/* ---- verify ----------------------------------------------------------- */

/* The walk is cheap and linear: each row must hash to its stored hash and
 * name its predecessor's hash as prev_hash, with seq running 1, 2, 3, ...
 * Only at the first failure does it look further (the next row, which row
 * a dangling prev_hash belongs to, whether the row's contents hash right in
 * another row's place), to tell an edit from a deletion, a reordering or an
 * insertion. Everything is read in one read transaction, so a journal that
 * other processes keep appending to is checked as of one moment. */

struct chain_def {
    const char *table, *tag;
    const char *walk_sql, *next_prev_sql, *seq_of_hash_sql, *slots_sql;
    const char *walk_sql_v2;   /* without format 3's columns, or NULL: the same */
    /* builds the hash content from a walk row's columns 3.. */
    int (*content)(sqlite3_stmt *st, struct jbuf *b);
};

static const char *text_of(sqlite3_stmt *st, int i, size_t *len)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    *len = (size_t)sqlite3_column_bytes(st, i);
    return s ? s : "";
}

static int event_content(sqlite3_stmt *st, struct jbuf *b)
{
    size_t alen, ulen, klen, blen;
    const char *actor = text_of(st, 4, &alen), *user = text_of(st, 5, &ulen),
               *kind = text_of(st, 6, &klen), *body = text_of(st, 7, &blen);
    return chain_event_content(b, sqlite3_column_int64(st, 3), actor, alen,
                                 user, ulen, kind, klen, body, blen);
}

static int sample_content(sqlite3_stmt *st, struct jbuf *b)
{
    size_t slen, stlen = 0;
    const char *signal = text_of(st, 4, &slen);
    int has = sqlite3_column_type(st, 5) != SQLITE_NULL;
    double v = has ? sqlite3_column_double(st, 5) : 0.0;
    const char *status = sqlite3_column_type(st, 6) != SQLITE_NULL
                             ? text_of(st, 6, &stlen)
                             : NULL;
    int64_t after = sqlite3_column_type(st, 7) == SQLITE_NULL
                        ? CHAIN_NO_AFTER : sqlite3_column_int64(st, 7);
    return chain_sample_content(b, sqlite3_column_int64(st, 3), signal, slen,
                                  has, v, status, stlen, after);
}

static const struct chain_def chains[] = {
    {"events", "event",
     "SELECT seq, prev_hash, hash, ts_ms, actor, os_user, kind, body"
     " FROM events ORDER BY seq",
     "SELECT prev_hash FROM events WHERE seq > ? ORDER BY seq LIMIT 1",
     "SELECT seq FROM events WHERE hash = ? ORDER BY seq LIMIT 1",
     "SELECT seq, prev_hash, hash FROM events ORDER BY seq", NULL, event_content},
    {"samples", "sample",
     "SELECT seq, prev_hash, hash, ts_ms, signal, value, status, after_event"
     " FROM samples ORDER BY seq",
     "SELECT prev_hash FROM samples WHERE seq > ? ORDER BY seq LIMIT 1",
     "SELECT seq FROM samples WHERE hash = ? ORDER BY seq LIMIT 1",
     "SELECT seq, prev_hash, hash FROM samples ORDER BY seq",
     "SELECT seq, prev_hash, hash, ts_ms, signal, value, status, NULL"
     " FROM samples ORDER BY seq", sample_content},
};

/* A stored hash as written, or "" when it is not 64 characters (so that it
 * can match nothing a real row hashes to). */
static void hash_col(sqlite3_stmt *st, int i, char out[65])
{
    size_t n;
    const char *s = text_of(st, i, &n);
    if (n == 64 && strlen(s) == 64)
        memcpy(out, s, 65);
    else
        out[0] = '\0';
}

/* One row under scrutiny, and what the walk knows around it. */
struct suspect {
    int64_t seq;
    char prev[65], hash[65];
    struct jbuf content;
    char before[65]; /* the hash of the row before it in seq order */
};

struct verifier {
    struct journal_store *j;
    const struct chain_def *def;
    struct jbuf input;
    struct journal_verify_result *res;
    struct error *err;
};

static int fail(struct verifier *v, int64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct verifier *v, int64_t seq, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->res->reason, sizeof v->res->reason, fmt, ap);
    va_end(ap);
    v->res->ok = 0;
    v->res->first_bad_seq = seq;
    snprintf(v->res->table, sizeof v->res->table, "%s", v->def->table);
    return 0;
}

/* Runs a one-value query with one bound parameter; *found says whether a
 * row came back. 0, or -1 on a database error. */
static int lookup(struct verifier *v, const char *sql, int64_t num,
                  const char *text, int *found, int64_t *num_out,
                  char text_out[65])
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(v->j->db, sql, -1, &st, NULL) != SQLITE_OK) {
        sq_error(v->j, v->err, "cannot read the journal");
        return -1;
    }
    if (text)
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 1, num);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found && num_out)
        *num_out = sqlite3_column_int64(st, 0);
    if (*found && text_out)
        hash_col(st, 0, text_out);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sq_error(v->j, v->err, "cannot read the journal");
        return -1;
    }
    return 0;
}

/* Looks for the place the suspect's contents were written at: either its
 * whole row (prev_hash and hash too) moved to another seq, or its contents
 * moved into another row's slot. *where = that seq, or 0 when nowhere. */
static int find_origin(struct verifier *v, const struct suspect *r,
                       int64_t *where)
{
    sqlite3_stmt *st = NULL;
    *where = 0;
    if (sqlite3_prepare_v2(v->j->db, v->def->slots_sql, -1, &st, NULL) !=
        SQLITE_OK) {
        sq_error(v->j, v->err, "cannot read the journal");
        return -1;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        char prev[65], hash[65], h[65];
        hash_col(st, 1, prev);
        hash_col(st, 2, hash);
        if (seq == r->seq)
            continue;
        if (chain_row_hash(v->def->tag, r->prev, seq, r->content.p,
                             r->content.len, &v->input, h) == 0 &&
            strcmp(h, r->hash) == 0) {
            *where = seq;
            break;
        }
        if (chain_row_hash(v->def->tag, prev, seq, r->content.p,
                             r->content.len, &v->input, h) == 0 &&
            strcmp(h, hash) == 0) {
            *where = seq;
            break;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sq_error(v->j, v->err, "cannot read the journal");
        return -1;
    }
    return 0;
}

static int inserted_here(struct verifier *v, int64_t s)
{
    if (s == 1)
        return fail(v, s, "inserted: seq 1 is not part of the chain "
                    "(seq 2 starts it)");
    return fail(v, s, "inserted: seq %" PRId64 " is not part of the chain "
                "(seq %" PRId64 " follows seq %" PRId64 ")", s, s + 1, s - 1);
}

/* The suspect sits at the expected seq but its hash or its link is wrong:
 * works out which kind of tampering explains it. */
static int classify(struct verifier *v, const struct suspect *r, int self_ok)
{
    int64_t s = r->seq, origin, k = 0;
    int linked = strcmp(r->prev, r->before) == 0, has_next, has_k = 0;
    char next_prev[65] = "";
    if (lookup(v, v->def->next_prev_sql, s, NULL, &has_next, NULL, next_prev))
        return -1;
    int next_skips = has_next && strcmp(next_prev, r->before) == 0;

    if (linked && !self_ok) {
        if (next_skips)
            return inserted_here(v, s);
        if (find_origin(v, r, &origin))
            return -1;
        if (origin)
            return fail(v, s, "reordered: seq %" PRId64 " holds the row "
                        "written as seq %" PRId64, s, origin);
        return fail(v, s, "edited: seq %" PRId64 " does not hash to its "
                    "stored hash (its contents were changed)", s);
    }
    if (r->prev[0] &&
        lookup(v, v->def->seq_of_hash_sql, 0, r->prev, &has_k, &k, NULL))
        return -1;
    if (has_k && k > s) {
        if (find_origin(v, r, &origin))
            return -1;
        if (origin)
            return fail(v, s, "reordered: seq %" PRId64 " holds the row "
                        "written as seq %" PRId64, s, origin);
        return fail(v, s, "reordered: seq %" PRId64 " follows seq %" PRId64
                    " in the chain, which comes after it", s, k);
    }
    if (has_k && k < s - 1)
        return k + 1 == s - 1
                   ? fail(v, k + 1, "inserted: seq %" PRId64 " is not part "
                          "of the chain (seq %" PRId64 " follows seq %" PRId64
                          ")", k + 1, s, k)
                   : fail(v, k + 1, "inserted: seq %" PRId64 "..%" PRId64
                          " are not part of the chain (seq %" PRId64
                          " follows seq %" PRId64 ")", k + 1, s - 1, s, k);
    if (strcmp(r->prev, CHAIN_ZERO_HASH) == 0) {
        if (find_origin(v, r, &origin))
            return -1;
        if (origin)
            return fail(v, s, "reordered: seq %" PRId64 " holds the row "
                        "written as seq %" PRId64, s, origin);
        return fail(v, s, "inserted: seq %" PRId64 " claims to start the "
                    "chain", s);
    }
    if (!has_k) {
        /* Its prev_hash is no row's hash. If the row after skips it, it
         * was slipped in; if it hashes right at another seq, it moved up
         * because rows before it were deleted; else it was edited. */
        if (next_skips)
            return inserted_here(v, s);
        if (find_origin(v, r, &origin))
            return -1;
        if (origin)
            return fail(v, s, "deleted: the row that seq %" PRId64 " follows "
                        "in the chain is missing (rows were deleted and the "
                        "later ones renumbered)", s);
        return fail(v, s, "edited: the prev_hash of seq %" PRId64 " matches "
                    "no row", s);
    }
    return fail(v, s, "edited: seq %" PRId64 " does not follow seq %" PRId64
                " in the chain", s, s - 1);
}

/* Walks one chain; stops at the first row that fails. */
static int check_chain(struct verifier *v)
{
    sqlite3_stmt *st = NULL;
    const char *walk = !v->j->has_after && v->def->walk_sql_v2 ? v->def->walk_sql_v2
                                                              : v->def->walk_sql;
    if (sqlite3_prepare_v2(v->j->db, walk, -1, &st, NULL) !=
        SQLITE_OK) {
        sq_error(v->j, v->err, "cannot read the journal");
        return -1;
    }
    struct suspect r = {.seq = 0};
    int64_t expected = 1;
    int rc, ret = 0;
    memcpy(r.before, CHAIN_ZERO_HASH, 65);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char h[65];
        r.seq = sqlite3_column_int64(st, 0);
        hash_col(st, 1, r.prev);
        hash_col(st, 2, r.hash);
        r.content.len = 0;
        if (v->def->content(st, &r.content) ||
            chain_row_hash(v->def->tag, r.prev, r.seq, r.content.p,
                             r.content.len, &v->input, h)) {
            error_set(v->err, "%s: out of memory", v->j->path);
            ret = -1;
            break;
        }
        if (r.seq > expected) {
            ret = expected + 1 == r.seq
                      ? fail(v, expected, "deleted: seq %" PRId64 " is "
                             "missing (a gap before seq %" PRId64 ")",
                             expected, r.seq)
                      : fail(v, expected, "deleted: seq %" PRId64 "..%" PRId64
                             " are missing (a gap before seq %" PRId64 ")",
                             expected, r.seq - 1, r.seq);
            break;
        }
        if (r.seq < expected) {
            ret = fail(v, r.seq, "inserted: seq %" PRId64 " comes before "
                       "seq 1, where the chain starts", r.seq);
            break;
        }
        int self_ok = r.hash[0] && strcmp(h, r.hash) == 0;
        if (!self_ok || strcmp(r.prev, r.before) != 0) {
            ret = classify(v, &r, self_ok);
            break;
        }
        memcpy(r.before, r.hash, 65);
        expected++;
    }
    if (ret == 0 && v->res->ok && rc != SQLITE_DONE) {
        sq_error(v->j, v->err, "cannot read the journal");
        ret = -1;
    }
    sqlite3_finalize(st);
    jbuf_free(&r.content);
    return ret;
}

static int count_rows(struct journal_store *j, const char *sql, int64_t *n,
                      struct error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(j->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        sq_error(j, err, "cannot count the journal's rows");
        return -1;
    }
    return 0;
}

/* The anchors: each names a sample (seq and hash) that must still be
 * there. The chain alone cannot see its tail cut off; an anchor can. */
static int check_anchors(struct journal_store *j, struct journal_verify_result *res,
                         struct error *err)
{
    sqlite3_stmt *st = NULL;
    const char *sql =
        "SELECT e.seq, json_extract(e.body, '$.sample_seq'),"
        " json_extract(e.body, '$.sample_hash'), s.hash,"
        " (SELECT coalesce(max(seq), 0) FROM samples)"
        " FROM events e LEFT JOIN samples s"
        " ON s.seq = json_extract(e.body, '$.sample_seq')"
        " WHERE e.kind = '" JOURNAL_KIND_ANCHOR "' ORDER BY e.seq";
    if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) {
        sq_error(j, err, "cannot read the journal's anchors");
        return -1;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t at = sqlite3_column_int64(st, 0), want = sqlite3_column_int64(st, 1);
        const char *hash = (const char *)sqlite3_column_text(st, 2);
        const char *have = (const char *)sqlite3_column_text(st, 3);
        int64_t last = sqlite3_column_int64(st, 4);
        res->n_anchors++;
        if (want <= 0 || (have && hash && strcmp(hash, have) == 0))
            continue;
        res->ok = 0;
        snprintf(res->table, sizeof res->table, "samples");
        if (!have) {
            res->first_bad_seq = last + 1;
            snprintf(res->reason, sizeof res->reason,
                     "deleted: the anchor at event seq %" PRId64 " records %" PRId64
                     " samples, the journal has %" PRId64, at, want, last);
        } else {
            res->first_bad_seq = want;
            snprintf(res->reason, sizeof res->reason,
                     "edited: the anchor at event seq %" PRId64 " records another hash "
                     "for sample seq %" PRId64, at, want);
        }
        break;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sq_error(j, err, "cannot read the journal's anchors");
        return -1;
    }
    return 0;
}

static int sq_verify(const char *path, struct journal_verify_result *res,
                   struct error *err)
{
    memset(res, 0, sizeof *res);
    struct journal_store *j;
    if (open_store(path, JOURNAL_READONLY, &j, &res->empty, err))
        return -1;
    int ret = -1;
    /* One read transaction: both chains and counts as of one moment. */
    if (sqlite3_exec(j->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        sq_error(j, err, "cannot read the journal");
        goto out;
    }
    if (count_rows(j, "SELECT count(*) FROM events", &res->n_events, err) ||
        count_rows(j, "SELECT count(*) FROM samples", &res->n_samples, err))
        goto out;
    res->ok = 1;
    ret = 0;
    for (size_t i = 0; i < sizeof chains / sizeof chains[0] && res->ok; i++) {
        struct verifier v = {.j = j, .def = &chains[i], .res = res,
                             .err = err};
        ret = check_chain(&v);
        jbuf_free(&v.input);
        if (ret)
            break;
    }
    if (ret == 0 && res->ok)
        ret = check_anchors(j, res, err);
out:
    if (ret)
        res->ok = 0;
    sqlite3_exec(j->db, "COMMIT", NULL, NULL, NULL);
    sq_close(j);
    return ret;
}

/* ---- transactions, the tail, the lease row ----------------------------- */

static int sq_begin(struct journal_store *j, struct error *err)
{
    if (j->in_tx) {
        error_set(err, "%s: a transaction is already open", j->path);
        return -1;
    }
    if (tx_begin(j, err))
        return -1;
    j->in_tx = 1;
    return 0;
}

static int sq_commit(struct journal_store *j, struct error *err)
{
    j->in_tx = 0;
    return tx_commit(j, err);
}

static void sq_rollback(struct journal_store *j)
{
    j->in_tx = 0;
    if (!sqlite3_get_autocommit(j->db))
        step_once(j->st[JS_ROLLBACK]);
}

static void sq_set_busy_timeout(struct journal_store *j, int ms)
{
    sqlite3_busy_timeout(j->db, ms);
}

static int sq_sample_tail(struct journal_store *j, int64_t *seq, char hash[65],
                          struct error *err)
{
    if (chain_tail(j, JS_SA_LAST, seq, hash) == 0)
        return 0;
    sq_error(j, err, "cannot read the last sample");
    return -1;
}

static int sq_lease_delete(struct journal_store *j, struct error *err)
{
    if (sqlite3_exec(j->db, "DELETE FROM lease", NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    sq_error(j, err, "cannot release the lease");
    return -1;
}

static int sq_append_events(struct journal_store *j, const struct journal_event *evs,
                            size_t n, int64_t *seq_out, struct error *err)
{
    return append_events(j, evs, n, seq_out, err);
}

/* Every location that names no other store is an SQLite file. */
static int sq_accepts(const char *location)
{
    return !strstr(location, "://");
}

#define f ((void *)(f))
const struct journal_store_ops journal_store_sqlite = {
    .name = "sqlite",
    .accepts = sq_accepts,
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .append_events = sq_append_events,
    .append_samples = append_samples,
    .read_events = sq_read,
    .read_samples = sq_read_samples,
    .read_signal = sq_read_signal,
    .read_history = sq_read_history,
    .read_outline = sq_read_outline,
    .changed = sq_changed,
    .last_seq = sq_last_seq,
    .last_of_kind = sq_last_of_kind,
    .sample_tail = sq_sample_tail,
    .meta_get = sq_meta_get,
    .meta_set = sq_meta_set,
    .lease_read = lease_read,
    .lease_write = lease_write,
    .lease_delete = sq_lease_delete,
    .console_touch = console_touch,
    .console_read = console_read,
    .console_delete = console_delete,
    .set_busy_timeout = sq_set_busy_timeout,
    .verify = sq_verify,
};
