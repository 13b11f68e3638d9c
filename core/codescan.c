/* codescan.c — the code source of the writer audit. Three passes over the
 * tree: learn the names code gives the table (until nothing new is learnt),
 * then record every line that uses one of them, with comments blanked so
 * a commented-out INSERT is not a writer. Matching is on whole
 * identifiers, case-insensitively; a line is a write or a read only when
 * its words say so, otherwise a reference. */
#include "codescan.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_MAX_BYTES 4096
#define FILE_MAX_BYTES (4 << 20)
#define LEARN_ROUNDS 4

/* ---- names ---------------------------------------------------------------- */

static int is_ident(int c)
{
    return isalnum(c) || c == '_';
}

int codescan_has_word(const char *s, const char *name)
{
    size_t n = strlen(name);
    if (!n)
        return 0;
    for (const char *p = s; (p = strcasestr(p, name)) != NULL; p++) {
        int before = p > s && is_ident((unsigned char)p[-1]);
        int after = is_ident((unsigned char)p[n]);
        if (!before && !after)
            return 1;
    }
    return 0;
}

static int has_name(const struct code_scan *s, const char *name)
{
    for (size_t i = 0; i < s->n_names; i++)
        if (strcasecmp(s->names[i], name) == 0)
            return 1;
    return 0;
}

static int add_name(struct code_scan *s, const char *name)
{
    if (!name[0] || has_name(s, name))
        return 0;
    if (s->n_names == s->cap_names) {
        size_t cap = s->cap_names ? s->cap_names * 2 : 16;
        char **v = realloc(s->names, cap * sizeof *v);
        if (!v)
            return -1;
        s->names = v;
        s->cap_names = cap;
    }
    if (!(s->names[s->n_names] = strdup(name)))
        return -1;
    s->n_names++;
    return 1;
}

/* orders_legacy → OrdersLegacy; LegacyOrder → legacy_order; an
 * ALL_CAPS constant is searched as written. */
static int add_variants(struct code_scan *s, const char *name)
{
    int lower = 0, upper = 0;
    for (const char *p = name; *p; p++) {
        lower |= islower((unsigned char)*p) != 0;
        upper |= isupper((unsigned char)*p) != 0;
    }
    char v[160];
    size_t k = 0;
    if (lower && !upper && strchr(name, '_')) {          /* snake_case → CamelCase */
        int up = 1;
        for (const char *p = name; *p && k + 1 < sizeof v; p++) {
            if (*p == '_') {
                up = 1;
                continue;
            }
            v[k++] = up ? (char)toupper((unsigned char)*p) : *p;
            up = 0;
        }
    } else if (lower && upper) {                          /* CamelCase → snake_case */
        for (const char *p = name; *p && k + 2 < sizeof v; p++) {
            if (isupper((unsigned char)*p) && p > name && v[k - 1] != '_')
                v[k++] = '_';
            v[k++] = (char)tolower((unsigned char)*p);
        }
    }
    v[k] = '\0';
    if (add_name(s, name) < 0 || add_name(s, v) < 0)
        return -1;
    return 0;
}

/* Names too common to search for even if code assigns the table to them. */
static int generic(const char *id)
{
    static const char *const words[] = {"table", "name", "tbl", "value", "key", "default",
                                        "from", "into", "the", "self", "this", "return",
                                        "const", "var", "let", "string", "str", "val",
                                        "tablename", "table_name", "db_table"};
    if (strlen(id) < 4)
        return 1;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcasecmp(id, words[i]) == 0)
            return 1;
    return 0;
}

/* ---- comments --------------------------------------------------------------- */

enum syntax { SYN_NONE, SYN_C, SYN_HASH, SYN_SQL, SYN_DOC };

static enum syntax syntax_of(const char *ext)
{
    static const char *const c[] = {"c", "h", "cc", "cpp", "hpp", "go", "java", "js", "ts",
                                    "jsx", "tsx", "mjs", "cs", "kt", "scala", "swift", "rs",
                                    "php", "groovy", "dart"};
    static const char *const hash[] = {"py", "rb", "sh", "bash", "yml", "yaml", "toml", "pl",
                                       "r", "conf", "env", "ini", "cfg", "properties", "tf"};
    static const char *const doc[] = {"md", "markdown", "rst", "txt", "adoc", "html", "htm"};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        if (strcasecmp(ext, c[i]) == 0)
            return SYN_C;
    for (size_t i = 0; i < sizeof hash / sizeof hash[0]; i++)
        if (strcasecmp(ext, hash[i]) == 0)
            return SYN_HASH;
    for (size_t i = 0; i < sizeof doc / sizeof doc[0]; i++)
        if (strcasecmp(ext, doc[i]) == 0)
            return SYN_DOC;
    return strcasecmp(ext, "sql") == 0 ? SYN_SQL : SYN_NONE;
}

