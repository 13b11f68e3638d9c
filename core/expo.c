/* expo.c — the Prometheus text exposition format (0.0.4) parsed into samples,
 * for the `scrape` signal source. The reference is not the format's spec but
 * what Prometheus 2.42 does with a scrape: the lexer of
 * model/textparse/promlex.l (whose generated DFA is promlex.l.go), the parser
 * of model/textparse/promparse.go (PromParser.Next, parseLVals, parseFloat),
 * and what scrape/scrape.go (scrapeLoop.append) and tsdb/head_append.go
 * (headAppender.Append, memSeries.appendable) then accept or drop. Every
 * accept/reject rule below was also checked against the real binary
 * (Debian's prometheus 2.42.0+ds) by serving the text to it and reading its
 * `up`, its target's lastError and the series it stored;
 * tests/integration/test_expo_real.sh repeats that for every fixture in
 * tests/expo/ (whose README lists the surprises).
 *
 * The lexer is therefore a small state machine with the states of promlex.l
 * (init, comment, meta1, meta2, labels, lvalue, value, timestamp), one token
 * at a time, and the parser is the loop of PromParser.Next. Shaping it the
 * same way, rather than as a cleaner grammar, is what makes the odd corners
 * come out the same.
 *
 * Decisions (source in Prometheus 2.42 in brackets):
 *  - The input gets a '\n' appended before lexing, so a last line without a
 *    newline is a complete line [promparse.go NewPromParser]. A truncated
 *    exposition is rejected only when the cut leaves an incomplete record
 *    ("foo{a=", "foo"); "foo 12" cut to "foo 1" is a valid line and accepted,
 *    as Prometheus accepts it.
 *  - Blank lines and lines of spaces/tabs are skipped [Next: tLinebreak].
 *  - Whitespace is [ \t]+ and may separate any two tokens, also between the
 *    metric name and '{' and inside the braces [promlex.l <*>[ \t]+]. '\r'
 *    is not whitespace: CRLF text is rejected (the value reads "1\r").
 *  - A sample line may not start with whitespace: the lexer skips it, but
 *    PromParser.Metric takes the name from the start of the line, so the
 *    name becomes "  foo" and the scrape fails on it [scrape.go append:
 *    lset.IsValid, "invalid metric name or label names"]. Comment, HELP and
 *    TYPE lines may start with whitespace.
 *  - Metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names
 *    [a-zA-Z_][a-zA-Z0-9_]* (so "__x" is allowed) [promlex.l M, L, D].
 *  - Labels: `{}` is fine; a trailing comma is fine; the comma between two
 *    pairs may even be left out (`{a="1" b="2"}`); a leading or doubled
 *    comma is an error [parseLVals].
 *  - Label values: a double-quoted string; a backslash escapes any one byte
 *    but a newline; \\ \" \n are unescaped and every other escape is kept as
 *    written ("\t" stays backslash-t) [promlex.l sLValue, lvalReplacer]. A
 *    raw newline inside the quotes is part of the value. The value must be
 *    valid UTF-8, judged as Go's utf8.Valid does (no surrogates, no overlong
 *    forms) [parseLVals].
 *  - A label with an empty value is the same as no label, and more: the
 *    scrape's label builder deletes every label of a name that has an
 *    empty value anywhere in the set, before duplicates are looked for; so
 *    {a=""} is no label, and {a="",a="x"} and {a="1",a="2",a=""} are
 *    accepted with no label a [scrape.go mutateSampleLabels →
 *    labels.NewBuilder → Builder.Reset, which puts empty-valued names on its
 *    delete list; head_append.go Append: lset.WithoutEmpty()].
 *  - Two labels of the same name fail the whole scrape [head_append.go
 *    Append: HasDuplicateLabelNames, ErrInvalidSample], but for `job` and
 *    `instance`: the target labels replace every label of those names
 *    before the check (honor_labels: false, scrape.go mutateSampleLabels),
 *    keeping the first value as exported_job / exported_instance; they are
 *    kept here as written and core/scrape.c does the rest. One known
 *    exception in Prometheus is deliberately not followed:
 *    a sample whose explicit timestamp Prometheus would not store —
 *    more than 10 minutes ahead [scrape/target.go timeLimitAppender,
 *    maxAheadTime] or older than its head accepts (about an hour before
 *    its newest sample) [headAppender.Append, minValidTime] — is dropped
 *    before the head looks at its labels, so its duplicates go unnoticed.
 *    That depends on the clock and the server's data; expo_parse has no
 *    clock, treats every sample as in bounds, keeps it and rejects the
 *    duplicate. (With an in-bounds timestamp Prometheus rejects it too.)
 *  - A `__name__` label inside the braces fails the scrape: it duplicates
 *    the metric name, or, when empty, deletes the metric name with it
 *    ("missing metric name") [scrape.go append: errNameLabelMandatory;
 *    head_append.go Append: duplicate].
 *  - Values are Go's strconv.ParseFloat after Prometheus refuses any 'p',
 *    'P' or '_' [promparse.go parseFloat]: so decimal forms with optional
 *    sign, '.', exponent ("5.", ".5", "1E5", "+.5e-3", "007"); "NaN" and
 *    "Inf"/"Infinity" in any case, the infinities with an optional sign, NaN
 *    without one; no hex floats, no underscores, no "1,5". A value beyond the
 *    float64 range ("1e400") is an error (ParseFloat's ErrRange); one that
 *    underflows ("1e-400") is 0 or a subnormal. NaN is stored as NaN.
 *  - The value is followed by an optional timestamp: digits only (no sign),
 *    an int64 in milliseconds; overflow is an error [promlex.l sTimestamp,
 *    strconv.ParseInt]. Anything else after them is an error.
 *  - "# HELP name text" and "# TYPE name type" need one space or tab after
 *    '#' and after the keyword; the text is everything after the name minus
 *    one byte, so the type must follow the name after exactly one space or
 *    tab and end the line: "# TYPE x  counter" and "# TYPE x counter " are
 *    errors, as is a TYPE with no type [Next: tType, p.text = buf[1:]]. The
 *    types are counter, gauge, histogram, summary, untyped; anything else is
 *    an error. HELP text must be valid UTF-8. "#HELP", "# HELPx" and any
 *    other '#' line are comments, "# EOF" included: text after it is still
 *    parsed [promlex.l consumeComment].
 *  - A NUL byte at the start of a line ends the exposition there, accepted
 *    [promlex.l \0 → tEOF]; inside label values, HELP text and comments NUL
 *    bytes are skipped by the lexer but kept in the text [promlexer.next].
 *    (A label value with a NUL keeps it; as a C string it ends there.)
 *  - The same series twice: the first sample wins, a later one is dropped
 *    silently, unless it carries a timestamp newer than the kept one (or the
 *    kept one has a timestamp and the later none: it is then "now"). The
 *    order of labels does not matter to identity [scrape.go checkAddError:
 *    ErrDuplicateSampleForTimestamp and out-of-order samples are dropped,
 *    not errors; memSeries.appendable].
 *  - A histogram without its le="+Inf" bucket, or with buckets out of order,
 *    is accepted: nothing in the scrape checks them; that is the business of
 *    whoever computes quantiles.
 *  - A sample's type is that of the last "# TYPE" line naming it, wherever it
 *    is; for a name ending in _bucket, _sum or _count without its own TYPE,
 *    that of the stem when the stem is a histogram (_bucket, _sum, _count)
 *    or a summary (_sum, _count); otherwise untyped. Prometheus's scraper
 *    does not type samples at all, so this is the format's convention.
 *
 * Memory: the input is lexed in place when it ends in a newline (copied
 * with the '\n' Prometheus appends otherwise), names are interned, and every
 * string and label array lives in one arena of a few large blocks; samples
 * are one array grown by doubling. Linear time: names are found by hash
 * (most often by comparing with the previous sample's), duplicate labels
 * and deleted names by marks on the interned names, repeated series by a
 * hash of the label set. */
