/* flags.c — the flag drivers' front door: picks the driver by the system's
 * kind, checks the percentage, and names the system in every message; and
 * the helpers the drivers share (attributes, numbers as text, HTTP, JSON
 * paths), so that each driver file holds only its own protocol. */
#include "flags_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envsubst.h"
#include "number.h"

static const struct flag_ops *const drivers[] = {
    &flags_flagd_ops, &flags_unleash_ops, &flags_http_ops,
    &flags_postgres_ops, &flags_sqlite_ops,
};

/* Opens one driver; its message, if any, gets the system's name first. */
static struct flag_driver *open_named(const struct flag_ops *ops, const struct rb_system *sys,
                                      struct error *err)
{
    struct error mine = {""}, *e = err ? err : &mine;
    struct flag_driver *d = ops->open(sys, e);
    if (!d) {
        char why[sizeof e->msg];
        snprintf(why, sizeof why, "%s", e->msg);
        error_set(e, "%s (%s, line %d): %s", sys->name, sys->kind, sys->line, why);
    }
    return d;
}

/* The attributes each kind takes; the first `required` of them must be
 * there. */
static const struct {
    const char *kind;
    int required;
    const char *attrs[6];
} grammar[] = {
    {"flagd", 1, {"flag"}},
    {"unleash", 1, {"flag", "environment", "project", "token_env"}},
    {"http", 2, {"body", "path", "method", "read", "token_env"}},
    {"postgres", 2, {"set", "read"}},
    {"sqlite", 2, {"set", "read"}},
};

static int takes(size_t g, const char *key)
{
    for (int i = 0; grammar[g].attrs[i]; i++)
        if (strcmp(grammar[g].attrs[i], key) == 0)
            return 1;
    return 0;
}

/* The attributes of grammar g, for a message: "flag, environment, ...". */
static void list_attrs(size_t g, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (int i = 0; grammar[g].attrs[i]; i++)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", i ? ", " : "",
                 grammar[g].attrs[i]);
}

static int check_attrs(size_t g, const struct rb_system *sys, struct error *err)
{
    char list[128];
    list_attrs(g, list, sizeof list);
    for (int i = 0; i < grammar[g].required; i++) {
        if (!rb_attr_get(sys->attrs, sys->n_attrs, grammar[g].attrs[i])) {
            error_set(err, "%s (%s, line %d): attribute %s is missing (write %s `...` after "
                      "the connection)", sys->name, sys->kind, sys->line, grammar[g].attrs[i],
                      grammar[g].attrs[i]);
            return -1;
        }
    }
    for (size_t i = 0; i < sys->n_attrs; i++) {
        if (!takes(g, sys->attrs[i].key)) {
            error_set(err, "%s (%s, line %d): %s is not an attribute of %s flags (they take %s)",
                      sys->name, sys->kind, sys->line, sys->attrs[i].key, sys->kind, list);
            return -1;
        }
    }
    return 0;
}

int flags_check(const struct rb_system *sys, struct error *err)
{
    for (size_t g = 0; g < sizeof grammar / sizeof grammar[0]; g++)
        if (strcmp(sys->kind, grammar[g].kind) == 0)
            return check_attrs(g, sys, err);
    error_set(err, "%s (line %d): %s is not a kind of flag system; the kinds are "
              "flagd, unleash, http, postgres and sqlite", sys->name, sys->line, sys->kind);
    return -1;
}

struct flag_driver *flags_open(const struct rb_system *sys, struct error *err)
{
    if (flags_check(sys, err) != 0)
        return NULL;
    for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++)
        if (strcmp(sys->kind, drivers[i]->kind) == 0)
            return open_named(drivers[i], sys, err);
    return NULL;   /* flags_check knows the same kinds */
}

int flags_set(struct flag_driver *d, double percent, struct error *err)
{
    /* NaN fails both comparisons, so it is refused here too */
    if (!(percent >= 0 && percent <= 100)) {
        error_set(err, "%s: %g is not a percentage from 0 to 100", d->label, percent);
        return -1;
    }
    struct error e = {""};
    int rc = d->ops->set(d, percent, &e);
    if (rc == 0)
        return 0;
    error_set(err, "%s: %s", d->label, e.msg);
    return rc == FLAGS_REFUSED ? FLAGS_REFUSED : -1;
}

int flags_rule(struct flag_driver *d, char *out, struct error *err)
{
    struct error e = {""};
    out[0] = '\0';
    if (!d->ops->rule || d->ops->rule(d, out, &e) == 0)
        return 0;
    out[0] = '\0';
    error_set(err, "%s: %s", d->label, e.msg);
    return -1;
}

