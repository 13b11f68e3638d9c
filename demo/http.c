/* http.c — the HTTP endpoints (see http.h) on libmicrohttpd's own thread.
 * Handlers only copy values under short locks, so a scrape never waits on
 * a store. A POST body is gathered across the library's calls (up to
 * 8 KiB) and handled on the last one. */
#include "http.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "metrics.h"

#define MAX_BODY 8192
#define MAX_PAIRS 16

static struct MHD_Daemon *daemon_;

/* A request in progress: its body so far. */
struct request {
    char body[MAX_BODY + 1];
    size_t len;
    bool too_big;
};

/* KEY=VALUE pairs gathered from a request, pointing into owned copies. */
struct pairs {
    size_t n;
    char *keys[MAX_PAIRS], *values[MAX_PAIRS];
    bool overflow;
};

static void pairs_add(struct pairs *p, const char *key, const char *value)
{
    if (p->n == MAX_PAIRS) {
        p->overflow = true;
        return;
    }
    p->keys[p->n] = strdup(key);
    p->values[p->n] = strdup(value ? value : "");
    p->n++;
}

static void pairs_free(struct pairs *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->keys[i]);
        free(p->values[i]);
    }
    p->n = 0;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type,
                             char *body, size_t len)
{
    /* body is malloc'd; the library frees it once sent */
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result rc = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned code, const char *text)
{
    char *copy = strdup(text);
    return copy ? reply(c, code, "text/plain; charset=utf-8", copy, strlen(copy)) : MHD_NO;
}

/* A JSON document (malloc'd text, owned from here on) plus a newline. */
static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned code, char *text)
{
    if (!text)
        return MHD_NO;
    size_t len = strlen(text);
    char *line = realloc(text, len + 2);
    if (!line) {
        free(text);
        return MHD_NO;
    }
    memcpy(line + len, "\n", 2);
    return reply(c, code, "application/json", line, len + 1);
}

/* {"error": msg} */
static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned code, const char *msg)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", msg);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return reply_json(c, code, text);
}

static enum MHD_Result reply_faults(struct MHD_Connection *c)
{
    struct faults f;
    faults_get(&f);
    return reply_json(c, MHD_HTTP_OK, faults_json(&f));
}

static enum MHD_Result serve_metrics(struct MHD_Connection *c)
{
    size_t len = 0;
    char *text = metrics_render(&len);
    if (!text)
        return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot render metrics\n");
    return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

static enum MHD_Result query_pair(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    pairs_add(cls, key, value);
    return MHD_YES;
}

/* Decodes %XX and '+' in place (a form body; the query string arrives
 * decoded already). */
static void form_decode(char *s)
{
    char *out = s;
    for (char *p = s; *p; p++) {
        unsigned hex;
        if (*p == '+') {
            *out++ = ' ';
        } else if (*p == '%' && p[1] && p[2] && sscanf(p + 1, "%2x", &hex) == 1) {
            *out++ = (char)hex;
            p += 2;
        } else {
            *out++ = *p;
        }
    }
    *out = '\0';
}

static void form_pairs(char *body, struct pairs *p)
{
    char *save = NULL;
    for (char *tok = strtok_r(body, "&\r\n", &save); tok; tok = strtok_r(NULL, "&\r\n", &save)) {
        char *eq = strchr(tok, '=');
        if (eq)
            *eq = '\0';
        form_decode(tok);
        if (eq)
            form_decode(eq + 1);
        if (*tok)
            pairs_add(p, tok, eq ? eq + 1 : "");
    }
}

/* {"key": value, ...}: numbers, booleans and strings, each as text. */
static int json_pairs(const char *body, struct pairs *p, struct error *err)
{
    cJSON *doc = cJSON_Parse(body);
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        error_set(err, "the body is not a JSON object");
        return -1;
    }
    int rc = 0;
    for (const cJSON *m = doc->child; m && rc == 0; m = m->next) {
        char num[64];
        if (cJSON_IsNumber(m)) {
            snprintf(num, sizeof num, "%.17g", m->valuedouble);
            pairs_add(p, m->string, num);
        } else if (cJSON_IsBool(m)) {
            pairs_add(p, m->string, cJSON_IsTrue(m) ? "true" : "false");
        } else if (cJSON_IsString(m)) {
            pairs_add(p, m->string, m->valuestring);
        } else {
            error_set(err, "%s: not a number, true/false or string", m->string);
            rc = -1;
        }
    }
    cJSON_Delete(doc);
    return rc;
}

