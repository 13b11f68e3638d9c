/* journal_path.c — checks a journal's path before SQLite opens it, so that
 * the operator reads what is really wrong (a FIFO, a directory, a missing
 * file, a directory that is not writable) and nothing hangs on a pipe. */
#include "journal_path.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int not_regular(const char *path, const struct stat *st, char *why, size_t len)
{
    if (S_ISDIR(st->st_mode))
        snprintf(why, len, "%s is a directory, not a journal", path);
    else
        snprintf(why, len, "%s is not a regular file (a pipe, device or socket); a journal is a file",
                 path);
    return -1;
}

int journal_path_existing(const char *path, char *why, size_t len)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            snprintf(why, len, "%s does not exist", path);
        else
            snprintf(why, len, "%s cannot be read: %s", path, strerror(errno));
        return -1;
    }
    return S_ISREG(st.st_mode) ? 0 : not_regular(path, &st, why, len);
}

int journal_path_writable(const char *path, char *why, size_t len)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return S_ISREG(st.st_mode) ? 0 : not_regular(path, &st, why, len);
    if (errno != ENOENT) {
        snprintf(why, len, "%s cannot be used: %s", path, strerror(errno));
        return -1;
    }
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(why, len, "%s cannot be created: the directory %s does not exist", path, dir);
        return -1;
    }
    /* A new journal needs its file and SQLite's -wal and -shm beside it. */
    if (access(dir, W_OK | X_OK) != 0) {
        snprintf(why, len, "%s cannot be created: the directory %s is not writable", path, dir);
        return -1;
    }
    return 0;
}
