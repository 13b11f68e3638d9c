/* faultmenu.h — the demo's fault menu: one key sends the demo service a
 * fault (new-read errors, latency, dual-write failures, divergence, a flag
 * that is not obeyed), or plants a divergence in new.db for the compare
 * step to find, so a person can watch the cockpit react. Only in
 * `cutover demo` (CUTOVER_DEMO_PORT is set). */
#ifndef CUTOVER_FAULTMENU_H
#define CUTOVER_FAULTMENU_H

#include <stddef.h>
#include <stdint.h>

/* The prompt's label, or NULL outside the demo. */
const char *faultmenu_label(void);
/* The menu's lines, shown while the prompt is open; returns how many. */
size_t faultmenu_choices(const char *const **lines);

struct ceremony;

/* Sends the fault chosen by `choice` ("1".."5", "0" resets) on a worker
 * thread and journals it (a demo_fault event at now_ms: a replay shows why
 * the signals moved); msg says what was sent. Returns -1 for an unknown
 * choice; a fault sent but not journaled says so in msg and returns -1. */
int faultmenu_send(struct ceremony *c, const char *choice, int64_t now_ms, char *msg,
                   size_t len);

/* Keys 6–9 plant a divergence in the demo's new.db on a thread; once it is
 * planted (or could not be), this journals it (demo_fault) and says so in
 * msg: 1 then (alert when nothing was planted), 0 while nothing is new.
 * Called from the loop's tick. */
int faultmenu_poll(struct ceremony *c, int64_t now_ms, char *msg, size_t len, int *alert);

#endif
