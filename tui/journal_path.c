/* journal_path.c — checks a journal's path before SQLite opens it, so that
 * the operator reads what is really wrong (a FIFO, a directory, a missing
 * file, a directory that is not writable) and nothing hangs on a pipe;
 * for `run`, makes a journal's missing directory (mode 2770). */
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

/* The directory path is in: ".", "/" or what comes before the last slash. */
static void dir_of(const char *path, char *dir, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, len, ".");
    else if (slash == path)
        snprintf(dir, len, "/");
    else
        snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* Makes dir, missing, when its parent is a directory: mode 2770 whatever
 * the umask — the ceremony's group may write, files made in it keep its
 * group (setgid), nobody else may look. Only a directory made here is
 * chmod-ed. 0, or -1 with why. */
static int make_dir(const char *path, const char *dir, char *why, size_t len)
{
    char parent[4096];
    struct stat st;
    dir_of(dir, parent, sizeof parent);
    if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(why, len, "%s cannot be created: the directory %s does not exist, nor its parent %s",
                 path, dir, parent);
        return -1;
    }
    if (mkdir(dir, 0700) != 0) {
        if (errno == EEXIST)   /* made by someone else meanwhile: theirs, as it is */
            return 0;
        snprintf(why, len, "%s cannot be created: cannot make the directory %s: %s", path, dir,
                 strerror(errno));
        return -1;
    }
    if (chmod(dir, 02770) != 0) {
        snprintf(why, len, "%s cannot be created: cannot set the mode of the new directory %s: %s",
                 path, dir, strerror(errno));
        return -1;
    }
    return 0;
}

static int writable(const char *path, int make, char *why, size_t len)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return S_ISREG(st.st_mode) ? 0 : not_regular(path, &st, why, len);
    if (errno != ENOENT) {
        snprintf(why, len, "%s cannot be used: %s", path, strerror(errno));
        return -1;
    }
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    if (make && stat(dir, &st) != 0 && errno == ENOENT && make_dir(path, dir, why, len) != 0)
        return -1;
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

int journal_path_writable(const char *path, char *why, size_t len)
{
    return writable(path, 0, why, len);
}

int journal_path_create(const char *path, char *why, size_t len)
{
    return writable(path, 1, why, len);
}
