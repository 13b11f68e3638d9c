/* test_journal.c — the journal store: round trips, several writers on one
 * file, change notification, and verify catching each kind of tampering
 * done with plain SQL through a separate connection, as a person with the
 * file and the sqlite3 shell would do it. */
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "core/hash.h"
#include "core/journal.h"
#include "core/ceremony.h"
#include "core/events.h"
#include "core/journal_writer.h"

/* ---- helpers ----------------------------------------------------------- */

struct tmp {
    char dir[64];
    char path[128];
};

static struct tmp tmp_make(void)
{
    struct tmp t;
    snprintf(t.dir, sizeof t.dir, "/tmp/cutover-test-journal.XXXXXX");
    if (!mkdtemp(t.dir)) {
        perror("mkdtemp");
        exit(2);
    }
    snprintf(t.path, sizeof t.path, "%s/ceremony.journal", t.dir);
    return t;
}

static void tmp_remove(struct tmp *t)
{
    DIR *d = opendir(t->dir);
    if (d) {
        const struct dirent *e;
        char p[512];
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", t->dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(t->dir);
}

static struct journal *open_new(const struct tmp *t)
{
    struct journal *j = NULL;
    struct error err = {{0}};
    if (journal_open(t->path, JOURNAL_CREATE, &j, &err) != 0)
        printf("  journal_open: %s\n", err.msg);
    return j;
}

/* Appends events 1..n: ts 1000*i, actor "p<i>/role", kind "k<i%3>". */
static int fill(struct journal *j, int from, int n)
{
    struct error err = {{0}};
    for (int i = from; i < from + n; i++) {
        char actor[32], kind[16], body[64];
        snprintf(actor, sizeof actor, "p%d/role", i);
        snprintf(kind, sizeof kind, "k%d", i % 3);
        snprintf(body, sizeof body, "{\"i\":%d}", i);
        struct journal_event ev = {.ts_ms = 1000 * i, .actor = actor,
                                   .kind = kind, .body = body};
        if (journal_append(j, &ev, NULL, &err)) {
            printf("  journal_append: %s\n", err.msg);
            return -1;
        }
    }
    return 0;
}

static int fill_samples(struct journal *j, int n)
{
    struct error err = {{0}};
    for (int i = 1; i <= n; i++) {
        struct journal_sample s = {.ts_ms = 500 * i, .signal = "lag",
                                   .value = i * 0.5, .has_value = 1,
                                   .status = "ok"};
        if (journal_append_samples(j, &s, 1, &err)) {
            printf("  journal_append_samples: %s\n", err.msg);
            return -1;
        }
    }
    return 0;
}

/* A journal at t->path with n events and n samples, closed again. */
static int make_journal(const struct tmp *t, int n)
{
    struct journal *j = open_new(t);
    if (!j)
        return -1;
    int rc = fill(j, 1, n) || fill_samples(j, n);
    journal_close(j);
    return rc;
}

/* Runs SQL through a connection of its own, as the sqlite3 shell would;
 * drops the append-only triggers first, as a tamperer would have to. */
static int tamper(const char *path, const char *sql)
{
    sqlite3 *db;
    char *msg = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return -1;
    int rc = sqlite3_exec(db,
                          "DROP TRIGGER IF EXISTS events_no_update;"
                          "DROP TRIGGER IF EXISTS events_no_delete;"
                          "DROP TRIGGER IF EXISTS samples_no_update;"
                          "DROP TRIGGER IF EXISTS samples_no_delete;",
                          NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        printf("  tamper: %s\n", msg ? msg : "?");
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

/* One text value from plain SQL (a hash, a body), copied into out. */
static int sql_text(const char *path, const char *sql, char *out, size_t n)
{
    sqlite3 *db;
    sqlite3_stmt *st = NULL;
    int ok = 0;
    out[0] = '\0';
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *s = sqlite3_column_text(st, 0);
        snprintf(out, n, "%s", s ? (const char *)s : "(null)");
        ok = 1;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ok ? 0 : -1;
}

/* Verifies and checks the outcome: table "" means "expect ok". */
static void expect_verify(const char *path, const char *table, int64_t seq,
                          const char *reason_prefix, int line)
{
    struct journal_verify_result res;
    struct error err = {{0}};
    int rc = journal_verify(path, &res, &err);
    if (rc != 0) {
        printf("  line %d: journal_verify failed: %s\n", line, err.msg);
        check_failed_in_test = 1;
        return;
    }
    if (!table[0]) {
        if (!res.ok) {
            printf("  line %d: expected ok, got %s seq %" PRId64 ": %s\n",
                   line, res.table, res.first_bad_seq, res.reason);
            check_failed_in_test = 1;
        }
        return;
    }
    if (res.ok || strcmp(res.table, table) != 0 || res.first_bad_seq != seq ||
        strncmp(res.reason, reason_prefix, strlen(reason_prefix)) != 0) {
        printf("  line %d: expected %s seq %" PRId64 " \"%s...\", got "
               "ok=%d %s seq %" PRId64 ": %s\n", line, table, seq,
               reason_prefix, res.ok, res.table, res.first_bad_seq,
               res.reason);
        check_failed_in_test = 1;
    }
}
#define EXPECT_VERIFY(path, table, seq, reason) \
    expect_verify(path, table, seq, reason, __LINE__)

/* The hash encoding of docs/journal.md, written out again independently of
 * core/journal.c, so that the documentation is what the code does. */
static size_t ns(char *out, const char *s)
{
    return (size_t)sprintf(out, "%zu:%s,", strlen(s), s);
}

static void doc_event_hash(const char *prev, int64_t seq, int64_t ts,
                           const char *actor, const char *user,
                           const char *kind, const char *body, char out[65])
{
    char buf[2048], num[32];
    size_t n = 0;
    n += ns(buf + n, "event");
    n += ns(buf + n, prev);
    snprintf(num, sizeof num, "%" PRId64, seq);
    n += ns(buf + n, num);
    snprintf(num, sizeof num, "%" PRId64, ts);
    n += ns(buf + n, num);
    n += ns(buf + n, actor);
    n += ns(buf + n, user);
    n += ns(buf + n, kind);
    n += ns(buf + n, body);
    hash_sha256_hex(buf, n, out);
}

static const char zeros[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static void my_login(char out[64])
{
    const struct passwd *pw = getpwuid(geteuid());
    if (pw && pw->pw_name[0])
        snprintf(out, 64, "%s", pw->pw_name);
    else
        snprintf(out, 64, "%lu", (unsigned long)geteuid());
}

/* Collects what journal_read visits. */
struct seen {
    int n;
    int64_t seq[64], ts[64];
    char actor[64][32], user[64][64], kind[64][32], body[64][128];
    int stop_at;
};

static int collect(const struct journal_event *ev, void *ctx)
{
    struct seen *s = ctx;
    if (s->n < 64) {
        s->seq[s->n] = ev->seq;
        s->ts[s->n] = ev->ts_ms;
        snprintf(s->actor[s->n], 32, "%s", ev->actor);
        snprintf(s->user[s->n], 64, "%s", ev->os_user);
        snprintf(s->kind[s->n], 32, "%s", ev->kind);
        snprintf(s->body[s->n], 128, "%s", ev->body);
    }
    s->n++;
    return s->stop_at && s->n == s->stop_at ? 42 : 0;
}

/* ---- open, append, read ------------------------------------------------ */

TEST(create_open_reopen)
{
    struct tmp t = tmp_make();
    struct journal *j = NULL;
    struct error err = {{0}};
    CHECK(journal_open(t.path, 0, &j, &err) == -1 && j == NULL);
    CHECK(strstr(err.msg, t.path) != NULL);
    CHECK(strstr(err.msg, "no journal there") != NULL);

    j = open_new(&t);
    if (!j) {
        CHECK(j != NULL);
        tmp_remove(&t);
        return;
    }
    CHECK(journal_last_seq(j) == 0);
    journal_close(j);

    char v[128];
    CHECK(sql_text(t.path, "PRAGMA journal_mode", v, sizeof v) == 0);
    CHECK_STR(v, "wal");
    CHECK(sql_text(t.path, "PRAGMA application_id", v, sizeof v) == 0);
    CHECK_STR(v, "1668641903");
    CHECK(sql_text(t.path, "SELECT value FROM meta WHERE key = "
                   "'format_version'", v, sizeof v) == 0);
    CHECK_STR(v, "3");
    CHECK(sql_text(t.path, "SELECT value FROM meta WHERE key = 'created_at'",
                   v, sizeof v) == 0);
    CHECK(strlen(v) == 24 && v[10] == 'T' && v[23] == 'Z');

    /* Reopen without CREATE, with CREATE again (no second schema), and
     * read-only; the data stays. */
    CHECK(journal_open(t.path, 0, &j, &err) == 0);
    CHECK(fill(j, 1, 3) == 0);
    journal_close(j);
    CHECK(journal_open(t.path, JOURNAL_CREATE, &j, &err) == 0);
    CHECK(journal_last_seq(j) == 3);
    journal_close(j);
    CHECK(journal_open(t.path, JOURNAL_READONLY, &j, &err) == 0);
    CHECK(journal_last_seq(j) == 3);
    journal_close(j);
    journal_close(NULL);
    tmp_remove(&t);
}

TEST(append_and_read_every_field)
{
    struct tmp t = tmp_make();
    struct journal *j = open_new(&t);
    struct error err = {{0}};
    struct journal_event ev = {
        .seq = 999, .os_user = "ignored", .ts_ms = 1700000000123,
        .actor = "Ana Lima/driver", .kind = "session_start",
        .body = "{\"runbook\":\"demo.md\",\"note\":\"ação ✓\"}",
    };
    int64_t seq = 0;
    CHECK(journal_append(j, &ev, &seq, &err) == 0);
    CHECK(seq == 1);
    ev.ts_ms++;
    ev.kind = "ack";
    ev.body = NULL; /* becomes {} */
    CHECK(journal_append(j, &ev, &seq, &err) == 0);
    CHECK(seq == 2);
    CHECK(journal_last_seq(j) == 2);

    struct seen s = {0};
    CHECK(journal_read(j, 0, collect, &s, &err) == 0);
    char me[64];
    my_login(me);
    CHECK(s.n == 2);
    CHECK(s.seq[0] == 1 && s.seq[1] == 2);
    CHECK(s.ts[0] == 1700000000123 && s.ts[1] == 1700000000124);
    CHECK_STR(s.actor[0], "Ana Lima/driver");
    CHECK_STR(s.user[0], me);
    CHECK_STR(s.user[1], me);
    CHECK_STR(s.kind[0], "session_start");
    CHECK_STR(s.kind[1], "ack");
    CHECK_STR(s.body[0], "{\"runbook\":\"demo.md\",\"note\":\"ação ✓\"}");
    CHECK_STR(s.body[1], "{}");
    journal_close(j);
    tmp_remove(&t);
}

TEST(append_refuses_incomplete_event_and_readonly)
{
    struct tmp t = tmp_make();
    CHECK(make_journal(&t, 2) == 0);
    struct journal *j = NULL;
    struct error err = {{0}};
    CHECK(journal_open(t.path, 0, &j, &err) == 0);
    struct journal_event evs[2] = {
        {.ts_ms = 1, .actor = "a", .kind = "k", .body = "{}"},
        {.ts_ms = 2, .actor = "a", .kind = NULL, .body = "{}"},
    };
    CHECK(journal_append_many(j, evs, 2, &err) == -1);
    CHECK(strstr(err.msg, "event 2 has no kind") != NULL);
    CHECK(journal_last_seq(j) == 2); /* nothing of the batch was written */
    CHECK(journal_append_many(j, evs, 0, &err) == 0);
    struct journal_sample sm = {.ts_ms = 1, .signal = NULL};
    CHECK(journal_append_samples(j, &sm, 1, &err) == -1);
    CHECK(strstr(err.msg, "has no signal") != NULL);
    journal_close(j);

    CHECK(journal_open(t.path, JOURNAL_READONLY, &j, &err) == 0);
    err.msg[0] = '\0';
    CHECK(journal_append(j, &evs[0], NULL, &err) == -1);
    CHECK(strstr(err.msg, "read-only") != NULL);
    CHECK(strstr(err.msg, t.path) != NULL);
    journal_close(j);
    tmp_remove(&t);
}

TEST(read_after_seq_and_stop)
{
    struct tmp t = tmp_make();
    struct journal *j = open_new(&t);
    struct error err = {{0}};
    CHECK(fill(j, 1, 10) == 0);
    struct seen s = {0};
    CHECK(journal_read(j, 7, collect, &s, &err) == 0);
    CHECK(s.n == 3 && s.seq[0] == 8 && s.seq[2] == 10);
    CHECK_STR(s.actor[0], "p8/role");
    memset(&s, 0, sizeof s);
    CHECK(journal_read(j, 10, collect, &s, &err) == 0);
    CHECK(s.n == 0);
    memset(&s, 0, sizeof s);
    s.stop_at = 4; /* the callback's non-zero return stops and comes back */
    CHECK(journal_read(j, 0, collect, &s, &err) == 42);
    CHECK(s.n == 4);
    /* The handle is usable again after a stopped walk. */
    memset(&s, 0, sizeof s);
    CHECK(journal_read(j, 5, collect, &s, &err) == 0);
    CHECK(s.n == 5 && s.seq[0] == 6);
    journal_close(j);
    tmp_remove(&t);
}

struct nested {
    struct journal *j;
    int outer, inner;
};

static int count_inner(const struct journal_event *ev, void *ctx)
{
    (void)ev;
    ((struct nested *)ctx)->inner++;
    return 0;
}

static int read_again(const struct journal_event *ev, void *ctx)
{
    struct nested *n = ctx;
    struct error err;
    n->outer++;
    return journal_read(n->j, ev->seq, count_inner, n, &err);
}

TEST(read_from_inside_a_read)
{
    struct tmp t = tmp_make();
    struct journal *j = open_new(&t);
    struct error err = {{0}};
    CHECK(fill(j, 1, 4) == 0);
    struct nested n = {.j = j};
    CHECK(journal_read(j, 0, read_again, &n, &err) == 0);
    CHECK(n.outer == 4);
    CHECK(n.inner == 3 + 2 + 1 + 0);
    journal_close(j);
    tmp_remove(&t);
}

TEST(append_many)
{
    struct tmp t = tmp_make();
    struct journal *j = open_new(&t);
    struct error err = {{0}};
    CHECK(fill(j, 1, 2) == 0);
    enum { N = 2500 };
    struct journal_event *evs = calloc(N, sizeof *evs);
    for (int i = 0; i < N; i++) {
        evs[i].ts_ms = 5000 + i;
        evs[i].actor = "engine";
        evs[i].kind = i % 2 ? "backfill_batch" : "compare_range";
        evs[i].body = "{\"rows\":10000}";
    }
    CHECK(journal_append_many(j, evs, N, &err) == 0);
    CHECK(journal_last_seq(j) == N + 2);
    struct seen s = {0};
    CHECK(journal_read(j, N, collect, &s, &err) == 0);
    CHECK(s.n == 2 && s.seq[0] == N + 1 && s.ts[1] == 5000 + N - 1);
    CHECK_STR(s.kind[1], "backfill_batch");
    free(evs);
    journal_close(j);
    EXPECT_VERIFY(t.path, "", 0, "");
    tmp_remove(&t);
}

struct sample_seen {
    int n;
    int64_t seq[16], ts[16];
    double value[16];
    int has[16];
    char signal[16][32], status[16][32];
};

static int collect_sample(const struct journal_sample *s, void *ctx)
{
    struct sample_seen *c = ctx;
    if (c->n < 16) {
        c->seq[c->n] = s->seq;
        c->ts[c->n] = s->ts_ms;
        c->value[c->n] = s->value;
        c->has[c->n] = s->has_value;
        snprintf(c->signal[c->n], 32, "%s", s->signal);
        snprintf(c->status[c->n], 32, "%s", s->status ? s->status : "(null)");
    }
    c->n++;
    return 0;
}

TEST(samples_append_and_read)
{
    struct tmp t = tmp_make();
    struct journal *j = open_new(&t);
    struct error err = {{0}};
    struct journal_sample in[] = {
        {.ts_ms = 10, .signal = "p99_ms", .value = 0.1, .has_value = 1,
         .status = "ok"},
        {.ts_ms = 11, .signal = "p99_ms", .value = 0, .has_value = 0,
         .status = "stale"},
        {.ts_ms = 12, .signal = "errors", .value = 1e300, .has_value = 1},
        {.ts_ms = 13, .signal = "errors", .value = -0.0, .has_value = 1,
         .status = "ok"},
        {.ts_ms = 14, .signal = "lag", .value = NAN, .has_value = 1,
         .status = "error: timeout"},
        {.ts_ms = 15, .signal = "lag", .value = -2.5e-300, .has_value = 1,
         .status = "ok"},
        {.ts_ms = 16, .signal = "lag", .value = INFINITY, .has_value = 1,
         .status = "ok"},
        {.ts_ms = 17, .signal = "lag", .value = 3, .has_value = 1,
         .status = ""},
    };
    enum { N = sizeof in / sizeof in[0] };
    CHECK(journal_append_samples(j, in, 3, &err) == 0);
    CHECK(journal_append_samples(j, in + 3, N - 3, &err) == 0);
    struct sample_seen c = {0};
    CHECK(journal_read_samples(j, 0, collect_sample, &c, &err) == 0);
    CHECK(c.n == N);
    CHECK(c.seq[0] == 1 && c.seq[N - 1] == N);
    CHECK(c.ts[0] == 10 && c.ts[7] == 17);
    CHECK_STR(c.signal[0], "p99_ms");
    CHECK(c.has[0] && c.value[0] == 0.1);
    CHECK_STR(c.status[0], "ok");
    CHECK(!c.has[1]); /* no data */
    CHECK_STR(c.status[1], "stale");
    CHECK(c.has[2] && c.value[2] == 1e300);
    CHECK_STR(c.status[2], "(null)");
    CHECK(c.has[3] && c.value[3] == 0.0);
    CHECK(!c.has[4]); /* NaN is recorded as no data */
    CHECK_STR(c.status[4], "error: timeout");
    CHECK(c.has[5] && c.value[5] == -2.5e-300);
    CHECK(c.has[6] && isinf(c.value[6]));
    CHECK(c.has[7] && c.value[7] == 3.0);
    CHECK_STR(c.status[7], "");

    memset(&c, 0, sizeof c);
    CHECK(journal_read_samples(j, 6, collect_sample, &c, &err) == 0);
    CHECK(c.n == 2 && c.seq[0] == 7);
    /* The events chain is separate and still empty. */
    CHECK(journal_last_seq(j) == 0);
    journal_close(j);
    EXPECT_VERIFY(t.path, "", 0, "");
    tmp_remove(&t);
}

TEST(hash_encoding_is_the_documented_one)
{
    struct tmp t = tmp_make();
    struct journal *j = open_new(&t);
    struct error err = {{0}};
    struct journal_event ev = {.ts_ms = 1700000000000, .actor = "ana/driver",
                               .kind = "ack", .body = "{\"gate\":\"g1\"}"};
    CHECK(journal_append(j, &ev, NULL, &err) == 0);
    ev.ts_ms = -5; /* negative numbers keep their sign */
    CHECK(journal_append(j, &ev, NULL, &err) == 0);
    struct journal_sample s[2] = {
        {.ts_ms = 7, .signal = "lag", .has_value = 0, .status = NULL},
        {.ts_ms = 8, .signal = "lag", .value = 0.1, .has_value = 1,
         .status = "ok"},
    };
    CHECK(journal_append_samples(j, s, 2, &err) == 0);
    journal_close(j);

    char me[64], h1[65], h2[65], stored[128];
    my_login(me);
    doc_event_hash(zeros, 1, 1700000000000, "ana/driver", me, "ack",
                   "{\"gate\":\"g1\"}", h1);
    CHECK(sql_text(t.path, "SELECT hash FROM events WHERE seq = 1", stored,
                   sizeof stored) == 0);
    CHECK_STR(stored, h1);
    CHECK(sql_text(t.path, "SELECT prev_hash FROM events WHERE seq = 1",
                   stored, sizeof stored) == 0);
    CHECK_STR(stored, zeros);
    doc_event_hash(h1, 2, -5, "ana/driver", me, "ack", "{\"gate\":\"g1\"}",
                   h2);
    CHECK(sql_text(t.path, "SELECT hash FROM events WHERE seq = 2", stored,
                   sizeof stored) == 0);
    CHECK_STR(stored, h2);

    /* Samples: NULL value and status are "~"; a value is %.17g; format 3
     * adds after_event (here 2: both events came first). */
    char buf[512];
    int n = snprintf(buf, sizeof buf, "6:sample,64:%s,1:1,1:7,3:lag,~~1:2,",
                     zeros);
    hash_sha256_hex(buf, (size_t)n, h1);
    CHECK(sql_text(t.path, "SELECT hash FROM samples WHERE seq = 1", stored,
                   sizeof stored) == 0);
    CHECK_STR(stored, h1);
    n = snprintf(buf, sizeof buf,
                 "6:sample,64:%s,1:2,1:8,3:lag,19:0.10000000000000001,2:ok,1:2,",
                 h1);
    hash_sha256_hex(buf, (size_t)n, h2);
    CHECK(sql_text(t.path, "SELECT hash FROM samples WHERE seq = 2", stored,
                   sizeof stored) == 0);
    CHECK_STR(stored, h2);

    /* A row from before format 3 (after_event NULL) hashes as it always
     * did: nothing is added for the column. */
    char h3[65], sql[512];
    n = snprintf(buf, sizeof buf, "6:sample,64:%s,1:3,1:9,3:lag,~~", h2);
    hash_sha256_hex(buf, (size_t)n, h3);
    snprintf(sql, sizeof sql, "INSERT INTO samples VALUES (3, 9, 'lag', NULL, NULL, "
             "'%s', '%s', NULL)", h2, h3);
    CHECK(tamper(t.path, sql) == 0);
    struct journal_verify_result res;
    CHECK(journal_verify(t.path, &res, &err) == 0 && res.ok);
    /* and one whose after_event was changed is caught */
    CHECK(tamper(t.path, "UPDATE samples SET after_event = 1 WHERE seq = 2") == 0);
    CHECK(journal_verify(t.path, &res, &err) == 0 && !res.ok && res.first_bad_seq == 2);
    tmp_remove(&t);
}

/* ---- several writers --------------------------------------------------- */

TEST(two_handles_alternate_one_chain)
{
    struct tmp t = tmp_make();
    struct journal *a = open_new(&t), *b = NULL;
    struct error err = {{0}};
    CHECK(journal_open(t.path, 0, &b, &err) == 0);
    for (int i = 0; i < 20; i++) {
        struct journal_event ev = {.ts_ms = i, .actor = i % 2 ? "b" : "a",
                                   .kind = "step", .body = "{}"};
        int64_t seq = 0;
        CHECK(journal_append(i % 2 ? b : a, &ev, &seq, &err) == 0);
        CHECK(seq == i + 1);
    }
    struct journal_sample sm = {.ts_ms = 1, .signal = "x", .has_value = 0};
    CHECK(journal_append_samples(a, &sm, 1, &err) == 0);
    CHECK(journal_append_samples(b, &sm, 1, &err) == 0);
    CHECK(journal_last_seq(a) == 20 && journal_last_seq(b) == 20);
    struct seen s = {0};
    CHECK(journal_read(a, 18, collect, &s, &err) == 0);
    CHECK(s.n == 2);
    CHECK_STR(s.actor[0], "a");
    CHECK_STR(s.actor[1], "b");
    /* verify works while both writers hold the file open */
    EXPECT_VERIFY(t.path, "", 0, "");
    journal_close(a);
    journal_close(b);
    struct journal_verify_result res;
    CHECK(journal_verify(t.path, &res, &err) == 0);
    CHECK(res.ok && res.n_events == 20 && res.n_samples == 2);
    tmp_remove(&t);
}

enum { PER_WRITER = 300 };

/* Appends PER_WRITER events through a handle of its own: singles and
 * small batches mixed, as a console and a script would. */
static int writer(const char *path, const char *who)
{
    struct journal *j = NULL;
    struct error err = {{0}};
    if (journal_open(path, 0, &j, &err)) {
        printf("  %s: %s\n", who, err.msg);
        return -1;
    }
    int rc = 0, done = 0;
    while (rc == 0 && done < PER_WRITER) {
        struct journal_event evs[5];
        size_t n = done % 3 == 0 ? 5 : 1;
        for (size_t i = 0; i < n; i++)
            evs[i] = (struct journal_event){.ts_ms = done + (int)i,
                                            .actor = who, .kind = "tick",
                                            .body = "{\"n\":1}"};
        rc = n == 1 ? journal_append(j, evs, NULL, &err)
                    : journal_append_many(j, evs, n, &err);
        struct journal_sample sm = {.ts_ms = done, .signal = who,
                                    .value = done, .has_value = 1};
        if (rc == 0)
            rc = journal_append_samples(j, &sm, 1, &err);
        done += (int)n;
    }
    if (rc)
        printf("  %s: %s\n", who, err.msg);
    journal_close(j);
    return rc;
}

static int count_actor(const struct journal_event *ev, void *ctx)
{
    int *n = ctx;
    if (strcmp(ev->actor, "child") == 0)
        n[0]++;
    else if (strcmp(ev->actor, "parent") == 0)
        n[1]++;
    return 0;
}

struct thread_arg {
    const char *path, *who;
    int rc;
};

static void *writer_thread(void *p)
{
    struct thread_arg *a = p;
    a->rc = writer(a->path, a->who);
    return NULL;
}

TEST(concurrent_threads_keep_one_chain)
{
    struct tmp t = tmp_make();
    journal_close(open_new(&t));
    pthread_t th[2];
    struct thread_arg args[2] = {{t.path, "child", -1},
                                 {t.path, "parent", -1}};
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, writer_thread, &args[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    CHECK(args[0].rc == 0 && args[1].rc == 0);
    struct journal_verify_result res;
    struct error err = {{0}};
    CHECK(journal_verify(t.path, &res, &err) == 0);
    CHECK(res.ok);
    CHECK(res.n_events == 2 * PER_WRITER);
    CHECK(res.n_samples > 0);
    tmp_remove(&t);
}

TEST(concurrent_processes_keep_one_chain)
{
    struct tmp t = tmp_make();
    journal_close(open_new(&t));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(writer(t.path, "child") ? 1 : 0);
    CHECK(pid > 0);
    CHECK(writer(t.path, "parent") == 0);
    int status = -1;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    struct journal_verify_result res;
    struct error err = {{0}};
    CHECK(journal_verify(t.path, &res, &err) == 0);
    CHECK(res.ok);
    CHECK(res.n_events == 2 * PER_WRITER);
    struct journal *j = NULL;
    CHECK(journal_open(t.path, JOURNAL_READONLY, &j, &err) == 0);
    int counts[2] = {0, 0};
    CHECK(journal_read(j, 0, count_actor, counts, &err) == 0);
    CHECK(counts[0] == PER_WRITER && counts[1] == PER_WRITER);
    CHECK(journal_last_seq(j) == 2 * PER_WRITER);
    journal_close(j);
    tmp_remove(&t);
}

/* Several processes start at once on a journal nobody has created yet:
 * one creates the schema, the others find it there, and all append. */
TEST(concurrent_create)
{
    struct tmp t = tmp_make();
    enum { KIDS = 4, EACH = 50 };
    pid_t pids[KIDS];
    fflush(stdout);
    for (int k = 0; k < KIDS; k++) {
        pids[k] = fork();
        if (pids[k] == 0) {
            struct journal *j = NULL;
            struct error err = {{0}};
            int rc = journal_open(t.path, JOURNAL_CREATE, &j, &err);
            if (rc)
                printf("  child %d: %s\n", k, err.msg);
            for (int i = 0; rc == 0 && i < EACH; i++) {
                struct journal_event ev = {.ts_ms = i, .actor = "kid",
                                           .kind = "tick", .body = "{}"};
                rc = journal_append(j, &ev, NULL, &err);
            }
            journal_close(j);
            fflush(stdout);
            _exit(rc ? 1 : 0);
        }
    }
    for (int k = 0; k < KIDS; k++) {
        int status = -1;
        CHECK(pids[k] > 0 && waitpid(pids[k], &status, 0) == pids[k]);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    struct journal_verify_result res;
    struct error err = {{0}};
    CHECK(journal_verify(t.path, &res, &err) == 0);
    CHECK(res.ok && res.n_events == KIDS * EACH);
    char v[64];
    CHECK(sql_text(t.path, "SELECT count(*) FROM meta", v, sizeof v) == 0);
    CHECK_STR(v, "3");
    tmp_remove(&t);
}

TEST(changed_sees_other_commits_not_its_own)
{
    struct tmp t = tmp_make();
    struct journal *a = open_new(&t), *b = NULL;
    struct error err = {{0}};
    CHECK(journal_open(t.path, 0, &b, &err) == 0);
    CHECK(journal_changed(a) == 0);
    CHECK(journal_changed(b) == 0);
    CHECK(fill(b, 1, 1) == 0);
    CHECK(journal_changed(a) == 1);
    CHECK(journal_changed(a) == 0); /* once per change */
    CHECK(journal_changed(b) == 0); /* its own commit */
    CHECK(fill(a, 2, 2) == 0);
    CHECK(journal_changed(a) == 0);
    CHECK(journal_changed(b) == 1);
    struct seen s = {0};
    CHECK(journal_read(b, 1, collect, &s, &err) == 0);
    CHECK(s.n == 2);
    /* samples count as changes too (replay redraws panels from them) */
    CHECK(fill_samples(b, 1) == 0);
    CHECK(journal_changed(a) == 1);
    /* a read-only handle notices too */
    struct journal *r = NULL;
    CHECK(journal_open(t.path, JOURNAL_READONLY, &r, &err) == 0);
    CHECK(journal_changed(r) == 0);
    CHECK(fill(a, 4, 1) == 0);
    CHECK(journal_changed(r) == 1);
    journal_close(r);
    journal_close(a);
    journal_close(b);
    tmp_remove(&t);
}

TEST(last_of_kind)
{
    struct tmp t = tmp_make();
    struct journal *j = open_new(&t);
    struct error err = {{0}};
    char *body = (char *)1;
    CHECK(journal_last_of_kind(j, "k1", &body, &err) == 0);
    CHECK(body == NULL);
    CHECK(fill(j, 1, 10) == 0); /* k1 at 1, 4, 7, 10 */
    CHECK(journal_last_of_kind(j, "k1", &body, &err) == 0);
    CHECK_STR(body, "{\"i\":10}");
    free(body);
    CHECK(journal_last_of_kind(j, "k2", &body, &err) == 0);
    CHECK_STR(body, "{\"i\":8}");
    free(body);
    CHECK(journal_last_of_kind(j, "nope", &body, &err) == 0);
    CHECK(body == NULL);
    journal_close(j);
    tmp_remove(&t);
}

/* ---- verify and tampering ---------------------------------------------- */

TEST(verify_ok_intact_and_empty)
{
    struct tmp t = tmp_make();
    journal_close(open_new(&t));
    struct journal_verify_result res;
    struct error err = {{0}};
    CHECK(journal_verify(t.path, &res, &err) == 0);
    CHECK(res.ok && res.n_events == 0 && res.n_samples == 0);
    struct journal *j = NULL;
    CHECK(journal_open(t.path, 0, &j, &err) == 0);
    CHECK(fill(j, 1, 30) == 0);
    CHECK(fill_samples(j, 12) == 0);
    /* j keeps the file open, its writes still in the WAL */
    CHECK(journal_verify(t.path, &res, &err) == 0);
    CHECK(res.ok && res.n_events == 30 && res.n_samples == 12);
    CHECK_STR(res.table, "");
    journal_close(j);
    tmp_remove(&t);
}

TEST(append_only_triggers_stop_plain_edits)
{
    struct tmp t = tmp_make();
    CHECK(make_journal(&t, 5) == 0);
    sqlite3 *db;
    CHECK(sqlite3_open(t.path, &db) == SQLITE_OK);
    char *msg = NULL;
    CHECK(sqlite3_exec(db, "UPDATE events SET body = '{}' WHERE seq = 2",
                       NULL, NULL, &msg) != SQLITE_OK);
    CHECK(msg && strstr(msg, "append-only"));
    sqlite3_free(msg);
    CHECK(sqlite3_exec(db, "DELETE FROM samples", NULL, NULL, NULL) !=
          SQLITE_OK);
    sqlite3_close(db);
    EXPECT_VERIFY(t.path, "", 0, "");
    tmp_remove(&t);
}

TEST(tamper_edit_body)
{
    struct tmp t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    CHECK(tamper(t.path, "UPDATE events SET body = '{\"i\":99}' "
                 "WHERE seq = 5") == 0);
    EXPECT_VERIFY(t.path, "events", 5, "edited");
    tmp_remove(&t);
}

TEST(tamper_edit_ts_actor_user)
{
    struct tmp t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    CHECK(tamper(t.path, "UPDATE events SET ts_ms = ts_ms + 1 "
                 "WHERE seq = 7") == 0);
    EXPECT_VERIFY(t.path, "events", 7, "edited");
    CHECK(tamper(t.path, "UPDATE events SET os_user = 'mallory' "
                 "WHERE seq = 3") == 0);
    EXPECT_VERIFY(t.path, "events", 3, "edited");
    CHECK(tamper(t.path, "UPDATE events SET actor = 'mallory' "
                 "WHERE seq = 1") == 0);
    EXPECT_VERIFY(t.path, "events", 1, "edited");
    tmp_remove(&t);
}

TEST(tamper_edit_hash_or_link)
{
    struct tmp t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    CHECK(tamper(t.path, "UPDATE events SET prev_hash = 'x' "
                 "WHERE seq = 4") == 0);
    EXPECT_VERIFY(t.path, "events", 4, "edited");
    tmp_remove(&t);
    t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    CHECK(tamper(t.path, "UPDATE events SET hash = upper(hash) "
                 "WHERE seq = 6") == 0);
    EXPECT_VERIFY(t.path, "events", 6, "edited");
    tmp_remove(&t);
}

TEST(tamper_delete_middle_row)
{
    struct tmp t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    CHECK(tamper(t.path, "DELETE FROM events WHERE seq = 5") == 0);
    EXPECT_VERIFY(t.path, "events", 5, "deleted: seq 5 is missing");
    CHECK(tamper(t.path, "DELETE FROM events WHERE seq IN (6, 7)") == 0);
    EXPECT_VERIFY(t.path, "events", 5, "deleted: seq 5..7 are missing");
    CHECK(tamper(t.path, "DELETE FROM events WHERE seq = 1") == 0);
    EXPECT_VERIFY(t.path, "events", 1, "deleted: seq 1 is missing");
    tmp_remove(&t);
}

TEST(tamper_delete_and_renumber)
{
    struct tmp t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    CHECK(tamper(t.path, "DELETE FROM events WHERE seq = 5;"
                 "UPDATE events SET seq = -seq WHERE seq > 5;"
                 "UPDATE events SET seq = -seq - 1 WHERE seq < 0;") == 0);
    EXPECT_VERIFY(t.path, "events", 5, "deleted");
    tmp_remove(&t);
}

TEST(tamper_reorder_by_swapping_seqs)
{
    struct tmp t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    CHECK(tamper(t.path, "UPDATE events SET seq = -1 WHERE seq = 3;"
                 "UPDATE events SET seq = 3 WHERE seq = 4;"
                 "UPDATE events SET seq = 4 WHERE seq = -1;") == 0);
    EXPECT_VERIFY(t.path, "events", 3,
                  "reordered: seq 3 holds the row written as seq 4");
    tmp_remove(&t);
}

TEST(tamper_reorder_by_swapping_contents)
{
    struct tmp t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    /* the hashes stay in place; only what the rows say moves */
    CHECK(tamper(t.path,
                 "CREATE TEMP TABLE c AS SELECT * FROM events "
                 "WHERE seq IN (6, 8);"
                 "UPDATE events SET (ts_ms, actor, os_user, kind, body) = "
                 "(SELECT ts_ms, actor, os_user, kind, body FROM c "
                 "WHERE c.seq = 14 - events.seq) WHERE seq IN (6, 8);") == 0);
    EXPECT_VERIFY(t.path, "events", 6,
                  "reordered: seq 6 holds the row written as seq 8");
    tmp_remove(&t);
}

TEST(tamper_insert_forged_row)
{
    struct tmp t;
    char sql[1024], h5[128];
    static const char renumber[] =
        "UPDATE events SET seq = -seq WHERE seq > 5;"
        "UPDATE events SET seq = -seq + 1 WHERE seq < 0;";

    /* a forged row with made-up hashes */
    t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    snprintf(sql, sizeof sql, "%sINSERT INTO events VALUES (6, 5500, "
             "'mallory/driver', 'root', 'ack', '{}', 'x', 'y');", renumber);
    CHECK(tamper(t.path, sql) == 0);
    EXPECT_VERIFY(t.path, "events", 6, "inserted: seq 6 is not part");
    tmp_remove(&t);

    /* one that copies the previous row's hash as its prev_hash */
    t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    snprintf(sql, sizeof sql, "%sINSERT INTO events SELECT 6, 5500, "
             "'mallory/driver', 'root', 'ack', '{}', hash, hash FROM events "
             "WHERE seq = 5;", renumber);
    CHECK(tamper(t.path, sql) == 0);
    EXPECT_VERIFY(t.path, "events", 6, "inserted: seq 6 is not part");
    tmp_remove(&t);

    /* one whose hash is computed correctly: the chain still breaks at the
     * row after it, and verify names the forged one */
    t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    CHECK(sql_text(t.path, "SELECT hash FROM events WHERE seq = 5", h5,
                   sizeof h5) == 0);
    char forged[65];
    doc_event_hash(h5, 6, 5500, "mallory/driver", "root", "ack", "{}",
                   forged);
    snprintf(sql, sizeof sql, "%sINSERT INTO events VALUES (6, 5500, "
             "'mallory/driver', 'root', 'ack', '{}', '%s', '%s');", renumber,
             h5, forged);
    CHECK(tamper(t.path, sql) == 0);
    EXPECT_VERIFY(t.path, "events", 6,
                  "inserted: seq 6 is not part of the chain (seq 7 follows "
                  "seq 5)");
    tmp_remove(&t);

    /* a row slipped in before the first */
    t = tmp_make();
    CHECK(make_journal(&t, 3) == 0);
    CHECK(tamper(t.path, "INSERT INTO events SELECT 0, ts_ms, actor, "
                 "os_user, kind, body, prev_hash, hash FROM events "
                 "WHERE seq = 1") == 0);
    EXPECT_VERIFY(t.path, "events", 0, "inserted");
    tmp_remove(&t);
}

TEST(truncated_tail_is_not_detected)
{
    /* The documented limit: a chain cannot tell that its newest rows are
     * gone (docs/journal.md, "What verify cannot see"). */
    struct tmp t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    CHECK(tamper(t.path, "DELETE FROM events WHERE seq > 8") == 0);
    EXPECT_VERIFY(t.path, "", 0, "");
    tmp_remove(&t);
}

TEST(tamper_samples)
{
    struct tmp t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    CHECK(tamper(t.path, "UPDATE samples SET value = 0.25 WHERE seq = 4") ==
          0);
    EXPECT_VERIFY(t.path, "samples", 4, "edited");
    tmp_remove(&t);

    t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    CHECK(tamper(t.path, "UPDATE samples SET value = NULL WHERE seq = 2") ==
          0);
    EXPECT_VERIFY(t.path, "samples", 2, "edited");
    CHECK(tamper(t.path, "UPDATE samples SET status = NULL WHERE seq = 1") ==
          0);
    EXPECT_VERIFY(t.path, "samples", 1, "edited");
    tmp_remove(&t);

    t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    CHECK(tamper(t.path, "UPDATE samples SET ts_ms = 1 WHERE seq = 9") == 0);
    EXPECT_VERIFY(t.path, "samples", 9, "edited");
    tmp_remove(&t);

    t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    CHECK(tamper(t.path, "DELETE FROM samples WHERE seq = 6") == 0);
    EXPECT_VERIFY(t.path, "samples", 6, "deleted: seq 6 is missing");
    tmp_remove(&t);

    t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    CHECK(tamper(t.path, "UPDATE samples SET seq = -1 WHERE seq = 7;"
                 "UPDATE samples SET seq = 7 WHERE seq = 8;"
                 "UPDATE samples SET seq = 8 WHERE seq = -1;") == 0);
    EXPECT_VERIFY(t.path, "samples", 7,
                  "reordered: seq 7 holds the row written as seq 8");
    tmp_remove(&t);

    t = tmp_make();
    CHECK(make_journal(&t, 10) == 0);
    CHECK(tamper(t.path, "UPDATE samples SET seq = -seq WHERE seq > 3;"
                 "UPDATE samples SET seq = -seq + 1 WHERE seq < 0;"
                 "INSERT INTO samples VALUES (4, 1750, 'lag', 0.0, 'ok', "
                 "'x', 'y', NULL);") == 0);
    EXPECT_VERIFY(t.path, "samples", 4, "inserted: seq 4 is not part");
    tmp_remove(&t);
}

/* ---- files that are not journals --------------------------------------- */

TEST(refuses_a_text_file)
{
    struct tmp t = tmp_make();
    FILE *f = fopen(t.path, "w");
    fputs("# runbook\nnot a database, and long enough to have a header that "
          "SQLite would have to read to decide so.\n", f);
    fclose(f);
    int flags[] = {0, JOURNAL_CREATE, JOURNAL_READONLY};
    for (size_t i = 0; i < 3; i++) {
        struct journal *j = NULL;
        struct error err = {{0}};
        CHECK(journal_open(t.path, flags[i], &j, &err) == -1 && !j);
        CHECK(strstr(err.msg, t.path) != NULL);
        CHECK(strstr(err.msg, "is not a cutover journal") != NULL);
    }
    struct journal_verify_result res;
    struct error err = {{0}};
    CHECK(journal_verify(t.path, &res, &err) == -1);
    CHECK(!res.ok);
    CHECK(strstr(err.msg, "is not a cutover journal") != NULL);
    /* and it was left as it was */
    char line[16] = "";
    f = fopen(t.path, "r");
    CHECK(f && fgets(line, sizeof line, f));
    if (f)
        fclose(f);
    CHECK_STR(line, "# runbook\n");
    tmp_remove(&t);
}

TEST(refuses_another_applications_database)
{
    struct tmp t = tmp_make();
    sqlite3 *db;
    CHECK(sqlite3_open(t.path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "CREATE TABLE notes(x)", NULL, NULL, NULL) ==
          SQLITE_OK);
    sqlite3_close(db);
    int flags[] = {0, JOURNAL_CREATE, JOURNAL_READONLY};
    for (size_t i = 0; i < 3; i++) {
        struct journal *j = NULL;
        struct error err = {{0}};
        CHECK(journal_open(t.path, flags[i], &j, &err) == -1 && !j);
        CHECK(strstr(err.msg, "is not a cutover journal") != NULL);
    }
    tmp_remove(&t);

    /* an empty database that another application has claimed */
    t = tmp_make();
    CHECK(sqlite3_open(t.path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "PRAGMA application_id = 1234", NULL, NULL,
                       NULL) == SQLITE_OK);
    sqlite3_close(db);
    struct journal *j = NULL;
    struct error err = {{0}};
    CHECK(journal_open(t.path, JOURNAL_CREATE, &j, &err) == -1);
    CHECK(strstr(err.msg, "is not a cutover journal") != NULL);
    tmp_remove(&t);

    /* an empty (0-byte) file: opening refuses, creating fills it in */
    t = tmp_make();
    fclose(fopen(t.path, "w"));
    CHECK(journal_open(t.path, 0, &j, &err) == -1);
    CHECK(strstr(err.msg, "is not a cutover journal") != NULL);
    CHECK(journal_open(t.path, JOURNAL_CREATE, &j, &err) == 0);
    journal_close(j);
    tmp_remove(&t);
}

TEST(refuses_a_newer_format)
{
    struct tmp t = tmp_make();
    CHECK(make_journal(&t, 1) == 0);
    CHECK(tamper(t.path, "UPDATE meta SET value = '4' "
                 "WHERE key = 'format_version'") == 0);
    struct journal *j = NULL;
    struct error err = {{0}};
    CHECK(journal_open(t.path, 0, &j, &err) == -1);
    CHECK(strstr(err.msg, "newer cutover") != NULL);
    CHECK(strstr(err.msg, "format 4") != NULL);
    struct journal_verify_result res;
    CHECK(journal_verify(t.path, &res, &err) == -1);
    CHECK(tamper(t.path, "DELETE FROM meta") == 0);
    CHECK(journal_open(t.path, 0, &j, &err) == -1);
    CHECK(strstr(err.msg, "not a cutover journal") != NULL);
    tmp_remove(&t);
}

TEST(missing_file_refused)
{
    struct tmp t = tmp_make();
    struct journal *j = NULL;
    struct error err = {{0}};
    CHECK(journal_open(t.path, JOURNAL_READONLY, &j, &err) == -1 && !j);
    CHECK(strstr(err.msg, t.path) && strstr(err.msg, "no journal there"));
    CHECK(journal_open(t.path, JOURNAL_READONLY | JOURNAL_CREATE, &j,
                       &err) == -1);
    struct journal_verify_result res;
    CHECK(journal_verify(t.path, &res, &err) == -1);
    CHECK(access(t.path, F_OK) != 0); /* nothing was created */
    /* a directory that does not exist, even with CREATE */
    char deep[256];
    snprintf(deep, sizeof deep, "%s/no/such/dir/j.journal", t.dir);
    CHECK(journal_open(deep, JOURNAL_CREATE, &j, &err) == -1);
    CHECK(strstr(err.msg, deep) != NULL);
    CHECK(journal_open("", JOURNAL_CREATE, &j, &err) == -1);
    tmp_remove(&t);
}

/* ---- the writer thread, the spool, the lease, anchors -------------------- */

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int count_of(const char *path, const char *sql)
{
    char v[64];
    return sql_text(path, sql, v, sizeof v) == 0 ? atoi(v) : -1;
}

/* Waits (up to 5 s) until the writer has nothing pending. */
static int drained(struct journal *j)
{
    struct journal_writer_state st;
    for (int i = 0; i < 500; i++) {
        journal_writer_poll(j);
        journal_writer_state(j, &st);
        if (!st.pending)
            return 1;
        usleep(10000);
    }
    return 0;
}

struct told {
    int events, samples;
};

static void seen_event(const struct journal_event *ev, void *p)
{
    (void)ev;
    ((struct told *)p)->events++;
}

static void seen_sample(const struct journal_sample *s, void *p)
{
    (void)s;
    ((struct told *)p)->samples++;
}

TEST(writer_queues_and_writes_in_order)
{
    struct tmp t = tmp_make();
    struct journal *j = open_new(&t);
    struct error err = {{0}};
    struct journal_writer_config cfg = {.now_ms = wall_ms};
    struct told seen = {0};
    CHECK(journal_writer_start(j, &cfg, &err) == 0);
    journal_set_local(j, seen_event, seen_sample, &seen);
    CHECK(journal_writer_fd(j) >= 0);
    CHECK(fill(j, 1, 50) == 0);
    CHECK(fill_samples(j, 20) == 0);
    CHECK(seen.events == 50 && seen.samples == 20);   /* told at once */
    CHECK(drained(j));
    CHECK(journal_writer_stop(j, 100, &err) == 0);
    CHECK(count_of(t.path, "SELECT count(*) FROM events") == 50);
    CHECK(count_of(t.path, "SELECT count(*) FROM events WHERE seq = ts_ms / 1000") == 50);
    CHECK(count_of(t.path, "SELECT count(*) FROM samples") == 20);
    struct stat sb;
    CHECK(stat(t.path, &sb) == 0);
    char spool[256];
    snprintf(spool, sizeof spool, "%s.spool", t.path);
    CHECK(access(spool, F_OK) != 0);   /* nothing left: no spool */
    journal_close(j);
    struct journal_verify_result res;
    CHECK(journal_verify(t.path, &res, &err) == 0 && res.ok);
    tmp_remove(&t);
}

TEST(writer_spools_while_locked_and_writes_after)
{
    struct tmp t = tmp_make();
    struct journal *j = open_new(&t);
    struct error err = {{0}};
    struct journal_writer_config cfg = {.now_ms = wall_ms};
    CHECK(journal_writer_start(j, &cfg, &err) == 0);
    sqlite3 *other;
    CHECK(sqlite3_open(t.path, &other) == SQLITE_OK);
    CHECK(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK);
    int64_t t0 = wall_ms();
    CHECK(fill(j, 1, 5) == 0);
    CHECK(wall_ms() - t0 < 50);   /* queueing never waits for the lock */
    struct journal_writer_state st;
    for (int i = 0; i < 300; i++) {
        journal_writer_state(j, &st);
        if (st.failing && st.spooled == 5)
            break;
        usleep(10000);
    }
    CHECK(st.failing && st.pending == 5 && st.spooled == 5);
    CHECK(strstr(st.error, "busy") != NULL);
    char why[400];
    CHECK(journal_writer_blocked(j, why, sizeof why) == 1);
    CHECK(journal_transact_async(j, NULL, NULL, NULL, &err) == -1);   /* refused at once */
    CHECK(strstr(err.msg, "cannot be written") != NULL);
    /* quit while locked: the spool keeps the five */
    CHECK(journal_writer_stop(j, 50, &err) == -1);
    CHECK(strstr(err.msg, "spool") != NULL);
    journal_close(j);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    CHECK(count_of(t.path, "SELECT count(*) FROM events") == 0);
    /* the next start writes them, with their own times, once */
    CHECK(journal_open(t.path, 0, &j, &err) == 0);
    CHECK(journal_writer_start(j, &cfg, &err) == 0);
    CHECK(fill(j, 6, 1) == 0);
    CHECK(drained(j));
    CHECK(journal_writer_stop(j, 100, &err) == 0);
    journal_close(j);
    CHECK(count_of(t.path, "SELECT count(*) FROM events") == 6);
    CHECK(count_of(t.path, "SELECT count(*) FROM events WHERE seq = ts_ms / 1000") == 6);
    struct journal_verify_result res;
    CHECK(journal_verify(t.path, &res, &err) == 0 && res.ok);
    tmp_remove(&t);
}

TEST(lease_one_holder_at_a_time)
{
    struct tmp t = tmp_make();
    struct journal *j = open_new(&t);
    struct error err = {{0}};
    struct journal_lease a = {.holder = "A/commander", .host = "h", .console = "a", .pid = 0},
                         b = {.holder = "B/commander", .host = "h", .console = "b", .pid = 0},
                         seen;
    CHECK(journal_lease_take(j, &a, 1000, 0, &seen, &err) == 0);
    CHECK(seen.holder[0] == '\0');                              /* nobody held it */
    CHECK(journal_lease_take(j, &b, 2000, 0, &seen, &err) == 1);
    CHECK_STR(seen.holder, "A/commander");
    CHECK(seen.since_ms == 1000);
    CHECK(journal_lease_renew(j, &a, 5000, &seen, &err) == 0);
    CHECK(journal_lease_take(j, &b, 9000, 0, &seen, &err) == 1);   /* renewed at 5000 */
    CHECK(journal_lease_take(j, &b, 10001, JOURNAL_LEASE_NOT_OVER_OTHERS, &seen, &err) == 2);
    CHECK_STR(seen.holder, "A/commander");                      /* not B's to take */
    CHECK(journal_lease_renew(j, &a, 10001, &seen, &err) == 0); /* … and left as it was */
    CHECK(journal_lease_take(j, &b, 15002, 0, &seen, &err) == 0);  /* expired */
    CHECK_STR(seen.holder, "A/commander");                      /* the lapsed one */
    CHECK(seen.renewed_ms == 10001);
    CHECK(journal_lease_renew(j, &a, 15003, &seen, &err) == 1); /* A lost it */
    CHECK(journal_lease_release(j, &b, &err) == 0);
    CHECK(journal_lease_take(j, &a, 15004, 0, &seen, &err) == 0);
    CHECK(seen.holder[0] == '\0');                              /* B released it */
    journal_close(j);
    tmp_remove(&t);
}

TEST(anchor_catches_deleted_samples)
{
    struct tmp t = tmp_make();
    struct journal *j = open_new(&t);
    struct error err = {{0}};
    CHECK(fill_samples(j, 10) == 0);
    CHECK(journal_append_anchor(j, 99000, "engine", &err) == 0);
    journal_close(j);
    struct journal_verify_result res;
    CHECK(journal_verify(t.path, &res, &err) == 0 && res.ok && res.n_anchors == 1);
    CHECK(tamper(t.path, "DELETE FROM samples") == 0);
    CHECK(journal_verify(t.path, &res, &err) == 0 && !res.ok);
    CHECK_STR(res.table, "samples");
    CHECK(res.first_bad_seq == 1);
    CHECK(strstr(res.reason, "deleted") != NULL);
    tmp_remove(&t);
}

TEST(a_format_1_journal_opens_and_is_migrated)
{
    struct tmp t = tmp_make();
    CHECK(make_journal(&t, 3) == 0);
    CHECK(tamper(t.path, "DROP TABLE lease; UPDATE meta SET value = '1' "
                 "WHERE key = 'format_version'") == 0);
    struct error err = {{0}};
    struct journal_verify_result res;
    CHECK(journal_verify(t.path, &res, &err) == 0);
    struct journal *j = NULL;
    CHECK(journal_open(t.path, 0, &j, &err) == 0);
    journal_close(j);
    char v[16];
    CHECK(sql_text(t.path, "SELECT value FROM meta WHERE key = 'format_version'", v,
                   sizeof v) == 0);
    CHECK_STR(v, "3");
    CHECK(count_of(t.path, "SELECT count(*) FROM lease") == 0);
    CHECK(count_of(t.path, "SELECT count(after_event) FROM samples") == 3);
    tmp_remove(&t);
}

/* The console folds what it queued at once, and does not fold it again
 * when it reads it back as written — with another console's rows between. */
TEST(ceremony_folds_queued_rows_once)
{
    static const char rbtext[] =
        "# T\n\n## Roles\n- commander: Alice Ng\n- dba: Bob Ruiz\n\n"
        "## Phase 2: P\n- [ ] dba: one\n- [ ] dba: two\n\n## Rollback\n### Phase 2\nback\n";
    struct tmp t = tmp_make();
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("t.md", rbtext, strlen(rbtext), &pr);
    CHECK(rb && pr.n_errors == 0);
    rb_problems_free(&pr);
    struct ceremony a, b;
    struct error err = {{0}};
    CHECK(ceremony_start(&a, rb, "t.md", t.path, 0, "Alice Ng", "commander", 1000, &err) == 0);
    CHECK(ceremony_join(&b, t.path, "Bob Ruiz", "dba", &err) == 0);
    CHECK(ceremony_start_writer(&a, wall_ms, &err) == 0);
    int64_t before = a.s.n_events;
    char *note = events_note_body("queued");
    CHECK(ceremony_append(&a, EV_NOTE, note, 2000, &err) == 0);
    CHECK(a.s.n_events == before + 1);          /* shown before it is written */
    char msg[320];
    CHECK(ceremony_ack(&b, "2.1", 2500, msg, sizeof msg, &err) == 0);   /* another console */
    /* a sample queued before an event: events are read back before samples */
    struct journal_sample s = {.ts_ms = 2900, .signal = "x", .value = -0.0, .has_value = 1};
    CHECK(journal_append_samples(a.journal, &s, 1, &err) == 0);
    CHECK(ceremony_append(&a, EV_NOTE, note, 3000, &err) == 0);
    free(note);
    CHECK(drained(a.journal));
    CHECK(ceremony_refresh(&a, NULL, NULL, &err) == 0);
    CHECK(a.n_pending == 0);                     /* every own row read back */
    CHECK(a.s.n_events == before + 3);           /* two notes and the ack, once each */
    CHECK(a.s.acks[0].acked);
    CHECK(a.read_seq == journal_last_seq(a.journal));
    CHECK(a.read_sample_seq == 1);
    ceremony_close(&b);
    ceremony_close(&a);
    tmp_remove(&t);
}

/* ---- one history read as of one moment --------------------------------- */

enum { RACE_TX = 4000 };

struct race {
    const char *path;
    volatile int done;
    int rc;
};

static int event_and_sample(struct journal *j, void *ctx, struct error *err)
{
    const int *n = ctx;
    struct journal_event ev = {.ts_ms = *n, .actor = "w", .kind = "tick", .body = "{}"};
    struct journal_sample sm = {.ts_ms = *n, .signal = "s", .value = *n, .has_value = 1};
    return journal_append(j, &ev, NULL, err) || journal_append_samples(j, &sm, 1, err) ? -1 : 0;
}

/* Each transaction appends an event and a sample placed after it. */
static void *race_writer(void *p)
{
    struct race *r = p;
    struct journal *j = NULL;
    struct error err = {{0}};
    r->rc = journal_open(r->path, 0, &j, &err);
    for (int n = 1; r->rc == 0 && n <= RACE_TX; n++)
        r->rc = journal_transact(j, event_and_sample, &n, &err) < 0 ? -1 : 0;
    if (r->rc)
        printf("  writer: %s\n", err.msg);
    journal_close(j);
    r->done = 1;
    return NULL;
}

struct reader {
    int64_t last_event, last_sample;
    int early;   /* samples given before the event they follow */
};

static int reader_event(const struct journal_event *ev, void *p)
{
    struct reader *r = p;
    r->last_event = ev->seq;
    return 0;
}

static int reader_sample(const struct journal_sample *sa, void *p)
{
    struct reader *r = p;
    r->last_sample = sa->seq;
    if (sa->after_event > r->last_event)
        r->early++;
    return 0;
}

/* A reader that walks the history as it grows never gets a sample before
 * the event it was appended after, even when no event is new at the
 * moment the walk starts and a commit lands during it (a console that got
 * its own sample before its own event kept it queued forever, and folded
 * it again on top of every later refold). */
TEST(history_read_as_of_one_moment_while_written)
{
    struct tmp t = tmp_make();
    journal_close(open_new(&t));
    struct journal *j = NULL;
    struct error err = {{0}};
    CHECK(journal_open(t.path, 0, &j, &err) == 0);
    struct race w = {t.path, 0, 0};
    pthread_t th;
    pthread_create(&th, NULL, race_writer, &w);
    struct reader r = {0};
    int rc = 0;
    while (rc == 0 && !w.done)
        rc = journal_read_history(j, r.last_event, r.last_sample, reader_event, reader_sample,
                                  &r, &err);
    pthread_join(th, NULL);
    CHECK(rc == 0 && w.rc == 0);
    CHECK(journal_read_history(j, r.last_event, r.last_sample, reader_event, reader_sample, &r,
                               &err) == 0);
    CHECK(r.last_event == RACE_TX && r.last_sample == RACE_TX);
    if (r.early)
        printf("  %d samples were given before their event\n", r.early);
    CHECK(r.early == 0);
    journal_close(j);
    tmp_remove(&t);
}

RUN_TESTS(T(create_open_reopen), T(append_and_read_every_field),
          T(append_refuses_incomplete_event_and_readonly),
          T(read_after_seq_and_stop), T(read_from_inside_a_read),
          T(append_many), T(samples_append_and_read),
          T(hash_encoding_is_the_documented_one),
          T(two_handles_alternate_one_chain),
          T(concurrent_threads_keep_one_chain),
          T(concurrent_processes_keep_one_chain), T(concurrent_create),
          T(changed_sees_other_commits_not_its_own), T(last_of_kind),
          T(verify_ok_intact_and_empty),
          T(append_only_triggers_stop_plain_edits), T(tamper_edit_body),
          T(tamper_edit_ts_actor_user), T(tamper_edit_hash_or_link),
          T(tamper_delete_middle_row), T(tamper_delete_and_renumber),
          T(tamper_reorder_by_swapping_seqs),
          T(tamper_reorder_by_swapping_contents), T(tamper_insert_forged_row),
          T(truncated_tail_is_not_detected), T(tamper_samples),
          T(refuses_a_text_file), T(refuses_another_applications_database),
          T(refuses_a_newer_format), T(missing_file_refused),
          T(writer_queues_and_writes_in_order), T(writer_spools_while_locked_and_writes_after),
          T(lease_one_holder_at_a_time), T(anchor_catches_deleted_samples),
          T(a_format_1_journal_opens_and_is_migrated), T(ceremony_folds_queued_rows_once),
          T(history_read_as_of_one_moment_while_written))
