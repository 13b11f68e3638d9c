/* presence.c — the fold of who is at the ceremony (see presence.h). */
#include "presence.h"

#include <stdio.h>
#include <string.h>

#include "events.h"
#include "journal_consoles.h"
#include "noreturn.h"
#include "session.h"

static void copy_n(char *dst, size_t len, const char *src, size_t n)
{
    if (n >= len) {
        n = len - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;   /* never half a character */
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

const struct presence_person *presence_find(const struct presence *p, const char *name,
                                            const char *role)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].name, name) == 0 && strcmp(p->v[i].role, role) == 0)
            return &p->v[i];
    return NULL;
}

/* The row of name/role, made when new; the last row when the table is full. */
static struct presence_person *row(struct presence *p, const char *name, size_t name_len,
                                   const char *role)
{
    char n[64];
    copy_n(n, sizeof n, name, name_len);
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].name, n) == 0 && strcmp(p->v[i].role, role) == 0)
            return &p->v[i];
    if (p->n == PRESENCE_MAX)
        return &p->v[PRESENCE_MAX - 1];
    struct presence_person *r = &p->v[p->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", n);
    snprintf(r->role, sizeof r->role, "%s", role);
    return r;
}

void presence_apply(struct presence *p, const struct journal_event *ev,
                    const struct event_body *b)
{
    const char *actor = ev->actor ? ev->actor : "";
    const char *slash = strrchr(actor, '/');
    if (!slash || slash == actor)
        return;   /* the engine, or no one */
    struct presence_person *r = row(p, actor, (size_t)(slash - actor), slash + 1);
    r->last_seen_ms = ev->ts_ms > r->last_seen_ms ? ev->ts_ms : r->last_seen_ms;
    r->n_events++;
    if (b->kind == EVK_CONSOLE_OPEN) {
        r->open++;
        r->opened_ms = ev->ts_ms;
        snprintf(r->mode, sizeof r->mode, "%s", event_str(b, "mode") ? event_str(b, "mode") : "");
        snprintf(r->account, sizeof r->account, "%s",
                 event_str(b, "account") ? event_str(b, "account") : "");
    } else if (b->kind == EVK_CONSOLE_CLOSE) {
        if (r->open > 0)
            r->open--;
        r->closed_ms = ev->ts_ms;
    }
}

int presence_role_open(const struct presence *p, const char *role)
{
    int n = 0;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].role, role) == 0)
            n += p->v[i].open;
    return n;
}

ptrdiff_t presence_absent_step(const struct session *s, size_t from, const char **who)
{
    return presence_absent_step_in(&s->presence, s, from, who);
}

void presence_live(struct presence *out, const struct presence *fold,
                   const struct journal_console *rows, size_t n, int64_t now_ms)
{
    *out = *fold;
    out->live = 1;
    unsigned char has_row[PRESENCE_MAX] = {0};
    for (size_t i = 0; i < out->n; i++)
        out->v[i].open = out->v[i].gone = 0;
    for (size_t i = 0; i < n; i++) {
        const struct journal_console *c = &rows[i];
        struct presence_person *r = row(out, c->name, strlen(c->name), c->role);
        has_row[r - out->v] = 1;
        if (!r->opened_ms || r->opened_ms < c->opened_ms)
            r->opened_ms = c->opened_ms;
        if (c->seen_ms > r->last_seen_ms)
            r->last_seen_ms = c->seen_ms;
        if (!c->present) {
            r->gone++;
            continue;
        }
        r->open++;
        snprintf(r->mode, sizeof r->mode, "%s", c->mode);
        snprintf(r->account, sizeof r->account, "%s", c->account);
    }
    /* a console_open the fold took within the heartbeat rule's span, with
     * no row read yet: a console joining, here until its row is read */
    for (size_t i = 0; i < fold->n; i++)
        if (!has_row[i] && fold->v[i].open > 0 && now_ms - fold->v[i].opened_ms <= JOURNAL_PRESENT_MS)
            out->v[i].open = fold->v[i].open;
}

ptrdiff_t presence_absent_step_in(const struct presence *p, const struct session *s, size_t from,
                                  const char **who)
{
    const struct runbook *rb = s->rb;
    for (size_t i = from; i < rb->n_steps; i++) {
        const struct rb_step *st = &rb->steps[i];
        if (s->acks[i].acked || st->action != RB_ACTION_NONE)
            continue;   /* an action step completes itself */
        if (!presence_role_open(p, st->role)) {
            *who = st->role;
            return (ptrdiff_t)i;
        }
        if (noreturn_step(st) && !presence_role_open(p, "commander")) {
            *who = "commander";
            return (ptrdiff_t)i;
        }
    }
    return -1;
}
