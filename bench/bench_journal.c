/* bench_journal.c — what the hash chain costs on the journal's write path.
 *
 * Prints, for one run on this machine: batched appends per second through
 * journal_append_many, the same rows inserted by plain SQLite with the same
 * batching and settings and no hashing (the baseline, and the ratio), single
 * appends (one transaction each), reading every event, and verifying.
 * Goal: >= 50,000 batched appends/s with the chain.
 *
 * Then the asynchronous writer (core/journal_writer.c) as the console uses
 * it: appends queued one by one from the "loop" thread, written by the
 * writer thread in batches of up to 1,024 — appends/s against the plain
 * SQLite baseline (goal >= 0.7x); the loop's worst stall while queueing
 * 10,000 appends (goal < 5 ms); and from queueing an append to the loop
 * seeing its commit (woken through the writer's descriptor), p50/p99. */
#include <inttypes.h>
#include <poll.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/journal.h"
#include "core/journal_writer.h"

enum {
    N_BATCHED = 200000, /* events appended in batches */
    BATCH = 1000,
    N_SINGLE = 5000, /* events appended one transaction each */
    GOAL = 50000,    /* batched appends/s with the chain */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_journal: %s: %s\n", what, msg);
    exit(1);
}

/* ~100-byte JSON bodies, shaped like the engine's backfill and compare
 * events, with kinds and actors that vary as in a ceremony. */
struct rows {
    struct journal_event *ev;
    char (*body)[160];
};

static const char *const kinds[] = {"backfill_batch", "compare_range",
                                    "signal_sample", "ack", "phase_step"};
static const char *const actors[] = {"engine", "engine", "engine",
                                     "ana/driver", "rui/dba"};

static void rows_make(struct rows *r, size_t n)
{
    r->ev = calloc(n, sizeof *r->ev);
    r->body = calloc(n, sizeof *r->body);
    if (!r->ev || !r->body)
        die("setup", "out of memory");
    for (size_t i = 0; i < n; i++) {
        snprintf(r->body[i], sizeof r->body[i],
                 "{\"phase\":\"backfill\",\"batch\":%zu,\"rows\":10000,"
                 "\"cursor\":\"order_id>%zu\",\"elapsed_ms\":%zu,"
                 "\"lag_s\":0.%zu}",
                 i, 8800000 + i * 10000, 380 + i % 97, i % 10);
        r->ev[i] = (struct journal_event){
            .ts_ms = 1700000000000 + (int64_t)i * 40,
            .actor = actors[i % 5],
            .kind = kinds[i % 5],
            .body = r->body[i],
        };
    }
}

