/* runbook.c — reads a Markdown runbook (grammar: runbooks/README.md) into an
 * immutable struct runbook, and names every problem with its line.
 *
 * Two passes. md4c's callbacks first flatten the document into "units" (a
 * heading, a paragraph, a list item, a code block, a table row), each with
 * its line and its inline pieces (plain text or code spans). The units are
 * then read in order, section by section, and a last step checks the
 * references between sections (roles, signals, systems, step ids) with hash
 * maps. Keeping md4c's nesting out of the grammar keeps each rule short, and
 * nothing here is quadratic in the size of the document. */
#include "runbook.h"

#include "gate.h"
#include "hash.h"
#include "mddepth.h"
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <md4c.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* A runbook with more problems than this is not worth listing further. */
#define MAX_PROBLEMS 1000
/* Names quoted in messages are cut to this many bytes. */
#define MAX_QUOTE 80

/* ------------------------------------------------------------------------
 * Small strings and growable arrays
 * ------------------------------------------------------------------------ */

struct sv {
    const char *s;
    size_t n;
};

struct sbuf {
    char *p;
    size_t len, cap;
};

struct piece {
    size_t off, len; /* into ctx.arena */
    int code;        /* an inline code span */
};

enum ukind { U_HEAD, U_PARA, U_ITEM, U_CODE, U_ROW };

/* One block of the document as the grammar sees it. */
struct unit {
    enum ukind kind;
    int level;         /* heading level; list depth for items (1 = top) */
    int task;          /* -1 not a task item, 0 "[ ]", 1 "[x]" */
    unsigned ordinal;  /* number of an ordered-list item, 0 for bullets */
    int line;
    size_t first, n;   /* a slice of ctx.pieces */
};

/* A position inside a unit: piece index (n = the end) and byte offset. */
struct pos {
    size_t piece, off;
};

struct tok {
    struct sv v;
    int code;
};

/* An open md4c block, to know list depth, ordered-list numbers and which
 * item a paragraph belongs to. */
struct mblock {
    MD_BLOCKTYPE type;
    long unit;
    unsigned counter;
    int item_para;
};

/* `### Phase N` under ## Rollback, matched to phases at the end. */
struct rbsub {
    char *number;
    char *text;
    int line;
};

struct prob {
    int line, warning;
    size_t seq;
    char *msg;
};

/* String → index, open addressing; keys are borrowed. */
struct map {
    const char **keys;
    size_t *vals;
    size_t cap;
};
#define MAP_NONE ((size_t)-1)

enum sec {
    SEC_PRE, SEC_INTRO, SEC_PROSE, SEC_ROLES, SEC_SYSTEMS, SEC_SIGNALS,
    SEC_CRITERIA, SEC_RAMP, SEC_PHASE, SEC_ROLLBACK, SEC_CLEANUP, SEC_COUNT
};

/* Where the prose of the current section goes. */
enum sink { SINK_NONE, SINK_UNTITLED, SINK_SECTION, SINK_PHASE, SINK_RB_GENERAL, SINK_RB_SUB };

struct ctx {
    struct runbook *rb;
    size_t md_off; /* bytes skipped before md4c's input (a UTF-8 BOM) */
    size_t *lines; /* offset where each line starts */
    size_t n_lines, line_hint;
    size_t cursor; /* just past the last text seen, for units without text */

    /* pass 1: md4c → units */
    struct sbuf arena;
    struct piece *pieces;
    size_t n_pieces, cap_pieces;
    struct unit *units;
    size_t n_units, cap_units;
    struct mblock *stack;
    size_t n_stack, cap_stack;
    long cur;
    int li_depth, new_piece, in_code, drop, cells;
    char *href;
    size_t link_start;

    /* pass 2: units → runbook */
    struct tok *toks;
    size_t cap_toks;
    enum sec sec;
    int sec_seen[SEC_COUNT], sec_line[SEC_COUNT];
    int table_said[SEC_COUNT];  /* a table in a list section: said once */
    enum sink sink;
    size_t sink_index;
    struct sbuf text; /* prose of the current section */
    int text_line;
    enum ukind text_last;
    int abort_line; /* `Abort:` in ## Ramp */
    int deputy_line; /* `Deputy:` in ## Ramp */
    int monitoring_line; /* `Monitoring:` in ## Ramp */
    int title_seen, mode_line, rollback_line, window_line, deadline_line, deadline_written;
    size_t ramp_items;           /* items in ## Ramp, valid or not */
    unsigned char *phase_items;  /* per phase: any item, valid or not */
    size_t cap_phase_items;
    struct sbuf rb_general;
    struct rbsub *subs;
    size_t n_subs, cap_subs;
    size_t cap_roles, cap_systems, cap_signals, cap_criteria, cap_ramp;
    size_t cap_phases, cap_steps, cap_sections, cap_gates;
    struct map roles, systems, signals;

    struct prob *probs;
    size_t n_probs, cap_probs;
    int oom;
};

static int is_space(int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static int is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

static int lower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

static struct sv sv_of(const char *s)
{
    return (struct sv){s, s ? strlen(s) : 0};
}

static struct sv sv_trim(struct sv v)
{
    while (v.n && is_space((unsigned char)v.s[0])) {
        v.s++;
        v.n--;
    }
    while (v.n && is_space((unsigned char)v.s[v.n - 1]))
        v.n--;
    return v;
}

/* ASCII case-insensitive comparison with a lowercase literal. */
static int sv_ieq(struct sv v, const char *lit)
{
    size_t n = strlen(lit);
    if (v.n != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)v.s[i]) != lit[i])
            return 0;
    return 1;
}

/* Length of v to quote in a message: at most MAX_QUOTE bytes, never cutting
 * a UTF-8 sequence in two. */
static int clip(struct sv v)
{
    if (v.n <= MAX_QUOTE)
        return (int)v.n;
    size_t k = MAX_QUOTE;
    while (k > 0 && ((unsigned char)v.s[k] & 0xC0) == 0x80)
        k--;
    return (int)k;
}
#define SV(v) clip(v), (v).s

/* Lowercase letters, digits, '_' (and '-' when allowed); not empty. */
static int valid_name(struct sv v, int allow_dash)
{
    if (v.n == 0)
        return 0;
    for (size_t i = 0; i < v.n; i++) {
        char ch = v.s[i];
        if (!((ch >= 'a' && ch <= 'z') || is_digit(ch) || ch == '_' || (allow_dash && ch == '-')))
            return 0;
    }
    return 1;
}

/* Returns arr with room for at least one more element (cap updated), or
 * arr unchanged with ctx.oom set: the caller's array stays valid and is
 * freed as usual. */
static void *grow(struct ctx *c, void *arr, size_t *cap, size_t elem)
{
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = ncap <= SIZE_MAX / elem ? realloc(arr, ncap * elem) : NULL;
    if (!p) {
        c->oom = 1;
        return arr;
    }
    *cap = ncap;
    return p;
}
/* 0 when arr (n used of cap) can take one more element, else -1. */
#define RESERVE(c, arr, n, cap) \
    ((n) < (cap) ? 0 : ((arr) = grow((c), (arr), &(cap), sizeof *(arr)), (n) < (cap) ? 0 : -1))

static int sb_add(struct ctx *c, struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 64;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        char *p = realloc(b->p, ncap);
        if (!p) {
            c->oom = 1;
            return -1;
        }
        b->p = p;
        b->cap = ncap;
    }
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static void sb_str(struct ctx *c, struct sbuf *b, const char *s)
{
    sb_add(c, b, s, strlen(s));
}

/* Hands over the buffer as a string (trimmed of white space at both ends)
 * and leaves b empty. Never NULL unless out of memory. */
static char *sb_take(struct ctx *c, struct sbuf *b)
{
    struct sv t = sv_trim((struct sv){b->p ? b->p : "", b->len});
    char *s = malloc(t.n + 1);
    if (!s)
        c->oom = 1;
    else {
        memcpy(s, t.s, t.n);
        s[t.n] = '\0';
    }
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
    return s;
}

static char *dup_sv(struct ctx *c, struct sv v)
{
    char *s = malloc(v.n + 1);
    if (!s) {
        c->oom = 1;
        return NULL;
    }
    if (v.n)
        memcpy(s, v.s, v.n);
    s[v.n] = '\0';
    return s;
}

/* ------------------------------------------------------------------------
 * Problems
 * ------------------------------------------------------------------------ */