int flags_disabled(struct flag_driver *d, struct error *err)
{
    struct error e = {""};
    int rc = d->ops->disabled ? d->ops->disabled(d, &e) : 0;
    if (rc < 0)
        error_set(err, "%s: %s", d->label, e.msg);
    return rc;
}

int flags_read(struct flag_driver *d, double *percent, struct error *err)
{
    struct error e = {""};
    double p = NAN;
    if (d->ops->read(d, &p, &e) != 0) {
        error_set(err, "%s: %s", d->label, e.msg);
        return -1;
    }
    if (!(p >= 0 && p <= 100)) {
        /* a service's nonsense is an error, never a value the ramp trusts */
        error_set(err, "%s: the service says %g, which is not a percentage", d->label, p);
        return -1;
    }
    *percent = p;
    return 0;
}

const char *flags_describe(const struct flag_driver *d)
{
    return d->describe;
}

void flags_close(struct flag_driver *d)
{
    if (d)
        d->ops->close(d);
}

/* ------------------------------------------------------------------------
 * Shared by the drivers
 * ------------------------------------------------------------------------ */

int flags_base_init(struct flag_driver *d, const struct flag_ops *ops,
                    const struct rb_system *sys, char *describe, struct error *err)
{
    d->ops = ops;
    d->describe = describe;
    d->label = flags_strf("%s (%s)", sys->name, sys->kind);
    if (!d->describe || !d->label) {
        error_set(err, "out of memory");
        return -1;
    }
    return 0;
}

void flags_base_free(struct flag_driver *d)
{
    free(d->label);
    free(d->describe);
}

char *flags_attr(const struct rb_system *sys, const char *key, const char *dflt,
                 struct error *err)
{
    const char *v = rb_attr_get(sys->attrs, sys->n_attrs, key);
    if (!v && !dflt) {
        error_set(err, "attribute %s is missing (write %s `...` after the connection)",
                  key, key);
        return NULL;
    }
    struct error e;
    char *out = envsubst(v ? v : dflt, &e);
    if (!out)
        error_set(err, "attribute %s: %s", key, e.msg);
    return out;
}

char *flags_conn(const struct rb_system *sys, struct error *err)
{
    struct error e;
    char *out = envsubst(sys->conn, &e);
    if (!out)
        error_set(err, "connection: %s", e.msg);
    return out;
}

char *flags_strf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return n < 0 ? NULL : s;
}

