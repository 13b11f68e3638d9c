/* datacmd.h — what `cutover backfill` and `cutover compare` share: their
 * options, the runbook and the two stores opened (problems printed as
 * FILE:LINE), and the journal the engine's events are mirrored to. */
#ifndef CUTOVER_DATACMD_H
#define CUTOVER_DATACMD_H

#include <stdint.h>

#include "core/bfcontrol.h"
#include "core/datajob.h"
#include "core/events.h"
#include "core/journal.h"
#include "core/runbook.h"

enum { KEPT_RATE = 1, KEPT_PAUSE = 2 };

struct datacmd {
    const char *runbook_path;
    const char *journal_path;
    double rate;       /* --rate N rows/s; 0 none */
    long batch;        /* --batch N: the first batch's size; 0 default */
    int restart;       /* --restart: forget the checkpoint */
    int rate_given;    /* --rate was on the command line */
    int pause;         /* --pause 1, --resume 0, neither -1 */
    int running;       /* --running: change the running copy only, never start one */
    int kept;          /* a backfill's start kept the control row's: KEPT_RATE | KEPT_PAUSE */
    int json;          /* --format json */
    int driven;        /* --driven: a console runs it and journals its failure (data_job) */
    const char *name;  /* "backfill" or "compare" */
    const char *as, *role; /* --as NAME --role ROLE: who changes a running copy */
    char actor[96];    /* "name/role" of a backfill_control, checked against ## Roles; "" engine */
    struct runbook *rb;
    struct journal *journal; /* NULL without --journal */
    struct datajob job;
    struct bfcontrol_store ctl; /* new's database, for the backfill's control row */
};

/* Parses argv, loads the runbook and opens the stores. Returns 0, or the
 * exit status to leave with (the problem already printed). */
int datacmd_open(struct datacmd *c, const char *name, int argc, char **argv);
void datacmd_close(struct datacmd *c);

/* Appends an event (json: a cJSON object, consumed) to the journal, if
 * there is one. -1 with the reason printed. */
int datacmd_journal(struct datacmd *c, enum event_kind k, void *json);

/* The command stops on an error: "cutover NAME: why" on stderr and, with
 * a journal, not --driven and not a change of a running copy (--running,
 * --pause, --resume), a data_failed event. Returns EXIT_FAILED.
 * datacmd_journal_failure: the event only (the words already printed). */
int datacmd_fail(struct datacmd *c, const char *why);
int datacmd_journal_failure(struct datacmd *c, const char *why);

#endif
