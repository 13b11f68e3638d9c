/* store_internal.h — what the two store drivers share: the table of
 * operations each fills, and the common head of their connection struct. */
#ifndef ORDERSIM_STORE_INTERNAL_H
#define ORDERSIM_STORE_INTERNAL_H

#include "store.h"

struct store_ops {
    int (*create)(struct store *s, bool serial, struct error *err);
    enum store_rc (*insert)(struct store *s, struct order *o, struct error *err);
    enum store_rc (*upsert)(struct store *s, const struct order *o, struct error *err);
    enum store_rc (*get)(struct store *s, long long id, struct order *out, struct error *err);
    enum store_rc (*count)(struct store *s, long long *n, struct error *err);
    int (*exec)(struct store *s, const char *sql, struct error *err);
    void (*close)(struct store *s);
};

/* The first member of every driver's connection. */
struct store {
    const struct store_ops *ops;
    char table[64];
};

struct store *store_sqlite_open(const char *path, const char *table, struct error *err);
struct store *store_pg_open(const char *conninfo, const char *table, const char *app,
                            struct error *err);

#endif
