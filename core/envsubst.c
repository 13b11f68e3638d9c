/* envsubst.c — expanding ${NAME} from the environment. */
#include "envsubst.h"

#include <stdlib.h>
#include <string.h>

char *envsubst(const char *in, struct error *err)
{
    size_t cap = strlen(in) + 1, len = 0;
    char *out = malloc(cap);
    if (!out) {
        error_set(err, "out of memory");
        return NULL;
    }
    for (const char *p = in; *p;) {
        const char *value = NULL;
        size_t add = 1;
        if (p[0] == '$' && p[1] == '{') {
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
            if (!(value = getenv(name))) {
                error_set(err, "environment variable %s is not set", name);
                free(out);
                return NULL;
            }
            add = strlen(value);
            p = close + 1;
        }
        if (len + add + 1 > cap) {
            cap = 2 * (len + add + 1);
            char *o = realloc(out, cap);
            if (!o) {
                free(out);
                error_set(err, "out of memory");
                return NULL;
            }
            out = o;
        }
        if (value) {
            memcpy(out + len, value, add);
        } else {
            out[len] = *p++;
        }
        len += add;
    }
    out[len] = '\0';
    return out;
}
