/* number.c — locale-independent number parsing (strtod_l with one "C"
 * locale object made once, thread-safely). */
#include "number.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <strings.h>

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

double number_strtod(const char *s, char **end)
{
    pthread_once(&c_locale_once, c_locale_init);
    if (!c_locale)   /* newlocale failed: only then fall back */
        return strtod(s, end);
    return strtod_l(s, end, c_locale);
}

int number_parse(const char *s, double *out)
{
    if (!s || !*s)
        return -1;
    const char *p = s;
    int neg = 0;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (strcasecmp(p, "inf") == 0 || strcasecmp(p, "infinity") == 0) {
        *out = neg ? -INFINITY : INFINITY;
        return 0;
    }
    if (strcasecmp(s, "nan") == 0) {
        *out = NAN;
        return 0;
    }
    /* strtod also takes hex floats and "nan(...)": Go's ParseFloat takes
     * hex only with a 'p' exponent; both are rare enough in the answers we
     * read that rejecting them loses nothing and surprises no one */
    for (const char *q = p; *q; q++)
        if (*q == 'x' || *q == 'X' || *q == 'n' || *q == 'N' || *q == '(')
            return -1;
    char *end = NULL;
    double v = number_strtod(s, &end);
    if (end == s || *end)
        return -1;
    *out = v;
    return 0;
}