#include "expo.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ------------------------------------------------------------ */

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[]; /* cap bytes */
};

struct arena {
    struct arena_block *head;
    size_t next_cap;
};

static void arena_free(struct arena *a)
{
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

/* Returns n bytes aligned for any pointer, or NULL when memory is out. */
static void *arena_alloc(struct arena *a, size_t n)
{
    n = (n + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
    struct arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = a->next_cap;
        if (cap < n)
            cap = n;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
        if (a->next_cap < ((size_t)1 << 26))
            a->next_cap *= 2;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

/* ---- small helpers ---------------------------------------------------- */

static int is_ws(unsigned char c) { return c == ' ' || c == '\t'; }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_alpha_(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
/* promlex.l: M [a-zA-Z_:] starts a metric name, L [a-zA-Z_] a label name. */
static int is_mstart(unsigned char c) { return is_alpha_(c) || c == ':'; }
static int is_mchar(unsigned char c) { return is_mstart(c) || is_digit(c); }
static int is_lchar(unsigned char c) { return is_alpha_(c) || is_digit(c); }

static uint64_t hash_bytes(const unsigned char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Go's utf8.Valid: well-formed UTF-8 with no overlong forms, no surrogates
 * and nothing past U+10FFFF. */
static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            return 0;
        }
        if (n - i - 1 < need)
            return 0;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return 0;
        for (size_t k = 2; k <= need; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return 0;
        i += need + 1;
    }
    return 1;
}

/* ---- lexer: the states and tokens of promlex.l ------------------------ */

enum lx_state { S_INIT, S_COMMENT, S_META1, S_META2, S_LABELS, S_LVALUE, S_VALUE, S_TIMESTAMP };

enum tok {
    T_INVALID,
    T_EOF,
    T_LINEBREAK,
    T_WS,
    T_HELP,
    T_TYPE,
    T_TEXT,
    T_COMMENT,
    T_MNAME,
    T_BRACE_OPEN,
    T_BRACE_CLOSE,
    T_LNAME,
    T_LVALUE,
    T_COMMA,
    T_EQUAL,
    T_TIMESTAMP,
    T_VALUE,
};

struct lexer {
    const unsigned char *b; /* the text, ending in '\n' (appended if need be) */
    size_t n;               /* its length; b[n-1] == '\n', b[n] is never read */
    size_t i, start;        /* lookahead position; start of the last token */
    enum lx_state state;
};

/* Advances one byte. As promlexer.next does, NUL bytes are skipped while
 * inside a label value, HELP/TYPE text or a comment — by the state the
 * lexer is in when it advances, which is why a NUL right after '=' is an
 * error but one after the opening quote is not. */
static inline unsigned char lx_next(struct lexer *l)
{
    l->i++;
    if (l->i >= l->n)
        return 0;
    if (l->b[l->i] == 0 &&
        (l->state == S_LVALUE || l->state == S_META2 || l->state == S_COMMENT)) {
        while (l->b[l->i] == 0) /* stops at the final '\n' */
            l->i++;
    }
    return l->b[l->i];
}

/* Byte classes of the runs the lexer scans most: none contains NUL, so a
 * run never crosses a byte where lx_next's NUL rule could apply. */
enum run { RUN_MNAME, RUN_LNAME, RUN_DIGITS, RUN_VALUE, RUN_LVALUE };

static inline int in_run(enum run r, unsigned char c)
{
    switch (r) {
    case RUN_MNAME: return is_mchar(c);
    case RUN_LNAME: return is_lchar(c);
    case RUN_DIGITS: return is_digit(c);
    case RUN_VALUE: return c != 0 && c != '\n' && c != '{' && !is_ws(c);
    case RUN_LVALUE: return c != 0 && c != '"' && c != '\\';
    }
    return 0;
}

/* The same as calling lx_next while it returns bytes of run r, and
 * returning the first that is not; but scanning the buffer directly. */
static inline unsigned char lx_run(struct lexer *l, enum run r)
{
    size_t i = l->i;
    while (i + 1 < l->n && in_run(r, l->b[i + 1]))
        i++;
    l->i = i;
    return lx_next(l);
}

static enum tok lx_ws(struct lexer *l)
{
    unsigned char c;
    do
        c = lx_next(l);
    while (is_ws(c));
    return T_WS;
}

/* The rest of a comment line (promlexer.consumeComment): up to the newline,
 * or the end of the exposition at a NUL the state does not skip. */
static enum tok lx_comment(struct lexer *l)
{
    unsigned char c = l->i < l->n ? l->b[l->i] : 0;
    if (c != 0 && l->state == S_COMMENT) {
        /* NULs are skipped here, so only the newline ends the line. */
        l->i = (size_t)((const unsigned char *)memchr(l->b + l->i, '\n', l->n - l->i) - l->b);
        c = '\n';
    }
    for (;;) {
        if (c == 0)
            return T_EOF;
        if (c == '\n') {
            l->state = S_INIT;
            return T_COMMENT;
        }
        c = lx_next(l);
    }
}

static enum tok lx_lex(struct lexer *l)
{
    if (l->i >= l->n)
        return T_EOF;
    unsigned char c = l->b[l->i];
    l->start = l->i;
    switch (l->state) {
    case S_INIT:
        if (c == '#') {
            c = lx_next(l);
            if (!is_ws(c))
                return lx_comment(l); /* '#' not followed by a blank */
            while (is_ws(c))
                c = lx_next(l);
            l->state = S_COMMENT;
            /* "# HELP " or "# TYPE " begins a metadata line; anything
             * else makes the line a comment. */
            if (c == 'H' || c == 'T') {
                const char *rest = c == 'H' ? "ELP" : "YPE";
                enum tok kw = c == 'H' ? T_HELP : T_TYPE;
                for (; *rest; rest++)
                    if ((c = lx_next(l)) != (unsigned char)*rest)
                        return lx_comment(l);
                c = lx_next(l);
                if (!is_ws(c))
                    return lx_comment(l);
                while (is_ws(c))
                    c = lx_next(l);
                l->state = S_META1;
                return kw;
            }
            return lx_comment(l);
        }
        if (is_mstart(c)) {
            lx_run(l, RUN_MNAME);
            l->state = S_VALUE;
            return T_MNAME;
        }
        if (c == '\n') {
            lx_next(l);
            return T_LINEBREAK;
        }
        if (is_ws(c))
            return lx_ws(l);
        if (c == 0) {
            lx_next(l);
            return T_EOF;
        }
        return T_INVALID;
    case S_COMMENT: /* only reached after a whitespace token in a comment */
        if (is_ws(c))
            return lx_ws(l);
        return lx_comment(l);
    case S_META1:
        if (is_mstart(c)) {
            lx_run(l, RUN_MNAME);
            l->state = S_META2;
            return T_MNAME;
        }
        if (is_ws(c))
            return lx_ws(l);
        return T_INVALID;
    case S_META2:
        /* The rest of the line; a run of blanks alone is whitespace. */
        if (is_ws(c)) {
            do
                c = lx_next(l);
            while (is_ws(c));
            if (c == 0 || c == '\n')
                return T_WS;
        }
        if (c != 0 && c != '\n')
            l->i = (size_t)((const unsigned char *)memchr(l->b + l->i, '\n', l->n - l->i) - l->b);
        l->state = S_INIT;
        return T_TEXT;
    case S_LABELS:
        if (c == ',') {
            lx_next(l);
            return T_COMMA;
        }
        if (c == '=') {
            lx_next(l);
            l->state = S_LVALUE;
            return T_EQUAL;
        }
        if (c == '}') {
            lx_next(l);
            l->state = S_VALUE;
            return T_BRACE_CLOSE;
        }
        if (is_ws(c))
            return lx_ws(l);
        if (is_alpha_(c)) {
            lx_run(l, RUN_LNAME);
            return T_LNAME;
        }
        return T_INVALID;
    case S_LVALUE:
        if (c == '"') {
            for (;;) {
                c = lx_run(l, RUN_LVALUE);
                if (c == '"') {
                    lx_next(l);
                    l->state = S_LABELS;
                    return T_LVALUE;
                }
                if (c == '\\') {
                    c = lx_next(l);
                    if (c == 0 || c == '\n')
                        return T_INVALID;
                } else if (c == 0) {
                    return T_INVALID; /* the text ended inside the quotes */
                }
            }
        }
        if (is_ws(c))
            return lx_ws(l);
        return T_INVALID;
    case S_VALUE:
        if (is_ws(c))
            return lx_ws(l);
        if (c == '{') {
            lx_next(l);
            l->state = S_LABELS;
            return T_BRACE_OPEN;
        }
        if (c != 0 && c != '\n') {
            lx_run(l, RUN_VALUE);
            l->state = S_TIMESTAMP;
            return T_VALUE;
        }
        return T_INVALID;
    case S_TIMESTAMP:
        if (c == '\n') {
            lx_next(l);
            l->state = S_INIT;
            return T_LINEBREAK;
        }
        if (is_ws(c))
            return lx_ws(l);
        if (is_digit(c)) {
            lx_run(l, RUN_DIGITS);
            return T_TIMESTAMP;
        }
        return T_INVALID;
    }
    return T_INVALID;
}

/* PromParser.nextToken: the next token that is not whitespace. */
static enum tok lx_token(struct lexer *l)
{
    enum tok t;
    while ((t = lx_lex(l)) == T_WS)
        ;
    return t;
}

/* ---- numbers ---------------------------------------------------------- */

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void c_locale_init(void) { c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

static int ci_equal(const unsigned char *s, size_t n, const char *word)
{
    if (strlen(word) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)word[i])
            return 0;
    }
    return 1;
}

enum float_result { FLOAT_OK, FLOAT_SYNTAX, FLOAT_RANGE, FLOAT_NOMEM, FLOAT_UNSUPPORTED };

/* Exact powers of ten: a mantissa below 2^53 times or divided by one of
 * these is a single correctly rounded operation (Clinger's fast path), so
 * it equals what ParseFloat gives. */
static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Parses a value as Prometheus does (parseFloat, then Go's ParseFloat),
 * without the C library's locale: a comma locale must not change a number. */
static enum float_result parse_value(const unsigned char *s, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == 'p' || s[i] == 'P' || s[i] == '_')
            return FLOAT_UNSUPPORTED;
    size_t i = 0;
    int neg = 0;
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (ci_equal(s + i, n - i, "inf") || ci_equal(s + i, n - i, "infinity")) {
        *out = neg ? -HUGE_VAL : HUGE_VAL;
        return FLOAT_OK;
    }
    if (i == 0 && ci_equal(s, n, "nan")) {
        *out = NAN;
        return FLOAT_OK;
    }
    /* Decimal: digits [. digits] with at least one digit, then an optional
     * exponent with at least one digit. Hex needs a 'p' exponent in Go,
     * which Prometheus refuses, so no hex form is valid. */
    uint64_t mant = 0;
    int mant_digits = 0, frac_digits = 0, saw_digit = 0, exact = 1;
    for (; i < n && is_digit(s[i]); i++) {
        saw_digit = 1;
        if (mant_digits > 0 || s[i] != '0') {
            if (mant_digits < 15)
                mant = mant * 10 + (uint64_t)(s[i] - '0');
            else
                exact = 0;
            mant_digits++;
        }
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && is_digit(s[i]); i++) {
            saw_digit = 1;
            if (mant_digits > 0 || s[i] != '0') {
                if (mant_digits < 15)
                    mant = mant * 10 + (uint64_t)(s[i] - '0');
                else
                    exact = 0;
                mant_digits++;
            }
            frac_digits++;
        }
    }
    if (!saw_digit)
        return FLOAT_SYNTAX;
    long exp10 = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        if (i >= n || !is_digit(s[i]))
            return FLOAT_SYNTAX;
        for (; i < n && is_digit(s[i]); i++)
            if (exp10 < 100000)
                exp10 = exp10 * 10 + (s[i] - '0');
        if (eneg)
            exp10 = -exp10;
    }
    if (i != n)
        return FLOAT_SYNTAX;

    long e = exp10 - frac_digits;
    if (exact && e >= -22 && e <= 22) {
        double v = (double)mant;
        v = e < 0 ? v / pow10_exact[-e] : v * pow10_exact[e];
        *out = neg ? -v : v;
        return FLOAT_OK;
    }

    /* Everything else goes to strtod_l in the "C" locale, which rounds
     * correctly as ParseFloat does. It needs a terminated copy. */
    pthread_once(&c_locale_once, c_locale_init);
    if (c_locale == (locale_t)0)
        return FLOAT_NOMEM;
    char small[128];
    char *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf)
        return FLOAT_NOMEM;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod_l(buf, &end, c_locale);
    int range = errno == ERANGE && isinf(v);
    int whole = end == buf + n;
    if (buf != small)
        free(buf);
    if (!whole)
        return FLOAT_SYNTAX;
    if (range)
        return FLOAT_RANGE; /* ParseFloat's ErrRange; underflow is not one */
    *out = v;
    return FLOAT_OK;
}

