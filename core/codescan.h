/* codescan.h — the writer audit's code source: the places in a source tree
 * that touch the old table, by file and line, beyond what grep finds. It
 * knows the table's name and the model names a runbook lists, learns the
 * names code gives the table (ORM declarations such as `__tablename__`,
 * `TableName()`, `table_name`, `@Table(name=…)`, `db_table`; constants and
 * environment variables that hold the name) and searches for those too,
 * flags names built from pieces (`"orders_" + "legacy"`) as possible, and
 * tells writes from reads where the line shows it. Comments and
 * documentation are not writers. Pure: no database, no screen. */
#ifndef CUTOVER_CODESCAN_H
#define CUTOVER_CODESCAN_H

#include <stddef.h>

#include "error.h"

enum code_use {
    CODE_WRITE,        /* INSERT/UPDATE/DELETE/MERGE/COPY … FROM, an ORM save/create/update/delete */
    CODE_READ,         /* SELECT … FROM, an ORM query */
    CODE_DECLARES,     /* gives the table a name in code: a model, a constant, a variable */
    CODE_REFERENCE,    /* names it, the line does not say how */
    CODE_POSSIBLE,     /* a name built from pieces that may be the table */
};

struct code_site {
    char *path;        /* relative to the scanned directory */
    int line;
    enum code_use use;
    char *name;        /* the name that matched (the table, a model, a constant …) */
    char *text;        /* the line, trimmed, at most 200 bytes */
};

struct code_scan {
    struct code_site *sites;
    size_t n_sites, cap_sites;
    char **names;      /* every name searched: the given ones, then the learnt */
    size_t n_names, cap_names;
    size_t files_read, files_skipped;
};

/* Scans dir for table (e.g. "orders_legacy") and the extra names (model
 * names such as "LegacyOrder"; may be NULL). Sites come sorted by path,
 * then line. 0, or -1 with err set (dir unreadable, out of memory). */
int codescan_run(const char *dir, const char *table, const char *const *extra,
                 size_t n_extra, struct code_scan *out, struct error *err);
void codescan_free(struct code_scan *s);

/* 0 when dir is a directory this process can read; -1 with err
 * ("DIR: not a directory that can be read"). What codescan_run refuses
 * first, and what `cutover check` judges a step's code= with. */
int codescan_dir_check(const char *dir, struct error *err);

const char *codescan_use_name(enum code_use u);   /* "write", "read", … */

/* The pieces, exposed for tests. */
/* Copies line into out with the comments of a file of extension ext blanked
 * (a block comment may span lines: *in_block carries it). */
void codescan_strip(const char *ext, const char *line, char *out, size_t len, int *in_block);
/* 1 when `name` occurs in s as a whole identifier, case-insensitively. */
int codescan_has_word(const char *s, const char *name);

#endif
