/* bfcontrol.c — the backfill's control row (bfcontrol.h) in an SQLite
 * new: one small statement each, in autocommit, so a script's change is
 * seen by the running job at its next beat; a PostgreSQL new is handed
 * to bfcontrol_pg.c. */
#include "bfcontrol.h"

#include <stddef.h>

#include "proclive.h"

/* The table, and its rate_set column in one made before there was one. */
static int ensure(sqlite3 *db)
{
    static const char *const create =
        "CREATE TABLE IF NOT EXISTS main.cutover_backfill_control (job TEXT PRIMARY KEY, "
        "pid INTEGER NOT NULL DEFAULT 0, heartbeat_ms INTEGER NOT NULL DEFAULT 0, "
        "rate REAL NOT NULL DEFAULT 0, paused INTEGER NOT NULL DEFAULT 0, "
        "rate_set INTEGER NOT NULL DEFAULT 0)";
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_exec(db, create, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return rc;
    if (sqlite3_prepare_v2(db, "SELECT rate_set FROM main.cutover_backfill_control", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_finalize(st);
        return SQLITE_OK;
    }
    return sqlite3_exec(db, "ALTER TABLE main.cutover_backfill_control ADD COLUMN "
                            "rate_set INTEGER NOT NULL DEFAULT 0", NULL, NULL, NULL);
}

/* Runs sql (?1 the job, then the numbers); a returned row (pid,
 * heartbeat_ms, rate, paused, rate_set) goes to out. */
static int run(sqlite3 *db, const char *sql, const char *job, int n, const double *v,
               struct bfcontrol *out, struct error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = ensure(db);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, job, -1, SQLITE_STATIC);
        for (int i = 0; i < n; i++)
            sqlite3_bind_double(st, i + 2, v[i]);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            if (out)
                *out = (struct bfcontrol){(long)sqlite3_column_int64(st, 0),
                                          sqlite3_column_int64(st, 1),
                                          sqlite3_column_double(st, 2), sqlite3_column_int(st, 3),
                                          sqlite3_column_int(st, 4)};
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        error_set(err, "backfill control, in new's store: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

static int lite_read(sqlite3 *db, const char *job, struct bfcontrol *out, struct error *err)
{
    *out = (struct bfcontrol){0};
    return run(db, "SELECT pid, heartbeat_ms, rate, paused, rate_set "
                   "FROM main.cutover_backfill_control "
                   "WHERE job = ?1", job, 0, NULL, out, err);
}

static int lite_claim(sqlite3 *db, const char *job, long pid, int64_t now_ms, double rate,
                      enum bfcontrol_rate how, int force, struct bfcontrol *held,
                      struct error *err)
{
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        error_set(err, "backfill control, in new's store: %s", sqlite3_errmsg(db));
        return -1;
    }
    int rc = lite_read(db, job, held, err);
    /* a heartbeat past its lapse is a holder gone, unless its process
     * still runs: busy in one long statement, it could not beat */
    if (rc == 0 && !force && held->pid && held->pid != pid &&
        (now_ms - held->heartbeat_ms < BFCONTROL_STALE_MS ||
         proclive_running_since(held->pid, held->heartbeat_ms))) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return 1;
    }
    /* the pause stays as the last control left it; the rate as how says */
    double v[4] = {(double)pid, (double)now_ms, rate, (double)how};
    if (rc == 0)
        rc = run(db, "INSERT INTO main.cutover_backfill_control (job, pid, heartbeat_ms, rate, "
                     "paused, rate_set) VALUES (?1, ?2, ?3, ?4, 0, ?5 = 1) "
                     "ON CONFLICT (job) DO UPDATE SET pid = ?2, heartbeat_ms = ?3, "
                     "rate = CASE WHEN ?5 = 1 OR (?5 = 0 AND NOT rate_set) THEN ?4 ELSE rate END, "
                     "rate_set = CASE WHEN ?5 = 1 THEN 1 ELSE rate_set END "
                     "RETURNING pid, heartbeat_ms, rate, paused, rate_set", job, 4, v, held, err);
    if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        error_set(err, "backfill control, in new's store: %s", sqlite3_errmsg(db));
        rc = -1;
    }
    if (rc != 0)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int lite_beat(sqlite3 *db, const char *job, long pid, int64_t now_ms,
                   struct bfcontrol *now, struct error *err)
{
    double v[2] = {(double)pid, (double)now_ms};
    *now = (struct bfcontrol){0};
    if (run(db, "UPDATE main.cutover_backfill_control SET heartbeat_ms = ?3 WHERE job = ?1 "
                "AND pid = ?2 RETURNING pid, heartbeat_ms, rate, paused, rate_set", job, 2, v,
            now, err) != 0)
        return -1;
    return now->pid == pid ? 0 : 1;   /* no row of ours: the claim is gone */
}

static int lite_set(sqlite3 *db, const char *job, double rate, int paused, struct error *err)
{
    double v[2] = {rate, (double)paused};
    return run(db, "UPDATE main.cutover_backfill_control SET "
                   "rate = CASE WHEN ?2 >= 0 THEN ?2 ELSE rate END, "
                   "rate_set = CASE WHEN ?2 >= 0 THEN 1 ELSE rate_set END, "
                   "paused = CASE WHEN ?3 >= 0 THEN ?3 ELSE paused END WHERE job = ?1",
               job, 2, v, NULL, err);
}

static int lite_release(sqlite3 *db, const char *job, long pid, struct error *err)
{
    double v[1] = {(double)pid};
    return run(db, "UPDATE main.cutover_backfill_control SET pid = 0 WHERE job = ?1 AND pid = ?2",
               job, 1, v, NULL, err);
}

int bfcontrol_read(const struct bfcontrol_store *s, const char *job, struct bfcontrol *out,
                   struct error *err)
{
    return s->pg ? bfcontrol_pg_read(s->pg, job, out, err) : lite_read(s->lite, job, out, err);
}

int bfcontrol_claim(const struct bfcontrol_store *s, const char *job, long pid, int64_t now_ms,
                    double rate, enum bfcontrol_rate how, int force, struct bfcontrol *held,
                    struct error *err)
{
    if (s->pg)
        return bfcontrol_pg_claim(s->pg, job, pid, now_ms, rate, how, held, err);
    return lite_claim(s->lite, job, pid, now_ms, rate, how, force, held, err);
}

int bfcontrol_beat(const struct bfcontrol_store *s, const char *job, long pid, int64_t now_ms,
                   struct bfcontrol *now, struct error *err)
{
    if (s->pg)
        return bfcontrol_pg_beat(s->pg, job, pid, now_ms, now, err);
    return lite_beat(s->lite, job, pid, now_ms, now, err);
}

int bfcontrol_set(const struct bfcontrol_store *s, const char *job, double rate, int paused,
                  struct error *err)
{
    if (s->pg)
        return bfcontrol_pg_set(s->pg, job, rate, paused, err);
    return lite_set(s->lite, job, rate, paused, err);
}

int bfcontrol_release(const struct bfcontrol_store *s, const char *job, long pid,
                      struct error *err)
{
    if (s->pg)
        return bfcontrol_pg_release(s->pg, job, pid, err);
    return lite_release(s->lite, job, pid, err);
}
