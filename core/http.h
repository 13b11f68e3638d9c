/* http.h — one HTTP transfer for the curl multi loop: the easy handle set
 * up the same way for every driver (timeouts, a capped answer buffer, no
 * signals, verification on), and the outcome in words a person reads on a
 * panel ("connection refused", "timed out after 2.0 s", "HTTP 500"). */
#ifndef CUTOVER_HTTP_H
#define CUTOVER_HTTP_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct http_request {
    CURL *easy;
    char *body;          /* the answer, NUL-terminated */
    size_t len, cap, max;
    int too_large;       /* the answer passed max and was cut off */
    long timeout_ms;
    struct curl_slist *headers;
    char *send;          /* request body for PUT/POST, owned */
    char errbuf[CURL_ERROR_SIZE];
    void *owner;         /* for the caller: who started it */
    int64_t started_ms;
};

/* A GET of url; the answer may be at most max_body bytes. */
struct http_request *http_get_new(const char *url, long timeout_ms, size_t max_body,
                                  struct error *err);

/* A PUT/POST/PATCH of a JSON body. */
struct http_request *http_send_new(const char *method, const char *url,
                                   const char *json, long timeout_ms,
                                   size_t max_body, struct error *err);

/* Adds a header line ("Authorization: ..."). */
int http_add_header(struct http_request *r, const char *line);

/* The request that owns an easy handle (from curl_multi_info_read). */
struct http_request *http_of(CURL *easy);

/* After curl reported the transfer done with rc: 0 when it answered 2xx
 * with a whole body, else -1 with err in words. */
int http_outcome(const struct http_request *r, CURLcode rc, struct error *err);

void http_request_free(struct http_request *r);

/* Runs one request to completion on its own (for commands without a
 * loop, like preflight); never use it on the screen's thread. */
int http_perform(struct http_request *r, struct error *err);

#endif
