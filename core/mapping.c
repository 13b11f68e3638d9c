/* mapping.c — the `## Mapping` section read line by line from the
 * runbook's text (the parser keeps unknown sections as prose, so the
 * mapping needs nothing from it but the heading's line), then resolved
 * against both tables' columns (mapping.h). */
#include "mapping.h"

#include "rbsection.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void problem(struct mapping *m, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(struct mapping *m, int line, const char *fmt, ...)
{
    struct map_problem *v = realloc(m->problems, (m->n_problems + 1) * sizeof *v);
    if (!v)
        return;
    m->problems = v;
    v[m->n_problems].line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v[m->n_problems].msg, sizeof v->msg, fmt, ap);
    va_end(ap);
    m->n_problems++;
}

/* One token of an item: a word, or the inside of a code span. */
struct tok {
    const char *s;
    size_t n;
    int code;
};

/* Splits an item's text into at most 8 tokens; -1 on an unclosed span. */
static int tokenize(const char *s, size_t n, struct tok *t, size_t *nt)
{
    size_t i = 0;
    *nt = 0;
    while (i < n) {
        if (isspace((unsigned char)s[i])) {
            i++;
            continue;
        }
        if (*nt == 8)
            return -1;
        if (s[i] == '`') {
            const char *end = memchr(s + i + 1, '`', n - i - 1);
            if (!end)
                return -1;
            t[(*nt)++] = (struct tok){s + i + 1, (size_t)(end - s - i - 1), 1};
            i = (size_t)(end - s) + 1;
        } else {
            size_t j = i;
            while (j < n && !isspace((unsigned char)s[j]) && s[j] != '`')
                j++;
            t[(*nt)++] = (struct tok){s + i, j - i, 0};
            i = j;
        }
    }
    return 0;
}

static int is_word(const struct tok *t, const char *w)
{
    return !t->code && t->n == strlen(w) && memcmp(t->s, w, t->n) == 0;
}

static char *trimmed_dup(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return strndup(s, n);
}

static int is_ident(const char *s)
{
    if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

#define SYNTAX "expected `NEW` from `EXPR`, `NEW` default `VALUE`, key `COLS`, " \
               "version `COL` or exclude `COL`"

/* key `a, b`: the key's columns, split at commas. */
static void parse_key(struct mapping *m, const struct tok *t, int line)
{
    if (m->n_key) {
        problem(m, line, "mapping: the key is given twice (first at line %d)", m->key_line);
        return;
    }
    char *all = strndup(t->s, t->n), *save = NULL;
    for (char *p = all ? strtok_r(all, ",", &save) : NULL; p; p = strtok_r(NULL, ",", &save)) {
        char *c = trimmed_dup(p, strlen(p));
        if (!c || !is_ident(c) || m->n_key == MAP_MAX_KEY) {
            problem(m, line, "mapping: key `%.*s`: expected up to %d column names separated by commas",
                    (int)t->n, t->s, MAP_MAX_KEY);
            free(c);
            break;
        }
        m->key[m->n_key++] = c;
    }
    m->key_line = line;
    free(all);
}

static void parse_item(struct mapping *m, const char *s, size_t n, int line)
{
    struct tok t[8];
    size_t nt;
    if (tokenize(s, n, t, &nt) != 0 || nt != (size_t)(t[0].code ? 3 : 2)) {
        problem(m, line, "mapping: " SYNTAX);
        return;
    }
    if (!t[0].code && t[1].code && (is_word(&t[0], "key") || is_word(&t[0], "version") ||
                                    is_word(&t[0], "exclude"))) {
        if (is_word(&t[0], "key")) {
            parse_key(m, &t[1], line);
        } else if (is_word(&t[0], "version")) {
            if (m->version)
                problem(m, line, "mapping: the version column is given twice (first at line %d)",
                        m->version_line);
            else
                m->version = strndup(t[1].s, t[1].n), m->version_line = line;
        } else {
            char **v = realloc(m->exclude, (m->n_exclude + 1) * sizeof *v);
            int *l = realloc(m->exclude_line, (m->n_exclude + 1) * sizeof *l);
            if (v)
                m->exclude = v;
            if (l)
                m->exclude_line = l;
            if (v && l) {
                v[m->n_exclude] = strndup(t[1].s, t[1].n);
                l[m->n_exclude++] = line;
            }
        }
        return;
    }
    if (!t[0].code || t[1].code || !t[2].code || !(is_word(&t[1], "from") || is_word(&t[1], "default"))) {
        problem(m, line, "mapping: " SYNTAX);
        return;
    }
    char *col = trimmed_dup(t[0].s, t[0].n);
    for (size_t i = 0; col && i < m->n_items; i++)
        if (strcmp(m->items[i].column, col) == 0) {
            problem(m, line, "mapping: column `%s` is already mapped at line %d", col, m->items[i].line);
            free(col);
            return;
        }
    struct map_item *v = realloc(m->items, (m->n_items + 1) * sizeof *v);
    if (!col || !v || t[2].n == 0) {
        if (col && t[2].n == 0)
            problem(m, line, "mapping: column `%s`: the expression is empty", col);
        free(col);
        if (v)
            m->items = v;
        return;
    }
    m->items = v;
    v[m->n_items++] = (struct map_item){col, trimmed_dup(t[2].s, t[2].n),
                                        is_word(&t[1], "from") ? MAP_FROM : MAP_DEFAULT, line};
}

static int on_item(void *ctx, const char *text, size_t len, int line)
{
    parse_item(ctx, text, len, line);
    return 0;
}

int mapping_parse(const struct runbook *rb, struct mapping *m)
{
    *m = (struct mapping){0};
    m->line = rb_section_items(rb, "Mapping", on_item, m);
    return 0;
}

void mapping_free(struct mapping *m)
{
    for (size_t i = 0; i < m->n_key; i++)
        free(m->key[i]);
    free(m->version);
    for (size_t i = 0; i < m->n_items; i++) {
        free(m->items[i].column);
        free(m->items[i].expr);
    }
    free(m->items);
    for (size_t i = 0; i < m->n_exclude; i++)
        free(m->exclude[i]);
    free(m->exclude);
    free(m->exclude_line);
    free(m->problems);
    *m = (struct mapping){0};
}

void map_quote(struct cbuf *b, const char *name)
{
    cbuf_put(b, "\"", 1);
    for (const char *s = name; *s; s++) {
        cbuf_put(b, s, 1);
        if (*s == '"')
            cbuf_put(b, s, 1);
    }
    cbuf_put(b, "\"", 1);
}

static long find(char *const *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], name) == 0)
            return (long)i;
    return -1;
}

