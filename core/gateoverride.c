/* gateoverride.c — a gate's override (see gateoverride.h): refused to
 * anyone but the commander, without a reason, for a gate that does not
 * exist, passes already, or was overridden before. */
#include "gateoverride.h"

#include <stdio.h>
#include <string.h>

#include "decide.h"
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
    struct decide_op base;    /* first: decide.h runs it */
    char id[96];
    char reason[400];
};

static char *override_body(const struct session *s, const char *id, const char *reason)
{
    ptrdiff_t i = gatefold_find(s->rb, id);
    const struct gate_view *g = &s->gf.gates[i];
    return decide_override_body(s->rb->gates[i].id, g->judged ? g->why : "not judged yet",
                                reason);
}

/* The decision on what the journal holds (decide.h); a refusal is not
 * journaled. */
static int override_decide(struct decide_op *base, const struct session *s, const char **kind,
                           char **body, struct error *err)
{
    struct override_op *op = (struct override_op *)base;
    char why[400];
    if (gateoverride_decide(s, base->c->role, op->id, op->reason, why, sizeof why) != 0) {
        snprintf(base->msg, sizeof base->msg, "refused: %s", why);
        return 1;
    }
    if (!(*body = override_body(s, op->id, op->reason))) {
        error_set(err, "out of memory");
        return -1;
    }
    *kind = EV_OVERRIDE;
    snprintf(base->msg, sizeof base->msg, "OVERRIDDEN: gate %s — %s", op->id, op->reason);
    return 0;
}

static void override_op_init(struct override_op *op, struct ceremony *c, const char *id,
                             const char *reason, int64_t now)
{
    *op = (struct override_op){.base = {.c = c, .now = now, .decide = override_decide}};
    snprintf(op->id, sizeof op->id, "%s", id ? id : "");
    snprintf(op->reason, sizeof op->reason, "%s", reason ? reason : "");
}

int gateoverride(struct ceremony *c, const char *id, const char *reason, int64_t now_ms,
                 char *msg, size_t len, struct error *err)
{
    struct override_op op;
    override_op_init(&op, c, id, reason, now_ms);
    return decide_run(&op.base, msg, len, err);
}

int gateoverride_async(struct ceremony *c, const char *id, const char *reason, int64_t now_ms,
                       ceremony_ack_done_fn done, void *ctx, char *msg, size_t len)
{
    struct override_op op;
    override_op_init(&op, c, id, reason, now_ms);
    char pending[160];
    snprintf(pending, sizeof pending, "overriding gate %s…", id);
    return decide_queue(&op.base, sizeof op, done, ctx, pending, msg, len);
}
