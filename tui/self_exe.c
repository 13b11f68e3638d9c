/* self_exe.c — the path of this very program (self_exe.h). */
#include "self_exe.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int self_exe(char *buf, size_t len)
{
    if (len < 2) {
        errno = ENAMETOOLONG;
        return -1;
    }
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0)
        return -1;
    if ((size_t)n >= len - 1) {
        errno = ENAMETOOLONG;
        return -1;
    }
    buf[n] = '\0';
    return 0;
}

int self_exe_to_start(char *buf, size_t len)
{
    struct stat running, named;
    if (self_exe(buf, len) != 0 || stat("/proc/self/exe", &running) != 0)
        return -1;
    if (stat(buf, &named) == 0 && named.st_dev == running.st_dev &&
        named.st_ino == running.st_ino)
        return 0;
    if (snprintf(buf, len, "/proc/self/exe") >= (int)len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

int self_exec(char *const args[])
{
    char exe[PATH_MAX];
    if (self_exe_to_start(exe, sizeof exe) != 0)
        return -1;
    execv(exe, args);
    return -1;
}
