/* pgskipped.h — the writer audit's evidence source: the rows that reached
 * the old table and not the new one since dual-write began, grouped by
 * what the live capture knows of who wrote them. A row is a candidate
 * when the capture saw it inserted or updated (its key recorded, see
 * pgcapture.h), or when the old table's `column` says it was written at or
 * after the runbook's `dual-write began` time; a candidate whose key new
 * does not hold skipped dual-write. Keys are compared as text, old's key
 * columns against new's (the runbook's `key` of each system). PostgreSQL
 * on both sides. */
#ifndef CUTOVER_PGSKIPPED_H
#define CUTOVER_PGSKIPPED_H

#include <stddef.h>

#include "error.h"
#include "pgcapture.h"

/* What to look at. */
struct pgskip_request {
    const char *old_table, *old_key;
    const char *since, *column;      /* both NULL: no time, the capture's keys only */
    const struct pgcap_keys *captured;   /* may be NULL */
    const char *new_conn;            /* libpq connection string, ${ENV}-expanded */
    const char *new_table, *new_key;
};

/* Skipped rows of one writer, as the capture saw it ("" app and role:
 * no capture saw the row written). */
struct pgskip_group {
    char *app, *role;
    long long rows;
    char first_key[120];             /* one of them, for a person to look at */
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
