/* footer.h — the keys the bottom bar offers: the ones that matter in the
 * console's state now (a resume only after an abort or a halt, take over
 * only when no engine drives, approve and override only on a step the
 * viewer may act on), around the always-useful ones. */
#ifndef CUTOVER_FOOTER_H
#define CUTOVER_FOOTER_H

#include <stddef.h>

struct footer_state {
    int advance;      /* the driving commander may move the ramp on: + */
    int abort;        /* traffic may be on new and this role may abort (Abort:): ! */
    int resume;       /* the ramp aborted or halted and the driving commander resumes it: r */
    int no_engine;    /* NO ENGINE shows and the viewer may take over: T */
    int approve;      /* the selected step is irreversible and the commander's to approve: v */
    int override;     /* o means something on the selected step for this viewer */
    int demo;         /* the demo's fault menu: F */
};

/* The footer's text ("↑↓ move  a ack  …  ? help  q quit") into buf. */
void footer_keys(const struct footer_state *f, char *buf, size_t len);

#endif