void codescan_strip(const char *ext, const char *line, char *out, size_t len, int *in_block)
{
    enum syntax syn = syntax_of(ext);
    size_t n = 0;
    char quote = 0;
    /* a Python docstring is documentation: a line that opens one */
    if (syn == SYN_HASH && !*in_block) {
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, "\"\"\"", 3) == 0 || strncmp(p, "'''", 3) == 0) {
            *in_block = strstr(p + 3, p[0] == '"' ? "\"\"\"" : "'''") ? 0 : 2;
            out[0] = '\0';
            return;
        }
    }
    for (const char *p = line; *p && n + 1 < len; p++) {
        if (*in_block == 2) {   /* inside a docstring */
            if (strncmp(p, "\"\"\"", 3) == 0 || strncmp(p, "'''", 3) == 0) {
                *in_block = 0;
                p += 2;
            }
            continue;
        }
        if (*in_block == 1) {   /* inside a block comment */
            if (p[0] == '*' && p[1] == '/') {
                *in_block = 0;
                p++;
            }
            continue;
        }
        if (quote) {
            if (*p == '\\' && p[1]) {
                out[n++] = *p++;
            } else if (*p == quote) {
                quote = 0;
            }
            out[n++] = *p;
            continue;
        }
        if (*p == '"' || *p == '\'' || (*p == '`' && syn == SYN_C)) {
            quote = *p;
            out[n++] = *p;
            continue;
        }
        if (syn == SYN_C && p[0] == '/' && p[1] == '/')
            break;
        if (syn == SYN_C && p[0] == '/' && p[1] == '*') {
            *in_block = 1;
            p++;
            continue;
        }
        if ((syn == SYN_HASH && *p == '#') || (syn == SYN_SQL && p[0] == '-' && p[1] == '-'))
            break;
        out[n++] = *p;
    }
    out[n] = '\0';
}

/* ---- what a line does ----------------------------------------------------- */

static int has_any(const char *s, const char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasestr(s, words[i]))
            return 1;
    return 0;
}

static enum code_use use_of(const char *line, const char *before)
{
    static const char *const sql_write[] = {"insert into", "insert or ", "delete from", "merge into",
                                            "replace into", "on conflict", "upsert", "truncate "};
    static const char *const orm_write[] = {".save(", ".create(", ".update(", ".delete(",
                                            ".save!(", ".create!(", ".update!(", ".destroy!(",
                                            ".destroy(", ".insert(", "bulk_create", "insert_all",
                                            "upsert_all", "update_all", "delete_all", ".updates(",
                                            ".exec(", "session.add(", ".add_all(", ".persist(",
                                            ".merge(", ".remove("};
    static const char *const reads[] = {"select ", ".find", ".where(", ".filter(", ".get(",
                                        ".query(", ".first(", ".all(", ".select(", ".count("};
    char both[2 * LINE_MAX_BYTES + 2];
    snprintf(both, sizeof both, "%s %s", before, line);
    if (has_any(both, sql_write, sizeof sql_write / sizeof sql_write[0]) ||
        has_any(line, orm_write, sizeof orm_write / sizeof orm_write[0]))
        return CODE_WRITE;
    /* UPDATE t SET / COPY t FROM: the verb, the table, then its word */
    if ((strcasestr(both, "update ") && strcasestr(both, " set ")) ||
        (strcasestr(both, "copy ") && strcasestr(both, " from ")))
        return CODE_WRITE;
    if (has_any(both, reads, sizeof reads / sizeof reads[0]) || strcasestr(both, " from "))
        return CODE_READ;
    return CODE_REFERENCE;
}

