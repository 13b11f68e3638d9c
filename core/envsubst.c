/* envsubst.c — expanding ${NAME} from the environment. In a libpq
 * connection string (`key=value …`, no `://`) a value with a space, a
 * quote or a backslash is single-quoted as libpq reads it: a password with
 * a space stays one password instead of becoming a second, unknown
 * keyword that libpq echoes back in its error. */
#include "envsubst.h"

#include <stdlib.h>
#include <string.h>

/* 1 when value must be quoted to stay one libpq value. */
static int needs_quotes(const char *value)
{
    return !*value || strpbrk(value, " \t\n'\\") != NULL;
}

/* Appends n bytes of s to out, growing it. */
static int put(char **out, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = 2 * (*len + n + 1);
        char *o = realloc(*out, c);
        if (!o)
            return -1;
        *out = o;
        *cap = c;
    }
    memcpy(*out + *len, s, n);
    *len += n;
    return 0;
}

/* 'value' with ' and \ escaped by a backslash, as libpq's conninfo wants. */
static int put_quoted(char **out, size_t *len, size_t *cap, const char *value)
{
    if (put(out, len, cap, "'", 1) != 0)
        return -1;
    for (const char *v = value; *v; v++)
        if ((*v == '\'' || *v == '\\') && put(out, len, cap, "\\", 1) != 0)
            return -1;
        else if (put(out, len, cap, v, 1) != 0)
            return -1;
    return put(out, len, cap, "'", 1);
}

char *envsubst(const char *in, struct error *err)
{
    size_t cap = strlen(in) + 1, len = 0;
    char *out = malloc(cap);
    int conninfo = strstr(in, "://") == NULL && strchr(in, '=') != NULL;
    if (!out) {
        error_set(err, "out of memory");
        return NULL;
    }
    for (const char *p = in; *p;) {
        if (p[0] != '$' || p[1] != '{') {
            if (put(&out, &len, &cap, p++, 1) != 0)
                goto oom;
            continue;
        }
        const char *close = strchr(p + 2, '}');
        if (!close) {
            error_set(err, "unclosed ${ in \"%.60s\"", in);
            free(out);
            return NULL;
        }
        char name[128];
        size_t n = (size_t)(close - p - 2);
        if (n == 0 || n >= sizeof name) {
            error_set(err, "bad variable name in \"%.60s\"", in);
            free(out);
            return NULL;
        }
        memcpy(name, p + 2, n);
        name[n] = '\0';
        const char *value = getenv(name);
        if (!value) {
            error_set(err, "environment variable %s is not set", name);
            free(out);
            return NULL;
        }
        /* key=${NAME} followed by a space or the end: the whole value */
        int whole = conninfo && len && out[len - 1] == '=' &&
                    (close[1] == '\0' || close[1] == ' ' || close[1] == '\t');
        int rc = whole && needs_quotes(value) ? put_quoted(&out, &len, &cap, value)
                                              : put(&out, &len, &cap, value, strlen(value));
        if (rc != 0)
            goto oom;
        p = close + 1;
    }
    out[len] = '\0';
    return out;
oom:
    free(out);
    error_set(err, "out of memory");
    return NULL;
}
