/* journal_consoles.h — who is on a console now: each console's heartbeat,
 * one row per console in the journal database's `consoles` table, beside
 * the lease and like it outside the hash chain (it changes in place and is
 * not the record). The writer thread touches its console's row every
 * JOURNAL_HEARTBEAT_MS and deletes it at close; a row not touched for
 * JOURNAL_PRESENT_MS, or whose process on this host is gone, is a console
 * gone (killed with -9, its machine lost). Joining and leaving are on the
 * record as `console_open` / `console_close` events; the heartbeat is not,
 * so an idle console fills no history. */
#ifndef CUTOVER_JOURNAL_CONSOLES_H
#define CUTOVER_JOURNAL_CONSOLES_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct journal;

/* Touched this often; not touched for JOURNAL_PRESENT_MS: gone. A console
 * killed on another machine is seen gone within that plus one look. */
#define JOURNAL_HEARTBEAT_MS 2000
#define JOURNAL_PRESENT_MS 6000
/* Rows of consoles gone this long are removed by the next touch. */
#define JOURNAL_CONSOLE_FORGET_MS 600000

struct journal_console {
    char console[24];    /* this console's id, random per process */
    char name[64], role[32];
    char mode[16];       /* run, join, headless */
    char account[32];    /* the OS account that runs it */
    char host[64];
    long pid;
    int64_t opened_ms, seen_ms;
    int present;         /* journal_consoles: by the rule below, at its now_ms */
};

/* This console's row at now_ms (made when new). 0, or -1 with err. */
int journal_console_touch(struct journal *j, const struct journal_console *me,
                          int64_t now_ms, struct error *err);
/* Deletes this console's row (a console that closes). 0, or -1. */
int journal_console_leave(struct journal *j, const struct journal_console *me,
                          struct error *err);
/* The consoles' rows, oldest first, at most max into out, each marked
 * present at now_ms or not: present is touched within JOURNAL_PRESENT_MS
 * by a process that, when on this host, is alive (a row gone stays until
 * JOURNAL_CONSOLE_FORGET_MS, so a screen can say it went). Returns how
 * many, or -1 with err. A journal no console has touched yet (an older
 * one) has none. */
long journal_consoles(struct journal *j, int64_t now_ms, struct journal_console *out,
                      size_t max, struct error *err);

/* 1 when row c is present at now_ms by the rule above (here: this host). */
int journal_console_present(const struct journal_console *c, const char *here,
                            int64_t now_ms);

#endif
