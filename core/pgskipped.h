/* pgskipped.h — the writer audit's evidence source: the rows that reached
 * the old table and not the new one since dual-write began, grouped by
 * what the live capture knows of who wrote them. A row is a candidate
 * when the capture saw it inserted or updated (its key recorded, see
 * pgcapture.h), or when the old table's `column` says it was written at or
 * after the runbook's `dual-write began` time; a candidate whose key new
 * does not hold skipped dual-write. The key is the mapping's (## Mapping,
 * resolved as backfill and compare resolve it: core/datajob.h), so a key
 * renamed, cast or made of several columns is matched column by column:
 * old's value, of old's type, cast to new's column's type, as the
 * backfill's write casts it. PostgreSQL on both sides. */
#ifndef CUTOVER_PGSKIPPED_H
#define CUTOVER_PGSKIPPED_H

#include <stddef.h>

#include "error.h"
#include "mapping.h"
#include "pgcapture.h"
#include "runbook.h"

/* The key, as the mapping pairs old's columns with new's. */
struct pgskip_keys {
    char *old_col[MAP_MAX_KEY], *new_col[MAP_MAX_KEY];
    size_t n;
};

/* Resolves rb's mapping against both tables (it opens both systems, as
 * backfill does). -1 with err, the mapping's problems counted in it. */
int pgskip_keys_resolve(const struct runbook *rb, struct pgskip_keys *k, struct error *err);
void pgskip_keys_free(struct pgskip_keys *k);

/* What to look at. */
struct pgskip_request {
    const char *old_table;
    const struct pgskip_keys *key;
    const char *since, *column;      /* both NULL: no time, the capture's keys only */
    const struct pgcap_keys *captured;   /* may be NULL; keys as pgcap_key_expr gives them */
    const char *new_conn;            /* libpq connection string, ${ENV}-expanded */
    const char *new_table;
};

/* Skipped rows of one writer, as the capture saw it ("" app and role:
 * no capture saw the row written). */
struct pgskip_group {
    char *app, *role;
    long long rows;
    char first_key[120];             /* one of them ("eu,42"), for a person to look at */
};

struct pgskip_result {
    struct pgskip_group *v;
    size_t n;
    long long candidates;            /* rows looked for in new */
    long long skipped;               /* of which new does not hold */
    int cut;                         /* more candidates than PGSKIP_MAX: the rest not looked at */
};
#define PGSKIP_MAX 200000

/* Looks (old: a connection to the old database). 0, or -1 with err (the
 * message never repeats a connection string). */
int pgskip_find(struct pg_conn *old, const struct pgskip_request *q, struct pgskip_result *out,
                struct error *err);
void pgskip_result_free(struct pgskip_result *r);

#endif
