/* fuzz_fold.c — libFuzzer target for the fold: random and mutated event
 * sequences folded against a fixed runbook (runbooks/demo.md) must never
 * crash, leak or loop, every event the fold refuses must be reported with
 * its own sequence number, and folding the same journal again from scratch
 * must give the same state (the live console and a refold agree), the
 * criteria's memory included; stepping the criteria twice at one instant
 * changes nothing. The lines are the one history: events and samples in
 * the order the journal gives them.
 *
 * Input: one event per line, "KIND TS_MS BODY" (BODY is the rest of the
 * line, meant to be JSON, not required to be); a line "@SIGNAL TS_MS
 * VALUE" is a sample. Sequence numbers are the line numbers, except that a
 * TS_MS written as "=N" also sets the sequence to N (out-of-order numbers
 * must be ignored, not folded twice). CUTOVER_FUZZ_RUNBOOK overrides the
 * runbook's path. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/events.h"
#include "core/ramp.h"
#include "core/runbook.h"
#include "core/session.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINES 4000

static struct runbook *rb;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *path = getenv("CUTOVER_FUZZ_RUNBOOK");
    if (!path)
        path = "runbooks/demo.md";
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_fold: cannot read %s (run from the repository's root)\n", path);
        abort();
    }
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    struct rb_problems pr = {0};
    rb = runbook_parse(path, text, n, &pr);
    if (!rb || pr.n_errors) {
        fprintf(stderr, "fuzz_fold: %s does not parse\n", path);
        abort();
    }
    rb_problems_free(&pr);
    return 0;
}

/* What must hold after every event, whatever came before. */
static void check_invariants(const struct session *s, int64_t now)
{
    const struct ramp_view *r = &s->ramp;
    if (r->step < -1 || r->step >= (int)rb->n_ramp)
        __builtin_trap();
    if (!(r->percent >= 0 && r->percent <= 100) || !(r->target >= 0 && r->target <= 100))
        __builtin_trap();
    if (s->n_acked > rb->n_steps || s->current_phase > rb->n_phases)
        __builtin_trap();
    for (size_t i = 0; i < rb->n_criteria; i++)
        if ((int)s->crits[i].state < CRIT_OK || s->crits[i].state > CRIT_INSUFFICIENT)
            __builtin_trap();
    struct ramp_decision d = ramp_decide(rb, s, now);
    if (d.next_step >= (int)rb->n_ramp || d.next_step < -1 || strlen(d.why) >= sizeof d.why)
        __builtin_trap();
    if ((d.action == RA_ABORT || (d.action == RA_HALT && d.criterion != RAMP_NOT_OBEYED)) &&
        d.criterion >= rb->n_criteria)
        __builtin_trap();
    for (size_t i = 0; i < rb->n_criteria; i++) {
        struct crit_input in = session_crit_input(s, &rb->criteria[i], now);
        (void)in;
    }
    /* what the driver does with a copy: idempotent at one instant */
    size_t n = rb->n_criteria;
    struct crit_track *once = malloc((n ? n : 1) * sizeof *once);
    struct crit_track *twice = malloc((n ? n : 1) * sizeof *twice);
    if (once && twice) {
        memcpy(once, s->tracks, n * sizeof *once);
        session_step_criteria(s, once, now);
        memcpy(twice, once, n * sizeof *twice);
        if (session_step_criteria(s, twice, now) != 0 || memcmp(once, twice, n * sizeof *once) != 0)
            __builtin_trap();
    }
    free(once);
    free(twice);
}

struct line {
    int sample;
    const char *kind;       /* or the signal */
    int64_t ts, seq;
    const char *rest;       /* body, or the value */
};

/* Splits the input into NUL-terminated fields (in a copy). */
static size_t parse_lines(char *text, struct line *v, size_t max)
{
    size_t n = 0;
    int64_t seq = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l && n < max;
         l = strtok_r(NULL, "\n", &save)) {
        struct line *x = &v[n];
        memset(x, 0, sizeof *x);
        x->sample = l[0] == '@';
        char *sp = strchr(l, ' ');
        if (!sp)
            continue;
        *sp = '\0';
        x->kind = l + x->sample;
        char *ts = sp + 1, *end = NULL;
        int set_seq = ts[0] == '=';
        long long t = strtoll(ts + set_seq, &end, 10);
        x->ts = t;
        x->seq = set_seq ? t : ++seq;
        if (set_seq)
            seq = t;
        x->rest = *end == ' ' ? end + 1 : end;
        n++;
    }
    return n;
}

static void fold(struct session *s, const struct line *v, size_t n, int check)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i].sample) {
            struct journal_sample smp = {.seq = (int64_t)i + 1, .ts_ms = v[i].ts, .signal = v[i].kind,
                                         .has_value = v[i].rest[0] != '\0',
                                         .value = strtod(v[i].rest, NULL), .status = "ok"};
            session_apply_sample(s, &smp);
            continue;
        }
        struct journal_event ev = {.seq = v[i].seq, .ts_ms = v[i].ts, .actor = "fuzz",
                                   .os_user = "fuzz", .kind = v[i].kind, .body = v[i].rest};
        int64_t faults = s->n_faults, last = s->last_seq;
        int rc = session_apply(s, &ev);
        if (!check)
            continue;
        if (ev.seq <= last && (rc != 0 || s->n_faults != faults || s->last_seq != last))
            __builtin_trap();   /* an event already folded changes nothing */
        if (rc != 0) {
            /* reported, with its own sequence number, in words */
            const char *what = session_fault_at(s, ev.seq);
            if (s->n_faults != faults + 1 || !what || !what[0])
                __builtin_trap();
            char line[600];
            session_describe(s, &ev, line, sizeof line);
            char want[40];
            snprintf(want, sizeof want, "journal event #%lld: ", (long long)ev.seq);
            if (strncmp(line, want, strlen(want)) != 0)
                __builtin_trap();
        }
        char words[600];
        events_describe(&ev, words, sizeof words);
        if (!words[0])
            __builtin_trap();
        int64_t now = v[i].ts >= 0 && v[i].ts < 253402300799999LL ? v[i].ts : 0;
        check_invariants(s, now);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct line *v = malloc(MAX_LINES * sizeof *v);
    if (!text || !v) {
        free(text);
        free(v);
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';   /* a NUL inside ends the input there */
    size_t n = parse_lines(text, v, MAX_LINES);

    struct session live, again;
    if (session_init(&live, rb) == 0) {
        fold(&live, v, n, 1);
        if (session_init(&again, rb) == 0) {
            fold(&again, v, n, 0);
            /* the refold from scratch is the same state */
            if (again.last_seq != live.last_seq || again.n_faults != live.n_faults ||
                again.n_acked != live.n_acked || again.current_phase != live.current_phase ||
                again.ramp.status != live.ramp.status || again.ramp.step != live.ramp.step ||
                again.ramp.percent != live.ramp.percent ||
                again.first_fault.seq != live.first_fault.seq)
                __builtin_trap();
            for (size_t i = 0; i < rb->n_criteria; i++)
                if (again.crits[i].state != live.crits[i].state ||
                    again.crits[i].judged != live.crits[i].judged ||
                    memcmp(&again.tracks[i], &live.tracks[i], sizeof again.tracks[i]) != 0)
                    __builtin_trap();
            if (again.crit_clock_ms != live.crit_clock_ms)
                __builtin_trap();
            session_free(&again);
        }
        session_free(&live);
    }
    free(v);
    free(text);
    return 0;
}
