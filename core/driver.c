/* driver.c — the driving console's duties (see driver.h), in the order of
 * acts of docs/journal.md: an abort moves the flag first and journals after
 * (the writer's queue and spool keep the record); every other act journals
 * its intent first — in its own write transaction, refused at once when the
 * journal cannot be written — then acts, then journals the result. Nothing
 * here waits for the journal: appends are queued to its writer thread. */
#include "driver.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cleanupdue.h"
#include "events.h"
#include "flags.h"
#include "flagworker.h"
#include "gatehist_prom.h"
#include "gatework.h"
#include "journal_writer.h"
#include "http.h"
#include "noreturn.h"
#include "notify.h"
#include "number.h"
#include "ramp.h"
#include "signals.h"
#include "timefmt.h"
#include "watch.h"

#define ROLLBACK_BACKOFF_MIN_MS 100
#define ROLLBACK_BACKOFF_MAX_MS 5000
#define SAME_PERCENT 0.01

struct driver {
    struct ceremony *c;
    CURLM *multi;
    struct signals *signals;
    struct flagworker *flag;
    struct notify *notify;    /* the comms webhook, or NULL */
    struct gatework *gates;   /* the gates' judge, or NULL: the runbook has none */
    char flag_name[160];
    int64_t next_retry_ms;     /* a rollback to try again at; 0 = none */
    int64_t next_check_ms;     /* the start's look at the flag, to try again at; 0 = none */
    int check_tries;
    double last_seen;          /* the flag's value as last read (NAN: never) */
    int flag_pending;          /* set/read requests in flight */
    int checked;               /* the restart check of the flag was asked */
    int64_t since_ms;          /* its first step: an advance waits for what is read after */
    int rehearsing;            /* a rehearsal's flag write is in flight */
    int64_t last_rehearsal_ms;
    struct flag_result rehearsal_set; /* the set half of it */
    int intent_pending;        /* an act's intent is being journaled */
    int64_t last_anchor_ms;
    long samples_since_anchor;
    char message[400];         /* how an act's intent ended, for the screen */
    int64_t request_seq;       /* abort requests are looked for after this event */
    int64_t inherited_request; /* a request asked before this console drove, or 0 */
    int message_alert, has_message;
};

#define REHEARSE_EVERY_MS 5000    /* a failed rehearsal is tried again this often */
#define ANCHOR_EVERY_MS 60000     /* the samples chain is anchored this often, */
#define ANCHOR_EVERY_SAMPLES 1000 /* or after this many samples */

/* The events comms hears about, in words. */
static void tell(struct driver *d, const char *kind, const char *text, int64_t now)
{
    static const char *const told[] = {EV_RAMP_ADVANCE, EV_ABORT, EV_HALT, EV_RESUME,
                                       EV_OVERRIDE, EV_FLAG_RESTORE, EV_ROLLBACK_DONE};
    for (size_t i = 0; d->notify && i < sizeof told / sizeof told[0]; i++) {
        if (strcmp(kind, told[i]) != 0)
            continue;
        struct journal_event ev = {.ts_ms = now, .actor = "engine", .kind = kind, .body = text};
        char line[600];
        events_describe(&ev, line, sizeof line);
        notify_send(d->notify, line, now);
    }
}

/* Journals body (consumed) as actor, tells comms, and re-folds. */
static int append_by(struct driver *d, const char *actor, const char *kind, cJSON *body,
                     int64_t now, struct error *err)
{
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    struct journal_event ev = {.ts_ms = now, .actor = actor, .kind = kind, .body = text};
    int rc = text ? journal_append(d->c->journal, &ev, NULL, err) : -1;
    if (rc == 0)
        tell(d, kind, text, now);
    free(text);
    if (rc == 0)
        rc = ceremony_refresh(d->c, NULL, NULL, err);
    return rc;
}

/* What the engine decided. */
static int append(struct driver *d, const char *kind, cJSON *body, int64_t now,
                  struct error *err)
{
    return append_by(d, "engine", kind, body, now, err);
}

/* What the person at this console did. */
static int append_as_me(struct driver *d, const char *kind, cJSON *body, int64_t now,
                        struct error *err)
{
    return append_by(d, d->c->actor, kind, body, now, err);
}

struct driver *driver_new(struct ceremony *c, CURLM *multi, struct error *err)
{
    struct driver *d = calloc(1, sizeof *d);
    if (!d) {
        error_set(err, "out of memory");
        return NULL;
    }
    d->c = c;
    d->multi = multi;
    d->last_seen = NAN;
    /* requests before this console drove are history, except one no abort
     * answered (asked while no console drove): that one is acted on first */
    d->request_seq = c->s.last_seq;
    if (c->s.ramp.request_seq > 0) {
        d->request_seq = c->s.ramp.request_seq - 1;
        d->inherited_request = c->s.ramp.request_seq;
    }
    if (!(d->signals = signals_new(c->rb, multi, err))) {
        driver_free(d);
        return NULL;
    }
    d->notify = notify_new(c->rb, multi, err);
    gatehist_use_prometheus();   /* before the gates' worker starts: `over` gates read query_range */
    if (!(d->gates = gatework_new(journal_location(c->journal), c->rb, err)) && c->rb->n_gates) {
        driver_free(d);
        return NULL;
    }
    const struct rb_system *flag = runbook_system(c->rb, "flag");
    if (flag && c->rb->n_ramp) {
        if (!(d->flag = flagworker_new(flag, err))) {
            driver_free(d);
            return NULL;
        }
        flags_display_name(flag, d->flag_name, sizeof d->flag_name);
    }
    return d;
}

void driver_free(struct driver *d)
{
    if (!d)
        return;
    signals_free(d->signals);
    flagworker_free(d->flag);
    notify_free(d->notify);
    gatework_free(d->gates);
    free(d);
}

size_t driver_fds(const struct driver *d, int *fds)
{
    size_t n = 0;
    if (signals_wake_fd(d->signals) >= 0)
        fds[n++] = signals_wake_fd(d->signals);
    if (d->flag)
        fds[n++] = flagworker_wake_fd(d->flag);
    if (d->gates)
        fds[n++] = gatework_wake_fd(d->gates);
    return n;
}

const char *driver_flag_name(const struct driver *d)
{
    return d->flag ? d->flag_name : NULL;
}