/* strconv.ParseInt(s, 10, 64) on the lexer's digits. */
static int parse_timestamp(const unsigned char *s, size_t n, int64_t *out)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = s[i] - '0';
        if (v > (INT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* ---- interned names --------------------------------------------------- */

/* Metric and label names repeat on every line (every bucket of a histogram
 * carries "le" and the same name), so each distinct name is stored once and
 * compared by pointer afterwards. Entries are a dense array (their index is
 * stable) found through an open-addressing table of indices. */
struct name_entry {
    const char *str; /* in the arena */
    size_t len;
    uint64_t hash;
    int declared;             /* a # TYPE line names it */
    enum expo_type type;      /* that line's type */
    int resolved;             /* resolved_type computed */
    enum expo_type resolved_type;
    size_t deleted_in, seen_in; /* marks: the serial of the sample being checked */
};

struct names {
    struct name_entry *v;
    size_t n, cap_v;
    size_t *slot; /* index + 1; 0 is empty */
    size_t cap;   /* a power of two */
};

#define NO_NAME ((size_t)-1)

static size_t names_find(const struct names *t, const unsigned char *s, size_t n, uint64_t h)
{
    if (!t->cap)
        return NO_NAME;
    for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        if (!t->slot[i])
            return NO_NAME;
        const struct name_entry *e = &t->v[t->slot[i] - 1];
        if (e->hash == h && e->len == n && memcmp(e->str, s, n) == 0)
            return t->slot[i] - 1;
    }
}

static int names_grow(struct names *t)
{
    size_t cap = t->cap ? t->cap * 2 : 256;
    size_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t k = 0; k < t->n; k++) {
        size_t j = t->v[k].hash & (cap - 1);
        while (slot[j])
            j = (j + 1) & (cap - 1);
        slot[j] = k + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->cap = cap;
    return 0;
}

/* Whether entry k is the name s[0..n): the cheap test before hashing. */
static int names_is(const struct names *t, size_t k, const unsigned char *s, size_t n)
{
    return k < t->n && t->v[k].len == n && memcmp(t->v[k].str, s, n) == 0;
}

/* The index of name s[0..n), created (with the string in the arena) when
 * new; NO_NAME when memory is out. */
static size_t names_intern(struct names *t, struct arena *a, const unsigned char *s, size_t n)
{
    uint64_t h = hash_bytes(s, n);
    size_t k = names_find(t, s, n, h);
    if (k != NO_NAME)
        return k;
    if ((t->n + 1) * 2 > t->cap && names_grow(t) < 0)
        return NO_NAME;
    if (t->n == t->cap_v) {
        size_t cap = t->cap_v ? t->cap_v * 2 : 64;
        struct name_entry *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return NO_NAME;
        t->v = v;
        t->cap_v = cap;
    }
    char *str = arena_alloc(a, n + 1);
    if (!str)
        return NO_NAME;
    memcpy(str, s, n);
    str[n] = '\0';
    size_t i = h & (t->cap - 1);
    while (t->slot[i])
        i = (i + 1) & (t->cap - 1);
    t->slot[i] = t->n + 1;
    t->v[t->n] = (struct name_entry){.str = str, .len = n, .hash = h};
    return t->n++;
}

/* ---- series identity -------------------------------------------------- */

/* One slot per distinct series: the index of the sample kept for it. */
struct series_table {
    struct series_slot {
        uint64_t hash;
        size_t sample; /* index + 1; 0 is empty */
    } *v;
    size_t cap, n;
};

/* ---- parser ----------------------------------------------------------- */

struct raw_label {
    const char *name; /* interned: equal names are equal pointers */
    size_t name_len, name_id;
    size_t vstart, vend; /* the value between the quotes, still escaped */
};

struct parser {
    struct lexer lx;
    struct arena arena;
    struct names names;
    struct series_table series;
    struct expo_sample *samples;
    size_t n_samples, cap_samples;
    size_t *name_ids;             /* per sample: the index of its name in names */
    struct raw_label *labels;     /* the current sample's labels */
    size_t n_labels, cap_labels;
    size_t serial;                /* samples parsed, for the marks on names */
    size_t n_read;                /* sample lines read, repeats included */
    /* The previous sample's names: buckets and series of one family
     * repeat them, so most names are found without hashing. */
    size_t last_name, last_labels[8];
    int owns_text;                /* lx.b is a copy to free */
    struct error *err;
};

static size_t line_of(const struct parser *p, size_t pos)
{
    size_t line = 1;
    const unsigned char *s = p->lx.b, *end = p->lx.b + (pos < p->lx.n ? pos : p->lx.n);
    while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
        line++;
        s++;
    }
    return line;
}

