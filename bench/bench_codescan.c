/* bench_codescan.c — the writer audit's code search on a tree of 100,000
 * source files (issue 21's figure), against `grep -rIn TABLE` over the same
 * tree in the same run: grep finds only the literal name, the scan also
 * learns the names code gives the table and reads every line twice or more
 * (learning rounds, then recording), so the ratio says what that costs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_clock.h"
#include "core/codescan.h"

#define N_DIRS 100
#define N_FILES 1000   /* per directory: 100,000 in all */

/* A file of about 30 lines of ordinary Go; one in 500 writes the table
 * through its model, one in 1,000 names it in SQL. */
static int write_file(const char *path, int n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "package p%d\n\nimport \"fmt\"\n\n", n % 97);
    for (int k = 0; k < 6; k++)
        fprintf(f, "// helper %d does a thing with the cart\nfunc helper%d_%d(x int) int {\n"
                   "\ty := x * %d\n\treturn fmt.Sprint(y)\n}\n",
                k, n, k, k + 1);
    if (n % 500 == 0)
        fprintf(f, "func save(db *DB) { db.Create(&LegacyOrder{}) }\n");
    if (n % 1000 == 1)
        fprintf(f, "const q = \"INSERT INTO orders_legacy (id) VALUES (?)\"\n");
    if (n == 7)
        fprintf(f, "func (LegacyOrder) TableName() string {\n\treturn \"orders_legacy\"\n}\n");
    return fclose(f);
}

int main(void)
{
    char root[] = "/tmp/cutover-bench-codescan-XXXXXX";
    if (!mkdtemp(root))
        return 1;
    printf("codescan: writing %d files ...\n", N_DIRS * N_FILES);
    char path[512];
    for (int d = 0; d < N_DIRS; d++) {
        snprintf(path, sizeof path, "%s/pkg%03d", root, d);
        if (mkdir(path, 0700) != 0)
            return 1;
        for (int i = 0; i < N_FILES; i++) {
            snprintf(path, sizeof path, "%s/pkg%03d/f%04d.go", root, d, i);
            if (write_file(path, d * N_FILES + i) != 0)
                return 1;
        }
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "grep -rIn orders_legacy %s | wc -l", root);
    double t0 = now_s();
    FILE *p = popen(cmd, "r");
    long grep_hits = 0;
    if (!p || fscanf(p, "%ld", &grep_hits) != 1)
        grep_hits = -1;
    if (p)
        pclose(p);
    double grep_s = now_s() - t0;

    struct code_scan s;
    struct error err = {{0}};
    t0 = now_s();
    int rc = codescan_run(root, "orders_legacy", NULL, 0, &s, &err);
    double scan_s = now_s() - t0;
    size_t writes = 0;
    for (size_t i = 0; rc == 0 && i < s.n_sites; i++)
        writes += s.sites[i].use == CODE_WRITE;
    printf("codescan: grep -rIn of the name:      %.3f s, %ld lines\n", grep_s, grep_hits);
    printf("codescan: codescan_run, 100,000 files: %.3f s, %zu sites (%zu writes, %zu names learnt); ratio %.1f\n",
           scan_s, rc == 0 ? s.n_sites : 0, writes, rc == 0 ? s.n_names : 0,
           grep_s > 0 ? scan_s / grep_s : 0);
    if (rc == 0)
        codescan_free(&s);
    else
        printf("codescan: %s\n", err.msg);
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    return system(cmd) == 0 && rc == 0 ? 0 : 1;
}
