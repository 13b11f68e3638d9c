/* writers.c — the `## Writers` section read into declarations, and the
 * code's write sites attributed to them. A site belongs to the writer
 * whose `code` path is the site's file or a directory holding it; what no
 * writer claims is an unknown writer, one per file, because a file is
 * what an engineer goes and reads. */
#include "writers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgwriters.h"
#include "rbsection.h"

struct parse {
    struct writers_decls *d;
    int oom;
};

static void problem(struct parse *p, int line, const char *fmt, const char *arg, int n)
{
    struct writers_decls *d = p->d;
    struct writers_problem *v = realloc(d->problems, (d->n_problems + 1) * sizeof *v);
    if (!v) {
        p->oom = 1;
        return;
    }
    d->problems = v;
    v[d->n_problems].line = line;
    snprintf(v[d->n_problems].msg, sizeof v[d->n_problems].msg, fmt, n, arg);
    d->n_problems++;
}

static char *dup_n(struct parse *p, const char *s, size_t n)
{
    char *r = strndup(s, n);
    if (!r)
        p->oom = 1;
    return r;
}

static int push(struct parse *p, char ***v, size_t *n, char *s)
{
    char **w = s ? realloc(*v, (*n + 1) * sizeof *w) : NULL;
    if (!w) {
        free(s);
        p->oom = 1;
        return -1;
    }
    *v = w;
    w[(*n)++] = s;
    return 0;
}

static int blank(char c)
{
    return c == ' ' || c == '\t';
}

/* One clause: WORD `VALUE`, or the flag dual-writes / old only. Returns
 * the bytes used, 0 on a problem (reported). */
static size_t clause(struct parse *p, struct writer_decl *w, const char *s, size_t n, int line)
{
    size_t k = 0;
    while (k < n && !blank(s[k]) && s[k] != '`')
        k++;
    if (k == 11 && strncmp(s, "dual-writes", 11) == 0) {
        w->dual_writes = 1;
        return k;
    }
    if (k == 3 && strncmp(s, "old", 3) == 0) {
        size_t j = k;
        while (j < n && blank(s[j]))
            j++;
        if (n - j >= 4 && strncmp(s + j, "only", 4) == 0) {
            w->dual_writes = 0;
            return j + 4;
        }
    }
    size_t j = k;
    while (j < n && blank(s[j]))
        j++;
    const char *close = j < n && s[j] == '`' ? memchr(s + j + 1, '`', n - j - 1) : NULL;
    if (!k || !close) {
        problem(p, line, "writer clause `%.*s` not understood: expected app `NAME`, role `NAME`, "
                         "statement `TEXT`, code `PATH`, model `NAME`, dual-writes or old only",
                s, (int)(k ? k : n));
        return 0;
    }
    char *v = dup_n(p, s + j + 1, (size_t)(close - s - j - 1));
    if (!v)
        return 0;
    char **slot = NULL;
    if (k == 3 && strncmp(s, "app", 3) == 0)
        slot = &w->app;
    else if (k == 4 && strncmp(s, "role", 4) == 0)
        slot = &w->role;
    else if (k == 9 && strncmp(s, "statement", 9) == 0)
        slot = &w->statement;
    if (slot) {
        free(*slot);
        *slot = v;
    } else if (k == 4 && strncmp(s, "code", 4) == 0) {
        push(p, &w->code, &w->n_code, v);
    } else if (k == 5 && strncmp(s, "model", 5) == 0) {
        push(p, &w->models, &w->n_models, v);
    } else {
        free(v);
        problem(p, line, "unknown writer clause `%.*s`: expected app, role, statement, code or model",
                s, (int)k);
        return 0;
    }
    return (size_t)(close - s) + 1;
}

static void decl_free(struct writer_decl *w)
{
    free(w->name);
    free(w->app);
    free(w->role);
    free(w->statement);
    for (size_t i = 0; i < w->n_code; i++)
        free(w->code[i]);
    for (size_t i = 0; i < w->n_models; i++)
        free(w->models[i]);
    free(w->code);
    free(w->models);
}