static int fail(struct parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, size_t pos, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    error_set(p->err, "line %zu: %s", line_of(p, pos), msg);
    return -1;
}

static int fail_nomem(struct parser *p)
{
    error_set(p->err, "out of memory");
    return -1;
}

/* Bytes of the text for a message: at most 40, control bytes escaped. */
static const char *quote(const unsigned char *s, size_t n, char *buf, size_t size)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 8 < size; i++) {
        if (i == 40) {
            k += (size_t)snprintf(buf + k, size - k, "...");
            break;
        }
        if (s[i] == '\r')
            k += (size_t)snprintf(buf + k, size - k, "\\r");
        else if (s[i] < 0x20 || s[i] == 0x7f)
            k += (size_t)snprintf(buf + k, size - k, "\\x%02x", s[i]);
        else
            buf[k++] = (char)s[i];
    }
    buf[k] = '\0';
    return buf;
}

/* What the last token was, for messages ("got a label value"). */
static const char *describe(const struct parser *p, enum tok t, char *buf, size_t size)
{
    switch (t) {
    case T_EOF: return "the end of the text";
    case T_LINEBREAK: return "the end of the line";
    case T_HELP: return "HELP";
    case T_TYPE: return "TYPE";
    case T_TEXT: return "text";
    case T_COMMENT: return "a comment";
    case T_MNAME: return "a metric name";
    case T_BRACE_OPEN: return "'{'";
    case T_BRACE_CLOSE: return "'}'";
    case T_LNAME: return "a label name";
    case T_LVALUE: return "a label value";
    case T_COMMA: return "','";
    case T_EQUAL: return "'='";
    case T_TIMESTAMP: return "a timestamp";
    case T_VALUE: return "a value";
    case T_WS: return "whitespace";
    case T_INVALID: break;
    }
    unsigned char c = p->lx.start < p->lx.n ? p->lx.b[p->lx.start] : 0;
    if (c == '\n')
        return "the end of the line";
    if (c == '"')
        return "an unterminated or broken label value";
    if (c > 0x20 && c < 0x7f)
        snprintf(buf, size, "'%c'", c);
    else
        snprintf(buf, size, "byte 0x%02x", c);
    return buf;
}

