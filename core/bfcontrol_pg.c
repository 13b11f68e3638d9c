/* bfcontrol_pg.c — the backfill's control row in a PostgreSQL new
 * (bfcontrol.h): the table cutover_backfill_control beside the
 * checkpoint, each statement in autocommit between batches and beats.
 * Who holds the job is decided by a session advisory lock on
 * hashtext('cutover ' || job), not by the row: a holder killed with -9
 * lets go of it as its connection closes, so no heartbeat has to go stale
 * first. */
#include "bfcontrol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdata.h"

static const char *const create_sql =
    "CREATE TABLE IF NOT EXISTS cutover_backfill_control (job text PRIMARY KEY, "
    "pid bigint NOT NULL DEFAULT 0, heartbeat_ms bigint NOT NULL DEFAULT 0, "
    "rate double precision NOT NULL DEFAULT 0, paused integer NOT NULL DEFAULT 0, "
    "rate_set integer NOT NULL DEFAULT 0)";
/* a table made before rate_set was */
static const char *const migrate_sql =
    "ALTER TABLE cutover_backfill_control ADD COLUMN IF NOT EXISTS "
    "rate_set integer NOT NULL DEFAULT 0";

/* Runs sql ($1 the job, then the numbers as text); a returned row (pid,
 * heartbeat_ms, rate, paused, rate_set) goes to out. The table exists: read and claim, which come first, create it. */
static int run(PGconn *pg, const char *sql, const char *job, int n, const double *v,
               struct bfcontrol *out, struct error *err)
{
    char num[4][32];
    const char *prm[5] = {job};
    for (int i = 0; i < n && i < 4; i++) {
        snprintf(num[i], sizeof num[i], "%.17g", v[i]);
        prm[i + 1] = num[i];
    }
    PGresult *r = pgdata_query(pg, "backfill control, in new's store", sql, n + 1, prm, err);
    if (!r)
        return -1;
    if (out && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        *out = (struct bfcontrol){strtol(PQgetvalue(r, 0, 0), NULL, 10),
                                  strtoll(PQgetvalue(r, 0, 1), NULL, 10),
                                  strtod(PQgetvalue(r, 0, 2), NULL),
                                  atoi(PQgetvalue(r, 0, 3)), atoi(PQgetvalue(r, 0, 4))};
    PQclear(r);
    return 0;
}

int bfcontrol_pg_read(PGconn *pg, const char *job, struct bfcontrol *out, struct error *err)
{
    *out = (struct bfcontrol){0};
    if (pgdata_exec(pg, "backfill control, in new's store", create_sql, err) != 0 ||
        pgdata_exec(pg, "backfill control, in new's store", migrate_sql, err) != 0)
        return -1;
    return run(pg, "SELECT pid, heartbeat_ms, rate, paused, rate_set FROM cutover_backfill_control "
                   "WHERE job = $1", job, 0, NULL, out, err);
}

int bfcontrol_pg_claim(PGconn *pg, const char *job, long pid, int64_t now_ms, double rate,
                       enum bfcontrol_rate how, struct bfcontrol *held, struct error *err)
{
    int got = pgdata_try_lock(pg, "backfill control, in new's store", job, err);
    if (got < 0)
        return -1;
    if (!got)
        return bfcontrol_pg_read(pg, job, held, err) == 0 ? 1 : -1;
    if (pgdata_exec(pg, "backfill control, in new's store", create_sql, err) != 0 ||
        pgdata_exec(pg, "backfill control, in new's store", migrate_sql, err) != 0)
        return -1;
    /* the pause stays as the last control left it; the rate as how says */
    double v[4] = {(double)pid, (double)now_ms, rate, (double)how};
    *held = (struct bfcontrol){0};
    return run(pg, "INSERT INTO cutover_backfill_control AS c (job, pid, heartbeat_ms, rate, "
                   "paused, rate_set) VALUES ($1, $2::float8::bigint, $3::float8::bigint, "
                   "$4::float8, 0, ($5::float8 = 1)::int) "
                   "ON CONFLICT (job) DO UPDATE SET pid = excluded.pid, "
                   "heartbeat_ms = excluded.heartbeat_ms, "
                   "rate = CASE WHEN $5::float8 = 1 OR ($5::float8 = 0 AND c.rate_set = 0) "
                   "THEN excluded.rate ELSE c.rate END, "
                   "rate_set = CASE WHEN $5::float8 = 1 THEN 1 ELSE c.rate_set END "
                   "RETURNING pid, heartbeat_ms, rate, paused, rate_set",
               job, 4, v, held, err);
}

int bfcontrol_pg_beat(PGconn *pg, const char *job, long pid, int64_t now_ms,
                      struct bfcontrol *now, struct error *err)
{
    double v[2] = {(double)pid, (double)now_ms};
    *now = (struct bfcontrol){0};
    if (run(pg, "UPDATE cutover_backfill_control SET heartbeat_ms = $3::float8::bigint "
                "WHERE job = $1 AND pid = $2::float8::bigint "
                "RETURNING pid, heartbeat_ms, rate, paused, rate_set", job, 2, v, now, err) != 0)
        return -1;
    return now->pid == pid ? 0 : 1;   /* no row of ours: the claim is gone */
}

int bfcontrol_pg_set(PGconn *pg, const char *job, double rate, int paused, struct error *err)
{
    double v[2] = {rate, (double)paused};
    return run(pg, "UPDATE cutover_backfill_control SET "
                   "rate = CASE WHEN $2::float8 >= 0 THEN $2::float8 ELSE rate END, "
                   "rate_set = CASE WHEN $2::float8 >= 0 THEN 1 ELSE rate_set END, "
                   "paused = CASE WHEN $3::float8 >= 0 THEN $3::float8::int ELSE paused END "
                   "WHERE job = $1", job, 2, v, NULL, err);
}

int bfcontrol_pg_release(PGconn *pg, const char *job, long pid, struct error *err)
{
    double v[1] = {(double)pid};
    int rc = run(pg, "UPDATE cutover_backfill_control SET pid = 0 WHERE job = $1 "
                     "AND pid = $2::float8::bigint", job, 1, v, NULL, err);
    const char *prm[1] = {job};
    PGresult *u = pgdata_query(pg, "backfill control, in new's store", "SELECT pg_advisory_unlock("
                               "hashtext('cutover ' || $1))", 1, prm, rc == 0 ? err : NULL);
    PQclear(u);
    return u ? rc : -1;
}
