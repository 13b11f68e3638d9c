/* pgcompare_internal.h — what the pieces of the comparison engine
 * (pgcompare.h) share and nobody else should see: a comparison's state,
 * each side's SQL, the values, rows and bounds it holds, and the calls
 * between pgcompare.c (the run), pgcompare_sql.c (each side's SQL),
 * pgcompare_query.c (one side's queries, both at once),
 * pgcompare_ranges.c (ranges, checksums, bisection), pgcompare_rows.c
 * (rows merged and compared) and pgcompare_value.c (the values). Values
 * travel as canon.h's struct cval, owned by whoever holds them. A bound
 * is a key or open; a range is (lo, hi]. */
#ifndef CUTOVER_PGCOMPARE_INTERNAL_H
#define CUTOVER_PGCOMPARE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pgcompare.h"

#define CHUNK 1000    /* old's rows per first-level range */
#define MAXCOL 256
#define MAXSTMT 16    /* statements prepared per side (a comparison asks a handful) */

/* PostgreSQL type oids the comparison treats apart. */
enum { OID_BOOL = 16, OID_BYTEA = 17, OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25,
       OID_JSON = 114, OID_BPCHAR = 1042, OID_VARCHAR = 1043, OID_TIMESTAMP = 1114,
       OID_TIMESTAMPTZ = 1184, OID_NUMERIC = 1700, OID_JSONB = 3802 };

struct bound {
    int set;                      /* 0: open */
    struct cval v[MAP_MAX_KEY];
};

/* One side's SQL, built once. */
struct side {
    PGconn *pg;
    sqlite3 *db;
    const char *name;             /* "old", "new" */
    char *vals;                   /* the compared values, in plan order */
    char *sums;                   /* count(*), checksum */
    char *keys;                   /* the key, for ORDER BY and comparisons */
    char *table;
    unsigned oid[MAXCOL];         /* PostgreSQL: the compared values' types (bool read as int) */
    unsigned type[MAXCOL];        /* … as the server gives them */
    char *rowh;                   /* the key, each row's hash (a store on both sides alike) */
    unsigned hoid[MAP_MAX_KEY + 1];
    char *stmt[MAXSTMT];          /* PostgreSQL: the statements prepared, by text */
    size_t n_stmt;
    unsigned koid[MAP_MAX_KEY];
};

struct pgc {
    struct datajob *j;
    const struct compare_opts *o;
    struct compare_result *r;
    struct error *err;
    struct side s[2];
    size_t n, nk;                 /* compared columns, key columns */
    const char **names;
    size_t keypos[MAP_MAX_KEY];
    struct bound *suspects;
    size_t n_suspects, cap_suspects;
    int final;
    int lite_only;                /* SQLite on both sides: rowhash's FNV checksum */
    int dense;                    /* most ranges differed: rows hashed, no sums first */
    int64_t hashed_diff;          /* rows whose hashes differed, this segment */
    struct side help;             /* PostgreSQL old: a second session, its SQL old's */
    int help_state;               /* 0: not opened yet, 1: open, -1: none this run */
    char snap[64];                /* old's snapshot of this segment, for help to share */
};

struct rows {
    size_t n, ncol;
    struct cval *v;               /* v[row * ncol + col] */
};

/* A segment's first-level ranges, cut along old's keys, CHUNK rows each:
 * range i is (v[i], v[i + 1]]; v[0] is where the segment starts (open
 * before the first key); when old ran out, the last range is open at its
 * end (`last`). */
struct cuts {
    struct bound *v;
    size_t n;
    int last;
};

static inline void put(struct cbuf *b, const char *s) { cbuf_put(b, s, strlen(s)); }

/* The values (pgcompare_value.c). A copy of v, its text or bytes its own. */
struct cval pgc_cv_dup(const struct cval *v);
/* v as the text of a PostgreSQL query's parameter (NULL for NULL): a
 * number in num, a bytea as PostgreSQL's hex text of it written into
 * bytea (the caller frees it; bytea->oom when it could not be), text as
 * it is. A bytea's raw bytes, passed as text, would stop at a NUL, read
 * "\\x…" as hex and be refused when they are no UTF-8. */