/* - dual-write began: at `TIME` stamp `COLUMN` */
#define SINCE_NAME "dual-write began"
static int since_item(struct parse *p, const char *s, size_t n, int line)
{
    struct writers_decls *d = p->d;
    if (d->since_line) {
        problem(p, line, "`dual-write began` is given twice%.*s", "", 0);
        return p->oom;
    }
    char *at = NULL, *col = NULL;
    for (size_t i = 0; i < n && !p->oom;) {
        while (i < n && blank(s[i]))
            i++;
        if (i >= n)
            break;
        size_t k = i;
        while (k < n && !blank(s[k]) && s[k] != '`')
            k++;
        size_t j = k;
        while (j < n && blank(s[j]))
            j++;
        const char *close = j < n && s[j] == '`' ? memchr(s + j + 1, '`', n - j - 1) : NULL;
        char **slot = k - i == 2 && strncmp(s + i, "at", 2) == 0       ? &at
                      : k - i == 5 && strncmp(s + i, "stamp", 5) == 0 ? &col
                                                                        : NULL;
        if (!slot || !close || *slot) {
            problem(p, line, "`dual-write began:` expects at `TIME` stamp `COLUMN`, found `%.*s`",
                    s + i, (int)(n - i));
            free(at), free(col);
            return p->oom;
        }
        *slot = dup_n(p, s + j + 1, (size_t)(close - s - j - 1));
        i = (size_t)(close - s) + 1;
    }
    int date = at && strlen(at) >= 10 && at[4] == '-' && at[7] == '-';
    for (int i = 0; date && i < 10; i++)
        date = i == 4 || i == 7 || (at[i] >= '0' && at[i] <= '9');
    if (!p->oom && (!date || !col)) {
        problem(p, line, "`dual-write began:` needs at `YYYY-MM-DDTHH:MM:SSZ` and stamp `COLUMN` "
                "(old's column that holds when a row was written)%.*s", "", 0);
        free(at), free(col);
        return p->oom;
    }
    d->since = at, d->since_column = col, d->since_line = line;
    return p->oom;
}

/* - NAME: clause clause … */
static int item(void *ctx, const char *s, size_t n, int line)
{
    struct parse *p = ctx;
    const char *colon = memchr(s, ':', n);
    size_t sn = strlen(SINCE_NAME);
    if (colon && (size_t)(colon - s) == sn && strncmp(s, SINCE_NAME, sn) == 0)
        return since_item(p, colon + 1, n - sn - 1, line);
    if (!colon || colon == s) {
        problem(p, line, "expected a writer `- NAME: app `…` code `…` [dual-writes]`, found `%.*s`",
                s, (int)n);
        return p->oom;
    }
    struct writer_decl w = {.line = line};
    size_t nl = (size_t)(colon - s);
    while (nl && blank(s[nl - 1]))
        nl--;
    w.name = dup_n(p, s, nl);
    size_t i = (size_t)(colon - s) + 1;
    int ok = 1;
    while (i < n && ok && !p->oom) {
        while (i < n && blank(s[i]))
            i++;
        if (i >= n)
            break;
        size_t used = clause(p, &w, s + i, n - i, line);
        ok = used > 0;
        i += used;
    }
    if (ok && !p->oom && !w.app && !w.role && !w.statement && !w.n_code && !w.n_models) {
        problem(p, line, "writer `%.*s` says nothing to recognise it by: give its app, role, "
                         "statement, code or model", s, (int)nl);
        ok = 0;
    }
    struct writer_decl *v = ok && !p->oom ? realloc(p->d->v, (p->d->n + 1) * sizeof *v) : NULL;
    if (!v) {
        p->oom |= ok;
        decl_free(&w);
        return p->oom;
    }
    p->d->v = v;
    v[p->d->n++] = w;
    return 0;
}

