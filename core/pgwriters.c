/* pgwriters.c — pg_stat_statements read against the catalog. The names
 * that write the old table are found first (the table; views over it that
 * are automatically updatable; views, tables and rules whose triggers or
 * actions write it; functions whose bodies do, to a fixed point), then each
 * recorded statement is parsed for its verbs and targets — a statement
 * that names none of those is not a writer, one that does is, whatever
 * text it holds. Parsing, not substring search: `SELECT … FOR UPDATE` and
 * a column named like the table are not writes. */
#include "pgwriters.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const op_names[PGW_N_OPS] = {"insert", "update", "delete", "merge",
                                                "copy",   "upsert", "truncate"};

const char *pgw_op_name(int i)
{
    return i >= 0 && i < PGW_N_OPS ? op_names[i] : "?";
}

void pgw_ops_text(unsigned ops, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < PGW_N_OPS && n + 1 < len; i++)
        if (ops & (1u << i))
            n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", op_names[i]);
    if (!n)
        snprintf(buf, len, "-");
}

/* ---- the statement parser ------------------------------------------------- */

/* A token: a word (identifier or keyword; unquoted ones lowercased), or
 * one punctuation byte. */
struct tok {
    char s[64];
    char type;   /* 'w' word, 'p' punctuation */
};

struct toks {
    struct tok *v;
    size_t n, cap;
    unsigned extra;   /* ops found inside string literals (in_strings) */
    int extra_via;
};

static void tok_push(struct toks *t, char type, const char *s, size_t n, int lower)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct tok *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return;   /* out of memory: the rest of the text is not seen */
        t->v = v;
        t->cap = cap;
    }
    struct tok *k = &t->v[t->n++];
    k->type = type;
    if (n >= sizeof k->s)
        n = sizeof k->s - 1;
    for (size_t i = 0; i < n; i++)
        k->s[i] = lower ? (char)tolower((unsigned char)s[i]) : s[i];
    k->s[n] = '\0';
}

static int word_start(char c)
{
    return isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

static int word_char(char c)
{
    return word_start(c) || isdigit((unsigned char)c) || c == '$';
}

static unsigned analyse(const struct toks *t, const struct pgw_names *names, int *via);

/* A literal's text, unescaped ('' → '), parsed as SQL of its own. */
static void literal_inner(struct toks *t, const char *s, size_t n, const struct pgw_names *names)
{
    char *body = malloc(n + 1);
    if (!body)
        return;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        body[m++] = s[i];
        if (s[i] == '\'' && i + 1 < n && s[i + 1] == '\'')
            i++;
    }
    body[m] = '\0';
    int v = -1;
    unsigned ops = pgw_writes(body, names, 1, &v);
    if (ops && t->extra_via < 0)
        t->extra_via = v;
    t->extra |= ops;
    free(body);
}