const char *flags_percent_text(double percent, char *buf)
{
    /* integers only: printf("%g") would write "2,5" under a comma locale */
    long long micro = llround(percent * 1e6);
    const char *sign = micro < 0 ? "-" : "";
    if (micro < 0)
        micro = -micro;
    long long whole = micro / 1000000, frac = micro % 1000000;
    if (frac == 0) {
        snprintf(buf, 32, "%s%lld", sign, whole);
        return buf;
    }
    int digits = 6;
    while (frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    snprintf(buf, 32, "%s%lld.%0*lld", sign, whole, digits, frac);
    return buf;
}

char *flags_redact_url(const char *url)
{
    const char *scheme = strstr(url, "://");
    const char *host = scheme ? scheme + 3 : url;
    size_t auth_end = strcspn(host, "/?#");
    const char *at = memchr(host, '@', auth_end);
    if (!at)
        return strdup(url);
    return flags_strf("%.*s***%s", (int)(host - url), url, at);
}

char *flags_escape(const char *segment)
{
    char *e = curl_easy_escape(NULL, segment, 0);
    char *out = e ? strdup(e) : NULL;
    curl_free(e);
    return out;
}

/* Services answer errors as {"message": "..."} (Unleash does): that line
 * says more than the raw start of the body. */
static void service_message(const struct http_request *r, struct error *err)
{
    long status = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    cJSON *doc = status >= 400 && r->body ? cJSON_Parse(r->body) : NULL;
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(doc, "message");
    if (cJSON_IsString(msg))
        error_set(err, "HTTP %ld: %.300s", status, msg->valuestring);
    cJSON_Delete(doc);
}

struct http_request *flags_http(const char *method, const char *url, const char *body,
                                const char *auth, struct error *err)
{
    struct http_request *r =
        strcmp(method, "GET") == 0
            ? http_get_new(url, FLAGS_HTTP_TIMEOUT_MS, FLAGS_HTTP_MAX_BODY, err)
            : http_send_new(method, url, body, FLAGS_HTTP_TIMEOUT_MS, FLAGS_HTTP_MAX_BODY,
                            err);
    if (!r)
        return NULL;
    if ((auth && http_add_header(r, auth) != 0) ||
        http_add_header(r, "Accept: application/json") != 0) {
        http_request_free(r);
        error_set(err, "out of memory for an HTTP request");
        return NULL;
    }
    if (http_perform(r, err) != 0) {
        service_message(r, err);
        http_request_free(r);
        return NULL;
    }
    return r;
}

char *flags_template(const char *tpl, double percent)
{
    static const char mark[] = "{{percent}}";
    char num[32];
    flags_percent_text(percent, num);
    size_t n = 0, nl = strlen(num), ml = sizeof mark - 1;
    for (const char *p = strstr(tpl, mark); p; p = strstr(p + ml, mark))
        n++;
    char *out = malloc(strlen(tpl) + n * nl + 1);
    if (!out)
        return NULL;
    char *o = out;
    for (const char *p = tpl;;) {
        const char *m = strstr(p, mark);
        size_t len = m ? (size_t)(m - p) : strlen(p);
        memcpy(o, p, len);
        o += len;
        if (!m)
            break;
        memcpy(o, num, nl);
        o += nl;
        p = m + ml;
    }
    *o = '\0';
    return out;
}

/* ------------------------------------------------------------------------
 * JSON paths: $.a.b[0]["c.d"]
 * ------------------------------------------------------------------------ */

/* Reads the next step of path at *p into name (a key) or *index (when
 * *is_index). Returns 1 for a step, 0 at the end, -1 on bad syntax. */
static int path_step(const char **p, char *name, size_t cap, long *index, int *is_index)
{
    const char *s = *p;
    size_t n = 0;
    *is_index = 0;
    if (*s == '\0')
        return 0;
    if (*s == '.') {
        s++;
        while (*s && *s != '.' && *s != '[' && n + 1 < cap)
            name[n++] = *s++;
        if (n == 0 || (*s && *s != '.' && *s != '['))
            return -1;
    } else if (s[0] == '[' && s[1] == '"') {
        s += 2;
        while (*s && *s != '"' && n + 1 < cap)
            name[n++] = *s++;
        if (s[0] != '"' || s[1] != ']')
            return -1;
        s += 2;
    } else if (s[0] == '[' && isdigit((unsigned char)s[1])) {
        char *end;
        *index = strtol(s + 1, &end, 10);
        if (*end != ']' || *index > 1000000)
            return -1;
        *is_index = 1;
        s = end + 1;
    } else {
        return -1;
    }
    name[n] = '\0';
    *p = s;
    return 1;
}

/* Walks path in root: -1 with err on bad syntax, else 0 with *out the
 * value there (NULL when the document has nothing at that path). */
static int path_walk(const cJSON *root, const char *path, const cJSON **out,
                     struct error *err)
{
    const char *p = path + 1;
    const cJSON *at = root;
    char name[256];
    long index = 0;
    int is_index, rc = path[0] == '$' ? 1 : -1;
    while (rc == 1 && (rc = path_step(&p, name, sizeof name, &index, &is_index)) == 1) {
        if (!at)
            continue;
        at = is_index ? (cJSON_IsArray(at) ? cJSON_GetArrayItem(at, (int)index) : NULL)
                      : (cJSON_IsObject(at) ? cJSON_GetObjectItemCaseSensitive(at, name)
                                            : NULL);
    }
    if (rc < 0) {
        error_set(err, "bad JSON path %s (write it like $.flags.orders.percent or "
                  "$.items[0].rollout)", path);
        return -1;
    }
    *out = at;
    return 0;
}

int flags_json_path_check(const char *path, struct error *err)
{
    const cJSON *unused;
    return path_walk(NULL, path, &unused, err);
}

int flags_json_number(const cJSON *root, const char *path, double *out, struct error *err)
{
    const cJSON *v = NULL;
    if (path_walk(root, path, &v, err) != 0)
        return -1;
    if (!v) {
        error_set(err, "the answer has nothing at %s", path);
        return -1;
    }
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return 0;
    }
    if (cJSON_IsString(v) && number_parse(v->valuestring, out) == 0)
        return 0;
    char *text = cJSON_PrintUnformatted(v);
    error_set(err, "the value at %s is %.60s, not a number", path, text ? text : "?");
    free(text);
    return -1;
}