int64_t driver_wait_ms(const struct driver *d, int64_t now_ms)
{
    int64_t wait = signals_wait_ms(d->signals, now_ms);
    if (d->gates && gatework_wait_ms(d->gates, now_ms) < wait)
        wait = gatework_wait_ms(d->gates, now_ms);
    int64_t due[2] = {d->next_retry_ms, d->next_check_ms};
    for (int i = 0; i < 2; i++)
        if (due[i] && due[i] - now_ms < wait)
            wait = due[i] > now_ms ? due[i] - now_ms : 0;
    return wait;
}

/* --- signals ------------------------------------------------------------ */

static int record_samples(struct driver *d, struct signal_outcome *o, size_t n,
                          struct error *err)
{
    struct journal_sample samples[64];
    for (size_t i = 0; i < n; i++)
        samples[i] = (struct journal_sample){.ts_ms = o[i].at_ms, .signal = o[i].signal,
                                             .value = o[i].value, .has_value = o[i].has_value,
                                             .status = o[i].status};
    d->samples_since_anchor += (long)n;
    return n ? journal_append_samples(d->c->journal, samples, n, err) : 0;
}

/* Now and then the samples chain's head goes on record in the events
 * chain, so deleting samples cannot pass verify. */
static int anchor_due(struct driver *d, int64_t now, struct error *err)
{
    if (!d->last_anchor_ms)
        d->last_anchor_ms = now;
    if (now - d->last_anchor_ms < ANCHOR_EVERY_MS &&
        d->samples_since_anchor < ANCHOR_EVERY_SAMPLES)
        return 0;
    d->last_anchor_ms = now;
    d->samples_since_anchor = 0;
    return journal_append_anchor(d->c->journal, now, "engine", err);
}

static size_t collect_signals(struct driver *d, int64_t now, struct signal_outcome *out,
                              size_t max)
{
    size_t n = 0;
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(d->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        int mine = 0, failed = 0;
        struct http_request *r = http_of(msg->easy_handle);
        struct error why = {{0}};
        if (notify_on_done(d->notify, r, msg->data.result, &failed, &why)) {
            if (failed) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "error", why.msg);
                struct error ignored = {{0}};
                append(d, EV_NOTIFY_FAILED, o, now, &ignored);
            }
            continue;
        }
        n += signals_on_done(d->signals, r, msg->data.result, now, out + n, max - n, &mine);
    }
    return n + signals_collect_local(d->signals, now, out + n, max - n);
}

void driver_drain_notify(struct driver *d, int64_t wait_ms, int64_t (*real_ms)(void),
                         int64_t (*clock_ms)(void))
{
    if (!d || !notify_in_flight(d->notify))
        return;
    int running;
    int64_t until = real_ms() + wait_ms;
    while (notify_in_flight(d->notify) && real_ms() < until) {
        curl_multi_perform(d->multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(d->multi, &left))) {
            int failed = 0;
            struct error why = {{0}}, ignored = {{0}};
            if (msg->msg != CURLMSG_DONE ||
                !notify_on_done(d->notify, http_of(msg->easy_handle), msg->data.result, &failed,
                                &why) || !failed)
                continue;   /* a signal's poll: nobody reads it now */
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "error", why.msg);
            append(d, EV_NOTIFY_FAILED, o, clock_ms(), &ignored);
        }
        if (notify_in_flight(d->notify))
            curl_multi_poll(d->multi, NULL, 0, 50, NULL);
    }
    size_t lost = notify_in_flight(d->notify);
    if (lost) {
        char words[160];
        struct error ignored = {{0}};
        snprintf(words, sizeof words,
                 "%zu message%s to comms not delivered: the console closed while %s on %s way",
                 lost, lost == 1 ? "" : "s", lost == 1 ? "it was" : "they were",
                 lost == 1 ? "its" : "their");
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "error", words);
        append(d, EV_NOTIFY_FAILED, o, clock_ms(), &ignored);
    }
}

/* --- the flag ----------------------------------------------------------- */

static void ask_set(struct driver *d, double percent, const char *purpose)
{
    flagworker_set(d->flag, percent, purpose);
    d->flag_pending = 1;
}

static void ask_check(struct driver *d)
{
    flagworker_read(d->flag, "check");
    d->flag_pending = 1;
}

static int rollback_confirmed(struct driver *d, double seen, int64_t now, struct error *err)
{
    const struct ramp_view *r = &d->c->s.ramp;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "percent", seen);
    cJSON_AddNumberToObject(o, "breach_ms", (double)r->breach_ms);
    cJSON_AddNumberToObject(o, "abort_ms", (double)r->abort_ms);
    cJSON_AddNumberToObject(o, "set_ms", (double)r->rollback_set_ms);
    cJSON_AddNumberToObject(o, "confirmed_ms", (double)now);
    cJSON_AddNumberToObject(o, "latency_ms", (double)(now - r->breach_ms));
    cJSON_AddNumberToObject(o, "tries", r->rollback_tries);
    d->next_retry_ms = 0;
    return append(d, EV_ROLLBACK_DONE, o, now, err);
}

/* A read's rule digest, when the driver tells one. */
static void add_rule(cJSON *o, const struct flag_result *r)
{
    if (r->op == FLAG_READ && r->ok && r->rule[0])
        cJSON_AddStringToObject(o, "rule", r->rule);
}

/* The look on start, on record: "start" on a fresh ceremony (the flag's
 * value is where it starts), "check" otherwise. */
static int journal_look(struct driver *d, const struct flag_result *r, const char *purpose,
                        int64_t now, struct error *err)
{
    cJSON *seen = cJSON_CreateObject();
    if (r->ok)
        cJSON_AddNumberToObject(seen, "percent", r->percent);
    cJSON_AddStringToObject(seen, "purpose", purpose);
    cJSON_AddBoolToObject(seen, "ok", r->ok);
    if (!r->ok)
        cJSON_AddStringToObject(seen, "error", r->error);
    add_rule(seen, r);
    return append(d, EV_FLAG_READ, seen, now, err);
}

/* The backoff of the n-th try (n from 0): doubling, capped. */
static int64_t backoff_ms(int n)
{
    int64_t back = (int64_t)ROLLBACK_BACKOFF_MIN_MS << (n < 6 ? n : 6);
    return back > ROLLBACK_BACKOFF_MAX_MS ? ROLLBACK_BACKOFF_MAX_MS : back;
}

/* An advance whose result never reached the journal (the console died
 * while it was in flight): the flag says whether it was applied. */
