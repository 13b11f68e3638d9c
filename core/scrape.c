/* scrape.c — the target labels and report series of Prometheus 2.42's
 * scraper (scrape/scrape.go: mutateSampleLabels with honor_labels false,
 * resolveConflictingExposedLabels, mutateReportSampleLabels, report), laid
 * over a parsed exposition before it reaches the series store. Checked
 * against the real Prometheus by tests/integration/test_scrape_semantics.sh. */
#include "scrape.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORTED_PREFIX "exported_"
#define N_REPORT 4

/* What an out expo owns besides its samples array. */
struct labelled {
    struct expo_label *labels;
    char **names;               /* exported_… names made for clashes */
    size_t n_names, cap_names;
};

int scrape_target_init(struct scrape_target *t, const char *job, const char *url,
                       struct error *err)
{
    memset(t, 0, sizeof *t);
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL;
    int rc = -1;
    if (!u) {
        error_set(err, "out of memory");
        return -1;
    }
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host || !host[0]) {
        error_set(err, "the scrape URL has no host, so it has no `instance` label");
        goto out;
    }
    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    size_t len = strlen(host) + (port ? strlen(port) : 0) + 2;
    t->job = strdup(job);
    t->instance = malloc(len);
    if (!t->job || !t->instance) {
        error_set(err, "out of memory");
        scrape_target_free(t);
        goto out;
    }
    snprintf(t->instance, len, "%s%s%s", host, port ? ":" : "", port ? port : "");
    rc = 0;
out:
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

void scrape_target_free(struct scrape_target *t)
{
    free(t->job);
    free(t->instance);
    t->job = t->instance = NULL;
}

/* --- one sample's labels ----------------------------------------------------------- */

static const struct expo_label *find(const struct expo_label *l, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(l[i].name, name) == 0)
            return &l[i];
    return NULL;
}

/* The name a clashing label is kept under: "exported_" prefixed until the
 * name is taken by nothing else (scraped labels, target labels, clashes
 * already renamed). NULL when out of memory. */
static const char *exported_name(struct labelled *a, const char *name,
                                 const struct expo_sample *smp, const struct expo_label *renamed,
                                 size_t n_renamed)
{
    size_t len = strlen(name);
    char *cand = malloc(len + 1);
    if (!cand)
        return NULL;
    memcpy(cand, name, len + 1);
    for (;;) {
        size_t plen = strlen(EXPORTED_PREFIX);
        char *longer = malloc(len + plen + 1);
        if (!longer) {
            free(cand);
            return NULL;
        }
        memcpy(longer, EXPORTED_PREFIX, plen);
        memcpy(longer + plen, cand, len + 1);
        free(cand);
        cand = longer;
        len += plen;
        if (!find(smp->labels, smp->n_labels, cand) && strcmp(cand, "job") != 0 &&
            strcmp(cand, "instance") != 0 && !find(renamed, n_renamed, cand))
            break;
    }
    if (a->n_names == a->cap_names) {
        size_t ncap = a->cap_names ? a->cap_names * 2 : 8;
        char **p = realloc(a->names, ncap * sizeof *p);
        if (!p) {
            free(cand);
            return NULL;
        }
        a->names = p;
        a->cap_names = ncap;
    }
    a->names[a->n_names++] = cand;
    return cand;
}

/* Writes smp's labels with the target's into out (room for n_labels + 4);
 * returns how many, or -1 when out of memory. */
