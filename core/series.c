/* series.c — the scrape source's sample store, shaped after what
 * Prometheus 2.42's scraper and TSDB head do with the same samples, so that
 * core/promql_eval.c sees exactly what Prometheus would see:
 *
 *   scrape/scrape.go  scrapeLoop.append: a sample without its own timestamp
 *                     gets the scrape's time; series of the previous scrape
 *                     missing from this one get a staleness marker
 *                     (value.StaleNaN) at this scrape's time; samples with
 *                     explicit timestamps are not tracked for staleness
 *                     (trackStaleness only when tp == nil); a failed scrape
 *                     appends nothing, so every series goes stale.
 *   tsdb/head_append.go  a sample at or before the series' last one is
 *                     refused (ErrOutOfOrderSample / duplicate timestamp).
 *   model/value       StaleNaN is the NaN with bits 0x7ff0000000000002;
 *                     every other NaN is stored as Go's math.NaN().
 *   model/labels      series are ordered by labels.Compare (name, then
 *                     value, label by label), the order selectors return;
 *                     a label with an empty value is no label.
 *
 * Retention and a per-series point cap bound memory; a series whose points
 * have all aged out is forgotten. Points live in one array per series
 * (oldest first, compacted when its head is consumed) so a range is one
 * contiguous slice. */
#include "series.h"

#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define STALE_NAN_BITS UINT64_C(0x7ff0000000000002)
#define NORMAL_NAN_BITS UINT64_C(0x7ff8000000000001)

struct series {
    char *key;                  /* name\0value\0... sorted; labels point into it */
    size_t key_len;
    struct series_label *labels;
    size_t n_labels;
    struct series_point *pts;
    size_t start, len, cap;     /* live points are pts[start .. start+len) */
    uint64_t seen_seq;          /* the scrape that last had this series */
    int tracks_staleness;       /* its last sample had no explicit timestamp */
};

struct series_store {
    int64_t retention_ms;
    size_t max_points;
    struct series **all;        /* sorted by key (labels.Compare order) */
    size_t n, cap;
    char **want;                /* metric names to keep; n_want == 0: all */
    size_t n_want;
    int keep_all;               /* series_store_want(NULL) was called */
    uint64_t seq;
    size_t bytes;
    char *scratch;              /* key of the sample being looked up */
    size_t scratch_cap;
};

/* --- memory accounting ---------------------------------------------------- */

static void *st_alloc(struct series_store *st, size_t n)
{
    void *p = malloc(n);
    if (p)
        st->bytes += n;
    return p;
}

static void *st_realloc(struct series_store *st, void *p, size_t old_n, size_t new_n)
{
    void *q = realloc(p, new_n);
    if (q)
        st->bytes = st->bytes - old_n + new_n;
    return q;
}

static void st_release(struct series_store *st, void *p, size_t n)
{
    if (p)
        st->bytes -= n;
    free(p);
}

/* --- values ------------------------------------------------------------- */

