/* flags_unleash.c — a flag in Unleash, through its Admin API: the share is
 * the rollout of the flag's gradual rollout (flexibleRollout) strategy in
 * one environment. The token comes from an environment variable, never
 * from the runbook, and never appears in a message or a description.
 *
 *   set:  PATCH .../strategies/ID (rollout, and not disabled), or POST a
 *         new strategy when the flag has none; then POST .../on
 *   read: GET .../environments/ENV — whether the flag is on there, and the
 *         strategy's rollout; off (or the strategy disabled) reads as 0 */
#include "flags_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"

struct unleash {
    struct flag_driver base;
    char *env_url;  /* BASE/api/admin/projects/P/features/F/environments/E */
    char *auth;     /* "Authorization: TOKEN" */
    char *flag;
    char *strategy; /* the id of the strategy cutover drives, once known */
};

/* Unleash answers 401/403 when the token is wrong or lacks the right. */
static void token_hint(struct error *err)
{
    if (strncmp(err->msg, "HTTP 401", 8) == 0 || strncmp(err->msg, "HTTP 403", 8) == 0) {
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof err->msg - n, " (is the admin token right?)");
    }
}

static cJSON *get_json(struct unleash *d, const char *url, struct error *err)
{
    struct http_request *r = flags_http("GET", url, NULL, d->auth, err);
    if (!r) {
        token_hint(err);
        return NULL;
    }
    cJSON *doc = cJSON_Parse(r->body ? r->body : "");
    if (!doc)
        error_set(err, "the answer to GET %s is not JSON", url);
    http_request_free(r);
    return doc;
}

static int send_json(struct unleash *d, const char *method, const char *url,
                     const char *body, char **answer, struct error *err)
{
    struct http_request *r = flags_http(method, url, body, d->auth, err);
    if (!r) {
        token_hint(err);
        return -1;
    }
    if (answer)
        *answer = strdup(r->body ? r->body : "");
    http_request_free(r);
    return 0;
}

/* The flexibleRollout strategy cutover drives: the one it made or found
 * before, else the first. */
static const cJSON *find_strategy(const struct unleash *d, const cJSON *env)
{
    const cJSON *s, *first = NULL;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(env, "strategies")) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(s, "name");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(s, "id");
        if (!cJSON_IsString(name) || strcmp(name->valuestring, "flexibleRollout") != 0 ||
            !cJSON_IsString(id))
            continue;
        if (d->strategy && strcmp(id->valuestring, d->strategy) == 0)
            return s;
        if (!first)
            first = s;
    }
    return first;
}

/* Learns the strategy's id from the flag's environment; 0 with no strategy
 * there yet (d->strategy stays NULL). */
static int learn_strategy(struct unleash *d, struct error *err)
{
    cJSON *env = get_json(d, d->env_url, err);
    if (!env)
        return -1;
    const cJSON *s = find_strategy(d, env);
    if (s) {
        free(d->strategy);
        d->strategy = strdup(cJSON_GetObjectItemCaseSensitive(s, "id")->valuestring);
    }
    cJSON_Delete(env);
    return 0;
}

static int create_strategy(struct unleash *d, const char *pct, struct error *err)
{
    cJSON *body = cJSON_CreateObject(), *params;
    cJSON_AddStringToObject(body, "name", "flexibleRollout");
    params = cJSON_AddObjectToObject(body, "parameters");
    cJSON_AddStringToObject(params, "rollout", pct);
    cJSON_AddStringToObject(params, "stickiness", "default");
    cJSON_AddStringToObject(params, "groupId", d->flag);
    char *json = cJSON_PrintUnformatted(body), *url = flags_strf("%s/strategies", d->env_url);
    char *answer = NULL;
    int rc = json && url ? send_json(d, "POST", url, json, &answer, err) : -1;
    cJSON *made = rc == 0 ? cJSON_Parse(answer ? answer : "") : NULL;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(made, "id");
    if (rc == 0 && cJSON_IsString(id))
        d->strategy = strdup(id->valuestring);
    else if (rc == 0)
        error_set(err, "Unleash made the strategy but did not say its id"), rc = -1;
    else if (!json || !url)
        error_set(err, "out of memory");
    cJSON_Delete(made);
    cJSON_Delete(body);
    free(json);
    free(url);
    free(answer);
    return rc;
}

/* 1 when Unleash no longer has the strategy (someone deleted it). */
static int patch_strategy(struct unleash *d, const char *pct, struct error *err)
{
    char *url = flags_escape(d->strategy);
    char *full = url ? flags_strf("%s/strategies/%s", d->env_url, url) : NULL;
    char *body = flags_strf("[{\"op\":\"replace\",\"path\":\"/parameters/rollout\","
                            "\"value\":\"%s\"},{\"op\":\"replace\",\"path\":\"/disabled\","
                            "\"value\":false}]", pct);
    int rc = full && body ? send_json(d, "PATCH", full, body, NULL, err) : -1;
    if (!full || !body)
        error_set(err, "out of memory");
    else if (rc != 0 && strncmp(err->msg, "HTTP 404", 8) == 0)
        rc = 1;
    free(url);
    free(full);
    free(body);
    return rc;
}

/* Sets the rollout on the known strategy, learning it or making it first. */
static int put_rollout(struct unleash *d, const char *pct, struct error *err)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!d->strategy && learn_strategy(d, err) != 0)
            return -1;
        if (!d->strategy)
            return create_strategy(d, pct, err);
        int rc = patch_strategy(d, pct, err);
        if (rc <= 0)
            return rc;
        free(d->strategy);   /* deleted behind our back: find or make another */
        d->strategy = NULL;
    }
    return -1;
}

