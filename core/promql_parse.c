/* promql_parse.c — reads a signal expression into a typed syntax tree, with
 * errors that say at which column and what was expected. It follows
 * Prometheus 2.42's lexer and grammar (promql/parser/lex.go,
 * generated_parser.y, parse.go) for the subset in promql.h:
 *   - keywords (sum, by, on, inf, nan, ...) are case-insensitive, function
 *     names are not; an identifier followed by '(' is a call, otherwise a
 *     metric name (lexKeywordOrIdentifier, function_call);
 *   - numbers: decimal, hex, a leading 0 is octal, then ParseFloat
 *     (parser.number); a number directly followed by a unit is a duration
 *     and not allowed outside [...] (lexNumberOrDuration);
 *   - strings: "..." and '...' with Go escapes, `...` raw (lexString);
 *   - unary minus binds like '*' and folds into a number literal
 *     (unary_expr); + - are below * / and all are left-associative;
 *   - a selector needs a matcher that does not match "" and at most one
 *     metric name (assembleVectorSelector, checkAST);
 *   - a range needs a duration > 0 and only follows a selector;
 *   - the type rules of checkAST: rate & co. take a range vector,
 *     histogram_quantile (scalar, vector), aggregations a vector, binary
 *     operators only scalars and vectors, on/ignoring only between vectors.
 * '#' starts a comment to the end of the line, as in PromQL. */
#include "promql_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum tok_kind {
    T_EOF, T_NUMBER, T_DURATION, T_IDENT, T_STRING, T_LPAREN, T_RPAREN, T_LBRACE,
    T_RBRACE, T_LBRACKET, T_RBRACKET, T_COMMA, T_COLON, T_AT, T_ADD, T_SUB, T_MUL,
    T_DIV, T_MOD, T_POW, T_ASSIGN, T_EQLC, T_NEQ, T_RE, T_NRE, T_GTR, T_LSS, T_GTE,
    T_LTE, T_BAD,
};

struct tok {
    enum tok_kind kind;
    size_t pos, len;
};

struct parser {
    const char *text;
    size_t len;
    struct tok tok;     /* the current token */
    int depth;          /* recursion depth of parse_expr / parse_unary */
    struct error *err;
    int failed;
};

/* --- errors ---------------------------------------------------------------- */

/* 1-based column of a byte offset, counting UTF-8 characters. */
static size_t column(const struct parser *p, size_t pos)
{
    size_t col = 1;
    for (size_t i = 0; i < pos && i < p->len; i++)
        if (((unsigned char)p->text[i] & 0xC0) != 0x80)
            col++;
    return col;
}

__attribute__((format(printf, 3, 4)))
static void fail_at(struct parser *p, size_t pos, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = 1;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    error_set(p->err, "at column %zu: %s", column(p, pos), msg);
}

static void unsupported(struct parser *p, size_t pos, const char *what, const char *name)
{
    fail_at(p, pos, "%s `%s` is not supported by the scrape source; use a prometheus source",
            what, name);
}

/* --- lexer ------------------------------------------------------------------ */

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
    return is_alpha(c) || is_digit(c);
}

static size_t skip_space(const struct parser *p, size_t i)
{
    for (;;) {
        while (i < p->len && strchr(" \t\n\r", p->text[i]))
            i++;
        if (i >= p->len || p->text[i] != '#')
            return i;
        while (i < p->len && p->text[i] != '\n')
            i++;
    }
}

/* Number (digits, hex, point, exponent) as lex.go scanNumber; then a unit
 * makes it a duration. */
static enum tok_kind lex_number(const struct parser *p, size_t *i)
{
    const char *s = p->text;
    const char *digits = "0123456789";
    if (s[*i] == '0' && (s[*i + 1] == 'x' || s[*i + 1] == 'X')) {
        digits = "0123456789abcdefABCDEF";
        *i += 2;
    }
    *i += strspn(s + *i, digits);
    if (s[*i] == '.')
        *i += 1 + strspn(s + *i + 1, digits);
    if (s[*i] == 'e' || s[*i] == 'E') {
        (*i)++;
        if (s[*i] == '+' || s[*i] == '-')
            (*i)++;
        *i += strspn(s + *i, "0123456789");
    }
    if (!is_alnum(s[*i]))
        return T_NUMBER;
    while (is_alnum(s[*i]))
        (*i)++;
    return T_DURATION;
}

static enum tok_kind lex_string(const struct parser *p, size_t *i)
{
    char q = p->text[(*i)++];
    while (*i < p->len && p->text[*i] != q) {
        if (q != '`' && p->text[*i] == '\n')
            return T_BAD;
        if (q != '`' && p->text[*i] == '\\' && *i + 1 < p->len)
            (*i)++;
        (*i)++;
    }
    if (*i >= p->len)
        return T_BAD;
    (*i)++;
    return T_STRING;
}

