/* datajob.c — opening old and new for the data engine, and the SQL pieces
 * that the mapping plan implies (datajob.h). */
#include "datajob.h"

#include <string.h>

static void put(struct cbuf *b, const char *s) { cbuf_put(b, s, strlen(s)); }

int datajob_open(struct datajob *j, const struct runbook *rb, struct error *err)
{
    *j = (struct datajob){.plan = {.version = -1}};
    j->old_sys = runbook_system(rb, "old");
    j->new_sys = runbook_system(rb, "new");
    if (!j->old_sys || !j->new_sys) {
        error_set(err, "## Systems needs an `old` and a `new` store");
        return -1;
    }
    if (mapping_parse(rb, &j->map) != 0) {
        error_set(err, "out of memory");
        return -1;
    }
    if (j->map.n_problems) {
        error_set(err, "the mapping has %zu problem%s", j->map.n_problems,
                  j->map.n_problems == 1 ? "" : "s");
        return -1;
    }
    if (sqlschema_open(j->old_sys, &j->old_db, err) != 0 ||
        sqlschema_open(j->new_sys, &j->new_db, err) != 0)
        return -1;
    const char *ot = rb_attr_get(j->old_sys->attrs, j->old_sys->n_attrs, "table");
    const char *nt = rb_attr_get(j->new_sys->attrs, j->new_sys->n_attrs, "table");
    if (sqltable_read(j->old_db, "main", ot, &j->old_t, err) != 0 ||
        sqltable_read(j->new_db, "main", nt, &j->new_t, err) != 0)
        return -1;
    if (mapping_plan(&j->map, j->old_t.cols, j->old_t.n_cols, j->new_t.cols, j->new_t.n_cols,
                     j->new_t.pk, j->new_t.n_pk,
                     rb_attr_get(j->new_sys->attrs, j->new_sys->n_attrs, "key"), &j->plan) != 0) {
        error_set(err, "the mapping has %zu problem%s", j->map.n_problems,
                  j->map.n_problems == 1 ? "" : "s");
        return -1;
    }
    return 0;
}

void datajob_close(struct datajob *j)
{
    map_plan_free(&j->plan);
    mapping_free(&j->map);
    sqltable_free(&j->old_t);
    sqltable_free(&j->new_t);
    sqlite3_close(j->old_db);
    sqlite3_close(j->new_db);
    *j = (struct datajob){.plan = {.version = -1}};
}

void datajob_keys(const struct datajob *j, int side, const char *prefix, struct cbuf *b)
{
    for (size_t i = 0; i < j->plan.n_key; i++) {
        const struct map_col *c = &j->plan.cols[j->plan.key[i]];
        if (i)
            put(b, ", ");
        if (prefix)
            put(b, prefix);
        map_quote(b, side ? c->name : c->old_name);
    }
}

void datajob_key_cmp(const struct datajob *j, int side, const char *op, struct cbuf *b)
{
    put(b, "(");
    datajob_keys(j, side, NULL, b);
    put(b, ") ");
    put(b, op);
    put(b, " (");
    for (size_t i = 0; i < j->plan.n_key; i++)
        put(b, i ? ", ?" : "?");
    put(b, ")");
}

void datajob_select(const struct datajob *j, int side, int compared_only, struct cbuf *b)
{
    int first = 1;
    for (size_t i = 0; i < j->plan.n_cols; i++) {
        const struct map_col *c = &j->plan.cols[i];
        if (compared_only && !c->compared)
            continue;
        if (!first)
            put(b, ", ");
        first = 0;
        if (side) {
            map_quote(b, c->name);
        } else {
            put(b, "(");
            put(b, c->old_sql);
            put(b, ")");
        }
    }
}

void datajob_table(const struct datajob *j, int side, const char *schema, struct cbuf *b)
{
    if (schema) {
        map_quote(b, schema);
        put(b, ".");
    }
    map_quote(b, side ? j->new_t.name : j->old_t.name);
}