static void tokenize(const char *s, struct toks *t, int in_strings, const struct pgw_names *names)
{
    size_t i = 0, len = strlen(s);
    while (i < len) {
        char c = s[i];
        if (isspace((unsigned char)c)) {
            i++;
        } else if (c == '-' && s[i + 1] == '-') {
            while (i < len && s[i] != '\n')
                i++;
        } else if (c == '/' && s[i + 1] == '*') {
            int depth = 0;
            do {
                if (s[i] == '/' && s[i + 1] == '*')
                    depth++, i += 2;
                else if (s[i] == '*' && s[i + 1] == '/')
                    depth--, i += 2;
                else
                    i++;
            } while (i < len && depth > 0);
        } else if (c == '\'' || ((c == 'E' || c == 'e') && s[i + 1] == '\'')) {
            int esc = c != '\'';
            i += esc ? 2 : 1;
            size_t start = i;
            while (i < len) {
                if (esc && s[i] == '\\' && i + 1 < len)
                    i += 2;
                else if (s[i] == '\'' && s[i + 1] == '\'')
                    i += 2;
                else if (s[i] == '\'')
                    break;
                else
                    i++;
            }
            if (in_strings)
                literal_inner(t, s + start, i - start, names);
            tok_push(t, 'p', "'", 1, 0);
            i++;
        } else if (c == '$' && (s[i + 1] == '$' || word_start(s[i + 1]))) {
            /* $tag$ … $tag$; a $1 parameter is not one */
            size_t k = i + 1;
            while (k < len && s[k] != '$' && word_char(s[k]))
                k++;
            if (k >= len || s[k] != '$') {
                i = k;
                continue;
            }
            size_t taglen = k - i + 1;
            const char *tag = s + i;
            size_t start = k + 1, end = start;
            while (end < len && !(s[end] == '$' && len - end >= taglen &&
                                  strncmp(s + end, tag, taglen) == 0))
                end++;
            if (in_strings) {
                char *body = strndup(s + start, end - start);
                if (body) {
                    int v = -1;
                    unsigned ops = pgw_writes(body, names, 1, &v);
                    if (ops && t->extra_via < 0)
                        t->extra_via = v;
                    t->extra |= ops;
                    free(body);
                }
            }
            tok_push(t, 'p', "'", 1, 0);
            i = end < len ? end + taglen : len;
        } else if (c == '$') {
            i++;
            while (i < len && isdigit((unsigned char)s[i]))
                i++;
            tok_push(t, 'p', "$", 1, 0);
        } else if (c == '"') {
            size_t start = ++i;
            while (i < len && !(s[i] == '"' && s[i + 1] != '"'))
                i += s[i] == '"' ? 2 : 1;
            tok_push(t, 'w', s + start, i - start, 0);
            i++;
        } else if (word_start(c)) {
            size_t start = i;
            while (i < len && word_char(s[i]))
                i++;
            tok_push(t, 'w', s + start, i - start, 1);
        } else if (isdigit((unsigned char)c)) {
            while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '.'))
                i++;
            tok_push(t, 'p', "0", 1, 0);
        } else {
            tok_push(t, 'p', &c, 1, 0);
            i++;
        }
    }
}

static int is_w(const struct toks *t, size_t i, const char *w)
{
    return i < t->n && t->v[i].type == 'w' && strcmp(t->v[i].s, w) == 0;
}

static int is_p(const struct toks *t, size_t i, char c)
{
    return i < t->n && t->v[i].type == 'p' && t->v[i].s[0] == c;
}

/* A possibly qualified name at *i (a.b or b); advances past it. */
static int qname(const struct toks *t, size_t *i, const char **schema, const char **name)
{
    if (*i >= t->n || t->v[*i].type != 'w')
        return 0;
    *schema = NULL;
    *name = t->v[*i].s;
    (*i)++;
    while (is_p(t, *i, '.') && *i + 1 < t->n && t->v[*i + 1].type == 'w') {
        *schema = *name;
        *name = t->v[*i + 1].s;
        *i += 2;
    }
    return 1;
}

/* The entry of names a reference designates; -1 when none. functions
 * selects the functions (a call) or the relations (a target). */
static int lookup(const struct pgw_names *names, const char *schema, const char *name,
                  int functions)
{
    for (size_t k = 0; k < names->n; k++) {
        const struct pgw_name *e = &names->v[k];
        if ((e->kind == PGW_FUNCTION) != functions)
            continue;
        if (strcmp(e->name, name) == 0 && (!schema || !e->schema || strcmp(e->schema, schema) == 0))
            return (int)k;
    }
    return -1;
}

/* What a verb on a relation entry does to the old table. */
static unsigned effect(const struct pgw_name *e, unsigned verb)
{
    if (e->kind == PGW_TABLE || e->kind == PGW_VIEW_AUTO)
        return verb;
    unsigned fires = verb;
    if (verb & (PGW_COPY | PGW_UPSERT))
        fires |= PGW_INSERT | (verb & PGW_UPSERT ? PGW_UPDATE : 0);
    if (verb & PGW_MERGE)
        fires |= PGW_INSERT | PGW_UPDATE | PGW_DELETE;
    if (e->events && !(e->events & fires))
        return 0;
    return e->ops ? e->ops : verb;
}