static const struct {
    const char *text;
    enum tok_kind kind;
} punct[] = {
    {"==", T_EQLC}, {"!=", T_NEQ}, {"=~", T_RE}, {"!~", T_NRE}, {">=", T_GTE}, {"<=", T_LTE},
    {"(", T_LPAREN}, {")", T_RPAREN}, {"{", T_LBRACE}, {"}", T_RBRACE}, {"[", T_LBRACKET},
    {"]", T_RBRACKET}, {",", T_COMMA}, {":", T_COLON}, {"@", T_AT}, {"+", T_ADD},
    {"-", T_SUB}, {"*", T_MUL}, {"/", T_DIV}, {"%", T_MOD}, {"^", T_POW}, {"=", T_ASSIGN},
    {">", T_GTR}, {"<", T_LSS},
};

static enum tok_kind lex_punct(const struct parser *p, size_t *i)
{
    for (size_t k = 0; k < sizeof punct / sizeof punct[0]; k++) {
        size_t n = strlen(punct[k].text);
        if (strncmp(p->text + *i, punct[k].text, n) == 0) {
            *i += n;
            return punct[k].kind;
        }
    }
    (*i)++;
    return T_BAD;
}

static struct tok lex_at(const struct parser *p, size_t i)
{
    struct tok t = {T_EOF, skip_space(p, i), 0};
    size_t j = t.pos;
    const char *s = p->text;
    if (j >= p->len)
        return t;
    if (is_digit(s[j]) || (s[j] == '.' && is_digit(s[j + 1])))
        t.kind = lex_number(p, &j);
    else if (is_alpha(s[j]) || s[j] == ':') {
        while (is_alnum(s[j]) || s[j] == ':')
            j++;
        t.kind = T_IDENT;
    } else if (s[j] == '"' || s[j] == '\'' || s[j] == '`')
        t.kind = lex_string(p, &j);
    else
        t.kind = lex_punct(p, &j);
    t.len = j - t.pos;
    return t;
}

static void advance(struct parser *p)
{
    p->tok = lex_at(p, p->tok.pos + p->tok.len);
}

static int tok_is(const struct parser *p, const char *word)
{
    return p->tok.kind == T_IDENT && strlen(word) == p->tok.len &&
           strncasecmp(p->text + p->tok.pos, word, p->tok.len) == 0;
}

static char *tok_text(const struct parser *p, const struct tok *t)
{
    return strndup(p->text + t->pos, t->len);
}

static const char *tok_name(enum tok_kind k)
{
    static const char *names[] = {
        "end of input", "number", "duration", "identifier", "string", "'('", "')'", "'{'",
        "'}'", "'['", "']'", "','", "':'", "'@'", "'+'", "'-'", "'*'", "'/'", "'%'", "'^'",
        "'='", "'=='", "'!='", "'=~'", "'!~'", "'>'", "'<'", "'>='", "'<='", "character",
    };
    return names[k];
}

/* Fails with "expected X, got Y" at the current token. */
static void expected(struct parser *p, const char *what)
{
    unsigned char c = (unsigned char)p->text[p->tok.pos];
    if (p->tok.kind == T_BAD && c != '"' && c != '\'' && c != '`')
        fail_at(p, p->tok.pos, c > ' ' && c < 127 ? "expected %s, got unexpected character '%c'"
                                                   : "expected %s, got unexpected byte 0x%02x",
                what, c);
    else if (p->tok.kind == T_BAD)
        fail_at(p, p->tok.pos, "unterminated quoted string");
    else
        fail_at(p, p->tok.pos, "expected %s, got %s", what, tok_name(p->tok.kind));
}

static int expect(struct parser *p, enum tok_kind k, const char *what)
{
    if (p->tok.kind != k) {
        expected(p, what);
        return -1;
    }
    advance(p);
    return 0;
}

/* --- words ------------------------------------------------------------------------ */

static const char *const keywords[] = {
    "and", "or", "unless", "atan2", "offset", "by", "without", "on", "ignoring",
    "group_left", "group_right", "bool", "start", "end",
};
static const char *const aggregators[] = {"sum", "avg", "min", "max", "count"};
static const char *const other_aggregators[] = {
    "group", "stddev", "stdvar", "topk", "bottomk", "count_values", "quantile",
};
static const char *const functions[] = {
    "rate", "irate", "increase", "delta", "idelta", "histogram_quantile",
};
/* Prometheus 2.42's other functions (promql/parser/functions.go). */
static const char *const other_functions[] = {
    "abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh",
    "avg_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "cos", "cosh",
    "count_over_time", "days_in_month", "day_of_month", "day_of_week", "day_of_year", "deg",
    "deriv", "exp", "floor", "histogram_count", "histogram_sum", "histogram_fraction",
    "holt_winters", "hour", "label_replace", "label_join", "last_over_time", "ln", "log10",
    "log2", "max_over_time", "min_over_time", "minute", "month", "pi", "predict_linear",
    "present_over_time", "quantile_over_time", "rad", "resets", "round", "scalar", "sgn",
    "sin", "sinh", "sort", "sort_desc", "sqrt", "stddev_over_time", "stdvar_over_time",
    "sum_over_time", "tan", "tanh", "time", "timestamp", "vector", "year",
};
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Index of the current identifier in words, or -1. */
static int word_index(const struct parser *p, const char *const *words, size_t n, int nocase)
{
    if (p->tok.kind != T_IDENT)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (strlen(words[i]) != p->tok.len)
            continue;
        const char *s = p->text + p->tok.pos;
        if (nocase ? strncasecmp(s, words[i], p->tok.len) == 0
                   : strncmp(s, words[i], p->tok.len) == 0)
            return (int)i;
    }
    return -1;
}

