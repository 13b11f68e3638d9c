/* hold_lock.c — holds a journal's SQLite write lock, as another process
 * would (a post-mortem's long transaction, a backup), for the lock suites.
 *
 *   hold_lock JOURNAL SECONDS   BEGIN IMMEDIATE, print "locked", wait until
 *                               SECONDS pass or SIGTERM/SIGINT, roll back
 *
 * Exit 0 after releasing it; 1 when the lock could not be taken. */
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: hold_lock JOURNAL SECONDS\n");
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "hold_lock: %s: %s\n", argv[1], sqlite3_errmsg(db));
        return 1;
    }
    sqlite3_busy_timeout(db, 10000);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "hold_lock: %s: %s\n", argv[1], sqlite3_errmsg(db));
        return 1;
    }
    printf("locked\n");
    fflush(stdout);
    for (long i = 0, n = atol(argv[2]) * 20; i < n && !stop; i++)
        usleep(50000);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    printf("released\n");
    fflush(stdout);
    return 0;
}
