/* flagctl.c — drives a runbook's flag system through core/flags.h, the way
 * the cockpit's flag worker does, for the integration suites.
 *
 *   flagctl [-s SYSTEM] RUNBOOK set PERCENT   sets it; prints "set P"
 *   flagctl [-s SYSTEM] RUNBOOK read          prints the percentage read back
 *   flagctl [-s SYSTEM] RUNBOOK describe      prints flags_describe()
 *   flagctl [-s SYSTEM] RUNBOOK bench N [A B] N times: set A then read back
 *        (alternating with B), timed; prints p50/p99/max in ms of one
 *        set + read back, and fails if any read back disagreed
 *
 * SYSTEM defaults to `flag`. A failure prints "flagctl: MESSAGE" and
 * exits 1 (the message is the driver's, as the screen would show it);
 * usage errors exit 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/flags.h"
#include "core/number.h"
#include "core/runbook.h"

static int usage(void)
{
    fprintf(stderr, "usage: flagctl [-s SYSTEM] RUNBOOK set PERCENT | read | describe | "
                    "bench N [A B]\n");
    return 2;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int fail(const struct error *err)
{
    fprintf(stderr, "flagctl: %s\n", err->msg);
    return 1;
}

static int number_arg(const char *s, double *out)
{
    if (number_parse(s, out) != 0) {
        fprintf(stderr, "flagctl: %s is not a number\n", s);
        return -1;
    }
    return 0;
}

/* One set + read back, n times, alternating between a and b. */
static int bench(struct flag_driver *d, int n, double a, double b)
{
    double *ms = calloc((size_t)n, sizeof *ms);
    struct error err = {""};
    int bad = 0;
    for (int i = 0; i < n && ms; i++) {
        double want = i % 2 ? b : a, got = -1, t0 = now_ms();
        if (flags_set(d, want, &err) != 0 || flags_read(d, &got, &err) != 0) {
            free(ms);
            return fail(&err);
        }
        ms[i] = now_ms() - t0;
        bad += got != want;
    }
    if (!ms)
        return 1;
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    printf("set+read %s: n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms mismatches=%d\n",
           flags_describe(d), n, ms[n / 2], ms[(n * 99 + 99) / 100 - 1], ms[n - 1], bad);
    free(ms);
    return bad ? 1 : 0;
}

static int run(struct flag_driver *d, int argc, char **argv)
{
    struct error err = {""};
    double p, a = 0, b = 100;
    if (strcmp(argv[0], "set") == 0 && argc == 2) {
        if (number_arg(argv[1], &p) != 0)
            return 2;
        if (flags_set(d, p, &err) != 0)
            return fail(&err);
        printf("set %s\n", argv[1]);
        return 0;
    }
    if (strcmp(argv[0], "read") == 0 && argc == 1) {
        if (flags_read(d, &p, &err) != 0)
            return fail(&err);
        printf("%.17g\n", p);
        return 0;
    }
    if (strcmp(argv[0], "describe") == 0 && argc == 1) {
        printf("%s\n", flags_describe(d));
        return 0;
    }
    if (strcmp(argv[0], "bench") == 0 && (argc == 2 || argc == 4)) {
        int n = atoi(argv[1]);
        if (n < 1 || (argc == 4 && (number_arg(argv[2], &a) || number_arg(argv[3], &b))))
            return usage();
        return bench(d, n, a, b);
    }
    return usage();
}

int main(int argc, char **argv)
{
    const char *system = "flag";
    if (argc > 2 && strcmp(argv[1], "-s") == 0) {
        system = argv[2];
        argv += 2;
        argc -= 2;
    }
    if (argc < 3)
        return usage();
    struct rb_problems problems = {0};
    struct runbook *rb = runbook_load(argv[1], &problems);
    int rc = 1;
    if (!rb || problems.n_errors) {
        for (size_t i = 0; i < problems.n; i++)
            if (!problems.v[i].warning)
                fprintf(stderr, "%s:%d: %s\n", argv[1], problems.v[i].line,
                        problems.v[i].message);
    } else if (!runbook_system(rb, system)) {
        fprintf(stderr, "flagctl: %s has no system named %s\n", argv[1], system);
    } else {
        struct error err = {""};
        struct flag_driver *d = flags_open(runbook_system(rb, system), &err);
        rc = d ? run(d, argc - 2, argv + 2) : fail(&err);
        flags_close(d);
    }
    runbook_free(rb);
    rb_problems_free(&problems);
    return rc;
}
