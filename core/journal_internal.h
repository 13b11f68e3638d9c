/* journal_internal.h — what the journal's front (journal.c) and its writer
 * thread (journal_writer.c) share and nobody else should see: the handle's
 * layout and the writer's queueing calls. */
#ifndef CUTOVER_JOURNAL_INTERNAL_H
#define CUTOVER_JOURNAL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "journal.h"
#include "journal_store.h"

struct journal_writer;

struct journal {
    const struct journal_store_ops *ops;
    struct journal_store *store;
    char *path;
    int in_tx;                 /* inside journal_transact */
    struct journal_writer *writer; /* appends are queued to it when set */
    journal_local_event_fn local_event;   /* told of each queued append */
    journal_local_sample_fn local_sample;
    void *local_ctx;
};

/* The writer's side of the front (journal_writer.c): queue an append. */
int journal_writer_queue_events(struct journal_writer *w,
                                const struct journal_event *evs, size_t n,
                                struct error *err);
int journal_writer_queue_samples(struct journal_writer *w,
                                 const struct journal_sample *s, size_t n,
                                 struct error *err);
int journal_writer_queue_anchor(struct journal_writer *w, int64_t ts_ms,
                                const char *actor, struct error *err);
int journal_writer_queue_tx(struct journal_writer *w, journal_tx_fn fn,
                            void *ctx, journal_done_fn done, struct error *err);

#endif
