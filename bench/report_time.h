/* report_time.h — `cutover report`'s generation time (issue 19's figures
 * for the note), measured by bench_replay.c on the journal it builds: the
 * real binary run once per format, its output thrown away, next to two
 * baselines of the same run — the in-process plain fold the caller timed,
 * and `sqlite3` printing every row of the events table (a process that
 * only reads the same rows). Wall time and the child's CPU time. */
#ifndef CUTOVER_BENCH_REPORT_TIME_H
#define CUTOVER_BENCH_REPORT_TIME_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_clock.h"

/* Runs argv with stdout and stderr on /dev/null; its wall and CPU seconds
 * and peak memory (MB). 0 when it exited 0. */
static int report_time_run(char *const argv[], double *wall, double *cpu, double *mb)
{
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    *wall = now_s() - t0;
    *cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
    *mb = (double)ru.ru_maxrss / 1024.0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Prints the figures; 0 when every run succeeded. */
static int report_time_bench(const char *journal, double fold_s, double fold_cpu)
{
    const char *bin = getenv("CUTOVER") ? getenv("CUTOVER") : "./cutover";
    double dump_s, dump_cpu, dump_mb;
    char *dump[] = {"sqlite3", (char *)journal, "SELECT * FROM events", NULL};
    if (report_time_run(dump, &dump_s, &dump_cpu, &dump_mb) != 0) {
        fprintf(stderr, "report bench: sqlite3 failed on %s\n", journal);
        return -1;
    }
    printf("report: baselines: one plain fold %.3f s wall, %.3f s CPU (in process); sqlite3 "
           "printing the events table %.3f s wall, %.3f s CPU\n", fold_s, fold_cpu, dump_s, dump_cpu);
    const char *formats[] = {"md", "html", "json"};
    int rc = 0;
    for (int i = 0; i < 3; i++) {
        char *argv[] = {(char *)bin, "report", (char *)journal, "--format", (char *)formats[i], NULL};
        double wall, cpu, mb;
        if (report_time_run(argv, &wall, &cpu, &mb) != 0) {
            fprintf(stderr, "report bench: %s report --format %s failed\n", bin, formats[i]);
            rc = -1;
            continue;
        }
        printf("report: --format %-4s %.3f s wall, %.3f s CPU, peak %.0f MB: wall %.2f× one plain "
               "fold, %.2f× the sqlite3 dump; CPU %.2f× the fold's, %.2f× sqlite3's\n", formats[i],
               wall, cpu, mb, wall / fold_s, wall / dump_s, cpu / fold_cpu, cpu / dump_cpu);
    }
    return rc;
}

#endif
