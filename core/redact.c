/* redact.c — masking secrets in outgoing text: first the known secret
 * strings (longest first, so a secret that contains another is masked
 * whole), then the syntaxes that announce a secret. A plain scan: the
 * strings are short (a status line, an event body). */
#include "redact.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "envsubst.h"

#define MASK "***"
#define MIN_SECRET 4

struct redactor {
    char **secrets;
    size_t n;
    int escaped;            /* a secret holds a character JSON escapes */
    unsigned char first[256]; /* 1: some secret starts with this byte */
};

static const struct redactor *installed;

struct redactor *redactor_new(void)
{
    return calloc(1, sizeof(struct redactor));
}

void redactor_free(struct redactor *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->secrets[i]);
    free(r->secrets);
    free(r);
}

static int add_one(struct redactor *r, const char *s, size_t len)
{
    if (len < MIN_SECRET)
        return 0;
    for (size_t i = 0; i < r->n; i++)
        if (strlen(r->secrets[i]) == len && memcmp(r->secrets[i], s, len) == 0)
            return 0;
    char **v = realloc(r->secrets, (r->n + 1) * sizeof *v);
    if (!v)
        return -1;
    r->secrets = v;
    if (!(v[r->n] = strndup(s, len)))
        return -1;
    r->first[(unsigned char)s[0]] = 1;
    for (size_t i = 0; i < len; i++)
        r->escaped |= s[i] == '"' || s[i] == '\\' || (unsigned char)s[i] < 0x20;
    r->n++;
    /* longest first: "hunter2 leakedWORD" before "leakedWORD" */
    for (size_t i = r->n - 1; i > 0 && strlen(v[i]) > strlen(v[i - 1]); i--) {
        char *t = v[i];
        v[i] = v[i - 1];
        v[i - 1] = t;
    }
    return 0;
}

int redactor_add(struct redactor *r, const char *secret)
{
    if (!secret)
        return 0;
    if (add_one(r, secret, strlen(secret)) != 0)
        return -1;
    for (const char *p = secret; *p;) {
        size_t word = strcspn(p, " \t\r\n");
        if (word && word < strlen(secret) && add_one(r, p, word) != 0)
            return -1;
        p += word;
        p += strspn(p, " \t\r\n");
    }
    return 0;
}

/* Every ${NAME} in text: its value now, as a secret. */
static int add_env_refs(struct redactor *r, const char *text)
{
    for (const char *p = text ? strstr(text, "${") : NULL; p; p = strstr(p + 2, "${")) {
        const char *end = strchr(p + 2, '}');
        if (!end)
            break;
        char name[128];
        size_t n = (size_t)(end - p - 2);
        if (n == 0 || n >= sizeof name)
            continue;
        memcpy(name, p + 2, n);
        name[n] = '\0';
        if (redactor_add(r, getenv(name)) != 0)
            return -1;
    }
    return 0;
}

int redactor_add_runbook(struct redactor *r, const struct runbook *rb)
{
    for (size_t i = 0; i < rb->n_systems; i++) {
        const struct rb_system *sys = &rb->systems[i];
        /* a file's path (sqlite, flagd) carries no credential: masking
         * ${DIR} there would hide every path under it */
        int is_file = strcmp(sys->kind, "sqlite") == 0 || strcmp(sys->kind, "flagd") == 0;
        if (!is_file && add_env_refs(r, sys->conn) != 0)
            return -1;
        /* a webhook's URL is its secret: the path after the host */
        if (strcmp(sys->name, "notify") == 0 && sys->conn) {
            const char *host = strstr(sys->conn, "://");
            const char *path = host ? strchr(host + 3, '/') : NULL;
            char *expanded = path ? envsubst(path, &(struct error){{0}}) : NULL;
            int rc = expanded && strlen(expanded) > 1 ? redactor_add(r, expanded + 1) : 0;
            free(expanded);
            if (rc != 0)
                return -1;
        }
        for (size_t k = 0; k < sys->n_attrs; k++) {
            const struct rb_attr *a = &sys->attrs[k];
            if (add_env_refs(r, a->value) != 0 ||
                (strcmp(a->key, "token_env") == 0 && redactor_add(r, getenv(a->value)) != 0))
                return -1;
        }
    }
    /* the default token of the unleash driver, when none is named */
    return redactor_add(r, getenv("UNLEASH_ADMIN_TOKEN"));
}

