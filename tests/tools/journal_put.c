/* journal_put.c — appends events exactly as written to a journal, through
 * the journal's own append (so the hash chain holds), for the suites that
 * feed the fold crafted histories: a step that is not there, a number out
 * of range, a body that is not JSON, a kind from a newer build.
 *
 *   journal_put JOURNAL KIND BODY [TS_MS [ACTOR]]
 *   journal_put JOURNAL --sample SIGNAL VALUE [TS_MS]   (VALUE "-": no data)
 *
 * TS_MS defaults to the last event's time + 1 (a sample's: now); ACTOR to
 * "engine". Prints the new event's sequence number. Errors exit 1, usage 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/journal.h"

struct last {
    int64_t ts_ms;
};

static int note_last(const struct journal_event *ev, void *ctx)
{
    ((struct last *)ctx)->ts_ms = ev->ts_ms;
    return 0;
}

/* --sample SIGNAL VALUE [TS_MS] */
static int put_sample(struct journal *j, int argc, char **argv, struct error *err)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int no_data = strcmp(argv[4], "-") == 0;
    struct journal_sample smp = {
        .ts_ms = argc >= 6 ? strtoll(argv[5], NULL, 10)
                           : (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000,
        .signal = argv[3], .value = no_data ? 0 : strtod(argv[4], NULL), .has_value = !no_data,
        .status = no_data ? "no data: journal_put" : "ok"};
    return journal_append_samples(j, &smp, 1, err);
}

int main(int argc, char **argv)
{
    if (argc >= 5 && argc <= 6 && strcmp(argv[2], "--sample") == 0) {
        struct error err = {{0}};
        struct journal *j = NULL;
        int rc = journal_open(argv[1], 0, &j, &err) == 0 ? put_sample(j, argc, argv, &err) : -1;
        journal_close(j);
        if (rc != 0)
            fprintf(stderr, "journal_put: %s\n", err.msg);
        return rc != 0;
    }
    if (argc < 4 || argc > 6) {
        fprintf(stderr, "usage: journal_put JOURNAL KIND BODY [TS_MS [ACTOR]]\n");
        return 2;
    }
    struct error err = {{0}};
    struct journal *j = NULL;
    if (journal_open(argv[1], 0, &j, &err) != 0) {
        fprintf(stderr, "journal_put: %s\n", err.msg);
        return 1;
    }
    struct last last = {0};
    int64_t n = journal_last_seq(j);
    if (argc < 5 && journal_read(j, n > 0 ? n - 1 : 0, note_last, &last, &err) != 0) {
        fprintf(stderr, "journal_put: %s\n", err.msg);
        journal_close(j);
        return 1;
    }
    struct journal_event ev = {.ts_ms = argc >= 5 ? strtoll(argv[4], NULL, 10) : last.ts_ms + 1,
                               .actor = argc >= 6 ? argv[5] : "engine",
                               .kind = argv[2], .body = argv[3]};
    int64_t seq = 0;
    int rc = journal_append(j, &ev, &seq, &err);
    journal_close(j);
    if (rc != 0) {
        fprintf(stderr, "journal_put: %s\n", err.msg);
        return 1;
    }
    printf("%lld\n", (long long)seq);
    return 0;
}
