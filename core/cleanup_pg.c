/* cleanup_pg.c — the cleanup items an old PostgreSQL store answers: who
 * may still write the old table (has_table_privilege, role by role), the
 * table gone, the capture's triggers gone (pgcap_find), and the write
 * statements pg_stat_statements counted against the previous check. */
#include "cleanup_internal.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgcapture.h"
#include "pgwriters.h"
#include "timefmt.h"
#include "writers.h"

static void append(char *buf, size_t len, const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(buf);
    if (n < len - 1)
        snprintf(buf + n, len - n, fmt, a, b);
}

/* The roles the runbook's `## Writers` name, as "a,b" (for string_to_array). */
static void declared_roles(const struct runbook *rb, char *buf, size_t len)
{
    struct writers_decls d;
    buf[0] = '\0';
    if (writers_parse(rb, &d) != 0)
        return;
    for (size_t i = 0; i < d.n; i++)
        if (d.v[i].role && !strchr(d.v[i].role, ','))
            append(buf, len, "%s%s", buf[0] ? "," : "", d.v[i].role);
    writers_decls_free(&d);
}

/* 1 when the table exists (*rel its resolved name), 0 when it is gone, -1. */
static int table_exists(PGconn *pg, const char *table, char *rel, size_t len, char *why,
                        size_t wlen)
{
    const char *p[] = {table};
    PGresult *r = PQexecParams(pg, "SELECT to_regclass($1)::text", 1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        snprintf(why, wlen, "cannot look the table up: %s", PQresultErrorMessage(r));
        why[strcspn(why, "\n")] = '\0';
        PQclear(r);
        return -1;
    }
    int exists = !PQgetisnull(r, 0, 0);
    snprintf(rel, len, "%s", exists ? PQgetvalue(r, 0, 0) : table);
    PQclear(r);
    return exists;
}

/* The application's roles that may still write rel: every role that can
 * log in or that `## Writers` names, but not a superuser, the table's
 * owner, the role cutover connects as (the migration's own) nor a
 * built-in pg_ role. */
static void table_item(PGconn *pg, const struct runbook *rb, const char *rel,
                       struct cleanup_item *it)
{
    char roles[1000];
    declared_roles(rb, roles, sizeof roles);
    const char *p[] = {rel, roles};
    PGresult *r = PQexecParams(pg,
        "WITH t AS (SELECT $1::regclass AS oid), "
        "app AS (SELECT r.oid, r.rolname FROM pg_roles r, t "
        "  WHERE (r.rolcanlogin OR r.rolname = ANY(string_to_array($2, ','))) "
        "    AND NOT r.rolsuper AND r.rolname <> current_user AND r.rolname NOT LIKE 'pg\\_%' "
        "    AND r.oid <> (SELECT relowner FROM pg_class c WHERE c.oid = t.oid)) "
        "SELECT a.rolname, array_to_string(ARRAY(SELECT v FROM unnest(ARRAY['INSERT','UPDATE',"
        "  'DELETE','TRUNCATE']) v WHERE has_table_privilege(a.oid, t.oid, v)), ',') "
        "FROM app a, t ORDER BY 1",
        2, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        it->state = CLEANUP_UNVERIFIED;
        snprintf(it->why, sizeof it->why, "cannot read the rights on %s: %s", rel,
                 PQresultErrorMessage(r));
        it->why[strcspn(it->why, "\n")] = '\0';
        PQclear(r);
        return;
    }
    char writable[600] = "";
    int n_writable = 0, n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        if (!PQgetvalue(r, i, 1)[0])
            continue;
        n_writable++;
        char one[200];
        snprintf(one, sizeof one, "%s (%s)", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
        append(writable, sizeof writable, "%s%s", writable[0] ? ", " : "", one);
    }
    PQclear(r);
    /* who was left out, said: the connection's role is taken for the migration's own */
    char left_out[300] = "";
    r = PQexecParams(pg, "SELECT current_user, pg_get_userbyid(relowner) FROM pg_class "
                         "WHERE oid = $1::regclass", 1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        snprintf(left_out, sizeof left_out, "not counted: superusers, the owner %s, and %s, "
                 "the role cutover connects as", PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 0));
    PQclear(r);
    it->state = CLEANUP_NOT_YET;
    if (n_writable)
        snprintf(it->why, sizeof it->why,
                 "%s is still writable by %d of the application's %d role%s: %s; "
                 "REVOKE INSERT, UPDATE, DELETE, TRUNCATE, then drop it%s%s%s",
                 rel, n_writable, n, n == 1 ? "" : "s", writable, left_out[0] ? " (" : "",
                 left_out, left_out[0] ? ")" : "");
    else
        snprintf(it->why, sizeof it->why,
                 "no application role may write %s any more (%d role%s looked at%s%s), "
                 "but the table is still there: drop it",
                 rel, n, n == 1 ? "" : "s", left_out[0] ? "; " : "", left_out);
}

