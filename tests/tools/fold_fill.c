/* fold_fill.c — appends N notes to a journal through its own append (so
 * the hash chain holds), 10,000 to a transaction: the long history the
 * fold suites need to show a cost that grows with the journal. With
 * --hold GO it is another writer that takes the write lock first: one
 * transaction, "held" on stdout once the lock is taken, then it waits
 * (30 s at most) for the file GO to exist before it appends and commits,
 * so a console's own rows queue up behind its rows.
 *
 *   fold_fill JOURNAL N [--hold GO]     errors exit 1, usage 2 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/events.h"
#include "core/journal.h"

struct fill {
    long left;
    const char *actor;
    const char *body;
    const char *hold;   /* a file to wait for inside the transaction, or NULL */
};

static int wait_for_file(const char *path, struct error *err)
{
    printf("held\n");
    fflush(stdout);
    for (int i = 0; i < 3000; i++) {
        if (access(path, F_OK) == 0)
            return 0;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    error_set(err, "%s did not appear in 30 s", path);
    return -1;
}

static int fill_tx(struct journal *j, void *p, struct error *err)
{
    struct fill *f = p;
    if (f->hold && wait_for_file(f->hold, err) != 0)
        return -1;
    f->hold = NULL;
    for (int i = 0; i < 10000 && f->left > 0; i++, f->left--) {
        struct journal_event ev = {.ts_ms = 1700000000000LL, .actor = f->actor,
                                   .kind = EV_NOTE, .body = f->body};
        if (journal_append(j, &ev, NULL, err) != 0)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int hold = argc == 5 && strcmp(argv[3], "--hold") == 0;
    if ((argc != 3 && !hold) || atol(argv[2]) <= 0) {
        fprintf(stderr, "usage: fold_fill JOURNAL N [--hold GO]\n");
        return 2;
    }
    struct error err = {{0}};
    struct journal *j = NULL;
    char *body = events_note_body("a note of ordinary length, as people write them");
    struct fill f = {atol(argv[2]), "Bob Ruiz/dba", body, hold ? argv[4] : NULL};
    int rc = body && journal_open(argv[1], JOURNAL_CREATE, &j, &err) == 0 ? 0 : 1;
    while (rc == 0 && f.left > 0)
        if (journal_transact(j, fill_tx, &f, &err) < 0)
            rc = 1;
    if (rc)
        fprintf(stderr, "fold_fill: %s\n", body ? err.msg : "out of memory");
    journal_close(j);
    free(body);
    return rc;
}