static int is_label_name(const struct parser *p, const struct tok *t)
{
    if (t->kind != T_IDENT)
        return 0;
    for (size_t i = 0; i < t->len; i++)
        if (p->text[t->pos + i] == ':')
            return 0;
    return 1;
}

/* --- nodes ------------------------------------------------------------------------ */

static struct pq_node *node_new(struct parser *p, enum pq_kind kind, enum pq_type type)
{
    struct pq_node *n = calloc(1, sizeof *n);
    if (!n)
        fail_at(p, p->tok.pos, "out of memory");
    else {
        n->kind = kind;
        n->type = type;
        n->depth = 1;
    }
    return n;
}

/* Sets n's depth from its arguments; fails past PQ_MAX_DEPTH. */
static int nest(struct parser *p, struct pq_node *n, size_t pos)
{
    for (size_t i = 0; i < n->n_args; i++)
        if (n->args[i]->depth + 1 > n->depth)
            n->depth = n->args[i]->depth + 1;
    if (n->depth <= PQ_MAX_DEPTH)
        return 0;
    fail_at(p, pos, "the expression nests too deeply (over %d levels)", PQ_MAX_DEPTH);
    return -1;
}

/* Guards the parser's own recursion the same way. */
static int enter(struct parser *p)
{
    if (p->depth < PQ_MAX_DEPTH) {
        p->depth++;
        return 0;
    }
    fail_at(p, p->tok.pos, "the expression nests too deeply (over %d levels)", PQ_MAX_DEPTH);
    return -1;
}

void pq_node_free(struct pq_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_matchers; i++)
        series_matcher_free(&n->matchers[i]);
    free(n->matchers);
    for (size_t i = 0; i < n->n_labels; i++)
        free(n->labels[i]);
    free(n->labels);
    for (size_t i = 0; i < n->n_args; i++)
        pq_node_free(n->args[i]);
    free(n);
}

static const char *type_name(enum pq_type t)
{
    return t == PQ_SCALAR ? "scalar" : t == PQ_VECTOR ? "instant vector" : "range vector";
}

/* --- strings ------------------------------------------------------------------------ */

/* Length of the valid UTF-8 character at s (at most n bytes), or 0. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (len == 0 || len > n || s[0] > 0xF4)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    unsigned cp = (unsigned)(s[0] & (0x7F >> len));
    for (size_t i = 1; i < len; i++)
        cp = cp << 6 | (s[i] & 0x3F);
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

static size_t utf8_put(char *out, unsigned long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Reads n digits of the given base at s into *v; -1 if one is not. */
static int read_digits(const char *s, size_t n, int base, unsigned long *v)
{
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        const char *d = strchr("0123456789abcdef", s[i] >= 'A' && s[i] <= 'F' ? s[i] + 32 : s[i]);
        if (!s[i] || !d || d - "0123456789abcdef" >= base)
            return -1;
        *v = *v * (unsigned long)base + (unsigned long)(d - "0123456789abcdef");
    }
    return 0;
}

/* One Go escape after the backslash at s (strconv.UnquoteChar): writes the
 * bytes to out, returns how many input bytes it used, or 0 if invalid. */
static size_t unescape(const char *s, char quote, char *out, size_t *out_len)
{
    static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v\\\\";
    const char *hit = s[0] ? strchr(simple, s[0]) : NULL;
    unsigned long v;
    if (hit && (hit - simple) % 2 == 0) {
        *out_len = 1, out[0] = hit[1];
        return 1;
    }
    if (s[0] == quote && quote != '`') {
        *out_len = 1, out[0] = quote;
        return 1;
    }
    if (s[0] == 'x' && read_digits(s + 1, 2, 16, &v) == 0) {
        *out_len = 1, out[0] = (char)v;
        return 3;
    }
    if (s[0] >= '0' && s[0] <= '7' && read_digits(s, 3, 8, &v) == 0 && v <= 255) {
        *out_len = 1, out[0] = (char)v;
        return 3;
    }
    size_t n = s[0] == 'u' ? 4 : s[0] == 'U' ? 8 : 0;
    if (n && read_digits(s + 1, n, 16, &v) == 0 && v <= 0x10FFFF &&
        !(v >= 0xD800 && v <= 0xDFFF)) {
        *out_len = utf8_put(out, v);
        return n + 1;
    }
    return 0;
}

/* The value of the string token t (quotes removed, escapes applied), or
 * NULL after failing. */