#define GOT(t) describe(p, (t), got, sizeof got)

static int labels_push(struct parser *p, size_t name_id, size_t vs, size_t ve)
{
    if (p->n_labels == p->cap_labels) {
        size_t cap = p->cap_labels ? p->cap_labels * 2 : 16;
        struct raw_label *v = realloc(p->labels, cap * sizeof *v);
        if (!v)
            return fail_nomem(p);
        p->labels = v;
        p->cap_labels = cap;
    }
    const struct name_entry *name = &p->names.v[name_id];
    p->labels[p->n_labels++] = (struct raw_label){name->str, name->len, name_id, vs, ve};
    return 0;
}

/* parseLVals: after '{', up to and including '}'. */
static int parse_labels(struct parser *p)
{
    struct lexer *l = &p->lx;
    char got[32];
    enum tok t = lx_token(l);
    for (;;) {
        if (t == T_BRACE_CLOSE)
            return 0;
        if (t != T_LNAME)
            return fail(p, l->start, "expected a label name or '}', got %s", GOT(t));
        size_t ns = l->start, ne = l->i;
        if ((t = lx_token(l)) != T_EQUAL)
            return fail(p, l->start, "expected '=' after label name \"%.*s\", got %s",
                        (int)(ne - ns), (const char *)l->b + ns, GOT(t));
        if ((t = lx_token(l)) != T_LVALUE)
            return fail(p, l->start, "expected a quoted value for label \"%.*s\", got %s",
                        (int)(ne - ns), (const char *)l->b + ns, GOT(t));
        if (!utf8_valid(l->b + l->start, l->i - l->start))
            return fail(p, l->start, "label \"%.*s\": the value is not valid UTF-8",
                        (int)(ne - ns), (const char *)l->b + ns);
        size_t pos = p->n_labels, name = pos < 8 ? p->last_labels[pos] : NO_NAME;
        if (!names_is(&p->names, name, l->b + ns, ne - ns)) {
            name = names_intern(&p->names, &p->arena, l->b + ns, ne - ns);
            if (name == NO_NAME)
                return fail_nomem(p);
            if (pos < 8)
                p->last_labels[pos] = name;
        }
        /* Between the quotes, as promparse.go takes it: start+1 .. i-1. */
        if (labels_push(p, name, l->start + 1, l->i - 1) < 0)
            return -1;
        /* Free trailing commas, and commas left out, are allowed. */
        if ((t = lx_token(l)) == T_COMMA)
            t = lx_token(l);
    }
}