/* The string literals of a line, concatenated; their count in *n. */
static void literals(const char *s, char *out, size_t len, int *n)
{
    size_t k = 0;
    *n = 0;
    for (const char *p = s; *p; p++) {
        if (*p != '"' && *p != '\'' && *p != '`')
            continue;
        char q = *p++;
        (*n)++;
        while (*p && *p != q && k + 1 < len) {
            if (*p != '%' && !(p[0] == 's' && p > s && p[-1] == '%'))
                out[k++] = *p;
            p++;
        }
        if (!*p)
            break;
    }
    out[k] = '\0';
}

/* A literal with its placeholders taken out (%s %v %d, {x}, ${x}, #{x})
 * that is a piece of the table's name cut at an underscore: "orders_"
 * or "_legacy" of orders_legacy. The rest of the name comes from a
 * variable, so the name is only possibly the table's. */
static int names_a_piece(const char *lit, size_t n, const char *table)
{
    char t[128];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof t; i++) {
        if (lit[i] == '%' && i + 1 < n && strchr("svdq", lit[i + 1])) {
            i++;
        } else if (lit[i] == '{' || ((lit[i] == '$' || lit[i] == '#') && i + 1 < n &&
                                     lit[i + 1] == '{')) {
            while (i < n && lit[i] != '}')
                i++;
        } else {
            t[k++] = lit[i];
        }
    }
    t[k] = '\0';
    size_t tl = strlen(table);
    if (k < 2 || k >= tl)
        return 0;
    int prefix = t[k - 1] == '_' && strncasecmp(table, t, k) == 0;
    int suffix = t[0] == '_' && strncasecmp(table + tl - k, t, k) == 0;
    return prefix || suffix;
}

/* The line joins or formats strings: +, ||, .., a format call, a template. */
static int builds_strings(const char *line)
{
    static const char *const builders[] = {"+", "||", "..", "Sprintf", "format", "printf",
                                           "concat", "join", "{", "%"};
    for (size_t i = 0; i < sizeof builders / sizeof builders[0]; i++)
        if (strstr(line, builders[i]))
            return 1;
    return 0;
}

/* A literal of the line that names a piece of the table (names_a_piece). */
static int has_piece_literal(const char *line, const char *table)
{
    for (const char *p = line; *p; p++) {
        if (*p != '"' && *p != '\'' && *p != '`')
            continue;
        const char *end = strchr(p + 1, *p);
        if (!end)
            return 0;
        if (names_a_piece(p + 1, (size_t)(end - p - 1), table))
            return 1;
        p = end;
    }
    return 0;
}

/* "orders_" + "legacy", or fmt.Sprintf("%s_%s", "orders", "legacy"), or a
 * piece joined with a variable: "orders_" + kind, f"orders_{kind}",
 * format('%s_legacy', prefix). */
static int built_from_pieces(const char *line, const char *table)
{
    char joined[LINE_MAX_BYTES];
    int n;
    literals(line, joined, sizeof joined, &n);
    if (n >= 1 && builds_strings(line) && has_piece_literal(line, table))
        return 1;
    if (n < 2)
        return 0;
    if (strcasestr(joined, table))
        return 1;
    /* every part of the table's name as a literal of its own */
    char parts[256];
    snprintf(parts, sizeof parts, "%s", table);
    int all = 1, count = 0;
    for (char *save = NULL, *w = strtok_r(parts, "_", &save); w; w = strtok_r(NULL, "_", &save)) {
        char quoted[80];
        snprintf(quoted, sizeof quoted, "\"%s\"", w);
        char single[80];
        snprintf(single, sizeof single, "'%s'", w);
        count++;
        if (!strcasestr(line, quoted) && !strcasestr(line, single))
            all = 0;
    }
    return all && count > 1;
}

/* ---- learning names --------------------------------------------------------- */

static int is_table_text(const char *p, size_t n, const char *table)
{
    size_t t = strlen(table);
    if (n >= t && strncasecmp(p + n - t, table, t) == 0) {
        if (n == t)
            return 1;
        /* schema-qualified: public.orders_legacy */
        if (p[n - t - 1] == '.') {
            for (size_t i = 0; i + t + 1 < n; i++)
                if (!is_ident((unsigned char)p[i]))
                    return 0;
            return 1;
        }
    }
    return 0;
}

/* 1 when a line gives the table's name as a whole value: a literal that is
 * exactly the name ("orders_legacy", 'public.orders_legacy'), or an
 * unquoted KEY=orders_legacy / key: orders_legacy. A URL that merely
 * contains the name names something else. */