static char *unquote(struct parser *p, const struct tok *t)
{
    const char *s = p->text + t->pos;
    char q = s[0];
    size_t n = t->len - 2, o = 0;
    char *out = malloc(n * 2 + 1);
    if (!out) {
        fail_at(p, t->pos, "out of memory");
        return NULL;
    }
    for (size_t i = 1; i <= n;) {
        size_t used, len = utf8_char((const unsigned char *)s + i, n + 1 - i);
        if (s[i] == '\\' && q != '`') {
            used = unescape(s + i + 1, q, out + o, &len);
            if (!used) {
                fail_at(p, t->pos + i, "invalid escape sequence in string");
                break;
            }
            i += used + 1;
            o += len;
            continue;
        }
        if (!len) {
            fail_at(p, t->pos + i, "invalid UTF-8 in string");
            break;
        }
        memcpy(out + o, s + i, len);
        o += len, i += len;
    }
    out[o] = 0;
    if (!p->failed && strlen(out) != o)
        fail_at(p, t->pos, "a string cannot contain a NUL character");
    if (p->failed) {
        free(out);
        return NULL;
    }
    return out;
}

/* --- numbers and durations ------------------------------------------------------------ */

/* parser.number: strconv.ParseInt(s, 0, 64) first (hex, a leading 0 octal),
 * then strconv.ParseFloat. */
static int number_value(const char *s, double *v)
{
    char *end;
    int base = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : s[0] == '0' ? 8 : 10;
    const char *digits = base == 16 ? s + 2 : s;
    if (*digits && strspn(digits, base == 16 ? "0123456789abcdefABCDEF"
                                  : base == 8 ? "01234567" : "0123456789") == strlen(digits)) {
        errno = 0;
        long long n = strtoll(digits, &end, base);
        if (errno == 0) {
            *v = (double)n;
            return 0;
        }
    }
    return pq_parse_float(s, v);
}

static struct pq_node *parse_number(struct parser *p)
{
    char *s = tok_text(p, &p->tok);
    struct pq_node *n = s ? node_new(p, PQ_NUMBER, PQ_SCALAR) : NULL;
    if (n && number_value(s, &n->num) != 0) {
        fail_at(p, p->tok.pos, "bad number \"%s\"", s);
        pq_node_free(n);
        n = NULL;
    }
    free(s);
    if (n)
        advance(p);
    return n;
}

/* [duration] after a selector; a ':' would make it a subquery. */
static int parse_range(struct parser *p, struct pq_node *sel)
{
    size_t at = p->tok.pos;
    advance(p);
    struct tok t = p->tok;
    if (t.kind == T_DURATION || t.kind == T_NUMBER) {
        if (t.kind == T_NUMBER || pq_parse_duration(p->text + t.pos, t.len, &sel->range_ms) != 0) {
            fail_at(p, t.pos, "bad duration \"%.*s\" (write e.g. 30s, 5m, 1h30m)", (int)t.len,
                    p->text + t.pos);
            return -1;
        }
        if (sel->range_ms == 0) {
            fail_at(p, t.pos, "the range must be greater than 0");
            return -1;
        }
        if (p->text[skip_space(p, t.pos + t.len)] == ':') {
            fail_at(p, at, "subqueries are not supported by the scrape source; use a "
                           "prometheus source");
            return -1;
        }
        advance(p);
    } else {
        expected(p, "a duration");
        return -1;
    }
    if (expect(p, T_RBRACKET, "']'") != 0)
        return -1;
    sel->type = PQ_MATRIX;
    return 0;
}

/* --- selectors ------------------------------------------------------------------------- */

static int add_matcher(struct parser *p, struct pq_node *sel, enum series_match_op op,
                       const char *label, const char *value, size_t pos)
{
    struct series_matcher *m =
        realloc(sel->matchers, (sel->n_matchers + 1) * sizeof *sel->matchers);
    if (!m) {
        fail_at(p, pos, "out of memory");
        return -1;
    }
    sel->matchers = m;
    struct error e;
    if (series_matcher_init(&m[sel->n_matchers], op, label, value, &e) != 0) {
        fail_at(p, pos, "%s", e.msg);
        return -1;
    }
    sel->n_matchers++;
    return 0;
}

static int matcher_op(enum tok_kind k, enum series_match_op *op)
{
    switch (k) {
    case T_ASSIGN: *op = SERIES_MATCH_EQ; return 0;
    case T_NEQ: *op = SERIES_MATCH_NE; return 0;
    case T_RE: *op = SERIES_MATCH_RE; return 0;
    case T_NRE: *op = SERIES_MATCH_NRE; return 0;
    default: return -1;
    }
}

/* label op "value" */
static int parse_matcher(struct parser *p, struct pq_node *sel)
{
    struct tok name = p->tok;
    enum series_match_op op;
    if (!is_label_name(p, &name)) {
        expected(p, "a label name");
        return -1;
    }
    advance(p);
    if (matcher_op(p->tok.kind, &op) != 0) {
        expected(p, "a label matching operator (=, !=, =~ or !~)");
        return -1;
    }
    advance(p);
    if (p->tok.kind != T_STRING) {
        expected(p, "a quoted label value");
        return -1;
    }
    char *label = tok_text(p, &name), *value = unquote(p, &p->tok);
    int rc = label && value ? add_matcher(p, sel, op, label, value, name.pos) : -1;
    if (!label || (!value && !p->failed))
        fail_at(p, name.pos, "out of memory");
    free(label);
    free(value);
    if (rc == 0)
        advance(p);
    return rc;
}

