/* canonjson.c — JSON in canonical form for canon.c: members in key order
 * at every depth, no spacing, numbers as cJSON prints them. Most stored
 * JSON is already so (one writer, one serialiser), and parsing every row's
 * document would cost a compare more than its scan: a scan without
 * allocation recognises canonical text and keeps it as it is. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "canon.h"

struct scan {
    const char *p, *end;
};

static int scan_value(struct scan *s, int depth);

/* A string with no escape and no control byte (cJSON prints those
 * differently); its text is [*k, *k + *kn). */
static int scan_string(struct scan *s, const char **k, size_t *kn)
{
    if (s->p >= s->end || *s->p != '"')
        return 0;
    const char *start = ++s->p;
    while (s->p < s->end && *s->p != '"') {
        if (*s->p == '\\' || (unsigned char)*s->p < 0x20)
            return 0;
        s->p++;
    }
    if (s->p >= s->end)
        return 0;
    *k = start;
    *kn = (size_t)(s->p++ - start);
    return 1;
}

/* An integer of at most 9 digits, which cJSON prints as written. */
static int scan_number(struct scan *s)
{
    const char *start = s->p;
    if (s->p < s->end && *s->p == '-')
        s->p++;
    const char *d = s->p;
    while (s->p < s->end && isdigit((unsigned char)*s->p))
        s->p++;
    size_t nd = (size_t)(s->p - d);
    if (nd == 0 || nd > 9 || (nd > 1 && *d == '0') || (nd == 1 && *d == '0' && *start == '-'))
        return 0;
    return s->p >= s->end || !(*s->p == '.' || *s->p == 'e' || *s->p == 'E');
}

static int scan_word(struct scan *s, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
        return 0;
    s->p += n;
    return 1;
}

static int scan_members(struct scan *s, int depth, int object)
{
    const char *prev = NULL;
    size_t prevn = 0;
    s->p++;
    if (s->p < s->end && *s->p == (object ? '}' : ']'))
        return s->p++, 1;
    for (;;) {
        if (object) {
            const char *k;
            size_t kn;
            if (!scan_string(s, &k, &kn) || s->p >= s->end || *s->p++ != ':')
                return 0;
            if (prev) {
                int c = memcmp(prev, k, prevn < kn ? prevn : kn);
                if (c > 0 || (c == 0 && prevn >= kn))
                    return 0; /* out of order, or a key twice */
            }
            prev = k, prevn = kn;
        }
        if (!scan_value(s, depth + 1) || s->p >= s->end)
            return 0;
        if (*s->p == (object ? '}' : ']'))
            return s->p++, 1;
        if (*s->p++ != ',')
            return 0;
    }
}

static int scan_value(struct scan *s, int depth)
{
    if (s->p >= s->end || depth > 64)
        return 0;
    const char *k;
    size_t kn;
    switch (*s->p) {
    case '{': return scan_members(s, depth, 1);
    case '[': return scan_members(s, depth, 0);
    case '"': return scan_string(s, &k, &kn);
    case 't': return scan_word(s, "true");
    case 'f': return scan_word(s, "false");
    case 'n': return scan_word(s, "null");
    default: return scan_number(s);
    }
}

/* 1 when s is already what the slow path below would print. */
static int is_canonical(const char *s, size_t n)
{
    struct scan sc = {s, s + n};
    return n && (*s == '{' || *s == '[') && scan_value(&sc, 0) && sc.p == sc.end;
}

/* Puts the object's members in key order, at every depth. */
static int key_order(const void *a, const void *b)
{
    const cJSON *x = *(cJSON *const *)a, *y = *(cJSON *const *)b;
    return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

static int json_sort(cJSON *j)
{
    size_t n = 0;
    for (cJSON *c = j->child; c; c = c->next, n++)
        if (json_sort(c) != 0)
            return -1;
    if (!cJSON_IsObject(j) || n < 2)
        return 0;
    cJSON **v = malloc(n * sizeof *v);
    if (!v)
        return -1;
    size_t i = 0;
    for (cJSON *c = j->child; c; c = c->next)
        v[i++] = c;
    qsort(v, n, sizeof *v, key_order);
    for (i = 0; i < n; i++) {
        v[i]->prev = i ? v[i - 1] : v[n - 1]; /* cJSON: the head's prev is the tail */
        v[i]->next = i + 1 < n ? v[i + 1] : NULL;
    }
    j->child = v[0];
    free(v);
    return 0;
}

/* JSON text ("{…}" or "[…]") in canonical form; 0 when it was JSON. */
static void put_str(struct cbuf *b, const char *s) { cbuf_put(b, s, strlen(s)); }

int canon_json(struct cbuf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i == n || (s[i] != '{' && s[i] != '['))
        return -1;
    if (i == 0 && is_canonical(s, n)) {
        cbuf_put(b, "j", 1);
        cbuf_put(b, s, n);
        return 0;
    }
    cJSON *j = cJSON_ParseWithLength(s, n);
    if (!j)
        return -1;
    char *t = json_sort(j) == 0 ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    if (!t)
        return -1;
    cbuf_put(b, "j", 1);
    put_str(b, t);
    free(t);
    return 0;
}

