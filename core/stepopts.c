/* stepopts.c — the action steps' options and their parsers (stepopts.h):
 * one table says which action takes which key and which flag of the
 * job's command line it becomes; one function reads each value, for the
 * runbook's check and for the job alike. */
#include "stepopts.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codescan.h"
#include "number.h"
#include "throttle.h"
#include "units.h"

static const struct stepopt table[] = {
    {RB_ACTION_BACKFILL, "rate", "--rate"},
    {RB_ACTION_BACKFILL, "batch", "--batch"},
    {RB_ACTION_BACKFILL, "throttle", NULL},
    {RB_ACTION_WRITERS, "code", "--code"},
    {RB_ACTION_WRITERS, "capture", "--capture"},
};
#define N_TABLE (sizeof table / sizeof table[0])

/* What any step takes, whatever its action: {any order}, {irreversible},
 * {needs=writers} (runbook.c, noreturn.c, writersfold.c read them). */
static const char *const every_step[] = {"any", "order", "irreversible", "needs"};

int stepopts_rate(const char *text, double *rows_per_s, char *wants, size_t len)
{
    char *end = NULL;
    double v = text && *text ? number_strtod(text, &end) : -1;
    if (!end || end == text || *end || !isfinite(v) || v < 0) {
        snprintf(wants, len, "rows per second, a number 0 or more (0: no limit)");
        return -1;
    }
    *rows_per_s = v;
    return 0;
}

int stepopts_batch(const char *text, long *rows, char *wants, size_t len)
{
    char *end = NULL;
    errno = 0;
    long v = text && *text ? strtol(text, &end, 10) : 0;
    if (!end || end == text || *end || errno == ERANGE || v < 1) {
        snprintf(wants, len, "a number of rows, 1 or more");
        return -1;
    }
    *rows = v;
    return 0;
}

int stepopts_capture(const char *text, int64_t *ms, char *wants, size_t len)
{
    int64_t v = 0;
    if (!text || units_parse_duration(text, &v) != 0 || v <= 0) {
        snprintf(wants, len, "a duration such as 30s or 10m");
        return -1;
    }
    *ms = v;
    return 0;
}

int stepopts_code(const char *dir, char *wants, size_t len)
{
    struct error err = {{0}};
    if (dir && *dir && codescan_dir_check(dir, &err) == 0)
        return 0;
    char cwd[PATH_MAX] = "";
    if (dir && *dir && dir[0] != '/' && !getcwd(cwd, sizeof cwd))
        cwd[0] = '\0';
    snprintf(wants, len, "a directory that can be read%s%s%s", cwd[0] ? " (seen from " : "", cwd,
             cwd[0] ? ", where the job runs)" : "");
    return -1;
}

const struct stepopt *stepopts_of(enum rb_action a, size_t *n)
{
    size_t first = 0;
    while (first < N_TABLE && table[first].action != a)
        first++;
    size_t k = first;
    while (k < N_TABLE && table[k].action == a)
        k++;
    *n = k - first;
    return *n ? &table[first] : NULL;
}

static int add(struct stepopts_problems *out, int line, int warning, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int add(struct stepopts_problems *out, int line, int warning, const char *fmt, ...)
{
    struct stepopts_problem *v = realloc(out->v, (out->n + 1) * sizeof *v);
    if (!v)
        return -1;
    out->v = v;
    struct stepopts_problem *p = &v[out->n++];
    p->line = line;
    p->warning = warning;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
    out->n_errors += !warning;
    return 0;
}

/* One value of a known option: 0, or 1 with what is wanted in wants. */
static int bad_value(const struct runbook *rb, const struct rb_step *st, const char *key,
                     const char *value, char *wants, size_t len)
{
    double rate;
    long batch;
    int64_t ms;
    if (strcmp(key, "rate") == 0)
        return stepopts_rate(value, &rate, wants, len) != 0;
    if (strcmp(key, "batch") == 0)
        return stepopts_batch(value, &batch, wants, len) != 0;
    if (strcmp(key, "capture") == 0)
        return stepopts_capture(value, &ms, wants, len) != 0;
    if (strcmp(key, "code") == 0)
        return stepopts_code(value, wants, len) != 0;
    if (strcmp(key, "throttle") == 0) {
        struct throttle t = {.line = st->line};
        return throttle_parse_text(rb, value, &t, wants, len) != 0;
    }
    return 0;
}

/* "rate, batch, throttle", or "none". */
static void list_keys(enum rb_action a, char *buf, size_t len)
{
    size_t n, used = 0;
    const struct stepopt *o = stepopts_of(a, &n);
    snprintf(buf, len, "%s", n ? "" : "none");
    for (size_t i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", o[i].key);
}

static const struct stepopt *known(const char *key)
{
    for (size_t i = 0; i < N_TABLE; i++)
        if (strcmp(table[i].key, key) == 0)
            return &table[i];
    return NULL;
}

static int check_step(const struct runbook *rb, const struct rb_step *st,
                      struct stepopts_problems *out)
{
    const char *action = rb_action_name(st->action);
    for (size_t a = 0; a < st->n_attrs; a++) {
        const char *key = st->attrs[a].key, *value = st->attrs[a].value;
        int general = 0;
        for (size_t g = 0; g < sizeof every_step / sizeof every_step[0]; g++)
            general |= strcmp(key, every_step[g]) == 0;
        const struct stepopt *o = known(key);
        char wants[300], keys[120];
        if (general)
            continue;
        if (o && o->action == st->action) {
            if (!bad_value(rb, st, key, value, wants, sizeof wants))
                continue;
            /* throttle's parser names the condition itself */
            if ((strcmp(key, "throttle") == 0
                     ? add(out, st->line, 0, "step %s (%s): %s", st->id, action, wants)
                     : add(out, st->line, 0, "step %s (%s): `%s=%s`: expected %s", st->id, action,
                           key, value, wants)) != 0)
                return -1;
            continue;
        }
        list_keys(st->action, keys, sizeof keys);
        char whose[120] = "";
        if (o)
            snprintf(whose, sizeof whose, "; `%s` is a %s step's", key, rb_action_name(o->action));
        if (add(out, st->line, 1, "step %s (%s): option `%s` is not one a %s step takes (%s%s)",
                st->id, action, key, action, keys, whose) != 0)
            return -1;
    }
    return 0;
}

int stepopts_check(const struct runbook *rb, struct stepopts_problems *out)
{
    *out = (struct stepopts_problems){0};
    for (size_t i = 0; i < rb->n_steps; i++)
        if (rb->steps[i].action != RB_ACTION_NONE && check_step(rb, &rb->steps[i], out) != 0) {
            stepopts_problems_free(out);
            return -1;
        }
    return 0;
}

void stepopts_problems_free(struct stepopts_problems *p)
{
    free(p->v);
    *p = (struct stepopts_problems){0};
}