/* The end of the statement that starts at i: the next ';' outside brackets. */
static size_t stmt_end(const struct toks *t, size_t i)
{
    int depth = 0;
    for (; i < t->n; i++) {
        if (is_p(t, i, '('))
            depth++;
        else if (is_p(t, i, ')') && depth > 0)
            depth--;
        else if (is_p(t, i, ';') && depth == 0)
            break;
    }
    return i;
}

static void hit(const struct pgw_names *names, const char *schema, const char *name,
                unsigned verb, unsigned *ops, int *via)
{
    int k = lookup(names, schema, name, 0);
    if (k < 0)
        return;
    unsigned e = effect(&names->v[k], verb);
    if (e && *via < 0)
        *via = k;
    *ops |= e;
}

static unsigned analyse(const struct toks *t, const struct pgw_names *names, int *via)
{
    unsigned ops = 0;
    const char *schema, *name;
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].type != 'w')
            continue;
        const char *prev = i ? t->v[i - 1].s : "";
        size_t j = i + 1;
        if (is_w(t, i, "insert") && is_w(t, j, "into") && (j++, qname(t, &j, &schema, &name))) {
            unsigned verb = PGW_INSERT;
            size_t end = stmt_end(t, j);
            for (size_t k = j; k + 1 < end; k++)
                if (is_w(t, k, "do") && is_w(t, k + 1, "update"))
                    verb |= PGW_UPSERT;
            hit(names, schema, name, verb, &ops, via);
        } else if (is_w(t, i, "update") && strcmp(prev, "for") && strcmp(prev, "do") &&
                   strcmp(prev, "key") && strcmp(prev, "or") && strcmp(prev, "before") &&
                   strcmp(prev, "after") && strcmp(prev, "of") && strcmp(prev, "on")) {
            if (is_w(t, j, "only"))
                j++;
            if (!qname(t, &j, &schema, &name))
                continue;
            /* UPDATE name [[AS] alias] SET */
            if (is_w(t, j, "as"))
                j++;
            if (j < t->n && t->v[j].type == 'w' && !is_w(t, j, "set"))
                j++;
            if (is_w(t, j, "set"))
                hit(names, schema, name, PGW_UPDATE, &ops, via);
        } else if (is_w(t, i, "delete") && is_w(t, j, "from")) {
            j++;
            if (is_w(t, j, "only"))
                j++;
            if (qname(t, &j, &schema, &name))
                hit(names, schema, name, PGW_DELETE, &ops, via);
        } else if (is_w(t, i, "merge") && is_w(t, j, "into")) {
            j++;
            if (is_w(t, j, "only"))
                j++;
            if (qname(t, &j, &schema, &name))
                hit(names, schema, name, PGW_MERGE, &ops, via);
        } else if (is_w(t, i, "copy") && qname(t, &j, &schema, &name)) {
            if (is_p(t, j, '(')) {
                while (j < t->n && !is_p(t, j, ')'))
                    j++;
                j++;
            }
            if (is_w(t, j, "from"))
                hit(names, schema, name, PGW_COPY, &ops, via);
        } else if (is_w(t, i, "truncate")) {
            if (is_w(t, j, "table"))
                j++;
            while (j < t->n) {
                if (is_w(t, j, "only"))
                    j++;
                if (!qname(t, &j, &schema, &name))
                    break;
                hit(names, schema, name, PGW_TRUNCATE, &ops, via);
                if (!is_p(t, j, ','))
                    break;
                j++;
            }
        } else {
            /* a call: name ( … ) of a function that writes the table */
            size_t k = i;
            if (!qname(t, &k, &schema, &name) || !is_p(t, k, '('))
                continue;
            int f = lookup(names, schema, name, 1);
            if (f >= 0) {
                if (*via < 0)
                    *via = f;
                ops |= names->v[f].ops;
            }
            i = k - 1;
        }
    }
    return ops;
}