/* { matcher, matcher, ... } with an optional trailing comma. */
static int parse_matchers(struct parser *p, struct pq_node *sel)
{
    advance(p);
    while (p->tok.kind != T_RBRACE) {
        if (parse_matcher(p, sel) != 0)
            return -1;
        if (p->tok.kind == T_COMMA)
            advance(p);
        else if (p->tok.kind != T_RBRACE) {
            expected(p, "',' or '}'");
            return -1;
        }
    }
    advance(p);
    return 0;
}

/* checkAST's rules: some matcher must not match the empty string, and a
 * name before the braces excludes any __name__ matcher inside them. The
 * metric name is the one before the braces or the first __name__="...". */
static int check_selector(struct parser *p, struct pq_node *sel, int named, size_t pos)
{
    int non_empty = 0;
    for (size_t i = 0; i < sel->n_matchers; i++) {
        const struct series_matcher *m = &sel->matchers[i];
        if (!series_matcher_matches(m, ""))
            non_empty = 1;
        if (strcmp(m->label, "__name__") != 0)
            continue;
        if (named && i > 0) {
            fail_at(p, pos, "metric name must not be set twice: \"%s\" or \"%s\"",
                    sel->metric, m->value);
            return -1;
        }
        if (!sel->metric && m->op == SERIES_MATCH_EQ)
            sel->metric = m->value;
    }
    if (!non_empty) {
        fail_at(p, pos, "vector selector must contain at least one non-empty matcher");
        return -1;
    }
    return 0;
}

static int selector_modifiers(struct parser *p)
{
    if (tok_is(p, "offset") || p->tok.kind == T_AT) {
        char *w = tok_text(p, &p->tok);
        unsupported(p, p->tok.pos, "modifier", w ? w : "?");
        free(w);
        return -1;
    }
    return 0;
}

/* metric_name {matchers} [range] — either part may be missing, not both. */
static struct pq_node *parse_selector(struct parser *p)
{
    size_t pos = p->tok.pos;
    int named = p->tok.kind == T_IDENT;
    struct pq_node *sel = node_new(p, PQ_SELECTOR, PQ_VECTOR);
    if (!sel)
        return NULL;
    int rc = 0;
    if (named) {
        char *name = tok_text(p, &p->tok);
        rc = name ? add_matcher(p, sel, SERIES_MATCH_EQ, "__name__", name, pos) : -1;
        if (!name)
            fail_at(p, pos, "out of memory");
        free(name);
        advance(p);
    }
    if (rc == 0 && p->tok.kind == T_LBRACE)
        rc = parse_matchers(p, sel);
    if (rc == 0)
        rc = check_selector(p, sel, named, pos);
    if (rc == 0 && p->tok.kind == T_LBRACKET)
        rc = parse_range(p, sel);
    if (rc == 0)
        rc = selector_modifiers(p);
    if (rc != 0) {
        pq_node_free(sel);
        return NULL;
    }
    return sel;
}

/* --- label lists: by (...), without (...), on (...), ignoring (...) ----------------------- */

static int label_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push_label(struct parser *p, struct pq_node *n)
{
    char **l = realloc(n->labels, (n->n_labels + 1) * sizeof *l);
    char *name = l ? tok_text(p, &p->tok) : NULL;
    if (l)
        n->labels = l;
    if (!name) {
        fail_at(p, p->tok.pos, "out of memory");
        return -1;
    }
    l[n->n_labels++] = name;
    return 0;
}

static int parse_label_list(struct parser *p, struct pq_node *n)
{
    advance(p);
    if (expect(p, T_LPAREN, "'('") != 0)
        return -1;
    while (p->tok.kind != T_RPAREN) {
        if (!is_label_name(p, &p->tok)) {
            expected(p, "a label name");
            return -1;
        }
        if (push_label(p, n) != 0)
            return -1;
        advance(p);
        if (p->tok.kind == T_COMMA)
            advance(p);
        else if (p->tok.kind != T_RPAREN) {
            expected(p, "',' or ')'");
            return -1;
        }
    }
    advance(p);
    if (n->n_labels > 1)
        qsort(n->labels, n->n_labels, sizeof *n->labels, label_cmp);
    return 0;
}

/* --- calls and aggregations ---------------------------------------------------------------- */

static struct pq_node *parse_expr(struct parser *p, int min_prec);

/* ( expr, expr, ... ) into n->args; more than two is an error later. */
static int parse_args(struct parser *p, struct pq_node *n, const char *what)
{
    if (expect(p, T_LPAREN, "'('") != 0)
        return -1;
    while (p->tok.kind != T_RPAREN) {
        size_t pos = p->tok.pos;
        struct pq_node *a = parse_expr(p, 0);
        if (!a)
            return -1;
        if (n->n_args == 2) {
            pq_node_free(a);
            fail_at(p, pos, "too many arguments to %s", what);
            return -1;
        }
        n->args[n->n_args++] = a;
        if (p->tok.kind == T_COMMA) {
            advance(p);
            if (p->tok.kind == T_RPAREN) {
                fail_at(p, p->tok.pos, "trailing commas not allowed in function call args");
                return -1;
            }
        } else if (p->tok.kind != T_RPAREN) {
            expected(p, "',' or ')'");
            return -1;
        }
    }
    advance(p);
    return 0;
}

