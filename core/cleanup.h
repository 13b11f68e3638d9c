/* cleanup.h — the cleanup list of phase 5, each item verified where the
 * cockpit can see it: the old table no longer writable by the
 * application's roles, then gone; the old names absent from the code; the
 * flag archived or fixed at 100 %; no capture trigger left; no writer of
 * the old table seen since the cutover. Each item is OK, NOT YET (why) or
 * UNVERIFIED (why it cannot be seen): nothing is reported done that was
 * not seen. Blocking (databases, the flag service): for `cutover cleanup`,
 * never the screen's thread. */
#ifndef CUTOVER_CLEANUP_H
#define CUTOVER_CLEANUP_H

#include <stddef.h>
#include <stdint.h>

#include "cleanupdue.h"
#include "error.h"
#include "runbook.h"

enum cleanup_state { CLEANUP_OK, CLEANUP_NOT_YET, CLEANUP_UNVERIFIED };

enum cleanup_item_id {
    CLEANUP_TABLE,     /* the old table: not writable by the application, then gone */
    CLEANUP_CODE,      /* the old names absent from the code */
    CLEANUP_FLAG,      /* the flag archived or fixed at 100 % */
    CLEANUP_CAPTURE,   /* no capture trigger left (PostgreSQL) */
    CLEANUP_WRITERS,   /* no writer of the old table seen since the cutover */
    CLEANUP_N_ITEMS
};

struct cleanup_item {
    const char *name;  /* "table", "code", "flag", "capture", "writers": stable ids */
    const char *title; /* the item in words */
    enum cleanup_state state;
    char why[700];     /* what was seen, or why it cannot be */
};

struct cleanup_result {
    struct cleanup_item items[CLEANUP_N_ITEMS];
    int table_gone;            /* the old table (or its file) no longer exists */
    long long write_calls;     /* write statements pg_stat_statements counted; -1 unknown */
    char write_roles[300];     /* the same per role, "checkout=3,importer=5" */
    int64_t stats_reset_ms;    /* when those statistics began; 0 unknown */
};

struct cleanup_request {
    const struct runbook *rb;         /* its `old` and `flag` systems, `## Writers` */
    const char *code_dir;             /* --code DIR; NULL: not searched */
    int64_t cutover_ms;               /* the ramp reached its last step; 0 unknown */
    const struct cleanup_view *prev;  /* the journal's last check (its write count), or NULL */
};

/* Looks at every item. 0 (each item judged, whatever its state), or -1
 * with err only when the runbook names no old table. */
int cleanup_run(const struct cleanup_request *q, struct cleanup_result *out,
                struct error *err);

/* "OK", "NOT YET", "UNVERIFIED" — and for the journal "ok", "not yet", "unverified". */
const char *cleanup_state_name(enum cleanup_state s);
const char *cleanup_state_id(enum cleanup_state s);

/* 1 when every item is OK. */
int cleanup_all_ok(const struct cleanup_result *r);

#endif
