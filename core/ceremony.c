/* ceremony.c — opening a journal for a runbook, folding it, and deciding
 * acknowledgements. */
#include "ceremony.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

int ceremony_check_identity(const struct runbook *rb, const char *name,
                            const char *role, struct error *err)
{
    const char *person = runbook_person(rb, role);
    if (!person) {
        char known[256] = "";
        for (size_t i = 0; i < rb->n_roles; i++) {
            size_t used = strlen(known);
            snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                     rb->roles[i].role);
        }
        error_set(err, "role '%s' is not in the runbook's ## Roles (it has: %s)",
                  role, known);
        return -1;
    }
    if (strcmp(person, name) != 0) {
        error_set(err, "the runbook assigns role '%s' to %s, not to %s", role,
                  person, name);
        return -1;
    }
    return 0;
}

static void set_identity(struct ceremony *c, const char *name, const char *role)
{
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->role, sizeof c->role, "%s", role);
    events_actor(c->actor, sizeof c->actor, name, role);
}

int ceremony_append(struct ceremony *c, const char *kind, const char *body,
                    int64_t now_ms, struct error *err)
{
    if (!body) {
        error_set(err, "out of memory building a %s event", kind);
        return -1;
    }
    struct journal_event ev = {.ts_ms = now_ms, .actor = c->actor,
                               .kind = kind, .body = body};
    return journal_append(c->journal, &ev, NULL, err);
}

/* The sha256 recorded by the newest runbook event, or "" if none. */
static int recorded_sha(struct journal *j, char sha[65], struct error *err)
{
    char *body = NULL;
    sha[0] = '\0';
    if (journal_last_of_kind(j, EV_RUNBOOK, &body, err) != 0)
        return -1;
    if (!body)
        return 0;
    cJSON *o = cJSON_Parse(body);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "sha256");
    if (cJSON_IsString(v))
        snprintf(sha, 65, "%s", v->valuestring);
    cJSON_Delete(o);
    free(body);
    return 0;
}

static int record_runbook(struct ceremony *c, const char *rb_path,
                          const char *journal_path, int force, int64_t now_ms,
                          struct error *err)
{
    char old[65];
    if (recorded_sha(c->journal, old, err) != 0)
        return -1;
    if (strcmp(old, c->rb->sha256) == 0)
        return 0;
    if (old[0] && !force) {
        error_set(err,
                  "%s was started with a different runbook (sha256 %.12s…, "
                  "%s is %.12s…); pass --force to replace it (the replacement "
                  "is journaled)",
                  journal_path, old, rb_path, c->rb->sha256);
        return -1;
    }
    char *body = events_runbook_body(rb_path, c->rb->sha256, c->rb->text,
                                     c->rb->title, old[0] ? old : NULL);
    int rc = ceremony_append(c, EV_RUNBOOK, body, now_ms, err);
    free(body);
    return rc;
}

static int fold_all(struct ceremony *c, struct error *err)
{
    if (session_init(&c->s, c->rb) != 0) {
        error_set(err, "out of memory");
        return -1;
    }
    return ceremony_refresh(c, NULL, NULL, err);
}

int ceremony_start(struct ceremony *c, struct runbook *rb, const char *rb_path,
                   const char *journal_path, int force, const char *name,
                   const char *role, int64_t now_ms, struct error *err)
{
    memset(c, 0, sizeof *c);
    c->rb = rb;
    set_identity(c, name, role);
    if (ceremony_check_identity(rb, name, role, err) != 0 ||
        journal_open(journal_path, JOURNAL_CREATE, &c->journal, err) != 0 ||
        record_runbook(c, rb_path, journal_path, force, now_ms, err) != 0 ||
        fold_all(c, err) != 0) {
        ceremony_close(c);
        return -1;
    }
    return 0;
}

/* Parses the runbook recorded in the journal. */
static struct runbook *runbook_from_journal(struct journal *j, const char *path,
                                            struct error *err)
{
    char *body = NULL;
    if (journal_last_of_kind(j, EV_RUNBOOK, &body, err) != 0)
        return NULL;
    if (!body) {
        error_set(err, "%s holds no runbook: start the ceremony with "
                       "`cutover run RUNBOOK --journal %s` first", path, path);
        return NULL;
    }
    cJSON *o = cJSON_Parse(body);
    free(body);
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(o, "text");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "path");
    struct runbook *rb = NULL;
    if (cJSON_IsString(text)) {
        struct rb_problems problems = {0};
        rb = runbook_parse(cJSON_IsString(name) ? name->valuestring : "runbook",
                           text->valuestring, strlen(text->valuestring), &problems);
        if (rb && problems.n_errors) {
            error_set(err, "the runbook recorded in %s no longer parses: line %d: %s",
                      path, problems.v[0].line, problems.v[0].message);
            runbook_free(rb);
            rb = NULL;
        }
        rb_problems_free(&problems);
    } else {
        error_set(err, "%s: the runbook event has no text", path);
    }
    cJSON_Delete(o);
    return rb;
}