/* job and instance may repeat: the scrape's target labels replace them
 * (core/scrape.c keeps the first value as exported_job/exported_instance),
 * as Prometheus's honor_labels: false does before it looks for duplicates. */
static int is_target_label(const char *name)
{
    return strcmp(name, "job") == 0 || strcmp(name, "instance") == 0;
}

/* What the scrape does to the label set: every label of a name that has
 * an empty value somewhere is deleted (labels.Builder.Reset), then the
 * names left must be distinct (HasDuplicateLabelNames). Marks each
 * deleted label by emptying its value range; returns a duplicated name or
 * NULL. Linear: the marks live on the interned names. */
static const char *apply_label_rules(struct parser *p)
{
    size_t serial = ++p->serial;
    for (size_t i = 0; i < p->n_labels; i++)
        if (p->labels[i].vend == p->labels[i].vstart)
            p->names.v[p->labels[i].name_id].deleted_in = serial;
    for (size_t i = 0; i < p->n_labels; i++) {
        struct raw_label *r = &p->labels[i];
        struct name_entry *e = &p->names.v[r->name_id];
        if (e->deleted_in == serial) {
            r->vend = r->vstart;
            continue;
        }
        if (e->seen_in == serial && !is_target_label(r->name))
            return r->name;
        e->seen_in = serial;
    }
    return NULL;
}

/* Copies a label value into the arena with lvalReplacer's unescaping:
 * \\ \" \n become one byte; any other backslash stays. */
static char *unescape(struct parser *p, size_t vs, size_t ve, uint64_t *hash)
{
    char *out = arena_alloc(&p->arena, ve - vs + 1);
    if (!out)
        return NULL;
    const unsigned char *s = p->lx.b;
    size_t k = 0;
    for (size_t i = vs; i < ve; i++) {
        unsigned char c = s[i];
        if (c == '\\' && i + 1 < ve) {
            unsigned char e = s[i + 1];
            if (e == '\\' || e == '"' || e == 'n') {
                c = e == 'n' ? '\n' : e;
                i++;
            }
        }
        out[k++] = (char)c;
    }
    out[k] = '\0';
    *hash = hash_bytes((const unsigned char *)out, k);
    return out;
}

static int same_series(const struct expo_sample *a, const struct expo_sample *b)
{
    if (a->name != b->name || a->n_labels != b->n_labels)
        return 0;
    for (size_t i = 0; i < a->n_labels; i++) {
        size_t j = 0;
        while (j < b->n_labels && b->labels[j].name != a->labels[i].name)
            j++;
        if (j == b->n_labels || strcmp(b->labels[j].value, a->labels[i].value) != 0)
            return 0;
    }
    return 1;
}

/* Whether a later sample of a series replaces the kept one: as in the
 * head, only a strictly newer time is appended; a sample without a
 * timestamp is at scrape time, after any timestamp written. */
static int newer(const struct expo_sample *later, const struct expo_sample *kept)
{
    if (!kept->has_timestamp)
        return 0;
    return !later->has_timestamp || later->timestamp_ms > kept->timestamp_ms;
}

static int series_grow(struct series_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    struct series_slot *v = calloc(cap, sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->v[i].sample)
            continue;
        size_t j = t->v[i].hash & (cap - 1);
        while (v[j].sample)
            j = (j + 1) & (cap - 1);
        v[j] = t->v[i];
    }
    free(t->v);
    t->v = v;
    t->cap = cap;
    return 0;
}

/* Adds the sample at p->samples[p->n_samples] (already filled) unless it
 * repeats a series already kept; returns -1 only when memory is out. */
static int keep_sample(struct parser *p, uint64_t hash, size_t name_id)
{
    struct series_table *t = &p->series;
    struct expo_sample *s = &p->samples[p->n_samples];
    p->n_read++;
    if ((t->n + 1) * 2 > t->cap && series_grow(t) < 0)
        return fail_nomem(p);
    size_t i = hash & (t->cap - 1);
    for (; t->v[i].sample; i = (i + 1) & (t->cap - 1)) {
        if (t->v[i].hash != hash)
            continue;
        struct expo_sample *kept = &p->samples[t->v[i].sample - 1];
        if (!same_series(s, kept))
            continue;
        if (!newer(s, kept))
            return 0; /* dropped, as the head drops it */
        t->v[i].sample = p->n_samples + 1;
        p->name_ids[p->n_samples++] = name_id;
        return 0;
    }
    t->v[i].hash = hash;
    t->v[i].sample = p->n_samples + 1;
    t->n++;
    p->name_ids[p->n_samples++] = name_id;
    return 0;
}