static int unleash_set(struct flag_driver *base, double percent, struct error *err)
{
    struct unleash *d = (struct unleash *)base;
    if (percent != floor(percent)) {
        /* its clients compare a bucket 1..100 with the rollout: 2.5 acts as 2 */
        error_set(err, "Unleash rolls out whole percentages; %g %% cannot be set", percent);
        return -1;
    }
    char pct[32];
    flags_percent_text(percent, pct);
    if (put_rollout(d, pct, err) != 0)
        return -1;
    if (percent == 0)
        return 0;   /* a rollback needs nothing more: 0 % is off for everyone */
    /* enabled only after the rollout is right, so no one sees a moment of
     * a default strategy */
    char *on = flags_strf("%s/on", d->env_url);
    int rc = on ? send_json(d, "POST", on, "", NULL, err) : -1;
    if (!on)
        error_set(err, "out of memory");
    free(on);
    return rc;
}

/* The share the environment serves: 0 when the flag is off there or the
 * strategy is disabled, else the strategy's rollout. */
static int env_share(const struct unleash *d, const cJSON *env, double *percent,
                     struct error *err)
{
    const cJSON *s = find_strategy(d, env);
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(s, "parameters");
    const cJSON *rollout = cJSON_GetObjectItemCaseSensitive(params, "rollout");
    if (!s) {
        error_set(err, "flag %s has no gradual rollout strategy in this environment",
                  d->flag);
        return -1;
    }
    if (cJSON_IsNumber(rollout)) {
        *percent = rollout->valuedouble;
    } else if (!cJSON_IsString(rollout) || number_parse(rollout->valuestring, percent) != 0) {
        error_set(err, "the strategy's rollout is not a number");
        return -1;
    }
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(env, "enabled")) ||
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "disabled")))
        *percent = 0;
    return 0;
}

static int unleash_read(struct flag_driver *base, double *percent, struct error *err)
{
    struct unleash *d = (struct unleash *)base;
    cJSON *env = get_json(d, d->env_url, err);
    if (!env)
        return -1;
    int rc = env_share(d, env, percent, err);
    cJSON_Delete(env);
    return rc;
}

static void unleash_close(struct flag_driver *base)
{
    struct unleash *d = (struct unleash *)base;
    flags_base_free(base);
    free(d->env_url);
    if (d->auth)
        memset(d->auth, 0, strlen(d->auth));   /* no token left in freed memory */
    free(d->auth);
    free(d->flag);
    free(d->strategy);
    free(d);
}

/* BASE/api/admin/projects/P/features/F/environments/E, each part escaped. */
static char *environment_url(const char *url, const char *project, const char *flag,
                             const char *env)
{
    char *p = flags_escape(project), *f = flags_escape(flag), *e = flags_escape(env);
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    char *out = p && f && e ? flags_strf("%.*s/api/admin/projects/%s/features/%s/environments/%s",
                                         (int)n, url, p, f, e) : NULL;
    free(p);
    free(f);
    free(e);
    return out;
}

static char *token_header(const struct rb_system *sys, struct error *err)
{
    char *var = flags_attr(sys, "token_env", "UNLEASH_ADMIN_TOKEN", err);
    const char *token = var ? getenv(var) : NULL;
    char *header = NULL;
    if (var && (!token || !*token))
        error_set(err, "the environment variable %s holds no admin token (name another "
                  "with token_env `NAME`)", var);
    else if (var && !(header = flags_strf("Authorization: %s", token)))
        error_set(err, "out of memory");
    free(var);
    return header;
}

/* The parts of the address, with defaults, into the environment's URL. */
static char *address(const struct rb_system *sys, const char *flag, struct error *err)
{
    char *url = flags_conn(sys, err);
    char *project = url ? flags_attr(sys, "project", "default", err) : NULL;
    char *env = project ? flags_attr(sys, "environment", "development", err) : NULL;
    char *out = env ? environment_url(url, project, flag, env) : NULL;
    if (env && !out)
        error_set(err, "out of memory");
    free(url);
    free(project);
    free(env);
    return out;
}

static struct flag_driver *unleash_open(const struct rb_system *sys, struct error *err)
{
    struct unleash *d = calloc(1, sizeof *d);
    if (!d) {
        error_set(err, "out of memory");
        return NULL;
    }
    d->base.ops = &flags_unleash_ops;
    const char *project = rb_attr_get(sys->attrs, sys->n_attrs, "project");
    const char *env = rb_attr_get(sys->attrs, sys->n_attrs, "environment");
    char *shown = flags_redact_url(sys->conn);
    if (!(d->flag = flags_attr(sys, "flag", NULL, err)) ||
        !(d->env_url = address(sys, d->flag, err)) || !(d->auth = token_header(sys, err)) ||
        flags_base_init(&d->base, &flags_unleash_ops, sys,
                        flags_strf("unleash %s project %s environment %s flag %s",
                                   shown ? shown : "?", project ? project : "default",
                                   env ? env : "development", d->flag), err) != 0) {
        free(shown);
        unleash_close(&d->base);
        return NULL;
    }
    free(shown);
    return &d->base;
}

const struct flag_ops flags_unleash_ops = {
    "unleash", unleash_open, unleash_set, unleash_read, unleash_close, NULL, NULL,
};
