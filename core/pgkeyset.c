/* pgkeyset.c — the SQL about a job's key a PostgreSQL backfill writes
 * (pgkeyset.h). */
#include "pgkeyset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(struct cbuf *b, const char *s) { cbuf_put(b, s, strlen(s)); }

static const char *key_name(const struct datajob *j, size_t i, int side)
{
    const struct map_col *c = &j->plan.cols[j->plan.key[i]];
    return side ? c->name : c->old_name;
}

void pgkeyset_range(const struct datajob *j, int side, PGconn *lits, char **lo, char **hi,
                    const char *hi_op, const char **prm, int *np, struct cbuf *q)
{
    int first = 1;
    for (int s = 0; s < 2; s++) {
        char **v = s ? hi : lo;
        if (!v)
            continue;
        put(q, first ? " WHERE (" : " AND (");
        first = 0;
        datajob_keys(j, side, NULL, q);
        put(q, ") ");
        put(q, s ? hi_op : ">");
        put(q, " (");
        for (size_t i = 0; i < j->plan.n_key; i++) {
            put(q, i ? ", " : "");
            if (lits) {
                char *l = PQescapeLiteral(lits, v[i], strlen(v[i]));
                if (l)
                    put(q, l);
                else
                    q->oom = 1;
                PQfreemem(l);
            } else {
                char t[16];
                prm[*np] = v[i];
                snprintf(t, sizeof t, "$%d", ++*np);
                put(q, t);
            }
        }
        put(q, ")");
    }
}

void pgkeyset_text(const struct datajob *j, int side, struct cbuf *q)
{
    for (size_t i = 0; i < j->plan.n_key; i++) {
        char t[32];
        put(q, i ? ", (" : "(");
        map_quote(q, key_name(j, i, side));
        snprintf(t, sizeof t, ")::text AS cutover_k%zu", i);
        put(q, t);
    }
}

void pgkeyset_desc(const struct datajob *j, int side, struct cbuf *q)
{
    for (size_t i = 0; i < j->plan.n_key; i++) {
        put(q, i ? ", " : " ORDER BY ");
        map_quote(q, key_name(j, i, side));
        put(q, " DESC");
    }
}

void pgkeyset_after(const struct datajob *j, PGconn *lits, char **lo, long n, const char **prm,
                    int *np, struct cbuf *q)
{
    char t[64];
    put(q, "SELECT ");
    pgkeyset_text(j, 0, q);
    put(q, " FROM (SELECT ");
    datajob_keys(j, 0, NULL, q);
    put(q, " FROM ");
    datajob_table(j, 0, NULL, q);
    pgkeyset_range(j, 0, lits, lo, NULL, NULL, prm, np, q);
    put(q, " ORDER BY ");
    datajob_keys(j, 0, NULL, q);
    snprintf(t, sizeof t, " OFFSET %ld LIMIT 1) AS cutover_walk", n - 1);
    put(q, t);
}

void pgkeyset_free(char **key)
{
    for (size_t i = 0; i < MAP_MAX_KEY; i++) {
        free(key[i]);
        key[i] = NULL;
    }
}