static void problem(struct ctx *c, int line, int warning, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(struct ctx *c, int line, int warning, const char *fmt, ...)
{
    if (c->n_probs > MAX_PROBLEMS || RESERVE(c, c->probs, c->n_probs, c->cap_probs))
        return;
    char buf[512];
    if (c->n_probs == MAX_PROBLEMS) {
        snprintf(buf, sizeof buf, "more than %d problems; the rest are not listed", MAX_PROBLEMS);
        line = 0;
        warning = 0;
    } else {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
    }
    char *msg = dup_sv(c, sv_of(buf));
    if (!msg)
        return;
    c->probs[c->n_probs] = (struct prob){line, warning, c->n_probs, msg};
    c->n_probs++;
}

/* "expected X, found `Y`" for the token at i, or "found the end of the item". */
static void expected(struct ctx *c, int line, const char *what, const struct tok *t, size_t nt, size_t i)
{
    if (i < nt)
        problem(c, line, 0, "expected %s, found `%.*s`", what, SV(t[i].v));
    else
        problem(c, line, 0, "expected %s, found the end of the item", what);
}

static int append_problem(struct rb_problems *ps, int line, int warning, char *msg)
{
    struct rb_problem *v = realloc(ps->v, (ps->n + 1) * sizeof *v);
    if (!v) {
        free(msg);
        return -1;
    }
    ps->v = v;
    ps->v[ps->n++] = (struct rb_problem){line, warning, msg};
    if (!warning)
        ps->n_errors++;
    return 0;
}

/* A problem found before the parse, at a line (binary data). */
static void line_problem(struct rb_problems *ps, int line, const char *msg)
{
    char *m = ps ? strdup(msg) : NULL;
    if (m)
        append_problem(ps, line, 0, m);
}

/* A problem with the file as a whole (line 0), outside a parse. */
static void file_problem(struct rb_problems *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void file_problem(struct rb_problems *ps, const char *fmt, ...)
{
    if (!ps)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *msg = strdup(buf);
    if (msg)
        append_problem(ps, 0, 0, msg);
}

static int prob_cmp(const void *a, const void *b)
{
    const struct prob *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Hands the problems to the caller, sorted by line (then as found). */
static void publish_problems(struct ctx *c, struct rb_problems *out)
{
    if (c->n_probs)
        qsort(c->probs, c->n_probs, sizeof *c->probs, prob_cmp);
    for (size_t i = 0; i < c->n_probs; i++) {
        char *msg = c->probs[i].msg;
        c->probs[i].msg = NULL;
        if (!out)
            free(msg);
        else if (append_problem(out, c->probs[i].line, c->probs[i].warning, msg))
            c->oom = 1;
    }
}

/* ------------------------------------------------------------------------
 * Hash map of names
 * ------------------------------------------------------------------------ */

static size_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

static int map_init(struct ctx *c, struct map *m, size_t n)
{
    m->cap = 16;
    while (m->cap < 2 * n)
        m->cap *= 2;
    m->keys = calloc(m->cap, sizeof *m->keys);
    m->vals = calloc(m->cap, sizeof *m->vals);
    if (!m->keys || !m->vals) { /* all or nothing: callers return without freeing */
        free(m->keys);
        free(m->vals);
        m->keys = NULL;
        m->vals = NULL;
        c->oom = 1;
        return -1;
    }
    return 0;
}

static size_t map_slot(const struct map *m, const char *key)
{
    size_t i = hash_name(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

/* The index stored under key, or MAP_NONE. */
static size_t map_get(const struct map *m, const char *key)
{
    if (!m->keys || !key)
        return MAP_NONE;
    size_t i = map_slot(m, key);
    return m->keys[i] ? m->vals[i] : MAP_NONE;
}

/* Stores key → val unless key is there: returns the index already stored
 * (a duplicate), or MAP_NONE when added. The map holds at most cap/2 keys
 * because map_init was given their number. */
static size_t map_add(struct map *m, const char *key, size_t val)
{
    if (!m->keys || !key)
        return MAP_NONE;
    size_t i = map_slot(m, key);
    if (m->keys[i])
        return m->vals[i];
    m->keys[i] = key;
    m->vals[i] = val;
    return MAP_NONE;
}

static void map_free(struct map *m)
{
    free(m->keys);
    free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
}

/* ------------------------------------------------------------------------
 * Line numbers: md4c gives none, so a text pointer is turned into a line
 * by binary search in the table of line starts ("\n", "\r\n" or "\r", as
 * md4c counts them).
 * ------------------------------------------------------------------------ */

static int build_lines(struct ctx *c)
{
    const char *t = c->rb->text;
    size_t n = c->rb->text_len, cap = 0;
    if (RESERVE(c, c->lines, c->n_lines, cap))
        return -1;
    c->lines[c->n_lines++] = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '\n' || (t[i] == '\r' && (i + 1 == n || t[i + 1] != '\n'))) {
            if (RESERVE(c, c->lines, c->n_lines, cap))
                return -1;
            c->lines[c->n_lines++] = i + 1;
        }
    }
    return 0;
}

static int line_at(struct ctx *c, size_t off)
{
    /* Text mostly moves forward: try the last line found and the next. */
    for (size_t h = c->line_hint; h < c->n_lines && h <= c->line_hint + 1; h++) {
        if (c->lines[h] <= off && (h + 1 == c->n_lines || off < c->lines[h + 1])) {
            c->line_hint = h;
            return (int)h + 1;
        }
    }
    size_t lo = 0, hi = c->n_lines; /* lines[lo] <= off < lines[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    c->line_hint = lo;
    return (int)lo + 1;
}

/* The line of a unit that got no text (an empty item or heading): the
 * first non-blank line after the last text seen. The cursor moves past it
 * so that two empty items in a row get two lines. */
static int fallback_line(struct ctx *c)
{
    const char *t = c->rb->text;
    size_t n = c->rb->text_len, i = c->cursor;
    if (i > c->md_off) {
        while (i < n && t[i] != '\n' && t[i] != '\r')
            i++;
        i += (i < n && t[i] == '\r' && i + 1 < n && t[i + 1] == '\n') ? 2 : (i < n);
    }
    for (;;) {
        size_t j = i;
        while (j < n && (t[j] == ' ' || t[j] == '\t'))
            j++;
        if (j >= n || (t[j] != '\n' && t[j] != '\r'))
            break;
        i = j + ((t[j] == '\r' && j + 1 < n && t[j + 1] == '\n') ? 2 : 1);
    }
    int line = line_at(c, i < n ? i : n);
    while (i < n && t[i] != '\n' && t[i] != '\r')
        i++;
    c->cursor = i;
    return line;
}

/* Records where md4c's text was (when it points into our buffer: md4c also
 * hands out its own constant strings, e.g. for line breaks). */
static void note_text(struct ctx *c, const char *s, size_t n)
{
    uintptr_t p = (uintptr_t)s, b = (uintptr_t)c->rb->text;
    if (p < b || p >= b + c->rb->text_len)
        return;
    size_t off = (size_t)(p - b);
    if (c->cur >= 0 && c->units[c->cur].line == 0)
        c->units[c->cur].line = line_at(c, off);
    if (off + n > c->cursor)
        c->cursor = off + n;
}

/* ------------------------------------------------------------------------
 * Pass 1: md4c callbacks → units
 * ------------------------------------------------------------------------ */

static void close_unit(struct ctx *c)
{
    if (c->cur >= 0 && c->units[c->cur].line == 0)
        c->units[c->cur].line = fallback_line(c);
    c->cur = -1;
}

static struct unit *new_unit(struct ctx *c, enum ukind kind, int level)
{
    close_unit(c);
    if (RESERVE(c, c->units, c->n_units, c->cap_units))
        return NULL;
    struct unit *u = &c->units[c->n_units];
    *u = (struct unit){.kind = kind, .level = level, .task = -1, .first = c->n_pieces};
    c->cur = (long)c->n_units++;
    c->new_piece = 1;
    return u;
}

/* Appends inline text to the current unit (a paragraph if there is none),
 * extending the last piece when it is of the same kind so that emphasis
 * or links never split a word the grammar looks at. */
static void add_text(struct ctx *c, const char *s, size_t n, int code)
{
    if (c->cur < 0 && !new_unit(c, U_PARA, c->li_depth))
        return;
    struct unit *u = &c->units[c->cur];
    struct piece *last = u->n ? &c->pieces[u->first + u->n - 1] : NULL;
    if (!last || last->code != code || c->new_piece) {
        if (RESERVE(c, c->pieces, c->n_pieces, c->cap_pieces))
            return;
        last = &c->pieces[c->n_pieces++];
        *last = (struct piece){c->arena.len, 0, code};
        u->n++;
        c->new_piece = 0;
    }
    if (sb_add(c, &c->arena, s, n) == 0)
        last->len += n;
}

static void add_utf8(struct ctx *c, unsigned long cp)
{
    char b[4];
    size_t n;
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    add_text(c, b, n, c->in_code);
}

/* md4c leaves entities as written; decode the common ones and numeric ones
 * so that "&gt;" in a criterion reads as ">". */
static void add_entity(struct ctx *c, const char *s, size_t n)
{
    static const struct {
        const char *name;
        unsigned long cp;
    } named[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'},
                 {"&apos;", '\''}, {"&nbsp;", 0xA0}};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        if (strlen(named[i].name) == n && memcmp(named[i].name, s, n) == 0) {
            add_utf8(c, named[i].cp);
            return;
        }
    }
    if (n >= 4 && s[1] == '#') {
        int hex = s[2] == 'x' || s[2] == 'X';
        unsigned long cp = 0;
        for (size_t i = 2 + (size_t)hex; i + 1 < n && cp <= 0x10FFFF; i++) {
            int ch = lower((unsigned char)s[i]);
            cp = cp * (hex ? 16 : 10) + (unsigned long)(is_digit(ch) ? ch - '0' : ch - 'a' + 10);
        }
        add_utf8(c, cp);
        return;
    }
    add_text(c, s, n, c->in_code);
}

static int push_block(struct ctx *c, MD_BLOCKTYPE type, long unit, unsigned counter, int item_para)
{
    if (RESERVE(c, c->stack, c->n_stack, c->cap_stack))
        return -1;
    c->stack[c->n_stack++] = (struct mblock){type, unit, counter, item_para};
    return 0;
}

static void enter_li(struct ctx *c, const MD_BLOCK_LI_DETAIL *d)
{
    struct mblock *parent = c->n_stack ? &c->stack[c->n_stack - 1] : NULL;
    c->li_depth++;
    struct unit *u = new_unit(c, U_ITEM, c->li_depth);
    if (!u)
        return;
    if (parent && parent->type == MD_BLOCK_OL)
        u->ordinal = parent->counter++;
    if (d->is_task) {
        u->task = d->task_mark == ' ' ? 0 : 1;
        size_t off = c->md_off + d->task_mark_offset;
        if (off < c->rb->text_len) {
            u->line = line_at(c, off);
            if (off + 1 > c->cursor)
                c->cursor = off + 1;
        }
    }
}

/* A paragraph inside a list item adds to the item (a loose list), unless a
 * nested list came in between. */
static int enter_p(struct ctx *c)
{
    const struct mblock *top = c->n_stack ? &c->stack[c->n_stack - 1] : NULL;
    if (top && top->type == MD_BLOCK_LI && c->cur >= 0 && top->unit == c->cur) {
        if (c->units[c->cur].n)
            add_text(c, "\n", 1, 0);
        return push_block(c, MD_BLOCK_P, c->cur, 0, 1);
    }
    new_unit(c, U_PARA, c->li_depth);
    return push_block(c, MD_BLOCK_P, c->cur, 0, 0);
}

static int on_enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    struct ctx *c = ud;
    switch (type) {
    case MD_BLOCK_LI:
        enter_li(c, detail);
        return push_block(c, type, c->cur, 0, 0);
    case MD_BLOCK_OL:
        close_unit(c);
        return push_block(c, type, -1, ((MD_BLOCK_OL_DETAIL *)detail)->start, 0);
    case MD_BLOCK_P:
        return enter_p(c);
    case MD_BLOCK_H:
        new_unit(c, U_HEAD, (int)((MD_BLOCK_H_DETAIL *)detail)->level);
        break;
    case MD_BLOCK_CODE:
        new_unit(c, U_CODE, c->li_depth);
        break;
    case MD_BLOCK_TR:
        new_unit(c, U_ROW, 0);
        c->cells = 0;
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        if (c->cells++ > 0)
            add_text(c, " | ", 3, 0);
        break;
    case MD_BLOCK_HTML: /* raw HTML, comments included, is not shown */
        close_unit(c);
        c->drop = 1;
        break;
    default:
        close_unit(c);
        break;
    }
    return c->oom ? -1 : push_block(c, type, c->cur, 0, 0);
}

static int on_leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    struct ctx *c = ud;
    (void)detail;
    int item_para = c->n_stack ? c->stack[c->n_stack - 1].item_para : 0;
    if (c->n_stack)
        c->n_stack--;
    if (type == MD_BLOCK_LI)
        c->li_depth--;
    if (type == MD_BLOCK_HTML)
        c->drop = 0;
    if (!(type == MD_BLOCK_P && item_para) && type != MD_BLOCK_TH && type != MD_BLOCK_TD)
        close_unit(c);
    return c->oom ? -1 : 0;
}

static int on_enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
    struct ctx *c = ud;
    if (type == MD_SPAN_CODE) {
        c->in_code = 1;
        c->new_piece = 1;
    } else if (type == MD_SPAN_A) {
        const MD_SPAN_A_DETAIL *a = detail;
        free(c->href);
        c->href = dup_sv(c, (struct sv){a->href.text, a->href.size});
        c->link_start = c->arena.len;
    }
    return c->oom ? -1 : 0;
}

/* A link keeps its address after its text: a runbook's links (dashboards,
 * tickets) are worth seeing on the screen. */
static void leave_link(struct ctx *c)
{
    if (!c->href || !c->href[0] || c->link_start > c->arena.len)
        return;
    struct sv text = {c->arena.p + c->link_start, c->arena.len - c->link_start};
    size_t hn = strlen(c->href);
    int same = (text.n == hn && memcmp(text.s, c->href, hn) == 0) ||
               (hn == text.n + 7 && strncmp(c->href, "mailto:", 7) == 0 &&
                memcmp(c->href + 7, text.s, text.n) == 0);
    if (!same) {
        add_text(c, " (", 2, 0);
        add_text(c, c->href, hn, 0);
        add_text(c, ")", 1, 0);
    }
    free(c->href);
    c->href = NULL;
}

static int on_leave_span(MD_SPANTYPE type, void *detail, void *ud)
{
    struct ctx *c = ud;
    (void)detail;
    if (type == MD_SPAN_CODE) {
        c->in_code = 0;
        c->new_piece = 1;
    } else if (type == MD_SPAN_A)
        leave_link(c);
    return c->oom ? -1 : 0;
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *ud)
{
    struct ctx *c = ud;
    if (c->drop || type == MD_TEXT_HTML) {
        note_text(c, s, n);
        return 0;
    }
    if (c->cur < 0)
        new_unit(c, U_PARA, c->li_depth);
    note_text(c, s, n);
    switch (type) {
    case MD_TEXT_NULLCHAR:
        add_utf8(c, 0xFFFD);
        break;
    case MD_TEXT_BR:
        add_text(c, "\n", 1, c->in_code);
        break;
    case MD_TEXT_SOFTBR:
        add_text(c, " ", 1, c->in_code);
        break;
    case MD_TEXT_ENTITY:
        add_entity(c, s, n);
        break;
    default:
        add_text(c, s, n, c->in_code);
        break;
    }
    return c->oom ? -1 : 0;
}

/* Flags: task boxes and tables; no strikethrough, so that a struck-out
 * criterion is an error to look at rather than silently still enforced. */
static void run_md4c(struct ctx *c)
{
    MD_PARSER p = {0};
    p.flags = MD_FLAG_TASKLISTS | MD_FLAG_TABLES;
    p.enter_block = on_enter_block;
    p.leave_block = on_leave_block;
    p.enter_span = on_enter_span;
    p.leave_span = on_leave_span;
    p.text = on_text;
    c->cur = -1;
    if (md_parse(c->rb->text + c->md_off, (MD_SIZE)(c->rb->text_len - c->md_off), &p, c) != 0)
        c->oom = 1; /* our callbacks abort only when out of memory; so does md4c */
    close_unit(c);
}

/* ------------------------------------------------------------------------
 * Reading units: pieces, positions, tokens, rendering
 * ------------------------------------------------------------------------ */

static const struct piece *piece_of(const struct ctx *c, const struct unit *u, size_t i)
{
    return &c->pieces[u->first + i];
}

static const char *piece_text(const struct ctx *c, const struct piece *p)
{
    return c->arena.p + p->off;
}

static void add_code_span(struct ctx *c, struct sbuf *out, const char *s, size_t n)
{
    const char *fence = memchr(s, '`', n) ? "`` " : "`";
    sb_str(c, out, fence);
    sb_add(c, out, s, n);
    sb_str(c, out, fence[1] ? " ``" : "`");
}

/* Appends the unit's inline content from..to as text, code spans in
 * backticks. */
static void render_range(struct ctx *c, const struct unit *u, struct pos from, struct pos to,
                         struct sbuf *out)
{
    for (size_t i = from.piece; i < u->n && i <= to.piece; i++) {
        const struct piece *p = piece_of(c, u, i);
        size_t a = i == from.piece ? from.off : 0;
        size_t b = i == to.piece ? to.off : p->len;
        if (b <= a)
            continue;
        if (p->code)
            add_code_span(c, out, piece_text(c, p) + a, b - a);
        else
            sb_add(c, out, piece_text(c, p) + a, b - a);
    }
}

static struct pos unit_end(const struct unit *u)
{
    return (struct pos){u->n, 0};
}

/* The unit's text from `from` to the end, trimmed, as a new string. */
static char *render_from(struct ctx *c, const struct unit *u, struct pos from)
{
    struct sbuf b = {0};
    render_range(c, u, from, unit_end(u), &b);
    char *s = sb_take(c, &b);
    free(b.p);
    return s;
}

/* Splits the unit from `from` into tokens: words of text, each code span
 * whole. With ops, runs of <>=! are tokens of their own ("x>=2"). */
static size_t tokenize(struct ctx *c, const struct unit *u, struct pos from, int ops)
{
    size_t nt = 0;
    for (size_t i = from.piece; i < u->n; i++) {
        const struct piece *p = piece_of(c, u, i);
        const char *s = piece_text(c, p);
        size_t k = i == from.piece ? from.off : 0;
        if (p->code) {
            if (RESERVE(c, c->toks, nt, c->cap_toks))
                return 0;
            c->toks[nt++] = (struct tok){{s, p->len}, 1};
            continue;
        }
        while (k < p->len) {
            if (is_space((unsigned char)s[k])) {
                k++;
                continue;
            }
            size_t b = k;
            int is_op = ops && strchr("<>=!", s[k]) != NULL;
            while (k < p->len && !is_space((unsigned char)s[k]) &&
                   (!ops || (strchr("<>=!", s[k]) != NULL) == is_op))
                k++;
            if (RESERVE(c, c->toks, nt, c->cap_toks))
                return 0;
            c->toks[nt++] = (struct tok){{s + b, k - b}, 0};
        }
    }
    return nt;
}

/* Reads "NAME:" at the start of the unit (in plain text); *after is the
 * position past the colon. Returns -1 when the unit does not start so. */
static int take_prefix(const struct ctx *c, const struct unit *u, struct sv *name, struct pos *after)
{
    if (u->n == 0 || piece_of(c, u, 0)->code)
        return -1;
    const struct piece *p = piece_of(c, u, 0);
    const char *s = piece_text(c, p);
    size_t i = 0;
    while (i < p->len && is_space((unsigned char)s[i]))
        i++;
    size_t b = i;
    while (i < p->len && !is_space((unsigned char)s[i]) && s[i] != ':')
        i++;
    *name = (struct sv){s + b, i - b};
    while (i < p->len && is_space((unsigned char)s[i]))
        i++;
    if (name->n == 0 || i >= p->len || s[i] != ':')
        return -1;
    *after = (struct pos){0, i + 1};
    return 0;
}