/* The extension's pg_stat_statements_info.stats_reset, ms; 0 unknown. */
static int64_t stats_reset_ms(PGconn *pg)
{
    PGresult *r = PQexec(pg, "SELECT quote_ident(n.nspname) FROM pg_extension e "
                             "JOIN pg_namespace n ON n.oid = e.extnamespace "
                             "WHERE e.extname = 'pg_stat_statements'");
    char sql[300] = "";
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        snprintf(sql, sizeof sql, "SELECT (extract(epoch FROM stats_reset) * 1000)::bigint "
                                  "FROM %s.pg_stat_statements_info", PQgetvalue(r, 0, 0));
    PQclear(r);
    if (!sql[0])
        return 0;
    r = PQexec(pg, sql);   /* PostgreSQL 14 and later */
    int64_t ms = 0;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
        ms = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return ms;
}

/* The write calls counted per role, "checkout=3,importer=5" (what the
 * journal keeps for the next check); a role whose name holds `=` or `,`
 * counts as "?". */
static void role_counts(const struct pgw_stats *st, char *buf, size_t len)
{
    char names[32][64];
    long long calls[32];
    size_t n = 0;
    for (size_t i = 0; i < st->n; i++) {
        if (st->v[i].secdef_nested)
            continue;
        const char *role = st->v[i].role && !strpbrk(st->v[i].role, "=,") ? st->v[i].role : "?";
        size_t k = 0;
        while (k < n && strcmp(names[k], role) != 0)
            k++;
        if (k == n && n < 32) {
            snprintf(names[n], sizeof names[n], "%s", role);
            calls[n++] = 0;
        }
        if (k < n)
            calls[k] += st->v[i].calls;
    }
    for (size_t i = 1; i < n; i++)   /* by name: the same text for the same counts */
        for (size_t k = i; k > 0 && strcmp(names[k - 1], names[k]) > 0; k--) {
            char t[64];
            long long c = calls[k];
            memcpy(t, names[k], sizeof t);
            memcpy(names[k], names[k - 1], sizeof t);
            memcpy(names[k - 1], t, sizeof t);
            calls[k] = calls[k - 1];
            calls[k - 1] = c;
        }
    buf[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        char one[96];
        snprintf(one, sizeof one, "%s=%lld", names[k], calls[k]);
        append(buf, len, "%s%s", k ? "," : "", one);
    }
}

/* role's count in "a=1,b=2"; 0 when absent */
static long long count_of(const char *counts, const char *role)
{
    size_t n = strlen(role);
    for (const char *c = counts; c && *c; c = strchr(c, ',') ? strchr(c, ',') + 1 : NULL)
        if (strncmp(c, role, n) == 0 && c[n] == '=')
            return atoll(c + n + 1);
    return 0;
}

/* "checkout (+1), importer (+2)": the roles whose counts grew from before
 * to now; or with no before, "checkout (3), importer (5)". */
static void roles_text(const char *now, const char *before, char *buf, size_t len)
{
    buf[0] = '\0';
    for (const char *c = now; c && *c; c = strchr(c, ',') ? strchr(c, ',') + 1 : NULL) {
        const char *eq = strchr(c, '=');
        if (!eq)
            break;
        char role[64];
        snprintf(role, sizeof role, "%.*s", (int)(eq - c) < 63 ? (int)(eq - c) : 63, c);
        long long d = atoll(eq + 1) - (before ? count_of(before, role) : 0);
        if (d <= 0)
            continue;
        char one[96];
        snprintf(one, sizeof one, before ? "%s (+%lld)" : "%s (%lld)", role, d);
        append(buf, len, "%s%s", buf[0] ? ", " : "", one);
    }
}

