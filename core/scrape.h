/* scrape.h — what Prometheus's scraper adds to what it reads, so that an
 * expression means the same over a `scrape` source as over a `prometheus`
 * one: the target labels `job` and `instance` on every sample (a scraped
 * label that clashes is kept as `exported_job` / `exported_instance`, the
 * honor_labels: false behaviour) and the series the scraper reports about
 * each scrape (`up`, `scrape_duration_seconds`, `scrape_samples_scraped`,
 * `scrape_samples_post_metric_relabeling`). */
#ifndef CUTOVER_SCRAPE_H
#define CUTOVER_SCRAPE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "expo.h"
#include "series.h"

/* The target labels of one scrape system. job is the system's name (what
 * a Prometheus configuration calls job_name); instance is the URL's
 * host:port, the port made explicit (80 for http, 443 for https) as
 * Prometheus 2.42 writes its __address__. */
struct scrape_target {
    char *job;
    char *instance;
};

/* Fills t from the system's name and its (expanded) URL. Returns 0, or -1
 * with err set when the URL has no host or memory runs out. */
int scrape_target_init(struct scrape_target *t, const char *job, const char *url,
                       struct error *err);
void scrape_target_free(struct scrape_target *t);

/* How one scrape went: the report series' values. */
struct scrape_report {
    int up;                 /* 1: fetched and parsed; 0: it failed */
    double duration_s;      /* from the request's start to the parse's end */
};

/* Builds in *out the samples Prometheus would append for one scrape: every
 * sample of in (NULL or empty for a failed scrape) with the target labels,
 * then the report series, which carry only the target labels. With keep,
 * the samples of names that store would not keep are left out (a big
 * exposition of which a runbook reads a few metrics costs little); the
 * report still counts them. NULL keeps all. out borrows
 * in's strings: free it (scrape_labelled_free) before in. Samples keep
 * their own timestamps; the report series have none (they are stamped
 * with the scrape's time, as every sample without one). Returns 0, or -1
 * with err set when memory runs out. */
int scrape_label(const struct expo *in, const struct scrape_target *t,
                 const struct scrape_report *r, const struct series_store *keep,
                 struct expo *out, struct error *err);
void scrape_labelled_free(struct expo *out);

#endif