/* `{needs=writers}` on a step or a phase heading: the one value known, and
 * only in a runbook with a `writers` step (whose override resolves). */
static void check_needs(struct parse *p, const struct runbook *rb, const struct rb_attr *attrs,
                        size_t n, int line, int has_step)
{
    const char *v = rb_attr_get(attrs, n, "needs");
    if (!v)
        return;
    if (strcmp(v, "writers") != 0)
        problem(p, line, "`needs=%.*s`: the one thing a step may need is `writers` (the writer audit)",
                v, (int)strlen(v));
    else if (!has_step)
        problem(p, line, "`needs=writers`%.*s but the runbook has no step with the action "
                "`writers`: add one (`- [ ] dba: every writer is known `writers``)", "", 0);
    (void)rb;
}

int writers_parse(const struct runbook *rb, struct writers_decls *d)
{
    memset(d, 0, sizeof *d);
    struct parse p = {d, 0};
    int line = rb_section_items(rb, "Writers", item, &p);
    d->line = line > 0 ? line : 0;
    int has_step = 0;
    for (size_t i = 0; i < rb->n_steps; i++)
        has_step |= rb->steps[i].action == RB_ACTION_WRITERS;
    for (size_t i = 0; i < rb->n_phases; i++)
        check_needs(&p, rb, rb->phases[i].attrs, rb->phases[i].n_attrs, rb->phases[i].line, has_step);
    for (size_t i = 0; i < rb->n_steps; i++)
        check_needs(&p, rb, rb->steps[i].attrs, rb->steps[i].n_attrs, rb->steps[i].line, has_step);
    if (p.oom) {
        writers_decls_free(d);
        return -1;
    }
    return 0;
}

void writers_decls_free(struct writers_decls *d)
{
    for (size_t i = 0; i < d->n; i++)
        decl_free(&d->v[i]);
    free(d->v);
    free(d->problems);
    free(d->since);
    free(d->since_column);
    memset(d, 0, sizeof *d);
}

/* ---- attribution ---------------------------------------------------------- */

/* `dir/` holds every file under it; `file` only itself. */
static int path_claims(const char *claim, const char *path)
{
    size_t n = strlen(claim);
    if (n && claim[n - 1] == '/')
        return strncmp(path, claim, n) == 0;
    return strcmp(path, claim) == 0;
}

static struct writer_seen *seen_for(struct writers_audit *a, const struct writer_decl *decl,
                                    const char *name)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].decl == decl && (decl || strcmp(a->v[i].name, name) == 0))
            return &a->v[i];
    struct writer_seen *v = realloc(a->v, (a->n + 1) * sizeof *v);
    if (!v)
        return NULL;
    a->v = v;
    struct writer_seen *w = &v[a->n++];
    memset(w, 0, sizeof *w);
    w->decl = decl;
    w->possible_only = 1;
    w->skipped = -1;
    snprintf(w->name, sizeof w->name, "%s", name);
    if (!decl) {
        a->unknown++;
        snprintf(w->why, sizeof w->why, "not declared in ## Writers");
    }
    return w;
}

static int add(struct writer_seen *w, const struct code_site *c)
{
    const struct code_site **v = realloc(w->sites, (w->n_sites + 1) * sizeof *v);
    if (!v)
        return -1;
    w->sites = v;
    v[w->n_sites++] = c;
    w->sources |= WSRC_CODE;
    if (c->use != CODE_POSSIBLE)
        w->possible_only = 0;
    return 0;
}