/* No writer since the cutover, from cumulative counts: what they can say. */
static void writers_item(const char *conn, const char *table, const struct cleanup_request *q,
                         int64_t reset_ms, struct cleanup_result *res)
{
    struct cleanup_item *it = &res->items[CLEANUP_WRITERS];
    struct pgw_stats st;
    struct error err = {{0}};
    if (pgw_statements(conn, table, &st, &err) != 0) {
        it->state = CLEANUP_UNVERIFIED;
        snprintf(it->why, sizeof it->why, "pg_stat_statements could not be read: %s", err.msg);
        return;
    }
    if (!st.available) {
        it->state = CLEANUP_UNVERIFIED;
        snprintf(it->why, sizeof it->why, "%s", st.note);
        pgw_stats_free(&st);
        return;
    }
    long long calls = 0;
    for (size_t i = 0; i < st.n; i++)
        if (!st.v[i].secdef_nested)
            calls += st.v[i].calls;
    char roles[400], since[40] = "when the statistics began", cut[40] = "?";
    role_counts(&st, res->write_roles, sizeof res->write_roles);
    roles_text(res->write_roles, NULL, roles, sizeof roles);
    pgw_stats_free(&st);
    res->write_calls = calls;
    res->stats_reset_ms = reset_ms;
    if (reset_ms)
        timefmt_full(reset_ms, since, sizeof since);
    if (q->cutover_ms)
        timefmt_full(q->cutover_ms, cut, sizeof cut);
    const struct cleanup_view *p = q->prev;
    int comparable = p && p->checked_ms && p->check_write_calls >= 0 &&
                     p->check_stats_reset_ms == reset_ms && reset_ms;
    if (comparable && calls > p->check_write_calls) {
        char when[40], grew[400];
        timefmt_full(p->checked_ms, when, sizeof when);
        roles_text(res->write_roles, p->check_write_roles, grew, sizeof grew);
        it->state = CLEANUP_NOT_YET;
        snprintf(it->why, sizeof it->why,
                 "%lld write statement%s to %s ran since the last check at %s (by role: %s)",
                 calls - p->check_write_calls, calls - p->check_write_calls == 1 ? "" : "s",
                 table, when, grew);
    } else if (calls == 0 && reset_ms && q->cutover_ms && reset_ms <= q->cutover_ms) {
        it->state = CLEANUP_OK;
        snprintf(it->why, sizeof it->why,
                 "pg_stat_statements counted no write to %s since %s, before the cutover (%s)",
                 table, since, cut);
    } else if (comparable && q->cutover_ms && p->checked_ms <= q->cutover_ms) {
        it->state = CLEANUP_OK;   /* counted before the cutover, and not one more since */
        snprintf(it->why, sizeof it->why,
                 "no write to %s counted since the check at the cutover's time (%lld before it)",
                 table, calls);
    } else if (comparable) {
        char when[40];
        timefmt_full(p->checked_ms, when, sizeof when);
        it->state = CLEANUP_UNVERIFIED;
        snprintf(it->why, sizeof it->why,
                 "no write to %s since the last check at %s, but the %lld counted before it "
                 "(since %s) cannot be dated against the cutover (%s): the statistics count, "
                 "they do not date",
                 table, when, calls, since, cut);
    } else if (calls > 0 && reset_ms && q->cutover_ms && reset_ms > q->cutover_ms) {
        it->state = CLEANUP_NOT_YET;
        snprintf(it->why, sizeof it->why,
                 "%lld write statement%s to %s counted since %s, after the cutover (by role: %s)",
                 calls, calls == 1 ? "" : "s", table, since, roles);
    } else if (calls > 0) {
        it->state = CLEANUP_UNVERIFIED;
        snprintf(it->why, sizeof it->why,
                 "%lld write statement%s to %s counted since %s (by role: %s); counts cannot "
                 "be dated against the cutover (%s): run `cutover cleanup` again later — "
                 "a count that grows is a writer after the cutover",
                 calls, calls == 1 ? "" : "s", table, since, roles, cut);
    } else {
        it->state = CLEANUP_UNVERIFIED;
        snprintf(it->why, sizeof it->why,
                 "no write to %s counted since %s, which is not known to be before the "
                 "cutover (%s): writes in between cannot be seen",
                 table, since, cut);
    }
}

void cleanup_postgres(const struct cleanup_request *q, const char *conn, const char *table,
                      struct cleanup_result *res)
{
    struct cleanup_item *t = &res->items[CLEANUP_TABLE], *cap = &res->items[CLEANUP_CAPTURE],
                        *w = &res->items[CLEANUP_WRITERS];
    struct error err = {{0}};
    PGconn *pg = pgw_connect(conn, &err);
    if (!pg) {
        t->state = cap->state = w->state = CLEANUP_UNVERIFIED;
        snprintf(t->why, sizeof t->why, "%s", err.msg);
        snprintf(cap->why, sizeof cap->why, "%s", err.msg);
        snprintf(w->why, sizeof w->why, "%s", err.msg);
        return;
    }
    char rel[300];
    int exists = table_exists(pg, table, rel, sizeof rel, t->why, sizeof t->why);
    if (exists < 0) {
        t->state = w->state = CLEANUP_UNVERIFIED;
        snprintf(w->why, sizeof w->why, "%s", t->why);
    } else if (!exists) {
        res->table_gone = 1;
        t->state = w->state = CLEANUP_OK;
        snprintf(t->why, sizeof t->why, "%s is gone: no relation of that name in the database",
                 table);
        snprintf(w->why, sizeof w->why, "%s is gone: nothing can write it", table);
    } else {
        table_item(pg, q->rb, rel, t);
        writers_item(conn, table, q, stats_reset_ms(pg), res);
    }
    int running = 0;
    char what[500];
    int found = pgcap_find(pg, &running, what, sizeof what, &err);
    if (found < 0) {
        cap->state = CLEANUP_UNVERIFIED;
        snprintf(cap->why, sizeof cap->why, "%s", err.msg);
    } else if (found) {
        cap->state = CLEANUP_NOT_YET;
        snprintf(cap->why, sizeof cap->why, "%s; `cutover writers RUNBOOK --capture-cleanup` "
                 "removes it", what);
    } else {
        cap->state = CLEANUP_OK;
        snprintf(cap->why, sizeof cap->why, "no `%s` schema nor trigger of a capture is left",
                 PGCAP_SCHEMA);
    }
    PQfinish(pg);
}