unsigned pgw_writes(const char *sql, const struct pgw_names *names, int in_strings, int *via)
{
    struct toks t = {.extra_via = -1};
    int v = -1;
    tokenize(sql ? sql : "", &t, in_strings, names);
    unsigned ops = analyse(&t, names, &v);
    if (v < 0)
        v = t.extra_via;
    ops |= t.extra;
    free(t.v);
    if (via)
        *via = v;
    return ops;
}

int pgw_fail(struct pg_result *r, const char *what, struct error *err)
{
    char line[300];
    snprintf(line, sizeof line, "%s", PQresultErrorMessage(r));
    line[strcspn(line, "\n")] = '\0';
    error_set(err, "%s: %s", what, line);
    PQclear(r);
    return -1;
}

/* ---- the catalog ----------------------------------------------------------- */

struct pg_conn *pgw_connect(const char *conn, struct error *err)
{
    static const char *const keys[] = {"connect_timeout", "keepalives", "keepalives_idle",
                                       "application_name", "dbname", NULL};
    const char *const values[] = {"5", "1", "5", "cutover writers", conn, NULL};
    PGconn *pg = PQconnectdbParams(keys, values, 1);
    if (PQstatus(pg) != CONNECTION_OK) {
        char line[300];
        snprintf(line, sizeof line, "%s", pg ? PQerrorMessage(pg) : "out of memory");
        line[strcspn(line, "\n")] = '\0';
        error_set(err, "cannot connect to the old database: %s", line);
        PQfinish(pg);
        return NULL;
    }
    PQclear(PQexec(pg, "SET statement_timeout = '30s'"));
    return pg;
}

static char *dup(const char *s)
{
    return strdup(s ? s : "");
}

static int add_name(struct pgw_names *n, enum pgw_kind kind, const char *schema, const char *name,
                    unsigned ops, unsigned events, const char *detail)
{
    for (size_t i = 0; i < n->n; i++)
        if (n->v[i].kind == kind && strcmp(n->v[i].name, name) == 0 &&
            strcmp(n->v[i].schema, schema) == 0) {
            n->v[i].ops |= ops;
            return 0;
        }
    struct pgw_name *v = realloc(n->v, (n->n + 1) * sizeof *v);
    if (!v)
        return -1;
    n->v = v;
    struct pgw_name *e = &v[n->n];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->ops = ops;
    e->events = events;
    e->schema = dup(schema);
    e->name = dup(name);
    e->detail = dup(detail);
    e->owner = dup("");
    if (!e->schema || !e->name || !e->detail || !e->owner)
        return -1;
    n->n++;
    return 1;
}

static void names_free(struct pgw_names *n)
{
    for (size_t i = 0; i < n->n; i++) {
        free(n->v[i].schema);
        free(n->v[i].name);
        free(n->v[i].owner);
        free(n->v[i].detail);
    }
    free(n->v);
    memset(n, 0, sizeof *n);
}

static PGresult *query(PGconn *pg, const char *sql, int nparams, const char *const *params,
                       const char *what, struct error *err)
{
    PGresult *r = PQexecParams(pg, sql, nparams, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
        pgw_fail(r, what, err);
        return NULL;
    }
    return r;
}

/* The tgtype bits of PostgreSQL (pg_trigger.h) as our verbs. */
static unsigned trigger_events(int tgtype)
{
    unsigned e = 0;
    if (tgtype & 4)
        e |= PGW_INSERT;
    if (tgtype & 8)
        e |= PGW_DELETE;
    if (tgtype & 16)
        e |= PGW_UPDATE;
    if (tgtype & 32)
        e |= PGW_TRUNCATE;
    return e;
}

/* The names through which table is written, resolved in the catalog. The
 * cockpit's own capture schema is left out. */