static int resolve_advance(struct driver *d, const struct flag_result *r, int64_t now,
                           struct error *err)
{
    const struct ramp_view *rv = &d->c->s.ramp;
    double seen = r->percent;
    int applied = fabs(seen - rv->target) <= SAME_PERCENT;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "percent", seen);
    cJSON_AddStringToObject(o, "purpose", "advance");
    cJSON_AddBoolToObject(o, "ok", 1);
    cJSON_AddNumberToObject(o, "expected", rv->target);
    cJSON_AddBoolToObject(o, "applied", applied);
    if (applied)
        add_rule(o, r);
    return append(d, EV_FLAG_READ, o, now, err);
}

/* After a restart: does the flag say what the journal says? */
static int judge_check(struct driver *d, const struct flag_result *r, int64_t now,
                       struct error *err)
{
    const struct ramp_view *rv = &d->c->s.ramp;
    int fresh = rv->status == RAMP_IDLE && rv->step < 0 && !rv->has_percent;
    if (journal_look(d, r, fresh && r->ok ? "start" : "check", now, err) != 0)
        return -1;
    if (!r->ok) {
        if (rv->status == RAMP_SETTING)   /* it must be known before anything moves */
            d->next_check_ms = now + backoff_ms(d->check_tries++);
        return 0;
    }
    if (fresh)
        return 0;   /* the flag's value is the ceremony's starting point */
    if (rv->status == RAMP_SETTING) {
        if (resolve_advance(d, r, now, err) != 0)
            return -1;
        if (fabs(r->percent - rv->target) <= SAME_PERCENT)
            return 0;
        /* not applied: the ramp is back where it was; the flag must say so */
    }
    double want = rv->status == RAMP_ABORTED ? rv->target : rv->percent;
    if (fabs(r->percent - want) <= SAME_PERCENT) {
        if (rv->status == RAMP_ABORTED && !rv->rollback_confirmed_ms) {
            /* it was set before the crash: the read-back completes it */
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "percent", r->percent);
            cJSON_AddStringToObject(o, "purpose", "rollback");
            cJSON_AddBoolToObject(o, "ok", 1);
            add_rule(o, r);
            int rc = append(d, EV_FLAG_READ, o, now, err);
            return rc == 0 ? rollback_confirmed(d, r->percent, now, err) : rc;
        }
        if (rv->status == RAMP_ABORTED || !rv->rule[0] || !r->rule[0] ||
            strcmp(rv->rule, r->rule) == 0)
            return 0;
        /* the same share under another rule: other users are on new */
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "journal_percent", want);
        cJSON_AddNumberToObject(o, "flag_percent", r->percent);
        cJSON_AddBoolToObject(o, "rule_changed", 1);
        cJSON_AddStringToObject(o, "journal_rule", rv->rule);
        cJSON_AddStringToObject(o, "flag_rule", r->rule);
        return append(d, EV_FLAG_MISMATCH, o, now, err);
    }
    if (rv->status == RAMP_ABORTED) {   /* an unfinished rollback: finish it */
        ask_set(d, rv->target, "rollback");
        return 0;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "journal_percent", want);
    cJSON_AddNumberToObject(o, "flag_percent", r->percent);
    if (r->rule[0])
        cJSON_AddStringToObject(o, "flag_rule", r->rule);
    return append(d, EV_FLAG_MISMATCH, o, now, err);
}

/* One line of the rehearsal checklist: in the checks array whole, and in
 * the one-line summary cut short — failures first, so the screen shows
 * what is wrong before what is fine. */
static void check_line(cJSON *checks, char *bad, char *good, size_t len, const char *name, int ok,
                       const char *detail)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "name", name);
    cJSON_AddBoolToObject(c, "ok", ok);
    cJSON_AddStringToObject(c, "detail", detail);
    cJSON_AddItemToArray(checks, c);
    char *summary = ok ? good : bad;
    size_t used = strlen(summary);
    snprintf(summary + used, len - used, "%s%s %.70s", used ? " · " : "", ok ? "✔" : "✘", detail);
}

/* Every signal a gating criterion needs is answering; names the first that is not. */
static int signals_answer(const struct session *s, int64_t now, char *detail, size_t len)
{
    const struct runbook *rb = s->rb;
    size_t n = 0;
    for (size_t i = 0; i < rb->n_signals; i++) {
        int needed = 0;
        for (size_t c = 0; c < rb->n_criteria; c++)
            needed |= ramp_gates(&rb->criteria[c]) &&
                      (strcmp(rb->criteria[c].signal, rb->signals[i].name) == 0 ||
                       (rb->criteria[c].min_signal && strcmp(rb->criteria[c].min_signal, rb->signals[i].name) == 0));
        if (!needed)
            continue;
        n++;
        if (!s->signals[i].has_value || session_stale(s, i, now)) {
            snprintf(detail, len, "signal %s is not answering: %s", rb->signals[i].name,
                     s->signals[i].last_ms ? s->signals[i].status : "no sample yet");
            return 0;
        }
    }
    snprintf(detail, len, "the %zu signals the criteria need are answering", n);
    return 1;
}

/* Dual-write flows: the runbook's dual_write_rate signal is live and above 0. */
static int dual_write_flows(const struct session *s, int64_t now, char *detail, size_t len)
{
    const struct runbook *rb = s->rb;
    for (size_t i = 0; i < rb->n_signals; i++) {
        if (strcmp(rb->signals[i].name, "dual_write_rate") != 0)
            continue;
        const struct signal_view *v = &s->signals[i];
        if (!v->has_value || session_stale(s, i, now)) {
            snprintf(detail, len, "dual-write not shown to flow: dual_write_rate has no fresh value");
            return 0;
        }
        if (v->value <= 0) {
            snprintf(detail, len, "dual-write is not flowing: dual_write_rate = %g", v->value);
            return 0;
        }
        snprintf(detail, len, "old takes writes and dual-write flows (%.3g/s)", v->value);
        return 1;
    }
    snprintf(detail, len, "dual-write not measured (the runbook has no dual_write_rate signal)");
    return 1;
}

/* The rehearsal of the way back, judged once the flag's write and read-back
 * came back: the flag, the signals, dual-write. */
