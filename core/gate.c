/* gate.c — parsing a gate's condition and judging it over a series of
 * points (see gate.h). The judge walks the points once: each valued point
 * covers the time until the next point or until the allowed gap runs out,
 * whichever is first; what the window holds of that coverage is the
 * evidence, and one breach anywhere in it closes the gate. */
#include "gate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "criteria.h"
#include "number.h"
#include "timefmt.h"
#include "units.h"

/* ------------------------------------------------------------------------
 * Parsing: SIGNAL OP VALUE (for|over) DURATION [, gaps up to DURATION]
 * ------------------------------------------------------------------------ */

struct word {
    const char *s;
    size_t n;
};

static int is_op_char(char ch)
{
    return ch == '<' || ch == '>' || ch == '=' || ch == '!';
}

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == ',';
}

/* Words split on white space and commas; runs of <>=! are words of their
 * own, so `rate<1%` reads as three. */
static size_t split_words(const char *s, size_t n, struct word *w, size_t max)
{
    size_t nw = 0, i = 0;
    while (i < n && nw < max) {
        if (is_blank(s[i])) {
            i++;
            continue;
        }
        size_t b = i;
        int op = is_op_char(s[i]);
        while (i < n && !is_blank(s[i]) && is_op_char(s[i]) == op)
            i++;
        w[nw++] = (struct word){s + b, i - b};
    }
    return nw;
}

