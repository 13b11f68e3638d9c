/* metrics.h — ordersim's counters, gauges and histograms, and their
 * Prometheus text exposition (format 0.0.4). The names are the playbook's
 * (migration_dual_write_total, ...) so the cockpit's demo runbook and a
 * real service's dashboards read the same series. Counters start at 0 in
 * every process: a restart is a counter reset, as Prometheus expects. */
#ifndef ORDERSIM_METRICS_H
#define ORDERSIM_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "sim.h"

/* Why a write to new failed: the `reason` label. */
enum write_failure { FAIL_INJECTED, FAIL_BUSY, FAIL_CONSTRAINT, FAIL_CONNECTION, FAIL_ERROR,
                     FAIL_N };

enum shadow_result { SHADOW_MATCH, SHADOW_DIVERGED, SHADOW_ERROR, SHADOW_N };

/* The writer paths that write to old: the `writer` label. */
enum writer_path { PATH_API, PATH_BATCH, PATH_N };

void metrics_init(void);

void metrics_dual_write(void);                     /* one write to new tried */
void metrics_dual_write_failure(enum write_failure why);
void metrics_dual_write_lag(double seconds);       /* old commit to new commit */
void metrics_written(enum writer_path path);        /* one order written to old */

/* A read served to the caller from b (error: the caller got one). */
void metrics_read(enum backend b, bool error);
/* How long a read on b took, served or shadow, errors included. */
void metrics_read_seconds(enum backend b, double seconds);
void metrics_shadow(enum shadow_result r);

/* What the flag says: the share of keys it sends to new, and whether the
 * file was there and made sense (when not, ratio is 0). */
void metrics_flag(double ratio, bool valid);

/* The whole exposition, malloc'd (the caller frees); *len its length. */
char *metrics_render(size_t *len);

#endif