static uint64_t bits_of(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static double double_of(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

int series_point_is_stale(const struct series_point *p)
{
    return bits_of(p->value) == STALE_NAN_BITS;
}

/* --- store lifetime ------------------------------------------------------- */

struct series_store *series_store_new(int64_t retention_ms, size_t max_points_per_series)
{
    struct series_store *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->bytes = sizeof *st;
    st->retention_ms = retention_ms > 0 ? retention_ms : 0;
    st->max_points = max_points_per_series > 1 ? max_points_per_series : 2;
    return st;
}

static void series_destroy(struct series_store *st, struct series *s)
{
    st_release(st, s->pts, s->cap * sizeof *s->pts);
    st_release(st, s->labels, s->n_labels * sizeof *s->labels);
    st_release(st, s->key, s->key_len);
    st_release(st, s, sizeof *s);
}

void series_store_free(struct series_store *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->n; i++)
        series_destroy(st, st->all[i]);
    for (size_t i = 0; i < st->n_want; i++)
        free(st->want[i]);
    free(st->want);
    free(st->all);
    free(st->scratch);
    free(st);
}

size_t series_store_memory(const struct series_store *st)
{
    return st ? st->bytes + st->scratch_cap : 0;
}

size_t series_store_count(const struct series_store *st)
{
    return st ? st->n : 0;
}

int series_store_want(struct series_store *st, const char *metric_name)
{
    if (!metric_name) {
        st->keep_all = 1;
        return 0;
    }
    char **w = st_realloc(st, st->want, st->n_want * sizeof *w, (st->n_want + 1) * sizeof *w);
    if (!w)
        return -1;
    st->want = w;
    size_t len = strlen(metric_name) + 1;
    w[st->n_want] = st_alloc(st, len);
    if (!w[st->n_want])
        return -1;
    memcpy(w[st->n_want++], metric_name, len);
    return 0;
}

static int wanted(const struct series_store *st, const char *name)
{
    if (st->n_want == 0 || st->keep_all)
        return 1;
    for (size_t i = 0; i < st->n_want; i++)
        if (strcmp(st->want[i], name) == 0)
            return 1;
    return 0;
}

int series_store_wanted(const struct series_store *st, const char *metric_name)
{
    return wanted(st, metric_name);
}

/* --- keys: the label set as name\0value\0..., sorted by name -------------- */

/* The labels of a sample, __name__ included and empty values left out,
 * sorted by name into out (room for n_labels + 1). Returns the count, or -1
 * when a label name repeats. */
static int sample_labels(const struct expo_sample *smp, struct series_label *out)
{
    size_t n = 0;
    out[n++] = (struct series_label){"__name__", smp->name};
    for (size_t i = 0; i < smp->n_labels; i++) {
        const struct expo_label *l = &smp->labels[i];
        if (!l->name || !l->value || !l->value[0] || strcmp(l->name, "__name__") == 0)
            continue;
        size_t j = n++;
        while (j > 0 && strcmp(out[j - 1].name, l->name) > 0) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = (struct series_label){l->name, l->value};
        if (j > 0 && strcmp(out[j - 1].name, l->name) == 0)
            return -1;
        if (j + 1 < n && strcmp(out[j + 1].name, l->name) == 0)
            return -1;
    }
    return (int)n;
}

static size_t key_length(const struct series_label *l, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += strlen(l[i].name) + strlen(l[i].value) + 2;
    return len;
}

static void key_write(char *key, const struct series_label *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t a = strlen(l[i].name) + 1, b = strlen(l[i].value) + 1;
        memcpy(key, l[i].name, a);
        memcpy(key + a, l[i].value, b);
        key += a + b;
    }
}

/* labels.Compare order: with \0 after every string, comparing the bytes
 * compares names, then values, label by label, shorter sets first. */
static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

