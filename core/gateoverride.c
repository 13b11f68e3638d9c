/* gateoverride.c — a gate's override (see gateoverride.h): refused to
 * anyone but the commander, without a reason, for a gate that does not
 * exist, passes already, or was overridden before. */
#include "gateoverride.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

int gateoverride_decide(const struct session *s, const char *role, const char *id,
                        const char *reason, char *why, size_t len)
{
    ptrdiff_t i = gatefold_find(s->rb, id);
    if (strcmp(role, "commander") != 0) {
        snprintf(why, len, "only the commander may override a gate, not %s", role);
        return -1;
    }
    if (i < 0) {
        snprintf(why, len, "there is no gate '%s' in the runbook", id ? id : "");
        return -1;
    }
    const struct gate_view *g = &s->gf.gates[i];
    if (g->overridden) {
        snprintf(why, len, "gate %s was overridden already: %s", s->rb->gates[i].id,
                 g->override_reason);
        return -1;
    }
    if (gatefold_passes(s, (size_t)i)) {
        snprintf(why, len, "gate %s is open: nothing to override", s->rb->gates[i].id);
        return -1;
    }
    if (!reason || !reason[0]) {
        snprintf(why, len, "overriding gate %s needs a written reason", s->rb->gates[i].id);
        return -1;
    }
    return 0;
}

struct override_op {
    struct ceremony *c;
    int own_fold;
    char id[96];
    char reason[400];
    int64_t now;
    char msg[600];
    ceremony_ack_done_fn done;
    void *ctx;
};

static int fold_event(const struct journal_event *ev, void *p)
{
    session_apply(p, ev);
    return 0;
}

static char *override_body(const struct session *s, const char *id, const char *reason)
{
    ptrdiff_t i = gatefold_find(s->rb, id);
    const struct gate_view *g = &s->gf.gates[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "guard", s->rb->gates[i].id);
    cJSON_AddStringToObject(o, "failed", g->judged ? g->why : "not judged yet");
    cJSON_AddStringToObject(o, "reason", reason);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* Inside the write transaction: the fold of what the journal holds. */
static int override_tx(struct journal *j, void *p, struct error *err)
{
    struct override_op *op = p;
    struct ceremony *c = op->c;
    struct session mine, *s = &c->s;
    if (op->own_fold) {
        if (session_init(&mine, c->rb) != 0) {
            error_set(err, "out of memory");
            return -1;
        }
        s = &mine;
        if (journal_read(j, 0, fold_event, s, err) != 0) {
            session_free(&mine);
            return -1;
        }
    } else if (ceremony_refresh(c, NULL, NULL, err) != 0) {
        return -1;
    }
    char why[400];
    int refused = gateoverride_decide(s, c->role, op->id, op->reason, why, sizeof why) != 0;
    char *body = refused ? NULL : override_body(s, op->id, op->reason);
    if (op->own_fold)
        session_free(&mine);
    if (refused) {
        snprintf(op->msg, sizeof op->msg, "refused: %s", why);
        return 1;
    }
    if (!body) {
        error_set(err, "out of memory");
        return -1;
    }
    struct journal_event ev = {.ts_ms = op->now, .actor = c->actor, .kind = EV_OVERRIDE,
                               .body = body};
    int rc = journal_append(j, &ev, NULL, err);
    free(body);
    if (rc != 0)
        return -1;
    snprintf(op->msg, sizeof op->msg, "OVERRIDDEN: gate %s — %s", op->id, op->reason);
    return 0;
}

static struct override_op *op_new(struct ceremony *c, const char *id, const char *reason,
                                  int64_t now)
{
    struct override_op *op = calloc(1, sizeof *op);
    if (!op)
        return NULL;
    op->c = c;
    op->now = now;
    snprintf(op->id, sizeof op->id, "%s", id ? id : "");
    snprintf(op->reason, sizeof op->reason, "%s", reason ? reason : "");
    return op;
}

int gateoverride(struct ceremony *c, const char *id, const char *reason, int64_t now_ms,
                 char *msg, size_t len, struct error *err)
{
    struct override_op *op = op_new(c, id, reason, now_ms);
    if (!op) {
        error_set(err, "out of memory");
        return -1;
    }
    int rc = journal_transact(c->journal, override_tx, op, err);
    if (rc >= 0 && ceremony_refresh(c, NULL, NULL, err) != 0)
        rc = -1;
    snprintf(msg, len, "%s", op->msg);
    free(op);
    return rc;
}

static void override_done(void *p, int rc, const struct error *err)
{
    struct override_op *op = p;
    op->done(op->ctx, rc, rc < 0 ? err->msg : op->msg);
    free(op);
}

int gateoverride_async(struct ceremony *c, const char *id, const char *reason, int64_t now_ms,
                       ceremony_ack_done_fn done, void *ctx, char *msg, size_t len)
{
    struct override_op *op = op_new(c, id, reason, now_ms);
    struct error err = {{0}};
    if (!op) {
        snprintf(msg, len, "out of memory");
        return -1;
    }
    op->own_fold = 1;
    op->done = done;
    op->ctx = ctx;
    if (journal_transact_async(c->journal, override_tx, op, override_done, &err) != 0) {
        snprintf(msg, len, "refused: %s", err.msg);
        free(op);
        return -1;
    }
    snprintf(msg, len, "overriding gate %s…", id);
    return 0;
}
