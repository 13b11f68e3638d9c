/* journal_writer.h — the journal's one writer thread (after redis's bio.c):
 * the loop queues appends and never waits; the thread owns the write
 * connection, writes in batches, and wakes the loop through a descriptor.
 * What cannot be written (a lock held, a full disk, an I/O error) stays
 * queued in order, in memory and in a spool file beside the journal
 * (JOURNAL.spool, fsync'd, replayed by the next start), and is written with
 * its own times once the journal takes writes again. */
#ifndef CUTOVER_JOURNAL_WRITER_H
#define CUTOVER_JOURNAL_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "journal.h"
#include "journal_consoles.h"

struct journal_writer_config {
    /* Wall time in ms, for backoff, the lease and ages: core reads no clock,
     * so the front end lends one. */
    int64_t (*now_ms)(void);
    /* Renewed every second while the writer runs; NULL: no lease. */
    const struct journal_lease *lease;
    /* This console's heartbeat row, touched every JOURNAL_HEARTBEAT_MS
     * and removed at stop; NULL: none (a script, a bench). */
    const struct journal_console *console;
};

/* What the loop shows: the record is behind when failing or pending. */
struct journal_writer_state {
    int failing;               /* the last write failed */
    int64_t failing_since_ms;
    size_t pending;            /* appends queued, not yet written */
    size_t spooled;            /* of which are safe in the spool file */
    int64_t oldest_ms;         /* the true time of the oldest pending one */
    int64_t written;           /* appends written since start */
    int lease_lost;            /* another console took the lease */
    struct journal_lease holder;
    char error[256];           /* the last failure in words */
    char spool_error[128];     /* the spool could not be written either */
};

/* Starts the writer for j (opened writable): opens its own connection,
 * replays any spool a previous console left beside the journal (queued
 * first, in order), and from now on journal_append & co. on j are queued. */
int journal_writer_start(struct journal *j, const struct journal_writer_config *cfg,
                         struct error *err);

/* The descriptor that becomes readable when something was written or
 * failed; -1 when no writer is attached. */
int journal_writer_fd(struct journal *j);

/* On the loop: drains the wake-up descriptor and calls the done functions
 * of finished journal_transact_async calls. Returns how many. */
int journal_writer_poll(struct journal *j);

void journal_writer_state(struct journal *j, struct journal_writer_state *st);

/* 1 (with the reason in why) when an act that must be on record first
 * cannot be now: the writer is failing. */
int journal_writer_blocked(struct journal *j, char *why, size_t len);

/* Writes what it can within wait_ms, spools the rest (fsync'd), releases
 * the lease, stops the thread and detaches. 0, or -1 when appends were
 * left unwritten (err says how many and where they are). */
int journal_writer_stop(struct journal *j, int wait_ms, struct error *err);

#endif
