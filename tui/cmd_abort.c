/* cmd_abort.c — `cutover abort JOURNAL --as NAME --role ROLE --reason TEXT`:
 * the brake from a script. It journals an abort request, which the
 * console that drives carries out (flag first), then waits for the
 * rollback's read-back: exit 0 when the flag was read back at the
 * rollback value, 1 when refused, not read back in time
 * (CUTOVER_ABORT_WAIT_S, 30 s unless told), or when no console drives (said
 * at once: the request waits in the journal for the next driver). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "commands.h"
#include "core/ceremony.h"
#include "core/driver.h"
#include "core/events.h"
#include "options.h"

struct outcome { int aborted, refused, confirmed; double percent; char cause[240]; };

static int see(const struct journal_event *ev, void *p)
{
    struct outcome *o = p;
    int abort = strcmp(ev->kind, EV_ABORT) == 0, done = strcmp(ev->kind, EV_ROLLBACK_DONE) == 0;
    if (strcmp(ev->kind, EV_ABORT_REFUSED) == 0 && !o->aborted)
        o->refused = 1;
    if (!abort && !(done && o->aborted))
        return 0;
    cJSON *b = cJSON_Parse(ev->body);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, abort ? "cause" : "percent");
    if (abort && cJSON_IsString(v)) {
        o->aborted = 1;
        snprintf(o->cause, sizeof o->cause, "%s", v->valuestring);
    } else if (done && cJSON_IsNumber(v)) {
        o->confirmed = 1;
        o->percent = v->valuedouble;
    }
    cJSON_Delete(b);
    return 0;
}

static long wait_seconds(void)
{
    const char *s = getenv("CUTOVER_ABORT_WAIT_S");
    long n = s ? strtol(s, NULL, 10) : 30;
    return n > 0 ? n : 30;
}

/* Reads the journal after the request until the rollback is read back. */
static int await_rollback(struct ceremony *c, int64_t after, struct outcome *o)
{
    struct timespec t0, t, nap = {0, 100 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long limit = wait_seconds();
    struct error err = {{0}};
    /* an abort already in effect before the request counts as this one */
    o->aborted = c->s.ramp.status == RAMP_ABORTED;
    o->confirmed = o->aborted && c->s.ramp.rollback_confirmed_ms;
    o->percent = c->s.ramp.percent;
    snprintf(o->cause, sizeof o->cause, "%s", c->s.ramp.cause);
    for (;;) {
        if (journal_read(c->journal, after, see, o, &err) != 0) {
            fprintf(stderr, "cutover: %s\n", err.msg);
            return -1;
        }
        if (o->confirmed || o->refused)
            return 0;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec >= limit)
            return 0;
        nanosleep(&nap, NULL);
    }
}

/* With no console driving, nothing can act on the request now: say so at
 * once (the request stays journaled; the next console to drive acts on it
 * before anything else) rather than wait for a read-back that cannot come. */
static int no_driver(struct ceremony *c, int64_t seq)
{
    struct journal_lease holder;
    struct error err = {{0}};
    if (journal_lease_holder(c->journal, clock_now_ms(), JOURNAL_QUIET_MS, &holder, &err) != 0)
        return 0;
    const struct ramp_view *r = &c->s.ramp;
    char flag[64];
    if (r->has_percent)
        snprintf(flag, sizeof flag, "the flag last read %g%%", r->percent);
    else
        snprintf(flag, sizeof flag, "the flag's value is not known");
    fprintf(stderr,
            "cutover: NOT rolled back: no console drives this journal now (%s). The request is "
            "journaled as #%lld; the next console to drive it (cutover run) acts on it before "
            "anything else.\n",
            flag, (long long)seq);
    return 1;
}

int cmd_abort(int argc, char **argv)
{
    struct options op;
    if (options_parse(argc, argv, &op) != 0 || op.n_positional != 1 || !op.as || !op.role ||
        !op.reason || !op.reason[0])
        return usage_of("abort");
    struct ceremony c;
    struct error err = {{0}};
    if (ceremony_join(&c, op.positional[0], op.as, op.role, &err) != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        return EXIT_FAILED;
    }
    char msg[400];
    int64_t seq = 0, before = c.s.last_seq;   /* the request comes after what is folded */
    struct outcome o = {0};
    int rc = driver_request_abort(&c, op.reason, clock_now_ms(), &seq, msg, sizeof msg);
    int nobody = 0;
    if (rc == 0) {
        printf("%s\n", msg);
        fflush(stdout);
        nobody = no_driver(&c, seq);
        if (!nobody)
            rc = await_rollback(&c, seq > before ? seq : before, &o);
    } else
        fprintf(stderr, "cutover: %s\n", msg);
    ceremony_close(&c);
    if (rc != 0 || nobody)
        return EXIT_FAILED;
    if (o.refused) {
        fprintf(stderr, "cutover: the driving console refused the abort\n");
        return EXIT_FAILED;
    }
    if (!o.confirmed) {
        fprintf(stderr, "cutover: NOT read back after %ld s: %s\n", wait_seconds(),
                o.aborted ? "the abort is journaled, its rollback is not confirmed"
                          : "no console acted on the request (is one driving?)");
        return EXIT_FAILED;
    }
    printf("rollback read back: the flag reads %g%% (%s)\n", o.percent, o.cause);
    return EXIT_OK;
}
