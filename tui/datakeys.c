/* datakeys.c — p, R and c: the backfill's controls and the comparison
 * asked for again, from any console (datakeys.h). Nothing here waits: a
 * control is a child process, a request is a queued journal append. */
#include "datakeys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "core/datafold.h"
#include "core/events.h"

static int may(const struct ceremony *c, const char *what, char *msg, size_t len)
{
    if (strcmp(c->role, "dba") == 0 || strcmp(c->role, "commander") == 0)
        return 1;
    snprintf(msg, len, "refused: only the dba or the commander %s", what);
    return 0;
}

/* p and R: while the journal says a backfill job runs. */
static int may_control(const struct ceremony *c, const struct jobrunner *jobs, char *msg,
                       size_t len)
{
    if (!may(c, "pauses or paces the backfill", msg, len))
        return 0;
    if (!datafold_running(&c->s.data, DATA_BACKFILL)) {
        snprintf(msg, len, "no backfill job runs now (the driving console starts it at its "
                 "step's turn)");
        return 0;
    }
    if (!jobs) {
        snprintf(msg, len, "this console does not know its journal's path");
        return 0;
    }
    return 1;
}

/* P resumes a paused copy and pauses one that runs: paused as the newest
 * pause or resume control left the control row (a change of rate since
 * leaves it so, and a copy started again keeps it), or, when no control
 * said, as the copy's newest checkpoint says. */
static int pause_or_resume(struct ceremony *c, struct jobrunner *jobs, char *msg, size_t len)
{
    if (!may_control(c, jobs, msg, len))
        return -1;
    const struct datafold *d = &c->s.data;
    int paused = d->pause_said ? d->paused
                               : c->s.backfill.n_jobs && c->s.backfill.jobs[0].paused;
    return jobrunner_control(jobs, paused ? "--resume" : "--pause", NULL, msg, len);
}

/* c on a compare step that diverged, or a writers step whose audit found
 * an unknown writer (or either that failed): the driving console runs it
 * again. */
static int run_again(struct ceremony *c, size_t selected, char *msg, size_t len)
{
    const struct rb_step *st = &c->rb->steps[selected];
    enum datafold_kind k = st->action == RB_ACTION_COMPARE   ? DATA_COMPARE
                           : st->action == RB_ACTION_WRITERS ? DATA_WRITERS
                                                             : DATA_KINDS;
    if (k == DATA_KINDS || c->s.acks[selected].acked) {
        snprintf(msg, len, "c runs a comparison or a writer audit again: select an open "
                           "compare or writers step");
        return -1;
    }
    const char *what = k == DATA_COMPARE ? "comparison" : "writer audit";
    const struct datafold_job *j = &c->s.data.jobs[k];
    char verb[64];
    snprintf(verb, sizeof verb, "runs the %s again", what);
    if (!may(c, verb, msg, len))
        return -1;
    if (datafold_running(&c->s.data, k) || !j->seen ||
        (strcmp(j->state, "diverged") != 0 && strcmp(j->state, "unknown") != 0 &&
         strcmp(j->state, "failed") != 0)) {
        snprintf(msg, len, "the %s runs, or is due to: nothing to ask for", what);
        return -1;
    }
    char why[200];
    snprintf(why, sizeof why, "asked again by %s (%s)", c->name, c->role);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "job", datafold_kind_name(k));
    cJSON_AddStringToObject(o, "step", st->id);
    cJSON_AddStringToObject(o, "state", "requested");
    cJSON_AddStringToObject(o, "why", why);
    struct error err = {{0}};
    char *body = events_encode(EVK_DATA_JOB, o, &err);
    int rc = body ? ceremony_append(c, EV_DATA_JOB, body, clock_now_ms(), &err) : -1;
    free(body);
    snprintf(msg, len, "%s%s%s", rc ? err.msg : what, rc ? "" : " asked for again (journaled); ",
             rc ? "" : "the driving console starts it");
    return rc;
}

enum datakey_answer datakeys_key(struct ceremony *c, struct jobrunner *jobs, size_t selected,
                                 int ch, char *msg, size_t len, int *alert, const char **label)
{
    switch (ch) {
    case 'P':
        *alert = pause_or_resume(c, jobs, msg, len) != 0;
        return DATAKEY_DONE;
    case 'R':
        if (!may_control(c, jobs, msg, len)) {
            *alert = 1;
            return DATAKEY_DONE;
        }
        *label = "backfill rate in rows/s (0: no limit) and Enter: ";
        return DATAKEY_PROMPT;
    case 'c':
        *alert = run_again(c, selected, msg, len) != 0;
        return DATAKEY_DONE;
    default:
        return DATAKEY_NOT_OURS;
    }
}

int datakeys_rate(struct jobrunner *jobs, const char *text, char *msg, size_t len)
{
    char *end = NULL;
    double r = strtod(text, &end);
    if (!text[0] || !end || *end || !(r >= 0 && r <= 1e9)) {
        snprintf(msg, len, "not a rate: `%s` (rows per second, 0 for no limit)", text);
        return 1;
    }
    if (!jobs) {
        snprintf(msg, len, "this console does not know its journal's path");
        return 1;
    }
    char value[32];
    snprintf(value, sizeof value, "%g", r);
    return jobrunner_control(jobs, "--rate", value, msg, len) != 0;
}
