/* cmd_compare.c — `cutover compare RUNBOOK [--journal F] [--format json]`:
 * compares old and new through the mapping, prints each divergent row
 * (text, or one JSON object per line then a summary object) and journals
 * each with its cause. Exit 3 when anything diverged, 0 when nothing did. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "core/compare.h"
#include "datacmd.h"

static cJSON *json_of(const struct cval *v)
{
    switch (v->t) {
    case CV_NULL:
        return cJSON_CreateNull();
    case CV_INT:
        if (v->i > (1LL << 53) || v->i < -(1LL << 53)) {
            char t[24];
            snprintf(t, sizeof t, "%lld", (long long)v->i);
            return cJSON_CreateString(t);
        }
        return cJSON_CreateNumber((double)v->i);
    case CV_REAL:
        return cJSON_CreateNumber(v->d);
    case CV_TEXT: {
        char *s = strndup(v->s, v->n);
        cJSON *j = cJSON_CreateString(s ? s : "");
        free(s);
        return j;
    }
    case CV_BLOB:
        break;
    }
    char t[48];
    snprintf(t, sizeof t, "<blob of %zu bytes>", v->n);
    return cJSON_CreateString(t);
}

static cJSON *divergence_json(const struct divergence *d)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "key", d->key);
    cJSON_AddStringToObject(o, "cause", canon_cause_name(d->cause));
    cJSON *cols = cJSON_AddArrayToObject(o, "columns");
    cJSON *ov = d->old ? cJSON_AddObjectToObject(o, "old") : NULL;
    cJSON *nv = d->new_ ? cJSON_AddObjectToObject(o, "new") : NULL;
    for (size_t i = 0; i < d->n; i++) {
        cJSON_AddItemToArray(cols, cJSON_CreateString(d->columns[i]));
        if (ov)
            cJSON_AddItemToObject(ov, d->columns[i], json_of(&d->old[i]));
        if (nv)
            cJSON_AddItemToObject(nv, d->columns[i], json_of(&d->new_[i]));
    }
    return o;
}

static void print_text(const struct divergence *d)
{
    printf("key %s: %s", d->key, canon_cause_name(d->cause));
    for (size_t i = 0; d->old && d->new_ && i < d->n; i++) {
        cJSON *a = json_of(&d->old[i]), *b = json_of(&d->new_[i]);
        char *x = cJSON_PrintUnformatted(a), *y = cJSON_PrintUnformatted(b);
        printf("%s %s: %s → %s", i ? ";" : "", d->columns[i], x ? x : "?", y ? y : "?");
        free(x);
        free(y);
        cJSON_Delete(a);
        cJSON_Delete(b);
    }
    printf("\n");
}

static int on_divergence(const struct divergence *d, void *ctx, struct error *err)
{
    struct datacmd *c = ctx;
    cJSON *o = divergence_json(d);
    if (c->json) {
        char *s = cJSON_PrintUnformatted(o);
        printf("%s\n", s ? s : "{}");
        free(s);
    } else {
        print_text(d);
    }
    if (datacmd_journal(c, EVK_DIVERGENCE, o) != 0) {
        error_set(err, "the journal cannot be written");
        return -1;
    }
    return 0;
}

static cJSON *summary_json(const struct compare_result *r)
{
    cJSON *o = cJSON_CreateObject(), *by = NULL;
    cJSON_AddNumberToObject(o, "rows_old", (double)r->rows_old);
    cJSON_AddNumberToObject(o, "rows_new", (double)r->rows_new);
    cJSON_AddNumberToObject(o, "divergent", (double)r->divergent);
    by = cJSON_AddObjectToObject(o, "by_cause");
    for (int k = 0; k < CAUSE_COUNT; k++)
        if (r->by_cause[k])
            cJSON_AddNumberToObject(by, canon_cause_name((enum canon_cause)k), (double)r->by_cause[k]);
    return o;
}

int cmd_compare(int argc, char **argv)
{
    struct datacmd c;
    int status = datacmd_open(&c, "compare", argc, argv);
    if (status != 0) {
        datacmd_close(&c);
        return status;
    }
    struct compare_result r;
    struct error err = {{0}};
    if (compare_run(&c.job, on_divergence, &c, &r, &err) != 0) {
        fprintf(stderr, "cutover compare: %s\n", err.msg);
        datacmd_close(&c);
        return EXIT_FAILED;
    }
    cJSON *sum = summary_json(&r);
    if (c.json) {
        cJSON *w = cJSON_CreateObject();
        cJSON_AddItemToObject(w, "summary", cJSON_Duplicate(sum, 1));
        char *s = cJSON_PrintUnformatted(w);
        printf("%s\n", s ? s : "{}");
        free(s);
        cJSON_Delete(w);
    } else {
        printf("compare: %lld rows in old, %lld in new, %lld divergent (%lld ranges checked, "
               "%lld rows fetched)\n",
               (long long)r.rows_old, (long long)r.rows_new, (long long)r.divergent,
               (long long)r.ranges, (long long)r.fetched);
    }
    cJSON_AddBoolToObject(sum, "diverged", r.divergent > 0);
    status = datacmd_journal(&c, EVK_COMPARE, sum) != 0 ? EXIT_FAILED
             : r.divergent                                ? EXIT_ABORTED
                                                          : EXIT_OK;
    datacmd_close(&c);
    return status;
}