int writers_audit(const struct writers_decls *d, const struct code_scan *scan,
                  struct writers_audit *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < d->n; i++)
        if (!seen_for(out, &d->v[i], d->v[i].name))
            goto oom;
    for (size_t i = 0; i < scan->n_sites; i++) {
        const struct code_site *c = &scan->sites[i];
        if (c->use != CODE_WRITE && c->use != CODE_POSSIBLE)
            continue;
        const struct writer_decl *owner = NULL;
        for (size_t k = 0; k < d->n && !owner; k++)
            for (size_t m = 0; m < d->v[k].n_code && !owner; m++)
                if (path_claims(d->v[k].code[m], c->path))
                    owner = &d->v[k];
        char name[200];
        snprintf(name, sizeof name, "code: %s", c->path);
        struct writer_seen *w = seen_for(out, owner, owner ? owner->name : name);
        if (!w || add(w, c) != 0)
            goto oom;
    }
    return 0;
oom:
    writers_audit_free(out);
    return -1;
}

static void stmt_free(struct writer_stmt *s)
{
    free(s->app);
    free(s->role);
    free(s->client);
    free(s->text);
    free(s->via);
}

void writers_audit_free(struct writers_audit *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->v[i].sites);
        for (size_t k = 0; k < a->v[i].n_stmts; k++)
            stmt_free(&a->v[i].stmts[k]);
        free(a->v[i].stmts);
    }
    free(a->v);
    memset(a, 0, sizeof *a);
}

/* ---- what the database sources saw ------------------------------------------ */

static int same(const char *a, const char *b)
{
    return a && b && *a && strcmp(a, b) == 0;
}

static const struct writer_decl *decl_for(const struct writers_audit *a,
                                          const struct writers_decls *d,
                                          const struct writer_stmt *s)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].statement && s->text && strstr(s->text, d->v[i].statement))
            return &d->v[i];
    for (size_t i = 0; i < d->n; i++)
        if (same(d->v[i].app, s->app))
            return &d->v[i];
    /* the statistics know only the role: a role a capture saw under a
     * declared app is that writer's */
    if (!s->app)
        for (size_t i = 0; i < a->n; i++)
            if (a->v[i].decl && a->v[i].decl->app && same(a->v[i].role, s->role))
                return a->v[i].decl;
    for (size_t i = 0; i < d->n; i++)
        if (same(d->v[i].role, s->role) && (!d->v[i].app || !s->app))
            return &d->v[i];
    return NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int writers_observe(struct writers_audit *a, const struct writers_decls *d,
                    const struct writer_stmt *s)
{
    const struct writer_decl *decl = decl_for(a, d, s);
    char name[200];
    snprintf(name, sizeof name, "role: %s", s->role ? s->role : "?");
    struct writer_seen *w = seen_for(a, decl, decl ? decl->name : name);
    if (!w)
        return -1;
    struct writer_stmt *v = realloc(w->stmts, (w->n_stmts + 1) * sizeof *v);
    if (!v)
        return -1;
    w->stmts = v;
    struct writer_stmt *c = &v[w->n_stmts];
    *c = *s;
    c->app = dup_or_null(s->app);
    c->role = dup_or_null(s->role);
    c->client = dup_or_null(s->client);
    c->text = dup_or_null(s->text);
    c->via = dup_or_null(s->via);
    w->n_stmts++;
    w->sources |= s->source;
    if ((s->app && !c->app) || (s->role && !c->role) || (s->client && !c->client) ||
        (s->text && !c->text) || (s->via && !c->via))
        return -1;
    w->ops |= s->ops;
    long long calls = s->calls > 0 ? s->calls : 0, rows = s->rows > 0 ? s->rows : 0;
    if (s->source == WSRC_CAPTURE) {
        w->cap_calls += calls;
        w->cap_rows += rows;
        if (!(w->sources & WSRC_STATEMENTS))
            w->calls = w->cap_calls, w->rows = w->cap_rows;
    } else if (!s->nested) {
        if (!(w->stat_seen++))
            w->calls = w->rows = 0;   /* the statistics' figures replace the capture's */
        w->calls += calls;
        w->rows += rows;
    }
    if (!w->app[0] && s->app)
        snprintf(w->app, sizeof w->app, "%s", s->app);
    if (!w->role[0] && s->role)
        snprintf(w->role, sizeof w->role, "%s", s->role);
    return 0;
}

