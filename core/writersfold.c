/* writersfold.c — the writer audit folded from the journal
 * (writersfold.h): the newest audit's table, the unknown writers, and the
 * refusal that names one. */
#include "writersfold.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "noreturn.h"
#include "session.h"
#include "stepaction.h"

static void put(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static long long jnum(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

/* An array of strings as one text, "a b c", cut to len. */
static void jlist(const cJSON *a, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    const cJSON *it;
    cJSON_ArrayForEach(it, a) {
        if (cJSON_IsString(it) && n + 1 < len)
            n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "", it->valuestring);
    }
    if (n >= len)
        buf[len - 1] = '\0';
}

size_t writersfold_open(const struct writersfold *f)
{
    size_t n = f->unlisted_open;
    for (size_t i = 0; i < f->n_unknown; i++)
        n += f->unknown[i].resolved == WF_OPEN;
    return n;
}

int writersfold_clean(const struct writersfold *f)
{
    return f->audited && writersfold_open(f) == 0;
}

ptrdiff_t writersfold_step(const struct runbook *rb)
{
    for (size_t i = 0; i < rb->n_steps; i++)
        if (rb->steps[i].action == RB_ACTION_WRITERS)
            return (ptrdiff_t)i;
    return -1;
}

static int says_needs(const struct rb_attr *attrs, size_t n)
{
    const char *v = rb_attr_get(attrs, n, "needs");
    return v && strcmp(v, "writers") == 0;
}

int writersfold_needs(const struct runbook *rb, size_t i)
{
    const struct rb_step *st = &rb->steps[i];
    const struct rb_phase *ph = &rb->phases[st->phase];
    if (st->action == RB_ACTION_WRITERS)
        return 0;   /* the audit's own step completes itself */
    if (says_needs(st->attrs, st->n_attrs) || says_needs(ph->attrs, ph->n_attrs))
        return 1;
    return writersfold_step(rb) >= 0 && (noreturn_step(st) || noreturn_phase(ph));
}

static struct wf_unknown *find(struct writersfold *f, const char *writer)
{
    for (size_t i = 0; i < f->n_unknown; i++)
        if (strcmp(f->unknown[i].writer, writer) == 0)
            return &f->unknown[i];
    return NULL;
}

static void on_unknown(struct writersfold *f, const struct journal_event *ev, const cJSON *o)
{
    const char *writer = jstr(o, "writer");
    struct wf_unknown *u = find(f, writer);
    if (!u) {
        if (f->n_unknown == WF_UNKNOWN) {
            f->unlisted_open++;
            return;
        }
        u = &f->unknown[f->n_unknown++];
        memset(u, 0, sizeof *u);
        put(u->writer, sizeof u->writer, writer);
    }
    if (u->resolved == WF_OVERRIDDEN)
        return;   /* the commander accepted this writer: seeing it again changes nothing */
    u->resolved = WF_OPEN;
    u->resolution[0] = '\0';
    u->seq = ev->seq;
    u->ts_ms = ev->ts_ms;
    put(u->seen, sizeof u->seen, jstr(o, "seen"));
    put(u->app, sizeof u->app, jstr(o, "app"));
    put(u->role, sizeof u->role, jstr(o, "role"));
    put(u->ops, sizeof u->ops, jstr(o, "ops"));
    put(u->why, sizeof u->why, jstr(o, "why"));
    jlist(cJSON_GetObjectItemCaseSensitive(o, "code"), u->code, sizeof u->code);
}

static int same(const char *a, const char *b)
{
    return a[0] && strcmp(a, b) == 0;
}

/* Does row r (declared) describe unknown writer u: the same role or app,
 * or a write site in common? */
static int covers(const struct wf_row *r, const struct wf_unknown *u)
{
    if (same(u->role, r->role) || same(u->app, r->app))
        return 1;
    char sites[sizeof u->code];
    put(sites, sizeof sites, u->code);
    for (char *save = NULL, *t = strtok_r(sites, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        const char *hit = strstr(r->code, t);
        size_t n = strlen(t);
        if (hit && (hit == r->code || hit[-1] == ' ') && (hit[n] == ' ' || hit[n] == '\0'))
            return 1;
    }
    return 0;
}

static int has_source(const char *seen, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = seen; (p = strstr(p, word)) != NULL; p += n)
        if ((p == seen || p[-1] == '+') && (p[n] == '+' || p[n] == '\0'))
            return 1;
    return 0;
}

/* A declared writer that was unknown for what the database saw it do (an
 * `old only` writer writing during dual-write, a `dual-writes` one whose
 * rows skipped new) is cleared by an audit whose database sources that saw
 * it then saw it again and found it fine: an audit that did not look (no
 * capture this time) proves nothing. */
static int looked_again(const struct wf_row *r, const struct wf_unknown *u)
{
    static const char *const db[] = {"stats", "capture"};
    for (size_t i = 0; i < sizeof db / sizeof db[0]; i++)
        if (has_source(u->seen, db[i]) && !has_source(r->seen, db[i]))
            return 0;
    return 1;
}

static void read_row(struct wf_row *r, const cJSON *o)
{
    memset(r, 0, sizeof *r);
    put(r->writer, sizeof r->writer, jstr(o, "writer"));
    put(r->seen, sizeof r->seen, jstr(o, "seen"));
    put(r->ops, sizeof r->ops, jstr(o, "ops"));
    put(r->app, sizeof r->app, jstr(o, "app"));
    put(r->role, sizeof r->role, jstr(o, "role"));
    jlist(cJSON_GetObjectItemCaseSensitive(o, "code"), r->code, sizeof r->code);
    r->statements = jnum(o, "statements");
    r->calls = jnum(o, "calls");
    r->rows = jnum(o, "rows");
    r->skipped = jnum(o, "skipped");
    r->declared = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "declared"));
    r->unknown = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "unknown"));
    const cJSON *dw = cJSON_GetObjectItemCaseSensitive(o, "dual_writes");
    r->dual_writes = cJSON_IsBool(dw) ? cJSON_IsTrue(dw) : -1;
}