static int check_arg_types(struct parser *p, struct pq_node *n, const char *name, size_t pos,
                           const enum pq_type *want, size_t n_want)
{
    if (n->n_args != n_want) {
        fail_at(p, pos, "expected %zu argument(s) in call to \"%s\", got %zu", n_want, name,
                n->n_args);
        return -1;
    }
    for (size_t i = 0; i < n_want; i++) {
        if (n->args[i]->type != want[i]) {
            fail_at(p, pos, "expected type %s in call to function \"%s\", got %s",
                    type_name(want[i]), name, type_name(n->args[i]->type));
            return -1;
        }
    }
    return 0;
}

static struct pq_node *parse_call(struct parser *p)
{
    static const enum pq_type range[] = {PQ_MATRIX}, hq[] = {PQ_SCALAR, PQ_VECTOR};
    size_t pos = p->tok.pos;
    int f = word_index(p, functions, COUNT_OF(functions), 0);
    char *name = tok_text(p, &p->tok);
    if (f < 0 && name)
        word_index(p, other_functions, COUNT_OF(other_functions), 0) >= 0
            ? unsupported(p, pos, "function", name)
            : fail_at(p, pos, "unknown function `%s`", name);
    struct pq_node *n = f >= 0 && name ? node_new(p, PQ_CALL, PQ_VECTOR) : NULL;
    if (n) {
        n->func = (enum pq_func)f;
        advance(p);
        int ok = parse_args(p, n, name) == 0;
        ok = ok && (f == PQ_HISTOGRAM_QUANTILE ? check_arg_types(p, n, name, pos, hq, 2)
                                               : check_arg_types(p, n, name, pos, range, 1)) == 0;
        ok = ok && nest(p, n, pos) == 0;
        if (!ok) {
            pq_node_free(n);
            n = NULL;
        }
    }
    free(name);
    return n;
}

static int parse_grouping(struct parser *p, struct pq_node *n)
{
    n->without = tok_is(p, "without");
    return parse_label_list(p, n);
}

static int check_aggregation(struct parser *p, struct pq_node *n, size_t pos)
{
    if (n->n_args != 1) {
        fail_at(p, pos, "wrong number of arguments for aggregate expression provided, "
                        "expected 1, got %zu", n->n_args);
        return -1;
    }
    if (n->args[0]->type != PQ_VECTOR) {
        fail_at(p, pos, "expected type instant vector in aggregation expression, got %s",
                type_name(n->args[0]->type));
        return -1;
    }
    return 0;
}

/* agg [by|without (labels)] (expr) [by|without (labels)] */
static struct pq_node *parse_aggregation(struct parser *p, int agg)
{
    size_t pos = p->tok.pos;
    struct pq_node *n = node_new(p, PQ_AGG, PQ_VECTOR);
    if (!n)
        return NULL;
    n->agg = (enum pq_agg)agg;
    advance(p);
    int grouped = tok_is(p, "by") || tok_is(p, "without");
    int ok = !grouped || parse_grouping(p, n) == 0;
    ok = ok && parse_args(p, n, "an aggregation") == 0;
    if (ok && !grouped && (tok_is(p, "by") || tok_is(p, "without")))
        ok = parse_grouping(p, n) == 0;
    if (!ok || check_aggregation(p, n, pos) != 0 || nest(p, n, pos) != 0) {
        pq_node_free(n);
        return NULL;
    }
    return n;
}

/* --- expressions ------------------------------------------------------------------------------ */

static struct pq_node *parse_paren(struct parser *p)
{
    advance(p);
    struct pq_node *n = parse_expr(p, 0);
    if (n && expect(p, T_RPAREN, "')'") != 0) {
        pq_node_free(n);
        return NULL;
    }
    if (n)
        n->paren = 1;
    if (n && p->tok.kind == T_LBRACKET) {
        fail_at(p, p->tok.pos, "ranges only allowed for vector selectors");
        pq_node_free(n);
        return NULL;
    }
    return n;
}

static struct pq_node *parse_word(struct parser *p)
{
    int agg = word_index(p, aggregators, COUNT_OF(aggregators), 1);
    if (agg >= 0)
        return parse_aggregation(p, agg);
    char *w = tok_text(p, &p->tok);
    if (!w) {
        fail_at(p, p->tok.pos, "out of memory");
        return NULL;
    }
    if (word_index(p, other_aggregators, COUNT_OF(other_aggregators), 1) >= 0)
        unsupported(p, p->tok.pos, "aggregation", w);
    else if (tok_is(p, "inf") || tok_is(p, "nan")) {
        free(w);
        return parse_number(p);
    } else if (word_index(p, keywords, COUNT_OF(keywords), 1) >= 0)
        fail_at(p, p->tok.pos, "unexpected `%s`", w);
    free(w);
    if (p->failed)
        return NULL;
    if (lex_at(p, p->tok.pos + p->tok.len).kind == T_LPAREN)
        return parse_call(p);
    return parse_selector(p);
}