static long label_one(struct labelled *a, const struct expo_sample *smp,
                      const struct scrape_target *t, struct expo_label *out)
{
    /* Prometheus visits the target labels in name order and then renames
     * the clashes shortest name first: job before instance. */
    const char *tnames[2] = {"job", "instance"};
    const char *tvalues[2] = {t->job, t->instance};
    const struct expo_label *clash[2] = {NULL, NULL};
    size_t n = 0;
    for (int k = 0; k < 2; k++) {
        const struct expo_label *l = find(smp->labels, smp->n_labels, tnames[k]);
        if (l && l->value && l->value[0])
            clash[k] = l;
    }
    /* every scraped label but those of the target's names: the target's
     * replace them all, the first value of each is what is exported */
    for (size_t i = 0; i < smp->n_labels; i++)
        if (strcmp(smp->labels[i].name, "job") != 0 && strcmp(smp->labels[i].name, "instance") != 0)
            out[n++] = smp->labels[i];
    size_t before = n;
    for (int k = 0; k < 2; k++) {
        if (!clash[k])
            continue;
        const char *name = exported_name(a, tnames[k], smp, out + before, n - before);
        if (!name)
            return -1;
        out[n++] = (struct expo_label){name, clash[k]->value};
    }
    for (int k = 0; k < 2; k++)
        out[n++] = (struct expo_label){tnames[k], tvalues[k]};
    return (long)n;
}

/* --- one scrape --------------------------------------------------------------------- */

static int kept(const struct series_store *keep, const struct expo_sample *smp)
{
    return !keep || (smp->name && series_store_wanted(keep, smp->name));
}

int scrape_label(const struct expo *in, const struct scrape_target *t,
                 const struct scrape_report *r, const struct series_store *keep,
                 struct expo *out, struct error *err)
{
    static const struct expo empty;
    if (!in)
        in = &empty;
    memset(out, 0, sizeof *out);
    size_t n_labels = 2 * N_REPORT;
    for (size_t i = 0; i < in->n_samples; i++)
        if (kept(keep, &in->samples[i]))
            n_labels += in->samples[i].n_labels + 4;
    struct labelled *a = calloc(1, sizeof *a);
    out->samples = calloc(in->n_samples + N_REPORT, sizeof *out->samples);
    if (a)
        a->labels = calloc(n_labels, sizeof *a->labels);
    out->arena = a;
    if (!a || !out->samples || !a->labels)
        goto oom;
    struct expo_label *next = a->labels;
    for (size_t i = 0; i < in->n_samples; i++) {
        if (!kept(keep, &in->samples[i]))
            continue;
        struct expo_sample *o = &out->samples[out->n_samples++];
        *o = in->samples[i];
        long k = label_one(a, &in->samples[i], t, next);
        if (k < 0)
            goto oom;
        o->labels = next;
        o->n_labels = (size_t)k;
        next += k;
    }
    /* the report, as scrapeLoop.report appends it; samples_scraped counts
     * every sample line read, a repeated series too (0 when the scrape
     * failed: nothing partial is kept) */
    size_t scraped = !r->up ? 0 : in->n_read > in->n_samples ? in->n_read : in->n_samples;
    const struct {
        const char *name;
        double value;
    } report[N_REPORT] = {
        {"up", r->up ? 1 : 0},
        {"scrape_duration_seconds", r->duration_s},
        {"scrape_samples_scraped", (double)scraped},
        {"scrape_samples_post_metric_relabeling", (double)scraped},
    };
    for (size_t i = 0; i < N_REPORT; i++) {
        struct expo_sample *o = &out->samples[out->n_samples++];
        next[0] = (struct expo_label){"job", t->job};
        next[1] = (struct expo_label){"instance", t->instance};
        *o = (struct expo_sample){.name = report[i].name, .labels = next, .n_labels = 2,
                                  .value = report[i].value, .type = EXPO_GAUGE};
        next += 2;
    }
    return 0;
oom:
    scrape_labelled_free(out);
    error_set(err, "out of memory while labelling a scrape");
    return -1;
}

void scrape_labelled_free(struct expo *out)
{
    struct labelled *a = out->arena;
    if (a) {
        for (size_t i = 0; i < a->n_names; i++)
            free(a->names[i]);
        free(a->names);
        free(a->labels);
        free(a);
    }
    free(out->samples);
    memset(out, 0, sizeof *out);
}
