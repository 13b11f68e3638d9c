/* http.c — libcurl easy handles as the cockpit uses them. */
#include "http.h"

#include <stdlib.h>
#include <string.h>

static size_t on_body(char *data, size_t size, size_t n, void *p)
{
    struct http_request *r = p;
    size_t len = size * n;
    if (r->len + len > r->max) {
        r->too_large = 1;
        return 0;   /* makes curl stop with CURLE_WRITE_ERROR */
    }
    if (r->len + len + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + len + 1)
            cap *= 2;
        char *b = realloc(r->body, cap);
        if (!b)
            return 0;
        r->body = b;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, len);
    r->len += len;
    r->body[r->len] = '\0';
    return len;
}

static struct http_request *make(const char *url, long timeout_ms, size_t max_body,
                                 struct error *err)
{
    struct http_request *r = calloc(1, sizeof *r);
    if (!r || !(r->easy = curl_easy_init())) {
        free(r);
        error_set(err, "out of memory for an HTTP request");
        return NULL;
    }
    r->max = max_body;
    r->timeout_ms = timeout_ms;
    CURL *e = r->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);       /* threads, and no SIGALRM */
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "cutover");
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  /* gzip if offered */
    return r;
}

struct http_request *http_get_new(const char *url, long timeout_ms, size_t max_body,
                                  struct error *err)
{
    return make(url, timeout_ms, max_body, err);
}

struct http_request *http_send_new(const char *method, const char *url,
                                   const char *json, long timeout_ms,
                                   size_t max_body, struct error *err)
{
    struct http_request *r = make(url, timeout_ms, max_body, err);
    if (!r)
        return NULL;
    r->send = strdup(json ? json : "");
    if (!r->send || http_add_header(r, "Content-Type: application/json") != 0) {
        http_request_free(r);
        error_set(err, "out of memory for an HTTP request");
        return NULL;
    }
    curl_easy_setopt(r->easy, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->send);
    return r;
}

int http_add_header(struct http_request *r, const char *line)
{
    struct curl_slist *h = curl_slist_append(r->headers, line);
    if (!h)
        return -1;
    r->headers = h;
    curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->headers);
    return 0;
}

struct http_request *http_of(CURL *easy)
{
    char *p = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &p);
    return (struct http_request *)p;
}

/* One line of an error body for a message: an HTML page (a proxy's or a
 * server's 404) gives its <title>, or else its first line of text without
 * the tags; any other body its first non-empty line. Whitespace runs
 * become one space; at most cap - 1 bytes. */
static void body_line(const char *b, size_t len, char *out, size_t cap)
{
    size_t i = 0, n = 0;
    while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))
        i++;
    int html = i < len && b[i] == '<';
    if (html) {
        const char *t = memmem(b, len, "<title>", 7);
        if (!t)
            t = memmem(b, len, "<TITLE>", 7);
        const char *end = t ? memmem(t, len - (size_t)(t - b), "</", 2) : NULL;
        if (t && end && end > t + 7) {
            i = (size_t)(t + 7 - b);
            len = (size_t)(end - b);
        }
    }
    int in_tag = 0, space = 0;
    for (; i < len && n + 1 < cap; i++) {
        char c = b[i];
        if (html && c == '<') {
            in_tag = 1;
            continue;
        }
        if (in_tag) {
            in_tag = c != '>';
            space = space || !in_tag;
            continue;
        }
        if (c == '\n' || c == '\r') {
            if (n)
                break;
            continue;
        }
        if (c == ' ' || c == '\t') {
            space = 1;
            continue;
        }
        if (space && n && n + 2 < cap)
            out[n++] = ' ';
        space = 0;
        out[n++] = c;
    }
    out[n] = '\0';
}

int http_outcome(const struct http_request *r, CURLcode rc, struct error *err)
{
    if (r->too_large) {
        error_set(err, "the answer is larger than %zu bytes", r->max);
        return -1;
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        error_set(err, "timed out after %.1f s", r->timeout_ms / 1000.0);
        return -1;
    }
    if (rc == CURLE_COULDNT_CONNECT) {
        error_set(err, "connection refused");
        return -1;
    }
    if (rc != CURLE_OK) {
        error_set(err, "%s", r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc));
        return -1;
    }
    long status = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        char line[121] = "";
        if (r->len)
            body_line(r->body, r->len, line, sizeof line);
        error_set(err, "HTTP %ld%s%s", status, line[0] ? ": " : "", line);
        return -1;
    }
    return 0;
}

int http_perform(struct http_request *r, struct error *err)
{
    return http_outcome(r, curl_easy_perform(r->easy), err);
}

void http_request_free(struct http_request *r)
{
    if (!r)
        return;
    curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    free(r->body);
    free(r->send);
    free(r);
}
