/* approve.c — the commander's approval of an irreversible step, and the
 * override of its conditions (see approve.h). */
#include "approve.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "decide.h"
#include "events.h"
#include "noreturn.h"

struct approve_op {
    struct decide_op base;    /* first: decide.h runs it */
    int override;             /* override the conditions, with reason */
    char step[64];
    char reason[400];
};

/* The decision on s at op->now: 0, or -1 with why. */
static int approve_rules(const struct session *s, const struct approve_op *op, char *why,
                         size_t len)
{
    const struct ceremony *c = op->base.c;
    if (op->override) {
        if (noreturn_override_decide(s, op->step, c->role, op->reason, why, len) != 0)
            return -1;
        if (noreturn_condition_refusal(s, (size_t)runbook_step_index(s->rb, op->step),
                                       op->base.now, why, len) == 0) {
            snprintf(why, len, "every condition of step %s holds: nothing to override", op->step);
            return -1;
        }
        return 0;
    }
    if (noreturn_approve_decide(s, op->step, c->name, c->role, why, len) != 0)
        return -1;
    return noreturn_condition_refusal(s, (size_t)runbook_step_index(s->rb, op->step),
                                      op->base.now, why, len);
}

static char *body_of(const struct session *s, const struct approve_op *op, int refused,
                     const char *why)
{
    const struct ceremony *c = op->base.c;
    if (refused) {
        char r[600];
        snprintf(r, sizeof r, "%s: %s", op->override ? "override" : "approval", why);
        return events_ack_refused_body(op->step, c->name, c->role, r);
    }
    if (op->override) {
        char guard[96], unmet[400];
        snprintf(guard, sizeof guard, "%s%s", NORETURN_GUARD_PREFIX, op->step);
        noreturn_condition_refusal(s, (size_t)runbook_step_index(s->rb, op->step), op->base.now,
                                   unmet, sizeof unmet);
        return decide_override_body(guard, unmet, op->reason);
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "step", op->step);
    cJSON_AddStringToObject(o, "name", c->name);
    cJSON_AddStringToObject(o, "role", c->role);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* The decision on what the journal holds (decide.h). */
static int approve_decide(struct decide_op *base, const struct session *s, const char **kind,
                          char **body, struct error *err)
{
    struct approve_op *op = (struct approve_op *)base;
    const struct ceremony *c = base->c;
    char why[600];
    int refused = approve_rules(s, op, why, sizeof why) != 0;
    ptrdiff_t i = runbook_step_index(s->rb, op->step);
    int completes = !refused && !op->override && i >= 0 && s->nr[i].owner_acked;
    char owner[120] = "";
    if (completes)
        snprintf(owner, sizeof owner, "%s (%s)", s->nr[i].ack_name, s->nr[i].ack_role);
    if (!(*body = body_of(s, op, refused, why))) {
        error_set(err, "out of memory");
        return -1;
    }
    *kind = refused ? EV_ACK_REFUSED : op->override ? EV_OVERRIDE : EV_APPROVE;
    if (refused)
        snprintf(base->msg, sizeof base->msg, "refused: %s", why);
    else if (op->override)
        snprintf(base->msg, sizeof base->msg, "OVERRIDDEN: the conditions of step %s — %s",
                 op->step, op->reason);
    else if (completes)
        snprintf(base->msg, sizeof base->msg, "step %s approved by %s: done (acknowledged by "
                 "%s); NO WAY BACK from here", op->step, c->name, owner);
    else
        snprintf(base->msg, sizeof base->msg, "step %s approved by %s; it waits for its owner's "
                 "acknowledgement", op->step, c->name);
    return refused;
}

static void approve_op_init(struct approve_op *op, struct ceremony *c, const char *step,
                            const char *reason, int64_t now)
{
    *op = (struct approve_op){.base = {.c = c, .now = now, .decide = approve_decide},
                              .override = reason != NULL};
    snprintf(op->step, sizeof op->step, "%s", step ? step : "");
    snprintf(op->reason, sizeof op->reason, "%s", reason ? reason : "");
}

int approve_step(struct ceremony *c, const char *step_id, const char *reason, int64_t now_ms,
                 char *msg, size_t len, struct error *err)
{
    struct approve_op op;
    approve_op_init(&op, c, step_id, reason, now_ms);
    return decide_run(&op.base, msg, len, err);
}

int approve_step_async(struct ceremony *c, const char *step_id, const char *reason,
                       int64_t now_ms, ceremony_ack_done_fn done, void *ctx, char *msg,
                       size_t len)
{
    struct approve_op op;
    approve_op_init(&op, c, step_id, reason, now_ms);
    char pending[160];
    snprintf(pending, sizeof pending, "%s step %s…",
             reason ? "overriding the conditions of" : "approving", step_id);
    return decide_queue(&op.base, sizeof op, done, ctx, pending, msg, len);
}