/* Index of the series with this key, or -(insertion point) - 1. */
static long find_key(const struct series_store *st, const char *key, size_t len)
{
    size_t lo = 0, hi = st->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(st->all[mid]->key, st->all[mid]->key_len, key, len);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

/* --- series ----------------------------------------------------------------- */

static struct series *series_create(struct series_store *st, const char *key, size_t len,
                                    size_t n_labels)
{
    struct series *s = st_alloc(st, sizeof *s);
    if (!s)
        return NULL;
    memset(s, 0, sizeof *s);
    s->key = st_alloc(st, len);
    s->labels = st_alloc(st, n_labels * sizeof *s->labels);
    if (!s->key || !s->labels) {
        series_destroy(st, s);
        return NULL;
    }
    memcpy(s->key, key, len);
    s->key_len = len;
    s->n_labels = n_labels;
    const char *p = s->key;
    for (size_t i = 0; i < n_labels; i++) {
        s->labels[i].name = p;
        p += strlen(p) + 1;
        s->labels[i].value = p;
        p += strlen(p) + 1;
    }
    return s;
}

static int store_insert(struct series_store *st, size_t at, struct series *s)
{
    if (st->n == st->cap) {
        size_t ncap = st->cap ? st->cap * 2 : 16;
        struct series **a = st_realloc(st, st->all, st->cap * sizeof *a, ncap * sizeof *a);
        if (!a)
            return -1;
        st->all = a;
        st->cap = ncap;
    }
    memmove(st->all + at + 1, st->all + at, (st->n - at) * sizeof *st->all);
    st->all[at] = s;
    st->n++;
    return 0;
}

/* Makes room for one more point at the end (compacting, growing, or
 * dropping the oldest point at the cap). Returns 0 or -1. */
static int points_make_room(struct series_store *st, struct series *s)
{
    if (s->len == st->max_points) {
        s->start++;
        s->len--;
    }
    if (s->start + s->len < s->cap)
        return 0;
    if (s->start > 0) {
        memmove(s->pts, s->pts + s->start, s->len * sizeof *s->pts);
        s->start = 0;
        if (s->len < s->cap)
            return 0;
    }
    size_t ncap = s->cap ? s->cap * 2 : 8;
    if (ncap > st->max_points)
        ncap = st->max_points;
    struct series_point *p = st_realloc(st, s->pts, s->cap * sizeof *p, ncap * sizeof *p);
    if (!p)
        return -1;
    s->pts = p;
    s->cap = ncap;
    return 0;
}

static const struct series_point *last_point(const struct series *s)
{
    return s->len ? &s->pts[s->start + s->len - 1] : NULL;
}

/* Appends unless the point is not after the series' last one. */
static int series_append(struct series_store *st, struct series *s, int64_t t, double v)
{
    const struct series_point *last = last_point(s);
    if (last && t <= last->t_ms)
        return 0;
    if (points_make_room(st, s) != 0)
        return -1;
    if (isnan(v) && bits_of(v) != STALE_NAN_BITS)
        v = double_of(NORMAL_NAN_BITS);
    s->pts[s->start + s->len++] = (struct series_point){t, v};
    return 0;
}

/* --- ingest ------------------------------------------------------------------ */

/* Checks every stored-to-be sample first, so a bad scrape changes nothing. */
static int validate(const struct series_store *st, const struct expo *scrape,
                    struct series_label *buf, size_t buf_n, struct error *err)
{
    for (size_t i = 0; i < scrape->n_samples; i++) {
        const struct expo_sample *smp = &scrape->samples[i];
        if (!smp->name || !smp->name[0]) {
            error_set(err, "sample %zu has no metric name", i + 1);
            return -1;
        }
        if (!wanted(st, smp->name))
            continue;
        if (smp->n_labels + 1 > buf_n || sample_labels(smp, buf) < 0) {
            error_set(err, "sample %zu (%s) has a label name twice", i + 1, smp->name);
            return -1;
        }
    }
    return 0;
}

static int scratch_reserve(struct series_store *st, size_t len)
{
    if (len <= st->scratch_cap)
        return 0;
    size_t ncap = st->scratch_cap ? st->scratch_cap : 256;
    while (ncap < len)
        ncap *= 2;
    char *p = realloc(st->scratch, ncap);
    if (!p)
        return -1;
    st->scratch = p;
    st->scratch_cap = ncap;
    return 0;
}

/* The series for these labels, created if new; NULL when out of memory. */
static struct series *series_for(struct series_store *st, const struct series_label *l, size_t n)
{
    size_t len = key_length(l, n);
    if (scratch_reserve(st, len) != 0)
        return NULL;
    key_write(st->scratch, l, n);
    long at = find_key(st, st->scratch, len);
    if (at >= 0)
        return st->all[at];
    struct series *s = series_create(st, st->scratch, len, n);
    if (!s)
        return NULL;
    if (store_insert(st, (size_t)(-at - 1), s) != 0) {
        series_destroy(st, s);
        return NULL;
    }
    return s;
}

static int ingest_sample(struct series_store *st, const struct expo_sample *smp,
                         int64_t scrape_ms, struct series_label *buf)
{
    int n = sample_labels(smp, buf);
    struct series *s = series_for(st, buf, (size_t)n);
    if (!s)
        return -1;
    int64_t t = smp->has_timestamp ? smp->timestamp_ms : scrape_ms;
    s->seen_seq = st->seq;
    s->tracks_staleness = !smp->has_timestamp;
    return series_append(st, s, t, smp->value);
}

/* Staleness markers for the series this scrape no longer has. */
static int mark_stale(struct series_store *st, int64_t scrape_ms)
{
    for (size_t i = 0; i < st->n; i++) {
        struct series *s = st->all[i];
        const struct series_point *last = last_point(s);
        if (s->seen_seq == st->seq || !s->tracks_staleness || !last ||
            series_point_is_stale(last))
            continue;
        if (series_append(st, s, scrape_ms, double_of(STALE_NAN_BITS)) != 0)
            return -1;
    }
    return 0;
}

/* Shrinks a mostly empty point array so a burst does not pin memory. */
static void points_shrink(struct series_store *st, struct series *s)
{
    if (s->cap <= 16 || s->len > s->cap / 4)
        return;
    memmove(s->pts, s->pts + s->start, s->len * sizeof *s->pts);
    s->start = 0;
    struct series_point *p = st_realloc(st, s->pts, s->cap * sizeof *p, s->cap / 2 * sizeof *p);
    if (p) {
        s->pts = p;
        s->cap /= 2;
    }
}

static void prune(struct series_store *st, int64_t now_ms)
{
    int64_t cutoff = now_ms - st->retention_ms;
    size_t kept = 0;
    for (size_t i = 0; i < st->n; i++) {
        struct series *s = st->all[i];
        while (s->len && s->pts[s->start].t_ms < cutoff) {
            s->start++;
            s->len--;
        }
        if (s->len == 0) {
            series_destroy(st, s);
            continue;
        }
        points_shrink(st, s);
        st->all[kept++] = s;
    }
    st->n = kept;
}

int series_store_ingest(struct series_store *st, const struct expo *scrape, int64_t scrape_ms,
                        struct error *err)
{
    static const struct expo empty;
    if (!scrape)
        scrape = &empty;
    size_t max_labels = 1;
    for (size_t i = 0; i < scrape->n_samples; i++)
        if (scrape->samples[i].n_labels + 1 > max_labels)
            max_labels = scrape->samples[i].n_labels + 1;
    struct series_label *buf = malloc(max_labels * sizeof *buf);
    if (!buf) {
        error_set(err, "out of memory");
        return -1;
    }
    int rc = validate(st, scrape, buf, max_labels, err);
    if (rc == 0) {
        st->seq++;
        for (size_t i = 0; i < scrape->n_samples && rc == 0; i++)
            if (wanted(st, scrape->samples[i].name))
                rc = ingest_sample(st, &scrape->samples[i], scrape_ms, buf);
        if (rc == 0)
            rc = mark_stale(st, scrape_ms);
        prune(st, scrape_ms);
        if (rc != 0)
            error_set(err, "out of memory while storing a scrape");
    }
    free(buf);
    return rc;
}

/* --- lookup --------------------------------------------------------------------- */

const struct series_label *series_labels(const struct series *s, size_t *n)
{
    *n = s->n_labels;
    return s->labels;
}

const char *series_label_value(const struct series *s, const char *name)
{
    for (size_t i = 0; i < s->n_labels; i++)
        if (strcmp(s->labels[i].name, name) == 0)
            return s->labels[i].value;
    return "";
}

static int series_matches(const struct series *s, const struct series_matcher *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!series_matcher_matches(&m[i], series_label_value(s, m[i].label)))
            return 0;
    return 1;
}