const char *pgc_param(const struct cval *v, char num[32], struct cbuf *bytea);
void pgc_rows_free(struct rows *r);
void pgc_bound_free(struct bound *b);
/* How two keys' values order: as numbers when both are, else by bytes. */
int pgc_val_cmp(const struct cval *a, const struct cval *b);
/* How two values of key column col order: a numeric key (on either side)
 * by its value exactly, whatever form each side hands it in; any other as
 * pgc_val_cmp. */
int pgc_key_cmp(const struct pgc *c, size_t col, const struct cval *a, const struct cval *b);

/* Each side's SQL (pgcompare_sql.c), built once: pgc_side_init for each
 * side, then pgc_both_pg when both are PostgreSQL. */
int pgc_side_init(struct pgc *c, int side);
int pgc_both_pg(struct pgc *c);

/* One side's queries (pgcompare_query.c). pgc_side_exec runs sql on a
 * PostgreSQL side, prepared once; pgc_side_rows reads what over a range
 * (lo, hi] or at a key eq, pgc_side_query with a first parameter $1, a
 * condition and a wrapping query too; pgc_both_query reads both sides at
 * once, old's on a thread of its own, as pgc_run_both runs fn. */
PGresult *pgc_side_exec(struct side *s, const char *what, const char *sql, int np,
                        const char *const *tp, struct error *err);
int pgc_side_rows(struct pgc *c, int side, const char *what, const unsigned *types,
                  const struct bound *lo, const struct bound *hi, const struct bound *eq,
                  int order, const char *tail, struct rows *out);
int pgc_side_query(struct pgc *c, int side, const struct cval *first, const char *what,
                   const unsigned *types, const struct bound *lo, const struct bound *hi,
                   const struct bound *eq, const char *cond, int order, const char *tail,
                   const char *wrap, struct rows *out);
void pgc_run_both(void *(*fn)(void *), void *old_arg, void *new_arg);
int pgc_both_query(struct pgc *c, const char *const *what, const unsigned *const *types,
                   const struct cval *first, const char *const *cond,
                   const struct bound *lo, const struct bound *hi, struct rows *out);
/* Opens (begin) or ends one read-only snapshot on each side; with help
 * open, old's is exported for it. */
int pgc_snapshot(struct pgc *c, int begin);
/* Old's second session (help): opened once, on the side that is idle
 * (1 open, 0 none: the run goes on without it); pgc_help_begin reads in
 * old's snapshot of the segment (0, or -1 with err), pgc_help_end ends
 * it; pgc_help_close at the run's end. */
int pgc_help_open(struct pgc *c);
int pgc_help_begin(struct pgc *c);
void pgc_help_end(struct pgc *c);
void pgc_help_close(struct pgc *c);

/* Rows (pgcompare_rows.c): one row reported (o or n NULL: missing on that
 * side), or kept as a suspect in the first pass; a differing range's rows
 * fetched and compared (pgc_fetch: by their hashes when both sides have
 * them); the suspects read again once the snapshots ended. */
int pgc_report(struct pgc *c, const struct cval *o, const struct cval *n);
int pgc_fetch_hashed(struct pgc *c, const struct bound *lo, const struct bound *hi,
                     int64_t *count_old, int64_t *count_new);
int pgc_fetch(struct pgc *c, const struct bound *lo, const struct bound *hi);
int pgc_recheck(struct pgc *c);

/* Ranges (pgcompare_ranges.c): a segment's ranges cut along old's keys,
 * then every range's checksums taken on both sides and those that differ
 * settled; old's side cuts the next segment (next) meanwhile. */
int pgc_cut(struct pgc *c, const struct bound *from, size_t ranges, struct cuts *k);
void pgc_cuts_free(struct cuts *k);
int pgc_check_all(struct pgc *c, const struct cuts *k, struct cuts *next, size_t next_ranges);

#endif
