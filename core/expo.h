/* expo.h — the Prometheus text exposition format (version 0.0.4), parsed
 * into samples. It accepts what Prometheus 2.42's own scraper accepts and
 * rejects what it rejects (model/textparse/promparser.go is the reference),
 * so that a `scrape` signal source sees the same numbers Prometheus would. */
#ifndef CUTOVER_EXPO_H
#define CUTOVER_EXPO_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum expo_type {
    EXPO_UNTYPED,
    EXPO_COUNTER,
    EXPO_GAUGE,
    EXPO_HISTOGRAM,
    EXPO_SUMMARY,
    EXPO_GAUGE_HISTOGRAM,
};

struct expo_label {
    const char *name;
    const char *value; /* unescaped */
};

struct expo_sample {
    const char *name;           /* e.g. "read_seconds_bucket" */
    const struct expo_label *labels; /* in the order written */
    size_t n_labels;
    double value;               /* may be NaN or ±Inf, as written */
    int has_timestamp;
    int64_t timestamp_ms;
    enum expo_type type;        /* from # TYPE of its family, else untyped */
};

/* A parsed exposition; every string lives in its own arena. */
struct expo {
    struct expo_sample *samples;
    size_t n_samples;
    void *arena;                /* private */
    size_t n_read;              /* sample lines read, repeated series included
                                 * (what Prometheus counts as scraped) */
};

/* Parses len bytes of exposition text. On a syntax error returns -1 with
 * err naming the line and what was wrong ("line 12: expected a value after
 * the labels"); nothing partial is returned then, as Prometheus drops a
 * scrape that fails to parse. */
int expo_parse(const char *text, size_t len, struct expo *out, struct error *err);
void expo_free(struct expo *e);

/* The value of label `name` of a sample, or NULL. */
const char *expo_label(const struct expo_sample *s, const char *name);

#endif
