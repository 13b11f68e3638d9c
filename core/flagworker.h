/* flagworker.h — the flag driver on its own thread. The screen's thread
 * asks (set to P and read back; or just read) and goes on; results come
 * back through a queue and a wake-up pipe the main loop waits on. Requests
 * run in order, so a rollback asked after an advance runs after it — and
 * a rollback cancels any request still waiting behind it. */
#ifndef CUTOVER_FLAGWORKER_H
#define CUTOVER_FLAGWORKER_H

#include <stddef.h>

#include "error.h"
#include "runbook.h"

enum flag_op { FLAG_SET, FLAG_READ };

struct flag_result {
    enum flag_op op;
    double percent;       /* set: what was asked; read: what the service says */
    char purpose[16];     /* "advance", "rollback", "restore", "check" */
    int ok;
    int refused;          /* set: only a person can make the flag take it (see
                           * FLAGS_REFUSED; for a rehearsal also a DISABLED flag) */
    char error[256];
    char rule[17];        /* read: the digest of the flag's rule, "" when none */
};

struct flagworker;

/* Starts the worker for the runbook's `flag` system (the driver is opened
 * on the worker, so even a slow open never holds the screen). */
struct flagworker *flagworker_new(const struct rb_system *sys, struct error *err);

/* Set the flag to percent, then read it back: two results. A "rollback"
 * drops every request queued before it that has not started. */
void flagworker_set(struct flagworker *w, double percent, const char *purpose);
/* Read the flag: one result. */
void flagworker_read(struct flagworker *w, const char *purpose);

size_t flagworker_collect(struct flagworker *w, struct flag_result *out, size_t max);
int flagworker_wake_fd(const struct flagworker *w);
/* 1 while a request is queued or running. */
int flagworker_busy(struct flagworker *w);
void flagworker_free(struct flagworker *w);

#endif
