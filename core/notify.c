/* notify.c — webhook POSTs as fire-and-forget transfers. At most a few are
 * in flight; past that the oldest is dropped, so a dead webhook can never
 * pile up work. */
#include "notify.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envsubst.h"
#include "http.h"
#include "redact.h"

#define NOTIFY_TIMEOUT_MS 5000
#define NOTIFY_IN_FLIGHT 8

struct notify {
    CURLM *multi;
    char *url;
    char title[120];
    struct http_request *inflight[NOTIFY_IN_FLIGHT];
};

struct notify *notify_new(const struct runbook *rb, CURLM *multi, struct error *err)
{
    const struct rb_system *sys = runbook_system(rb, "notify");
    if (!sys)
        return NULL;
    struct notify *n = calloc(1, sizeof *n);
    if (!n || !(n->url = envsubst(sys->conn, err))) {
        free(n);
        return NULL;
    }
    n->multi = multi;
    snprintf(n->title, sizeof n->title, "%s", rb->title ? rb->title : "cutover");
    return n;
}

static void drop(struct notify *n, size_t i)
{
    if (!n->inflight[i])
        return;
    curl_multi_remove_handle(n->multi, n->inflight[i]->easy);
    http_request_free(n->inflight[i]);
    n->inflight[i] = NULL;
}

void notify_free(struct notify *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < NOTIFY_IN_FLIGHT; i++)
        drop(n, i);
    free(n->url);
    free(n);
}

void notify_send(struct notify *n, const char *text, int64_t now_ms)
{
    if (!n)
        return;
    size_t slot = 0;
    for (size_t i = 0; i < NOTIFY_IN_FLIGHT; i++) {
        if (!n->inflight[i]) {
            slot = i;
            break;
        }
        if (n->inflight[i]->started_ms < n->inflight[slot]->started_ms)
            slot = i;
    }
    drop(n, slot);   /* the oldest, when all are busy */
    char raw[700], line[700];
    snprintf(raw, sizeof raw, "[%s] %s", n->title, text);
    redact_into(redact_installed(), raw, line, sizeof line);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "text", line);
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    struct http_request *r = body ? http_send_new("POST", n->url, body, NOTIFY_TIMEOUT_MS, 65536, NULL) : NULL;
    free(body);
    if (!r)
        return;
    r->started_ms = now_ms;
    if (curl_multi_add_handle(n->multi, r->easy) != CURLM_OK) {
        http_request_free(r);
        return;
    }
    n->inflight[slot] = r;
}

size_t notify_in_flight(const struct notify *n)
{
    size_t k = 0;
    for (size_t i = 0; n && i < NOTIFY_IN_FLIGHT; i++)
        k += n->inflight[i] != NULL;
    return k;
}

int notify_on_done(struct notify *n, struct http_request *r, CURLcode rc, int *failed,
                   struct error *err)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < NOTIFY_IN_FLIGHT; i++) {
        if (n->inflight[i] != r)
            continue;
        *failed = http_outcome(r, rc, err) != 0;
        if (*failed) {   /* a 404 page may echo the webhook's secret path */
            char raw[sizeof err->msg];
            memcpy(raw, err->msg, sizeof raw);
            redact_into(redact_installed(), raw, err->msg, sizeof err->msg);
        }
        drop(n, i);
        return 1;
    }
    return 0;
}