/* The rest of a sample line, its metric name being the last token. */
static int parse_sample(struct parser *p, size_t line_start)
{
    struct lexer *l = &p->lx;
    char got[32], text[200];
    size_t name_start = l->start, name_end = l->i;
    p->n_labels = 0;

    enum tok t = lx_token(l);
    if (t == T_BRACE_OPEN) {
        if (parse_labels(p) < 0)
            return -1;
        t = lx_token(l);
    }
    if (t != T_VALUE)
        return fail(p, l->start, "expected a value after the metric %s, got %s",
                    p->n_labels ? "labels" : "name", GOT(t));
    double value = 0;
    switch (parse_value(l->b + l->start, l->i - l->start, &value)) {
    case FLOAT_OK: break;
    case FLOAT_NOMEM: return fail_nomem(p);
    case FLOAT_RANGE:
        return fail(p, l->start, "value \"%s\" is out of the range of a float64",
                    quote(l->b + l->start, l->i - l->start, text, sizeof text));
    case FLOAT_UNSUPPORTED:
    case FLOAT_SYNTAX:
        return fail(p, l->start, "\"%s\" is not a number",
                    quote(l->b + l->start, l->i - l->start, text, sizeof text));
    }
    int has_ts = 0;
    int64_t ts = 0;
    t = lx_token(l);
    if (t == T_TIMESTAMP) {
        has_ts = 1;
        if (parse_timestamp(l->b + l->start, l->i - l->start, &ts) < 0)
            return fail(p, l->start, "timestamp %s is out of range",
                        quote(l->b + l->start, l->i - l->start, text, sizeof text));
        if ((t = lx_token(l)) != T_LINEBREAK)
            return fail(p, l->start, "expected the end of the line after the timestamp, got %s",
                        GOT(t));
    } else if (t != T_LINEBREAK) {
        return fail(p, l->start, "expected a timestamp or the end of the line, got %s", GOT(t));
    }

    /* The line parsed; now what the scrape itself refuses. */
    if (name_start != line_start)
        return fail(p, name_start, "a sample line must not start with whitespace");
    for (size_t i = 0; i < p->n_labels; i++)
        if (p->labels[i].name_len == 8 && memcmp(p->labels[i].name, "__name__", 8) == 0)
            return fail(p, name_start, "label __name__ is not allowed inside the braces");
    const char *dup = apply_label_rules(p);
    if (dup)
        return fail(p, name_start, "label \"%s\" appears twice", dup);

    size_t name_id = p->last_name;
    if (!names_is(&p->names, name_id, l->b + name_start, name_end - name_start)) {
        name_id = names_intern(&p->names, &p->arena, l->b + name_start, name_end - name_start);
        if (name_id == NO_NAME)
            return fail_nomem(p);
        p->last_name = name_id;
    }
    const char *name = p->names.v[name_id].str;
    size_t kept = 0;
    for (size_t i = 0; i < p->n_labels; i++)
        kept += p->labels[i].vend > p->labels[i].vstart;
    struct expo_label *labels = NULL;
    uint64_t hash = mix64((uint64_t)(uintptr_t)name);
    if (kept) {
        labels = arena_alloc(&p->arena, kept * sizeof *labels);
        if (!labels)
            return fail_nomem(p);
        size_t k = 0;
        for (size_t i = 0; i < p->n_labels; i++) {
            const struct raw_label *r = &p->labels[i];
            if (r->vend == r->vstart)
                continue; /* deleted: an empty value is no label at all */
            uint64_t vh;
            char *v = unescape(p, r->vstart, r->vend, &vh);
            if (!v)
                return fail_nomem(p);
            labels[k++] = (struct expo_label){r->name, v};
            /* Order-independent: a sum of per-label hashes. */
            hash += mix64(vh ^ mix64((uint64_t)(uintptr_t)r->name));
        }
    }

    if (p->n_samples == p->cap_samples) {
        size_t cap = p->cap_samples ? p->cap_samples * 2 : 256;
        struct expo_sample *v = realloc(p->samples, cap * sizeof *v);
        if (!v)
            return fail_nomem(p);
        p->samples = v;
        size_t *ids = realloc(p->name_ids, cap * sizeof *ids);
        if (!ids)
            return fail_nomem(p);
        p->name_ids = ids;
        p->cap_samples = cap;
    }
    p->samples[p->n_samples] = (struct expo_sample){
        .name = name,
        .labels = labels,
        .n_labels = kept,
        .value = value,
        .has_timestamp = has_ts,
        .timestamp_ms = ts,
        .type = EXPO_UNTYPED,
    };
    return keep_sample(p, hash, name_id);
}

/* A "# HELP" or "# TYPE" line, its keyword being the last token. */
static int parse_meta(struct parser *p, enum tok kw)
{
    struct lexer *l = &p->lx;
    char got[32], msg[200];
    const char *what = kw == T_HELP ? "HELP" : "TYPE";
    enum tok t = lx_token(l);
    if (t != T_MNAME)
        return fail(p, l->start, "expected a metric name after %s, got %s", what, GOT(t));
    size_t ns = l->start, ne = l->i;
    if ((t = lx_token(l)) != T_TEXT)
        return fail(p, l->start, "expected text in %s, got %s", what, GOT(t));
    /* The text is the rest of the line less its first byte (normally the
     * blank after the name), exactly as promparse.go takes it. */
    const unsigned char *text = l->b + l->start + 1;
    size_t tlen = l->i - l->start > 1 ? l->i - l->start - 1 : 0;
    if (kw == T_TYPE) {
        static const struct {
            const char *word;
            enum expo_type type;
        } types[] = {{"counter", EXPO_COUNTER},     {"gauge", EXPO_GAUGE},
                     {"histogram", EXPO_HISTOGRAM}, {"summary", EXPO_SUMMARY},
                     {"untyped", EXPO_UNTYPED}};
        size_t k = 0;
        while (k < sizeof types / sizeof types[0] &&
               !(strlen(types[k].word) == tlen && memcmp(types[k].word, text, tlen) == 0))
            k++;
        if (k == sizeof types / sizeof types[0])
            return fail(p, ns, "invalid metric type \"%s\"", quote(text, tlen, msg, sizeof msg));
        size_t e = names_intern(&p->names, &p->arena, l->b + ns, ne - ns);
        if (e == NO_NAME)
            return fail_nomem(p);
        p->names.v[e].declared = 1; /* the last TYPE line for a name wins */
        p->names.v[e].type = types[k].type;
    } else if (!utf8_valid(text, tlen)) {
        return fail(p, ns, "HELP text is not valid UTF-8");
    }
    if ((t = lx_token(l)) != T_LINEBREAK)
        return fail(p, l->start, "expected the end of the line after %s, got %s", what, GOT(t));
    return 0;
}

