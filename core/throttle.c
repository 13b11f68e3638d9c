/* throttle.c — the backfill's throttle conditions (throttle.h): parsed
 * from the `backfill` step's attribute, judged against the latest reading
 * of each signal. */
#include "throttle.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "criteria.h"

/* A reading older than this many poll intervals is stale (signals.h). */
#define STALE_INTERVALS 3

static const struct {
    const char *s;
    enum rb_op op;
} ops[] = {{">=", RB_GE}, {"<=", RB_LE}, {">", RB_GT}, {"<", RB_LT}};

static const struct {
    const char *unit;
    double scale;   /* the written number times this is the signal's value */
} units[] = {{"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}, {"%", 0.01}, {"", 1}};

static const char *skip(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* digits[.digits], by hand: strtod follows the locale. */
static const char *number(const char *p, double *out)
{
    double v = 0, scale = 1;
    int digits = 0, frac = 0;
    for (; isdigit((unsigned char)*p) || (*p == '.' && !frac); p++) {
        if (*p == '.') {
            frac = 1;
            continue;
        }
        v = v * 10 + (*p - '0');
        scale *= frac ? 10 : 1;
        digits++;
    }
    *out = v / scale;
    return digits ? p : NULL;
}

static int parse_one(const struct runbook *rb, const char *s, size_t n, struct throttle_cond *c,
                     char *why, size_t len)
{
    char text[256];
    snprintf(text, sizeof text, "%.*s", (int)n, s);
    const char *p = skip(text), *name = p;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    size_t nn = (size_t)(p - name);
    p = skip(p);
    size_t k = 0;
    while (k < sizeof ops / sizeof ops[0] && strncmp(p, ops[k].s, strlen(ops[k].s)) != 0)
        k++;
    double v = 0;
    const char *after = k < sizeof ops / sizeof ops[0] ? number(skip(p + strlen(ops[k].s)), &v)
                                                         : NULL;
    if (!nn || !after) {
        snprintf(why, len, "throttle `%s`: expected SIGNAL OP VALUE, e.g. `replica_lag > 5s` "
                           "(OP one of >, >=, <, <=)", text);
        return -1;
    }
    size_t u = 0;
    after = skip(after);
    while (u < sizeof units / sizeof units[0] &&
           !(strncmp(after, units[u].unit, strlen(units[u].unit)) == 0 &&
             *skip(after + strlen(units[u].unit)) == '\0'))
        u++;
    if (u == sizeof units / sizeof units[0]) {
        snprintf(why, len, "throttle `%s`: `%s` is not a unit (ms, s, m, h or %%)", text, after);
        return -1;
    }
    *c = (struct throttle_cond){.op = ops[k].op, .bound = v * units[u].scale};
    snprintf(c->unit, sizeof c->unit, "%s", units[u].unit);
    for (size_t i = 0; i < rb->n_signals; i++)
        if (strlen(rb->signals[i].name) == nn && strncmp(rb->signals[i].name, name, nn) == 0)
            c->signal = &rb->signals[i];
    if (!c->signal) {
        snprintf(why, len, "throttle `%s`: unknown signal `%.*s`: it is not in ## Signals", text,
                 (int)nn, name);
        return -1;
    }
    return 0;
}

int throttle_parse_text(const struct runbook *rb, const char *text, struct throttle *t,
                        char *why, size_t len)
{
    int line = t->line;
    *t = (struct throttle){.line = line};
    for (const char *p = text; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (t->n == THROTTLE_MAX) {
            snprintf(why, len, "throttle: at most %d conditions", THROTTLE_MAX);
            return -1;
        }
        if (parse_one(rb, p, n, &t->c[t->n], why, len) != 0)
            return -1;
        t->n++;
        p += n + (comma ? 1 : 0);
    }
    return 0;
}

int throttle_parse(const struct runbook *rb, struct throttle *t, char *why, size_t len)
{
    *t = (struct throttle){0};
    const char *text = NULL;
    for (size_t i = 0; i < rb->n_steps && !text; i++) {
        if (rb->steps[i].action != RB_ACTION_BACKFILL)
            continue;
        for (size_t a = 0; a < rb->steps[i].n_attrs; a++)
            if (strcmp(rb->steps[i].attrs[a].key, "throttle") == 0) {
                text = rb->steps[i].attrs[a].value;
                t->line = rb->steps[i].line;
            }
    }
    return throttle_parse_text(rb, text, t, why, len);
}

/* The value in the unit the runbook wrote: "7.2 s", "1.5 %", "3". */
static void in_unit(const struct throttle_cond *c, double v, char *buf, size_t len)
{
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
        if (strcmp(units[u].unit, c->unit) == 0) {
            snprintf(buf, len, "%.3g%s%s", v / units[u].scale, c->unit[0] ? " " : "", c->unit);
            return;
        }
    snprintf(buf, len, "%.3g", v);
}

int throttle_judge(const struct throttle_cond *c, const struct throttle_reading *r,
                   int64_t now_ms, char *why, size_t len)
{
    const char *name = c->signal->name;
    int64_t interval = c->signal->interval_ms > 0 ? c->signal->interval_ms : 1000;
    if (!r->seen) {
        snprintf(why, len, "%s: not read yet", name);
        return 1;
    }
    if (!r->has_value || strcmp(r->status, "ok") != 0) {
        snprintf(why, len, "%s: %s", name, strcmp(r->status, "ok") ? r->status : "no data");
        return 1;
    }
    if (now_ms - r->at_ms > STALE_INTERVALS * interval) {
        snprintf(why, len, "%s: no data: the last reading is %.1f s old", name,
                 (double)(now_ms - r->at_ms) / 1000.0);
        return 1;
    }
    char v[48], b[48];
    in_unit(c, r->value, v, sizeof v);
    in_unit(c, c->bound, b, sizeof b);
    if (criteria_compare(c->op, r->value, c->bound)) {
        snprintf(why, len, "%s %s %s %s", name, v, rb_op_name(c->op), b);
        return 1;
    }
    snprintf(why, len, "%s %s", name, v);
    return 0;
}
