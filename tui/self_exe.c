/* self_exe.c — the path of this very program (self_exe.h). */
#include "self_exe.h"

#include <errno.h>
#include <limits.h>
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

int self_exec(char *const args[])
{
    char exe[PATH_MAX];
    if (self_exe(exe, sizeof exe) != 0)
        return -1;
    execv(exe, args);
    return -1;
}