static int journal_rehearsal(struct driver *d, const struct flag_result *read, int64_t now,
                             struct error *err)
{
    const struct session *s = &d->c->s;
    char bad[240] = "", good[240] = "", summary[480], detail[200];
    cJSON *o = cJSON_CreateObject(), *checks = cJSON_AddArrayToObject(o, "checks");
    const struct flag_result *set = &d->rehearsal_set;
    int flag_ok = set->ok && read && read->ok && fabs(read->percent - s->ramp.percent) <= SAME_PERCENT;
    if (flag_ok)
        snprintf(detail, sizeof detail, "the flag took %g%% and read it back", s->ramp.percent);
    else if (!set->ok)
        snprintf(detail, sizeof detail, "the flag cannot be written: %s", set->error);
    else if (read && !read->ok)
        snprintf(detail, sizeof detail, "the flag cannot be read back: %s", read->error);
    else
        snprintf(detail, sizeof detail, "the flag reads %g%%, not %g%%", read ? read->percent : NAN,
                 s->ramp.percent);
    check_line(checks, bad, good, sizeof bad, "flag", flag_ok, detail);
    int signals_ok = signals_answer(s, now, detail, sizeof detail);
    check_line(checks, bad, good, sizeof bad, "signals", signals_ok, detail);
    int dual_ok = dual_write_flows(s, now, detail, sizeof detail);
    check_line(checks, bad, good, sizeof bad, "dual-write", dual_ok, detail);
    snprintf(summary, sizeof summary, "%s%s%s", bad, bad[0] && good[0] ? " · " : "", good);
    cJSON_AddBoolToObject(o, "passed", flag_ok && signals_ok && dual_ok);
    if (!flag_ok && set->refused)   /* retrying cannot help: a person must act */
        cJSON_AddBoolToObject(o, "final", 1);
    cJSON_AddStringToObject(o, "summary", summary);
    d->rehearsing = 0;
    return append(d, EV_REHEARSAL, o, now, err);
}

static int journal_flag_result(struct driver *d, const struct flag_result *r, int64_t now,
                               struct error *err)
{
    if (strcmp(r->purpose, "check") == 0)
        return judge_check(d, r, now, err);
    const struct ramp_view *rv = &d->c->s.ramp;
    cJSON *o = cJSON_CreateObject();
    if (!isnan(r->percent))
        cJSON_AddNumberToObject(o, "percent", r->percent);
    cJSON_AddStringToObject(o, "purpose", r->purpose);
    cJSON_AddBoolToObject(o, "ok", r->ok);
    if (!r->ok)
        cJSON_AddStringToObject(o, "error", r->error);
    if (r->op == FLAG_READ)
        cJSON_AddNumberToObject(o, "expected", rv->target);
    add_rule(o, r);
    int rollback = strcmp(r->purpose, "rollback") == 0;
    int rehearsal = strcmp(r->purpose, "rehearsal") == 0;
    if (rollback)
        cJSON_AddNumberToObject(o, "try", rv->rollback_tries + (r->op == FLAG_SET));
    /* judged before the fold: the fold of this read marks it confirmed */
    int seen = r->op == FLAG_READ && r->ok && fabs(r->percent - rv->target) <= SAME_PERCENT;
    int first = seen && !rv->rollback_confirmed_ms;
    if (append(d, r->op == FLAG_SET ? EV_FLAG_SET : EV_FLAG_READ, o, now, err) != 0)
        return -1;
    if (rehearsal && r->op == FLAG_SET)
        d->rehearsal_set = *r;
    if (rehearsal && (r->op == FLAG_READ || !r->ok))
        return journal_rehearsal(d, r->op == FLAG_READ ? r : NULL, now, err);
    if (!rollback)
        return 0;
    if (first)
        return rollback_confirmed(d, r->percent, now, err);
    if (!r->ok || (r->op == FLAG_READ && !seen)) {
        /* never report success it did not see: try again, backing off */
        d->next_retry_ms = now + backoff_ms(rv->rollback_tries);
    }
    return 0;
}

static int collect_flag(struct driver *d, int64_t now, struct error *err)
{
    if (!d->flag)
        return 0;
    struct flag_result res[16];
    size_t n = flagworker_collect(d->flag, res, 16);
    for (size_t i = 0; i < n; i++) {
        if (res[i].op == FLAG_READ && res[i].ok)
            d->last_seen = res[i].percent;
        if (journal_flag_result(d, &res[i], now, err) != 0)
            return -1;
    }
    d->flag_pending = flagworker_busy(d->flag);
    return (int)n;
}

/* --- decisions ---------------------------------------------------------- */

static int do_abort(struct driver *d, ptrdiff_t criterion, const char *cause, const char *by,
                    int64_t now, struct error *err)
{
    const struct session *s = &d->c->s;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "criterion", (double)criterion);
    cJSON_AddStringToObject(o, "cause", cause);
    int64_t breach = criterion >= 0 ? s->crits[criterion].since_ms : now;
    cJSON_AddNumberToObject(o, "breach_ms", (double)breach);
    if (criterion >= 0 && isfinite(s->crits[criterion].value))
        cJSON_AddNumberToObject(o, "value", s->crits[criterion].value);
    cJSON_AddNumberToObject(o, "percent_before", s->ramp.percent);
    cJSON_AddNumberToObject(o, "rollback_percent", ramp_rollback_percent(d->c->rb));
    cJSON_AddBoolToObject(o, "manual", by != NULL);
    /* the flag first: the journal entry follows in the same millisecond */
    if (d->flag)
        ask_set(d, ramp_rollback_percent(d->c->rb), "rollback");
    return append_by(d, by ? by : "engine", EV_ABORT, o, now, err);
}

static int intend(struct driver *d, const char *actor, const char *kind, cJSON *body,
                  double set_percent, const char *purpose, int64_t now, const char *done,
                  char *msg, size_t len);

/* A driver that starts (a restart, a take-over) goes by what it has read
 * itself before it advances: the flag read back since its start check,
 * and a sample of every signal since its first step. An abort or a halt
 * does not wait for it. */
static int read_again(const struct driver *d)
{
    if (!d->checked || d->flag_pending)
        return 0;
    const struct session *s = &d->c->s;
    for (size_t i = 0; i < d->c->rb->n_signals; i++)
        if (s->signals[i].last_ms < d->since_ms)
            return 0;
    return 1;
}

