/* journal_path.h — what is wrong with a journal path, said before SQLite
 * opens it: a FIFO or a device would hang the open or read garbage, and
 * SQLite's own answer for a read-only directory is "No such file". */
#ifndef CUTOVER_JOURNAL_PATH_H
#define CUTOVER_JOURNAL_PATH_H

#include <stddef.h>

/* An existing journal to read (verify, join): 0 when path is a regular
 * file, or -1 with why ("… does not exist", "… is not a regular file"). */
int journal_path_existing(const char *path, char *why, size_t len);

/* A journal to open or create (run): 0 when path is a regular file, or
 * does not exist in a directory that exists and is writable; else -1
 * with why ("the directory … is not writable", …). */
int journal_path_writable(const char *path, char *why, size_t len);

/* As journal_path_writable, for the journal `run` creates: a missing
 * directory whose parent exists is made, mode 2770 whatever the umask
 * (group rwx, setgid, nothing for others); an existing directory is never
 * chmod-ed. */
int journal_path_create(const char *path, char *why, size_t len);

#endif
