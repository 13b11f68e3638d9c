/* mapping.h — how a row of old becomes a row of new: the runbook's
 * `## Mapping` section (runbooks/README.md), read, then resolved against
 * both tables' columns into a plan that backfill and compare share.
 * With no section, columns are matched by name. */
#ifndef CUTOVER_MAPPING_H
#define CUTOVER_MAPPING_H

#include <stddef.h>

#include "canon.h"
#include "runbook.h"

#define MAP_MAX_KEY 8

enum map_kind { MAP_FROM, MAP_DEFAULT };

/* - `total` from `amount_cents / 100.0`   - `currency` default `'EUR'` */
struct map_item {
    char *column; /* in new */
    char *expr;   /* SQL over old's row (from), or a value (default) */
    enum map_kind kind;
    int line;
};

struct map_problem {
    int line;
    char msg[240];
};

struct mapping {
    int line;                 /* the section's heading; 0 when there is none */
    char *key[MAP_MAX_KEY];   /* new's key columns, `key` item */
    size_t n_key;
    int key_line;
    char *version;            /* new's version column, `version` item */
    int version_line;
    struct map_item *items;   size_t n_items;
    char **exclude;           size_t n_exclude;
    int *exclude_line;
    struct map_problem *problems; size_t n_problems;
};

/* Reads rb's `## Mapping` section (if any) into m. Syntax problems are
 * collected in m->problems with their lines. -1 only when out of memory. */
int mapping_parse(const struct runbook *rb, struct mapping *m);
void mapping_free(struct mapping *m);

/* One column of new, and where its value comes from on old. */
struct map_col {
    char *name;     /* new's column */
    char *old_sql;  /* SQL over old's row giving it (a quoted column or an expression) */
    char *old_name; /* old's column when the value is a plain (renamed) column, else NULL */
    int compared;   /* 0 for a default: new may hold what the application put there */
};

struct map_plan {
    struct map_col *cols; size_t n_cols;   /* every column backfill writes */
    size_t key[MAP_MAX_KEY]; size_t n_key; /* indexes into cols */
    long version;                          /* index into cols, -1 when none */
};

/* Resolves m against the column lists of old and new (pk: new's primary
 * key, used when neither the mapping nor the system names one; key_attr:
 * the new system's `key` attribute, comma-separated, or NULL). Problems
 * (an unknown column, a key that is an expression…) go to m->problems
 * with the line of the item at fault. 0 ok, -1 with problems. */
int mapping_plan(struct mapping *m, char *const *old_cols, size_t n_old,
                 char *const *new_cols, size_t n_new, char *const *pk, size_t n_pk,
                 const char *key_attr, struct map_plan *plan);
void map_plan_free(struct map_plan *plan);

/* Appends "name" (double quotes doubled) to b: an SQL identifier. */
void map_quote(struct cbuf *b, const char *name);

#endif