static int resolve(PGconn *pg, const char *table, struct pgw_stats *s, struct error *err)
{
    const char *p1[] = {table};
    PGresult *r = query(pg,
        "SELECT c.oid::text, n.nspname, c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)",
        1, p1, "cannot resolve the old table", err);
    if (!r)
        return -1;
    if (PQntuples(r) != 1) {
        error_set(err, "the old table `%s` is not in the old database", table);
        PQclear(r);
        return -1;
    }
    char oid[32];
    snprintf(oid, sizeof oid, "%s", PQgetvalue(r, 0, 0));
    snprintf(s->table, sizeof s->table, "%s.%s", PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2));
    if (add_name(&s->names, PGW_TABLE, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2), 0, 0,
                 "the table") < 0)
        goto oom;
    PQclear(r);

    /* Views over it, through their _RETURN rules (pg_depend + pg_rewrite),
     * to any depth; the ones PostgreSQL can write through by itself. */
    const char *p2[] = {oid};
    r = query(pg,
        "WITH RECURSIVE v(oid) AS (SELECT $1::oid UNION "
        "  SELECT rw.ev_class FROM pg_depend d JOIN pg_rewrite rw ON rw.oid = d.objid "
        "  JOIN v ON d.refobjid = v.oid "
        "  WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass "
        "    AND rw.rulename = '_RETURN' AND rw.ev_class <> v.oid) "
        "SELECT n.nspname, c.relname, pg_relation_is_updatable(c.oid, false) "
        "FROM v JOIN pg_class c ON c.oid = v.oid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE v.oid <> $1::oid AND c.relkind = 'v' AND NOT EXISTS (SELECT 1 FROM pg_trigger t "
        "  WHERE t.tgrelid = c.oid AND (t.tgtype & 64) <> 0)",   /* INSTEAD OF: by its trigger */
        1, p2, "cannot read the views over the old table", err);
    if (!r)
        return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        int upd = atoi(PQgetvalue(r, i, 2));
        if (!(upd & (4 | 8 | 16)))   /* 1 << CMD_UPDATE, CMD_INSERT, CMD_DELETE */
            continue;
        char d[300];
        snprintf(d, sizeof d, "auto-updatable view %s.%s", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
        if (add_name(&s->names, PGW_VIEW_AUTO, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), 0, 0, d) < 0)
            goto oom;
    }
    PQclear(r);

    /* Functions and procedures written in SQL or PL/pgSQL, their bodies. */
    PGresult *fn = query(pg,
        "SELECT n.nspname, p.proname, p.prosecdef, pg_get_userbyid(p.proowner), "
        "  CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_functiondef(p.oid) ELSE p.prosrc END, "
        "  p.oid::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "JOIN pg_language l ON l.oid = p.prolang "
        "WHERE l.lanname IN ('sql', 'plpgsql') AND p.prokind IN ('f', 'p') "
        "  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'cutover_audit')",
        0, NULL, "cannot read the functions", err);
    if (!fn)
        return -1;
    /* Triggers on other relations, and rules that are not a view's SELECT. */
    PGresult *tg = query(pg,
        "SELECT n.nspname, c.relname, c.relkind::text, t.tgname, t.tgtype, t.tgfoid::text, "
        "  fn.proname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_proc fn ON fn.oid = t.tgfoid "
        "JOIN pg_namespace fnn ON fnn.oid = fn.pronamespace "
        "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND fnn.nspname <> 'cutover_audit'",
        0, NULL, "cannot read the triggers", err);
    PGresult *ru = tg ? query(pg,
        "SELECT n.nspname, c.relname, rw.rulename, rw.ev_type::text, pg_get_ruledef(rw.oid) "
        "FROM pg_rewrite rw JOIN pg_class c ON c.oid = rw.ev_class "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE rw.ev_type <> '1' AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
        0, NULL, "cannot read the rules", err) : NULL;
    if (!tg || !ru) {
        PQclear(fn);
        PQclear(tg);
        return -1;
    }
    /* To a fixed point: a function that calls a writing function writes;
     * a trigger whose function writes makes its relation a way in. */
    int changed = 1;
    for (int round = 0; changed && round < 16; round++) {
        changed = 0;
        for (int i = 0; i < PQntuples(fn); i++) {
            unsigned ops = pgw_writes(PQgetvalue(fn, i, 4), &s->names, 1, NULL);
            if (!ops)
                continue;
            int secdef = PQgetvalue(fn, i, 2)[0] == 't';
            char d[300];
            snprintf(d, sizeof d, "function %s.%s()%s%s", PQgetvalue(fn, i, 0),
                     PQgetvalue(fn, i, 1), secdef ? " SECURITY DEFINER, owner " : "",
                     secdef ? PQgetvalue(fn, i, 3) : "");
            size_t before = s->names.n;
            unsigned had = 0;
            for (size_t k = 0; k < before; k++)
                if (s->names.v[k].kind == PGW_FUNCTION &&
                    strcmp(s->names.v[k].name, PQgetvalue(fn, i, 1)) == 0 &&
                    strcmp(s->names.v[k].schema, PQgetvalue(fn, i, 0)) == 0)
                    had = s->names.v[k].ops;
            int rc = add_name(&s->names, PGW_FUNCTION, PQgetvalue(fn, i, 0), PQgetvalue(fn, i, 1),
                              ops, 0, d);
            if (rc < 0)
                goto oom_all;
            if (rc > 0) {
                struct pgw_name *e = &s->names.v[s->names.n - 1];
                e->secdef = secdef;
                free(e->owner);
                if (!(e->owner = dup(PQgetvalue(fn, i, 3))))
                    goto oom_all;
            }
            changed |= rc > 0 || (had | ops) != had;
        }
        for (int i = 0; i < PQntuples(tg); i++) {
            int f = -1;
            for (size_t k = 0; k < s->names.n && f < 0; k++)
                if (s->names.v[k].kind == PGW_FUNCTION &&
                    strcmp(s->names.v[k].name, PQgetvalue(tg, i, 6)) == 0)
                    f = (int)k;
            if (f < 0)
                continue;
            const char *relkind = PQgetvalue(tg, i, 2);
            int tgtype = atoi(PQgetvalue(tg, i, 4));
            int instead = (tgtype & 64) != 0;
            enum pgw_kind kind = relkind[0] == 'v' && instead ? PGW_VIEW_INSTEAD : PGW_TRIGGER;
            if (kind == PGW_TRIGGER && lookup(&s->names, PQgetvalue(tg, i, 0), PQgetvalue(tg, i, 1), 0) >= 0 &&
                s->names.v[lookup(&s->names, PQgetvalue(tg, i, 0), PQgetvalue(tg, i, 1), 0)].kind == PGW_TABLE)
                continue;   /* the table's own trigger writing itself */
            char d[400];
            snprintf(d, sizeof d, "%s %s.%s: trigger %s → %s()",
                     kind == PGW_VIEW_INSTEAD ? "view with INSTEAD OF trigger" : "trigger on table",
                     PQgetvalue(tg, i, 0), PQgetvalue(tg, i, 1), PQgetvalue(tg, i, 3),
                     PQgetvalue(tg, i, 6));
            int rc = add_name(&s->names, kind, PQgetvalue(tg, i, 0), PQgetvalue(tg, i, 1),
                              s->names.v[f].ops, trigger_events(tgtype), d);
            if (rc < 0)
                goto oom_all;
            changed |= rc > 0;
        }
        for (int i = 0; i < PQntuples(ru); i++) {
            unsigned ops = pgw_writes(PQgetvalue(ru, i, 4), &s->names, 0, NULL);
            if (!ops || lookup(&s->names, PQgetvalue(ru, i, 0), PQgetvalue(ru, i, 1), 0) >= 0)
                continue;
            static const unsigned ev[] = {0, 0, PGW_UPDATE, PGW_INSERT, PGW_DELETE};
            int t = atoi(PQgetvalue(ru, i, 3));
            char d[400];
            snprintf(d, sizeof d, "rule %s on %s.%s", PQgetvalue(ru, i, 2), PQgetvalue(ru, i, 0),
                     PQgetvalue(ru, i, 1));
            int rc = add_name(&s->names, PGW_RULE, PQgetvalue(ru, i, 0), PQgetvalue(ru, i, 1), ops,
                              t >= 0 && t <= 4 ? ev[t] : 0, d);
            if (rc < 0)
                goto oom_all;
            changed |= rc > 0;
        }
    }
    PQclear(fn);
    PQclear(tg);
    PQclear(ru);
    return 0;
