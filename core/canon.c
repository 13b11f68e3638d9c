/* canon.c — canonical values and the causes of differences (canon.h).
 * Numbers compare by value (1.10 = 1.1, integer 1 = real 1.0), JSON by
 * content (keys sorted, spacing dropped), timestamps by instant. */
#include "canon.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


void cbuf_put(struct cbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void cbuf_free(struct cbuf *b)
{
    free(b->p);
    *b = (struct cbuf){0};
}

static void put_str(struct cbuf *b, const char *s) { cbuf_put(b, s, strlen(s)); }

/* A plain decimal literal: [+-]digits[.digits], no leading zeros (a code
 * such as "007" stays text), no exponent. */
static int is_decimal(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t d0 = i;
    while (i < n && isdigit((unsigned char)s[i]))
        i++;
    if (i == d0 || (s[d0] == '0' && i - d0 > 1))
        return 0;
    if (i < n && s[i] == '.') {
        size_t f0 = ++i;
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
        if (i == f0)
            return 0;
    }
    return i == n;
}

/* The decimal literal without sign noise and trailing fraction zeros. */
static void put_decimal(struct cbuf *b, const char *s, size_t n)
{
    int neg = s[0] == '-';
    if (s[0] == '-' || s[0] == '+')
        s++, n--;
    size_t end = n;
    const char *dot = memchr(s, '.', n);
    if (dot) {
        while (end > (size_t)(dot - s) + 1 && s[end - 1] == '0')
            end--;
        if (s[end - 1] == '.')
            end--;
    }
    int zero = 1;
    for (size_t i = 0; i < end; i++)
        if (s[i] != '0' && s[i] != '.')
            zero = 0;
    if (neg && !zero)
        cbuf_put(b, "-", 1);
    cbuf_put(b, s, end);
}

/* tag then i in decimal: the hot path of every checksum, so no printf. */
static void put_int(struct cbuf *b, char tag, int64_t i)
{
    char t[24], *p = t + sizeof t;
    uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (i < 0)
        *--p = '-';
    *--p = tag;
    cbuf_put(b, p, (size_t)(t + sizeof t - p));
}

/* The shortest text that reads back as d, as a plain decimal: an
 * exponent is written out ("1e+20" is 100000000000000000000, "1e-07" is
 * 0.0000001), as PostgreSQL's numeric writes the same value, so that a
 * float compares with a numeric by value. Infinities and NaN are text, as
 * PostgreSQL writes them. */
static void put_real(struct cbuf *b, double d)
{
    if (isnan(d)) {
        cbuf_put(b, "sNaN", 4);
        return;
    }
    if (isinf(d)) {
        put_str(b, d < 0 ? "s-Infinity" : "sInfinity");
        return;
    }
    if (d == floor(d) && fabs(d) < 1e15) {
        put_int(b, 'n', (int64_t)d);
        return;
    }
    char t[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*g", prec, d);
        if (strtod(t, NULL) == d)
            break;
    }
    char *e = strchr(t, 'e');
    if (!e) {
        cbuf_put(b, "n", 1);
        put_decimal(b, t, strlen(t));
        return;
    }
    /* mantissa digits without the point, and where the point goes */
    int exp = atoi(e + 1), neg = t[0] == '-';
    char dig[24];
    size_t nd = 0, point = 0;
    for (const char *p = t + neg; p < e && nd < sizeof dig; p++) {
        if (*p == '.')
            point = nd;
        else
            dig[nd++] = *p;
    }
    if (!strchr(t, '.'))
        point = nd;
    long at = (long)point + exp; /* digits before the point */
    struct cbuf x = {0};
    if (neg)
        cbuf_put(&x, "-", 1);
    if (at <= 0) {
        cbuf_put(&x, "0.", 2);
        for (long i = 0; i < -at; i++)
            cbuf_put(&x, "0", 1);
        cbuf_put(&x, dig, nd);
    } else if ((size_t)at >= nd) {
        cbuf_put(&x, dig, nd);
        for (long i = (long)nd; i < at; i++)
            cbuf_put(&x, "0", 1);
    } else {
        cbuf_put(&x, dig, (size_t)at);
        cbuf_put(&x, ".", 1);
        cbuf_put(&x, dig + at, nd - (size_t)at);
    }
    cbuf_put(b, "n", 1);
    if (x.p)
        put_decimal(b, x.p, x.n);
    cbuf_free(&x);
}

static int digits(const char *s, size_t n, size_t at, size_t k, int *out)
{
    if (at + k > n)
        return -1;
    int v = 0;
    for (size_t i = 0; i < k; i++) {
        if (!isdigit((unsigned char)s[at + i]))
            return -1;
        v = v * 10 + (s[at + i] - '0');
    }
    *out = v;
    return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar,
 * counting from March so that the leap day ends a year. */
static int64_t days_of(int y, int m, int d)
{
    int64_t yy = m <= 2 ? y - 1 : y;
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t mp = (m + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int canon_timestamp(const char *s, size_t n, int64_t *us)
{
    int y, mo, d, h, mi, sec = 0;
    if (n < 16 || digits(s, n, 0, 4, &y) || s[4] != '-' || digits(s, n, 5, 2, &mo) ||
        s[7] != '-' || digits(s, n, 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') ||
        digits(s, n, 11, 2, &h) || s[13] != ':' || digits(s, n, 14, 2, &mi))
        return -1;
    /* what PostgreSQL reads as a time: a real day of the month (no
     * 2024-02-30, which it refuses), hours to 23 or exactly 24:00:00 */
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
        (mo == 2 && d == 29 && !leap) || h > 24 || mi > 59 || (h == 24 && mi))
        return -1;
    size_t i = 16;
    int64_t frac = 0;
    if (i < n && s[i] == ':') {
        if (digits(s, n, i + 1, 2, &sec) || sec > 60 || (h == 24 && sec))
            return -1;
        i += 3;
        if (i < n && (s[i] == '.' || s[i] == ',')) {
            /* more than 6 digits round to the microsecond as PostgreSQL's
             * reader does: rint(strtod(".ddd…") * 1e6), bit for bit */
            char f[40] = ".";
            size_t f0 = ++i, k = 1;
            while (i < n && isdigit((unsigned char)s[i])) {
                if (k < sizeof f - 1)
                    f[k++] = s[i];
                i++;
            }
            if (i == f0)
                return -1;
            f[k] = '\0';
            frac = (int64_t)rint(strtod(f, NULL) * 1000000.0);
            if (h == 24 && frac)
                return -1;
        }
    }
    int64_t off = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int oh, om = 0, sign = s[i] == '-' ? -1 : 1;
        if (digits(s, n, i + 1, 2, &oh))
            return -1;
        i += 3;
        if (i < n && s[i] == ':')
            i++;
        if (i < n) {
            if (digits(s, n, i, 2, &om))
                return -1;
            i += 2;
        }
        off = sign * (oh * 3600 + om * 60);
    }
    if (i != n)
        return -1;
    int64_t secs = days_of(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    *us = secs * 1000000 + frac;
    return 0;
}

void canon_hex(struct cbuf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        char t[2] = {hex[(unsigned char)s[i] >> 4], hex[(unsigned char)s[i] & 15]};
        cbuf_put(out, t, 2);
    }
}

void canon_bytea_text(struct cbuf *out, const char *s, size_t n)
{
    cbuf_put(out, "\\x", 2);
    canon_hex(out, s, n);
}

size_t canon_utf8_prefix(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = u[i];
        size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (c == 0 || (c >= 0x80 && c < 0xC2) || c > 0xF4 || i + len > n)
            return i;
        for (size_t k = 1; k < len; k++)
            if ((u[i + k] & 0xC0) != 0x80)
                return i;
        if ((c == 0xE0 && u[i + 1] < 0xA0) || (c == 0xED && u[i + 1] >= 0xA0) ||
            (c == 0xF0 && u[i + 1] < 0x90) || (c == 0xF4 && u[i + 1] >= 0x90))
            return i;   /* overlong, a surrogate, past U+10FFFF */
        i += len;
    }
    return i;
}

/* Text for people: its UTF-8 as it is, any other byte (and a NUL) as \xNN. */
static void text_for_people(struct cbuf *out, const char *s, size_t n)
{
    while (n) {
        size_t ok = canon_utf8_prefix(s, n);
        cbuf_put(out, s, ok);
        if (ok == n)
            break;
        char t[8];
        cbuf_put(out, t, (size_t)snprintf(t, sizeof t, "\\x%02x", (unsigned char)s[ok]));
        s += ok + 1;
        n -= ok + 1;
    }
}

void canon_key_text(struct cbuf *out, const struct cval *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char t[40];
        if (i)
            cbuf_put(out, ",", 1);
        if (v[i].t == CV_INT)
            cbuf_put(out, t, (size_t)snprintf(t, sizeof t, "%lld", (long long)v[i].i));
        else if (v[i].t == CV_REAL)
            cbuf_put(out, t, (size_t)snprintf(t, sizeof t, "%.17g", v[i].d));
        else if (v[i].t == CV_NULL)
            cbuf_put(out, "NULL", 4);
        else if (v[i].t == CV_BLOB)
            canon_bytea_text(out, v[i].s, v[i].n);
        else
            text_for_people(out, v[i].s, v[i].n);
    }
    cbuf_put(out, "", 0); /* "" rather than NULL for no values */
}

void canon_append(struct cbuf *out, const struct cval *v)
{
    int64_t us;
    switch (v->t) {
    case CV_NULL:
        cbuf_put(out, "N", 1);
        return;
    case CV_INT:
        put_int(out, 'n', v->i);
        return;
    case CV_REAL:
        put_real(out, v->d);
        return;
    case CV_BLOB: /* as hex, as PostgreSQL's encode(bytea, 'hex') writes it */
        cbuf_put(out, "x", 1);
        canon_hex(out, v->s, v->n);
        return;
    case CV_TEXT:
        break;
    }
    if (is_decimal(v->s, v->n)) {
        cbuf_put(out, "n", 1);
        put_decimal(out, v->s, v->n);
    } else if (canon_timestamp(v->s, v->n, &us) == 0) {
        put_int(out, 'T', us);
    } else if (canon_json(out, v->s, v->n) != 0) {
        cbuf_put(out, "s", 1);
        cbuf_put(out, v->s, v->n);
    }
}

/* 1 when a and b are the same bytes of the same type: equal whatever they
 * mean, and the usual case (most columns of a divergent row agree). */
static int identical(const struct cval *a, const struct cval *b)
{
    if (a->t != b->t)
        return 0;
    switch (a->t) {
    case CV_NULL: return 1;
    case CV_INT: return a->i == b->i;
    case CV_REAL: return a->d == b->d;
    default: return a->n == b->n && (a->n == 0 || memcmp(a->s, b->s, a->n) == 0);
    }
}

int canon_equal(const struct cval *a, const struct cval *b)
{
    if (identical(a, b))
        return 1;
    struct cbuf x = {0}, y = {0};
    canon_append(&x, a);
    canon_append(&y, b);
    int eq = !x.oom && !y.oom && x.n == y.n && memcmp(x.p, y.p, x.n) == 0;
    cbuf_free(&x);
    cbuf_free(&y);
    return eq;
}

const char *canon_cause_name(enum canon_cause c)
{
    static const char *const names[CAUSE_COUNT] = {
        "missing-in-new", "extra-in-new", "time-shift", "null-vs-empty",
        "numeric-precision", "whitespace", "unicode-normalisation", "value"};
    return (unsigned)c < CAUSE_COUNT ? names[c] : "value";
}

/* A number's value and its scale (digits after the point as written). */
static int number_of(const struct cval *v, double *d, int *scale)
{
    struct cbuf b = {0};
    if (v->t == CV_INT || v->t == CV_REAL ||
        (v->t == CV_TEXT && is_decimal(v->s, v->n)))
        canon_append(&b, v);
    if (!b.p || b.p[0] != 'n') {
        cbuf_free(&b);
        return -1;
    }
    *d = strtod(b.p + 1, NULL);
    const char *dot = strchr(b.p, '.');
    *scale = dot && !strchr(b.p, 'e') ? (int)strlen(dot + 1) : 0;
    cbuf_free(&b);
    return 0;
}

/* Trimmed, with every run of white space as one space. */
static void squeeze(struct cbuf *b, const char *s, size_t n)
{
    int gap = 0;
    for (size_t i = 0; i < n; i++) {
        if (isspace((unsigned char)s[i])) {
            gap = b->n > 0;
            continue;
        }
        if (gap)
            cbuf_put(b, " ", 1);
        gap = 0;
        cbuf_put(b, s + i, 1);
    }
    cbuf_put(b, "", 0);
}

/* Latin-1's precomposed letters (U+00C0..U+00FF) as base + combining mark;
 * 0 where the letter has no decomposition. Marks: ` grave U+0300, '
 * acute 0301, ^ circumflex 0302, ~ tilde 0303, : diaeresis 0308, o ring
 * 030A, , cedilla 0327. */
static const char latin1_base[] = "AAAAAA\0CEEEEIIII\0NOOOOO\0\0UUUUY\0\0"
                                  "aaaaaa\0ceeeeiiii\0nooooo\0\0uuuuy\0y";
static const char latin1_mark[] = "`'^~:o\0,`'^:`'^:\0~`'^~:\0\0`'^:'\0\0"
                                  "`'^~:o\0,`'^:`'^:\0~`'^~:\0\0`'^:'\0:";

static unsigned mark_code(char m)
{
    switch (m) {
    case '`': return 0x300;
    case '\'': return 0x301;
    case '^': return 0x302;
    case '~': return 0x303;
    case ':': return 0x308;
    case 'o': return 0x30A;
    default: return 0x327;
    }
}

static void put_utf8(struct cbuf *b, unsigned cp)
{
    char t[3];
    if (cp < 0x80) {
        t[0] = (char)cp;
        cbuf_put(b, t, 1);
    } else {
        t[0] = (char)(0xC0 | (cp >> 6));
        t[1] = (char)(0x80 | (cp & 0x3F));
        cbuf_put(b, t, 2);
    }
}

/* The text with Latin-1's precomposed letters decomposed, so that "é" and
 * "e" + U+0301 read alike (NFC and NFD agree on which letters they are). */
static void decompose(struct cbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c == 0xC3) && i + 1 < n) {
            unsigned cp = 0xC0 + ((unsigned char)s[i + 1] & 0x3F);
            size_t k = cp - 0xC0;
            if (k < sizeof latin1_base - 1 && latin1_base[k]) {
                put_utf8(b, (unsigned char)latin1_base[k]);
                put_utf8(b, mark_code(latin1_mark[k]));
                i++;
                continue;
            }
        }
        cbuf_put(b, s + i, 1);
    }
    cbuf_put(b, "", 0);
}

