/* store.c — picks the driver from the spec and forwards to it (see
 * store.h); the SQL of each lives in store_sqlite.c and store_pg.c. */
#include "store_internal.h"

#include <ctype.h>
#include <string.h>

#define PG_PREFIX "postgres:"

bool store_identifier_ok(const char *name)
{
    if (!name || !*name || strlen(name) >= 64 || isdigit((unsigned char)name[0]))
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return false;
    return true;
}

struct store *store_open(const char *spec, const char *table, const char *app,
                         struct error *err)
{
    if (!store_identifier_ok(table)) {
        error_set(err, "table name `%s` is not a plain identifier", table);
        return NULL;
    }
    if (strncmp(spec, PG_PREFIX, strlen(PG_PREFIX)) == 0)
        return store_pg_open(spec + strlen(PG_PREFIX), table, app, err);
    return store_sqlite_open(spec, table, err);
}

void store_close(struct store *s)
{
    if (s)
        s->ops->close(s);
}

int store_create(struct store *s, bool serial, struct error *err)
{
    return s->ops->create(s, serial, err);
}

enum store_rc store_insert(struct store *s, struct order *o, struct error *err)
{
    return s->ops->insert(s, o, err);
}

enum store_rc store_upsert(struct store *s, const struct order *o, struct error *err)
{
    return s->ops->upsert(s, o, err);
}

enum store_rc store_get(struct store *s, long long id, struct order *out, struct error *err)
{
    return s->ops->get(s, id, out, err);
}

enum store_rc store_count(struct store *s, long long *n, struct error *err)
{
    return s->ops->count(s, n, err);
}

int store_begin(struct store *s, struct error *err)
{
    return s->ops->exec(s, "BEGIN", err);
}

int store_commit(struct store *s, struct error *err)
{
    return s->ops->exec(s, "COMMIT", err);
}

const char *store_rc_reason(enum store_rc rc)
{
    switch (rc) {
    case STORE_BUSY: return "busy";
    case STORE_CONSTRAINT: return "constraint";
    case STORE_CONNECTION: return "connection";
    case STORE_OK:
    case STORE_NOT_FOUND:
    case STORE_ERROR: break;
    }
    return "error";
}