static int act(struct driver *d, int64_t now, struct error *err)
{
    const struct runbook *rb = d->c->rb;
    struct ramp_decision dec = ramp_decide(rb, &d->c->s, now);
    if (dec.action == RA_ABORT)
        return do_abort(d, (ptrdiff_t)dec.criterion, dec.why, NULL, now, err);
    if (dec.action == RA_HALT) {
        int obeyed = dec.criterion != RAMP_NOT_OBEYED;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "criterion", obeyed ? (double)dec.criterion : -1);
        cJSON_AddStringToObject(o, "cause", dec.why);
        cJSON_AddNumberToObject(o, "breach_ms", obeyed ? (double)d->c->s.crits[dec.criterion].since_ms
                                                       : (double)d->c->s.ramp.disobey_since_ms);
        if (!obeyed) {
            cJSON_AddNumberToObject(o, "set", d->c->s.ramp.percent);
            cJSON_AddNumberToObject(o, "observed", d->c->s.ramp.observed);
        }
        return append(d, EV_HALT, o, now, err);
    }
    if (dec.rehearse && d->flag && !d->rehearsing && !d->flag_pending && d->checked &&
        !d->c->s.ramp.flag_mismatch &&   /* never write a flag that disagrees */
        (!d->last_rehearsal_ms || now - d->last_rehearsal_ms >= REHEARSE_EVERY_MS)) {
        /* the way back, proven before the first step: write the flag with
         * the value it has, and read it back */
        d->rehearsing = 1;
        d->last_rehearsal_ms = now;
        ask_set(d, d->c->s.ramp.percent, "rehearsal");
        return 0;
    }
    if (dec.action == RA_ADVANCE && d->flag && !d->flag_pending && !d->intent_pending &&
        read_again(d)) {
        char why[400], msg[400], done[80];
        if (journal_writer_blocked(d->c->journal, why, sizeof why))
            return 0;   /* no advance while it cannot be on record first */
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "step", dec.next_step);
        cJSON_AddNumberToObject(o, "percent", dec.target);
        cJSON_AddBoolToObject(o, "automatic", 1);
        snprintf(done, sizeof done, "advancing to %g%%: setting the flag", dec.target);
        if (intend(d, "engine", EV_RAMP_ADVANCE, o, dec.target, "advance", now, done, msg,
                   sizeof msg) != 0 && !strstr(msg, "cannot be written"))
            error_set(err, "%s", msg);
        return 0;
    }
    const struct ramp_view *r = &d->c->s.ramp;
    if (r->status == RAMP_ABORTED && r->rollback_confirmed_ms && !r->effective_ms &&
        rb->ramp_observed && ramp_abort_effective(rb, r)) {
        /* the traffic really left new: the abort took effect */
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "observed", r->observed);
        cJSON_AddNumberToObject(o, "after_set_ms", (double)(now - r->rollback_set_ms));
        return append(d, EV_ABORT_EFFECTIVE, o, now, err);
    }
    if (r->status == RAMP_ABORTED && !r->rollback_confirmed_ms && d->next_retry_ms &&
        now >= d->next_retry_ms && !d->flag_pending) {
        d->next_retry_ms = 0;
        ask_set(d, r->target, "rollback");
    }
    return 0;
}

/* The gates' verdicts worth a record, from their worker (gatework.h). */
static int judge_gates(struct driver *d, int64_t now, struct error *err)
{
    cJSON *out[32];
    size_t n = gatework_step(d->gates, &d->c->s, now, out, 32);
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        if (append(d, EV_GATE, out[i], now, err) != 0)
            rc = -1;
    return rc;
}

/* --- abort requests from the other consoles ------------------------------ */

struct request {
    int found; char actor[96], role[32], reason[240]; int64_t seq, found_seq, ts_ms;
    struct driver *d;   /* announced notes go to its webhook as they are read */
    int64_t now;
};

/* A note the comms role asked for on the webhook: sent once, as read. */
static void announce(struct request *q, const struct journal_event *ev)
{
    size_t n = strlen(ev->actor);
    if (!q->d->notify || n < 6 || strcmp(ev->actor + n - 6, "/comms") != 0)
        return;
    cJSON *o = cJSON_Parse(ev->body);
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(o, "text");
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "announce")) && cJSON_IsString(text)) {
        char line[700];
        snprintf(line, sizeof line, "note from %s: %s", ev->actor, text->valuestring);
        notify_send(q->d->notify, line, q->now);
    }
    cJSON_Delete(o);
}

static int see_request(const struct journal_event *ev, void *p)
{
    struct request *q = p;
    q->seq = ev->seq;
    if (strcmp(ev->kind, EV_NOTE) == 0)
        announce(q, ev);
    if (strcmp(ev->kind, EV_ABORT_REQUEST) != 0 || q->found)
        return 0;
    cJSON *o = cJSON_Parse(ev->body);
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(o, "actor_role");
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(o, "reason");
    q->found = cJSON_IsString(role) && cJSON_IsString(reason);
    if (q->found) {
        snprintf(q->actor, sizeof q->actor, "%s", ev->actor);
        snprintf(q->role, sizeof q->role, "%s", role->valuestring);
        snprintf(q->reason, sizeof q->reason, "%s", reason->valuestring);
        q->found_seq = ev->seq;
        q->ts_ms = ev->ts_ms;
    }
    cJSON_Delete(o);
    return 0;
}

/* An abort asked by another console is carried out like one typed here:
 * the flag first, the journal after. Once aborted, more requests add
 * nothing: the requester sees the rollback in the journal. */
static int answer_requests(struct driver *d, int64_t now, struct error *err)
{
    struct request q = {.seq = d->request_seq, .d = d, .now = now};
    if (journal_read(d->c->journal, d->request_seq, see_request, &q, err) != 0)
        return -1;
    d->request_seq = q.seq;
    const struct ramp_view *r = &d->c->s.ramp;
    if (q.found && r->status == RAMP_ABORTED && !r->rollback_confirmed_ms && d->flag &&
        !d->flag_pending && runbook_may_abort(d->c->rb, q.role)) {
        d->next_retry_ms = 0;   /* a rollback not read back: try it again now, as `!` here does */
        ask_set(d, r->target, "rollback");
    }
    if (!q.found || r->status == RAMP_ABORTED)
        return 0;
    if (!runbook_may_abort(d->c->rb, q.role)) {   /* the requester checks too; a hand-made row */
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "actor_role", q.role);
        cJSON_AddStringToObject(o, "why", "`Abort:` does not allow this role");
        return append(d, EV_ABORT_REFUSED, o, now, err);
    }
    char cause[400], burnt[200];
    if (noreturn_taken(&d->c->s, burnt, sizeof burnt)) {   /* nothing to roll back to */
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "actor_role", q.role);
        cJSON_AddStringToObject(o, "reason", q.reason);
        char why[300];
        snprintf(why, sizeof why, "NO WAY BACK: %s was taken", burnt);
        cJSON_AddStringToObject(o, "why", why);
        return append(d, EV_ABORT_REFUSED, o, now, err);
    }
    if (d->inherited_request && q.found_seq <= d->inherited_request) {
        char at[32];
        timefmt_hms(q.ts_ms, at, sizeof at);
        snprintf(cause, sizeof cause,
                 "aborted at the request of %s, asked at %s while no console drove: %s", q.actor,
                 at, q.reason);
    } else
        snprintf(cause, sizeof cause, "aborted at the request of %s: %s", q.actor, q.reason);
    return do_abort(d, -1, cause, q.actor, now, err);
}