static int names_table(const char *line, const char *table)
{
    for (const char *p = line; *p; p++) {
        if (*p != '"' && *p != '\'' && *p != '`')
            continue;
        const char *end = strchr(p + 1, *p);
        if (!end)
            break;
        if (is_table_text(p + 1, (size_t)(end - p - 1), table))
            return 1;
        p = end;
    }
    const char *eq = strpbrk(line, "=:");
    if (!eq)
        return 0;
    const char *v = eq + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == ';' || v[n - 1] == ','))
        n--;
    return n && is_table_text(v, n, table);
}

/* The identifier just left of `=`, `:=` or `:` that a line assigns a
 * literal holding the table to; "" when none. */
static void assigned_name(const char *line, char *out, size_t len)
{
    out[0] = '\0';
    const char *eq = strpbrk(line, "=:");
    if (!eq)
        return;
    const char *end = eq;
    while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == ':'))
        end--;
    const char *start = end;
    while (start > line && is_ident((unsigned char)start[-1]))
        start--;
    size_t n = (size_t)(end - start);
    if (n && n < len && !isdigit((unsigned char)*start)) {
        memcpy(out, start, n);
        out[n] = '\0';
    }
}

/* The type a declaration belongs to: `class X`, `type X struct`,
 * `func (x *X) TableName`, `struct X`, in this line or those above. */
static void owner_type(const char *const *lines, int n, char *out, size_t len)
{
    static const char *const intro[] = {"class ", "type ", "struct ", "func (", "model "};
    out[0] = '\0';
    for (int i = n - 1; i >= 0; i--) {
        for (size_t k = 0; k < sizeof intro / sizeof intro[0]; k++) {
            const char *p = strstr(lines[i], intro[k]);
            if (!p)
                continue;
            p += strlen(intro[k]);
            if (k == 3) {   /* func (recv *Type) or func (Type) */
                const char *close = strchr(p, ')');
                if (!close)
                    continue;
                const char *q = close;
                while (q > p && is_ident((unsigned char)q[-1]))
                    q--;
                p = q;
            }
            size_t m = 0;
            while (is_ident((unsigned char)p[m]) && m + 1 < len)
                m++;
            if (m) {
                memcpy(out, p, m);
                out[m] = '\0';
                return;
            }
        }
    }
}

#define WINDOW 6   /* lines kept above the current one */

struct walker {
    struct code_scan *s;
    const char *table;
    int learning;      /* 1: learn names; 0: record sites */
    int pending_class; /* lines left to find the class an annotation above it names */
    int oom;
};

static int declares_table(const char *line)
{
    static const char *const decl[] = {"__tablename__", "table_name", "tablename", "db_table",
                                       "@table", "self.table", "set_table_name", "tableName"};
    return has_any(line, decl, sizeof decl / sizeof decl[0]);
}

/* win: the lines above, oldest first. */
static void learn(struct walker *w, const char *const *win, int nwin, const char *line)
{
    char id[128];
    int decl = declares_table(line);
    for (int i = nwin - 1; !decl && i >= 0 && i >= nwin - 2; i--)
        decl = declares_table(win[i]);
    if (decl) {
        const char *all[WINDOW + 1];
        for (int i = 0; i < nwin; i++)
            all[i] = win[i];
        all[nwin] = line;
        owner_type(all, nwin + 1, id, sizeof id);
        if (!id[0])   /* @Table(name = "…") above `class LegacyOrder` */
            w->pending_class = 3;
    } else {
        assigned_name(line, id, sizeof id);
    }
    if (id[0] && !generic(id) && add_variants(w->s, id) < 0)
        w->oom = 1;
}

/* The class an annotation a line or two above named the table for. */
static void learn_pending_class(struct walker *w, const char *line)
{
    char id[128];
    w->pending_class--;
    if (!strstr(line, "class "))
        return;
    owner_type(&line, 1, id, sizeof id);
    w->pending_class = 0;
    if (id[0] && !generic(id) && add_variants(w->s, id) < 0)
        w->oom = 1;
}

/* ---- recording sites -------------------------------------------------------- */