/* The family convention of the format: name_bucket/_sum/_count belong to
 * histogram "name", name_sum/_count to summary "name". */
static enum expo_type resolve_type(struct parser *p, struct name_entry *e)
{
    if (e->resolved)
        return e->resolved_type;
    enum expo_type type = EXPO_UNTYPED;
    if (e->declared) {
        type = e->type;
    } else {
        static const struct {
            const char *suffix;
            int summary_too;
        } sfx[] = {{"_bucket", 0}, {"_sum", 1}, {"_count", 1}};
        for (size_t k = 0; k < sizeof sfx / sizeof sfx[0]; k++) {
            size_t sl = strlen(sfx[k].suffix);
            if (e->len <= sl || memcmp(e->str + e->len - sl, sfx[k].suffix, sl) != 0)
                continue;
            const unsigned char *stem = (const unsigned char *)e->str;
            size_t fk = names_find(&p->names, stem, e->len - sl, hash_bytes(stem, e->len - sl));
            const struct name_entry *f = fk == NO_NAME ? NULL : &p->names.v[fk];
            if (f && f->declared &&
                (f->type == EXPO_HISTOGRAM || (sfx[k].summary_too && f->type == EXPO_SUMMARY)))
                type = f->type;
            break;
        }
    }
    e->resolved = 1;
    e->resolved_type = type;
    return type;
}

/* PromParser.Next, looped to the end. */
static int parse_all(struct parser *p)
{
    struct lexer *l = &p->lx;
    char got[32];
    for (;;) {
        size_t line_start = l->i;
        enum tok t = lx_token(l);
        switch (t) {
        case T_EOF:
            return 0;
        case T_LINEBREAK:
            continue;
        case T_HELP:
        case T_TYPE:
            if (parse_meta(p, t) < 0)
                return -1;
            continue;
        case T_COMMENT:
            if ((t = lx_token(l)) != T_LINEBREAK)
                return fail(p, l->start, "expected the end of the line after a comment, got %s",
                            GOT(t));
            continue;
        case T_MNAME:
            if (parse_sample(p, line_start) < 0)
                return -1;
            continue;
        default:
            return fail(p, l->start, "a line must start with a metric name or '#', got %s",
                        GOT(t));
        }
    }
}

static void parser_scratch_free(struct parser *p)
{
    if (p->owns_text)
        free((void *)p->lx.b);
    free(p->names.v);
    free(p->names.slot);
    free(p->series.v);
    free(p->name_ids);
    free(p->labels);
}

int expo_parse(const char *text, size_t len, struct expo *out, struct error *err)
{
    struct parser p = {.err = err};
    out->samples = NULL;
    out->n_samples = 0;
    out->arena = NULL;

    p.last_name = NO_NAME;
    for (size_t i = 0; i < 8; i++)
        p.last_labels[i] = NO_NAME;
    struct arena *arena = malloc(sizeof *arena);
    if (!arena)
        return fail_nomem(&p);
    if (len > 0 && text[len - 1] == '\n') {
        /* Prometheus appends a '\n' (NewPromParser); after a text that ends
         * in one it only adds a blank line, so the text is lexed in place.
         * The lexer never reads at or past n. */
        p.lx = (struct lexer){.b = (const unsigned char *)text, .n = len, .state = S_INIT};
    } else {
        unsigned char *b = malloc(len + 1);
        if (!b) {
            free(arena);
            return fail_nomem(&p);
        }
        if (len)
            memcpy(b, text, len);
        b[len] = '\n';
        p.lx = (struct lexer){.b = b, .n = len + 1, .state = S_INIT};
        p.owns_text = 1;
    }
    /* Strings and label arrays of a typical exposition take about as much
     * as its text; start there so most parses use one block. */
    p.arena.next_cap = len + len / 2 + 4096;

    if (parse_all(&p) < 0) {
        arena_free(&p.arena);
        free(p.samples);
        free(arena);
        parser_scratch_free(&p);
        return -1;
    }
    for (size_t i = 0; i < p.n_samples; i++)
        p.samples[i].type = resolve_type(&p, &p.names.v[p.name_ids[i]]);

    *arena = p.arena;
    out->samples = p.samples;
    out->n_samples = p.n_samples;
    out->n_read = p.n_read;
    out->arena = arena;
    parser_scratch_free(&p);
    return 0;
}

void expo_free(struct expo *e)
{
    if (!e)
        return;
    if (e->arena) {
        arena_free(e->arena);
        free(e->arena);
    }
    free(e->samples);
    e->samples = NULL;
    e->n_samples = 0;
    e->arena = NULL;
}

const char *expo_label(const struct expo_sample *s, const char *name)
{
    for (size_t i = 0; i < s->n_labels; i++)
        if (strcmp(s->labels[i].name, name) == 0)
            return s->labels[i].value;
    return NULL;
}