static int add_col(struct map_plan *plan, const char *name, const char *old_name,
                   const char *expr, int compared)
{
    struct map_col *v = realloc(plan->cols, (plan->n_cols + 1) * sizeof *v);
    if (!v)
        return -1;
    plan->cols = v;
    struct cbuf q = {0};
    if (old_name)
        map_quote(&q, old_name);
    else
        cbuf_put(&q, expr, strlen(expr));
    v[plan->n_cols++] = (struct map_col){strdup(name), q.p, old_name ? strdup(old_name) : NULL,
                                         compared};
    return 0;
}

static long plan_find(const struct map_plan *plan, const char *name)
{
    for (size_t i = 0; i < plan->n_cols; i++)
        if (strcmp(plan->cols[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* The key's columns: the mapping's, else the system's attribute, else
 * new's primary key; each must come from one column of old. */
static void plan_key(struct mapping *m, struct map_plan *plan, char *const *pk, size_t n_pk,
                     const char *key_attr)
{
    char *names[MAP_MAX_KEY], *attr = NULL, *save = NULL;
    size_t n = 0;
    int line = m->key_line ? m->key_line : m->line;
    if (m->n_key) {
        for (; n < m->n_key; n++)
            names[n] = m->key[n];
    } else if (key_attr && (attr = strdup(key_attr)) != NULL) {
        for (char *p = strtok_r(attr, ", ", &save); p && n < MAP_MAX_KEY; p = strtok_r(NULL, ", ", &save))
            names[n++] = p;
    } else {
        for (; n < n_pk && n < MAP_MAX_KEY; n++)
            names[n] = pk[n];
    }
    if (!n)
        problem(m, line, "mapping: no key: write key `COLUMN` in ## Mapping, or give new a primary key");
    for (size_t i = 0; i < n; i++) {
        long c = plan_find(plan, names[i]);
        if (c < 0 || !plan->cols[c].old_name || !plan->cols[c].compared)
            problem(m, line, "mapping: key column `%s` must be a column of new copied from one column of old",
                    names[i]);
        else
            plan->key[plan->n_key++] = (size_t)c;
    }
    free(attr);
}

int mapping_plan(struct mapping *m, char *const *old_cols, size_t n_old,
                 char *const *new_cols, size_t n_new, char *const *pk, size_t n_pk,
                 const char *key_attr, struct map_plan *plan)
{
    *plan = (struct map_plan){.version = -1};
    size_t before = m->n_problems;
    for (size_t i = 0; i < m->n_items; i++)
        if (find(new_cols, n_new, m->items[i].column) < 0)
            problem(m, m->items[i].line, "mapping: `%s` is not a column of new", m->items[i].column);
        else if (m->items[i].kind == MAP_FROM && is_ident(m->items[i].expr) &&
                 find(old_cols, n_old, m->items[i].expr) < 0)
            problem(m, m->items[i].line, "mapping: `%s` is not a column of old", m->items[i].expr);
    for (size_t i = 0; i < m->n_exclude; i++)
        if (find(old_cols, n_old, m->exclude[i]) < 0)
            problem(m, m->exclude_line[i], "mapping: exclude `%s`: not a column of old", m->exclude[i]);
    for (size_t i = 0; i < n_new; i++) {
        const struct map_item *it = NULL;
        for (size_t j = 0; j < m->n_items; j++)
            if (strcmp(m->items[j].column, new_cols[i]) == 0)
                it = &m->items[j];
        int rc = 0;
        if (it && it->kind == MAP_FROM)
            rc = add_col(plan, new_cols[i], is_ident(it->expr) ? it->expr : NULL, it->expr, 1);
        else if (it)
            rc = add_col(plan, new_cols[i], NULL, it->expr, 0);
        else if (find(old_cols, n_old, new_cols[i]) >= 0 &&
                 find(m->exclude, m->n_exclude, new_cols[i]) < 0)
            rc = add_col(plan, new_cols[i], new_cols[i], NULL, 1);
        if (rc != 0)
            return -1;
    }
    if (!plan->n_cols)
        problem(m, m->line, "mapping: old and new have no column in common, and none is mapped");
    plan_key(m, plan, pk, n_pk, key_attr);
    if (m->version) {
        plan->version = plan_find(plan, m->version);
        if (plan->version < 0 || !plan->cols[plan->version].compared)
            problem(m, m->version_line, "mapping: version `%s` must be a column of new copied from old",
                    m->version);
    }
    return m->n_problems > before ? -1 : 0;
}

void map_plan_free(struct map_plan *plan)
{
    for (size_t i = 0; i < plan->n_cols; i++) {
        free(plan->cols[i].name);
        free(plan->cols[i].old_sql);
        free(plan->cols[i].old_name);
    }
    free(plan->cols);
    *plan = (struct map_plan){.version = -1};
}