static enum MHD_Result post_faults(struct MHD_Connection *c, struct request *rq)
{
    struct pairs p = {0};
    struct error err = {{0}};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_pair, &p);
    const char *s = rq->body;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    int rc = *s == '{' ? json_pairs(s, &p, &err) : (form_pairs(rq->body, &p), 0);
    if (rc == 0 && p.overflow) {
        error_set(&err, "more than %d faults in one request", MAX_PAIRS);
        rc = -1;
    }
    if (rc == 0 && p.n == 0) {
        error_set(&err, "no fault given: POST KEY=VALUE pairs (see GET /faults for the keys)");
        rc = -1;
    }
    if (rc == 0)
        rc = faults_update(p.n, (const char *const *)p.keys, (const char *const *)p.values,
                           "http", &err);
    pairs_free(&p);
    return rc == 0 ? reply_faults(c) : reply_error(c, MHD_HTTP_BAD_REQUEST, err.msg);
}

static enum MHD_Result route(struct MHD_Connection *c, const char *url, const char *method,
                             struct request *rq)
{
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    bool post = strcmp(method, "POST") == 0;
    if (strcmp(url, "/metrics") == 0)
        return get ? serve_metrics(c)
                   : reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /metrics");
    if (strcmp(url, "/faults") == 0) {
        if (get)
            return reply_faults(c);
        if (post)
            return post_faults(c, rq);
        return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET or POST /faults");
    }
    if (strcmp(url, "/faults/reset") == 0) {
        if (!post)
            return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "POST /faults/reset");
        faults_reset("http");
        return reply_faults(c);
    }
    if (strcmp(url, "/") == 0 && get)
        return reply_text(c, MHD_HTTP_OK,
                          "ordersim: GET /metrics, GET /faults, POST /faults, "
                          "POST /faults/reset\n");
    return reply_error(c, MHD_HTTP_NOT_FOUND, "no such path");
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_len, void **state)
{
    (void)cls;
    (void)version;
    struct request *rq = *state;
    if (!rq) { /* the first call: headers only */
        rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        *state = rq;
        return MHD_YES;
    }
    if (*upload_len) {
        size_t n = *upload_len;
        if (rq->len + n > MAX_BODY) {
            rq->too_big = true;
            n = rq->len < MAX_BODY ? MAX_BODY - rq->len : 0;
        }
        memcpy(rq->body + rq->len, upload, n);
        rq->len += n;
        rq->body[rq->len] = '\0';
        *upload_len = 0;
        return MHD_YES;
    }
    if (rq->too_big)
        return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "the body is larger than 8 KiB");
    return route(c, url, method, rq);
}

static void completed(void *cls, struct MHD_Connection *c, void **state,
                      enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)c;
    (void)why;
    free(*state);
    *state = NULL;
}

int httpd_start(int port, struct error *err)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL,
                               answer, NULL, MHD_OPTION_SOCK_ADDR, &addr,
                               MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                               MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!daemon_) {
        error_set(err, "cannot listen on 127.0.0.1:%d (in use?)", port);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
    if (!info || info->port == 0) {
        error_set(err, "cannot tell which port 127.0.0.1 was given");
        httpd_stop();
        return -1;
    }
    return info->port;
}

void httpd_stop(void)
{
    if (daemon_)
        MHD_stop_daemon(daemon_);
    daemon_ = NULL;
}