const struct series *series_store_next(const struct series_store *st,
                                       const struct series_matcher *m, size_t n, size_t *cursor)
{
    while (*cursor < st->n) {
        const struct series *s = st->all[(*cursor)++];
        if (series_matches(s, m, n))
            return s;
    }
    return NULL;
}

/* First index in [lo, hi) whose time is >= t. */
static size_t lower_bound(const struct series_point *p, size_t lo, size_t hi, int64_t t)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid].t_ms < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t series_range(const struct series *s, int64_t mint, int64_t maxt,
                    const struct series_point **first)
{
    const struct series_point *p = s->pts + s->start;
    size_t a = lower_bound(p, 0, s->len, mint);
    size_t b = maxt == INT64_MAX ? s->len : lower_bound(p, a, s->len, maxt + 1);
    *first = p + a;
    return b > a ? b - a : 0;
}

/* --- matchers ------------------------------------------------------------------- */

/* Regular expressions. Prometheus compiles "^(?:" + value + ")$" with RE2
 * (model/labels/regexp.go NewFastRegexMatcher). Here the value is rewritten
 * into a POSIX extended regex anchored as "^(" value ")$" and run in the C
 * locale (bytes, not runes). The rewrite keeps RE2's meaning for what a
 * label matcher plausibly holds — (?:…) groups, a leading (?i), lazy
 * quantifiers (same full-match result), \d \D \w \W \s \S, escaped
 * punctuation, \n \t \r \f \v, '.' never matching a newline, a '{' that
 * starts no repetition being literal — and refuses, with an error, what it
 * cannot honour or RE2 refuses: other (?flags), backslashes inside [...]
 * (literal in POSIX), \b \pN \Q and back references, a repetition of a
 * repetition (a**, a++; glibc would expand those exponentially), a count
 * over 1000, and patterns whose expansion would exceed RX_MAX_SIZE.
 * The remaining differences: '.' and [^…] match one byte, not one UTF-8
 * character, and POSIX classes like [[:word:]] follow glibc. */

