/* flags_sql.c — a flag kept as a row in PostgreSQL or SQLite: set is the
 * runbook's UPDATE with the percentage bound to $1 (never pasted into the
 * text), read back is its SELECT of one number. An UPDATE that changes no
 * row is an error: the flag row is missing, and nothing was switched.
 * The connection is opened on first use and, when a call fails on a
 * connection that had worked, reopened and the call tried once more (a
 * database restart during the ceremony leaves a dead connection behind). */
#include "flags_internal.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

struct sqlflag {
    struct flag_driver base;
    const char *kind; /* "postgres" or "sqlite" */
    char *conn;       /* expanded: may hold a password, never shown */
    char *set;
    char *read;
    struct db *db;
};

static int ensure_open(struct sqlflag *d, struct error *err)
{
    return d->db ? 0 : db_open(d->kind, d->conn, &d->db, err);
}

static int set_once(struct sqlflag *d, const char *pct, struct error *err)
{
    long n = db_exec_param(d->db, d->set, pct, FLAGS_HTTP_TIMEOUT_MS, err);
    if (n == 0)
        error_set(err, "no row matched: the flag row does not exist (the set statement "
                  "changed nothing)");
    return n > 0 ? 0 : -1;
}

static int read_once(struct sqlflag *d, double *percent, struct error *err)
{
    int rc = db_query_number(d->db, d->read, FLAGS_HTTP_TIMEOUT_MS, percent, err);
    if (rc == 0)
        error_set(err, "the read query gave no row, or NULL: the flag row does not exist");
    return rc == 1 ? 0 : -1;
}

/* Runs one call; on a failure with a connection that had been working,
 * reconnects and tries once more. */
static int with_retry(struct sqlflag *d, const char *pct, double *percent, struct error *err)
{
    int was_open = d->db != NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (ensure_open(d, err) != 0)
            return -1;
        if ((pct ? set_once(d, pct, err) : read_once(d, percent, err)) == 0)
            return 0;
        if (strstr(err->msg, "no row") || !was_open)
            return -1;   /* a clear answer, or a fresh connection: no use repeating */
        db_close(d->db);
        d->db = NULL;
        was_open = 0;
    }
    return -1;
}

static int sql_set(struct flag_driver *base, double percent, struct error *err)
{
    char pct[32];
    return with_retry((struct sqlflag *)base, flags_percent_text(percent, pct), NULL, err);
}

static int sql_read(struct flag_driver *base, double *percent, struct error *err)
{
    return with_retry((struct sqlflag *)base, NULL, percent, err);
}

static void sql_close(struct flag_driver *base)
{
    struct sqlflag *d = (struct sqlflag *)base;
    flags_base_free(base);
    db_close(d->db);
    if (d->conn)
        memset(d->conn, 0, strlen(d->conn));   /* it may hold a password */
    free(d->conn);
    free(d->set);
    free(d->read);
    free(d);
}

char *flags_public_conn(const struct rb_system *sys)
{
    if (strcmp(sys->kind, "postgres") != 0)
        return strcmp(sys->kind, "sqlite") == 0 || strcmp(sys->kind, "flagd") == 0
                   ? strdup(sys->conn) : flags_redact_url(sys->conn);
    static const char *const shown[] = {"host", "port", "dbname", "user"};
    char *parts = strdup("");
    PQconninfoOption *opts = PQconninfoParse(sys->conn, NULL);
    for (size_t i = 0; i < 4 && parts; i++) {
        for (PQconninfoOption *o = opts; o && o->keyword; o++) {
            if (!o->val || strcmp(o->keyword, shown[i]) != 0)
                continue;
            char *more = flags_strf("%s%s%s=%s", parts, parts[0] ? " " : "", o->keyword, o->val);
            free(parts);
            parts = more;
            break;
        }
    }
    PQconninfoFree(opts);
    return parts;
}

void flags_display_name(const struct rb_system *sys, char *buf, size_t len)
{
    const char *name = rb_attr_get(sys->attrs, sys->n_attrs, "flag");
    char *conn = flags_public_conn(sys);   /* never a password on screen */
    snprintf(buf, len, "%s %s%s%s", sys->kind, conn ? conn : "", name ? " flag " : "",
             name ? name : "");
    free(conn);
}

/* "postgres host=db1 port=5432 dbname=shop, flag row": only the parts that
 * are no secret, read from the connection as written. */
static char *describe(const struct rb_system *sys)
{
    char *conn = flags_public_conn(sys);
    char *out = conn ? flags_strf("%s %s, flag row", sys->kind, conn) : NULL;
    free(conn);
    return out;
}

static int needs_param(const char *sql, struct error *err)
{
    if (strstr(sql, "$1"))
        return 0;
    error_set(err, "set must take the percentage as $1 (it is bound, never pasted in), "
              "e.g. set `UPDATE flags SET percent = $1 WHERE name = 'orders'`");
    return -1;
}

static struct flag_driver *sql_open(const struct rb_system *sys, const struct flag_ops *ops,
                                    struct error *err)
{
    struct sqlflag *d = calloc(1, sizeof *d);
    if (!d) {
        error_set(err, "out of memory");
        return NULL;
    }
    d->base.ops = ops;
    d->kind = ops->kind;
    if (!(d->conn = flags_conn(sys, err)) || !(d->set = flags_attr(sys, "set", NULL, err)) ||
        needs_param(d->set, err) != 0 || !(d->read = flags_attr(sys, "read", NULL, err)) ||
        flags_base_init(&d->base, ops, sys, describe(sys), err) != 0) {
        sql_close(&d->base);
        return NULL;
    }
    return &d->base;
}

static struct flag_driver *postgres_open(const struct rb_system *sys, struct error *err)
{
    return sql_open(sys, &flags_postgres_ops, err);
}

static struct flag_driver *sqlite_open(const struct rb_system *sys, struct error *err)
{
    return sql_open(sys, &flags_sqlite_ops, err);
}

const struct flag_ops flags_postgres_ops = {
    "postgres", postgres_open, sql_set, sql_read, sql_close, NULL, NULL,
};
const struct flag_ops flags_sqlite_ops = {
    "sqlite", sqlite_open, sql_set, sql_read, sql_close, NULL, NULL,
};
