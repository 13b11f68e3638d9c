/* faultmenu.h — the demo's fault menu: one key sends the demo service a
 * fault (new-read errors, latency, dual-write failures, divergence, a flag
 * that is not obeyed) so a person can watch the cockpit react. Only in
 * `cutover demo` (CUTOVER_DEMO_PORT is set). */
#ifndef CUTOVER_FAULTMENU_H
#define CUTOVER_FAULTMENU_H

#include <stddef.h>

/* The prompt's label, or NULL outside the demo. */
const char *faultmenu_label(void);

/* Sends the fault chosen by `choice` ("1".."5", "0" resets) on a worker
 * thread; msg says what was sent. Returns -1 for an unknown choice. */
int faultmenu_send(const char *choice, char *msg, size_t len);

#endif