int writers_is_unknown(const struct writer_seen *w)
{
    return !w->decl || w->why[0];
}

void writers_seen_text(unsigned sources, char *buf, size_t len)
{
    static const struct { unsigned bit; const char *word; } names[] = {
        {WSRC_STATEMENTS, "stats"}, {WSRC_CAPTURE, "capture"}, {WSRC_SKIPPED, "skipped"},
        {WSRC_CODE, "code"}};
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if ((sources & names[i].bit) && n + 1 < len)
            n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "+" : "", names[i].word);
    if (!sources)
        snprintf(buf, len, "-");
}

void writers_site_text(const struct code_site *c, char *buf, size_t len)
{
    snprintf(buf, len, "%s:%d%s", c->path, c->line, c->use == CODE_POSSIBLE ? " (possible)" : "");
}

void writers_ops_text(const struct writer_seen *w, char *buf, size_t len)
{
    if (w->ops)
        pgw_ops_text(w->ops, buf, len);
    else
        snprintf(buf, len, "%s", !w->n_sites ? "-" : w->possible_only ? "possible" : "write");
}

int writers_skipped(struct writers_audit *a, const struct writers_decls *d, const char *app,
                    const char *role, long long rows, const char *first_key)
{
    const struct writer_decl *decl = NULL;
    char name[200];
    if (app[0] || role[0]) {
        struct writer_stmt probe = {.source = WSRC_CAPTURE, .app = (char *)app, .role = (char *)role};
        decl = decl_for(a, d, &probe);
        snprintf(name, sizeof name, "role: %s", role);
    } else {
        snprintf(name, sizeof name, "skipped: writer not captured");
    }
    struct writer_seen *w = seen_for(a, decl, decl ? decl->name : name);
    if (!w)
        return -1;
    w->sources |= WSRC_SKIPPED;
    w->skipped = (w->skipped < 0 ? 0 : w->skipped) + rows;
    if (!w->app[0] && app[0])
        snprintf(w->app, sizeof w->app, "%s", app);
    if (!w->role[0] && role[0])
        snprintf(w->role, sizeof w->role, "%s", role);
    if (!decl && !app[0] && !role[0])
        snprintf(w->why, sizeof w->why, "%lld rows reached old and not new since dual-write began "
                 "(key %s, …); no capture saw who wrote them", w->skipped, first_key);
    else if (decl && decl->dual_writes) {
        if (!w->why[0])
            a->unknown++;
        snprintf(w->why, sizeof w->why, "declared dual-writes, but %lld rows it wrote reached old "
                 "and not new (key %s, …): a path of it writes old only", w->skipped, first_key);
    }
    return 0;
}

size_t writers_judge(struct writers_audit *a, const struct writers_decls *d, int in_force,
                     unsigned dated)
{
    size_t made = 0;
    if (!in_force || !d->since)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        struct writer_seen *w = &a->v[i];
        if (!w->decl || w->decl->dual_writes || w->why[0])
            continue;
        unsigned by = 0;
        for (size_t k = 0; k < w->n_stmts; k++)
            if (w->stmts[k].ops)
                by |= w->stmts[k].source & dated;
        if (!by)
            continue;
        char seen[40];
        writers_seen_text(by, seen, sizeof seen);
        snprintf(w->why, sizeof w->why, "declared as not dual-writing (old only), seen writing old "
                 "(%s) since dual-write began at %s", seen, d->since);
        a->unknown++;
        made++;
    }
    return made;
}

size_t writers_n_statements(const struct writer_seen *w)
{
    size_t n = 0;
    for (size_t i = 0; i < w->n_stmts; i++) {
        int dup = 0;
        for (size_t k = 0; k < i && !dup; k++)
            dup = strcmp(w->stmts[k].text, w->stmts[i].text) == 0;
        n += !dup;
    }
    return n;
}