static int add_site(struct code_scan *s, const char *path, int line, enum code_use use,
                    const char *name, const char *text)
{
    if (s->n_sites == s->cap_sites) {
        size_t cap = s->cap_sites ? s->cap_sites * 2 : 32;
        struct code_site *v = realloc(s->sites, cap * sizeof *v);
        if (!v)
            return -1;
        s->sites = v;
        s->cap_sites = cap;
    }
    while (*text == ' ' || *text == '\t')
        text++;
    struct code_site *c = &s->sites[s->n_sites];
    c->path = strdup(path);
    c->name = strdup(name);
    c->text = strndup(text, 200);
    c->line = line;
    c->use = use;
    if (!c->path || !c->name || !c->text) {
        free(c->path);
        free(c->name);
        free(c->text);
        return -1;
    }
    s->n_sites++;
    return 0;
}

/* The first name that occurs in line, or NULL. */
static const char *name_in(const struct code_scan *s, const char *line)
{
    for (size_t i = 0; i < s->n_names; i++)
        if (codescan_has_word(line, s->names[i]))
            return s->names[i];
    return NULL;
}

/* The file whole, NUL-terminated, or NULL when it cannot be read or holds
 * a NUL in its first 4 KiB (a binary). */
static char *read_text(const char *full, size_t size, size_t *len)
{
    FILE *f = fopen(full, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(size + 1);
    size_t n = buf ? fread(buf, 1, size, f) : 0;
    fclose(f);
    if (!buf || memchr(buf, 0, n < 4096 ? n : 4096)) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Could any line of text be a site? A name in it, or every piece of the
 * table's name (for names built from pieces). Most files are not. */
static int mentions(const struct code_scan *s, const char *table, const char *text)
{
    for (size_t i = 0; i < s->n_names; i++)
        if (strcasestr(text, s->names[i]))
            return 1;
    /* a piece cut at an underscore ("orders_", "_legacy") may be joined
     * with a variable (built_from_pieces) */
    size_t tl = strlen(table);
    for (size_t i = 1; i + 1 < tl; i++)
        if (table[i] == '_') {
            char piece[256];
            snprintf(piece, sizeof piece, "%.*s", (int)i + 1, table);
            if (strcasestr(text, piece) || strcasestr(text, table + i))
                return 1;
        }
    char parts[256];
    snprintf(parts, sizeof parts, "%s", table);
    int count = 0;
    for (char *save = NULL, *p = strtok_r(parts, "_", &save); p; p = strtok_r(NULL, "_", &save)) {
        if (!strcasestr(text, p))
            return 0;
        count++;
    }
    return count > 1;
}

/* One line: learn from it, or record it. win holds the lines above, oldest
 * first. */
static void scan_line(struct walker *w, const char *rel, int lineno, const char *raw,
                      const char *code, const char *const *win, int nwin)
{
    const char *name = name_in(w->s, code);
    const char *prev = nwin ? win[nwin - 1] : "";
    if (w->learning) {
        if (w->pending_class > 0)
            learn_pending_class(w, code);
        if (name && names_table(code, w->table))
            learn(w, win, nwin, code);
    } else if (name) {
        enum code_use use = use_of(code, prev);
        /* the line that gives the table its name in code */
        if (use == CODE_REFERENCE && names_table(code, w->table) &&
            (declares_table(code) || declares_table(prev) || strpbrk(code, "=:")))
            use = CODE_DECLARES;
        if (add_site(w->s, rel, lineno, use, name, raw) != 0)
            w->oom = 1;
    } else if (built_from_pieces(code, w->table)) {
        if (add_site(w->s, rel, lineno, CODE_POSSIBLE, w->table, raw) != 0)
            w->oom = 1;
    }
}

static void scan_file(struct walker *w, const char *full, const char *rel, const char *ext,
                      size_t size)
{
    size_t len = 0;
    char *text = read_text(full, size, &len);
    if (!text) {
        w->s->files_skipped += !w->learning;
        return;
    }
    w->s->files_read += !w->learning;
    if (!mentions(w->s, w->table, text)) {
        free(text);
        return;
    }
    /* the lines above, in a ring: ring[(first + i) % WINDOW] is the i-th oldest */
    static char ring[WINDOW][LINE_MAX_BYTES];
    char raw[LINE_MAX_BYTES], code[LINE_MAX_BYTES];
    int nwin = 0, first = 0, lineno = 0, in_block = 0;
    w->pending_class = 0;
    for (char *p = text; *p && !w->oom;) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        snprintf(raw, sizeof raw, "%.*s", (int)(n < sizeof raw ? n : sizeof raw - 1), p);
        raw[strcspn(raw, "\r")] = '\0';
        lineno++;
        codescan_strip(ext, raw, code, sizeof code, &in_block);
        const char *win[WINDOW] = {0};
        for (int i = 0; i < nwin; i++)
            win[i] = ring[(first + i) % WINDOW];
        scan_line(w, rel, lineno, raw, code, win, nwin);
        int slot = (first + nwin) % WINDOW;
        if (nwin == WINDOW)
            first = (first + 1) % WINDOW;
        else
            nwin++;
        snprintf(ring[slot], LINE_MAX_BYTES, "%s", code);
        p = nl ? nl + 1 : p + n;
    }
    free(text);
}

/* Documentation, binaries, what is too big or is not ours are not read. */
static int skip_file(const char *base, const char *ext, off_t size)
{
    if (syntax_of(ext) == SYN_DOC || size > FILE_MAX_BYTES)
        return 1;
    return strncasecmp(base, "README", 6) == 0 || strncasecmp(base, "CHANGELOG", 9) == 0 ||
           strncasecmp(base, "LICENSE", 7) == 0;
}

static int walk(struct walker *w, const char *root, const char *rel)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel);
    struct dirent **list;
    int n = scandir(dir, &list, NULL, alphasort);
    if (n < 0)
        return rel[0] ? 0 : -1;
    for (int i = 0; i < n; i++) {
        const char *base = list[i]->d_name;
        char sub[4096], full[8192];
        snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", base);
        snprintf(full, sizeof full, "%s/%s", root, sub);
        struct stat st;
        /* .git, .cache …: not the application's code; .env files are */
        int hidden = base[0] == '.' && strncmp(base, ".env", 4) != 0;
        if (hidden || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
            strcmp(base, "node_modules") == 0 || lstat(full, &st) != 0 || w->oom) {
            free(list[i]);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            walk(w, root, sub);
        } else if (S_ISREG(st.st_mode)) {
            const char *dot = strrchr(base, '.');
            const char *ext = dot ? dot + 1 : "";   /* ".env": "env" */
            if (skip_file(base, ext, st.st_size))
                w->s->files_skipped += !w->learning;
            else
                scan_file(w, full, sub, ext, (size_t)st.st_size);
        }
        free(list[i]);
    }
    free(list);
    return 0;
}

