/* events.c — building event bodies with cJSON, and describing events in
 * words. Descriptions never include a body's raw text for kinds we know. */
#include "events.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void events_actor(char *buf, size_t len, const char *name, const char *role)
{
    snprintf(buf, len, "%s/%s", name, role);
}

/* Prints obj and frees it: the builders below all end this way. */
static char *finish(cJSON *obj)
{
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    return text;
}

static void add_str(cJSON *obj, const char *key, const char *value)
{
    if (value)
        cJSON_AddStringToObject(obj, key, value);
}

char *events_runbook_body(const char *path, const char *sha256, const char *text,
                          const char *title, const char *previous_sha256)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "path", path);
    add_str(o, "sha256", sha256);
    add_str(o, "title", title);
    add_str(o, "previous_sha256", previous_sha256);
    if (previous_sha256)
        cJSON_AddBoolToObject(o, "forced", 1);
    add_str(o, "text", text);
    return finish(o);
}

char *events_console_body(const char *name, const char *role, const char *mode)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "name", name);
    add_str(o, "role", role);
    add_str(o, "mode", mode);
    return finish(o);
}

char *events_ack_body(const char *step, const char *name, const char *role)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "step", step);
    add_str(o, "name", name);
    add_str(o, "role", role);
    return finish(o);
}

char *events_ack_refused_body(const char *step, const char *name,
                              const char *role, const char *reason)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "step", step);
    add_str(o, "name", name);
    add_str(o, "role", role);
    add_str(o, "reason", reason);
    return finish(o);
}

char *events_note_body(const char *text)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "text", text);
    return finish(o);
}

char *events_criterion_body(size_t index, const char *criterion, const char *from,
                            const char *to, int has_value, double value, double count,
                            double bound, const char *why)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", (double)index);
    add_str(o, "criterion", criterion);
    add_str(o, "from", from);
    add_str(o, "to", to);
    /* JSON has no NaN or Inf: such values are left out, and "why" says them */
    if (has_value && isfinite(value))
        cJSON_AddNumberToObject(o, "value", value);
    if (isfinite(count))
        cJSON_AddNumberToObject(o, "count", count);
    if (isfinite(bound))
        cJSON_AddNumberToObject(o, "bound", bound);
    add_str(o, "why", why);
    return finish(o);
}

static const char *field(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "?";
}