static int same_after(void (*fn)(struct cbuf *, const char *, size_t),
                      const struct cval *a, const struct cval *b)
{
    struct cbuf x = {0}, y = {0};
    fn(&x, a->s, a->n);
    fn(&y, b->s, b->n);
    int eq = !x.oom && !y.oom && x.n == y.n && (x.n == 0 || memcmp(x.p, y.p, x.n) == 0);
    cbuf_free(&x);
    cbuf_free(&y);
    return eq;
}

enum canon_cause canon_cause(const struct cval *old, const struct cval *new_)
{
    if ((old->t == CV_NULL && new_->t == CV_TEXT && new_->n == 0) ||
        (new_->t == CV_NULL && old->t == CV_TEXT && old->n == 0))
        return CAUSE_NULL_VS_EMPTY;
    int64_t a, b;
    if (old->t == CV_TEXT && new_->t == CV_TEXT && canon_timestamp(old->s, old->n, &a) == 0 &&
        canon_timestamp(new_->s, new_->n, &b) == 0 && a != b && (a - b) % 3600000000LL == 0)
        return CAUSE_TIME_SHIFT;
    double x, y;
    int sx, sy;
    if (number_of(old, &x, &sx) == 0 && number_of(new_, &y, &sy) == 0) {
        int s = sx < sy ? sx : sy;
        if (sx != sy && fabs(x - y) <= 0.5 * pow(10, -s) * (1 + 1e-9))
            return CAUSE_NUMERIC_PRECISION;
        return CAUSE_VALUE;
    }
    if (old->t == CV_TEXT && new_->t == CV_TEXT) {
        if (same_after(squeeze, old, new_))
            return CAUSE_WHITESPACE;
        if (same_after(decompose, old, new_))
            return CAUSE_UNICODE_NORMALISATION;
    }
    return CAUSE_VALUE;
}
