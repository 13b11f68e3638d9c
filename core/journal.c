/* journal.c — the SQLite journal store: open, append, read, notice changes.
 *
 * Every append is one BEGIN IMMEDIATE transaction that reads the chain's
 * tail (last seq and hash) and inserts after it, so any number of processes
 * appending to the same file (consoles, `cutover ack` from a script) take
 * turns on the write lock and can never fork the chain. WAL mode lets
 * readers go on while one of them writes; busy_timeout makes a writer wait
 * its turn instead of failing. The statements are prepared once per handle.
 * journal_verify lives in journal_verify.c; the schema in docs/journal.md. */
#include "journal.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "journal_internal.h"

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
    "  hash      TEXT NOT NULL\n"
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
                     " prev_hash, hash) VALUES (?,?,?,?,?,?,?)",
    [JS_SA_READ] = "SELECT seq, ts_ms, signal, value, status"
                   " FROM samples WHERE seq > ? ORDER BY seq",
    [JS_DATA_VERSION] = "PRAGMA data_version",
};

/* ---- the hash input --------------------------------------------------- */

void jbuf_free(struct jbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

static int jbuf_put(struct jbuf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    return 0;
}

/* Decimal digits of v, written backwards from end; returns the start.
 * (snprintf was a tenth of the append path's time.) */
static char *decimal(char *end, uint64_t v)
{
    do
        *--end = (char)('0' + v % 10);
    while (v /= 10);
    return end;
}

/* A netstring: "<length>:<bytes>," — no two field lists encode alike. */
static int jbuf_ns(struct jbuf *b, const char *s, size_t n)
{
    char head[24], *end = head + sizeof head - 1;
    *end = ':';
    char *start = decimal(end, n);
    if (jbuf_put(b, start, (size_t)(end + 1 - start)) || jbuf_put(b, s, n))
        return -1;
    return jbuf_put(b, ",", 1);
}

static int jbuf_ns_int(struct jbuf *b, int64_t v)
{
    char num[24], *end = num + sizeof num;
    char *start = decimal(end, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
    if (v < 0)
        *--start = '-';
    return jbuf_ns(b, start, (size_t)(end - start));
}

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* %.17g round-trips every double; under the "C" locale so that a terminal
 * set to a comma-decimal language hashes the same bytes as any other. */
static int jbuf_ns_double(struct jbuf *b, double v)
{
    char num[40];
    pthread_once(&c_locale_once, c_locale_init);
    locale_t old = c_locale ? uselocale(c_locale) : (locale_t)0;
    int n = snprintf(num, sizeof num, "%.17g", v);
    if (old)
        uselocale(old);
    return jbuf_ns(b, num, (size_t)n);
}

int journal_event_content(struct jbuf *b, int64_t ts_ms, const char *actor,
                          size_t actor_len, const char *os_user,
                          size_t os_user_len, const char *kind,
                          size_t kind_len, const char *body, size_t body_len)
{
    if (jbuf_ns_int(b, ts_ms) || jbuf_ns(b, actor, actor_len) ||
        jbuf_ns(b, os_user, os_user_len) || jbuf_ns(b, kind, kind_len))
        return -1;
    return jbuf_ns(b, body, body_len);
}

int journal_sample_content(struct jbuf *b, int64_t ts_ms, const char *signal,
                           size_t signal_len, int has_value, double value,
                           const char *status, size_t status_len)
{
    if (jbuf_ns_int(b, ts_ms) || jbuf_ns(b, signal, signal_len))
        return -1;
    if (has_value ? jbuf_ns_double(b, value) : jbuf_put(b, "~", 1))
        return -1;
    return status ? jbuf_ns(b, status, status_len) : jbuf_put(b, "~", 1);
}

int journal_row_hash(const char *tag, const char *prev_hash, int64_t seq,
                     const char *content, size_t content_len,
                     struct jbuf *input, char out[65])
{
    input->len = 0;
    if (jbuf_ns(input, tag, strlen(tag)) ||
        jbuf_ns(input, prev_hash, strlen(prev_hash)) ||
        jbuf_ns_int(input, seq) || jbuf_put(input, content, content_len))
        return -1;
    hash_sha256_hex(input->p, input->len, out);
    return 0;
}

/* ---- errors and small helpers ------------------------------------------ */

void journal_db_error(const struct journal *j, struct error *err,
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

static void find_os_user(char out[64])
{
    struct passwd pw, *res = NULL;
    char buf[1024];
    uid_t uid = geteuid();
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res &&
        res->pw_name && res->pw_name[0])
        snprintf(out, 64, "%s", res->pw_name);
    else
        snprintf(out, 64, "%lu", (unsigned long)uid);
}

/* ---- open and close ---------------------------------------------------- */

/* Looks at what the file holds: its application_id and how many schema
 * objects it has. Fails on a file that is not an SQLite database. */
static int probe(struct journal *j, int64_t *app_id, int64_t *n_objects,
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
        journal_db_error(j, err, "cannot read the journal");
    return -1;
}

/* The journal's mode, lower case, into mode[16]; -1 on error (*busy says
 * whether it was the lock). */
static int journal_mode(struct journal *j, const char *sql, char mode[16],
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
static int set_wal(struct journal *j, struct error *err)
{
    char mode[16];
    int busy = 0;
    if (journal_mode(j, "PRAGMA journal_mode", mode, &busy) == 0 &&
        strcmp(mode, "wal") == 0)
        return 0;
    for (int waited = 0;; waited += 10) {
        if (journal_mode(j, "PRAGMA journal_mode=WAL", mode, &busy) == 0)
            break;
        if (!busy || waited >= JOURNAL_BUSY_TIMEOUT_MS) {
            journal_db_error(j, err, "cannot switch the journal to WAL mode");
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
static int create_schema(struct journal *j, struct error *err)
{
    if (set_wal(j, err))
        return -1;
    if (sqlite3_exec(j->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        journal_db_error(j, err, "cannot create the journal");
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
            journal_db_error(j, err, "cannot create the journal's tables");
            goto fail;
        }
    }
    if (sqlite3_exec(j->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        journal_db_error(j, err, "cannot create the journal");
        goto fail;
    }
    return 0;
fail:
    sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

static int check_format(struct journal *j, long *version_out,
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
        journal_db_error(j, err, "cannot read the journal's format version");
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

/* A format-1 journal gains the lease table; nothing else changes. */
static int migrate(struct journal *j, long version, struct error *err)
{
    if (version >= JOURNAL_FORMAT_VERSION)
        return 0;
    char *sql = sqlite3_mprintf("BEGIN IMMEDIATE;\n%s"
                                "UPDATE meta SET value = '%d' WHERE key = "
                                "'format_version';\nCOMMIT;",
                                lease_sql, JOURNAL_FORMAT_VERSION);
    int rc = sql ? sqlite3_exec(j->db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        journal_db_error(j, err, "cannot bring the journal to format 2");
        sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

static int open_db(struct journal *j, int flags, struct error *err)
{
    int create = (flags & JOURNAL_CREATE) && !(flags & JOURNAL_READONLY);
    struct stat sb;
    if (!create && stat(j->path, &sb) != 0) {
        error_set(err, "%s: no journal there (%s)", j->path, strerror(errno));
        return -1;
    }
    int oflags = j->readonly ? SQLITE_OPEN_READONLY
                             : SQLITE_OPEN_READWRITE |
                                   (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(j->path, &j->db, oflags, NULL) != SQLITE_OK) {
        if (j->db)
            journal_db_error(j, err, "cannot open the journal");
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
            error_set(err, "%s is not a cutover journal (it is empty)",
                      j->path);
            return -1;
        }
        if (create_schema(j, err) || probe(j, &app_id, &n_objects, err))
            return -1;
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
                journal_db_error(j, err, "cannot set up the journal");
            return -1;
        }
        if (migrate(j, version, err))
            return -1;
    }
    return 0;
}

int journal_open(const char *path, int flags, struct journal **out,
                 struct error *err)
{
    *out = NULL;
    if (err)
        err->msg[0] = '\0';
    struct journal *j = calloc(1, sizeof *j);
    if (!j || !(j->path = strdup(path ? path : ""))) {
        free(j);
        error_set(err, "%s: cannot open the journal: out of memory",
                  path ? path : "");
        return -1;
    }
    j->readonly = (flags & JOURNAL_READONLY) != 0;
    find_os_user(j->os_user);
    if (!path || !path[0]) {
        error_set(err, "no journal path given");
        goto fail;
    }
    if (open_db(j, flags, err))
        goto fail;
    for (int i = 0; i < JS_COUNT; i++) {
        if (sqlite3_prepare_v3(j->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &j->st[i], NULL) != SQLITE_OK) {
            journal_db_error(j, err, "the journal's tables are not as "
                             "expected");
            goto fail;
        }
    }
    if (query_int(j->db, "PRAGMA data_version", &j->data_version)) {
        journal_db_error(j, err, "cannot read the journal");
        goto fail;
    }
    *out = j;
    return 0;
fail:
    journal_close(j);
    return -1;
}

void journal_close(struct journal *j)
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

static int tx_begin(struct journal *j, struct error *err)
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
        journal_db_error(j, err, "cannot start a transaction");
    return -1;
}

/* Ends a failed transaction; the message names what failed, with sqlite's
 * words taken before ROLLBACK overwrites them (what = NULL: out of memory). */
static int tx_fail(struct journal *j, struct error *err, const char *what)
{
    if (what)
        journal_db_error(j, err, what);
    else
        error_set(err, "%s: cannot append: out of memory", j->path);
    if (j->in_tx)
        return -1;    /* journal_transact rolls back */
    if (!sqlite3_get_autocommit(j->db))
        step_once(j->st[JS_ROLLBACK]);
    return -1;
}

static int tx_commit(struct journal *j, struct error *err)
{
    if (j->in_tx)
        return 0;
    if (step_once(j->st[JS_COMMIT]) != SQLITE_DONE)
        return tx_fail(j, err, "cannot commit");
    return 0;
}

/* The chain's tail: the last seq (0 when empty) and its hash. */
static int chain_tail(struct journal *j, enum journal_stmt which,
                      int64_t *seq, char prev[65])
{
    sqlite3_stmt *st = j->st[which];
    int rc = sqlite3_step(st);
    *seq = 0;
    memcpy(prev, JOURNAL_ZERO_HASH, 65);
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
static int insert_event(struct journal *j, const struct journal_event *ev,
                        int64_t seq, char prev[65])
{
    const char *body = ev->body ? ev->body : "{}";
    size_t alen = strlen(ev->actor), ulen = strlen(j->os_user),
           klen = strlen(ev->kind), blen = strlen(body);
    char hash[65];
    j->content.len = 0;
    if (journal_event_content(&j->content, ev->ts_ms, ev->actor, alen,
                              j->os_user, ulen, ev->kind, klen, body, blen) ||
        journal_row_hash("event", prev, seq, j->content.p, j->content.len,
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

static int append_events(struct journal *j, const struct journal_event *evs,
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

/* With a writer attached, an append is queued and the caller's fold told
 * of it; seq_out is then 0 (the sequence is assigned when written). */
static int queue_events(struct journal *j, const struct journal_event *evs,
                        size_t n, int64_t *seq_out, struct error *err)
{
    if (journal_writer_queue_events(j->writer, evs, n, err))
        return -1;
    for (size_t i = 0; j->local_event && i < n; i++)
        j->local_event(&evs[i], j->local_ctx);
    if (seq_out)
        *seq_out = 0;
    return 0;
}

int journal_append(struct journal *j, const struct journal_event *ev,
                   int64_t *seq_out, struct error *err)
{
    if (j->writer && !j->in_tx)
        return queue_events(j, ev, 1, seq_out, err);
    return append_events(j, ev, 1, seq_out, err);
}

int journal_append_many(struct journal *j, const struct journal_event *evs,
                        size_t n, struct error *err)
{
    if (j->writer && !j->in_tx)
        return queue_events(j, evs, n, NULL, err);
    return append_events(j, evs, n, NULL, err);
}

static int insert_sample(struct journal *j, const struct journal_sample *s,
                         int64_t seq, char prev[65])
{
    /* SQLite stores NaN as NULL and -0.0 as 0: record what it will give
     * back, so the hash verifies later. */
    int has = s->has_value && !isnan(s->value);
    double v = s->value == 0.0 ? 0.0 : s->value;
    size_t slen = strlen(s->signal), stlen = s->status ? strlen(s->status) : 0;
    char hash[65];
    j->content.len = 0;
    if (journal_sample_content(&j->content, s->ts_ms, s->signal, slen, has, v,
                               s->status, stlen) ||
        journal_row_hash("sample", prev, seq, j->content.p, j->content.len,
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
    int rc = step_once(st);
    memcpy(prev, hash, 65);
    return rc;
}

int journal_append_samples(struct journal *j, const struct journal_sample *s,
                           size_t n, struct error *err)
{
    if (j->writer && !j->in_tx) {
        if (journal_writer_queue_samples(j->writer, s, n, err))
            return -1;
        for (size_t i = 0; j->local_sample && i < n; i++)
            j->local_sample(&s[i], j->local_ctx);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!s[i].signal) {
            error_set(err, "%s: cannot append: sample %zu has no signal",
                      j->path, i + 1);
            return -1;
        }
    }
    if (n == 0 || tx_begin(j, err))
        return n == 0 ? 0 : -1;
    int64_t seq;
    char prev[65];
    if (chain_tail(j, JS_SA_LAST, &seq, prev))
        return tx_fail(j, err, "cannot read the last sample");
    for (size_t i = 0; i < n; i++) {
        int rc = insert_sample(j, &s[i], ++seq, prev);
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
static sqlite3_stmt *walk_stmt(struct journal *j, enum journal_stmt which,
                               sqlite3_stmt **own)
{
    *own = NULL;
    if (!sqlite3_stmt_busy(j->st[which]))
        return j->st[which];
    if (sqlite3_prepare_v2(j->db, stmt_sql[which], -1, own, NULL) != SQLITE_OK)
        return NULL;
    return *own;
}

static int walk_end(struct journal *j, sqlite3_stmt *st, sqlite3_stmt *own,
                    int rc, int ret, struct error *err)
{
    if (ret == 0 && rc != SQLITE_DONE) {
        journal_db_error(j, err, "cannot read the journal");
        ret = -1;
    }
    sqlite3_reset(st);
    sqlite3_finalize(own);
    return ret;
}

int journal_read(struct journal *j, int64_t after_seq, journal_event_fn fn,
                 void *ctx, struct error *err)
{
    sqlite3_stmt *own, *st = walk_stmt(j, JS_EV_READ, &own);
    if (!st) {
        journal_db_error(j, err, "cannot read the journal");
        return -1;
    }
    sqlite3_bind_int64(st, 1, after_seq);
    int rc = SQLITE_DONE, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct journal_event ev = {
            .seq = sqlite3_column_int64(st, 0),
            .ts_ms = sqlite3_column_int64(st, 1),
            .actor = col_text(st, 2),
            .os_user = col_text(st, 3),
            .kind = col_text(st, 4),
            .body = col_text(st, 5),
        };
        ret = fn(&ev, ctx);
    }
    return walk_end(j, st, own, ret ? SQLITE_DONE : rc, ret, err);
}

int journal_read_samples(struct journal *j, int64_t after_seq,
                         journal_sample_fn fn, void *ctx, struct error *err)
{
    sqlite3_stmt *own, *st = walk_stmt(j, JS_SA_READ, &own);
    if (!st) {
        journal_db_error(j, err, "cannot read the journal");
        return -1;
    }
    sqlite3_bind_int64(st, 1, after_seq);
    int rc = SQLITE_DONE, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int has = sqlite3_column_type(st, 3) != SQLITE_NULL;
        struct journal_sample s = {
            .seq = sqlite3_column_int64(st, 0),
            .ts_ms = sqlite3_column_int64(st, 1),
            .signal = col_text(st, 2),
            .value = has ? sqlite3_column_double(st, 3) : 0.0,
            .has_value = has,
            .status = (const char *)sqlite3_column_text(st, 4),
        };
        ret = fn(&s, ctx);
    }
    return walk_end(j, st, own, ret ? SQLITE_DONE : rc, ret, err);
}

int journal_changed(struct journal *j)
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

int64_t journal_last_seq(struct journal *j)
{
    int64_t seq;
    char hash[65];
    return chain_tail(j, JS_EV_LAST, &seq, hash) ? -1 : seq;
}

int journal_last_of_kind(struct journal *j, const char *kind, char **body,
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
        journal_db_error(j, err, "cannot read the journal");
        ret = -1;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ret;
}

/* ---- transactions ------------------------------------------------------ */

int journal_transact(struct journal *j, journal_tx_fn fn, void *ctx,
                     struct error *err)
{
    if (j->in_tx)
        return fn(j, ctx, err);
    if (tx_begin(j, err))
        return -1;
    j->in_tx = 1;
    int rc = fn(j, ctx, err);
    j->in_tx = 0;
    if (rc < 0) {
        if (!sqlite3_get_autocommit(j->db))
            step_once(j->st[JS_ROLLBACK]);
        return rc;
    }
    return tx_commit(j, err) ? -1 : rc;
}

int journal_transact_async(struct journal *j, journal_tx_fn fn, void *ctx,
                           journal_done_fn done, struct error *err)
{
    if (j->writer)
        return journal_writer_queue_tx(j->writer, fn, ctx, done, err);
    struct error why = {{0}};
    int rc = journal_transact(j, fn, ctx, &why);
    if (done)
        done(ctx, rc, &why);
    if (rc < 0 && err)
        *err = why;
    return 0;
}

void journal_set_local(struct journal *j, journal_local_event_fn ev_fn,
                       journal_local_sample_fn sample_fn, void *ctx)
{
    j->local_event = ev_fn;
    j->local_sample = sample_fn;
    j->local_ctx = ctx;
}

void journal_set_busy_timeout(struct journal *j, int ms)
{
    sqlite3_busy_timeout(j->db, ms);
}

int journal_sample_tail(struct journal *j, int64_t *seq, char hash[65],
                        struct error *err)
{
    if (chain_tail(j, JS_SA_LAST, seq, hash) == 0)
        return 0;
    journal_db_error(j, err, "cannot read the last sample");
    return -1;
}

static int anchor_tx(struct journal *j, void *ctx, struct error *err)
{
    const struct journal_event *ev = ctx;
    int64_t seq;
    char hash[65], body[200];
    if (journal_sample_tail(j, &seq, hash, err))
        return -1;
    snprintf(body, sizeof body,
             "{\"samples\":%lld,\"sample_seq\":%lld,\"sample_hash\":\"%s\"}",
             (long long)seq, (long long)seq, seq ? hash : "");
    struct journal_event a = *ev;
    a.body = body;
    return append_events(j, &a, 1, NULL, err);
}

int journal_append_anchor(struct journal *j, int64_t ts_ms, const char *actor,
                          struct error *err)
{
    if (j->writer && !j->in_tx)
        return journal_writer_queue_anchor(j->writer, ts_ms, actor, err);
    struct journal_event ev = {.ts_ms = ts_ms, .actor = actor,
                               .kind = JOURNAL_KIND_ANCHOR};
    return journal_transact(j, anchor_tx, &ev, err);
}

int journal_meta_get(struct journal *j, const char *key, char *value,
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
    journal_db_error(j, err, "cannot read the journal's meta");
    return -1;
}

int journal_meta_set(struct journal *j, const char *key, const char *value,
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
    journal_db_error(j, err, "cannot write the journal's meta");
    return -1;
}

/* ---- the driver's lease ------------------------------------------------ */

/* The lease row into *l; 0 found, 1 none, -1 error. */
static int lease_read(struct journal *j, struct journal_lease *l,
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
    journal_db_error(j, err, "cannot read the lease");
    return -1;
}

static int lease_write(struct journal *j, const struct journal_lease *me,
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
    journal_db_error(j, err, "cannot write the lease");
    return -1;
}

static int lease_mine(const struct journal_lease *l, const struct journal_lease *me)
{
    return strcmp(l->console, me->console) == 0;
}

/* Alive: renewed lately, and not a process of this host that is gone. */
static int lease_live(const struct journal_lease *l, const struct journal_lease *me,
                      int64_t now)
{
    if (now - l->renewed_ms > JOURNAL_LEASE_MS)
        return 0;
    if (strcmp(l->host, me->host) == 0 && l->pid > 0 &&
        kill((pid_t)l->pid, 0) != 0 && errno == ESRCH)
        return 0;
    return 1;
}

struct lease_op {
    const struct journal_lease *me;
    int64_t now;
    struct journal_lease *holder;
    int renew;
};

static int lease_tx(struct journal *j, void *ctx, struct error *err)
{
    struct lease_op *op = ctx;
    struct journal_lease cur;
    int found = lease_read(j, &cur, err);
    if (found < 0)
        return -1;
    if (found == 0 && lease_mine(&cur, op->me))
        return lease_write(j, op->me, cur.since_ms, op->now, err);
    if (found == 0 && (op->renew || lease_live(&cur, op->me, op->now))) {
        if (op->holder)
            *op->holder = cur;
        return 1;
    }
    if (op->renew) {   /* no row: someone released it under us */
        if (op->holder)
            memset(op->holder, 0, sizeof *op->holder);
        return 1;
    }
    return lease_write(j, op->me, op->now, op->now, err);
}

int journal_lease_take(struct journal *j, const struct journal_lease *me,
                       int64_t now_ms, struct journal_lease *holder,
                       struct error *err)
{
    struct lease_op op = {me, now_ms, holder, 0};
    return journal_transact(j, lease_tx, &op, err);
}

int journal_lease_renew(struct journal *j, const struct journal_lease *me,
                        int64_t now_ms, struct journal_lease *holder,
                        struct error *err)
{
    struct lease_op op = {me, now_ms, holder, 1};
    return journal_transact(j, lease_tx, &op, err);
}

static int release_tx(struct journal *j, void *ctx, struct error *err)
{
    struct journal_lease cur;
    int found = lease_read(j, &cur, err);
    if (found != 0)
        return found < 0 ? -1 : 0;
    if (!lease_mine(&cur, ctx))
        return 0;
    if (sqlite3_exec(j->db, "DELETE FROM lease", NULL, NULL, NULL) != SQLITE_OK) {
        journal_db_error(j, err, "cannot release the lease");
        return -1;
    }
    return 0;
}

int journal_lease_release(struct journal *j, const struct journal_lease *me,
                          struct error *err)
{
    return journal_transact(j, release_tx, (void *)me, err);
}