static struct pq_node *parse_primary(struct parser *p)
{
    switch (p->tok.kind) {
    case T_NUMBER: return parse_number(p);
    case T_LPAREN: return parse_paren(p);
    case T_IDENT: return parse_word(p);
    case T_LBRACE: return parse_selector(p);
    case T_STRING:
        fail_at(p, p->tok.pos, "a string is not a number or a series");
        return NULL;
    case T_DURATION:
        fail_at(p, p->tok.pos, "unexpected duration \"%.*s\" (a range goes in [...] after a "
                               "selector)", (int)p->tok.len, p->text + p->tok.pos);
        return NULL;
    default:
        expected(p, "a number, a selector, a function or '('");
        return NULL;
    }
}

static struct pq_node *parse_unary(struct parser *p)
{
    if (p->tok.kind != T_SUB && p->tok.kind != T_ADD)
        return parse_primary(p);
    int neg = p->tok.kind == T_SUB;
    size_t pos = p->tok.pos;
    advance(p);
    if (enter(p) != 0)
        return NULL;
    struct pq_node *e = parse_unary(p);
    p->depth--;
    if (!e)
        return NULL;
    if (e->type == PQ_MATRIX) {
        fail_at(p, pos, "unary expression only allowed on expressions of type scalar or "
                        "instant vector, got \"range vector\"");
        pq_node_free(e);
        return NULL;
    }
    if (!neg)
        return e;
    if (e->kind == PQ_NUMBER && !e->paren) {
        e->num = -e->num;
        return e;
    }
    struct pq_node *n = node_new(p, PQ_NEG, e->type);
    if (!n) {
        pq_node_free(e);
        return NULL;
    }
    n->args[0] = e;
    n->n_args = 1;
    if (nest(p, n, pos) != 0) {
        pq_node_free(n);
        return NULL;
    }
    return n;
}

/* The binary operator at the current token: its precedence (0 if none)
 * and, for unsupported ones, a failure naming it. */
static int binary_prec(struct parser *p, enum pq_op *op)
{
    switch (p->tok.kind) {
    case T_ADD: *op = PQ_ADD; return 1;
    case T_SUB: *op = PQ_SUB; return 1;
    case T_MUL: *op = PQ_MUL; return 2;
    case T_DIV: *op = PQ_DIV; return 2;
    case T_MOD: case T_POW: case T_EQLC: case T_NEQ: case T_GTR: case T_LSS: case T_GTE:
    case T_LTE: break;
    default:
        if (tok_is(p, "and") || tok_is(p, "or") || tok_is(p, "unless") || tok_is(p, "atan2"))
            break;
        return 0;
    }
    char *w = tok_text(p, &p->tok);
    unsupported(p, p->tok.pos, "operator", w ? w : "?");
    free(w);
    return -1;
}

/* on (...) / ignoring (...) after an operator; bool and group_x refused. */
static int parse_matching(struct parser *p, struct pq_node *n)
{
    if (tok_is(p, "bool")) {
        unsupported(p, p->tok.pos, "modifier", "bool");
        return -1;
    }
    if (!tok_is(p, "on") && !tok_is(p, "ignoring"))
        return 0;
    n->match = tok_is(p, "on") ? PQ_MATCH_ON : PQ_MATCH_IGNORING;
    if (parse_label_list(p, n) != 0)
        return -1;
    if (tok_is(p, "group_left") || tok_is(p, "group_right")) {
        char *w = tok_text(p, &p->tok);
        unsupported(p, p->tok.pos, "modifier", w ? w : "?");
        free(w);
        return -1;
    }
    return 0;
}

static int check_binary(struct parser *p, struct pq_node *n, size_t pos)
{
    enum pq_type l = n->args[0]->type, r = n->args[1]->type;
    if (l == PQ_MATRIX || r == PQ_MATRIX) {
        fail_at(p, pos, "binary expression must contain only scalar and instant vector types");
        return -1;
    }
    if (n->match != PQ_MATCH_ALL && (l != PQ_VECTOR || r != PQ_VECTOR)) {
        fail_at(p, pos, "vector matching only allowed between instant vectors");
        return -1;
    }
    n->type = l == PQ_SCALAR && r == PQ_SCALAR ? PQ_SCALAR : PQ_VECTOR;
    return 0;
}

/* lhs op [on|ignoring (...)] rhs, left-associative by precedence climbing. */
static struct pq_node *parse_binary_rhs(struct parser *p, struct pq_node *lhs, int min_prec)
{
    enum pq_op op = PQ_ADD;
    int prec;
    while (lhs && (prec = binary_prec(p, &op)) > min_prec) {
        size_t pos = p->tok.pos;
        struct pq_node *n = node_new(p, PQ_BINARY, PQ_VECTOR);
        if (!n)
            break;
        n->op = op;
        n->args[0] = lhs;
        n->n_args = 1;
        lhs = n;
        advance(p);
        if (parse_matching(p, n) != 0 || !(n->args[1] = parse_expr(p, prec)))
            break;
        n->n_args = 2;
        if (check_binary(p, n, pos) != 0 || nest(p, n, pos) != 0)
            break;
    }
    if (p->failed) {
        pq_node_free(lhs);
        return NULL;
    }
    return lhs;
}