/* Renders a whole unit for prose: list marks, indentation, code indented. */
static void render_prose(struct ctx *c, const struct unit *u, struct sbuf *out)
{
    int indent = u->kind == U_ITEM ? u->level - 1 : u->kind == U_HEAD ? 0 : u->level;
    for (int i = 0; i < indent && i < 8; i++)
        sb_str(c, out, "  ");
    if (u->kind == U_ITEM) {
        char mark[32];
        if (u->ordinal)
            snprintf(mark, sizeof mark, "%u. ", u->ordinal);
        else
            snprintf(mark, sizeof mark, "- ");
        sb_str(c, out, mark);
        if (u->task >= 0)
            sb_str(c, out, u->task ? "[x] " : "[ ] ");
    }
    if (u->kind != U_CODE) {
        render_range(c, u, (struct pos){0, 0}, unit_end(u), out);
        return;
    }
    for (size_t i = 0; i < u->n; i++) {
        const struct piece *p = piece_of(c, u, i);
        const char *s = piece_text(c, p), *end = s + p->len;
        while (s < end) { /* every line of a code block indented by four */
            const char *nl = memchr(s, '\n', (size_t)(end - s));
            size_t len = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
            sb_str(c, out, "    ");
            sb_add(c, out, s, len);
            s += len;
        }
    }
}

/* Adds a unit to the current section's prose. Items in a row are one line
 * apart, other blocks a blank line. Empty units show nothing, and skipping
 * them keeps a hostile document (millions of empty nested items) from
 * growing into much more prose than it has bytes. */
static void prose_add(struct ctx *c, const struct unit *u)
{
    if (c->sink == SINK_NONE || u->n == 0)
        return;
    if (c->text.len) {
        int tight = (u->kind == U_ITEM || u->kind == U_ROW || (u->kind == U_PARA && u->level > 0)) &&
                    (c->text_last == U_ITEM || c->text_last == U_ROW);
        while (c->text.len && c->text.p[c->text.len - 1] == '\n')
            c->text.p[--c->text.len] = '\0';
        sb_str(c, &c->text, tight ? "\n" : "\n\n");
    } else
        c->text_line = u->line;
    render_prose(c, u, &c->text);
    c->text_last = u->kind;
}

/* ------------------------------------------------------------------------
 * Attributes: {#id key=value key="two words" flag}
 * ------------------------------------------------------------------------ */

/* If v ends with "{...}", cuts it off v and returns its inside. */
static int cut_braces(struct sv *v, struct sv *inside)
{
    struct sv t = sv_trim(*v);
    if (t.n == 0 || t.s[t.n - 1] != '}')
        return 0;
    size_t i = t.n - 1;
    while (i > 0 && t.s[i - 1] != '{')
        i--;
    if (i == 0)
        return 0;
    *inside = (struct sv){t.s + i, t.n - 1 - i};
    v->n = (size_t)(t.s + i - 1 - v->s);
    return 1;
}