static int word_is(struct word w, const char *lit)
{
    size_t n = strlen(lit);
    if (w.n != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char a = w.s[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (a != lit[i])
            return 0;
    }
    return 1;
}

static int word_copy(struct word w, char *buf, size_t len)
{
    if (w.n >= len)
        return -1;
    memcpy(buf, w.s, w.n);
    buf[w.n] = '\0';
    return 0;
}

static int parse_op(struct word w, enum rb_op *op)
{
    static const char *const names[] = {">", ">=", "<", "<=", "==", "!="};
    for (int i = 0; i < 6; i++)
        if (word_is(w, names[i])) {
            *op = (enum rb_op)i;
            return 0;
        }
    return -1;
}

/* "2", "0.5", "1%" (stored as 0.01), "-3e2". */
static int parse_value(struct word w, double *out, int *pct)
{
    char buf[64];
    if (word_copy(w, buf, sizeof buf) != 0 || !buf[0])
        return -1;
    size_t n = strlen(buf);
    *pct = buf[n - 1] == '%';
    if (*pct)
        buf[n - 1] = '\0';
    double v;
    if (number_parse(buf, &v) != 0 || !isfinite(v))
        return -1;
    *out = *pct ? v / 100 : v;
    return 0;
}

static int parse_window(struct word w, int64_t *ms)
{
    char buf[64];
    return word_copy(w, buf, sizeof buf) != 0 || units_parse_duration(buf, ms) != 0 || *ms <= 0 ||
                   *ms > GATE_MAX_WINDOW_MS
               ? -1
               : 0;
}

static int valid_signal(struct word w)
{
    if (w.n == 0 || w.n > 63 || !(w.s[0] >= 'a' && w.s[0] <= 'z'))
        return 0;
    for (size_t i = 0; i < w.n; i++) {
        char ch = w.s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return 0;
    }
    return 1;
}

static char *dup_trimmed(const char *s, size_t n)
{
    while (n && is_blank(*s) && *s != ',') {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

int gate_parse(const char *text, size_t n, struct rb_gate *g, char *err, size_t len)
{
    struct word w[16];
    size_t nw = split_words(text, n, w, 16);
    memset(g, 0, sizeof *g);
    g->step = -1;
    if (nw < 1 || !valid_signal(w[0])) {
        snprintf(err, len, "a gate starts with a signal's name: `gate: SIGNAL < VALUE for|over DURATION`");
        return -1;
    }
    if (nw < 2 || parse_op(w[1], &g->cond.op) != 0) {
        snprintf(err, len, "a comparison (>, >=, <, <=, ==, !=) after `%.*s`", (int)w[0].n, w[0].s);
        return -1;
    }
    if (nw < 3 || parse_value(w[2], &g->cond.threshold, &g->cond.is_percent) != 0) {
        snprintf(err, len, "a number (like 2, 0.5 or 1%%) after `%.*s`", (int)w[1].n, w[1].s);
        return -1;
    }
    if (nw < 5 || !(word_is(w[3], "for") || word_is(w[3], "over"))) {
        snprintf(err, len,
                 "`for DURATION` (held while the cockpit watches) or `over DURATION` (the signal's history) after `%.*s`",
                 (int)w[2].n, w[2].s);
        return -1;
    }
    g->over = word_is(w[3], "over");
    if (parse_window(w[4], &g->cond.for_ms) != 0) {
        snprintf(err, len, "a duration from 1s to 92d after `%s` (like 1h or 7d), not `%.*s`",
                 g->over ? "over" : "for", (int)w[4].n, w[4].s);
        return -1;
    }
    size_t i = 5;
    if (nw > i) {
        if (nw != i + 4 || !word_is(w[i], "gaps") || !word_is(w[i + 1], "up") ||
            !word_is(w[i + 2], "to") || parse_window(w[i + 3], &g->max_gap_ms) != 0) {
            snprintf(err, len, "only `, gaps up to DURATION` may follow the window, not `%.*s`",
                     (int)(text + n - w[i].s), w[i].s);
            return -1;
        }
        if (g->max_gap_ms >= g->cond.for_ms) {
            snprintf(err, len, "`gaps up to %.*s` is not shorter than the window: nothing would be judged",
                     (int)w[i + 3].n, w[i + 3].s);
            return -1;
        }
    }
    g->cond.signal = dup_trimmed(w[0].s, w[0].n);
    g->cond.text = dup_trimmed(text, n);
    if (!g->cond.signal || !g->cond.text) {
        gate_spec_free(g);
        snprintf(err, len, "out of memory");
        return -1;
    }
    g->cond.action = RB_HOLD;
    return 0;
}

void gate_spec_free(struct rb_gate *g)
{
    free(g->cond.signal);
    free(g->cond.text);
    free(g->id);
    g->cond.signal = g->cond.text = g->id = NULL;
}

/* ------------------------------------------------------------------------
 * Judging
 * ------------------------------------------------------------------------ */

int64_t gate_max_gap(const struct rb_gate *g, int64_t interval_ms, int64_t source_step_ms)
{
    if (g->max_gap_ms > 0)
        return g->max_gap_ms;
    int64_t step = interval_ms > source_step_ms ? interval_ms : source_step_ms;
    if (step <= 0)
        step = 1000;
    return 3 * step;
}

int64_t gate_window_start(const struct rb_gate *g, int64_t max_gap_ms, int64_t now_ms)
{
    return now_ms - g->cond.for_ms - max_gap_ms;
}

int gate_holds(const struct rb_gate *g, double value)
{
    return isfinite(value) && criteria_compare(g->cond.op, value, g->cond.threshold);
}

/* The comparison whose breach is this gate's holding: worse for a gate
 * `< 1%` is larger, as for a criterion `>= 1%`. */
static enum rb_op negated(enum rb_op op)
{
    switch (op) {
    case RB_GT: return RB_LE;
    case RB_GE: return RB_LT;
    case RB_LT: return RB_GE;
    case RB_LE: return RB_GT;
    case RB_EQ: return RB_NE;
    case RB_NE: return RB_EQ;
    }
    return op;
}

/* A time to say: the clock for today's, the date too further away. */
static void say_time(int64_t t, int64_t now, char *buf, size_t len)
{
    if (t - now < 20LL * 3600 * 1000 && now - t < 20LL * 3600 * 1000)
        timefmt_hms(t, buf, len);
    else
        timefmt_full(t, buf, len);
}

static void say_verdict(const struct rb_gate *g, struct gate_verdict *v, int64_t breach_ms,
                        double breach_value)
{
    char win[32], bound[48], worst[48], val[48], when[48], opens[48];
    units_format_duration(g->cond.for_ms, win, sizeof win);
    criteria_format_value(&g->cond, g->cond.threshold, bound, sizeof bound);
    criteria_format_value(&g->cond, v->worst, worst, sizeof worst);
    const char *op = rb_op_name(g->cond.op);
    if (v->opens_at_ms > 0)
        say_time(v->opens_at_ms, v->at_ms, opens, sizeof opens);
    else
        snprintf(opens, sizeof opens, "unknown until data comes");
    switch (v->state) {
    case GATE_OPEN:
        snprintf(v->why, sizeof v->why, "open: %s %s %s held %s %s (worst %s)", g->cond.signal, op,
                 bound, g->over ? "over" : "for", win, worst);
        break;
    case GATE_CLOSED:
        criteria_format_value(&g->cond, breach_value, val, sizeof val);
        say_time(breach_ms, v->at_ms, when, sizeof when);
        snprintf(v->why, sizeof v->why, "closed: %s = %s at %s, not %s %s (worst %s); opens %s%s",
                 g->cond.signal, val, when, op, bound, worst, v->opens_at_ms > 0 ? "at " : "",
                 opens);
        break;
    case GATE_INSUFFICIENT: {
        char have[32];
        units_format_duration((int64_t)(v->covered * (double)g->cond.for_ms) / 1000 * 1000, have,
                              sizeof have);
        snprintf(v->why, sizeof v->why,
                 "insufficient history: %.0f%% of %s covered (%s of %s); opens %s%s",
                 floor(v->covered * 100), win, have, win, v->opens_at_ms > 0 ? "at " : "", opens);
        break;
    }
    case GATE_UNJUDGED:
        snprintf(v->why, sizeof v->why, "not judged yet");
        break;
    }
}

enum gate_state gate_judge(const struct rb_gate *g, const struct gate_point *p, size_t n,
                           int64_t max_gap_ms, int64_t now_ms, struct gate_verdict *v)
{
    const int64_t W = g->cond.for_ms, ws = now_ms - W;
    memset(v, 0, sizeof *v);
    v->at_ms = now_ms;
    v->worst = NAN;
    int64_t cursor = ws;         /* covered up to here, without a gap */
    int64_t gap_end = ws;        /* where coverage last began after a gap */
    int64_t covered = 0;
    int64_t breach_ms = 0, breach_end = 0;
    double breach_value = NAN;
    enum rb_op worse_op = negated(g->cond.op);
    for (size_t i = 0; i < n; i++) {
        int64_t t = p[i].t_ms;
        if (t > now_ms)
            break;
        if (!isfinite(p[i].value))
            continue;
        int64_t end = t + max_gap_ms;
        if (i + 1 < n && p[i + 1].t_ms < end)
            end = p[i + 1].t_ms;
        if (end > now_ms)
            end = now_ms;
        if (t < ws && end <= ws)
            continue;                        /* before the window, covering none of it */
        int64_t a = t < ws ? ws : t;
        if (a > cursor)
            gap_end = a;                     /* a gap in the evidence ends here */
        if (end > cursor) {
            covered += end - (a > cursor ? a : cursor);
            cursor = end;
        }
        double val = p[i].value;
        if (isnan(v->worst) || criteria_worse(worse_op, v->worst, val) != v->worst) {
            v->worst = val;
            v->worst_ms = t;
        }
        if (!gate_holds(g, val)) {
            breach_ms = t;
            breach_value = val;
            breach_end = end > t ? end : t + 1;
        }
    }
    int trailing_gap = cursor < now_ms;
    v->covered = W > 0 ? (double)covered / (double)W : 0;
    if (v->covered > 1)
        v->covered = 1;
    if (breach_ms) {
        v->state = GATE_CLOSED;
        int64_t from = breach_end > gap_end ? breach_end : gap_end;
        v->opens_at_ms = trailing_gap ? 0 : from + W;
    } else if (covered < W || trailing_gap) {
        v->state = GATE_INSUFFICIENT;
        v->opens_at_ms = trailing_gap ? 0 : gap_end + W;
    } else {
        v->state = GATE_OPEN;
        v->opens_at_ms = now_ms;
    }
    say_verdict(g, v, breach_ms, breach_value);
    return v->state;
}

const char *gate_state_name(enum gate_state s)
{
    switch (s) {
    case GATE_UNJUDGED: return "unjudged";
    case GATE_OPEN: return "open";
    case GATE_CLOSED: return "closed";
    case GATE_INSUFFICIENT: return "insufficient";
    }
    return "?";
}