oom_all:
    PQclear(fn);
    PQclear(tg);
    PQclear(ru);
    error_set(err, "out of memory");
    return -1;
oom:
    PQclear(r);
    error_set(err, "out of memory");
    return -1;
}

/* ---- the statistics --------------------------------------------------------- */

static void setting(PGconn *pg, const char *name, char *out, size_t len)
{
    const char *p[] = {name};
    PGresult *r = PQexecParams(pg, "SELECT current_setting($1, true)", 1, NULL, p, NULL, NULL, 0);
    snprintf(out, len, "%s", PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
                                     !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
}

/* Is the extension created here and its library preloaded? Says which
 * when not, in s->note. */
static int extension_ready(PGconn *pg, struct pgw_stats *s, char *schema, size_t len)
{
    /* shared_preload_libraries is for superusers and pg_read_all_settings
     * only; the library's own settings exist in every backend once it is
     * preloaded, and are readable by all */
    char preload[400];
    setting(pg, "shared_preload_libraries", preload, sizeof preload);
    int preloaded = strstr(preload, "pg_stat_statements") != NULL || s->track[0];
    PGresult *r = PQexec(pg, "SELECT quote_ident(n.nspname) FROM pg_extension e "
                             "JOIN pg_namespace n ON n.oid = e.extnamespace "
                             "WHERE e.extname = 'pg_stat_statements'");
    int created = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    snprintf(schema, len, "%s", created ? PQgetvalue(r, 0, 0) : "public");
    PQclear(r);
    if (!preloaded && !created)
        snprintf(s->note, sizeof s->note,
                 "pg_stat_statements is not installed: add it to shared_preload_libraries "
                 "(a restart), then CREATE EXTENSION pg_stat_statements in this database");
    else if (!preloaded)
        snprintf(s->note, sizeof s->note,
                 "pg_stat_statements is created but not in shared_preload_libraries: it records "
                 "nothing until the server is restarted with it preloaded");
    else if (!created)
        snprintf(s->note, sizeof s->note,
                 "pg_stat_statements is preloaded but not created in this database: "
                 "CREATE EXTENSION pg_stat_statements");
    else
        return 1;
    return 0;
}

/* When the statistics were last reset, as UTC text ("" when the view
 * that says it, pg_stat_statements_info, cannot be read). */
static void read_reset(PGconn *pg, const char *schema, char *out, size_t len)
{
    char sql[400];
    snprintf(sql, sizeof sql, "SELECT to_char(stats_reset AT TIME ZONE 'UTC', "
             "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM %s.pg_stat_statements_info", schema);
    PGresult *r = PQexec(pg, sql);
    snprintf(out, len, "%s", PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
                                     !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
}

int pgw_since(struct pg_conn *pg, const char *since, const char *reset, int *in_force,
              int *stats_after, struct error *err)
{
    const char *p[] = {since, reset && *reset ? reset : NULL};
    PGresult *r = query(pg, "SELECT $1::timestamptz <= now(), "
                        "coalesce($2::timestamptz >= $1::timestamptz, false)", 2, p,
                        "`dual-write began` cannot be read as a time", err);
    if (!r)
        return -1;
    *in_force = PQgetvalue(r, 0, 0)[0] == 't';
    *stats_after = PQgetvalue(r, 0, 1)[0] == 't';
    PQclear(r);
    return 0;
}

int pgw_statements(const char *conn, const char *table, struct pgw_stats *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    PGconn *pg = pgw_connect(conn, err);
    if (!pg)
        return -1;
    if (resolve(pg, table, out, err) != 0)
        goto fail;
    setting(pg, "pg_stat_statements.track", out->track, sizeof out->track);
    setting(pg, "pg_stat_statements.track_utility", out->track_utility, sizeof out->track_utility);
    char schema[200], sql[1024];
    if (!extension_ready(pg, out, schema, sizeof schema)) {
        PQfinish(pg);
        return 0;
    }
    /* in the extension's schema, whatever the search_path; another role's
     * query texts read as "<insufficient privilege>" */
    snprintf(sql, sizeof sql,
             "SELECT coalesce(r.rolname, s.userid::text), s.query, s.calls, s.rows, s.toplevel "
             "FROM %s.pg_stat_statements s LEFT JOIN pg_roles r ON r.oid = s.userid "
             "WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
             "ORDER BY s.calls DESC", schema);
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        char line[300];
        snprintf(line, sizeof line, "%s", PQresultErrorMessage(r));
        line[strcspn(line, "\n")] = '\0';
        snprintf(out->note, sizeof out->note, "pg_stat_statements cannot be read: %s", line);
        PQclear(r);
        PQfinish(pg);
        return 0;
    }
    out->available = 1;
    out->entries = (size_t)PQntuples(r);
    read_reset(pg, schema, out->reset, sizeof out->reset);
    size_t hidden = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *q = PQgetvalue(r, i, 1);
        if (strcmp(q, "<insufficient privilege>") == 0) {
            hidden++;
            continue;
        }
        int via = -1;
        unsigned ops = pgw_writes(q, &out->names, 0, &via);
        if (!ops)
            continue;
        struct pgw_stmt *v = realloc(out->v, (out->n + 1) * sizeof *v);
        if (!v)
            goto oom;
        out->v = v;
        struct pgw_stmt *st = &v[out->n];
        memset(st, 0, sizeof *st);
        st->role = dup(PQgetvalue(r, i, 0));
        st->query = dup(q);
        out->n++;
        if (!st->role || !st->query)
            goto oom;
        st->calls = atoll(PQgetvalue(r, i, 2));
        st->rows = atoll(PQgetvalue(r, i, 3));
        st->ops = ops;
        st->via = via;
        st->toplevel = PQgetvalue(r, i, 4)[0] != 'f';
        /* nested, as the owner of a SECURITY DEFINER function that writes:
         * the statement inside that function, whose callers are seen by
         * their own top-level calls */
        for (size_t k = 0; k < out->names.n && !st->toplevel; k++)
            if (out->names.v[k].kind == PGW_FUNCTION && out->names.v[k].secdef &&
                strcmp(out->names.v[k].owner, st->role) == 0)
                st->secdef_nested = 1;
    }
    if (hidden)
        snprintf(out->note, sizeof out->note,
                 "%zu statements of other roles are hidden from this role "
                 "(grant it pg_read_all_stats to see them)", hidden);
    PQclear(r);
    PQfinish(pg);
    return 0;
oom:
    PQclear(r);
    error_set(err, "out of memory");
fail:
    PQfinish(pg);
    pgw_stats_free(out);
    return -1;
}