int driver_request_abort(struct ceremony *c, const char *reason, int64_t now, int64_t *seq,
                         char *msg, size_t len)
{
    struct error err = {{0}};
    int allowed = runbook_may_abort(c->rb, c->role);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "actor_role", c->role);
    cJSON_AddStringToObject(o, "reason", reason);
    if (!allowed)
        cJSON_AddStringToObject(o, "why", "`Abort:` in the runbook does not allow this role");
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    struct journal_event ev = {.ts_ms = now, .actor = c->actor,
                               .kind = allowed ? EV_ABORT_REQUEST : EV_ABORT_REFUSED, .body = text};
    int rc = text ? journal_append(c->journal, &ev, seq, &err) : -1;
    free(text);
    if (rc != 0)
        snprintf(msg, len, "the abort request could not be journaled: %s",
                 err.msg[0] ? err.msg : "out of memory");
    else if (!allowed)
        snprintf(msg, len, "refused: the runbook's `Abort:` does not allow the role %s (refusal journaled)",
                 c->role);
    else
        snprintf(msg, len, "abort requested: the driving console acts on it within a poll");
    return rc == 0 && allowed ? 0 : -1;
}

/* Keeps the first error; every duty runs whatever failed before it. */
static void keep(int rc, int *failed, struct error *err, const struct error *why)
{
    if (rc < 0 && !*failed) {
        *failed = 1;
        *err = *why;
    }
}

int driver_step(struct driver *d, int64_t now, struct error *err)
{
    int64_t before = d->c->s.last_seq + d->c->s.last_sample_seq;
    if (!d->since_ms)
        d->since_ms = now;
    struct signal_outcome out[64];
    struct error why = {{0}};
    int failed = 0;
    size_t n = collect_signals(d, now, out, 64);
    /* the criteria are judged whatever became of the samples' record */
    keep(record_samples(d, out, n, &why), &failed, err, &why);
    keep(ceremony_refresh(d->c, NULL, NULL, &why), &failed, err, &why);
    struct journal_writer_state ws;
    journal_writer_state(d->c->journal, &ws);
    if (ws.lease_lost) {   /* another console drives now: only watch */
        error_set(err, "another console took the lease and drives: %s (pid %ld on %s)",
                  ws.holder.holder, ws.holder.pid, ws.holder.host);
        return -1;
    }
    keep(collect_flag(d, now, &why), &failed, err, &why);
    /* the criteria's transitions, folded at once: a firing one is acted on below */
    int judged = watch_judge(&d->c->s, now, d->c->journal, &why);
    keep(judged, &failed, err, &why);
    if (judged > 0)
        keep(ceremony_refresh(d->c, NULL, NULL, &why), &failed, err, &why);
    keep(judge_gates(d, now, &why), &failed, err, &why);
    keep(answer_requests(d, now, &why), &failed, err, &why);
    keep(act(d, now, &why), &failed, err, &why);
    keep(anchor_due(d, now, &why), &failed, err, &why);
    cJSON *due = cleanup_due_event(d->c->rb, &d->c->s.cleanup);   /* once, at the ramp's end */
    if (due)
        keep(append(d, EV_CLEANUP_DUE, due, now, &why), &failed, err, &why);
    if (d->flag && !d->checked) {
        d->checked = 1;
        const struct ramp_view *r = &d->c->s.ramp;
        if (r->status == RAMP_ABORTED && !r->rollback_confirmed_ms)
            ask_set(d, r->target, "rollback");   /* an unconfirmed rollback goes on at once */
        else
            ask_check(d);   /* does the flag say what the journal says? */
    }
    if (d->next_check_ms && now >= d->next_check_ms && !d->flag_pending) {
        d->next_check_ms = 0;
        ask_check(d);
    }
    signals_start_due(d->signals, now);
    if (failed)
        return -1;
    return d->c->s.last_seq + d->c->s.last_sample_seq != before;
}

int driver_message(struct driver *d, char *msg, size_t len, int *alert)
{
    if (!d->has_message)
        return 0;
    snprintf(msg, len, "%s", d->message);
    *alert = d->message_alert;
    d->has_message = 0;
    return 1;
}

/* --- intents: on record before the act ----------------------------------- */

struct intent {
    struct driver *d;
    char kind[32], actor[96], purpose[16];
    char *body;
    int64_t now;
    double set_percent;       /* NAN: the event is the whole act */
    char done[300];
};

static int intent_tx(struct journal *j, void *p, struct error *err)
{
    struct intent *in = p;
    struct journal_event ev = {.ts_ms = in->now, .actor = in->actor, .kind = in->kind,
                               .body = in->body};
    return journal_append(j, &ev, NULL, err);
}

static void say(struct driver *d, int alert, const char *fmt, const char *text)
{
    snprintf(d->message, sizeof d->message, fmt, text);
    d->message_alert = alert;
    d->has_message = 1;
}

/* The intent is written: now the act, whose result is journaled in turn. */
static void intent_done(void *p, int rc, const struct error *err)
{
    struct intent *in = p;
    struct driver *d = in->d;
    d->intent_pending = 0;
    if (rc < 0) {
        say(d, 1, "refused: %s", err->msg);
    } else {
        struct error ignored = {{0}};
        ceremony_refresh(d->c, NULL, NULL, &ignored);
        tell(d, in->kind, in->body, in->now);
        if (!isnan(in->set_percent) && d->flag)
            ask_set(d, in->set_percent, in->purpose);
        if (strcmp(in->actor, "engine") != 0)   /* the engine's own acts speak in the journal */
            say(d, 0, "%s", in->done);
    }
    free(in->body);
    free(in);
}

/* Journals body (consumed) as the intent of an act, in its own write
 * transaction; the flag is set to set_percent (unless NAN) once it is
 * written. Refused at once (msg) when the journal cannot be written. */
