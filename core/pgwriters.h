/* pgwriters.h — the writer audit's statistics source: which statements
 * recorded by pg_stat_statements write the old table, found by resolving
 * the catalog (the table, the views that write it, the functions whose
 * bodies write it, the triggers and rules on other relations that do)
 * rather than by searching the text for the table's name. Each statement
 * comes with its role, calls and rows, and the path by which it reaches
 * the table. The parser of statements is pure and exposed for tests. */
#ifndef CUTOVER_PGWRITERS_H
#define CUTOVER_PGWRITERS_H

#include <stddef.h>

#include "error.h"

/* What a statement does to the old table. */
enum {
    PGW_INSERT = 1 << 0,
    PGW_UPDATE = 1 << 1,
    PGW_DELETE = 1 << 2,
    PGW_MERGE = 1 << 3,
    PGW_COPY = 1 << 4,
    PGW_UPSERT = 1 << 5,     /* INSERT … ON CONFLICT … DO UPDATE */
    PGW_TRUNCATE = 1 << 6,
};
#define PGW_N_OPS 7
/* "insert", "update", …: the name of op bit i (0 ≤ i < PGW_N_OPS). */
const char *pgw_op_name(int i);
/* "insert,update" into buf; "-" when ops is 0. */
void pgw_ops_text(unsigned ops, char *buf, size_t len);

/* A name through which the old table is written. */
enum pgw_kind {
    PGW_TABLE,         /* the old table itself */
    PGW_VIEW_AUTO,     /* an automatically updatable view over it */
    PGW_VIEW_INSTEAD,  /* a view whose INSTEAD OF trigger writes it */
    PGW_RULE,          /* a relation whose rule (DO ALSO/INSTEAD) writes it */
    PGW_TRIGGER,       /* another table whose trigger writes it */
    PGW_FUNCTION,      /* a function (or procedure) whose body writes it */
};

struct pgw_name {
    enum pgw_kind kind;
    char *schema, *name;
    unsigned ops;      /* what writing (or calling) it does to the old table;
                        * for the table and auto-updatable views, the verb's own */
    unsigned events;   /* a trigger's or rule's: the verbs that fire it (0: any) */
    int secdef;        /* a function that is SECURITY DEFINER */
    char *owner;       /* a function's owner (nested statements run as it when secdef) */
    char *detail;      /* e.g. "trigger t_pay on payments → log_payment()" */
};

struct pgw_names {
    struct pgw_name *v;
    size_t n;
};

/* Parses one SQL text (a statement, or a function's body) and returns the
 * ops it does to the old table through names (0: it does not write it).
 * *via (may be NULL) gets the index in names of the first name used, or
 * -1. Words inside string literals count only when in_strings is set
 * (a function body's EXECUTE 'INSERT INTO …'); comments never count. */
unsigned pgw_writes(const char *sql, const struct pgw_names *names, int in_strings, int *via);

/* One pg_stat_statements entry that writes the old table. */
struct pgw_stmt {
    char *role;        /* userid → rolname */
    char *query;
    long long calls, rows;
    unsigned ops;
    int toplevel;      /* 0: run inside a function or trigger */
    int via;           /* index in names */
    int secdef_nested; /* nested, and run as the owner of a SECURITY DEFINER
                        * function that writes the table: not a writer of its own */
};

struct pgw_stats {
    int available;          /* the view could be read */
    char note[400];         /* why not, when not (missing, not preloaded, no right) */
    char track[16];         /* pg_stat_statements.track: top, all, none */
    char track_utility[8];  /* on/off: COPY is recorded only when on */
    char table[200];        /* schema.name as resolved */
    struct pgw_names names;
    struct pgw_stmt *v;
    size_t n;
    size_t entries;         /* entries read for this database */
    char reset[40];         /* when they were last reset (UTC), "" not known */
};

struct pg_conn;

struct pg_result;
/* Sets err to "what: " and the first line of r's error, clears r; -1. */
int pgw_fail(struct pg_result *r, const char *what, struct error *err);

/* A libpq connection with short connect and keepalive timeouts, or NULL
 * with err (the message never repeats conn: it may hold a password). */
struct pg_conn *pgw_connect(const char *conn, struct error *err);

/* Connects to conn (a libpq connection string, already ${ENV}-expanded;
 * never repeated in errors), resolves table and reads the statistics.
 * -1 with err when the database or the table cannot be reached; a missing
 * or unpreloaded extension is not an error (stats->available = 0, note). */
int pgw_statements(const char *conn, const char *table, struct pgw_stats *out,
                   struct error *err);
void pgw_stats_free(struct pgw_stats *s);

/* The runbook's `dual-write began` time (since) read by the old database:
 * *in_force when it is at or before the database's now(); *stats_after
 * when the statistics' reset (s->reset; "" or NULL: not known) is at or
 * after it, so that every statement they count ran since. -1 with err
 * when since is not a time. */
int pgw_since(struct pg_conn *pg, const char *since, const char *reset, int *in_force,
              int *stats_after, struct error *err);

/* The lines to show under the table on what the statistics cannot see,
 * for the track setting in s (NULL-terminated, static). */
const char *const *pgw_limits(const struct pgw_stats *s);

#endif