static void rows_free(struct rows *r)
{
    free(r->ev);
    free(r->body);
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Appends through the writer thread: throughput when the loop queues as
 * fast as it can, then stalls and commit latency at a steady pace. */
static void bench_writer(const char *dir, struct rows *r, double base, double chained)
{
    enum { N_PACED = 10000, PACE_US = 200 };
    char path[160];
    snprintf(path, sizeof path, "%s/writer.journal", dir);
    struct journal *j;
    struct error err = {{0}};
    struct journal_writer_config cfg = {.now_ms = wall_ms};
    if (journal_open(path, JOURNAL_CREATE, &j, &err) || journal_writer_start(j, &cfg, &err))
        die("writer", err.msg);
    struct journal_writer_state st;
    double t0 = now_s();
    for (size_t i = 0; i < N_BATCHED; i++)
        if (journal_append(j, &r->ev[i], NULL, &err))
            die("journal_append (queued)", err.msg);
    do {
        struct pollfd p = {.fd = journal_writer_fd(j), .events = POLLIN};
        poll(&p, 1, 100);
        journal_writer_poll(j);
        journal_writer_state(j, &st);
    } while (st.pending);
    double async = N_BATCHED / (now_s() - t0);
    printf("  async writer, queued singly:  %9.0f events/s  (%.2fx the plain SQLite "
           "baseline; goal >= 0.7x: %s)\n", async, async / base,
           async / base >= 0.7 ? "met" : "NOT met");
    printf("  async writer / batched chain:  %8.2f   (the writer's own cost over the same "
           "appends made in place)\n", async / chained);

    double *queued = calloc(N_PACED, sizeof *queued), *lat = calloc(N_PACED, sizeof *lat);
    if (!queued || !lat)
        die("writer", "out of memory");
    size_t base_written = (size_t)st.written, seen = 0;
    double worst = 0;
    struct pollfd p = {.fd = journal_writer_fd(j), .events = POLLIN};
    for (size_t i = 0; i < N_PACED; i++) {
        double a = now_s();
        queued[i] = a;
        if (journal_append(j, &r->ev[i], NULL, &err))
            die("journal_append (queued)", err.msg);
        if (poll(&p, 1, 0) > 0) {
            struct journal_writer_state s2;
            journal_writer_poll(j);
            journal_writer_state(j, &s2);
            double now = now_s();
            for (; seen + base_written < (size_t)s2.written; seen++)
                lat[seen] = (now - queued[seen]) * 1e3;
        }
        double took = (now_s() - a) * 1e3;
        if (took > worst)
            worst = took;
        while ((now_s() - a) * 1e6 < PACE_US)
            ;
    }
    while (seen < N_PACED) {
        poll(&p, 1, 100);
        journal_writer_poll(j);
        journal_writer_state(j, &st);
        double now = now_s();
        for (; seen + base_written < (size_t)st.written; seen++)
            lat[seen] = (now - queued[seen]) * 1e3;
    }
    qsort(lat, N_PACED, sizeof *lat, cmp_double);
    printf("  loop's worst stall, %d appends at %d/s: %.3f ms (goal < 5 ms: %s)\n", N_PACED,
           1000000 / PACE_US, worst, worst < 5 ? "met" : "NOT met");
    printf("  queued -> commit seen by the loop: p50 %.2f ms  p99 %.2f ms  max %.2f ms\n",
           lat[N_PACED / 2], lat[N_PACED * 99 / 100], lat[N_PACED - 1]);
    free(queued);
    free(lat);
    if (journal_writer_stop(j, 1000, &err))
        die("writer stop", err.msg);
    journal_close(j);
    const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/writer.journal%s", dir, suffixes[i]);
        unlink(path);
    }
}

static int64_t count_seq;
static int count_event(const struct journal_event *ev, void *ctx)
{
    (*(size_t *)ctx)++;
    count_seq = ev->seq;
    return 0;
}

/* The baseline: the same table (index on kind included), the same rows,
 * BEGIN IMMEDIATE per batch of 1,000, a prepared INSERT, WAL with
 * synchronous=NORMAL — and a constant where the chain puts hashes. */
static double baseline(const char *path, const struct rows *r, size_t n,
                       const char *user)
{
    static const char hash[] =
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    sqlite3 *db;
    sqlite3_stmt *ins = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die(path, sqlite3_errmsg(db));
    /* synchronous=NORMAL in WAL mode: a commit survives the process being
     * killed (kill -9), which is what the journal's crash recovery needs;
     * only a power cut may lose the newest commits. Same as journal.c. */
    if (sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "CREATE TABLE events(seq INTEGER PRIMARY KEY, ts_ms "
                     "INTEGER NOT NULL, actor TEXT NOT NULL, os_user TEXT NOT "
                     "NULL, kind TEXT NOT NULL, body TEXT NOT NULL, prev_hash "
                     "TEXT NOT NULL, hash TEXT NOT NULL);"
                     "CREATE INDEX events_kind ON events(kind);",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO events VALUES (?,?,?,?,?,?,?,?)",
                           -1, &ins, NULL) != SQLITE_OK)
        die(path, sqlite3_errmsg(db));
    double t0 = now_s();
    int64_t seq = 0;
    for (size_t b = 0; b < n; b += BATCH) {
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            die(path, sqlite3_errmsg(db));
        for (size_t i = b; i < b + BATCH && i < n; i++) {
            const struct journal_event *ev = &r->ev[i];
            sqlite3_bind_int64(ins, 1, ++seq);
            sqlite3_bind_int64(ins, 2, ev->ts_ms);
            sqlite3_bind_text(ins, 3, ev->actor, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 4, user, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 5, ev->kind, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 6, ev->body, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 7, hash, 64, SQLITE_STATIC);
            sqlite3_bind_text(ins, 8, hash, 64, SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE)
                die(path, sqlite3_errmsg(db));
            sqlite3_reset(ins);
        }
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            die(path, sqlite3_errmsg(db));
    }
    double dt = now_s() - t0;
    sqlite3_finalize(ins);
    sqlite3_close(db);
    return (double)n / dt;
}

