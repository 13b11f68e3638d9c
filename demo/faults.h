/* faults.h — the faults the demo can be told to have, set over HTTP
 * (POST /faults) or on the command line (--fault KEY=VALUE), read by the
 * workload on every write and read. One consistent set at a time: a
 * request that names several faults changes all of them or none. */
#ifndef ORDERSIM_FAULTS_H
#define ORDERSIM_FAULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

enum divergence {
    DIV_NONE,
    DIV_HOUR_SHIFT,     /* new gets `created` one whole hour later */
    DIV_NULL_FOR_EMPTY, /* new gets NULL where old has note = '' */
    DIV_DROP_ROW,       /* the row is silently not written to new */
    DIV_N
};

struct faults {
    double new_read_error_rate;     /* 0..1: reads on new that fail */
    double new_latency_factor;      /* > 0: new's modelled latency × this */
    double dual_write_failure_rate; /* 0..1: writes to new that fail */
    enum divergence divergence;
    double divergence_rate;         /* 0..1: share of new writes it alters */
    bool ignore_flag;               /* serve every read from old */
};

/* When a request sets a divergence kind but no rate, and the rate is 0. */
#define FAULTS_DEFAULT_DIVERGENCE_RATE 0.1

/* No faults at all. */
void faults_none(struct faults *f);

/* Sets the baseline (what reset goes back to: the command line's faults)
 * and makes it the current set. Call once, before any thread starts. */
void faults_init(const struct faults *baseline);

/* A copy of the current set. */
void faults_get(struct faults *out);

/* Applies n KEY=VALUE pairs to a copy of the current set and, when every
 * pair is valid, makes it current and logs each change on stderr (who:
 * "http", "command line"). -1 with err naming the bad key or value, and
 * nothing changed. */
int faults_update(size_t n, const char *const keys[], const char *const values[],
                  const char *who, struct error *err);

/* Back to the baseline; logs what changed. */
void faults_reset(const char *who);

/* The set as a JSON object (malloc'd, the caller frees). */
char *faults_json(const struct faults *f);

const char *faults_divergence_name(enum divergence d);

#endif
