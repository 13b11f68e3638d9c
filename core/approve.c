/* approve.c — the commander's approval of an irreversible step, and the
 * override of its conditions (see approve.h). */
#include "approve.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "noreturn.h"

struct approve_op {
    struct ceremony *c;
    int own_fold;             /* on the writer's thread: fold privately */
    int override;             /* override the conditions, with reason */
    char step[64];
    char reason[400];
    int64_t now;
    char msg[700];
    ceremony_ack_done_fn done;
    void *ctx;
};

static int fold_event(const struct journal_event *ev, void *p)
{
    session_apply(p, ev);
    return 0;
}

/* The decision on s at op->now: 0, or -1 with why. */
static int decide(const struct session *s, const struct approve_op *op, char *why, size_t len)
{
    const struct ceremony *c = op->c;
    if (op->override) {
        if (noreturn_override_decide(s, op->step, c->role, op->reason, why, len) != 0)
            return -1;
        if (noreturn_condition_refusal(s, (size_t)runbook_step_index(s->rb, op->step), op->now,
                                       why, len) == 0) {
            snprintf(why, len, "every condition of step %s holds: nothing to override", op->step);
            return -1;
        }
        return 0;
    }
    if (noreturn_approve_decide(s, op->step, c->name, c->role, why, len) != 0)
        return -1;
    return noreturn_condition_refusal(s, (size_t)runbook_step_index(s->rb, op->step), op->now,
                                      why, len);
}

static char *body_of(const struct session *s, const struct approve_op *op, int refused,
                     const char *why)
{
    const struct ceremony *c = op->c;
    if (refused) {
        char r[600];
        snprintf(r, sizeof r, "%s: %s", op->override ? "override" : "approval", why);
        return events_ack_refused_body(op->step, c->name, c->role, r);
    }
    cJSON *o = cJSON_CreateObject();
    if (op->override) {
        char guard[96], unmet[400];
        snprintf(guard, sizeof guard, "%s%s", NORETURN_GUARD_PREFIX, op->step);
        noreturn_condition_refusal(s, (size_t)runbook_step_index(s->rb, op->step), op->now,
                                   unmet, sizeof unmet);
        cJSON_AddStringToObject(o, "guard", guard);
        cJSON_AddStringToObject(o, "failed", unmet);
        cJSON_AddStringToObject(o, "reason", op->reason);
    } else {
        cJSON_AddStringToObject(o, "step", op->step);
        cJSON_AddStringToObject(o, "name", c->name);
        cJSON_AddStringToObject(o, "role", c->role);
    }
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* Inside the write transaction: the fold of what the journal holds. */
static int approve_tx(struct journal *j, void *p, struct error *err)
{
    struct approve_op *op = p;
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
    char why[600];
    int refused = decide(s, op, why, sizeof why) != 0;
    ptrdiff_t i = runbook_step_index(s->rb, op->step);
    int completes = !refused && !op->override && i >= 0 && s->nr[i].owner_acked;
    char owner[120] = "";
    if (completes)
        snprintf(owner, sizeof owner, "%s (%s)", s->nr[i].ack_name, s->nr[i].ack_role);
    char *body = body_of(s, op, refused, why);
    if (op->own_fold)
        session_free(&mine);
    if (!body) {
        error_set(err, "out of memory");
        return -1;
    }
    const char *kind = refused ? EV_ACK_REFUSED : op->override ? EV_OVERRIDE : EV_APPROVE;
    struct journal_event ev = {.ts_ms = op->now, .actor = c->actor, .kind = kind, .body = body};
    int rc = journal_append(j, &ev, NULL, err);
    free(body);
    if (rc != 0)
        return -1;
    if (refused)
        snprintf(op->msg, sizeof op->msg, "refused: %s", why);
    else if (op->override)
        snprintf(op->msg, sizeof op->msg, "OVERRIDDEN: the conditions of step %s — %s", op->step,
                 op->reason);
    else if (completes)
        snprintf(op->msg, sizeof op->msg, "step %s approved by %s: done (acknowledged by %s); "
                 "NO WAY BACK from here", op->step, c->name, owner);
    else
        snprintf(op->msg, sizeof op->msg, "step %s approved by %s; it waits for its owner's "
                 "acknowledgement", op->step, c->name);
    return refused;
}

static struct approve_op *op_new(struct ceremony *c, const char *step, const char *reason,
                                 int64_t now)
{
    struct approve_op *op = calloc(1, sizeof *op);
    if (!op)
        return NULL;
    op->c = c;
    op->now = now;
    op->override = reason != NULL;
    snprintf(op->step, sizeof op->step, "%s", step ? step : "");
    snprintf(op->reason, sizeof op->reason, "%s", reason ? reason : "");
    return op;
}

int approve_step(struct ceremony *c, const char *step_id, const char *reason, int64_t now_ms,
                 char *msg, size_t len, struct error *err)
{
    struct approve_op *op = op_new(c, step_id, reason, now_ms);
    if (!op) {
        error_set(err, "out of memory");
        return -1;
    }
    int rc = journal_transact(c->journal, approve_tx, op, err);
    if (rc >= 0 && ceremony_refresh(c, NULL, NULL, err) != 0)
        rc = -1;
    snprintf(msg, len, "%s", op->msg);
    free(op);
    return rc;
}

static void approve_done(void *p, int rc, const struct error *err)
{
    struct approve_op *op = p;
    op->done(op->ctx, rc, rc < 0 ? err->msg : op->msg);
    free(op);
}

int approve_step_async(struct ceremony *c, const char *step_id, const char *reason,
                       int64_t now_ms, ceremony_ack_done_fn done, void *ctx, char *msg,
                       size_t len)
{
    struct approve_op *op = op_new(c, step_id, reason, now_ms);
    struct error err = {{0}};
    if (!op) {
        snprintf(msg, len, "out of memory");
        return -1;
    }
    op->own_fold = 1;
    op->done = done;
    op->ctx = ctx;
    if (journal_transact_async(c->journal, approve_tx, op, approve_done, &err) != 0) {
        snprintf(msg, len, "refused: %s", err.msg);
        free(op);
        return -1;
    }
    snprintf(msg, len, "%s step %s…", reason ? "overriding the conditions of" : "approving",
             step_id);
    return 0;
}
