/* gatehist_prom.h — plugging Prometheus's query_range into the gates'
 * history hook (gatehist.h). */
#ifndef CUTOVER_GATEHIST_PROM_H
#define CUTOVER_GATEHIST_PROM_H

#include "gatehist.h"

/* Sets gatehist_prometheus: call once at start-up, before any worker. */
void gatehist_use_prometheus(void);

#endif