static void on_audit(struct session *s, const struct journal_event *ev, const cJSON *o)
{
    struct writersfold *f = &s->wf;
    const char *in_force = s->rb_in_force[0] ? s->rb_in_force : s->rb->sha256;
    if (strcmp(jstr(o, "runbook_sha256"), in_force) != 0) {
        f->other_runbook = 1;   /* its declarations are not the ceremony's */
        return;
    }
    f->other_runbook = 0;
    f->audited = 1;
    f->audit_seq = ev->seq;
    f->audit_ms = ev->ts_ms;
    put(f->table, sizeof f->table, jstr(o, "table"));
    put(f->sources, sizeof f->sources, jstr(o, "sources"));
    f->n_writers = (size_t)jnum(o, "writers");
    f->n_unknown_audit = (size_t)jnum(o, "unknown");
    f->skipped_rows = jnum(o, "skipped_rows");
    f->n_rows = f->rows_cut = f->n_limits = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "limits"))
        if (cJSON_IsString(it) && f->n_limits < WF_LIMITS)
            put(f->limits[f->n_limits++], sizeof f->limits[0], it->valuestring);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "list")) {
        if (!cJSON_IsObject(it))
            continue;
        if (f->n_rows == WF_ROWS) {
            f->rows_cut++;
            continue;
        }
        read_row(&f->rows[f->n_rows++], it);
    }
    /* an open unknown writer this audit lists as declared is resolved */
    for (size_t i = 0; i < f->n_unknown; i++) {
        struct wf_unknown *u = &f->unknown[i];
        if (u->resolved != WF_OPEN)
            continue;
        for (size_t k = 0; k < f->n_rows; k++) {
            const struct wf_row *r = &f->rows[k];
            int named = strcmp(r->writer, u->writer) == 0;
            if (r->declared && !r->unknown && ((named && looked_again(r, u)) ||
                                              (!named && covers(r, u)))) {
                u->resolved = WF_DECLARED;
                u->resolved_seq = ev->seq;
                snprintf(u->resolution, sizeof u->resolution,
                         "declared as `%s` (audit #%lld)", r->writer, (long long)ev->seq);
                break;
            }
        }
    }
    if (f->n_unknown_audit == 0 && f->rows_cut == 0)
        f->unlisted_open = 0;   /* what was not kept by name is not unknown any more */
}

/* The commander's override of the `writers` step accepts every open
 * unknown writer, with the reason. */
static void on_override(struct session *s, const struct journal_event *ev, const cJSON *o)
{
    const char *guard = jstr(o, "guard");
    if (!stepaction_is_step_guard(guard))
        return;
    const struct rb_step *st = runbook_find_step(s->rb, guard + strlen(STEPACTION_GUARD_PREFIX));
    if (!st || st->action != RB_ACTION_WRITERS)
        return;
    struct writersfold *f = &s->wf;
    for (size_t i = 0; i < f->n_unknown; i++) {
        struct wf_unknown *u = &f->unknown[i];
        if (u->resolved != WF_OPEN)
            continue;
        u->resolved = WF_OVERRIDDEN;
        u->resolved_seq = ev->seq;
        snprintf(u->resolution, sizeof u->resolution, "overridden by %.60s: %.160s",
                 ev->actor ? ev->actor : "?", jstr(o, "reason"));
    }
    f->unlisted_open = 0;
}

void writersfold_apply(struct session *s, const struct journal_event *ev,
                       const struct event_body *b)
{
    const cJSON *o = b->json;
    if (!o)
        return;
    switch (b->kind) {
    case EVK_UNKNOWN_WRITER: on_unknown(&s->wf, ev, o); break;
    case EVK_WRITERS: on_audit(s, ev, o); break;
    case EVK_OVERRIDE: on_override(s, ev, o); break;
    default: break;
    }
}

int writersfold_ack_refusal(const struct session *s, size_t i, char *reason, size_t len)
{
    const struct runbook *rb = s->rb;
    if (!writersfold_needs(rb, i))
        return 0;
    const struct writersfold *f = &s->wf;
    size_t open = writersfold_open(f);
    if (!open)
        return 0;
    const struct wf_unknown *u = NULL;
    for (size_t k = 0; k < f->n_unknown && !u; k++)
        if (f->unknown[k].resolved == WF_OPEN)
            u = &f->unknown[k];
    ptrdiff_t w = writersfold_step(rb);
    char who[200];
    if (u)
        snprintf(who, sizeof who, "`%s`%s%s%s", u->writer, u->seen[0] ? " (seen by " : "",
                 u->seen, u->seen[0] ? ")" : "");
    else
        snprintf(who, sizeof who, "a writer");
    snprintf(reason, len,
             "step %s needs the writer audit: unknown writer %s: %s%s; declare it in ## Writers "
             "and audit again, or the commander overrides step %s with a written reason",
             rb->steps[i].id, who, u && u->why[0] ? u->why : "not declared",
             open > 1 ? " (and others)" : "", w >= 0 ? rb->steps[w].id : "`writers`");
    return -1;
}
