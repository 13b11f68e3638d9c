/* bench_runbook.c — the runbook parser's figures, moved out of the unit
 * tests (which keep only bounds ten times these goals), each against a
 * baseline in the same run:
 *   1. a valid runbook of about 4 MiB (goal <= 1 s), and each hostile shape
 *      of tests/unit/runbook_shapes.h (goal <= 1 s each), against md4c
 *      alone parsing the same bytes with the same flags and callbacks that
 *      do nothing — what the Markdown layer costs before ours adds a byte;
 *   2. refusing a 50 MB file (goal <= 100 ms: from its size, unread),
 *      against open + fstat + close of the same file.
 * Best of REPEATS runs each. */
#include <fcntl.h>
#include <md4c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/runbook.h"
#include "tests/unit/runbook_shapes.h"

enum { REPEATS = 3 };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the baseline: md4c alone, every callback a no-op ---- */

static int md_block(MD_BLOCKTYPE type, void *detail, void *user)
{
    (void)type, (void)detail, (void)user;
    return 0;
}

static int md_span(MD_SPANTYPE type, void *detail, void *user)
{
    (void)type, (void)detail, (void)user;
    return 0;
}

static int md_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *user)
{
    (void)type, (void)text, (void)size, (void)user;
    return 0;
}

/* The flags core/runbook.c gives md4c. */
static double time_md4c(const char *text, size_t len)
{
    MD_PARSER p = {0};
    p.flags = MD_FLAG_TASKLISTS | MD_FLAG_TABLES;
    p.enter_block = md_block;
    p.leave_block = md_block;
    p.enter_span = md_span;
    p.leave_span = md_span;
    p.text = md_text;
    double t0 = now_s();
    md_parse(text, (MD_SIZE)len, &p, NULL);
    return now_s() - t0;
}

static double time_parse(const char *text, size_t len)
{
    struct rb_problems ps = {0};
    double t0 = now_s();
    struct runbook *rb = runbook_parse("bench.md", text, len, &ps);
    double s = now_s() - t0;
    if (!rb) {
        fprintf(stderr, "bench_runbook: parse failed\n");
        exit(1);
    }
    runbook_free(rb);
    rb_problems_free(&ps);
    return s;
}

/* Best of REPEATS of both, printed as one line with their ratio. */
static void bench_text(const char *name, const char *text, size_t len)
{
    double best = 1e9, base = 1e9;
    for (int i = 0; i < REPEATS; i++) {
        double s = time_parse(text, len);
        best = s < best ? s : best;
        s = time_md4c(text, len);
        base = s < base ? s : base;
    }
    printf("runbook: %-16s runbook_parse %7.3f s (goal <= 1 s) %-6s md4c alone %7.3f s; ratio %5.1f\n",
           name, best, best <= 1.0 ? "MET" : "MISSED", base, best / (base > 1e-6 ? base : 1e-6));
}

static void bench_shapes(void)
{
    size_t len;
    char *text = shapes_big_runbook(SHAPES_BIG_SIZE, &len);
    if (!text)
        exit(1);
    printf("runbook: documents of about 4 MiB, best of %d parses each\n", REPEATS);
    bench_text("valid, 4 MiB", text, len);
    free(text);
    for (size_t i = 0; i < N_SHAPES; i++) {
        text = shapes_text(&shapes[i], &len);
        if (!text)
            exit(1);
        bench_text(shapes[i].name, text, len);
        free(text);
    }
}

/* ---- refusing a file too big: from fstat, unread ---- */

static double time_stat(const char *path)
{
    double t0 = now_s();
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        exit(1);
    close(fd);
    return now_s() - t0;
}

static double time_refusal(const char *path)
{
    struct rb_problems ps = {0};
    double t0 = now_s();
    struct runbook *rb = runbook_load(path, &ps);
    double s = now_s() - t0;
    if (rb) {
        fprintf(stderr, "bench_runbook: a 50 MB file was accepted\n");
        exit(1);
    }
    rb_problems_free(&ps);
    return s;
}

static void bench_refusal(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/bench-runbook-%ld.md", (long)getpid());
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    if (fd < 0 || write(fd, "# Big\n", 6) != 6 || ftruncate(fd, 50L * 1024 * 1024) != 0)
        exit(1);
    close(fd);
    double best = 1e9, base = 1e9;
    for (int i = 0; i < 100; i++) {
        double s = time_refusal(path);
        best = s < best ? s : best;
        s = time_stat(path);
        base = s < base ? s : base;
    }
    unlink(path);
    printf("runbook: refusing a 50 MB file   %7.3f ms (goal <= 100 ms) %-6s open+fstat+close %7.3f ms; ratio %5.1f\n",
           best * 1e3, best <= 0.1 ? "MET" : "MISSED", base * 1e3, best / (base > 1e-9 ? base : 1e-9));
}

int main(void)
{
    bench_shapes();
    bench_refusal();
    return 0;
}
