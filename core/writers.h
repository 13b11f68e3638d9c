/* writers.h — the writer audit's verdict: the writers a runbook declares
 * (its `## Writers` section: a name, how to recognise it, whether it
 * dual-writes) set against the writers the audit sees. A writer seen that
 * no declaration covers is unknown, and an unknown writer holds the
 * ceremony. Three sources see writers: the code (core/codescan.h), the
 * query statistics (core/pgwriters.h) and a live capture
 * (core/pgcapture.h); writers_observe merges the last two in. */
#ifndef CUTOVER_WRITERS_H
#define CUTOVER_WRITERS_H

#include <stddef.h>

#include "codescan.h"
#include "runbook.h"

/* - refunds batch: app `refunds-batch` role `batch` code `batch/` model `Refund` */
struct writer_decl {
    char *name;
    char *app, *role, *statement;  /* how the database sees it; NULL when not said */
    char **code;                   /* paths (a file, or a directory ending in /) */
    size_t n_code;
    char **models;                 /* model names the code gives the table */
    size_t n_models;
    int dual_writes;               /* `dual-writes` said: it writes new too */
    int line;
};

struct writers_problem {
    int line;
    char msg[240];
};

struct writers_decls {
    int line;                      /* the section's heading; 0 when none */
    /* - dual-write began: at `2026-12-01T10:00:00Z` stamp `updated_at` */
    char *since, *since_column;    /* NULL when not said */
    int since_line;
    struct writer_decl *v;
    size_t n;
    struct writers_problem *problems;
    size_t n_problems;
};

/* Reads rb's `## Writers` section (none: no writer declared). Syntax
 * problems are collected with their lines. -1 only when out of memory. */
int writers_parse(const struct runbook *rb, struct writers_decls *d);
void writers_decls_free(struct writers_decls *d);

/* The sources that saw a writer (a bit each). */
enum {
    WSRC_STATEMENTS = 1 << 0,   /* pg_stat_statements */
    WSRC_CAPTURE = 1 << 1,      /* the live capture trigger */
    WSRC_CODE = 1 << 2,         /* a write site in the code */
    WSRC_SKIPPED = 1 << 3,      /* rows it wrote reached old and not new */
};

/* "stats+capture+skipped+code" for the sources set in sources; "-" for none. */
void writers_seen_text(unsigned sources, char *buf, size_t len);

/* One statement a database source saw writing the old table. */
struct writer_stmt {
    unsigned source;            /* WSRC_STATEMENTS or WSRC_CAPTURE */
    char *app, *role, *client;  /* NULL when the source does not know */
    char *text;
    char *via;                  /* how it reaches the table ("view v …") */
    unsigned ops;               /* PGW_* */
    long long calls, rows;      /* -1: not known */
    int nested;                 /* statistics: run inside a function or trigger
                                 * (its outer call is counted, not it) */
};

/* A writer as the audit saw it: declared (and perhaps seen), or unknown. */
struct writer_seen {
    const struct writer_decl *decl;   /* NULL: unknown */
    char name[200];                   /* the declaration's, "code: PATH" or "role: R" */
    const struct code_site **sites;   /* its writes in the code (not owned sites) */
    size_t n_sites;
    int possible_only;                /* every site is a name built from pieces */
    unsigned sources;                 /* WSRC_* */
    char app[128], role[128];         /* as seen (the first), "" when not */
    unsigned ops;                     /* PGW_* seen by the database sources */
    long long calls, rows;            /* summed over the statistics' top-level
                                       * statements, or the capture's when the
                                       * statistics did not see it */
    long long cap_calls, cap_rows;    /* the capture's alone */
    int stat_seen;                    /* top-level statistics statements added */
    struct writer_stmt *stmts;        /* owned */
    size_t n_stmts;
    long long skipped;                /* rows that reached old and not new; -1: not looked */
    char why[160];                    /* why it is unknown ("" when it is not) */
};

/* 1 when w is an unknown writer: not declared, or declared and seen doing
 * what its declaration rules out (why says what). */
int writers_is_unknown(const struct writer_seen *w);
/* What w did: "insert,update", or from the code alone "write" / "possible". */
void writers_ops_text(const struct writer_seen *w, char *buf, size_t len);
/* A code site as people read it: "go/orders.go:15", or for a name built
 * from pieces "go/orders.go:27 (possible)". */
void writers_site_text(const struct code_site *c, char *buf, size_t len);

/* How many statements a writer was seen running: its distinct statement
 * texts (the statistics' entries and the capture's, the same text once). */
size_t writers_n_statements(const struct writer_seen *w);

struct writers_audit {
    struct writer_seen *v;
    size_t n;
    size_t unknown;
};

/* Attributes every write (and possible write) site of scan to the
 * declared writer whose `code` path holds it; the rest are unknown
 * writers, one per file. Every declared writer is listed, seen or not. */
int writers_audit(const struct writers_decls *d, const struct code_scan *scan,
                  struct writers_audit *out);
void writers_audit_free(struct writers_audit *a);

/* Adds what a database source saw (copied) to the writer it belongs to:
 * the declaration whose statement text it contains, else whose app it
 * ran as, else whose role (a role that a capture saw under a declared
 * app counts as that app's); otherwise an unknown writer "role: R". -1
 * when out of memory. */
int writers_observe(struct writers_audit *a, const struct writers_decls *d,
                    const struct writer_stmt *s);

/* Adds rows that reached old and not new (the skipped source) to the
 * writer the capture saw write them (app and role; both "" when no
 * capture saw them: an unknown writer "skipped: not captured"). A
 * declared writer that dual-writes is unknown then: a path of it writes
 * old only. -1 when out of memory. */
int writers_skipped(struct writers_audit *a, const struct writers_decls *d, const char *app,
                    const char *role, long long rows, const char *first_key);

/* The judge, once every source has been added: while dual-write is in
 * force (in_force: d's `dual-write began` said, and at or before the
 * audit), a writer declared as not dual-writing (`old only`) that a dated
 * source saw writing old is unknown — its why names the source and the
 * time. dated: the sources whose sightings are known to come after the
 * time (WSRC_CAPTURE, a window now; WSRC_STATEMENTS when the statistics
 * were reset after it). Returns the writers it made unknown. */
size_t writers_judge(struct writers_audit *a, const struct writers_decls *d, int in_force,
                     unsigned dated);

#endif
