/* pgcapture.h — the writer audit's live source: for a window the
 * commander chooses, triggers on the old table record who writes it
 * (application_name, client address, session and current role, the
 * statement, the operation) into an audit table in the cockpit's own
 * schema, `cutover_audit`. Nothing in the application changes. The
 * triggers and the schema are removed afterwards, and their removal is
 * checked; a capture that crashed leaves them, so they are looked for
 * before every audit and removed on demand. */
#ifndef CUTOVER_PGCAPTURE_H
#define CUTOVER_PGCAPTURE_H

#include <stddef.h>

#include "error.h"

struct pg_conn;

#define PGCAP_SCHEMA "cutover_audit"

/* Statement-level triggers (one audit row per statement, its rows counted
 * from a transition table), or row-level (one audit row per row). */
enum pgcap_level { PGCAP_STATEMENT, PGCAP_ROW };

/* A group of captured writes: same op, app, client, roles and statement
 * (its literals replaced by ?, so values never leave the database). */
struct pgcap_row {
    char *op, *app, *client, *session_role, *current_role, *statement;
    long long writes;   /* statements (statement level) or rows (row level) */
    long long rows;     /* -1 when not counted (TRUNCATE) */
};

struct pgcap_result {
    struct pgcap_row *v;
    size_t n;
};

/* 1 when the schema is there (a capture running now, or one that crashed
 * — *running tells which, from whether the backend that installed it is
 * still connected), with a description in what; 0 when it is not; -1 with
 * err. */
int pgcap_find(struct pg_conn *pg, int *running, char *what, size_t len, struct error *err);

/* Installs the schema, the audit table, the trigger functions and the
 * triggers on table, in one transaction that waits at most 3 s for the
 * table's lock (writers queue behind a waiting CREATE TRIGGER). */
int pgcap_install(struct pg_conn *pg, const char *table, enum pgcap_level level,
                  struct error *err);

/* The same, recording with each write the keys of the rows it inserted or
 * updated (key: old's key columns, n_key of them, as the mapping pairs
 * them with new's; none: no keys), so the rows that reached old and not
 * new can be traced to their writer. */
int pgcap_install_keyed(struct pg_conn *pg, const char *table, const char *const *key,
                        size_t n_key, enum pgcap_level level, struct error *err);

/* SQL for the text of a row's key from record variable rec ("r", "NEW"):
 * a JSON array of the key's columns (quoted), `["eu", 42]`; a NULL text for
 * no key. -1 when it does not fit or cannot be quoted. */
int pgcap_key_expr(struct pg_conn *pg, const char *const *cols, size_t n_cols, const char *rec,
                   char *buf, size_t len);

/* A key the capture saw written (inserted or updated), with who wrote it
 * last. */
struct pgcap_key {
    char *key, *app, *role, *client;
};

struct pgcap_keys {
    struct pgcap_key *v;
    size_t n;
    int cut;            /* more than PGCAP_KEYS_MAX: the rest not read */
};
#define PGCAP_KEYS_MAX 100000

/* Reads the keys the capture recorded (before pgcap_remove drops them). */
int pgcap_keys(struct pg_conn *pg, struct pgcap_keys *out, struct error *err);
void pgcap_keys_free(struct pgcap_keys *k);

/* Reads the audit table, grouped. */
int pgcap_collect(struct pg_conn *pg, struct pgcap_result *out, struct error *err);
void pgcap_result_free(struct pgcap_result *r);

/* Drops every trigger whose function lives in the schema, then the
 * schema; checks that neither is left. 0 when gone. */
int pgcap_remove(struct pg_conn *pg, struct error *err);

#endif