/* --- a growing output string ------------------------------------------- */

struct out {
    char *s;
    size_t len, cap;
    int oom;
};

static void put(struct out *o, const char *p, size_t n)
{
    if (o->oom)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = (o->len + n + 1) * 2;
        char *s = realloc(o->s, cap);
        if (!s) {
            o->oom = 1;
            return;
        }
        o->s = s;
        o->cap = cap;
    }
    memcpy(o->s + o->len, p, n);
    o->len += n;
    o->s[o->len] = '\0';
}

/* --- the syntaxes -------------------------------------------------------- */

/* The length of a value after a key: a quoted '...' or "..." (with
 * backslash escapes), or up to a space, quote, comma, ampersand, brace. */
static size_t value_len(const char *p)
{
    if (*p == '\'' || *p == '"') {
        char q = *p;
        size_t i = 1;
        while (p[i] && p[i] != q)
            i += p[i] == '\\' && p[i + 1] ? 2 : 1;
        return p[i] ? i + 1 : i;
    }
    return strcspn(p, " \t\r\n\"',&;}");
}

static int word_start(const char *text, const char *p)
{
    return p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
}

/* key=value (libpq, a query string): the keys that carry a secret */
static size_t match_keyvalue(const char *text, const char *p, size_t *keep)
{
    static const char *const keys[] = {"password", "passwd", "pwd", "token", "access_token",
                                       "api_key", "apikey", "secret", "sslpassword", NULL};
    if (!word_start(text, p))
        return 0;
    for (int i = 0; keys[i]; i++) {
        if (tolower((unsigned char)*p) != keys[i][0])
            continue;
        size_t k = strlen(keys[i]);
        if (strncasecmp(p, keys[i], k) != 0)
            continue;
        size_t j = k;
        while (p[j] == ' ')
            j++;
        if (p[j] != '=')
            continue;
        j++;
        while (p[j] == ' ')
            j++;
        size_t v = value_len(p + j);
        if (v == 0)
            continue;
        *keep = j;
        return j + v;
    }
    return 0;
}

/* scheme://user:password@host — the whole user information goes */
static size_t match_userinfo(const char *p, size_t *keep)
{
    if (strncmp(p, "://", 3) != 0)
        return 0;
    size_t auth = strcspn(p + 3, "/?# \t\r\n\"'");
    const char *at = memchr(p + 3, '@', auth);
    if (!at)
        return 0;
    *keep = 3;
    return (size_t)(at - p);
}

/* "Bearer X", "Basic X", "Authorization: X" */
static size_t match_auth(const char *text, const char *p, size_t *keep)
{
    static const char *const words[] = {"Bearer ", "Basic ", "Authorization: ",
                                        "Authorization:", NULL};
    if (!word_start(text, p))
        return 0;
    for (int i = 0; words[i]; i++) {
        if (tolower((unsigned char)*p) != tolower((unsigned char)words[i][0]))
            continue;
        size_t k = strlen(words[i]);
        if (strncasecmp(p, words[i], k) != 0)
            continue;
        while (p[k] == ' ')
            k++;
        /* "Authorization: Bearer X": keep the scheme word, mask what follows */
        if (i >= 2 && (strncasecmp(p + k, "Bearer ", 7) == 0 || strncasecmp(p + k, "Basic ", 6) == 0))
            k += p[k + 1] == 'e' || p[k + 1] == 'E' ? 7 : 6;
        size_t v = value_len(p + k);
        if (v == 0)
            continue;
        *keep = k;
        return k + v;
    }
    return 0;
}

static size_t match_secret(const struct redactor *r, const char *p)
{
    if (!r || !r->first[(unsigned char)*p])
        return 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->secrets[i][0] != *p)
            continue;
        size_t n = strlen(r->secrets[i]);
        if (strncmp(p, r->secrets[i], n) == 0)
            return n;
    }
    return 0;
}

/* The length of what is masked at p (0: nothing); *keep bytes of it stay. */
/* 1 for a byte a syntax can start at (the first letters of the keys
 * and words above, either case, and the ':' of "://"): most bytes of a
 * text are none, and cost one lookup. */
