/* cmplock.c — one comparison of a table at a time (cmplock.h): an
 * advisory lock in a PostgreSQL new, an flock on an SQLite new's file. */
#include "cmplock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pgdata.h"

static int pg_take(PGconn *pg, const char *job, char *held, size_t len, struct error *err)
{
    const char *prm[2] = {job, NULL};
    PGresult *r;
    int got = pgdata_try_lock(pg, "compare lock", job, err);
    if (got < 0)
        return -1;
    if (got) {
        char host[64] = "?", name[160];
        gethostname(host, sizeof host - 1);
        snprintf(name, sizeof name, "cutover compare pid %ld on %s", (long)getpid(), host);
        prm[1] = name;
        r = pgdata_query(pg, "compare lock", "SELECT set_config('application_name', $2, false), $1",
                         2, prm, err);
        PQclear(r);
        return r ? 0 : -1;
    }
    /* the lock's key is the bigint of hashtext: its low 32 bits in objid */
    r = pgdata_query(pg, "compare lock",
                     "SELECT a.application_name, a.pid, coalesce(to_char(a.backend_start AT TIME "
                     "ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '?') FROM pg_locks l JOIN "
                     "pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND "
                     "l.granted AND l.objsubid = 1 AND l.objid = (hashtext('cutover ' || $1)::bigint "
                     "& 4294967295)::oid AND l.database = (SELECT oid FROM pg_database WHERE "
                     "datname = current_database()) LIMIT 1", 1, prm, err);
    if (!r)
        return -1;
    if (PQntuples(r) == 1)
        snprintf(held, len, "%s (PostgreSQL backend %s, connected since %s UTC)",
                 PQgetvalue(r, 0, 0)[0] ? PQgetvalue(r, 0, 0) : "a session", PQgetvalue(r, 0, 1),
                 PQgetvalue(r, 0, 2));
    else
        snprintf(held, len, "another session of new's server (it cannot be seen from here)");
    PQclear(r);
    return 1;
}

/* The command line of pid, spaces for its NULs: "" when it cannot be read. */
static void cmdline(long pid, char *buf, size_t len)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    size_t n = fread(buf, 1, len - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n > 0 && buf[n - 1] == '\0')
        n--;
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
}

/* The process holding an flock on inode ino, from /proc/locks; 0 unknown.
 * Lines read "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF". */
static long flock_holder(unsigned long ino)
{
    FILE *f = fopen("/proc/locks", "r");
    char line[256];
    long found = 0;
    while (f && !found && fgets(line, sizeof line, f)) {
        char kind[16], mode[16];
        long pid;
        unsigned maj, min;
        unsigned long i;
        if (strstr(line, "->"))
            continue;   /* a waiter, not a holder */
        if (sscanf(line, "%*d: %15s %*s %15s %ld %x:%x:%lu", kind, mode, &pid, &maj, &min, &i) == 6 &&
            strcmp(kind, "FLOCK") == 0 && i == ino)
            found = pid;
    }
    if (f)
        fclose(f);
    return found;
}

static int lite_take(struct cmplock *l, sqlite3 *db, char *held, size_t len, struct error *err)
{
    const char *path = sqlite3_db_filename(db, "main");
    if (!path || !path[0])
        return 0;   /* an in-memory new: nothing another process could share */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error_set(err, "compare lock: %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        l->fd = fd;
        return 0;
    }
    int e = errno;
    struct stat st;
    long pid = fstat(fd, &st) == 0 ? flock_holder((unsigned long)st.st_ino) : 0;
    close(fd);   /* refused: the command leaves now, whatever SQLite held meanwhile */
    if (e != EWOULDBLOCK) {
        error_set(err, "compare lock: %s: %s", path, strerror(e));
        return -1;
    }
    char cmd[300];
    cmdline(pid, cmd, sizeof cmd);
    if (pid > 0)
        snprintf(held, len, "pid %ld%s%s", pid, cmd[0] ? ": " : "", cmd);
    else
        snprintf(held, len, "another process (it holds a lock on %s)", path);
    return 1;
}

int cmplock_take(struct cmplock *l, const struct datajob *j, const char *job, char *held,
                 size_t len, struct error *err)
{
    l->fd = -1;
    if (j->new_pg)
        return pg_take(j->new_pg, job, held, len, err);
    return j->new_db ? lite_take(l, j->new_db, held, len, err) : 0;
}

void cmplock_release(struct cmplock *l)
{
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
}
