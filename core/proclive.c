/* proclive.c — a holder's process still alive and running (proclive.h),
 * read from /proc/PID/stat: its state (field 3) and its start time
 * (field 22, clock ticks after boot; boot from /proc/stat's btime). */
#include "proclive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The boot time in seconds since the epoch, or -1. */
static long long boot_time_s(void)
{
    FILE *f = fopen("/proc/stat", "r");
    char line[256];
    long long bt = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "btime ", 6) == 0) {
            bt = strtoll(line + 6, NULL, 10);
            break;
        }
    if (f)
        fclose(f);
    return bt;
}

int proclive_running_since(long pid, int64_t seen_ms)
{
    if (pid <= 0)
        return 0;
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* the command name may hold spaces and parentheses: fields follow the last ')' */
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ')
        return 0;
    char state = p[2];
    if (state == 'T' || state == 't' || state == 'Z' || state == 'X' || state == 'x')
        return 0;
    /* after the state (field 3), starttime is field 22: 19 fields on */
    char *q = p + 3;
    for (int i = 0; i < 19 && q; i++) {
        q = strchr(q, ' ');
        if (q)
            q++;
    }
    long long bt = boot_time_s();
    long hz = sysconf(_SC_CLK_TCK);
    if (!q || bt < 0 || hz <= 0)
        return 0;
    long long start_ms = bt * 1000 + strtoll(q, NULL, 10) * 1000 / hz;
    /* btime is whole seconds: a second's slack */
    return start_ms <= seen_ms + 1000;
}
