/* flags_http.c — a flag behind any HTTP service: set is a PUT/POST/PATCH of
 * a JSON body made from the runbook's template ({{percent}} replaced by the
 * number), read back is a GET and a JSON path to the number in the answer.
 * A bearer token, when the service wants one, comes from an environment
 * variable named in the runbook. */
#include "flags_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct httpflag {
    struct flag_driver base;
    char *method;
    char *url;
    char *body;  /* the template */
    char *read;  /* the URL to GET */
    char *path;  /* where the number is in its answer */
    char *auth;  /* "Authorization: Bearer ..." or NULL */
};

static int http_set(struct flag_driver *base, double percent, struct error *err)
{
    struct httpflag *d = (struct httpflag *)base;
    char *body = flags_template(d->body, percent);
    if (!body) {
        error_set(err, "out of memory");
        return -1;
    }
    struct http_request *r = flags_http(d->method, d->url, body, d->auth, err);
    free(body);
    http_request_free(r);
    return r ? 0 : -1;
}

static int http_read(struct flag_driver *base, double *percent, struct error *err)
{
    struct httpflag *d = (struct httpflag *)base;
    struct http_request *r = flags_http("GET", d->read, NULL, d->auth, err);
    if (!r)
        return -1;
    cJSON *doc = cJSON_Parse(r->body ? r->body : "");
    int rc = -1;
    if (!doc)
        error_set(err, "the answer to the read-back GET is not JSON");
    else
        rc = flags_json_number(doc, d->path, percent, err);
    cJSON_Delete(doc);
    http_request_free(r);
    return rc;
}

static void http_close(struct flag_driver *base)
{
    struct httpflag *d = (struct httpflag *)base;
    flags_base_free(base);
    free(d->method);
    free(d->url);
    free(d->body);
    free(d->read);
    free(d->path);
    if (d->auth)
        memset(d->auth, 0, strlen(d->auth));   /* no token left in freed memory */
    free(d->auth);
    free(d);
}

static char *method_of(const struct rb_system *sys, struct error *err)
{
    char *m = flags_attr(sys, "method", "PUT", err);
    if (m && strcasecmp(m, "PUT") != 0 && strcasecmp(m, "POST") != 0 &&
        strcasecmp(m, "PATCH") != 0) {
        error_set(err, "method %s: write PUT, POST or PATCH", m);
        free(m);
        return NULL;
    }
    for (char *p = m; p && *p; p++)
        *p = (char)(*p & ~0x20);   /* upper case: the letters are ASCII */
    return m;
}

/* The body must be JSON once a number is in it: found now, not mid-ramp. */
static int check_template(const char *tpl, struct error *err)
{
    char *sample = flags_template(tpl, 12.5);
    cJSON *doc = sample ? cJSON_Parse(sample) : NULL;
    if (!doc)
        error_set(err, "body is not JSON once {{percent}} is replaced by a number: %.80s",
                  sample ? sample : tpl);
    cJSON_Delete(doc);
    free(sample);
    return doc ? 0 : -1;
}

/* token_env is optional here: many internal services want no token. */
static int bearer(const struct rb_system *sys, char **auth, struct error *err)
{
    *auth = NULL;
    if (!rb_attr_get(sys->attrs, sys->n_attrs, "token_env"))
        return 0;
    char *var = flags_attr(sys, "token_env", NULL, err);
    const char *token = var ? getenv(var) : NULL;
    if (var && (!token || !*token))
        error_set(err, "the environment variable %s (token_env) holds no token", var);
    else if (var && !(*auth = flags_strf("Authorization: Bearer %s", token)))
        error_set(err, "out of memory");
    free(var);
    return *auth ? 0 : -1;
}

/* The read-back URL: its own, or the one that is set. */
static char *read_url(const struct rb_system *sys, const char *url, struct error *err)
{
    if (rb_attr_get(sys->attrs, sys->n_attrs, "read"))
        return flags_attr(sys, "read", NULL, err);
    char *copy = strdup(url);
    if (!copy)
        error_set(err, "out of memory");
    return copy;
}

static char *describe(const struct rb_system *sys, const char *method, const char *path)
{
    const char *read = rb_attr_get(sys->attrs, sys->n_attrs, "read");
    char *url = flags_redact_url(sys->conn), *rurl = read ? flags_redact_url(read) : NULL;
    char *out = url ? flags_strf("http %s %s, read %s at %s", method, url,
                                 rurl ? rurl : "the same URL", path) : NULL;
    free(url);
    free(rurl);
    return out;
}

static struct flag_driver *http_open(const struct rb_system *sys, struct error *err)
{
    struct httpflag *d = calloc(1, sizeof *d);
    if (!d) {
        error_set(err, "out of memory");
        return NULL;
    }
    d->base.ops = &flags_http_ops;
    if (!(d->url = flags_conn(sys, err)) || !(d->method = method_of(sys, err)) ||
        !(d->body = flags_attr(sys, "body", NULL, err)) || check_template(d->body, err) ||
        !(d->read = read_url(sys, d->url, err)) ||
        !(d->path = flags_attr(sys, "path", NULL, err)) ||
        flags_json_path_check(d->path, err) != 0 || bearer(sys, &d->auth, err) != 0 ||
        flags_base_init(&d->base, &flags_http_ops, sys, describe(sys, d->method, d->path),
                        err) != 0) {
        http_close(&d->base);
        return NULL;
    }
    return &d->base;
}

const struct flag_ops flags_http_ops = {
    "http", http_open, http_set, http_read, http_close, NULL, NULL,
};