static int syntax_start(unsigned char c)
{
    static const unsigned char table[256] = {
        ['p'] = 1, ['P'] = 1, ['t'] = 1, ['T'] = 1, ['a'] = 1, ['A'] = 1,
        ['s'] = 1, ['S'] = 1, ['b'] = 1, ['B'] = 1, [':'] = 1,
    };
    return table[c];
}

static size_t match_at(const struct redactor *r, const char *in, const char *p, size_t *keep)
{
    size_t n;
    *keep = 0;
    if ((n = match_secret(r, p)) != 0)
        return n;
    if (!syntax_start((unsigned char)*p))
        return 0;
    if ((n = match_keyvalue(in, p, keep)) != 0 || (n = match_userinfo(p, keep)) != 0 ||
        (n = match_auth(in, p, keep)) != 0)
        return n;
    return 0;
}

int redact_needed(const struct redactor *r, const char *in)
{
    size_t keep;
    for (const char *p = in ? in : ""; *p; p++)
        if (match_at(r, in, p, &keep) != 0)
            return 1;
    return 0;
}

static int is_hash(const char *s)
{
    size_t n = strspn(s, "0123456789abcdef");
    return n == 64 && s[n] == '\0';
}

/* Masks every string value under item; 1 if one changed, -1 out of memory. */
static int redact_item(const struct redactor *r, cJSON *item)
{
    int changed = 0;
    for (cJSON *c = item; c; c = c->next) {
        if (cJSON_IsString(c) && c->valuestring && !is_hash(c->valuestring) &&
            redact_needed(r, c->valuestring)) {
            char *m = redact(r, c->valuestring);
            if (!m || !cJSON_SetValuestring(c, m)) {
                free(m);
                return -1;
            }
            free(m);
            changed = 1;
        }
        if (c->child) {
            int rc = redact_item(r, c->child);
            if (rc < 0)
                return -1;
            changed |= rc;
        }
    }
    return changed;
}

char *redact_json(const struct redactor *r, const char *json, int *oom)
{
    *oom = 0;
    /* the common case: nothing in the raw text, no parse (a secret with a
     * quote or backslash is escaped in the text, so it always parses) */
    if (!json || (!(r && r->escaped) && !redact_needed(r, json)))
        return NULL;
    cJSON *doc = cJSON_Parse(json);
    if (!doc) {   /* not JSON: mask it as text, whatever it is */
        char *text = redact(r, json);
        *oom = !text;
        return text;
    }
    int rc = redact_item(r, doc);
    char *out = rc > 0 ? cJSON_PrintUnformatted(doc) : NULL;
    cJSON_Delete(doc);
    *oom = rc < 0 || (rc > 0 && !out);
    return out;
}

char *redact(const struct redactor *r, const char *in)
{
    struct out o = {0};
    put(&o, "", 0);
    for (const char *p = in ? in : ""; *p;) {
        size_t keep, n;
        if ((n = match_at(r, in, p, &keep)) != 0) {
            put(&o, p, keep);
            put(&o, MASK, 3);
        } else {
            n = 1;
            put(&o, p, 1);
        }
        p += n;
    }
    if (o.oom) {
        free(o.s);
        return NULL;
    }
    return o.s;
}

void redact_into(const struct redactor *r, const char *in, char *out, size_t len)
{
    if (!len)
        return;
    char *s = redact(r, in);
    /* out of memory: say nothing rather than something unmasked */
    size_t n = s ? strlen(s) : 0;
    if (n >= len)
        n = len - 1;
    memcpy(out, s ? s : "", n);
    out[n] = '\0';
    free(s);
}

void redact_install(struct redactor *r)
{
    installed = r;
}

int redact_install_runbook(const struct runbook *rb)
{
    /* the process's for its life: a thread may hold the one installed
     * before, so none is ever freed */
    struct redactor *r = redactor_new();
    if (!r || redactor_add_runbook(r, rb) != 0) {
        redactor_free(r);
        return -1;
    }
    redact_install(r);
    return 0;
}

const struct redactor *redact_installed(void)
{
    return installed;
}
