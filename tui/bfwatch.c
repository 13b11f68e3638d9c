/* bfwatch.c — reading a backfill's throttle signals (bfwatch.h). Only the
 * signals the throttle names are polled: the watcher hands signals.h a
 * copy of the runbook that lists just those. */
#include "bfwatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "clock.h"
#include "core/http.h"
#include "core/signals.h"

struct bfwatch {
    const struct throttle *t;
    struct runbook sub;                      /* rb with only t's signals */
    struct rb_signal sig[THROTTLE_MAX];
    struct throttle_reading reading[THROTTLE_MAX]; /* by index in sub.signals */
    size_t map[THROTTLE_MAX];                /* condition → index in sub.signals */
    CURLM *multi;
    struct signals *signals;
};

static void take(struct bfwatch *w, const struct signal_outcome *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < w->sub.n_signals; k++)
            if (strcmp(o[i].signal, w->sig[k].name) == 0) {
                struct throttle_reading *r = &w->reading[k];
                r->seen = 1;
                r->at_ms = o[i].at_ms;
                r->has_value = o[i].has_value;
                r->value = o[i].value;
                snprintf(r->status, sizeof r->status, "%s", o[i].status);
            }
}

void bfwatch_pump(struct bfwatch *w, int wait_ms)
{
    struct signal_outcome out[THROTTLE_MAX * 2];
    signals_start_due(w->signals, clock_now_ms());
    int running = 0;
    curl_multi_perform(w->multi, &running);
    struct curl_waitfd fd = {.fd = signals_wake_fd(w->signals), .events = CURL_WAIT_POLLIN};
    if (wait_ms > 0)
        curl_multi_poll(w->multi, &fd, fd.fd >= 0 ? 1 : 0, wait_ms, NULL);
    curl_multi_perform(w->multi, &running);
    CURLMsg *msg;
    int left;
    int64_t now = clock_now_ms();
    while ((msg = curl_multi_info_read(w->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        int mine = 0;
        size_t n = signals_on_done(w->signals, http_of(msg->easy_handle), msg->data.result, now,
                                   out, sizeof out / sizeof out[0], &mine);
        take(w, out, n);
    }
    take(w, out, signals_collect_local(w->signals, now, out, sizeof out / sizeof out[0]));
}

struct bfwatch *bfwatch_new(const struct runbook *rb, const struct throttle *t, int first_ms,
                            struct error *err)
{
    struct bfwatch *w = calloc(1, sizeof *w);
    if (!w) {
        error_set(err, "out of memory");
        return NULL;
    }
    w->t = t;
    w->sub = *rb;
    w->sub.signals = w->sig;
    w->sub.n_signals = 0;
    for (size_t i = 0; i < t->n; i++) {
        size_t k = 0;
        while (k < w->sub.n_signals && w->sig[k].name != t->c[i].signal->name)
            k++;
        if (k == w->sub.n_signals)
            w->sig[w->sub.n_signals++] = *t->c[i].signal;
        w->map[i] = k;
    }
    if (!(w->multi = curl_multi_init()) || !(w->signals = signals_new(&w->sub, w->multi, err))) {
        if (!w->multi)
            error_set(err, "out of memory");
        bfwatch_free(w);
        return NULL;
    }
    int64_t until = clock_now_ms() + first_ms;
    for (;;) {
        size_t seen = 0;
        for (size_t k = 0; k < w->sub.n_signals; k++)
            seen += w->reading[k].seen;
        if (seen == w->sub.n_signals || clock_now_ms() >= until)
            break;
        bfwatch_pump(w, 100);
    }
    return w;
}

void bfwatch_free(struct bfwatch *w)
{
    if (!w)
        return;
    signals_free(w->signals);
    if (w->multi)
        curl_multi_cleanup(w->multi);
    free(w);
}

int bfwatch_judge(const struct bfwatch *w, int64_t now_ms, char *why, size_t len)
{
    int held = 0;
    size_t at = 0;
    why[0] = '\0';
    /* the reasons that hold it back, or, when none does, every reading */
    for (int pass = 0; pass < 2 && !at; pass++)
        for (size_t i = 0; i < w->t->n; i++) {
            char one[300];
            int h = throttle_judge(&w->t->c[i], &w->reading[w->map[i]], now_ms, one, sizeof one);
            held |= h;
            if ((pass == 0 && h) || pass == 1)
                at += (size_t)snprintf(why + at, at < len ? len - at : 0, "%s%s",
                                       at ? "; " : "", one);
            if (at >= len)
                at = len - 1;
        }
    return held;
}