void pgw_stats_free(struct pgw_stats *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].role);
        free(s->v[i].query);
    }
    free(s->v);
    names_free(&s->names);
    memset(s, 0, sizeof *s);
}

const char *const *pgw_limits(const struct pgw_stats *s)
{
    static const char *const top[] = {
        "pg_stat_statements.track = top: statements run inside functions and triggers are "
        "invisible; only the outer call (a SELECT f(), an INSERT on another table) shows, "
        "found here through the catalog",
        "failed statements are not recorded; identical statements (after constants are "
        "replaced by $n) share one entry, whoever ran them under the same role",
        "the statistics know the role, not the application: application_name comes from "
        "--capture",
        NULL};
    static const char *const all[] = {
        "pg_stat_statements.track = all: nested statements appear with toplevel = false, with "
        "no link to the outer call that ran them; inside a SECURITY DEFINER function they run "
        "as its owner",
        "failed statements are not recorded; identical statements (after constants are "
        "replaced by $n) share one entry, whoever ran them under the same role",
        "the statistics know the role, not the application: application_name comes from "
        "--capture",
        NULL};
    static const char *const none[] = {
        "pg_stat_statements.track = none: nothing is being recorded",
        NULL};
    if (strcmp(s->track, "all") == 0)
        return all;
    if (strcmp(s->track, "none") == 0)
        return none;
    return top;
}
