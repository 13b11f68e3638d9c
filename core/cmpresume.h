/* cmpresume.h — a comparison's checkpoint, kept in the journal: the body
 * of the compare_progress event a running comparison journals, and the
 * fold that reads the journal back into where a new run resumes.
 *
 * Why the journal and not new's database (where backfill keeps its own):
 * a comparison only reads the stores it checks — it may run with
 * read-only credentials, against a replica, inside READ ONLY snapshots —
 * and the divergences it found are journaled already, so the checkpoint
 * and the divergences live in one place, in one order. A kill -9 between
 * a divergence and the next checkpoint leaves that divergence journaled
 * past the checkpoint: the resumed run finds it again, counts it, and
 * does not report it twice (cmpresume_seen knows every divergence the
 * comparison journaled since it started). */
#ifndef CUTOVER_CMPRESUME_H
#define CUTOVER_CMPRESUME_H

#include "compare.h"
#include "mapping.h"

struct cmpresume {
    char *job;                      /* "compare:TABLE" */
    int have;                       /* a checkpoint to resume from */
    struct cval after[MAP_MAX_KEY]; /* its key (text owned here) */
    size_t n_after;
    char *cursor;                   /* the same, as the event writes it */
    struct compare_result prior;    /* counts up to it */
    char **seen;                    /* keys of the divergences journaled since
                                     * the comparison started: "t" and their
                                     * typed values, or "k" and their text */
    size_t n_seen;
    int sorted;
};

void cmpresume_init(struct cmpresume *s, const char *job);
void cmpresume_free(struct cmpresume *s);

/* Folds one journal event (kind, JSON body): a compare_progress of the
 * job is the newest checkpoint (one with no `after` starts over, as
 * --restart journals); a divergence is remembered; a finished whole
 * comparison (a `compare` of the job, or naming none, not a sample)
 * leaves nothing to resume. */
void cmpresume_apply(struct cmpresume *s, const char *kind, const char *body);

/* 1 when a divergence at this key was journaled since the comparison
 * began: key_values (its typed values as JSON text, cmpresume_key_json),
 * or key (its text) for one journaled without them. */
int cmpresume_seen(struct cmpresume *s, const char *key, const char *key_values);

/* A key's n values as a JSON array of typed values (a cJSON array, the
 * caller's): integers as numbers (beyond 2^53 as {"int": "DIGITS"}), text
 * as strings — the divergence's `key_values` and the checkpoint's `after`. */
void *cmpresume_key_json(const struct cval *v, size_t n);

/* The compare_progress body (a cJSON object, the caller's) for p;
 * rate: rows verified per second in this run. */
void *cmpresume_progress_json(const char *job, const struct compare_progress *p, double rate);

#endif