#define RX_MAX_DEPTH 64
#define RX_MAX_SIZE 20000  /* atoms after expanding counted and '+' repeats */
#define RX_MAX_COUNT 1000  /* RE2's limit for {n,m} */

struct rx {
    const char *re;
    size_t i;
    char *out;
    size_t len, cap;
    int atom;                    /* an atom precedes: a quantifier may follow */
    int quant;                   /* 1: a quantifier precedes, 2: a lazy one */
    size_t size[RX_MAX_DEPTH + 1]; /* expanded size of each open group */
    size_t depth, last;          /* size of the atom a quantifier applies to */
    struct error *err;
};

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static locale_t use_c_locale(void)
{
    pthread_once(&c_locale_once, c_locale_init);
    return c_locale ? uselocale(c_locale) : (locale_t)0;
}

static void restore_locale(locale_t old)
{
    if (old)
        uselocale(old);
}

static int rx_fail(struct rx *x, const char *what)
{
    error_set(x->err, "invalid regular expression \"%s\": %s", x->re, what);
    return -1;
}

static int rx_unsupported(struct rx *x, const char *what)
{
    error_set(x->err, "invalid regular expression \"%s\": %s is not supported by the scrape "
              "source; use a prometheus source", x->re, what);
    return -1;
}

static int rx_put(struct rx *x, const char *s, size_t n)
{
    if (x->len + n + 1 > x->cap) {
        size_t ncap = (x->len + n + 1) * 2;
        char *p = realloc(x->out, ncap);
        if (!p)
            return rx_fail(x, "out of memory");
        x->out = p;
        x->cap = ncap;
    }
    memcpy(x->out + x->len, s, n);
    x->len += n;
    x->out[x->len] = 0;
    return 0;
}

/* An atom of the given expanded size was written. */
static int rx_atom(struct rx *x, size_t size)
{
    x->atom = 1;
    x->quant = 0;
    x->last = size;
    x->size[x->depth] += size;
    return x->size[x->depth] > RX_MAX_SIZE ? rx_fail(x, "too large") : 0;
}

static int rx_put_atom(struct rx *x, const char *s)
{
    return rx_put(x, s, strlen(s)) == 0 ? rx_atom(x, 1) : -1;
}

