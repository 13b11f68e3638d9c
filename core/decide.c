/* decide.c — a decision decided and journaled in one write transaction
 * (see decide.h). */
#include "decide.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

static int fold_event(const struct journal_event *ev, void *p)
{
    session_apply(p, ev);
    return 0;
}

/* Inside the write transaction: the fold of what the journal holds. */
static int decide_tx(struct journal *j, void *p, struct error *err)
{
    struct decide_op *op = p;
    struct ceremony *c = op->c;
    struct session mine, *s = &c->s;
    if (op->own_fold) {
        if (session_init(&mine, c->rb) != 0) {
            error_set(err, "out of memory");
            return -1;
        }
        s = &mine;
        /* events alone: a person's decision depends on events and the
         * runbook, never on samples, and this runs inside the transaction */
        if (journal_read(j, 0, fold_event, s, err) != 0) {
            session_free(&mine);
            return -1;
        }
    } else if (ceremony_refresh(c, NULL, NULL, err) != 0) {
        return -1;
    }
    const char *kind = NULL;
    char *body = NULL;
    int rc = op->decide(op, s, &kind, &body, err);
    if (op->own_fold)
        session_free(&mine);
    if (rc < 0 || !body) {
        free(body);
        return rc;
    }
    struct journal_event ev = {.ts_ms = op->now, .actor = c->actor, .kind = kind, .body = body};
    int appended = journal_append(j, &ev, NULL, err);
    free(body);
    return appended != 0 ? -1 : rc;
}

int decide_run(struct decide_op *op, char *msg, size_t len, struct error *err)
{
    op->own_fold = 0;
    int rc = journal_transact(op->c->journal, decide_tx, op, err);
    if (rc >= 0 && ceremony_refresh(op->c, NULL, NULL, err) != 0)
        rc = -1;
    snprintf(msg, len, "%s", op->msg);
    return rc;
}

static void decide_done(void *p, int rc, const struct error *err)
{
    struct decide_op *op = p;
    op->done(op->ctx, rc, rc < 0 ? err->msg : op->msg);
    free(op);
}

int decide_queue(const struct decide_op *op, size_t size, ceremony_ack_done_fn done, void *ctx,
                 const char *pending, char *msg, size_t len)
{
    struct decide_op *mine = malloc(size);
    struct error err = {{0}};
    if (!mine) {
        snprintf(msg, len, "out of memory");
        return -1;
    }
    memcpy(mine, op, size);
    mine->own_fold = 1;
    mine->done = done;
    mine->ctx = ctx;
    if (journal_transact_async(mine->c->journal, decide_tx, mine, decide_done, &err) != 0) {
        snprintf(msg, len, "refused: %s", err.msg);
        free(mine);
        return -1;
    }
    snprintf(msg, len, "%s", pending);
    return 0;
}

char *decide_override_body(const char *guard, const char *failed, const char *reason)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "guard", guard);
    cJSON_AddStringToObject(o, "failed", failed);
    cJSON_AddStringToObject(o, "reason", reason);
    struct error err = {{0}};
    return events_encode(EVK_OVERRIDE, o, &err);
}