static int intend(struct driver *d, const char *actor, const char *kind, cJSON *body,
                  double set_percent, const char *purpose, int64_t now, const char *done,
                  char *msg, size_t len)
{
    struct intent *in = calloc(1, sizeof *in);
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    struct error err = {{0}};
    if (!in || !text) {
        free(in);
        free(text);
        snprintf(msg, len, "out of memory");
        return -1;
    }
    *in = (struct intent){.d = d, .body = text, .now = now, .set_percent = set_percent};
    snprintf(in->kind, sizeof in->kind, "%s", kind);
    snprintf(in->actor, sizeof in->actor, "%s", actor);
    snprintf(in->purpose, sizeof in->purpose, "%s", purpose ? purpose : "");
    snprintf(in->done, sizeof in->done, "%s", done);
    d->intent_pending = 1;
    if (journal_transact_async(d->c->journal, intent_tx, in, intent_done, &err) != 0) {
        d->intent_pending = 0;
        snprintf(msg, len, "refused: %s", err.msg);
        free(in->body);
        free(in);
        return -1;
    }
    if (d->has_message) {   /* no writer: it is done already */
        snprintf(msg, len, "%s", d->message);
        d->has_message = 0;
        return d->message_alert ? -1 : 0;
    }
    snprintf(msg, len, "journaling: %s", done);
    return 0;
}

/* --- the commander's acts ---------------------------------------------- */

static int refuse(struct driver *d, double percent, const char *why, int64_t now, char *msg,
                  size_t len)
{
    struct error err = {{0}};
    cJSON *o = cJSON_CreateObject();
    if (!isnan(percent))
        cJSON_AddNumberToObject(o, "percent", percent);
    cJSON_AddStringToObject(o, "reason", why);
    append_as_me(d, EV_RAMP_REFUSED, o, now, &err);
    snprintf(msg, len, "refused: %s", why);
    return -1;
}

static int commander_only(struct driver *d, const char *what, char *msg, size_t len)
{
    if (strcmp(d->c->role, "commander") == 0)
        return 0;
    snprintf(msg, len, "refused: only the commander may %s", what);
    return -1;
}

/* No act but an abort happens while its intent cannot be on record first. */
static int journal_blocked(struct driver *d, char *msg, size_t len)
{
    char why[400];
    if (!journal_writer_blocked(d->c->journal, why, sizeof why))
        return 0;
    snprintf(msg, len, "refused: %s", why);
    return 1;
}

/* Resuming and overriding need words on the record. */
static int has_reason(const char *reason, const char *act, char *msg, size_t len)
{
    if (reason && reason[0])
        return 1;
    snprintf(msg, len, "refused: %s needs a written reason", act);
    return 0;
}

int driver_advance(struct driver *d, const char *typed, int64_t now, char *msg, size_t len)
{
    if (commander_only(d, "advance the ramp", msg, len) != 0 || journal_blocked(d, msg, len))
        return -1;
    char why[240];
    struct ramp_decision dec = ramp_decide(d->c->rb, &d->c->s, now);
    double want = NAN;
    if (typed && number_parse(typed, &want) != 0)
        want = NAN;
    if (!d->flag)
        return refuse(d, want, "the runbook has no `flag` system to ramp with", now, msg, len);
    if (ramp_may_advance(d->c->rb, &d->c->s, now, why, sizeof why) != 0)
        return refuse(d, want, why, now, msg, len);
    if (isnan(want) || fabs(want - dec.target) > SAME_PERCENT) {
        snprintf(why, sizeof why, "typed \"%s\", but the next step is %g%%", typed ? typed : "",
                 dec.target);
        return refuse(d, want, why, now, msg, len);
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "step", dec.next_step);
    cJSON_AddNumberToObject(o, "percent", dec.target);
    cJSON_AddBoolToObject(o, "automatic", 0);
    cJSON_AddStringToObject(o, "confirmed_by", d->c->actor);
    snprintf(why, sizeof why, "advancing to %g%%: setting the flag", dec.target);
    return intend(d, d->c->actor, EV_RAMP_ADVANCE, o, dec.target, "advance", now, why, msg, len);
}

int driver_abort(struct driver *d, int64_t now, char *msg, size_t len)
{
    if (!runbook_may_abort(d->c->rb, d->c->role)) {
        snprintf(msg, len, "refused: the runbook's `Abort:` does not allow the role %s", d->c->role);
        return -1;
    }
    const struct ramp_view *r = &d->c->s.ramp;
    if (r->status == RAMP_ABORTED && !r->rollback_confirmed_ms && d->flag) {
        /* the rollback is still going: try it again now, not later */
        if (!d->flag_pending) {
            d->next_retry_ms = 0;
            ask_set(d, r->target, "rollback");
        }
        snprintf(msg, len, "already aborted; the rollback to %g%% is not read back yet "
                 "(%d tries): trying again now", r->target, r->rollback_tries);
        return 0;
    }
    if (r->status == RAMP_ABORTED) {
        snprintf(msg, len, "already aborted");
        return -1;
    }
    struct error err = {{0}};
    char cause[400], burnt[200];
    if (noreturn_taken(&d->c->s, burnt, sizeof burnt)) {
        snprintf(msg, len, "refused: NO WAY BACK — %s was taken, there is no old system to roll "
                 "back to; a firing abort criterion halts the ramp instead", burnt);
        return -1;
    }
    snprintf(cause, sizeof cause, "aborted by hand by %s", d->c->actor);
    if (do_abort(d, -1, cause, d->c->actor, now, &err) != 0) {
        snprintf(msg, len, "%s", err.msg);
        return -1;
    }
    snprintf(msg, len, "ABORTED: rolling the flag back to %g%%", ramp_rollback_percent(d->c->rb));
    return 0;
}

/* A resume while an abort or halt criterion still fires would stop the
 * ramp again at once: refused, with the value the criterion sees now. */
static int still_firing(struct driver *d, char *msg, size_t len)
{
    const struct runbook *rb = d->c->rb;
    const struct session *s = &d->c->s;
    for (size_t i = 0; i < rb->n_criteria; i++) {
        const struct rb_criterion *c = &rb->criteria[i];
        const struct crit_track *t = &s->tracks[i];
        if ((c->action != RB_ABORT && c->action != RB_HALT) || t->state != CRIT_FIRING)
            continue;
        char now[64] = "no value";
        if (t->has_value)
            snprintf(now, sizeof now, c->is_percent ? "%.4g%%" : "%.6g",
                     c->is_percent ? t->value * 100 : t->value);
        snprintf(msg, len, "refused: \"%s\" still fires: now %s", c->text, now);
        return 1;
    }
    return 0;
}