int main(void)
{
    char dir[] = "/tmp/cutover-bench-journal.XXXXXX";
    if (!mkdtemp(dir))
        die("mkdtemp", "cannot make a temporary directory");
    char jpath[128], bpath[128], user[64];
    snprintf(jpath, sizeof jpath, "%s/bench.journal", dir);
    snprintf(bpath, sizeof bpath, "%s/baseline.db", dir);
    const struct passwd *pw = getpwuid(geteuid());
    snprintf(user, sizeof user, "%s", pw ? pw->pw_name : "0");

    struct rows r;
    rows_make(&r, N_BATCHED + N_SINGLE);
    struct journal *j;
    struct error err = {{0}};
    if (journal_open(jpath, JOURNAL_CREATE, &j, &err))
        die("journal_open", err.msg);

    printf("journal bench: %d events of ~%zu-byte JSON bodies, batches of "
           "%d, WAL, synchronous=NORMAL\n",
           N_BATCHED, strlen(r.body[N_BATCHED / 2]), BATCH);

    double base = baseline(bpath, &r, N_BATCHED, user);

    double t0 = now_s();
    for (size_t b = 0; b < N_BATCHED; b += BATCH)
        if (journal_append_many(j, r.ev + b, BATCH, &err))
            die("journal_append_many", err.msg);
    double chained = N_BATCHED / (now_s() - t0);
    printf("  batched appends, hash chain:  %9.0f events/s  (goal >= %d: "
           "%s)\n", chained, GOAL, chained >= GOAL ? "met" : "NOT met");
    printf("  batched inserts, plain SQLite:%9.0f events/s  (baseline, no "
           "hashing)\n", base);
    printf("  chain / baseline:             %9.2f\n", chained / base);

    t0 = now_s();
    for (size_t i = N_BATCHED; i < N_BATCHED + N_SINGLE; i++)
        if (journal_append(j, &r.ev[i], NULL, &err))
            die("journal_append", err.msg);
    double single = N_SINGLE / (now_s() - t0);
    printf("  single appends (1 tx each):   %9.0f events/s  (%d events, "
           "%.0f us each)\n", single, N_SINGLE, 1e6 / single);

    size_t seen = 0;
    t0 = now_s();
    if (journal_read(j, 0, count_event, &seen, &err))
        die("journal_read", err.msg);
    double read = (double)seen / (now_s() - t0);
    printf("  journal_read of all events:   %9.0f events/s  (%zu events, "
           "last seq %" PRId64 ")\n", read, seen, count_seq);
    journal_close(j);

    struct journal_verify_result res;
    t0 = now_s();
    if (journal_verify(jpath, &res, &err))
        die("journal_verify", err.msg);
    double verify = (double)res.n_events / (now_s() - t0);
    printf("  journal_verify:               %9.0f events/s  (%s, %" PRId64
           " events)\n", verify, res.ok ? "chain intact" : res.reason,
           res.n_events);

    bench_writer(dir, &r, base, chained);

    rows_free(&r);
    const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", jpath, suffixes[i]);
        unlink(p);
        snprintf(p, sizeof p, "%s%s", bpath, suffixes[i]);
        unlink(p);
    }
    rmdir(dir);
    return res.ok && seen == N_BATCHED + N_SINGLE ? 0 : 1;
}
