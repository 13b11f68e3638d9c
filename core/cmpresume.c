/* cmpresume.c — the comparison's checkpoint in the journal (cmpresume.h):
 * written as compare_progress, read back by folding the journal. */
#include "cmpresume.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

static void forget_key(struct cmpresume *s)
{
    for (size_t i = 0; i < s->n_after; i++)
        if (s->after[i].t == CV_TEXT || s->after[i].t == CV_BLOB)
            free((char *)s->after[i].s);
    s->n_after = 0;
    free(s->cursor);
    s->cursor = NULL;
}

static void forget_seen(struct cmpresume *s)
{
    for (size_t i = 0; i < s->n_seen; i++)
        free(s->seen[i]);
    free(s->seen);
    s->seen = NULL;
    s->n_seen = 0;
}

static void start_over(struct cmpresume *s)
{
    forget_key(s);
    forget_seen(s);
    s->have = 0;
    s->prior = (struct compare_result){0};
}

void cmpresume_init(struct cmpresume *s, const char *job)
{
    *s = (struct cmpresume){.job = strdup(job ? job : "")};
}

void cmpresume_free(struct cmpresume *s)
{
    start_over(s);
    free(s->job);
    *s = (struct cmpresume){0};
}

static int64_t num(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* {"bytes": N, "hex": "00ff"} as the blob of those bytes; -1 unless the
 * hex is whole (N bytes). */
/* The bytes of hex as a value of type t: a blob ({"bytes": N, "hex": …},
 * N checked), or a text that is no UTF-8 ({"text_hex": …}, v NULL). */
static int bytes_value(const cJSON *v, const char *hex, enum canon_type t, struct cval *out)
{
    size_t n = strlen(hex) / 2;
    if (strlen(hex) % 2 || (v && num(v, "bytes") != (int64_t)n))
        return -1;
    char *p = malloc(n + 1);
    if (!p)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(p);
            return -1;
        }
        p[i] = (char)(hi << 4 | lo);
    }
    p[n] = '\0';
    *out = (struct cval){.t = t, .s = p, .n = n};
    return 0;
}

/* A key value from JSON: integral numbers as integers, strings as text,
 * {"int": "DIGITS"} an integer beyond 2^53, {"bytes": N, "hex": "…"} a
 * blob, {"text_hex": "…"} a text that is no UTF-8 (key_json). */
static int key_value(const cJSON *v, struct cval *out)
{
    const char *hex = cJSON_IsObject(v) ? str(v, "hex") : NULL;
    if (hex)
        return bytes_value(v, hex, CV_BLOB, out);
    const char *text_hex = cJSON_IsObject(v) ? str(v, "text_hex") : NULL;
    if (text_hex)
        return bytes_value(NULL, text_hex, CV_TEXT, out);
    const char *big = cJSON_IsObject(v) ? str(v, "int") : NULL;
    if (big) {
        char *end = NULL;
        errno = 0;
        long long i = strtoll(big, &end, 10);
        if (end == big || *end || errno)
            return -1;
        *out = (struct cval){.t = CV_INT, .i = i};
        return 0;
    }
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        *out = d == floor(d) && fabs(d) < 9e15 ? (struct cval){.t = CV_INT, .i = (int64_t)d}
                                               : (struct cval){.t = CV_REAL, .d = d};
        return 0;
    }
    if (cJSON_IsString(v)) {
        char *p = strdup(v->valuestring);
        if (!p)
            return -1;
        *out = (struct cval){.t = CV_TEXT, .s = p, .n = strlen(p)};
        return 0;
    }
    if (cJSON_IsNull(v)) {
        *out = (struct cval){.t = CV_NULL};
        return 0;
    }
    return -1;
}

static void checkpoint(struct cmpresume *s, const cJSON *o)
{
    /* the divergences journaled so far stay known: a run killed after
     * journaling one, and before a checkpoint past it, may be followed by
     * a run whose checkpoints all fall before that key */
    forget_key(s);
    s->have = 0;
    s->prior = (struct compare_result){0};
    const cJSON *after = cJSON_GetObjectItemCaseSensitive(o, "after");
    if (!cJSON_IsArray(after) || cJSON_GetArraySize(after) == 0 ||
        cJSON_GetArraySize(after) > MAP_MAX_KEY)
        return;
    const cJSON *v;
    cJSON_ArrayForEach(v, after) {
        if (key_value(v, &s->after[s->n_after]) != 0) {
            forget_key(s);
            return;
        }
        s->n_after++;
    }
    const char *cur = str(o, "cursor");
    s->cursor = strdup(cur ? cur : "");
    s->have = 1;
    s->prior.rows_old = num(o, "rows");
    s->prior.rows_new = num(o, "rows_new");
    s->prior.ranges = num(o, "ranges");
    s->prior.divergent = num(o, "divergent");
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(o, "by_cause");
    for (int k = 0; k < CAUSE_COUNT; k++)
        s->prior.by_cause[k] = num(by, canon_cause_name((enum canon_cause)k));
}

/* "t" or "k" then text, as the seen keys are kept. */
static char *tagged(char tag, const char *text)
{
    size_t n = strlen(text);
    char *p = malloc(n + 2);
    if (p) {
        p[0] = tag;
        memcpy(p + 1, text, n + 1);
    }
    return p;
}