static double number(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The ramp's and the flag's events in words; 0 when k is not one. */
static int describe_ramp(const char *k, const cJSON *o, char *buf, size_t len)
{
    int ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "ok"));
    if (strcmp(k, EV_RAMP_ADVANCE) == 0)
        snprintf(buf, len, "ramp: advance to %g%% (%s)", number(o, "percent"),
                 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "automatic")) ? "automatic"
                                                                              : "confirmed by the commander");
    else if (strcmp(k, EV_RAMP_REFUSED) == 0)
        snprintf(buf, len, "ramp: REFUSED: %s", field(o, "reason"));
    else if (strcmp(k, EV_FLAG_SET) == 0 && ok)
        snprintf(buf, len, "flag set to %g%% (%s)", number(o, "percent"), field(o, "purpose"));
    else if (strcmp(k, EV_FLAG_SET) == 0)
        snprintf(buf, len, "FLAG NOT SET to %g%% (%s): %s", number(o, "percent"), field(o, "purpose"),
                 field(o, "error"));
    else if (strcmp(k, EV_FLAG_READ) == 0 && ok)
        snprintf(buf, len, "flag reads %g%% (%s)", number(o, "percent"), field(o, "purpose"));
    else if (strcmp(k, EV_FLAG_READ) == 0)
        snprintf(buf, len, "FLAG NOT READ (%s): %s", field(o, "purpose"), field(o, "error"));
    else if (strcmp(k, EV_ABORT) == 0)
        snprintf(buf, len, "ABORT from %g%%: %s", number(o, "percent_before"), field(o, "cause"));
    else if (strcmp(k, EV_ROLLBACK_DONE) == 0)
        snprintf(buf, len, "rollback confirmed: the flag reads %g%%, %g ms after the breach",
                 number(o, "percent"), number(o, "latency_ms"));
    else if (strcmp(k, EV_REHEARSAL) == 0)
        snprintf(buf, len, "%s: %s",
                 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "passed")) ? "rehearsal of the way back passed"
                                                                           : "REHEARSAL FAILED",
                 field(o, "summary"));
    else if (strcmp(k, EV_ABORT_EFFECTIVE) == 0)
        snprintf(buf, len, "the abort took effect: %.1f%% of traffic on new, %g ms after the flag was set",
                 number(o, "observed"), number(o, "after_set_ms"));
    else if (strcmp(k, EV_HALT) == 0)
        snprintf(buf, len, "HALT — incident: %s", field(o, "cause"));
    else if (strcmp(k, EV_RESUME) == 0)
        snprintf(buf, len, "resumed: %s", field(o, "reason"));
    else if (strcmp(k, EV_FLAG_MISMATCH) == 0)
        snprintf(buf, len, "THE FLAG SAYS %g%%, THE JOURNAL %g%%", number(o, "flag_percent"),
                 number(o, "journal_percent"));
    else if (strcmp(k, EV_OVERRIDE) == 0 || strcmp(k, EV_FLAG_RESTORE) == 0)
        snprintf(buf, len, "override (%s): %s", field(o, "guard"), field(o, "reason"));
    else if (strcmp(k, EV_NOTIFY_FAILED) == 0)
        snprintf(buf, len, "comms webhook failed: %s", field(o, "error"));
    else
        return 0;
    return 1;
}

void events_describe(const struct journal_event *ev, char *buf, size_t len)
{
    cJSON *o = cJSON_Parse(ev->body);
    const char *k = ev->kind;
    if (!o) {
        snprintf(buf, len, "%s (unreadable body)", k);
    } else if (strcmp(k, EV_RUNBOOK) == 0) {
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "forced")))
            snprintf(buf, len, "runbook REPLACED with --force: %s (sha256 %.12s, was %.12s)",
                     field(o, "title"), field(o, "sha256"), field(o, "previous_sha256"));
        else
            snprintf(buf, len, "runbook loaded: %s (sha256 %.12s)",
                     field(o, "title"), field(o, "sha256"));
    } else if (strcmp(k, EV_CONSOLE_OPEN) == 0) {
        snprintf(buf, len, "console opened by %s (%s, %s)", field(o, "name"),
                 field(o, "role"), field(o, "mode"));
    } else if (strcmp(k, EV_CONSOLE_CLOSE) == 0) {
        snprintf(buf, len, "console closed by %s (%s)", field(o, "name"),
                 field(o, "role"));
    } else if (strcmp(k, EV_ACK) == 0) {
        snprintf(buf, len, "step %s acknowledged by %s (%s)", field(o, "step"),
                 field(o, "name"), field(o, "role"));
    } else if (strcmp(k, EV_ACK_REFUSED) == 0) {
        snprintf(buf, len, "REFUSED ack of step %s by %s (%s): %s", field(o, "step"),
                 field(o, "name"), field(o, "role"), field(o, "reason"));
    } else if (strcmp(k, EV_NOTE) == 0) {
        snprintf(buf, len, "note: %s", field(o, "text"));
    } else if (describe_ramp(k, o, buf, len)) {
        /* done */
    } else if (strcmp(k, EV_CRITERION) == 0) {
        snprintf(buf, len, "criterion \"%s\" %s → %s: %s", field(o, "criterion"),
                 field(o, "from"), field(o, "to"), field(o, "why"));
    } else {
        snprintf(buf, len, "%s %.200s", k, ev->body);
    }
    cJSON_Delete(o);
}