/* The ERE text for RE2's escape \c outside brackets, or NULL. */
static const char *rx_escape(char c, char *one)
{
    switch (c) {
    case 'd': return "[0-9]";
    case 'D': return "[^0-9]";
    case 'w': return "[0-9A-Za-z_]";
    case 'W': return "[^0-9A-Za-z_]";
    case 's': return "[\t\n\f\r ]";
    case 'S': return "[^\t\n\f\r ]";
    case 'n': return "\n";
    case 't': return "\t";
    case 'r': return "\r";
    case 'f': return "\f";
    case 'v': return "\v";
    default: break;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || !c)
        return NULL;
    if (strchr(".[]()*+?{}|^$\\", c)) {
        one[0] = '\\', one[1] = c, one[2] = 0;
    } else {
        one[0] = c, one[1] = 0;
    }
    return one;
}

/* A bracket expression, copied as it is; a backslash in it is refused. */
static int rx_bracket(struct rx *x)
{
    const char *re = x->re;
    size_t j = x->i + 1;
    if (re[j] == '^')
        j++;
    if (re[j] == ']')
        j++;
    for (; re[j] && re[j] != ']'; j++) {
        if (re[j] == '\\')
            return rx_unsupported(x, "a backslash inside [...]");
        if (re[j] == '[' && (re[j + 1] == ':' || re[j + 1] == '=' || re[j + 1] == '.')) {
            const char *end = strstr(re + j + 2, (char[]){re[j + 1], ']', 0});
            if (!end)
                break;
            j = (size_t)(end - re) + 1;
        }
    }
    if (re[j] != ']')
        return rx_fail(x, "missing ']'");
    if (rx_put(x, re + x->i, j + 1 - x->i) != 0)
        return -1;
    x->i = j + 1;
    return rx_atom(x, 1);
}

/* Digits at *p as a number, clamped so that long runs cannot overflow. */
static long rx_number(const char **p)
{
    long n = 0;
    for (; isdigit((unsigned char)**p); (*p)++)
        n = n > 100000 ? n : n * 10 + (**p - '0');
    return n;
}

/* {n}, {n,}, {n,m} at re[i]: its largest count, or -1 when it is no
 * repetition (RE2 then reads the '{' literally); *end is past the '}'. */
static long rx_count(const char *re, size_t i, size_t *end)
{
    const char *p = re + i + 1;
    if (re[i] != '{' || !isdigit((unsigned char)*p))
        return -1;
    long n = rx_number(&p), m = n;
    if (*p == ',') {
        p++;
        if (isdigit((unsigned char)*p))
            m = rx_number(&p);
    }
    if (*p != '}')
        return -1;
    *end = (size_t)(p - re) + 1;
    return m > n ? m : n;
}

/* A quantifier at re[i]: *, +, ?, or a counted repetition. */
static int rx_quantifier(struct rx *x, size_t *len, long *count)
{
    char c = x->re[x->i];
    *count = c == '+' ? 2 : 1;
    if (c == '*' || c == '+' || c == '?') {
        *len = 1;
        return 1;
    }
    size_t end;
    long n = rx_count(x->re, x->i, &end);
    if (n < 0)
        return 0;
    *len = end - x->i;
    *count = n;
    return 1;
}

static int rx_repeat(struct rx *x, size_t len, long count)
{
    if (x->quant == 1 && len == 1 && x->re[x->i] == '?') {
        x->quant = 2; /* lazy: the same whole-string match */
        x->i++;
        return 0;
    }
    if (x->quant)
        return rx_fail(x, "bad repetition operator");
    if (!x->atom)
        return rx_fail(x, "missing argument to repetition operator");
    if (count > RX_MAX_COUNT)
        return rx_fail(x, "bad repetition count (over 1000)");
    if (rx_put(x, x->re + x->i, len) != 0)
        return -1;
    x->i += len;
    x->size[x->depth] += x->last * (size_t)(count > 1 ? count - 1 : 0);
    x->atom = 0;
    x->quant = 1;
    return x->size[x->depth] > RX_MAX_SIZE ? rx_fail(x, "too large") : 0;
}