void cmpresume_apply(struct cmpresume *s, const char *kind, const char *body)
{
    int progress = strcmp(kind, "compare_progress") == 0;
    int finished = strcmp(kind, "compare") == 0;
    int diverged = strcmp(kind, "divergence") == 0;
    if (!progress && !finished && !diverged)
        return;
    cJSON *o = cJSON_Parse(body);
    if (!o)
        return;
    const char *job = str(o, "job");
    if (progress && job && strcmp(job, s->job) == 0) {
        if (!cJSON_GetObjectItemCaseSensitive(o, "after"))
            start_over(s); /* --restart */
        else
            checkpoint(s, o);
    } else if (finished && (!job || strcmp(job, s->job) == 0) &&
               !cJSON_GetObjectItemCaseSensitive(o, "sample")) {
        start_over(s);
    } else if (diverged && str(o, "key") &&
               !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "sample"))) {
        const cJSON *kv = cJSON_GetObjectItemCaseSensitive(o, "key_values");
        char *typed = cJSON_IsArray(kv) ? cJSON_PrintUnformatted(kv) : NULL;
        char **v = realloc(s->seen, (s->n_seen + 1) * sizeof *v);
        if (v) {
            s->seen = v;
            if ((v[s->n_seen] = tagged(typed ? 't' : 'k', typed ? typed : str(o, "key"))))
                s->n_seen++;
            s->sorted = 0;
        }
        free(typed);
    }
    cJSON_Delete(o);
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_seen(struct cmpresume *s, char tag, const char *text)
{
    char *k = text ? tagged(tag, text) : NULL;
    int found = k && bsearch(&k, s->seen, s->n_seen, sizeof *s->seen, by_text) != NULL;
    free(k);
    return found;
}

int cmpresume_seen(struct cmpresume *s, const char *key, const char *key_values)
{
    if (!s->n_seen)
        return 0;
    if (!s->sorted) {
        qsort(s->seen, s->n_seen, sizeof *s->seen, by_text);
        s->sorted = 1;
    }
    return has_seen(s, 't', key_values) || has_seen(s, 'k', key);
}

/* A key value as JSON: an integer beyond 2^53, which a JSON number (a
 * double to most readers, cJSON's included) would round to a multiple of
 * 256 at 2^60, as {"int": "DIGITS"}; a blob as {"bytes": N, "hex": "…"},
 * as a divergence shows a blob value but every byte of it (a key is read
 * back as the checkpoint and matched whole): its raw bytes in a string
 * would stop at a NUL and need not be UTF-8. */
static cJSON *key_json(const struct cval *v)
{
    switch (v->t) {
    case CV_INT:
        if (v->i > (1LL << 53) || v->i < -(1LL << 53)) {
            char t[24];
            snprintf(t, sizeof t, "%lld", (long long)v->i);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "int", t);
            return o;
        }
        return cJSON_CreateNumber((double)v->i);
    case CV_REAL: return cJSON_CreateNumber(v->d);
    case CV_BLOB: {
        struct cbuf h = {0};
        canon_hex(&h, v->s, v->n);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "bytes", (double)v->n);
        cJSON_AddStringToObject(o, "hex", h.p && !h.oom ? h.p : "");
        cbuf_free(&h);
        return o;
    }
    case CV_TEXT: {
        if (canon_utf8_prefix(v->s, v->n) < v->n) {   /* no UTF-8, or a NUL: its bytes */
            struct cbuf h = {0};
            canon_hex(&h, v->s, v->n);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "text_hex", h.p && !h.oom ? h.p : "");
            cbuf_free(&h);
            return o;
        }
        char *p = strndup(v->s, v->n);
        cJSON *j = cJSON_CreateString(p ? p : "");
        free(p);
        return j;
    }
    default: return cJSON_CreateNull();
    }
}

void *cmpresume_key_json(const struct cval *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, key_json(&v[i]));
    return a;
}

void *cmpresume_progress_json(const char *job, const struct compare_progress *p, double rate)
{
    const struct compare_result *r = p->r;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "job", job);
    cJSON_AddNumberToObject(o, "rows", (double)r->rows_old);
    cJSON_AddNumberToObject(o, "total", (double)p->total);
    cJSON_AddNumberToObject(o, "ranges", (double)r->ranges);
    cJSON_AddNumberToObject(o, "divergent", (double)r->divergent);
    cJSON *by = cJSON_AddObjectToObject(o, "by_cause");
    for (int k = 0; k < CAUSE_COUNT; k++)
        if (r->by_cause[k])
            cJSON_AddNumberToObject(by, canon_cause_name((enum canon_cause)k),
                                    (double)r->by_cause[k]);
    if (p->after) {
        struct cbuf cur = {0};
        cJSON *after = cJSON_AddArrayToObject(o, "after");
        for (size_t i = 0; i < p->n_key; i++)
            cJSON_AddItemToArray(after, key_json(&p->after[i]));
        canon_key_text(&cur, p->after, p->n_key);
        cJSON_AddStringToObject(o, "cursor", cur.p && !cur.oom ? cur.p : "");
        cbuf_free(&cur);
    }
    cJSON_AddNumberToObject(o, "rows_new", (double)r->rows_new);
    if (rate >= 0 && isfinite(rate))
        cJSON_AddNumberToObject(o, "rate", rate);
    if (p->done)
        cJSON_AddBoolToObject(o, "done", 1);
    return o;
}