int driver_resume(struct driver *d, const char *reason, int64_t now, char *msg, size_t len)
{
    if (commander_only(d, "resume", msg, len) != 0 || journal_blocked(d, msg, len))
        return -1;
    const struct ramp_view *r = &d->c->s.ramp;
    if (r->status != RAMP_ABORTED && r->status != RAMP_HALTED) {
        snprintf(msg, len, "nothing to resume: the ramp is %s", ramp_status_name(r->status));
        return -1;
    }
    if (r->status == RAMP_ABORTED && !r->rollback_confirmed_ms) {
        snprintf(msg, len, "refused: the rollback is not confirmed yet");
        return -1;
    }
    if (still_firing(d, msg, len))
        return -1;
    if (!has_reason(reason, "a resume", msg, len))
        return -1;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "reason", reason);
    cJSON_AddStringToObject(o, "from", ramp_status_name(r->status));
    char done[300];
    snprintf(done, sizeof done, "resumed: %s", reason);
    return intend(d, d->c->actor, EV_RESUME, o, NAN, NULL, now, done, msg, len);
}

int driver_override(struct driver *d, const char *reason, int64_t now, char *msg, size_t len)
{
    if (commander_only(d, "override", msg, len) != 0 || journal_blocked(d, msg, len))
        return -1;
    const struct ramp_view *r = &d->c->s.ramp;
    if (r->rehearsed || r->step >= 0) {
        snprintf(msg, len, "nothing to override: the rehearsal passed or the ramp has started");
        return -1;
    }
    if (!has_reason(reason, "an override", msg, len))
        return -1;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "guard", "the rehearsal of the way back");
    cJSON_AddStringToObject(o, "failed", r->rehearsal);
    cJSON_AddStringToObject(o, "reason", reason);
    char done[300];
    snprintf(done, sizeof done, "OVERRIDDEN: %s", reason);
    return intend(d, d->c->actor, EV_OVERRIDE, o, NAN, NULL, now, done, msg, len);
}

int driver_restore_flag(struct driver *d, const char *typed, int64_t now, char *msg, size_t len)
{
    if (commander_only(d, "set the flag", msg, len) != 0 || journal_blocked(d, msg, len))
        return -1;
    const struct ramp_view *r = &d->c->s.ramp;
    double want = NAN;
    if (r->status == RAMP_ABORTED && !r->rollback_confirmed_ms) {
        snprintf(msg, len, "the rollback to %g%% is not read back yet and is being retried: "
                 "nothing else sets the flag until it is", r->target);
        return -1;
    }
    if (!r->flag_mismatch) {
        snprintf(msg, len, "the flag agrees with the journal");
        return -1;
    }
    if (!typed || number_parse(typed, &want) != 0 || fabs(want - r->percent) > SAME_PERCENT) {
        snprintf(msg, len, "refused: type %g to set the flag back to what the journal says",
                 r->percent);
        return -1;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "guard", "flag differs from the journal after a restart");
    char reason[160], done[80];
    snprintf(reason, sizeof reason, "commander set the flag from %g%% back to %g%%", r->flag_seen,
             r->percent);
    cJSON_AddStringToObject(o, "reason", reason);
    snprintf(done, sizeof done, "setting the flag back to %g%%", want);
    /* the decision is on record before the flag moves */
    return intend(d, d->c->actor, EV_FLAG_RESTORE, o, want, "restore", now, done, msg, len);
}

int driver_accept_flag(struct driver *d, const char *reason, int64_t now, char *msg, size_t len)
{
    if (commander_only(d, "accept the flag's value", msg, len) != 0 ||
        journal_blocked(d, msg, len))
        return -1;
    const struct ramp_view *r = &d->c->s.ramp;
    if (!r->flag_mismatch || r->status == RAMP_ABORTED) {
        snprintf(msg, len, r->status == RAMP_ABORTED ? "refused: an abort's rollback is finished, "
                 "not accepted away" : "the flag agrees with the journal");
        return -1;
    }
    if (!has_reason(reason, "accepting the flag's value", msg, len))
        return -1;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "percent", r->flag_seen);
    cJSON_AddNumberToObject(o, "journal_percent", r->status == RAMP_SETTING ? r->target : r->percent);
    cJSON_AddStringToObject(o, "reason", reason);
    char done[300];
    snprintf(done, sizeof done, "the flag's %g%% is the ramp's now: %s", r->flag_seen, reason);
    return intend(d, d->c->actor, EV_FLAG_ACCEPT, o, NAN, NULL, now, done, msg, len);
}

int driver_flag_last(const struct driver *d, double *percent)
{
    const struct ramp_view *r = &d->c->s.ramp;
    if (!isnan(d->last_seen))
        *percent = d->last_seen;
    else if (r->has_percent)
        *percent = r->percent;
    else
        return 0;
    return 1;
}

int driver_rollback_pending(const struct driver *d)
{
    const struct ramp_view *r = &d->c->s.ramp;
    return d->flag && r->status == RAMP_ABORTED && !r->rollback_confirmed_ms;
}

int driver_quit_risk(const struct driver *d, char *why, size_t len)
{
    const struct ramp_view *r = &d->c->s.ramp;
    double rollback = ramp_rollback_percent(d->c->rb), seen;
    if (!d->flag)
        return 0;
    if (driver_rollback_pending(d)) {
        snprintf(why, len, "the rollback to %g%% is NOT read back yet", r->target);
        return 1;
    }
    int known = driver_flag_last(d, &seen);
    if ((known && seen > rollback + SAME_PERCENT) || r->status == RAMP_SETTING ||
        r->percent > rollback + SAME_PERCENT) {
        snprintf(why, len, "the flag is at %g%%, above the rollback value %g%%, and no one "
                 "will be watching it", known ? seen : r->percent, rollback);
        return 1;
    }
    return 0;
}

int driver_stuck(const struct driver *d, char *why, size_t len)
{
    const struct ramp_view *r = &d->c->s.ramp;
    if (r->flag_mismatch && r->status != RAMP_ABORTED && r->rule_changed) {
        snprintf(why, len, "THE FLAG'S RULE CHANGED at %g%%: the same share, but other users are "
                 "on new; a commander must resolve it at a console (f writes cutover's rule "
                 "again; A accepts the flag's, with a reason)", r->flag_seen);
        return 1;
    }
    if (r->flag_mismatch && r->status != RAMP_ABORTED) {
        snprintf(why, len, "THE FLAG SAYS %g%%, THE JOURNAL %g%%: a commander must resolve it at "
                 "a console (f sets the journal's value; A accepts the flag's, with a reason)",
                 r->flag_seen, r->status == RAMP_SETTING ? r->target : r->percent);
        return 1;
    }
    if (r->rehearsal_final && !r->override_active && r->step < 0) {
        snprintf(why, len, "REHEARSAL FAILED: %s", r->rehearsal);
        return 1;
    }
    return 0;
}
