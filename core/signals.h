/* signals.h — polling the runbook's signals, without ever blocking.
 *
 * Sources: `prometheus` (an instant query to the metrics system's API),
 * `scrape` (the cockpit reads a text exposition itself and evaluates the
 * expression over what it kept), and `sql` (a query on a store, on a
 * worker thread — see sqlsource.h). HTTP sources are easy handles on the
 * caller's curl multi handle; the caller's loop waits, then hands finished
 * transfers back here. Each outcome becomes a sample for the journal:
 * the journal, not this module, is what panels and criteria read. */
#ifndef CUTOVER_SIGNALS_H
#define CUTOVER_SIGNALS_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "runbook.h"

/* The longest the loop sleeps between looks at the signals. */
#define SIGNAL_INTERVAL_MS 1000
/* A poll that takes longer than this is an error ("timed out"): well
 * inside the three intervals after which a sample counts as stale. */
#define SIGNAL_POLL_TIMEOUT_MS 2000

enum signal_source { SRC_PROMETHEUS, SRC_SCRAPE, SRC_SQL };

/* One outcome, ready to journal. status: "ok", "no data: …", "error: …". */
struct signal_outcome {
    const char *signal;
    int64_t at_ms;
    int has_value;
    double value;
    int64_t latency_ms;
    char status[256];
};

struct signals;

/* Prepares every signal of rb: finds its source system, expands ${ENV} in
 * URLs, parses scrape expressions. A signal that cannot be prepared does
 * not stop the others: it reports its error as an outcome every interval.
 * Fails only when out of memory. */
struct signals *signals_new(const struct runbook *rb, CURLM *multi, struct error *err);
void signals_free(struct signals *s);

/* Starts every poll that is due at now_ms (one in flight per signal, one
 * scrape per scrape system). */
void signals_start_due(struct signals *s, int64_t now_ms);

/* Milliseconds until the next poll is due (for the loop's timeout). */
int64_t signals_wait_ms(const struct signals *s, int64_t now_ms);

struct http_request;

/* The loop found transfer r done with rc (curl_multi_info_read). When it
 * is one of ours (*mine = 1) its outcomes go to out[] (at most max; a
 * scrape gives one per signal of its system). Returns how many. */
size_t signals_on_done(struct signals *s, struct http_request *r, CURLcode rc,
                       int64_t now_ms, struct signal_outcome *out, size_t max,
                       int *mine);

/* Outcomes that did not come straight through curl: scrapes parsed and
 * evaluated off the loop, SQL queries finished on the workers, and the
 * errors of signals that cannot be polled at all (a missing ${ENV}
 * variable, a system that cannot answer). */
size_t signals_collect_local(struct signals *s, int64_t now_ms, struct signal_outcome *out,
                             size_t max);

/* The wake-up descriptor of the background work (scrapes, SQL): the loop
 * waits on it too. */
int signals_wake_fd(const struct signals *s);

/* The instant-query URL of a prometheus source: base (${ENV} expanded) +
 * "/api/v1/query?query=" + the escaped expression. Caller frees; NULL
 * with err set. */
char *signals_query_url(const char *base, const char *expr, struct error *err);

/* 1 when an answer stamped ts_ms (INT64_MIN: no stamp) may count at
 * now_ms for a signal polled every interval_ms; else 0 with err saying
 * why it is no data (stale after three intervals, or from the future). */
int signals_check_stamp(int64_t ts_ms, int64_t now_ms, int64_t interval_ms, struct error *err);

size_t signals_count(const struct signals *s);
const char *signals_source_name(enum signal_source src);
enum signal_source signals_source_of(const struct signals *s, size_t i);

#endif
