/* notify.h — messages to a Slack-compatible incoming webhook (the runbook's
 * `notify` system) for the comms role: each ramp advance, abort, halt,
 * resume and commander override. Sending never waits: the POST is a
 * transfer on the loop's curl multi handle, and a webhook that fails or
 * hangs only costs a `notify_failed` event. */
#ifndef CUTOVER_NOTIFY_H
#define CUTOVER_NOTIFY_H

#include <curl/curl.h>
#include <stdint.h>

#include "error.h"
#include "runbook.h"

struct notify;
struct http_request;

/* NULL (and no error) when the runbook has no `notify` system. */
struct notify *notify_new(const struct runbook *rb, CURLM *multi, struct error *err);
void notify_free(struct notify *n);

/* Queues "[title] text" as {"text": ...}; returns at once. */
void notify_send(struct notify *n, const char *text, int64_t now_ms);

/* How many notifications are still on their way. */
size_t notify_in_flight(const struct notify *n);

/* The loop found transfer r done: 1 if it was a notification (then *failed
 * is set, with why in err), else 0. */
int notify_on_done(struct notify *n, struct http_request *r, CURLcode rc, int *failed,
                   struct error *err);

#endif