static int rx_group(struct rx *x, char c)
{
    if (c == '(') {
        if (x->re[x->i + 1] == '?' && x->re[x->i + 2] != ':')
            return rx_unsupported(x, "a (?flags) group");
        x->i += x->re[x->i + 1] == '?' ? 3 : 1;
        if (x->depth == RX_MAX_DEPTH)
            return rx_fail(x, "nested too deeply");
        x->size[++x->depth] = 0;
        x->atom = x->quant = 0;
        return rx_put(x, "(", 1);
    }
    x->i++;
    if (x->depth == 0)
        return rx_fail(x, "unexpected )");
    size_t size = x->size[x->depth--];
    return rx_put(x, ")", 1) == 0 ? rx_atom(x, size ? size : 1) : -1;
}

/* Rewrites the RE2 token at re[i]. */
static int rx_token(struct rx *x)
{
    char one[3], c = x->re[x->i];
    size_t len;
    long count;
    if (rx_quantifier(x, &len, &count))
        return rx_repeat(x, len, count);
    switch (c) {
    case '[': return rx_bracket(x);
    case '(': case ')': return rx_group(x, c);
    case '|': case '^': case '$':
        x->i++;
        x->atom = x->quant = 0;
        return rx_put(x, &c, 1);
    case '\\': {
        const char *out = rx_escape(x->re[x->i + 1], one);
        if (!out)
            return rx_unsupported(x, "this backslash escape");
        x->i += 2;
        return rx_put_atom(x, out);
    }
    case '.': x->i++; return rx_put_atom(x, "[^\n]");
    case '{': case '}': x->i++; return rx_put_atom(x, c == '{' ? "\\{" : "\\}");
    default:
        x->i++;
        one[0] = c, one[1] = 0;
        return rx_put_atom(x, one);
    }
}

/* The anchored ERE for an RE2 pattern into x->out; *icase for (?i). */
static int rx_translate(struct rx *x, int *icase)
{
    *icase = strncmp(x->re, "(?i)", 4) == 0;
    x->i = *icase ? 4 : 0;
    if (rx_put(x, "^(", 2) != 0)
        return -1;
    while (x->re[x->i])
        if (rx_token(x) != 0)
            return -1;
    if (x->depth)
        return rx_fail(x, "missing )");
    return rx_put(x, ")$", 2);
}

static int matcher_compile(struct series_matcher *m, struct error *err)
{
    struct rx x = {.re = m->value, .err = err};
    int icase;
    if (rx_translate(&x, &icase) != 0) {
        free(x.out);
        return -1;
    }
    locale_t old = use_c_locale();
    int rc = regcomp(&m->re, x.out, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
    restore_locale(old);
    free(x.out);
    if (rc != 0) {
        char msg[128];
        regerror(rc, &m->re, msg, sizeof msg);
        error_set(err, "invalid regular expression \"%s\": %s", m->value, msg);
        return -1;
    }
    m->has_re = 1;
    return 0;
}

int series_matcher_init(struct series_matcher *m, enum series_match_op op, const char *label,
                        const char *value, struct error *err)
{
    memset(m, 0, sizeof *m);
    m->op = op;
    m->label = strdup(label);
    m->value = strdup(value);
    if (!m->label || !m->value) {
        series_matcher_free(m);
        error_set(err, "out of memory");
        return -1;
    }
    if ((op == SERIES_MATCH_RE || op == SERIES_MATCH_NRE) && matcher_compile(m, err) != 0) {
        series_matcher_free(m);
        return -1;
    }
    return 0;
}

void series_matcher_free(struct series_matcher *m)
{
    if (m->has_re)
        regfree(&m->re);
    free(m->label);
    free(m->value);
    memset(m, 0, sizeof *m);
}

int series_matcher_matches(const struct series_matcher *m, const char *value)
{
    switch (m->op) {
    case SERIES_MATCH_EQ: return strcmp(value, m->value) == 0;
    case SERIES_MATCH_NE: return strcmp(value, m->value) != 0;
    default: break;
    }
    locale_t old = use_c_locale();
    int hit = regexec(&m->re, value, 0, NULL, 0) == 0;
    restore_locale(old);
    return m->op == SERIES_MATCH_RE ? hit : !hit;
}