int codescan_dir_check(const char *dir, struct error *err)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(dir, R_OK | X_OK) != 0) {
        error_set(err, "%s: not a directory that can be read", dir);
        return -1;
    }
    return 0;
}

int codescan_run(const char *dir, const char *table, const char *const *extra,
                 size_t n_extra, struct code_scan *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    struct walker w = {.s = out, .table = table};
    int rc = add_variants(out, table);
    for (size_t i = 0; rc == 0 && i < n_extra; i++)
        rc = add_variants(out, extra[i]);
    if (rc == 0 && codescan_dir_check(dir, err) != 0) {
        codescan_free(out);
        return -1;
    }
    w.learning = 1;
    for (int round = 0; rc == 0 && round < LEARN_ROUNDS; round++) {
        size_t before = out->n_names;
        rc = walk(&w, dir, "");
        if (out->n_names == before)
            break;
    }
    w.learning = 0;
    if (rc == 0)
        rc = walk(&w, dir, "");
    if (rc != 0 || w.oom) {
        error_set(err, rc != 0 ? "%s: cannot be read" : "out of memory scanning %s", dir);
        codescan_free(out);
        return -1;
    }
    return 0;
}

void codescan_free(struct code_scan *s)
{
    for (size_t i = 0; i < s->n_sites; i++) {
        free(s->sites[i].path);
        free(s->sites[i].name);
        free(s->sites[i].text);
    }
    for (size_t i = 0; i < s->n_names; i++)
        free(s->names[i]);
    free(s->sites);
    free(s->names);
    memset(s, 0, sizeof *s);
}

const char *codescan_use_name(enum code_use u)
{
    switch (u) {
    case CODE_WRITE: return "write";
    case CODE_READ: return "read";
    case CODE_DECLARES: return "declares";
    case CODE_POSSIBLE: return "possible";
    default: return "reference";
    }
}