static int valid_id(struct sv v)
{
    if (v.n == 0)
        return 0;
    for (size_t i = 0; i < v.n; i++) {
        char ch = v.s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || is_digit(ch) || ch == '.' ||
              ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

static int push_attr(struct ctx *c, struct rb_attr **attrs, size_t *n, size_t *cap,
                     struct sv key, struct sv value)
{
    char *k = dup_sv(c, key), *v = dup_sv(c, value);
    if (!k || !v || RESERVE(c, *attrs, *n, *cap)) { /* stored whole or not at all */
        free(k);
        free(v);
        return -1;
    }
    (*attrs)[(*n)++] = (struct rb_attr){k, v};
    return 0;
}

/* Reads one `key=value`, `key="a b"` or `flag` at *i. */
static int read_attr(struct ctx *c, int line, struct sv in, size_t *i, struct sv *key, struct sv *value)
{
    size_t b = *i;
    while (*i < in.n && !is_space((unsigned char)in.s[*i]) && in.s[*i] != '=')
        (*i)++;
    *key = (struct sv){in.s + b, *i - b};
    *value = (struct sv){"", 0};
    if (*i < in.n && in.s[*i] == '=') {
        (*i)++;
        int quoted = *i < in.n && in.s[*i] == '"';
        size_t vb = *i + (size_t)quoted;
        *i = vb;
        while (*i < in.n && (quoted ? in.s[*i] != '"' : !is_space((unsigned char)in.s[*i])))
            (*i)++;
        if (quoted && *i >= in.n) {
            problem(c, line, 0, "attribute `%.*s` has an unclosed quote", SV(*key));
            return -1;
        }
        *value = (struct sv){in.s + vb, *i - vb};
        *i += (size_t)quoted;
    }
    if (!valid_name(*key, 1) || !(key->s[0] >= 'a' && key->s[0] <= 'z')) {
        struct sv bad = {in.s + b, *i - b};
        problem(c, line, 0, "bad attribute `%.*s`: expected #id, key=value or a lowercase word",
                SV(bad));
        return -1;
    }
    return 0;
}

/* Parses the inside of {...}: an optional #id (when id is not NULL) and
 * attributes. Returns -1 after reporting a problem. */
static int parse_attrs(struct ctx *c, int line, struct sv in, struct sv *id,
                       struct rb_attr **attrs, size_t *n_attrs)
{
    size_t i = 0, cap = *n_attrs;
    int failed = 0;
    while (i < in.n && !failed) {
        if (is_space((unsigned char)in.s[i])) {
            i++;
            continue;
        }
        size_t b = i;
        if (in.s[i] == '#') {
            while (i < in.n && !is_space((unsigned char)in.s[i]))
                i++;
            struct sv v = {in.s + b + 1, i - b - 1};
            if (!id) {
                problem(c, line, 0, "a phase is named by its number; `#%.*s` is not allowed here", SV(v));
                failed = 1;
            } else if (id->s) {
                problem(c, line, 0, "two ids in one step: `#%.*s` and `#%.*s`", SV(*id), SV(v));
                failed = 1;
            } else if (!valid_id(v)) {
                problem(c, line, 0, "step id `%.*s`: use letters, digits, `.`, `_` and `-`", SV(v));
                failed = 1;
            } else
                *id = v;
            continue;
        }
        struct sv key, value;
        if (read_attr(c, line, in, &i, &key, &value)) {
            failed = 1;
            break;
        }
        for (size_t k = 0; k < *n_attrs && !failed; k++) {
            if (strlen((*attrs)[k].key) == key.n && memcmp((*attrs)[k].key, key.s, key.n) == 0) {
                problem(c, line, 0, "attribute `%.*s` is given twice", SV(key));
                failed = 1;
            }
        }
        if (!failed && push_attr(c, attrs, n_attrs, &cap, key, value))
            failed = 1;
    }
    return failed ? -1 : 0;
}

/* `{gate: ...}`: the inside of braces that holds a gate, after the colon. */
static int gate_braces(struct sv in, struct sv *cond)
{
    struct sv t = sv_trim(in);
    if (t.n < 5 || memcmp(t.s, "gate:", 5) != 0)
        return 0;
    *cond = (struct sv){t.s + 5, t.n - 5};
    return 1;
}

/* Adds the gate written in cond to the step (step >= 0) or phase; its id
 * is "gate:<step id>" or "gate:phase<N>", "#k" after the first. */
static void add_gate(struct ctx *c, int line, struct sv cond, ptrdiff_t step, size_t phase,
                     const char *owner)
{
    struct runbook *rb = c->rb;
    struct rb_gate g;
    char why[200];
    if (gate_parse(cond.s, cond.n, &g, why, sizeof why) != 0) {
        problem(c, line, 0, "gate: %s", why);
        return;
    }
    size_t same = 0;
    for (size_t i = 0; i < rb->n_gates; i++)
        same += rb->gates[i].step == step && rb->gates[i].phase == phase;
    char id[96];
    if (same)
        snprintf(id, sizeof id, "gate:%s#%zu", owner, same + 1);
    else
        snprintf(id, sizeof id, "gate:%s", owner);
    g.id = dup_sv(c, sv_of(id));
    g.step = step;
    g.phase = phase;
    g.cond.line = line;
    if (!g.id || RESERVE(c, rb->gates, rb->n_gates, c->cap_gates)) {
        gate_spec_free(&g);
        return;
    }
    rb->gates[rb->n_gates++] = g;
}

/* ------------------------------------------------------------------------
 * Numbers, durations, dates
 * ------------------------------------------------------------------------ */

static const double pow10_tab[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* A criterion's value: [-]digits[.digits][%]; "1%" is 0.01. Parsed by hand
 * because strtod follows the locale (a decimal comma under some LANG), and
 * with one division of exact numbers so that 0.1% is the double nearest
 * 0.001. */
static int parse_number(struct sv t, double *out, int *pct)
{
    size_t i = 0;
    int neg = t.n > 0 && t.s[0] == '-', in_frac = 0;
    i += (size_t)neg;
    if (i >= t.n || !is_digit(t.s[i]))
        return -1;
    uint64_t mant = 0;
    size_t frac = 0;
    for (; i < t.n; i++) {
        if (t.s[i] == '.' && !in_frac && i + 1 < t.n && is_digit(t.s[i + 1])) {
            in_frac = 1;
            continue;
        }
        if (!is_digit(t.s[i]))
            break;
        if (mant > (UINT64_MAX - 9) / 10 || frac >= 20)
            return -1;
        mant = mant * 10 + (uint64_t)(t.s[i] - '0');
        frac += (size_t)in_frac;
    }
    *pct = i < t.n && t.s[i] == '%';
    if (i + (size_t)*pct != t.n)
        return -1;
    double v = (double)mant / pow10_tab[frac + (*pct ? 2 : 0)];
    *out = neg ? -v : v;
    return 0;
}

/* units.h wants NUL-terminated strings; tokens are views. */
static int token_duration(struct sv t, int64_t *ms)
{
    char buf[64];
    if (t.n >= sizeof buf)
        return -1;
    memcpy(buf, t.s, t.n);
    buf[t.n] = '\0';
    return units_parse_duration(buf, ms);
}

static int token_percent(struct sv t, double *v)
{
    char buf[64];
    if (t.n >= sizeof buf)
        return -1;
    memcpy(buf, t.s, t.n);
    buf[t.n] = '\0';
    return units_parse_percent(buf, v, NULL);
}

/* YYYY-MM-DD, a real day of the Gregorian calendar. */
static int valid_date(struct sv t)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (t.n != 10 || t.s[4] != '-' || t.s[7] != '-')
        return 0;
    for (size_t i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !is_digit(t.s[i]))
            return 0;
    int y = atoi(t.s), m = (t.s[5] - '0') * 10 + t.s[6] - '0', d = (t.s[8] - '0') * 10 + t.s[9] - '0';
    if (m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* The clauses after a criterion's value or a ramp step's percentage. Only
 * `for DURATION` today; a new clause (e.g. `min 200 requests`) is one more
 * branch here, and anything unknown is an error rather than ignored. */
static int parse_clauses(struct ctx *c, int line, const struct tok *t, size_t nt, size_t i,
                         int64_t *for_ms, int *has_for)
{
    while (i < nt) {
        if (sv_ieq(t[i].v, "for")) {
            if (*has_for) {
                problem(c, line, 0, "`for` is given twice");
                return -1;
            }
            if (i + 1 >= nt || token_duration(t[i + 1].v, for_ms)) {
                expected(c, line, "a duration after `for` (like 30s, 10m or 1h30m)", t, nt, i + 1);
                return -1;
            }
            if (*for_ms > RUNBOOK_MAX_HOLD_MS) {
                problem(c, line, 0, "`for %.*s`: a duration here is at most 30d", SV(t[i + 1].v));
                return -1;
            }
            *has_for = 1;
            i += 2;
            continue;
        }
        problem(c, line, 0, "unexpected `%.*s`: expected `for DURATION` or the end of the item",
                SV(t[i].v));
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Sections
 * ------------------------------------------------------------------------ */

static const char *const sec_names[SEC_COUNT] = {
    "", "", "", "## Roles", "## Systems", "## Signals", "## Abort criteria", "## Ramp",
    "## Phase", "## Rollback", "## Cleanup",
};

/* Compares a heading with a lowercase name, ignoring case and runs of
 * white space. */
static int heading_is(const char *h, const char *name)
{
    while (*h && *name) {
        if (is_space((unsigned char)*h) && *name == ' ') {
            while (is_space((unsigned char)*h))
                h++;
            name++;
            continue;
        }
        if (lower((unsigned char)*h) != *name)
            return 0;
        h++;
        name++;
    }
    return *h == '\0' && *name == '\0';
}

static int starts_with_phase(const char *h)
{
    return strncasecmp(h, "phase", 5) == 0 && (h[5] == '\0' || h[5] == ':' || is_space((unsigned char)h[5]));
}

static enum sec classify(const char *h)
{
    static const struct {
        const char *name;
        enum sec sec;
    } known[] = {
        {"roles", SEC_ROLES},       {"systems", SEC_SYSTEMS}, {"signals", SEC_SIGNALS},
        {"abort criteria", SEC_CRITERIA}, {"criteria", SEC_CRITERIA}, {"ramp", SEC_RAMP},
        {"rollback", SEC_ROLLBACK}, {"cleanup", SEC_CLEANUP},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (heading_is(h, known[i].name))
            return known[i].sec;
    return starts_with_phase(h) ? SEC_PHASE : SEC_PROSE;
}

/* "Phase 2: Dual-write {attrs}" → number, title, attributes. The separator
 * after the number may be ':', '-', '–' or '—'. Returns -1 when there is no
 * whole number after "Phase". */
static int parse_phase_heading(const char *h, struct sv *num, struct sv *title, struct sv *attrs,
                               int *has_attrs)
{
    size_t i = 5, b;
    while (is_space((unsigned char)h[i]))
        i++;
    b = i;
    while (is_digit(h[i]) && i - b < 9)
        i++;
    if (i == b || !(h[i] == '\0' || h[i] == ':' || is_space((unsigned char)h[i])))
        return -1;
    *num = (struct sv){h + b, i - b};
    while (is_space((unsigned char)h[i]))
        i++;
    static const char *const seps[] = {":", "-", "\xe2\x80\x93", "\xe2\x80\x94"};
    for (size_t k = 0; k < 4; k++) {
        size_t n = strlen(seps[k]);
        if (strncmp(h + i, seps[k], n) == 0) {
            i += n;
            break;
        }
    }
    *title = sv_of(h + i);
    *has_attrs = cut_braces(title, attrs);
    *title = sv_trim(*title);
    return 0;
}

/* Moves the collected prose to where the section keeps it. */
static void flush_text(struct ctx *c)
{
    struct runbook *rb = c->rb;
    switch (c->sink) {
    case SINK_NONE:
        c->text.len = 0;
        break;
    case SINK_UNTITLED:
        if (c->text.len && RESERVE(c, rb->sections, rb->n_sections, c->cap_sections) == 0)
            rb->sections[rb->n_sections++] = (struct rb_section){dup_sv(c, sv_of("")),
                                                                 sb_take(c, &c->text), c->text_line};
        break;
    case SINK_SECTION:
        rb->sections[c->sink_index].text = sb_take(c, &c->text);
        break;
    case SINK_PHASE:
        rb->phases[c->sink_index].prose = sb_take(c, &c->text);
        break;
    case SINK_RB_SUB:
        c->subs[c->sink_index].text = sb_take(c, &c->text);
        break;
    case SINK_RB_GENERAL:
        if (c->text.len) {
            if (c->rb_general.len)
                sb_str(c, &c->rb_general, "\n\n");
            sb_add(c, &c->rb_general, c->text.p, c->text.len);
        }
        c->text.len = 0;
        break;
    }
    c->text_line = 0;
    c->sink = SINK_NONE;
}

/* A section shown as prose; takes ownership of title. */
static void begin_prose(struct ctx *c, char *title, int line, enum sec sec)
{
    struct runbook *rb = c->rb;
    c->sec = sec;
    if (!title || RESERVE(c, rb->sections, rb->n_sections, c->cap_sections)) {
        free(title);
        return;
    }
    rb->sections[rb->n_sections] = (struct rb_section){title, NULL, line};
    c->sink = SINK_SECTION;
    c->sink_index = rb->n_sections++;
}

static void begin_phase(struct ctx *c, const struct unit *u, const char *h)
{
    struct runbook *rb = c->rb;
    struct sv num = {"", 0}, title = {"", 0}, attrs;
    int has_attrs = 0;
    if (parse_phase_heading(h, &num, &title, &attrs, &has_attrs))
        problem(c, u->line, 0, "expected `## Phase N: Title` with N a whole number, found `%.*s`",
                SV(sv_of(h)));
    c->sec = SEC_PHASE;
    if (RESERVE(c, rb->phases, rb->n_phases, c->cap_phases) ||
        RESERVE(c, c->phase_items, rb->n_phases, c->cap_phase_items))
        return;
    c->phase_items[rb->n_phases] = 0;
    struct rb_phase *ph = &rb->phases[rb->n_phases];
    *ph = (struct rb_phase){.number = dup_sv(c, num), .title = dup_sv(c, title),
                            .first_step = rb->n_steps, .line = u->line};
    struct sv gates[8];
    size_t n_gates = 0;
    int attrs_taken = 0;
    while (has_attrs) {
        struct sv cond;
        if (gate_braces(attrs, &cond)) {
            if (n_gates < 8)
                gates[n_gates++] = cond;
            else
                problem(c, u->line, 0, "a phase has at most 8 gates");
        } else if (attrs_taken) {
            problem(c, u->line, 0, "two {…} groups of attributes: write them in one");
        } else {
            parse_attrs(c, u->line, attrs, NULL, &ph->attrs, &ph->n_attrs);
            attrs_taken = 1;
        }
        has_attrs = cut_braces(&title, &attrs);
    }
    if (n_gates) {
        free(ph->title);
        ph->title = dup_sv(c, sv_trim(title));
        char owner[32];
        snprintf(owner, sizeof owner, "phase%s", ph->number ? ph->number : "");
        for (size_t k = n_gates; k-- > 0;)
            add_gate(c, u->line, gates[k], -1, rb->n_phases, owner);
    }
    c->sink = SINK_PHASE;
    c->sink_index = rb->n_phases++;
}

/* A ## heading: one of the known sections, a phase, or prose. Each known
 * section may appear once, so that two ## Ramp never silently merge. */
static void on_h2(struct ctx *c, const struct unit *u, char *h)
{
    enum sec k = classify(h);
    if (k == SEC_PHASE) {
        begin_phase(c, u, h);
        free(h);
        return;
    }
    if (k == SEC_PROSE) {
        begin_prose(c, h, u->line, SEC_PROSE);
        return;
    }
    if (c->sec_seen[k])
        problem(c, u->line, 0, "a second %s section (the first is at line %d): keep one",
                sec_names[k], c->sec_line[k]);
    else {
        c->sec_seen[k] = 1;
        c->sec_line[k] = u->line;
    }
    if (k == SEC_CLEANUP) {
        begin_prose(c, h, u->line, SEC_CLEANUP); /* shown, and read for the deadline */
        return;
    }
    free(h);
    c->sec = k;
    if (k == SEC_ROLLBACK)
        c->sink = SINK_RB_GENERAL;
}

static void on_heading(struct ctx *c, const struct unit *u)
{
    char *h = render_from(c, u, (struct pos){0, 0});
    if (!h)
        return;
    flush_text(c);
    if (u->level == 2) {
        on_h2(c, u, h);
        return;
    }
    if (c->title_seen) { /* a later # heading: a section of prose */
        begin_prose(c, h, u->line, SEC_PROSE);
        return;
    }
    c->title_seen = 1;
    c->rb->title = h;
    if (!h[0])
        problem(c, u->line, 0, "empty title: write the runbook's name after `# `");
    c->sec = SEC_INTRO;
    c->sink = SINK_UNTITLED;
}

/* ------------------------------------------------------------------------
 * ## Roles, ## Systems, ## Signals
 * ------------------------------------------------------------------------ */

/* "Bob Ruiz (bob)" → "Bob Ruiz", account "bob": a trailing parenthesis
 * holding one login name (lowercase letters, digits, `_`, `-`, `.`) binds
 * the person to that OS account; other parentheses are part of the name. */
static char *cut_account(struct ctx *c, char *person)
{
    size_t n = strlen(person);
    if (n < 4 || person[n - 1] != ')')
        return NULL;
    char *open = strrchr(person, '(');
    if (!open || open == person || open[-1] != ' ' || open + 2 >= person + n)
        return NULL;
    for (const char *p = open + 1; p < person + n - 1; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
              *p == '.'))
            return NULL;
    char *account = dup_sv(c, (struct sv){open + 1, (size_t)(person + n - 1 - open - 1)});
    if (!account)
        return NULL;
    char *end = open;
    while (end > person && end[-1] == ' ')
        end--;
    *end = '\0';
    return account;
}

static void role_item(struct ctx *c, const struct unit *u)
{
    struct runbook *rb = c->rb;
    struct sv name;
    struct pos after;
    if (take_prefix(c, u, &name, &after)) {
        problem(c, u->line, 0, "expected a role `- ROLE: Person Name`, e.g. `- commander: Alice Ng`");
        return;
    }
    if (!valid_name(name, 1)) {
        problem(c, u->line, 0, "role name `%.*s`: use lowercase letters, digits, `_` and `-`", SV(name));
        return;
    }
    char *person = render_from(c, u, after);
    if (person && !person[0])
        problem(c, u->line, 0, "role `%.*s` has no person: expected `- %.*s: Person Name`", SV(name),
                SV(name));
    if (!person || RESERVE(c, rb->roles, rb->n_roles, c->cap_roles)) {
        free(person);
        return;
    }
    rb->roles[rb->n_roles++] = (struct rb_role){dup_sv(c, name), person, u->line,
                                                cut_account(c, person)};
}

/* `slack` is the comms webhook's kind (a system named `notify`). */
static const char *const known_kinds[] = {"postgres", "sqlite", "prometheus", "scrape",
                                          "flagd",    "unleash", "http",      "slack"};
#define N_KINDS (sizeof known_kinds / sizeof known_kinds[0])

static int known_kind(struct sv kind)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (kind.n == strlen(known_kinds[i]) && memcmp(kind.s, known_kinds[i], kind.n) == 0)
            return 1;
    return 0;
}

/* Edit distance of two short words (longer ones count as far apart). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b), row[33];
    if (na > 32 || nb > 32)
        return SIZE_MAX;
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            if (up + 1 < best)
                best = up + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

/* The known kind nearest to kind, or NULL when none is close. */
static const char *nearest_kind(const char *kind)
{
    const char *best = NULL;
    size_t best_d = 4;   /* at most three edits away */
    for (size_t i = 0; i < N_KINDS; i++) {
        size_t d = edit_distance(kind, known_kinds[i]);
        if (d < best_d) {
            best_d = d;
            best = known_kinds[i];
        }
    }
    return best;
}

/* The `word `value`` pairs after a system's connection. */
static void system_attrs(struct ctx *c, const struct unit *u, struct rb_system *sys,
                         const struct tok *t, size_t nt)
{
    size_t cap = 0;
    struct sv name = sv_of(sys->name);
    for (size_t i = 2; i < nt; i += 2) {
        if (t[i].code || !valid_name(t[i].v, 1)) {
            problem(c, u->line, 0,
                    "system `%.*s`: unexpected `%.*s`: after the connection write pairs like table `orders`",
                    SV(name), SV(t[i].v));
            return;
        }
        if (i + 1 >= nt || !t[i + 1].code) {
            problem(c, u->line, 0, "system `%.*s`: `%.*s` needs a value in backticks, e.g. %.*s `x`",
                    SV(name), SV(t[i].v), SV(t[i].v));
            return;
        }
        for (size_t k = 0; k < sys->n_attrs; k++) {
            if (strlen(sys->attrs[k].key) == t[i].v.n && memcmp(sys->attrs[k].key, t[i].v.s, t[i].v.n) == 0) {
                problem(c, u->line, 0, "system `%.*s`: `%.*s` is given twice", SV(name), SV(t[i].v));
                return;
            }
        }
        if (push_attr(c, &sys->attrs, &sys->n_attrs, &cap, t[i].v, t[i + 1].v))
            return;
    }
}

/* A password written out in a connection: libpq's password=VALUE or a
 * URL's user:VALUE@, where VALUE is not a ${NAME} from the environment. */
static int literal_password(const char *conn)
{
    for (const char *p = conn; (p = strcasestr(p, "password")) != NULL; p += 8) {
        const char *v = p + 8;
        v += strspn(v, " ");
        if (*v != '=' || (p > conn && (isalnum((unsigned char)p[-1]) || p[-1] == '_')))
            continue;
        v += 1 + strspn(v + 1, " '\"");
        if (*v && strncmp(v, "${", 2) != 0)
            return 1;
    }
    const char *scheme = strstr(conn, "://");
    if (scheme) {
        const char *user = scheme + 3;
        size_t auth = strcspn(user, "/?#");
        const char *at = memchr(user, '@', auth);
        const char *colon = at ? memchr(user, ':', (size_t)(at - user)) : NULL;
        if (colon && colon + 1 < at && strncmp(colon + 1, "${", 2) != 0)
            return 1;
    }
    return 0;
}

static void system_item(struct ctx *c, const struct unit *u)
{
    struct runbook *rb = c->rb;
    struct sv name;
    struct pos after;
    if (take_prefix(c, u, &name, &after)) {
        problem(c, u->line, 0,
                "expected a system `- NAME: KIND `CONNECTION``, e.g. `- old: postgres `dbname=shop``");
        return;
    }
    if (!valid_name(name, 1)) {
        problem(c, u->line, 0, "system name `%.*s`: use lowercase letters, digits, `_` and `-`", SV(name));
        return;
    }
    size_t nt = tokenize(c, u, after, 0);
    const struct tok *t = c->toks;
    if (RESERVE(c, rb->systems, rb->n_systems, c->cap_systems))
        return;
    struct rb_system *sys = &rb->systems[rb->n_systems++];
    int ok = nt >= 2 && !t[0].code && valid_name(t[0].v, 1) && t[1].code;
    *sys = (struct rb_system){.name = dup_sv(c, name), .kind = dup_sv(c, ok ? t[0].v : sv_of("")),
                              .conn = dup_sv(c, ok ? t[1].v : sv_of("")), .line = u->line};
    if (!ok) {
        problem(c, u->line, 0,
                "system `%.*s`: expected a kind and a connection in backticks, e.g. `- %.*s: postgres `dbname=shop``",
                SV(name), SV(name));
        return;
    }
    if (sys->conn && literal_password(sys->conn))
        problem(c, u->line, 1,
                "system `%.*s`: a password is written in the runbook, whose text is copied into the journal; "
                "take it from the environment with ${NAME}",
                SV(name));
    system_attrs(c, u, sys, t, nt);
}

static void signal_item(struct ctx *c, const struct unit *u)
{
    struct runbook *rb = c->rb;
    struct sv name;
    struct pos after;
    if (take_prefix(c, u, &name, &after)) {
        problem(c, u->line, 0, "expected a signal `- NAME: `EXPR`` or `- NAME: SOURCE `EXPR``");
        return;
    }
    if (!valid_name(name, 0)) {
        problem(c, u->line, 0, "signal name `%.*s`: use lowercase letters, digits and `_`", SV(name));
        return;
    }
    size_t nt = tokenize(c, u, after, 0);
    const struct tok *t = c->toks;
    struct sv source = {NULL, 0}, expr = {"", 0};
    int64_t every = 1000;   /* poll interval: a second unless `every D` */
    if (nt >= 3 && !t[nt - 2].code && sv_ieq(t[nt - 2].v, "every") && !t[nt - 1].code) {
        if (token_duration(t[nt - 1].v, &every) || every < RUNBOOK_MIN_EVERY_MS ||
            every > RUNBOOK_MAX_EVERY_MS) {
            problem(c, u->line, 0,
                    "signal `%.*s`: `every` needs a duration of at least 100ms and at most 1h, found `%.*s`",
                    SV(name), SV(t[nt - 1].v));
            return;
        }
        nt -= 2;
    }
    if (nt == 1 && t[0].code)
        expr = t[0].v;
    else if (nt == 2 && !t[0].code && t[1].code) {
        source = t[0].v;
        expr = t[1].v;
    } else
        problem(c, u->line, 0,
                "signal `%.*s`: expected `- %.*s: `EXPR`` or `- %.*s: SOURCE `EXPR`` (the query in backticks), then optionally `every DURATION`",
                SV(name), SV(name), SV(name));
    if (expr.n && sv_trim(expr).n == 0)
        problem(c, u->line, 0, "signal `%.*s` has an empty expression", SV(name));
    if (RESERVE(c, rb->signals, rb->n_signals, c->cap_signals))
        return;
    rb->signals[rb->n_signals++] = (struct rb_signal){
        dup_sv(c, name), source.s ? dup_sv(c, source) : NULL, dup_sv(c, expr), u->line, every};
}

/* ------------------------------------------------------------------------
 * ## Abort criteria, ## Ramp
 * ------------------------------------------------------------------------ */

static int crit_action(struct sv v, enum rb_crit_action *a)
{
    static const char *const names[] = {"abort", "halt", "hold", "warn"};
    for (int i = 0; i < 4; i++) {
        if (sv_ieq(v, names[i])) {
            *a = (enum rb_crit_action)i;
            return 0;
        }
    }
    return -1;
}

static int crit_op(struct sv v, enum rb_op *op)
{
    static const char *const names[] = {">", ">=", "<", "<=", "==", "!="};
    for (int i = 0; i < 6; i++) {
        if (v.n == strlen(names[i]) && memcmp(v.s, names[i], v.n) == 0) {
            *op = (enum rb_op)i;
            return 0;
        }
    }
    return -1;
}

/* The fixed head of a criterion, ACTION if SIGNAL OP VALUE, into cr.
 * Returns -1 after naming what was expected where. */
static int criterion_head(struct ctx *c, int line, const struct tok *t, size_t nt,
                          struct rb_criterion *cr)
{
    char what[160];
    if (nt == 0 || crit_action(t[0].v, &cr->action)) {
        expected(c, line, "a criterion `ACTION if SIGNAL OP VALUE [for DURATION]` starting with abort, halt, hold or warn", t, nt, 0);
        return -1;
    }
    if (nt < 2 || !sv_ieq(t[1].v, "if")) {
        snprintf(what, sizeof what, "`if` after `%.*s`", SV(t[0].v));
        expected(c, line, what, t, nt, 1);
        return -1;
    }
    if (nt < 3 || !valid_name(t[2].v, 0)) {
        expected(c, line, "a signal name (lowercase letters, digits, `_`) after `if`", t, nt, 2);
        return -1;
    }
    if (nt < 4 || crit_op(t[3].v, &cr->op)) {
        snprintf(what, sizeof what, "a comparison (>, >=, <, <=, ==, !=) after `%.*s`", SV(t[2].v));
        expected(c, line, what, t, nt, 3);
        return -1;
    }
    if (nt < 5 || parse_number(t[4].v, &cr->threshold, &cr->is_percent)) {
        snprintf(what, sizeof what, "a number (like 2, 0.5 or 1%%) after `%.*s`", SV(t[3].v));
        expected(c, line, what, t, nt, 4);
        return -1;
    }
    return 0;
}

/* Commas between clauses are for the reader: "…for 30s, min 200 reads". */
static size_t drop_commas(struct tok *t, size_t nt)
{
    size_t out = 0;
    for (size_t i = 0; i < nt; i++) {
        if (!t[i].code && t[i].v.n && t[i].v.s[t[i].v.n - 1] == ',')
            t[i].v.n--;
        if (t[i].v.n || t[i].code)
            t[out++] = t[i];
    }
    return out;
}

/* `min N SIGNAL`: below N (as counted by SIGNAL) the rate is not judged. */
static int clause_min(struct ctx *c, int line, const struct tok *t, size_t nt, size_t i,
                      struct rb_criterion *cr)
{
    int pct = 0;
    if (cr->min_signal) {
        problem(c, line, 0, "`min` is given twice");
        return -1;
    }
    if (i + 2 >= nt || parse_number(t[i + 1].v, &cr->min_count, &pct) || pct ||
        cr->min_count < 0 || !valid_name(t[i + 2].v, 0)) {
        expected(c, line, "`min COUNT SIGNAL` (like `min 200 new_reads`)", t, nt, i + 1);
        return -1;
    }
    cr->min_signal = dup_sv(c, t[i + 2].v);
    return cr->min_signal ? 0 : -1;
}

/* `confidence P%`: fire only when the Wilson bound is past the line. */
static int clause_confidence(struct ctx *c, int line, const struct tok *t, size_t nt, size_t i,
                             struct rb_criterion *cr)
{
    double v;
    int pct = 0;
    if (i + 1 >= nt || parse_number(t[i + 1].v, &v, &pct) || !pct || v <= 0.5 || v >= 1) {
        expected(c, line, "`confidence P%` with P between 50% and 100% (like 95%)", t, nt, i + 1);
        return -1;
    }
    cr->confidence = v;
    return 0;
}

/* The clauses after a criterion's value, in any order:
 *   for DURATION | min COUNT SIGNAL | confidence P% | no data for DURATION */
static int criterion_clauses(struct ctx *c, int line, const struct tok *t, size_t nt,
                             struct rb_criterion *cr)
{
    int has_for = 0;
    size_t i = 5;
    while (i < nt) {
        if (sv_ieq(t[i].v, "for")) {
            if (parse_clauses(c, line, t, i + 2 < nt ? i + 2 : nt, i, &cr->for_ms, &has_for))
                return -1;
            i += 2;
        } else if (sv_ieq(t[i].v, "min")) {
            if (clause_min(c, line, t, nt, i, cr))
                return -1;
            i += 3;
        } else if (sv_ieq(t[i].v, "confidence")) {
            if (clause_confidence(c, line, t, nt, i, cr))
                return -1;
            i += 2;
        } else if (sv_ieq(t[i].v, "no") && i + 3 < nt && sv_ieq(t[i + 1].v, "data") &&
                   sv_ieq(t[i + 2].v, "for")) {
            if (token_duration(t[i + 3].v, &cr->no_data_ms) || cr->no_data_ms <= 0) {
                expected(c, line, "a duration after `no data for` (like 2m)", t, nt, i + 3);
                return -1;
            }
            if (cr->no_data_ms > RUNBOOK_MAX_HOLD_MS) {
                problem(c, line, 0, "`no data for %.*s`: a duration here is at most 30d", SV(t[i + 3].v));
                return -1;
            }
            i += 4;
        } else {
            problem(c, line, 0,
                    "unexpected `%.*s`: expected `for DURATION`, `min COUNT SIGNAL`, "
                    "`confidence P%%`, `no data for DURATION` or the end of the item",
                    SV(t[i].v));
            return -1;
        }
    }
    if (cr->confidence > 0 && !cr->min_signal) {
        problem(c, line, 0, "`confidence` needs `min COUNT SIGNAL`: the Wilson bound needs the count");
        return -1;
    }
    return 0;
}

/* ACTION if SIGNAL OP VALUE [clauses] */
static void criterion_item(struct ctx *c, const struct unit *u)
{
    struct runbook *rb = c->rb;
    size_t nt = tokenize(c, u, (struct pos){0, 0}, 1);   /* may move c->toks */
    nt = drop_commas(c->toks, nt);
    const struct tok *t = c->toks;
    struct rb_criterion cr = {.line = u->line};
    if (criterion_head(c, u->line, t, nt, &cr) || criterion_clauses(c, u->line, t, nt, &cr)) {
        free(cr.min_signal);
        return;
    }
    cr.signal = dup_sv(c, t[2].v);
    cr.text = render_from(c, u, (struct pos){0, 0});
    if (!cr.signal || !cr.text || RESERVE(c, rb->criteria, rb->n_criteria, c->cap_criteria)) {
        free(cr.signal);
        free(cr.text);
        free(cr.min_signal);
        return;
    }
    rb->criteria[rb->n_criteria++] = cr;
}

/* A paragraph in ## Abort criteria that reads like a criterion is not
 * enforced: say so, since the author most likely forgot the "- ". */
static void criterion_para(struct ctx *c, const struct unit *u)
{
    size_t nt = tokenize(c, u, (struct pos){0, 0}, 1);
    enum rb_crit_action a;
    if (nt >= 2 && crit_action(c->toks[0].v, &a) == 0 && sv_ieq(c->toks[1].v, "if"))
        problem(c, u->line, 1,
                "this reads like a criterion but is not a list item, so it is not enforced: write it as `- %.*s if ...`",
                SV(c->toks[0].v));
}

/* P% [for DURATION] */
static void ramp_item(struct ctx *c, const struct unit *u)
{
    struct runbook *rb = c->rb;
    size_t nt = tokenize(c, u, (struct pos){0, 0}, 0);
    const struct tok *t = c->toks;
    double pct;
    c->ramp_items++;
    if (c->ramp_items > RUNBOOK_MAX_RAMP_STEPS) {
        if (c->ramp_items == RUNBOOK_MAX_RAMP_STEPS + 1)   /* said once; the rest are not read */
            problem(c, c->sec_line[SEC_RAMP], 0, "## Ramp has more than %d steps: a ramp has at most %d steps",
                    RUNBOOK_MAX_RAMP_STEPS, RUNBOOK_MAX_RAMP_STEPS);
        return;
    }
    int64_t hold = 0;
    int has_for = 0;
    if (nt == 0 || t[0].code || token_percent(t[0].v, &pct)) {
        expected(c, u->line, "a ramp step `- P% for DURATION` (the last may be just `- 100%`)", t, nt, 0);
        return;
    }
    if (pct <= 0) {
        problem(c, u->line, 0, "ramp step %g%%: a step must send some traffic (above 0%%)", pct);
        return;
    }
    if (pct > 100) {
        problem(c, u->line, 0, "ramp step %g%%: a step may be at most 100%%", pct);
        return;
    }
    if (rb->n_ramp && pct <= rb->ramp[rb->n_ramp - 1].percent)
        problem(c, u->line, 0, "ramp step %g%% does not rise above the step before it (%g%% at line %d)",
                pct, rb->ramp[rb->n_ramp - 1].percent, rb->ramp[rb->n_ramp - 1].line);
    if (parse_clauses(c, u->line, t, nt, 1, &hold, &has_for))
        return;
    if (has_for && hold == 0) {
        problem(c, u->line, 0, "ramp step %g%%: a hold must be longer than 0", pct);
        return;
    }
    if (RESERVE(c, rb->ramp, rb->n_ramp, c->cap_ramp))
        return;
    rb->ramp[rb->n_ramp++] = (struct rb_ramp_step){pct, hold, u->line};
}

/* Rollback: P%  — the flag's value after an abort (default 0%). */
static void ramp_rollback(struct ctx *c, const struct unit *u, const char *v)
{
    double pct;
    if (c->rollback_line) {
        problem(c, u->line, 0, "Rollback is given twice (first at line %d)", c->rollback_line);
        return;
    }
    c->rollback_line = u->line;
    if (units_parse_percent(v, &pct, NULL) != 0 || pct > 100) {
        problem(c, u->line, 0, "expected `Rollback: P%%` with P from 0%% to 100%%, found `Rollback: %s`", v);
        return;
    }
    c->rb->ramp_rollback_percent = pct;
}

/* Abort: commander, dba  — the roles whose consoles may abort; Deputy: dba
 * — the roles that may take over driving besides the commander. Each is
 * kept as " commander dba " and checked against ## Roles once the whole
 * runbook is read. */
static void ramp_roles(struct ctx *c, const struct unit *u, const char *v, const char *what,
                       char *out, size_t cap, int *line)
{
    size_t n = 0;
    if (*line) {
        problem(c, u->line, 0, "%s is given twice (first at line %d)", what, *line);
        return;
    }
    *line = u->line;
    out[n++] = ' ';
    for (const char *p = v; *p; p++) {
        if (*p == ',' || *p == ' ' || *p == '\t') {
            if (out[n - 1] != ' ')
                out[n++] = ' ';
        } else
            out[n++] = *p;
        if (n + 2 >= cap) {
            problem(c, u->line, 0, "`%s:` lists too many roles", what);
            out[0] = 0;
            return;
        }
    }
    if (out[n - 1] != ' ')
        out[n++] = ' ';
    out[n] = 0;
    if (n < 2) {
        problem(c, u->line, 0, "expected `%s: ROLE, ROLE …` (like `%s: commander, dba`), found `%s: %s`",
                what, what, what, v);
        out[0] = 0;
    }
}

static int roles_have(const char *roles, const char *role)
{
    char word[80];
    snprintf(word, sizeof word, " %s ", role);
    return strstr(roles, word) != NULL;
}

int runbook_may_take_over(const struct runbook *rb, const char *role)
{
    return strcmp(role, "commander") == 0 || roles_have(rb->ramp_deputy_roles, role);
}

int runbook_may_abort(const struct runbook *rb, const char *role)
{
    if (!rb->ramp_abort_roles[0])
        return strcmp(role, "commander") == 0;
    return roles_have(rb->ramp_abort_roles, role);
}

/* Every role `Abort:` or `Deputy:` names is one of ## Roles. */
static void check_roles_named(struct ctx *c, const char *roles, const char *what, int line)
{
    const struct runbook *rb = c->rb;
    char copy[256];
    snprintf(copy, sizeof copy, "%s", roles);
    char *save = NULL;
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        size_t i = 0;
        while (i < rb->n_roles && strcmp(rb->roles[i].role, w) != 0)
            i++;
        if (i == rb->n_roles)
            problem(c, line, 0, "%s: unknown role `%s`: ## Roles does not name it", what, w);
    }
}

static void check_abort_roles(struct ctx *c)
{
    check_roles_named(c, c->rb->ramp_abort_roles, "Abort", c->abort_line);
    check_roles_named(c, c->rb->ramp_deputy_roles, "Deputy", c->deputy_line);
}

/* Window: weekdays 14:00-16:00 UTC, not on the last day of the month */
static void ramp_window(struct ctx *c, const struct unit *u, const char *v)
{
    char why[200];
    if (c->rb->ramp_window.set) {
        problem(c, u->line, 0, "Window is given twice");
        return;
    }
    if (window_parse(v, &c->rb->ramp_window, why, sizeof why) != 0)
        problem(c, u->line, 0, "%s", why);
    c->window_line = u->line;
}

/* Observed: SIGNAL within N points for DURATION */
static void ramp_observed(struct ctx *c, const struct unit *u, const char *v)
{
    char name[64], points[32], dur[32], extra[8];
    int64_t ms = 0;
    double pts;
    int pct = 0;
    if (c->rb->ramp_observed) {
        problem(c, u->line, 0, "Observed is given twice");
        return;
    }
    if (sscanf(v, "%63s within %31s points for %31s %7s", name, points, dur, extra) != 3 ||
        parse_number(sv_of(points), &pts, &pct) || pct || pts <= 0 ||
        units_parse_duration(dur, &ms) || ms > RUNBOOK_MAX_HOLD_MS || !valid_name(sv_of(name), 0)) {
        problem(c, u->line, 0,
                "expected `Observed: SIGNAL within N points for DURATION` (like `Observed: "
                "observed_share within 5 points for 1m`), found `Observed: %s`", v);
        return;
    }
    c->rb->ramp_observed = strdup(name);
    c->rb->ramp_observed_points = pts;
    c->rb->ramp_observed_for_ms = ms;
    c->rb->ramp_observed_line = u->line;
}

/* Monitoring: 30m  — how long the ramp holds at its last step before an
 * {irreversible} step may be taken (core/noreturn.h). */
static void ramp_monitoring(struct ctx *c, const struct unit *u, const char *v)
{
    int64_t ms = 0;
    if (c->monitoring_line) {
        problem(c, u->line, 0, "Monitoring is given twice (first at line %d)", c->monitoring_line);
        return;
    }
    c->monitoring_line = u->line;
    if (units_parse_duration(v, &ms) != 0 || ms <= 0 || ms > RUNBOOK_MAX_HOLD_MS) {
        problem(c, u->line, 0, "expected `Monitoring: DURATION` (like `Monitoring: 30m`), found "
                "`Monitoring: %s`", v);
        return;
    }
    c->rb->ramp_monitoring_ms = ms;
}

/* Mode: automatic | manual, Rollback: P%, Abort: ROLES, Deputy: ROLES, Window: ..., Observed: ...,
 * Monitoring: D */
static void ramp_para(struct ctx *c, const struct unit *u)
{
    struct sv name;
    struct pos after;
    if (take_prefix(c, u, &name, &after) ||
        !(sv_ieq(name, "mode") || sv_ieq(name, "rollback") || sv_ieq(name, "window") ||
          sv_ieq(name, "observed") || sv_ieq(name, "abort") || sv_ieq(name, "deputy") ||
          sv_ieq(name, "monitoring")))
        return;
    char *v = render_from(c, u, after);
    if (!v)
        return;
    if (sv_ieq(name, "rollback"))
        ramp_rollback(c, u, v);
    else if (sv_ieq(name, "abort"))
        ramp_roles(c, u, v, "Abort", c->rb->ramp_abort_roles, sizeof c->rb->ramp_abort_roles,
                   &c->abort_line);
    else if (sv_ieq(name, "deputy"))
        ramp_roles(c, u, v, "Deputy", c->rb->ramp_deputy_roles, sizeof c->rb->ramp_deputy_roles,
                   &c->deputy_line);
    else if (sv_ieq(name, "window"))
        ramp_window(c, u, v);
    else if (sv_ieq(name, "observed"))
        ramp_observed(c, u, v);
    else if (sv_ieq(name, "monitoring"))
        ramp_monitoring(c, u, v);
    else if (c->mode_line)
        problem(c, u->line, 0, "Mode is given twice (first at line %d)", c->mode_line);
    else if (sv_ieq(sv_of(v), "automatic") || sv_ieq(sv_of(v), "manual")) {
        c->rb->ramp_automatic = sv_ieq(sv_of(v), "automatic");
        c->mode_line = u->line;
    } else
        problem(c, u->line, 0, "expected `Mode: automatic` or `Mode: manual`, found `Mode: %.*s`",
                SV(sv_of(v)));
    free(v);
}

/* ------------------------------------------------------------------------
 * Phases and steps
 * ------------------------------------------------------------------------ */

static int action_word(struct sv v)
{
    if (v.n == 0)
        return 0;
    for (size_t i = 0; i < v.n; i++)
        if (!((v.s[i] >= 'a' && v.s[i] <= 'z') || v.s[i] == '_'))
            return 0;
    return 1;
}

/* Cuts a trailing {...} off the step before *end (in its last text piece). */
static int cut_step_attrs(const struct ctx *c, const struct unit *u, struct pos start, struct pos *end,
                          struct sv *attrs)
{
    if (u->n == 0 || u->n - 1 < start.piece || piece_of(c, u, u->n - 1)->code)
        return 0;
    size_t last = u->n - 1;
    const struct piece *p = piece_of(c, u, last);
    size_t lo = last == start.piece ? start.off : 0;
    size_t hi = end->piece == u->n ? p->len : end->piece == last ? end->off : 0;
    if (hi < lo)
        return 0;
    struct sv v = {piece_text(c, p) + lo, hi - lo};
    if (!cut_braces(&v, attrs))
        return 0;
    *end = (struct pos){last, lo + v.n};
    return 1;
}

/* Looks back from *end, over white space, for a code span that is one
 * lowercase word: the step's action. *end moves before it. */
static int cut_action(const struct ctx *c, const struct unit *u, struct pos start, struct pos *end,
                      struct sv *word)
{
    size_t i = end->piece, off = end->off;
    for (;;) {
        if (i < u->n) {
            const struct piece *p = piece_of(c, u, i);
            const char *s = piece_text(c, p);
            size_t lo = i == start.piece ? start.off : 0;
            if (p->code && off == p->len && off > 0) {
                if (!action_word((struct sv){s, p->len}))
                    return 0;
                *word = (struct sv){s, p->len};
                *end = (struct pos){i, 0};
                return 1;
            }
            while (!p->code && off > lo && is_space((unsigned char)s[off - 1]))
                off--;
            if (!p->code && off > lo)
                return 0;
        }
        if (i == 0 || i <= start.piece)
            return 0;
        i--;
        off = piece_of(c, u, i)->len;
    }
}

static enum rb_action action_of(struct sv w)
{
    for (int a = RB_ACTION_BACKFILL; a <= RB_ACTION_PREFLIGHT; a++)
        if (w.n == strlen(rb_action_name((enum rb_action)a)) &&
            memcmp(w.s, rb_action_name((enum rb_action)a), w.n) == 0)
            return (enum rb_action)a;
    return RB_ACTION_NONE;
}

static void free_attrs(struct rb_attr *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a[i].key);
        free(a[i].value);
    }
    free(a);
}

static void free_step(struct rb_step *st)
{
    free(st->id);
    free(st->role);
    free(st->text);
    free_attrs(st->attrs, st->n_attrs);
}

/* The id a step gets without {#id}, as a new string:
 * "<phase number>.<index from 1>". */
static char *default_id(struct ctx *c, const struct rb_phase *ph)
{
    char buf[64];
    if (!ph->number || !ph->number[0])
        return dup_sv(c, sv_of("")); /* a phase heading in error: no id to clash */
    snprintf(buf, sizeof buf, "%s.%zu", ph->number, ph->n_steps + 1);
    return dup_sv(c, sv_of(buf));
}

/* - [ ] ROLE: text [`action`] [{#id key=value flag}] */
static void step_item(struct ctx *c, const struct unit *u)
{
    struct runbook *rb = c->rb;
    struct rb_phase *ph = &rb->phases[c->sink_index];
    struct sv role, attrs = {NULL, 0}, word = {NULL, 0}, id = {NULL, 0};
    struct pos start, end = unit_end(u);
    c->phase_items[c->sink_index] = 1; /* not an empty phase, even if this item is wrong */
    if (take_prefix(c, u, &role, &start)) {
        problem(c, u->line, 0, "expected a step `- [ ] ROLE: what to do`, e.g. `- [ ] dba: start the backfill`");
        return;
    }
    struct sv gates[8], inside;
    size_t n_gates = 0;
    int has_attrs = 0;
    while (cut_step_attrs(c, u, start, &end, &inside)) {
        struct sv cond;
        if (gate_braces(inside, &cond)) {
            if (n_gates < 8)
                gates[n_gates++] = cond;
            else
                problem(c, u->line, 0, "a step has at most 8 gates");
        } else if (has_attrs) {
            problem(c, u->line, 0, "two {…} groups of attributes: write them in one, like {#id any order}");
        } else {
            attrs = inside;
            has_attrs = 1;
        }
    }
    int has_action = cut_action(c, u, start, &end, &word);
    struct rb_step st = {.role = dup_sv(c, role), .phase = c->sink_index, .line = u->line};
    struct sbuf b = {0};
    render_range(c, u, start, end, &b);
    st.text = sb_take(c, &b);
    free(b.p);
    if (st.text && !st.text[0])
        problem(c, u->line, 0, "step has no text after `%.*s:`: say what to do", SV(role));
    if (has_action && (st.action = action_of(word)) == RB_ACTION_NONE)
        problem(c, u->line, 0,
                "unknown action `%.*s`: expected one of backfill, compare, ramp, writers, preflight (a code span that ends a step names its action)",
                SV(word));
    if (has_attrs)
        parse_attrs(c, u->line, attrs, &id, &st.attrs, &st.n_attrs);
    st.id = id.s ? dup_sv(c, id) : default_id(c, ph);
    if (RESERVE(c, rb->steps, rb->n_steps, c->cap_steps)) {
        free_step(&st);
        return;
    }
    rb->steps[rb->n_steps++] = st;
    ph->n_steps++;
    for (size_t k = n_gates; k-- > 0;)   /* cut last first: added in the order written */
        add_gate(c, u->line, gates[k], (ptrdiff_t)rb->n_steps - 1, c->sink_index,
                 st.id ? st.id : "");
}

/* ------------------------------------------------------------------------
 * ## Rollback, ## Cleanup
 * ------------------------------------------------------------------------ */

static void rollback_heading(struct ctx *c, const struct unit *u)
{
    char *h = render_from(c, u, (struct pos){0, 0});
    if (!h)
        return;
    flush_text(c);
    struct sv num, title, attrs;
    int has_attrs;
    if (!starts_with_phase(h)) {
        problem(c, u->line, 1,
                "`### %.*s` in ## Rollback is not `### Phase N`: its text is kept with the general rollback",
                SV(sv_of(h)));
        c->sink = SINK_RB_GENERAL;
        prose_add(c, u);
    } else if (parse_phase_heading(h, &num, &title, &attrs, &has_attrs)) {
        problem(c, u->line, 0, "expected `### Phase N` with N a whole number, found `%.*s`", SV(sv_of(h)));
        c->sink = SINK_NONE;
    } else if (RESERVE(c, c->subs, c->n_subs, c->cap_subs) == 0) {
        c->subs[c->n_subs] = (struct rbsub){dup_sv(c, num), NULL, u->line};
        c->sink = SINK_RB_SUB;
        c->sink_index = c->n_subs++;
    }
    free(h);
}

/* deadline: 30d after cutover | deadline: YYYY-MM-DD */
static void cleanup_deadline(struct ctx *c, const struct unit *u, struct pos after)
{
    struct runbook *rb = c->rb;
    char *v = render_from(c, u, after);
    if (!v)
        return;
    size_t nt = tokenize(c, u, after, 0);
    const struct tok *t = c->toks;
    int64_t ms = 0;
    int ok_rel = nt == 3 && !token_duration(t[0].v, &ms) && ms > 0 && sv_ieq(t[1].v, "after") &&
                 sv_ieq(t[2].v, "cutover");
    int looks_date = nt == 1 && t[0].v.n == 10 && is_digit(t[0].v.s[0]) && t[0].v.s[4] == '-';
    c->deadline_written = 1;
    if (c->deadline_line)
        problem(c, u->line, 0, "the deadline is given twice (first at line %d)", c->deadline_line);
    else if (looks_date && !valid_date(t[0].v))
        problem(c, u->line, 0, "`%.*s` is not a date: expected YYYY-MM-DD", SV(t[0].v));
    else if (ok_rel && ms > RUNBOOK_MAX_DEADLINE_MS)
        problem(c, u->line, 0, "`deadline: %.*s`: a cleanup deadline is at most 3650d after cutover",
                SV(sv_of(v)));
    else if (!ok_rel && !looks_date)
        problem(c, u->line, 0,
                "expected `deadline: 30d after cutover` or `deadline: YYYY-MM-DD`, found `deadline: %.*s`",
                SV(sv_of(v)));
    else {
        c->deadline_line = u->line;
        rb->cleanup_deadline = v;
        rb->cleanup_after_ms = ok_rel ? ms : 0;
        return;
    }
    free(v);
}

static void cleanup_unit(struct ctx *c, const struct unit *u)
{
    struct sv name;
    struct pos after;
    if ((u->kind == U_PARA || (u->kind == U_ITEM && u->level == 1)) &&
        take_prefix(c, u, &name, &after) == 0 && sv_ieq(name, "deadline"))
        cleanup_deadline(c, u, after);
    prose_add(c, u);
}

/* ------------------------------------------------------------------------
 * Dispatch
 * ------------------------------------------------------------------------ */

/* Roles, Systems, Signals, Criteria and Ramp: top-level items are entries;
 * paragraphs are commentary; a nested item is an error, because an entry
 * indented by mistake must not be lost. */
static void list_unit(struct ctx *c, const struct unit *u)
{
    if (u->kind == U_ITEM && u->level > 1) {
        problem(c, u->line, 0, "nested list item in %s: write each entry as a top-level `- ` item",
                sec_names[c->sec]);
        return;
    }
    if (u->kind == U_ROW) {   /* a table is not how entries are written: said, not lost */
        if (!c->table_said[c->sec]++)
            problem(c, u->line, 0, "a table in %s is not read: write each entry as a top-level "
                    "`- ` item (%s)", sec_names[c->sec],
                    c->sec == SEC_ROLES ? "`- commander: Alice Ng`" : "see runbooks/README.md");
        return;
    }
    if (u->kind == U_PARA && u->level == 0) {
        if (c->sec == SEC_RAMP)
            ramp_para(c, u);
        else if (c->sec == SEC_CRITERIA)
            criterion_para(c, u);
        return;
    }
    if (u->kind != U_ITEM)
        return;
    switch (c->sec) {
    case SEC_ROLES: role_item(c, u); break;
    case SEC_SYSTEMS: system_item(c, u); break;
    case SEC_SIGNALS: signal_item(c, u); break;
    case SEC_CRITERIA: criterion_item(c, u); break;
    case SEC_RAMP: ramp_item(c, u); break;
    default: break;
    }
}

static void on_unit(struct ctx *c, const struct unit *u)
{
    switch (c->sec) {
    case SEC_ROLES:
    case SEC_SYSTEMS:
    case SEC_SIGNALS:
    case SEC_CRITERIA:
    case SEC_RAMP:
        list_unit(c, u);
        break;
    case SEC_PHASE:
        if (u->kind == U_ITEM && u->level == 1)
            step_item(c, u);
        else
            prose_add(c, u);
        break;
    case SEC_ROLLBACK:
        if (u->kind == U_HEAD && u->level == 3)
            rollback_heading(c, u);
        else
            prose_add(c, u);
        break;
    case SEC_CLEANUP:
        cleanup_unit(c, u);
        break;
    default:
        prose_add(c, u);
        break;
    }
}

static void interpret(struct ctx *c)
{
    c->sec = SEC_PRE;
    c->sink = SINK_UNTITLED;
    for (size_t i = 0; i < c->n_units && !c->oom; i++) {
        const struct unit *u = &c->units[i];
        if (u->kind == U_HEAD && u->level <= 2)
            on_heading(c, u);
        else
            on_unit(c, u);
    }
    flush_text(c);
}

/* ------------------------------------------------------------------------
 * Cross-references, checked once everything is read (sections may come in
 * any order)
 * ------------------------------------------------------------------------ */

static void check_roles(struct ctx *c)
{
    const struct runbook *rb = c->rb;
    if (map_init(c, &c->roles, rb->n_roles))
        return;
    for (size_t i = 0; i < rb->n_roles; i++) {
        size_t prev = map_add(&c->roles, rb->roles[i].role, i);
        if (prev != MAP_NONE)
            problem(c, rb->roles[i].line, 0, "role `%s` is already assigned at line %d",
                    rb->roles[i].role, rb->roles[prev].line);
    }
    if (!c->sec_seen[SEC_ROLES])
        problem(c, 0, 0, "no ## Roles section: a runbook needs at least a `commander`");
    else if (map_get(&c->roles, "commander") == MAP_NONE)
        problem(c, c->sec_line[SEC_ROLES], 0,
                "## Roles has no `commander`: add `- commander: Person Name`, who drives the ceremony");
}

static void check_systems_signals(struct ctx *c)
{
    const struct runbook *rb = c->rb;
    if (map_init(c, &c->systems, rb->n_systems) || map_init(c, &c->signals, rb->n_signals))
        return;
    for (size_t i = 0; i < rb->n_systems; i++) {
        size_t prev = map_add(&c->systems, rb->systems[i].name, i);
        if (prev != MAP_NONE)
            problem(c, rb->systems[i].line, 0, "system `%s` is already defined at line %d",
                    rb->systems[i].name, rb->systems[prev].line);
    }
    /* A kind this version does not know: a warning on a system nothing
     * uses (a runbook for a newer version still loads), an error on one
     * that is used: a signal's source, the flag, the webhook. */
    for (size_t i = 0; i < rb->n_systems; i++) {
        const struct rb_system *sys = &rb->systems[i];
        if (!sys->kind[0] || known_kind(sv_of(sys->kind)))
            continue;
        int used = strcmp(sys->name, "flag") == 0 || strcmp(sys->name, "notify") == 0;
        for (size_t k = 0; k < rb->n_signals && !used; k++)
            used = strcmp(rb->signals[k].source ? rb->signals[k].source : "metrics", sys->name) == 0;
        const char *near = nearest_kind(sys->kind);
        char hint[64] = "";
        if (near)
            snprintf(hint, sizeof hint, "; did you mean %s?", near);
        problem(c, sys->line, !used,
                "system `%s`: kind `%s` is not one this version knows (postgres, sqlite, prometheus, "
                "scrape, flagd, unleash, http, slack)%s%s",
                sys->name, sys->kind, used ? ", and the runbook uses this system" : "", hint);
    }
    for (size_t i = 0; i < rb->n_signals; i++) {
        const struct rb_signal *s = &rb->signals[i];
        size_t prev = map_add(&c->signals, s->name, i);
        if (prev != MAP_NONE)
            problem(c, s->line, 0, "signal `%s` is already defined at line %d", s->name,
                    rb->signals[prev].line);
        if (s->source && map_get(&c->systems, s->source) == MAP_NONE)
            problem(c, s->line, 0, "signal `%s` reads from `%s`, which is not in ## Systems", s->name,
                    s->source);
        else if (!s->source && map_get(&c->systems, "metrics") == MAP_NONE)
            problem(c, s->line, 0,
                    "signal `%s` names no source and ## Systems has no `metrics` system to read it from",
                    s->name);
    }
    if (rb->ramp_observed && map_get(&c->signals, rb->ramp_observed) == MAP_NONE)
        problem(c, rb->ramp_observed_line, 0, "Observed names signal `%s`, which is not in ## Signals",
                rb->ramp_observed);
    for (size_t i = 0; i < rb->n_gates; i++)
        if (map_get(&c->signals, rb->gates[i].cond.signal) == MAP_NONE)
            problem(c, rb->gates[i].cond.line, 0,
                    "gate `%s`: unknown signal `%s`: it is not in ## Signals",
                    rb->gates[i].cond.text, rb->gates[i].cond.signal);
    for (size_t i = 0; i < rb->n_criteria; i++) {
        if (map_get(&c->signals, rb->criteria[i].signal) == MAP_NONE)
            problem(c, rb->criteria[i].line, 0, "unknown signal `%s`: it is not in ## Signals",
                    rb->criteria[i].signal);
        const char *min = rb->criteria[i].min_signal;
        if (min && map_get(&c->signals, min) == MAP_NONE)
            problem(c, rb->criteria[i].line, 0,
                    "`min` counts signal `%s`, which is not in ## Signals", min);
    }
}

/* Phase numbers compare as numbers: "02" is phase 2. */
static const char *phase_key(const char *number)
{
    if (!number)
        return NULL;
    while (number[0] == '0' && number[1])
        number++;
    return number;
}

static void check_phases(struct ctx *c, struct map *phases)
{
    const struct runbook *rb = c->rb;
    if (rb->n_phases == 0)
        problem(c, 0, 0, "no phases: add at least one `## Phase N: Title` with steps");
    for (size_t i = 0; i < rb->n_phases; i++) {
        const struct rb_phase *ph = &rb->phases[i];
        if (!ph->number || !ph->number[0])
            continue;
        size_t prev = map_add(phases, phase_key(ph->number), i);
        if (prev != MAP_NONE)
            problem(c, ph->line, 0, "phase %s is already at line %d: phase numbers must be unique",
                    ph->number, rb->phases[prev].line);
        if (!c->phase_items[i])
            problem(c, ph->line, 0, "empty phase: phase %s has no steps; add items like `- [ ] dba: what to do`",
                    ph->number);
    }
}

/* Whether step i carries the id it would get without {#id}. */
static int is_default_id(const struct runbook *rb, size_t i)
{
    const struct rb_step *st = &rb->steps[i];
    const struct rb_phase *ph = &rb->phases[st->phase];
    char buf[64];
    snprintf(buf, sizeof buf, "%s.%zu", ph->number ? ph->number : "", i - ph->first_step + 1);
    return st->id && strcmp(st->id, buf) == 0;
}

/* "step `5.2` is {irreversible}", or "step `5.2` closes phase 5, which is
 * {irreversible}"; 0 when step i is no point of no return. */
static int point_of_no_return(const struct runbook *rb, size_t i, char *what, size_t len)
{
    const struct rb_step *st = &rb->steps[i];
    if (st->closes_irreversible)
        snprintf(what, len, "step `%s` closes phase %s, which is {irreversible}", st->id,
                 rb->phases[st->phase].number);
    else if (rb_attr_get(st->attrs, st->n_attrs, "irreversible"))
        snprintf(what, len, "step `%s` is {irreversible}", st->id);
    else
        return 0;
    return 1;
}

/* A phase marked {irreversible} burns the way back when it completes: its
 * last step closes it and is its point of no return, so two people must
 * take it — never an action that completes itself, and taken last. */
static void mark_closing_steps(struct ctx *c)
{
    struct runbook *rb = c->rb;
    char what[160];
    for (size_t p = 0; p < rb->n_phases; p++) {
        const struct rb_phase *ph = &rb->phases[p];
        if (!ph->n_steps || !rb_attr_get(ph->attrs, ph->n_attrs, "irreversible"))
            continue;
        size_t i = ph->first_step + ph->n_steps - 1;
        struct rb_step *st = &rb->steps[i];
        st->closes_irreversible = 1;
        point_of_no_return(rb, i, what, sizeof what);
        if (st->action != RB_ACTION_NONE)
            problem(c, st->line, 0, "%s: it completes itself (`%s`), but the step that closes "
                    "an irreversible phase needs two people (its owner's ack and the commander's "
                    "approval): end the phase with a step a person acknowledges", what,
                    rb_action_name(st->action));
        else if (rb_step_any_order(st))
            problem(c, st->line, 0, "%s: it may not be {any order}: the phase burns the way back "
                    "when it completes, so its last step is taken last", what);
    }
}

static void check_steps(struct ctx *c)
{
    const struct runbook *rb = c->rb;
    struct map ids = {0};
    if (map_init(c, &ids, rb->n_steps))
        return;
    for (size_t i = 0; i < rb->n_steps; i++) {
        const struct rb_step *st = &rb->steps[i];
        if (c->sec_seen[SEC_ROLES] && st->role && map_get(&c->roles, st->role) == MAP_NONE)
            problem(c, st->line, 0, "step owned by role `%s`, which is not in ## Roles", st->role);
        size_t prev = st->id && st->id[0] ? map_add(&ids, st->id, i) : MAP_NONE;
        if (prev != MAP_NONE && !(is_default_id(rb, i) && is_default_id(rb, prev)))
            problem(c, st->line, 0, "step id `%s` is used twice: line %d and line %d", st->id,
                    rb->steps[prev].line, st->line);
        if (st->action == RB_ACTION_RAMP && !c->sec_seen[SEC_RAMP])
            problem(c, st->line, 0, "step `%s` runs the ramp (`ramp`), but there is no ## Ramp",
                    st->id ? st->id : "");
    }
    mark_closing_steps(c);
    /* a point of no return before the ramp's end leaves an abort nothing to roll back to */
    size_t ramp_at = rb->n_steps;
    for (size_t i = 0; i < rb->n_steps; i++)
        if (rb->steps[i].action == RB_ACTION_RAMP)
            ramp_at = i;
    char what[160];
    for (size_t i = 0; i < ramp_at && ramp_at < rb->n_steps; i++)
        if (point_of_no_return(rb, i, what, sizeof what))
            problem(c, rb->steps[i].line, 1,
                    "%s but comes before the ramp step `%s` reaches 100%%: "
                    "once it is taken an abort can no longer roll back (move it after the ramp)",
                    what, rb->steps[ramp_at].id);
    /* a point of no return needs two people: its owner and the commander */
    const char *commander = runbook_person(rb, "commander");
    for (size_t i = 0; i < rb->n_steps && commander; i++) {
        const struct rb_step *st = &rb->steps[i];
        const char *owner = st->role ? runbook_person(rb, st->role) : NULL;
        if (point_of_no_return(rb, i, what, sizeof what) && owner && strcmp(owner, commander) == 0)
            problem(c, st->line, 1,
                    "%s: it needs its owner's ack and the commander's "
                    "approval from two people, but %s holds both %s and commander, so it will be "
                    "refused", what, owner, st->role);
    }
    map_free(&ids);
}

static void check_ramp(struct ctx *c)
{
    const struct runbook *rb = c->rb;
    if (!c->sec_seen[SEC_RAMP])
        return;
    if (c->ramp_items == 0) {
        problem(c, c->sec_line[SEC_RAMP], 0, "## Ramp has no steps: expected items like `- 1%% for 10m`");
        return;
    }
    if (rb->n_ramp == 0)
        return; /* every step was in error, and each is reported */
    for (size_t i = 0; i + 1 < rb->n_ramp; i++)
        if (rb->ramp[i].hold_ms == 0)
            problem(c, rb->ramp[i].line, 0,
                    "ramp step %g%% needs `for DURATION`: only the last step may have no hold",
                    rb->ramp[i].percent);
    if (c->abort_line)
        check_abort_roles(c);
    if (c->rollback_line && rb->ramp_rollback_percent >= rb->ramp[0].percent)
        problem(c, c->rollback_line, 0,
                "Rollback: %g%% is at or above the first ramp step (%g%% at line %d): an abort would "
                "raise traffic to new; roll back below the first step (usually 0%%)",
                rb->ramp_rollback_percent, rb->ramp[0].percent, rb->ramp[0].line);
    const struct rb_system *flag = runbook_system(rb, "flag");
    if (flag && strcmp(flag->kind, "unleash") == 0) {
        for (size_t i = 0; i < rb->n_ramp; i++)
            if (rb->ramp[i].percent != (double)(long long)rb->ramp[i].percent)
                problem(c, rb->ramp[i].line, 0,
                        "ramp step %g%%: the flag is an Unleash rollout, which takes whole percentages",
                        rb->ramp[i].percent);
        if (rb->ramp_rollback_percent != (double)(long long)rb->ramp_rollback_percent)
            problem(c, c->rollback_line, 0,
                    "Rollback: %g%%: the flag is an Unleash rollout, which takes whole percentages",
                    rb->ramp_rollback_percent);
    }
    int64_t holds = 0;   /* at most 100 steps of 30 days: no overflow */
    for (size_t i = 0; i < rb->n_ramp; i++)
        holds += rb->ramp[i].hold_ms;
    if (rb->ramp_window.set && holds > window_length_ms(&rb->ramp_window)) {
        char a[32], b[32];
        units_format_duration(holds, a, sizeof a);
        units_format_duration(window_length_ms(&rb->ramp_window), b, sizeof b);
        problem(c, c->window_line, 1,
                "the ramp's holds (%s) cannot fit in one cutover window (%s): it will span windows",
                a, b);
    }
    size_t aborts = 0;
    for (size_t i = 0; i < rb->n_criteria; i++)
        aborts += rb->criteria[i].action == RB_ABORT;
    if (aborts == 0)
        problem(c, c->sec_line[SEC_RAMP], 0,
                "the ramp moves traffic but no criterion aborts it: add `- abort if SIGNAL OP VALUE` "
                "under ## Abort criteria, fixed before the ceremony starts");
    const struct rb_ramp_step *last = &rb->ramp[rb->n_ramp - 1];
    if (last->percent != 100)
        problem(c, last->line, 1, "the ramp ends at %g%%, not 100%%: traffic never moves fully to new",
                last->percent);
}

/* Gives each phase its `### Phase N` text from ## Rollback. */
static void check_rollback(struct ctx *c, const struct map *phases)
{
    struct runbook *rb = c->rb;
    for (size_t i = 0; i < c->n_subs; i++) {
        struct rbsub *s = &c->subs[i];
        size_t p = map_get(phases, phase_key(s->number));
        if (p == MAP_NONE)
            problem(c, s->line, 1, "rollback for phase %s, but there is no ## Phase %s", s->number,
                    s->number);
        else if (rb->phases[p].rollback)
            problem(c, s->line, 0, "a second rollback for phase %s: merge it into the one above",
                    s->number);
        else {
            rb->phases[p].rollback = s->text;
            s->text = NULL;
        }
    }
    /* "If you haven't written down what rollback looks like for each phase,
     * you don't have a rollback plan": an error, unless the phase says it
     * changes nothing ({readonly}) */
    for (size_t i = 0; i < rb->n_phases; i++) {
        const struct rb_phase *ph = &rb->phases[i];
        if (!ph->rollback && ph->number && ph->number[0] &&
            map_get(phases, phase_key(ph->number)) == i &&
            !rb_attr_get(ph->attrs, ph->n_attrs, "readonly"))
            problem(c, ph->line, 0,
                    "phase %s has no rollback plan: add `### Phase %s` under ## Rollback "
                    "(or mark the phase {readonly} if it changes nothing)",
                    ph->number, ph->number);
    }
    if (c->sec_seen[SEC_ROLLBACK])
        rb->rollback_general = sb_take(c, &c->rb_general);
}

static void check_all(struct ctx *c)
{
    struct map phases = {0};
    if (!c->title_seen)
        problem(c, 0, 0, "no title: a runbook starts with a level-1 heading such as `# Orders cutover`");
    check_roles(c);
    check_systems_signals(c);
    if (map_init(c, &phases, c->rb->n_phases) == 0) {
        check_phases(c, &phases);
        check_steps(c);
        check_ramp(c);
        check_rollback(c, &phases);
    }
    if (c->sec_seen[SEC_CLEANUP] && !c->deadline_written)
        problem(c, c->sec_line[SEC_CLEANUP], 1,
                "## Cleanup has no deadline: add `deadline: 30d after cutover` or `deadline: YYYY-MM-DD`");
    map_free(&phases);
}

/* ------------------------------------------------------------------------
 * Public: parse, load, free
 * ------------------------------------------------------------------------ */

static void ctx_free(struct ctx *c)
{
    free(c->lines);
    free(c->arena.p);
    free(c->pieces);
    free(c->units);
    free(c->stack);
    free(c->href);
    free(c->toks);
    free(c->phase_items);
    free(c->text.p);
    free(c->rb_general.p);
    for (size_t i = 0; i < c->n_subs; i++) {
        free(c->subs[i].number);
        free(c->subs[i].text);
    }
    free(c->subs);
    map_free(&c->roles);
    map_free(&c->systems);
    map_free(&c->signals);
    for (size_t i = 0; i < c->n_probs; i++)
        free(c->probs[i].msg);
    free(c->probs);
}

static struct runbook *new_runbook(struct ctx *c, const char *name, const char *text, size_t len)
{
    struct runbook *rb = calloc(1, sizeof *rb);
    if (!rb) {
        c->oom = 1;
        return NULL;
    }
    c->rb = rb;
    rb->name = dup_sv(c, sv_of(name ? name : "runbook"));
    rb->text = dup_sv(c, (struct sv){text ? text : "", text ? len : 0});
    rb->text_len = text ? len : 0;
    if (rb->text)
        hash_sha256_hex(rb->text, rb->text_len, rb->sha256);
    return rb;
}

struct runbook *runbook_parse(const char *name, const char *text, size_t len,
                              struct rb_problems *problems)
{
    struct ctx c = {0};
    struct runbook *rb = new_runbook(&c, name, text, len);
    if (rb && !c.oom) {
        if (len > RUNBOOK_MAX_BYTES)
            problem(&c, 0, 0, "is %zu bytes; a runbook may be at most 4 MiB", len);
        else if (build_lines(&c) == 0) {
            /* A UTF-8 byte order mark would hide the title from md4c. */
            if (len >= 3 && memcmp(rb->text, "\xef\xbb\xbf", 3) == 0)
                c.md_off = 3;
            c.cursor = c.md_off;
            size_t depth = 0;
            int deep = md_first_deep_line(rb->text, len, MD_MAX_DEPTH, &depth);
            if (deep) {
                /* md4c would take seconds on such a line: refuse it first */
                problem(&c, deep, 0, "nests %zu lists or quotes on one line; a runbook nests at most %d",
                        depth, MD_MAX_DEPTH);
            } else {
                run_md4c(&c);
                if (!c.oom)
                    interpret(&c);
                if (!c.oom)
                    check_all(&c);
            }
        }
    }
    if (!c.oom)
        publish_problems(&c, problems);
    ctx_free(&c);
    if (c.oom) {
        runbook_free(rb);
        return NULL;
    }
    return rb;
}

/* Offset of the first byte that is not text (NUL, or not well-formed
 * UTF-8: overlong forms, surrogates and code points past U+10FFFF too). */
static size_t first_binary(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned b = s[i], need;
        uint32_t cp, min;
        if (b == 0)
            return i;
        if (b < 0x80) {
            i++;
            continue;
        }
        if (b >= 0xC2 && b <= 0xDF) {
            need = 1, cp = b & 0x1F, min = 0x80;
        } else if (b >= 0xE0 && b <= 0xEF) {
            need = 2, cp = b & 0x0F, min = 0x800;
        } else if (b >= 0xF0 && b <= 0xF4) {
            need = 3, cp = b & 0x07, min = 0x10000;
        } else
            return i;
        if (n - i <= need)
            return i;
        for (unsigned k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += need + 1;
    }
    return n;
}

static int line_of_offset(const char *s, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off; i++)
        if (s[i] == '\n' || (s[i] == '\r' && s[i + 1] != '\n'))
            line++;
    return line;
}

/* Reads at most RUNBOOK_MAX_BYTES + 1 bytes, whatever fstat said, so that a
 * file that grows or lies about its size cannot make us read it whole.
 * Returns 0, 1 when too big, -1 on a read error (errno set). */
static int read_capped(int fd, size_t hint, char **out, size_t *len)
{
    size_t cap = (hint < RUNBOOK_MAX_BYTES ? hint : RUNBOOK_MAX_BYTES) + 1, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return -1;
    for (;;) {
        if (n == cap) {
            if (n > RUNBOOK_MAX_BYTES)
                break;
            size_t ncap = cap * 2 > RUNBOOK_MAX_BYTES + 1 ? RUNBOOK_MAX_BYTES + 1 : cap * 2;
            char *p = realloc(buf, ncap + 1);
            if (!p) {
                free(buf);
                return -1;
            }
            buf = p;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            errno = e;
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return n > RUNBOOK_MAX_BYTES;
}

/* Opens and checks the file; returns the descriptor or -1 (problem added).
 * O_NONBLOCK so that opening a FIFO cannot hang before fstat refuses it. */
static int open_runbook(const char *path, struct rb_problems *problems, size_t *size)
{
    char err[256];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        file_problem(problems, "cannot be opened: %s", strerror_r(errno, err, sizeof err));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        file_problem(problems, "cannot be read: %s", strerror_r(errno, err, sizeof err));
    } else if (S_ISDIR(st.st_mode)) {
        file_problem(problems, "is a directory, not a runbook");
    } else if (!S_ISREG(st.st_mode)) {
        file_problem(problems, "is not a regular file (a pipe, device or socket); a runbook must be a file");
    } else if ((uintmax_t)st.st_size > RUNBOOK_MAX_BYTES) {
        file_problem(problems, "is %jd bytes; a runbook may be at most 4 MiB", (intmax_t)st.st_size);
    } else {
        *size = (size_t)st.st_size;
        return fd;
    }
    close(fd);
    return -1;
}

struct runbook *runbook_load(const char *path, struct rb_problems *problems)
{
    char err[256];
    size_t size = 0, len = 0;
    char *buf = NULL;
    int fd = open_runbook(path, problems, &size);
    if (fd < 0)
        return NULL;
    int r = read_capped(fd, size, &buf, &len);
    int e = errno;
    close(fd);
    if (r < 0) {
        file_problem(problems, "cannot be read: %s", strerror_r(e, err, sizeof err));
        return NULL;
    }
    if (r > 0) {
        file_problem(problems, "is more than %u bytes; a runbook may be at most 4 MiB", RUNBOOK_MAX_BYTES);
        free(buf);
        return NULL;
    }
    size_t bad = first_binary((const unsigned char *)buf, len);
    if (bad < len) {
        line_problem(problems, line_of_offset(buf, bad), "binary data, not a Markdown runbook");
        free(buf);
        return NULL;
    }
    struct runbook *rb = runbook_parse(path, buf, len, problems);
    free(buf);
    return rb;
}

static void free_parts(struct runbook *rb)
{
    for (size_t i = 0; i < rb->n_roles; i++) {
        free(rb->roles[i].role);
        free(rb->roles[i].person);
        free(rb->roles[i].account);
    }
    for (size_t i = 0; i < rb->n_systems; i++) {
        free(rb->systems[i].name);
        free(rb->systems[i].kind);
        free(rb->systems[i].conn);
        free_attrs(rb->systems[i].attrs, rb->systems[i].n_attrs);
    }
    for (size_t i = 0; i < rb->n_signals; i++) {
        free(rb->signals[i].name);
        free(rb->signals[i].source);
        free(rb->signals[i].expr);
    }
    for (size_t i = 0; i < rb->n_criteria; i++) {
        free(rb->criteria[i].signal);
        free(rb->criteria[i].text);
        free(rb->criteria[i].min_signal);
    }
    free(rb->ramp_observed);
    for (size_t i = 0; i < rb->n_phases; i++) {
        free(rb->phases[i].number);
        free(rb->phases[i].title);
        free(rb->phases[i].prose);
        free(rb->phases[i].rollback);
        free_attrs(rb->phases[i].attrs, rb->phases[i].n_attrs);
    }
    for (size_t i = 0; i < rb->n_steps; i++)
        free_step(&rb->steps[i]);
    for (size_t i = 0; i < rb->n_gates; i++)
        gate_spec_free(&rb->gates[i]);
    for (size_t i = 0; i < rb->n_sections; i++) {
        free(rb->sections[i].title);
        free(rb->sections[i].text);
    }
}

void runbook_free(struct runbook *rb)
{
    if (!rb)
        return;
    free_parts(rb);
    free(rb->roles);
    free(rb->systems);
    free(rb->signals);
    free(rb->criteria);
    free(rb->gates);
    free(rb->ramp);
    free(rb->phases);
    free(rb->steps);
    free(rb->sections);
    free(rb->name);
    free(rb->text);
    free(rb->title);
    free(rb->rollback_general);
    free(rb->cleanup_deadline);
    free(rb);
}

void rb_problems_free(struct rb_problems *problems)
{
    if (!problems)
        return;
    for (size_t i = 0; i < problems->n; i++)
        free(problems->v[i].message);
    free(problems->v);
    *problems = (struct rb_problems){0};
}

/* ------------------------------------------------------------------------
 * Lookups and names
 * ------------------------------------------------------------------------ */

ptrdiff_t runbook_step_index(const struct runbook *rb, const char *id)
{
    if (!rb || !id)
        return -1;
    for (size_t i = 0; i < rb->n_steps; i++)
        if (rb->steps[i].id && strcmp(rb->steps[i].id, id) == 0)
            return (ptrdiff_t)i;
    return -1;
}

const struct rb_step *runbook_find_step(const struct runbook *rb, const char *id)
{
    ptrdiff_t i = runbook_step_index(rb, id);
    return i < 0 ? NULL : &rb->steps[i];
}

const char *runbook_person(const struct runbook *rb, const char *role)
{
    if (!rb || !role)
        return NULL;
    for (size_t i = 0; i < rb->n_roles; i++)
        if (strcmp(rb->roles[i].role, role) == 0)
            return rb->roles[i].person;
    return NULL;
}

const char *runbook_account(const struct runbook *rb, const char *role)
{
    if (!rb || !role)
        return NULL;
    for (size_t i = 0; i < rb->n_roles; i++)
        if (strcmp(rb->roles[i].role, role) == 0)
            return rb->roles[i].account;
    return NULL;
}

const struct rb_system *runbook_system(const struct runbook *rb, const char *name)
{
    if (!rb || !name)
        return NULL;
    for (size_t i = 0; i < rb->n_systems; i++)
        if (strcmp(rb->systems[i].name, name) == 0)
            return &rb->systems[i];
    return NULL;
}

const struct rb_signal *runbook_signal(const struct runbook *rb, const char *name)
{
    if (!rb || !name)
        return NULL;
    for (size_t i = 0; i < rb->n_signals; i++)
        if (strcmp(rb->signals[i].name, name) == 0)
            return &rb->signals[i];
    return NULL;
}

const char *rb_attr_get(const struct rb_attr *attrs, size_t n, const char *key)
{
    if (!attrs || !key)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (attrs[i].key && strcmp(attrs[i].key, key) == 0)
            return attrs[i].value;
    return NULL;
}

int rb_step_any_order(const struct rb_step *st)
{
    const char *any = rb_attr_get(st->attrs, st->n_attrs, "any");
    const char *order = rb_attr_get(st->attrs, st->n_attrs, "order");
    return any && !*any && order && !*order;
}

int rb_step_waits_for(const struct rb_step *st, const struct rb_step *above)
{
    if (st->closes_irreversible)
        return 1;
    return !rb_step_any_order(st) && !rb_step_any_order(above);
}

const char *rb_action_name(enum rb_action a)
{
    switch (a) {
    case RB_ACTION_BACKFILL: return "backfill";
    case RB_ACTION_COMPARE: return "compare";
    case RB_ACTION_RAMP: return "ramp";
    case RB_ACTION_WRITERS: return "writers";
    case RB_ACTION_PREFLIGHT: return "preflight";
    default: return "";
    }
}

const char *rb_crit_action_name(enum rb_crit_action a)
{
    switch (a) {
    case RB_ABORT: return "abort";
    case RB_HALT: return "halt";
    case RB_HOLD: return "hold";
    case RB_WARN: return "warn";
    default: return "";
    }
}

const char *rb_op_name(enum rb_op op)
{
    switch (op) {
    case RB_GT: return ">";
    case RB_GE: return ">=";
    case RB_LT: return "<";
    case RB_LE: return "<=";
    case RB_EQ: return "==";
    case RB_NE: return "!=";
    default: return "";
    }
}
