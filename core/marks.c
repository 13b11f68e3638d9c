/* marks.c — the moments the charts and the timeline mark (see marks.h). */
#include "marks.h"

#include <string.h>

#include "events.h"

int marks_kind_of(const char *kind)
{
    if (!strcmp(kind, EV_ABORT) || !strcmp(kind, EV_ABORT_REQUEST))
        return MARK_ABORT;
    if (!strcmp(kind, EV_HALT))
        return MARK_HALT;
    if (!strcmp(kind, EV_RESUME))
        return MARK_RESUME;
    if (!strcmp(kind, EV_OVERRIDE) || !strcmp(kind, EV_FLAG_RESTORE) ||
        !strcmp(kind, EV_FLAG_ACCEPT))
        return MARK_OVERRIDE;
    if (!strcmp(kind, EV_ACK))
        return MARK_ACK;
    if (!strcmp(kind, EV_NOTE))
        return MARK_NOTE;
    return -1;
}

int marks_filter_matches(int filter, const char *kind)
{
    int k = marks_kind_of(kind);
    switch (filter) {
    case 1: return k == MARK_ABORT || k == MARK_HALT || k == MARK_RESUME ||
                   strcmp(kind, EV_ROLLBACK_DONE) == 0 || strcmp(kind, EV_ABORT_EFFECTIVE) == 0;
    case 2: return k == MARK_ACK || strcmp(kind, EV_ACK_REFUSED) == 0;
    case 3: return k == MARK_OVERRIDE;
    case 4: return k == MARK_NOTE;
    default: return 1;
    }
}

int marks_filtered(const char *kind)
{
    for (int f = 1; f < MARKS_FILTERS; f++)
        if (marks_filter_matches(f, kind))
            return 1;
    return 0;
}

char marks_glyph(enum mark_kind kind)
{
    static const char glyphs[MARK_KINDS] = {'|', 'A', 'H', 'R', 'O', 'k', 'n'};
    return kind < MARK_KINDS ? glyphs[kind] : '?';
}

static void push(struct mark *ring, size_t cap, size_t *n, size_t *next, struct mark mk)
{
    ring[*next] = mk;
    *next = (*next + 1) % cap;
    if (*n < cap)
        (*n)++;
}

void marks_note(struct marks *m, const struct journal_event *ev, const struct runbook *rb,
                const struct ramp_view *before, const struct ramp_view *after)
{
    int held = after->status == RAMP_HOLDING || after->status == RAMP_COMPLETE;
    if (held && after->step >= 0 && (size_t)after->step < rb->n_ramp &&
        (after->step != before->step || after->step_since_ms != before->step_since_ms ||
         before->status != after->status)) {
        struct mark mk = {after->step_since_ms ? after->step_since_ms : ev->ts_ms, MARK_STEP,
                          (short)after->step, (float)rb->ramp[after->step].percent};
        push(m->steps, MARKS_STEPS, &m->n_steps, &m->next_step, mk);
    }
    int k = marks_kind_of(ev->kind);
    if (k >= 0) {
        struct mark mk = {ev->ts_ms, (unsigned char)k, -1, 0};
        push(m->other, MARKS_OTHER, &m->n_other, &m->next_other, mk);
    }
}

static const struct mark *nth(const struct mark *ring, size_t cap, size_t n, size_t next, size_t i)
{
    if (i >= n)
        return NULL;
    size_t first = n < cap ? 0 : next;
    return &ring[(first + i) % cap];
}

const struct mark *marks_step(const struct marks *m, size_t i)
{
    return nth(m->steps, MARKS_STEPS, m->n_steps, m->next_step, i);
}

const struct mark *marks_other(const struct marks *m, size_t i)
{
    return nth(m->other, MARKS_OTHER, m->n_other, m->next_other, i);
}
