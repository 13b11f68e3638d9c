/* sqlschema.h — what the data engine needs to know of an SQLite table:
 * its columns in order and its primary key, and opening a store named in
 * ## Systems for data work (WAL, a busy timeout, rowhash registered). */
#ifndef CUTOVER_SQLSCHEMA_H
#define CUTOVER_SQLSCHEMA_H

#include <stddef.h>

#include <sqlite3.h>

#include "error.h"
#include "runbook.h"

struct sqltable {
    char *schema; /* "main", or an attached database's name */
    char *name;
    char **cols;  size_t n_cols;
    char **pk;    size_t n_pk;  /* in key order */
};

/* Reads schema.table's columns; -1 with err when it does not exist. */
int sqltable_read(sqlite3 *db, const char *schema, const char *table,
                  struct sqltable *t, struct error *err);
void sqltable_free(struct sqltable *t);

/* Opens the system's SQLite file (its connection ${ENV}-expanded) for data
 * work. The system must be of kind sqlite and have a `table`. */
int sqlschema_open(const struct rb_system *sys, sqlite3 **db, struct error *err);

/* 0 while the file of db's schema ("main", or an attached one) is still
 * the one its path names; -1 with err when it was deleted or replaced
 * (SQLite goes on writing into an unlinked file through its descriptor):
 * "new's file PATH was deleted or replaced while the copy ran …". One
 * stat. */
int sqlschema_in_place(sqlite3 *db, const char *schema, const char *side, struct error *err);

/* The same file opened read-only, as it is (no WAL switched on, no
 * function registered, never made when missing): for the commands that
 * only look (`cutover check`, `preflight`). */
int sqlschema_open_readonly(const struct rb_system *sys, sqlite3 **db, struct error *err);

/* The expanded path of sys's file (malloc'd), or NULL with err. */
char *sqlschema_path(const struct rb_system *sys, struct error *err);

#endif
