/* bfcontrol.h — a running backfill's control row, kept in new's database
 * beside its checkpoint: who runs the job (pid and heartbeat), and the
 * rate and pause a script may change while it runs (`cutover backfill
 * RUNBOOK --rate N | --pause | --resume`). The running job reads it each
 * batch and, while it waits (pacing or paused), at least every
 * BFCONTROL_BEAT_MS. Table cutover_backfill_control(job, pid,
 * heartbeat_ms, rate, paused, rate_set), in an SQLite new (bfcontrol.c)
 * or a PostgreSQL new (bfcontrol_pg.c); one interface, the store decides. In PostgreSQL the
 * job is held by a session advisory lock, which the server lets go of
 * when the holder's connection closes (kill -9 included); in SQLite by
 * the row's pid and heartbeat. */
#ifndef CUTOVER_BFCONTROL_H
#define CUTOVER_BFCONTROL_H

#include <stdint.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "error.h"

/* A holder whose heartbeat is older than this is gone. */
#define BFCONTROL_STALE_MS 5000
/* The holder beats at least this often, waiting included. */
#define BFCONTROL_BEAT_MS 250

/* How a start's rate meets the row's. The pause is never a start's: a
 * copy started again (by a console, after a kill -9, by hand) keeps the
 * pause the last control left, until --resume. */
enum bfcontrol_rate {
    BFRATE_DEFAULT, /* the step's {rate=N}, or none: used unless a person set the row's */
    BFRATE_OWN,     /* a person's --rate on the command line: replaces the row's, kept */
    BFRATE_KEEP     /* a change asked of a running copy: the row's rate stays as it is */
};

struct bfcontrol {
    long pid;          /* the holder; 0 when nobody runs the job */
    int64_t heartbeat_ms;
    double rate;       /* rows/s; 0 none */
    int paused;
    int rate_set;      /* the rate is a person's (a control, or --rate by hand) */
};

/* new's database: exactly one of the two is set. */
struct bfcontrol_store {
    sqlite3 *lite;
    PGconn *pg;
};

/* Reads the job's row (zeros when there is none). */
int bfcontrol_read(const struct bfcontrol_store *s, const char *job, struct bfcontrol *out,
                   struct error *err);

/* Takes the job for pid at now_ms with the given rate (as how says): 0
 * taken, *held the row now in force (the rate and pause to run with); 1
 * held by another live holder (in *held), unless force (SQLite only: in
 * PostgreSQL the lock alone decides); -1 error. */
int bfcontrol_claim(const struct bfcontrol_store *s, const char *job, long pid, int64_t now_ms,
                    double rate, enum bfcontrol_rate how, int force, struct bfcontrol *held,
                    struct error *err);

/* The holder's heartbeat; reads back the rate and pause now in force: 0;
 * 1 when the row is no longer pid's (the claim was let go or taken over:
 * the holder must stop, *now says nothing); -1 error. */
int bfcontrol_beat(const struct bfcontrol_store *s, const char *job, long pid, int64_t now_ms,
                   struct bfcontrol *now, struct error *err);

/* A script's change: rate >= 0 sets it (a person's, kept by later
 * starts), paused >= 0 sets it. */
int bfcontrol_set(const struct bfcontrol_store *s, const char *job, double rate, int paused,
                  struct error *err);

/* The holder lets go (pid 0; in PostgreSQL the lock too). */
int bfcontrol_release(const struct bfcontrol_store *s, const char *job, long pid,
                      struct error *err);

/* The PostgreSQL backend (bfcontrol_pg.c), called through the above. */
int bfcontrol_pg_read(PGconn *pg, const char *job, struct bfcontrol *out, struct error *err);
int bfcontrol_pg_claim(PGconn *pg, const char *job, long pid, int64_t now_ms, double rate,
                       enum bfcontrol_rate how, struct bfcontrol *held, struct error *err);
int bfcontrol_pg_beat(PGconn *pg, const char *job, long pid, int64_t now_ms,
                      struct bfcontrol *now, struct error *err);
int bfcontrol_pg_set(PGconn *pg, const char *job, double rate, int paused, struct error *err);
int bfcontrol_pg_release(PGconn *pg, const char *job, long pid, struct error *err);

#endif