int ceremony_join(struct ceremony *c, const char *journal_path,
                  const char *name, const char *role, struct error *err)
{
    memset(c, 0, sizeof *c);
    set_identity(c, name, role);
    if (journal_open(journal_path, 0, &c->journal, err) != 0 ||
        !(c->rb = runbook_from_journal(c->journal, journal_path, err)) ||
        ceremony_check_identity(c->rb, name, role, err) != 0 ||
        fold_all(c, err) != 0) {
        ceremony_close(c);
        return -1;
    }
    return 0;
}

struct refresh_ctx {
    struct session *s;
    journal_event_fn on_new;
    void *ctx;
};

static int fold_one(const struct journal_event *ev, void *p)
{
    struct refresh_ctx *r = p;
    session_apply(r->s, ev);
    return r->on_new ? r->on_new(ev, r->ctx) : 0;
}

static int fold_sample(const struct journal_sample *sample, void *p)
{
    session_apply_sample(p, sample);
    return 0;
}

int ceremony_refresh(struct ceremony *c, journal_event_fn on_new, void *ctx,
                     struct error *err)
{
    struct refresh_ctx r = {&c->s, on_new, ctx};
    if (journal_read(c->journal, c->s.last_seq, fold_one, &r, err) != 0)
        return -1;
    return journal_read_samples(c->journal, c->s.last_sample_seq, fold_sample, &c->s, err);
}

/* The first phase before `phase` that still has open steps, or -1. */
static ptrdiff_t earlier_open_phase(const struct session *s, size_t phase)
{
    for (size_t p = 0; p < phase; p++)
        if (!session_phase_complete(s, p))
            return (ptrdiff_t)p;
    return -1;
}

int ceremony_ack_decide(const struct session *s, const char *step_id,
                        const char *name, const char *role, char *reason,
                        size_t len)
{
    const struct runbook *rb = s->rb;
    ptrdiff_t i = runbook_step_index(rb, step_id);
    if (i < 0) {
        snprintf(reason, len, "there is no step '%s' in the runbook", step_id);
        return -1;
    }
    const struct rb_step *st = &rb->steps[i];
    const struct step_ack *a = &s->acks[i];
    if (strcmp(st->role, role) != 0) {
        snprintf(reason, len, "step %s belongs to role %s (%s), not to %s",
                 step_id, st->role, runbook_person(rb, st->role), role);
        return -1;
    }
    if (a->acked) {
        snprintf(reason, len, "step %s was already acknowledged by %s", step_id,
                 a->name);
        return -1;
    }
    ptrdiff_t open = earlier_open_phase(s, st->phase);
    if (open >= 0) {
        const struct rb_phase *ph = &rb->phases[open];
        snprintf(reason, len, "phase %s (%s) is not finished yet: %zu of %zu steps open",
                 ph->number, ph->title, ph->n_steps - s->phase_acked[open],
                 ph->n_steps);
        return -1;
    }
    (void)name;
    return 0;
}

int ceremony_ack(struct ceremony *c, const char *step_id, int64_t now_ms,
                 char *msg, size_t len, struct error *err)
{
    if (ceremony_refresh(c, NULL, NULL, err) != 0)
        return -1;
    char reason[256];
    int refused = ceremony_ack_decide(&c->s, step_id, c->name, c->role, reason,
                                      sizeof reason) != 0;
    char *body = refused
        ? events_ack_refused_body(step_id, c->name, c->role, reason)
        : events_ack_body(step_id, c->name, c->role);
    int rc = ceremony_append(c, refused ? EV_ACK_REFUSED : EV_ACK, body, now_ms, err);
    free(body);
    if (rc != 0)
        return -1;
    if (ceremony_refresh(c, NULL, NULL, err) != 0)
        return -1;
    if (refused)
        snprintf(msg, len, "refused: %s", reason);
    else
        snprintf(msg, len, "step %s acknowledged by %s (%s)", step_id, c->name, c->role);
    return refused;
}

void ceremony_close(struct ceremony *c)
{
    session_free(&c->s);
    journal_close(c->journal);
    runbook_free(c->rb);
    memset(c, 0, sizeof *c);
}