static struct pq_node *parse_expr(struct parser *p, int min_prec)
{
    if (enter(p) != 0)
        return NULL;
    struct pq_node *n = parse_binary_rhs(p, parse_unary(p), min_prec);
    p->depth--;
    return n;
}


/* --- entry points --------------------------------------------------------------------- */

static int check_top(struct parser *p, struct pq_node *root)
{
    if (p->failed)
        return -1;
    if (p->tok.kind != T_EOF) {
        expected(p, "an operator or the end of the expression");
        return -1;
    }
    if (root->type == PQ_MATRIX) {
        fail_at(p, 0, "the expression gives a range vector, not a number; wrap it in rate() "
                      "or another function");
        return -1;
    }
    return 0;
}

int promql_parse(const char *text, struct promql **out, struct error *err)
{
    *out = NULL;
    if (!text) {
        error_set(err, "no expression");
        return -1;
    }
    struct parser p = {.text = text, .len = strlen(text), .err = err};
    p.tok = lex_at(&p, 0);
    if (p.tok.kind == T_EOF) {
        error_set(err, "at column 1: the expression is empty");
        return -1;
    }
    struct pq_node *root = parse_expr(&p, 0);
    if (!root || check_top(&p, root) != 0) {
        pq_node_free(root);
        return -1;
    }
    struct promql *q = calloc(1, sizeof *q);
    if (!q) {
        pq_node_free(root);
        error_set(err, "out of memory");
        return -1;
    }
    q->root = root;
    *out = q;
    return 0;
}

void promql_free(struct promql *q)
{
    if (!q)
        return;
    pq_node_free(q->root);
    free(q);
}

static int64_t max_range(const struct pq_node *n)
{
    int64_t m = 0;
    if (n->kind == PQ_SELECTOR)
        m = n->range_ms ? n->range_ms : PROMQL_LOOKBACK_MS;
    for (size_t i = 0; i < n->n_args; i++) {
        int64_t a = max_range(n->args[i]);
        if (a > m)
            m = a;
    }
    return m;
}

int64_t promql_max_range_ms(const struct promql *q)
{
    return q ? max_range(q->root) : 0;
}

static unsigned features(const struct pq_node *n)
{
    unsigned f = 0;
    if (n->kind == PQ_SELECTOR && n->range_ms)
        f |= PROMQL_HAS_RANGE;
    if (n->kind == PQ_CALL && n->func == PQ_HISTOGRAM_QUANTILE)
        f |= PROMQL_HAS_QUANTILE;
    if (n->kind == PQ_BINARY && n->op == PQ_DIV)
        f |= PROMQL_HAS_DIVISION;
    for (size_t i = 0; i < n->n_args; i++)
        f |= features(n->args[i]);
    return f;
}

unsigned promql_features(const struct promql *q)
{
    return q ? features(q->root) : 0;
}

const char *promql_nan_reason(unsigned f)
{
    if (f & PROMQL_HAS_QUANTILE)
        return "a histogram without observations in the window (its buckets did not grow), "
               "or without a +Inf bucket";
    if ((f & PROMQL_HAS_DIVISION) && (f & PROMQL_HAS_RANGE))
        return "0/0: nothing was counted in the window on either side of the division";
    if (f & PROMQL_HAS_DIVISION)
        return "0/0: the divisor is 0";
    return "the series itself is NaN (the exporter wrote NaN)";
}

/* The first selector of n that matches no series of st, or NULL. */
static const struct pq_node *unmatched(const struct pq_node *n, const struct series_store *st)
{
    size_t cur = 0;
    if (n->kind == PQ_SELECTOR && !series_store_next(st, n->matchers, n->n_matchers, &cur))
        return n;
    for (size_t i = 0; i < n->n_args; i++) {
        const struct pq_node *u = unmatched(n->args[i], st);
        if (u)
            return u;
    }
    return NULL;
}

int promql_selectors_found(const struct promql *q, const struct series_store *st,
                           struct error *err)
{
    const struct pq_node *u = q ? unmatched(q->root, st) : NULL;
    if (!u)
        return 1;
    if (u->metric)
        error_set(err, "no data: no series of `%s`%s matches", u->metric,
                  u->n_matchers > 1 ? " with these labels" : "");
    else
        error_set(err, "no data: a selector matches no series");
    return 0;
}

static int has_nameless_selector(const struct pq_node *n)
{
    if (n->kind == PQ_SELECTOR && !n->metric)
        return 1;
    for (size_t i = 0; i < n->n_args; i++)
        if (has_nameless_selector(n->args[i]))
            return 1;
    return 0;
}

static int want(const struct pq_node *n, struct series_store *st)
{
    if (n->kind == PQ_SELECTOR && series_store_want(st, n->metric) != 0)
        return -1;
    for (size_t i = 0; i < n->n_args; i++)
        if (want(n->args[i], st) != 0)
            return -1;
    return 0;
}

int promql_want(const struct promql *q, struct series_store *st)
{
    if (has_nameless_selector(q->root))
        return series_store_want(st, NULL);
    return want(q->root, st);
}
