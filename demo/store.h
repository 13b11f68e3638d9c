/* store.h — one connection to one orders table, SQLite or PostgreSQL
 * behind the same few calls. Each thread opens its own (SQLite and libpq
 * connections are not shared between threads). A spec is a file path, or
 * "postgres:" followed by a libpq connection string. */
#ifndef ORDERSIM_STORE_H
#define ORDERSIM_STORE_H

#include <stdbool.h>

#include "core/error.h"
#include "order.h"

enum store_rc {
    STORE_OK = 0,
    STORE_NOT_FOUND,  /* store_get: no such row (not an error) */
    STORE_BUSY,       /* locked, a serialization failure, a timeout */
    STORE_CONSTRAINT, /* a row the table refused */
    STORE_CONNECTION, /* the server went away */
    STORE_ERROR,      /* anything else */
};

struct store;

/* Opens spec for table, introducing itself as app (PostgreSQL's
 * application_name; SQLite has no such thing, the written_by column says
 * it instead). NULL with err on failure; err never repeats a password. */
struct store *store_open(const char *spec, const char *table, const char *app,
                         struct error *err);
void store_close(struct store *s);

/* Creates the table when it does not exist. serial: ids are assigned by
 * this store (the old one); otherwise they are given (the new one). */
int store_create(struct store *s, bool serial, struct error *err);

/* Adds o with an id the store assigns, and sets o->id (the old side). */
enum store_rc store_insert(struct store *s, struct order *o, struct error *err);

/* Writes o under its own id, replacing a row already there (the new side:
 * a backfill may have copied the row between the old write and this one). */
enum store_rc store_upsert(struct store *s, const struct order *o, struct error *err);

/* Reads the row with id into out: STORE_OK, STORE_NOT_FOUND or an error. */
enum store_rc store_get(struct store *s, long long id, struct order *out, struct error *err);

/* The number of rows in the table. */
enum store_rc store_count(struct store *s, long long *n, struct error *err);

/* BEGIN / COMMIT around a batch of inserts (the first run's history). */
int store_begin(struct store *s, struct error *err);
int store_commit(struct store *s, struct error *err);

/* The label a failed write is counted under: "busy", "constraint",
 * "connection" or "error". */
const char *store_rc_reason(enum store_rc rc);

/* True when name is a plain SQL identifier (letters, digits, _), so it can
 * be put into a statement as it is. */
bool store_identifier_ok(const char *name);

#endif
