/* faultmenu.c — POSTs to the demo service's /faults, off the screen's
 * thread (a detached thread with a one-second timeout), and journals what
 * it sent. */
#include "faultmenu.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/ceremony.h"
#include "core/events.h"
#include "core/http.h"

static const struct {
    const char *key, *query, *what;
} faults[] = {
    {"1", "new_read_error_rate=0.05", "5% of reads on new fail"},
    {"2", "new_latency_factor=3", "new is three times slower"},
    {"3", "dual_write_failure_rate=0.05", "5% of dual writes to new fail"},
    {"4", "divergence=hour_shift&divergence_rate=0.2", "a fifth of new rows shifted by an hour"},
    {"5", "ignore_flag=1", "the service stops obeying the flag"},
    {"0", NULL, "every fault cleared"},
};

const char *faultmenu_label(void)
{
    return getenv("CUTOVER_DEMO_PORT")
        ? "fault: 1 new-read errors · 2 slow new · 3 dual-write failures · 4 divergence · "
          "5 ignore flag · 0 reset: "
        : NULL;
}

static void *post(void *p)
{
    char *url = p;
    struct http_request *r = http_send_new("POST", url, "", 1000, 65536, NULL);
    if (r)
        http_perform(r, NULL);
    http_request_free(r);
    free(url);
    return NULL;
}

/* The record of a fault sent: what a post-mortem needs to tell an injected
 * fault from a real one. */
static int journal_fault(struct ceremony *c, const char *query, const char *what, int64_t now_ms,
                         struct error *err)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "query", query ? query : "reset");
    cJSON_AddStringToObject(o, "what", what);
    char *body = events_encode(EVK_DEMO_FAULT, o, err);
    if (!body)
        return -1;
    int rc = ceremony_append(c, EV_DEMO_FAULT, body, now_ms, err);
    free(body);
    return rc;
}

int faultmenu_send(struct ceremony *c, const char *choice, int64_t now_ms, char *msg, size_t len)
{
    const char *port = getenv("CUTOVER_DEMO_PORT");
    for (size_t i = 0; port && i < sizeof faults / sizeof faults[0]; i++) {
        if (strcmp(choice, faults[i].key) != 0)
            continue;
        char *url = malloc(256);
        pthread_t t;
        if (!url)
            return -1;
        if (faults[i].query)
            snprintf(url, 256, "http://127.0.0.1:%s/faults?%s", port, faults[i].query);
        else
            snprintf(url, 256, "http://127.0.0.1:%s/faults/reset", port);
        if (pthread_create(&t, NULL, post, url) != 0) {
            free(url);
            return -1;
        }
        pthread_detach(t);
        struct error err = {{0}};
        if (journal_fault(c, faults[i].query, faults[i].what, now_ms, &err) != 0) {
            snprintf(msg, len, "demo fault sent: %s — NOT journaled: %s", faults[i].what, err.msg);
            return -1;
        }
        snprintf(msg, len, "demo fault sent: %s", faults[i].what);
        return 0;
    }
    snprintf(msg, len, "no such fault: %s", choice);
    return -1;
}
