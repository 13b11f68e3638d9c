/* ceremony.c — opening a journal for a runbook (verified, under the
 * driver's lease), folding it, and deciding acknowledgements inside the
 * write transaction that records them. */
#include "ceremony.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account.h"
#include "events.h"
#include "fold_trace.h"
#include "journal_writer.h"
#include "decide.h"
#include "noreturn.h"
#include "stepaction.h"
#include "timefmt.h"

/* One of this console's own appends, folded when queued, not yet read
 * back from the journal. */
struct pending_row {
    struct pending_row *next;
    int is_sample;
    int64_t ts_ms;
    char *actor, *kind, *body;           /* events */
    char *signal, *status;               /* samples */
    int has_value;
    double value;
};

int ceremony_check_identity(const struct runbook *rb, const char *name,
                            const char *role, struct error *err)
{
    const char *person = runbook_person(rb, role);
    if (!person) {
        char known[256] = "";
        for (size_t i = 0; i < rb->n_roles; i++) {
            size_t used = strlen(known);
            snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                     rb->roles[i].role);
        }
        error_set(err, "role '%s' is not in the runbook's ## Roles (it has: %s)",
                  role, known);
        return -1;
    }
    if (strcmp(person, name) != 0) {
        error_set(err, "the runbook assigns role '%s' to %s, not to %s", role,
                  person, name);
        return -1;
    }
    const char *account = runbook_account(rb, role);
    char me[64];
    os_account(me, sizeof me);
    if (account && strcmp(account, me) != 0) {
        error_set(err, "the runbook binds %s (%s) to the OS account '%s'; this console runs as "
                  "'%s'", person, role, account, me);
        return -1;
    }
    return 0;
}

static void set_identity(struct ceremony *c, const char *name, const char *role)
{
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->role, sizeof c->role, "%s", role);
    events_actor(c->actor, sizeof c->actor, name, role);
}

int ceremony_append(struct ceremony *c, const char *kind, const char *body,
                    int64_t now_ms, struct error *err)
{
    if (!body) {
        error_set(err, "out of memory building a %s event", kind);
        return -1;
    }
    struct journal_event ev = {.ts_ms = now_ms, .actor = c->actor,
                               .kind = kind, .body = body};
    return journal_append(c->journal, &ev, NULL, err);
}

/* The sha256 recorded by the newest runbook event, or "" if none. */
static int recorded_sha(struct journal *j, char sha[65], struct error *err)
{
    char *body = NULL;
    sha[0] = '\0';
    if (journal_last_of_kind(j, EV_RUNBOOK, &body, err) != 0)
        return -1;
    if (!body)
        return 0;
    cJSON *o = cJSON_Parse(body);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "sha256");
    if (cJSON_IsString(v))
        snprintf(sha, 65, "%s", v->valuestring);
    cJSON_Delete(o);
    free(body);
    return 0;
}

static int record_runbook(struct ceremony *c, const char *rb_path,
                          const char *journal_path, int force, int64_t now_ms,
                          struct error *err)
{
    char old[65];
    if (recorded_sha(c->journal, old, err) != 0)
        return -1;
    if (strcmp(old, c->rb->sha256) == 0)
        return 0;
    if (old[0] && !force) {
        error_set(err,
                  "%s was started with a different runbook (sha256 %.12s…, "
                  "%s is %.12s…); pass --force to replace it (the replacement "
                  "is journaled)",
                  journal_path, old, rb_path, c->rb->sha256);
        return -1;
    }
    char *body = events_runbook_body(rb_path, c->rb->sha256, c->rb->text,
                                     c->rb->title, old[0] ? old : NULL);
    int rc = ceremony_append(c, EV_RUNBOOK, body, now_ms, err);
    free(body);
    return rc;
}

/* CUTOVER_FOLD_TRACE: a line after every fold step (fold_trace.h). */
static const char *trace_path;

static int fold_all(struct ceremony *c, struct error *err)
{
    if (session_init(&c->s, c->rb) != 0) {
        error_set(err, "out of memory");
        return -1;
    }
    if (trace_path && !c->trace && !(c->trace = fopen(trace_path, "a"))) {
        error_set(err, "%s: cannot write the fold trace: %s", trace_path, strerror(errno));
        return -1;
    }
    return ceremony_refresh(c, NULL, NULL, err);
}

/* Verifies the chains before anything is appended: a damaged journal is
 * refused, or with force opened and the damage put on record first. */
static int check_chains(const char *path, int force, char *damage, size_t len,
                        struct error *err)
{
    struct journal_verify_result res;
    damage[0] = '\0';
    struct stat sb;
    if (stat(path, &sb) != 0 || sb.st_size == 0)
        return 0;   /* a new journal (or a file someone's sqlite3 made empty) */
    if (journal_verify(path, &res, err) != 0) {
        if (res.empty) {   /* another console is creating it this instant: */
            if (err)      /* the open below waits for its schema, then the lease decides */
                err->msg[0] = '\0';
            return 0;
        }
        return -1;
    }
    if (res.ok)
        return 0;
    if (!force) {
        error_set(err, "%s is damaged: %s seq %lld: %s; pass --force to open it anyway "
                  "(the damage is journaled)", path, res.table, (long long)res.first_bad_seq,
                  res.reason);
        return -1;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "table", res.table);
    cJSON_AddNumberToObject(o, "first_bad_seq", (double)res.first_bad_seq);
    cJSON_AddStringToObject(o, "reason", res.reason);
    cJSON_AddBoolToObject(o, "forced", 1);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    snprintf(damage, len, "%s", text ? text : "{}");
    free(text);
    return 0;
}

/* This process as the lease and the consoles' rows name it: its host, and
 * a console id new each start. */
static void this_console(char *host, size_t host_len, char *console, size_t console_len,
                         int64_t now_ms)
{
    if (gethostname(host, host_len) != 0)
        snprintf(host, host_len, "?");
    host[host_len - 1] = '\0';
    snprintf(console, console_len, "%lx-%llx", (unsigned long)getpid(),
             (unsigned long long)now_ms);
}

static void lease_identity(struct ceremony *c, int64_t now_ms)
{
    struct journal_lease *l = &c->lease;
    memset(l, 0, sizeof *l);
    snprintf(l->holder, sizeof l->holder, "%s", c->actor);
    this_console(l->host, sizeof l->host, l->console, sizeof l->console, now_ms);
    l->pid = (long)getpid();
}

/* The console that drives holds the lease; a live holder elsewhere makes
 * this start a refusal that says who and since when. Replacing another's
 * lapsed lease is a take-over: only a role that may take over does it. */
static int take_lease(struct ceremony *c, const char *path, int64_t now_ms, struct error *err)
{
    struct journal_lease holder;
    memset(&holder, 0, sizeof holder);
    lease_identity(c, now_ms);
    unsigned flags = runbook_may_take_over(c->rb, c->role) ? 0 : JOURNAL_LEASE_NOT_OVER_OTHERS;
    int rc = journal_lease_take(c->journal, &c->lease, now_ms, flags, &holder, err);
    if (rc < 0)
        return -1;
    if (rc == 1) {
        char since[16], renewed[16];
        timefmt_hms(holder.since_ms, since, sizeof since);
        timefmt_hms(holder.renewed_ms, renewed, sizeof renewed);
        error_set(err, "%s is driven by %s (pid %ld on %s, console %s) since %s UTC, "
                  "last seen %s UTC; open another console with `cutover join %s --as NAME "
                  "--role ROLE`", path, holder.holder, holder.pid, holder.host,
                  holder.console, since, renewed, path);
        return -1;
    }
    if (rc == 2) {
        char renewed[16];
        timefmt_hms(holder.renewed_ms, renewed, sizeof renewed);
        error_set(err, "%s was driven by %s, whose lease lapsed (last seen %s UTC): only "
                  "the commander (or a role `Deputy:` names in ## Ramp) takes over, not %s; "
                  "`cutover join %s --as NAME --role ROLE` watches it", path, holder.holder,
                  renewed, c->role, path);
        return -1;
    }
    if (holder.holder[0] && strcmp(holder.holder, c->actor) != 0)
        snprintf(c->took_over_from, sizeof c->took_over_from, "%s", holder.holder);
    c->has_lease = 1;
    return 0;
}

int ceremony_start(struct ceremony *c, struct runbook *rb, const char *rb_path,
                   const char *journal_path, int force, const char *name,
                   const char *role, int64_t now_ms, struct error *err)
{
    memset(c, 0, sizeof *c);
    c->rb = rb;
    set_identity(c, name, role);
    char damage[600];
    if (ceremony_check_identity(rb, name, role, err) != 0 ||
        check_chains(journal_path, force, damage, sizeof damage, err) != 0 ||
        journal_open(journal_path, JOURNAL_CREATE, &c->journal, err) != 0 ||
        take_lease(c, journal_path, now_ms, err) != 0 ||
        (damage[0] && ceremony_append(c, JOURNAL_KIND_DAMAGED, damage, now_ms, err) != 0) ||
        record_runbook(c, rb_path, journal_path, force, now_ms, err) != 0 ||
        fold_all(c, err) != 0) {
        ceremony_close(c);
        return -1;
    }
    return 0;
}

struct runbook *ceremony_runbook_from_journal(struct journal *j, const char *path,
                                              struct error *err)
{
    char *body = NULL;
    if (journal_last_of_kind(j, EV_RUNBOOK, &body, err) != 0)
        return NULL;
    if (!body) {
        error_set(err, "%s holds no runbook: start the ceremony with "
                       "`cutover run RUNBOOK --journal %s` first", path, path);
        return NULL;
    }
    cJSON *o = cJSON_Parse(body);
    free(body);
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(o, "text");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "path");
    struct runbook *rb = NULL;
    if (cJSON_IsString(text)) {
        struct rb_problems problems = {0};
        rb = runbook_parse(cJSON_IsString(name) ? name->valuestring : "runbook",
                           text->valuestring, strlen(text->valuestring), &problems);
        if (rb && problems.n_errors) {
            error_set(err, "the runbook recorded in %s no longer parses: line %d: %s",
                      path, problems.v[0].line, problems.v[0].message);
            runbook_free(rb);
            rb = NULL;
        }
        rb_problems_free(&problems);
    } else {
        error_set(err, "%s: the runbook event has no text", path);
    }
    cJSON_Delete(o);
    return rb;
}

int ceremony_join(struct ceremony *c, const char *journal_path,
                  const char *name, const char *role, struct error *err)
{
    memset(c, 0, sizeof *c);
    set_identity(c, name, role);
    if (journal_open(journal_path, 0, &c->journal, err) != 0 ||
        !(c->rb = ceremony_runbook_from_journal(c->journal, journal_path, err)) ||
        ceremony_check_identity(c->rb, name, role, err) != 0 ||
        fold_all(c, err) != 0) {
        ceremony_close(c);
        return -1;
    }
    return 0;
}

int ceremony_join_verified(struct ceremony *c, const char *journal_path,
                           const char *name, const char *role, int force,
                           int64_t now_ms, struct error *err)
{
    char damage[600];
    memset(c, 0, sizeof *c);
    if (check_chains(journal_path, force, damage, sizeof damage, err) != 0 ||
        ceremony_join(c, journal_path, name, role, err) != 0)
        return -1;
    if (damage[0] && (ceremony_append(c, JOURNAL_KIND_DAMAGED, damage, now_ms, err) != 0 ||
                      ceremony_refresh(c, NULL, NULL, err) != 0)) {
        ceremony_close(c);
        return -1;
    }
    return 0;
}

struct refresh_ctx {
    struct ceremony *c;
    journal_event_fn on_new;
    void *ctx;
};

static void pending_free(struct pending_row *p)
{
    free(p->actor);
    free(p->kind);
    free(p->body);
    free(p->signal);
    free(p->status);
    free(p);
}

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Is this row read back the oldest of our own queued appends? Ours are
 * written in the order they were queued, and the one history gives them
 * back in that order, so only the oldest can match. An anchor's body is
 * written by the writer (the samples chain's head then): it matches by
 * kind, actor and time. */
static int pending_match(struct ceremony *c, const struct journal_event *ev,
                         const struct journal_sample *sa)
{
    struct pending_row *p = c->pending;
    if (!p || p->is_sample != (sa != NULL))
        return 0;
    if (ev && !(p->ts_ms == ev->ts_ms && strcmp(p->kind, ev->kind) == 0 &&
                strcmp(p->actor, ev->actor) == 0 &&
                (strcmp(p->kind, JOURNAL_KIND_ANCHOR) == 0 || strcmp(p->body, ev->body) == 0)))
        return 0;
    if (sa && !(p->ts_ms == sa->ts_ms && strcmp(p->signal, sa->signal) == 0 &&
                p->has_value == sa->has_value && (!p->has_value || p->value == sa->value) &&
                same_text(p->status, sa->status)))
        return 0;
    c->pending = p->next;
    if (!c->pending)
        c->pending_tail = NULL;
    c->n_pending--;
    pending_free(p);
    return 1;
}

static void pending_push(struct ceremony *c, struct pending_row *p)
{
    if (c->pending_tail)
        c->pending_tail->next = p;
    else
        c->pending = p;
    c->pending_tail = p;
    c->n_pending++;
}

void ceremony_trace_to(const char *path)
{
    trace_path = path && path[0] ? path : NULL;
}

static void trace(struct ceremony *c, const struct session *s)
{
    if (!c->trace)
        return;
    char line[4096];
    fold_trace_line(s, line, sizeof line);
    fprintf(c->trace, "%s\n", line);
    fflush(c->trace);
}

/* The fold's sequence numbers run ahead of the journal's by our queued
 * rows: a row read back gets the next free number when its own is taken. */
static void fold_event(struct ceremony *c, struct session *s, const struct journal_event *ev)
{
    struct journal_event e = *ev;
    if (e.seq <= s->last_seq)
        e.seq = s->last_seq + 1;
    session_apply(s, &e);
    trace(c, s);
}

static void fold_sample_row(struct ceremony *c, struct session *s,
                            const struct journal_sample *sa)
{
    struct journal_sample x = *sa;
    if (x.seq <= s->last_sample_seq)
        x.seq = s->last_sample_seq + 1;
    session_apply_sample(s, &x);
    trace(c, s);
}

static void fold_row(struct ceremony *c, struct session *s, const struct journal_event *ev,
                     const struct journal_sample *sa)
{
    if (ev)
        fold_event(c, s, ev);
    else
        fold_sample_row(c, s, sa);
}

/* A trace comment (tests read them: a refold from scratch is the O(journal)
 * pause the base is there to avoid). */
static void trace_note(struct ceremony *c, const char *what)
{
    if (c->trace) {
        fprintf(c->trace, "# %s at e%lld s%lld, %zu rows of ours on top\n", what,
                (long long)c->read_seq, (long long)c->read_sample_seq, c->n_pending);
        fflush(c->trace);
    }
}

static void drop_base(struct ceremony *c)
{
    if (c->has_base)
        session_free(&c->base);
    c->has_base = 0;
}

/* A row read back: ours (folded when queued), or another's. While ours
 * wait, every row goes into base, the fold of what is written. Another's
 * row while ours wait means the journal put it before rows we folded
 * already (an intent or an ack written in its own transaction, another
 * console's row): the session is no longer the journal's order, and is
 * made again from base at the end of the read (ceremony_refresh). */
static void fold_read(struct ceremony *c, const struct journal_event *ev,
                      const struct journal_sample *sa)
{
    int ours = pending_match(c, ev, sa);
    if (c->has_base) {
        fold_row(c, &c->base, ev, sa);
        if (!ours)
            c->diverged = 1;
        if (!c->pending && !c->diverged)
            drop_base(c);   /* all ours read back in their order: base is the session */
    } else if (!ours) {
        if (c->pending)
            c->diverged = 1;   /* no base (out of memory): refolded from scratch */
        else if (!c->diverged)
            fold_row(c, &c->s, ev, sa);
    }
}

static int fold_one(const struct journal_event *ev, void *p)
{
    struct refresh_ctx *r = p;
    r->c->read_seq = ev->seq;
    fold_read(r->c, ev, NULL);
    return r->on_new ? r->on_new(ev, r->ctx) : 0;
}

static int fold_sample(const struct journal_sample *sample, void *p)
{
    struct refresh_ctx *r = p;
    r->c->read_sample_seq = sample->seq;
    fold_read(r->c, NULL, sample);
    return 0;
}

/* The refold from scratch (when base could not be kept): everything
 * written, in the journal's order, then our rows still queued, in theirs. */
static int refold_event(const struct journal_event *ev, void *p)
{
    struct ceremony *c = p;
    c->read_seq = ev->seq;
    pending_match(c, ev, NULL);   /* written since the last read: folded here, once */
    fold_event(c, &c->s, ev);
    return 0;
}

static int refold_sample(const struct journal_sample *sa, void *p)
{
    struct ceremony *c = p;
    c->read_sample_seq = sa->seq;
    pending_match(c, NULL, sa);
    fold_sample_row(c, &c->s, sa);
    return 0;
}

static void apply_pending(struct ceremony *c, const struct pending_row *row);

/* Our rows still queued, on top of the fold of what is written (c->s),
 * which is kept as base while they wait (without it, a later divergence
 * refolds from scratch). */
static void reapply_pending(struct ceremony *c)
{
    if (c->pending && session_copy(&c->base, &c->s) == 0)
        c->has_base = 1;
    for (const struct pending_row *row = c->pending; row; row = row->next)
        apply_pending(c, row);
}

static int refold(struct ceremony *c, struct error *err)
{
    drop_base(c);
    session_free(&c->s);
    if (session_init(&c->s, c->rb) != 0) {
        error_set(err, "out of memory");
        return -1;
    }
    c->diverged = 0;
    c->n_refolds++;
    trace_note(c, "refold from scratch");
    if (journal_read_history(c->journal, 0, 0, refold_event, refold_sample, c, err) != 0)
        return -1;
    reapply_pending(c);
    return 0;
}

/* The session again from base, the fold of what is written, with our
 * rows still queued on top. */
static int restore(struct ceremony *c, struct error *err)
{
    struct session live;
    c->diverged = 0;
    c->n_restores++;
    trace_note(c, "restore from base");
    if (c->pending && session_copy(&live, &c->base) != 0) {
        c->diverged = 1;
        return refold(c, err);
    }
    session_free(&c->s);
    if (c->pending) {
        c->s = live;
        for (const struct pending_row *row = c->pending; row; row = row->next)
            apply_pending(c, row);
    } else {
        c->s = c->base;   /* moved: nothing of ours waits, base is the session */
        memset(&c->base, 0, sizeof c->base);
        c->has_base = 0;
    }
    return 0;
}

int ceremony_refresh(struct ceremony *c, journal_event_fn on_new, void *ctx,
                     struct error *err)
{
    struct refresh_ctx r = {c, on_new, ctx};
    /* one history: events and samples in the order they were appended */
    if (journal_read_history(c->journal, c->read_seq, c->read_sample_seq, fold_one,
                             fold_sample, &r, err) != 0)
        return -1;
    if (!c->diverged)
        return 0;
    return c->has_base ? restore(c, err) : refold(c, err);
}

/* Folds one of our queued rows (not yet written) on top of the journal. */
static void apply_pending(struct ceremony *c, const struct pending_row *row)
{
    if (row->is_sample) {
        struct journal_sample x = {.seq = c->s.last_sample_seq + 1, .ts_ms = row->ts_ms,
                                   .signal = row->signal, .value = row->value,
                                   .has_value = row->has_value, .status = row->status};
        session_apply_sample(&c->s, &x);
    } else {
        struct journal_event e = {.seq = c->s.last_seq + 1, .ts_ms = row->ts_ms,
                                  .actor = row->actor, .os_user = "", .kind = row->kind,
                                  .body = row->body};
        session_apply(&c->s, &e);
    }
    trace(c, &c->s);
}

/* Before the first of our rows waits, the session is the fold of what
 * is written: keep it as base (without it, a divergence refolds from
 * scratch). */
static void keep_base(struct ceremony *c)
{
    if (!c->pending && !c->has_base && !c->diverged && session_copy(&c->base, &c->s) == 0)
        c->has_base = 1;
}

/* The journal's front tells us of each append it queues: fold it now. An
 * anchor's body is the samples chain's head when it is written, which
 * with the queue in order is what this fold has folded by then. */
static void local_event(const struct journal_event *ev, void *p)
{
    struct ceremony *c = p;
    struct pending_row *row = calloc(1, sizeof *row);
    char anchor[96];
    const char *body = ev->body ? ev->body : "{}";
    if (strcmp(ev->kind, JOURNAL_KIND_ANCHOR) == 0) {
        snprintf(anchor, sizeof anchor, "{\"samples\":%lld,\"sample_seq\":%lld}",
                 (long long)c->s.last_sample_seq, (long long)c->s.last_sample_seq);
        body = anchor;
    }
    if (!row || !(row->actor = strdup(ev->actor)) || !(row->kind = strdup(ev->kind)) ||
        !(row->body = strdup(body))) {
        if (row)
            pending_free(row);
        c->diverged = 1;   /* out of memory: made again when read back */
        return;
    }
    row->ts_ms = ev->ts_ms;
    keep_base(c);
    pending_push(c, row);
    apply_pending(c, row);
}

static void local_sample(const struct journal_sample *sa, void *p)
{
    struct ceremony *c = p;
    struct pending_row *row = calloc(1, sizeof *row);
    if (!row || !(row->signal = strdup(sa->signal)) ||
        (sa->status && !(row->status = strdup(sa->status)))) {
        if (row)
            pending_free(row);
        c->diverged = 1;
        return;
    }
    row->is_sample = 1;
    row->ts_ms = sa->ts_ms;
    /* as the journal gives it back: NaN is no value, -0 is 0 */
    row->has_value = sa->has_value && !isnan(sa->value);
    row->value = row->has_value ? (sa->value == 0.0 ? 0.0 : sa->value) : 0.0;
    keep_base(c);
    pending_push(c, row);
    apply_pending(c, row);
}

int ceremony_start_writer(struct ceremony *c, int64_t (*now_ms)(void), struct error *err)
{
    struct journal_writer_config cfg = {.now_ms = now_ms,
                                        .lease = c->has_lease ? &c->lease : NULL,
                                        .console = c->has_presence ? &c->presence : NULL};
    if (journal_writer_start(c->journal, &cfg, err) != 0)
        return -1;
    journal_set_local(c->journal, local_event, local_sample, c);
    c->has_lease = 0;   /* the writer renews and releases it now */
    /* a spool left by an earlier console is written first; fold it as it comes */
    return 0;
}

void ceremony_be_present(struct ceremony *c, const char *mode, const char *account,
                         int64_t now_ms)
{
    struct journal_console *p = &c->presence;
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", c->name);
    snprintf(p->role, sizeof p->role, "%s", c->role);
    snprintf(p->mode, sizeof p->mode, "%s", mode);
    snprintf(p->account, sizeof p->account, "%s", account);
    this_console(p->host, sizeof p->host, p->console, sizeof p->console, now_ms);
    p->pid = (long)getpid();
    p->opened_ms = now_ms;
    c->has_presence = 1;
}

/* The first phase before `phase` that still has open steps, or -1. */
static ptrdiff_t earlier_open_phase(const struct session *s, size_t phase)
{
    for (size_t p = 0; p < phase; p++)
        if (!session_phase_complete(s, p))
            return (ptrdiff_t)p;
    return -1;
}

/* Steps of a phase are taken in order: the first step above step i in its
 * phase that is still open and that step i waits for (rb_step_waits_for). */
static const struct rb_step *earlier_open_step(const struct session *s, size_t i)
{
    const struct runbook *rb = s->rb;
    const struct rb_step *st = &rb->steps[i];
    for (size_t k = rb->phases[st->phase].first_step; k < i; k++)
        if (!s->acks[k].acked && rb_step_waits_for(st, &rb->steps[k]))
            return &rb->steps[k];
    return NULL;
}

int ceremony_ack_decide(const struct session *s, const char *step_id,
                        const char *name, const char *role, char *reason,
                        size_t len)
{
    const struct runbook *rb = s->rb;
    ptrdiff_t i = runbook_step_index(rb, step_id);
    if (i < 0) {
        snprintf(reason, len, "there is no step '%s' in the runbook", step_id);
        return -1;
    }
    const struct rb_step *st = &rb->steps[i];
    const struct step_ack *a = &s->acks[i];
    if (strcmp(st->role, role) != 0) {
        snprintf(reason, len, "step %s belongs to role %s (%s), not to %s",
                 step_id, st->role, runbook_person(rb, st->role), role);
        return -1;
    }
    if (a->acked) {
        snprintf(reason, len, "step %s was already acknowledged by %s", step_id,
                 a->name);
        return -1;
    }
    if (stepaction_refuse_ack(s, (size_t)i, reason, len) != 0)
        return -1;   /* a step with an action completes itself (stepaction.h) */
    ptrdiff_t open = earlier_open_phase(s, st->phase);
    if (open >= 0 && gatefold_phase_refusal(s, (size_t)open, reason, len) != 0 &&
        s->phase_acked[open] == rb->phases[open].n_steps)
        return -1;   /* its steps are done; an exit gate holds it */
    if (open >= 0) {
        const struct rb_phase *ph = &rb->phases[open];
        snprintf(reason, len, "phase %s (%s) is not finished yet: %zu of %zu steps open",
                 ph->number, ph->title, ph->n_steps - s->phase_acked[open],
                 ph->n_steps);
        return -1;
    }
    const struct rb_step *before = earlier_open_step(s, (size_t)i);
    if (before) {
        snprintf(reason, len, "step %s comes after step %s (%s: %s), which is not acknowledged yet",
                 step_id, before->id, before->role, before->text);
        return -1;
    }
    if (noreturn_ack_refusal(s, (size_t)i, name, reason, len) != 0)
        return -1;   /* the owner's half of an irreversible step (its conditions: ack_tx) */
    if (gatefold_step_refusal(s, (size_t)i, reason, len) != 0)
        return -1;
    return 0;
}

/* One acknowledgement, decided on what the journal holds inside the write
 * transaction that records it (decide.h): two consoles (or five scripts)
 * acking one step at once take turns, and the second sees the first's ack. */
struct ack_op {
    struct decide_op base;     /* first: decide.h runs it */
    char step[64];
    int override;              /* the commander completes the step (stepaction.h) */
    char reason[400];          /* the override's written reason */
};

/* The body of an override that completes op's step: guard "step:ID". */
static char *override_body(const struct ack_op *op, const struct session *s)
{
    char guard[80], how[320];
    snprintf(guard, sizeof guard, "%s%s", STEPACTION_GUARD_PREFIX, op->step);
    stepaction_how(s->rb, runbook_find_step(s->rb, op->step), how, sizeof how);
    return decide_override_body(guard, how, op->reason);
}

static int ack_decide(struct decide_op *base, const struct session *s, const char **kind,
                      char **body, struct error *err)
{
    struct ack_op *op = (struct ack_op *)base;
    const struct ceremony *c = base->c;
    char reason[700];
    int refused = (op->override
                       ? stepaction_override_decide(s, op->step, c->role, op->reason, reason,
                                                    sizeof reason)
                       : ceremony_ack_decide(s, op->step, c->name, c->role, reason,
                                             sizeof reason)) != 0;
    if (!refused && !op->override)   /* a gate's verdict must be recent: the one rule that takes the time */
        refused = gatefold_fresh_refusal(s, (size_t)runbook_step_index(s->rb, op->step),
                                         base->now, reason, sizeof reason) != 0 ||
                  noreturn_condition_refusal(s, (size_t)runbook_step_index(s->rb, op->step),
                                             base->now, reason, sizeof reason) != 0;
    ptrdiff_t at = runbook_step_index(s->rb, op->step);
    int held = !refused && !op->override && at >= 0 && noreturn_step(&s->rb->steps[at]) &&
               !s->nr[at].approved;   /* the owner's half of a point of no return */
    *body = refused       ? events_ack_refused_body(op->step, c->name, c->role, reason)
            : op->override ? override_body(op, s)
                           : events_ack_body(op->step, c->name, c->role);
    if (!*body) {
        error_set(err, "out of memory");
        return -1;
    }
    *kind = refused ? EV_ACK_REFUSED : op->override ? EV_OVERRIDE : EV_ACK;
    if (refused)
        snprintf(base->msg, sizeof base->msg, "refused: %s", reason);
    else if (op->override)
        snprintf(base->msg, sizeof base->msg, "step %s completed by override of %s: %s",
                 op->step, c->name, op->reason);
    else
        snprintf(base->msg, sizeof base->msg, "step %s acknowledged by %s (%s)%s", op->step,
                 c->name, c->role, held ? "; it is irreversible and waits for the commander's "
                                          "approval" : "");
    return refused;
}

static void ack_op_init(struct ack_op *op, struct ceremony *c, const char *step_id,
                        const char *reason, int64_t now_ms)
{
    *op = (struct ack_op){.base = {.c = c, .now = now_ms, .decide = ack_decide},
                          .override = reason != NULL};
    snprintf(op->step, sizeof op->step, "%s", step_id);
    snprintf(op->reason, sizeof op->reason, "%s", reason ? reason : "");
}

int ceremony_ack(struct ceremony *c, const char *step_id, int64_t now_ms,
                 char *msg, size_t len, struct error *err)
{
    return ceremony_override_step(c, step_id, NULL, now_ms, msg, len, err);
}

int ceremony_override_step(struct ceremony *c, const char *step_id, const char *reason,
                           int64_t now_ms, char *msg, size_t len, struct error *err)
{
    struct ack_op op;
    ack_op_init(&op, c, step_id, reason, now_ms);
    return decide_run(&op.base, msg, len, err);
}

int ceremony_ack_async(struct ceremony *c, const char *step_id, int64_t now_ms,
                       ceremony_ack_done_fn done, void *ctx, char *msg, size_t len)
{
    return ceremony_override_step_async(c, step_id, NULL, now_ms, done, ctx, msg, len);
}

int ceremony_override_step_async(struct ceremony *c, const char *step_id, const char *reason,
                                 int64_t now_ms, ceremony_ack_done_fn done, void *ctx,
                                 char *msg, size_t len)
{
    struct ack_op op;
    ack_op_init(&op, c, step_id, reason, now_ms);
    char pending[160];
    snprintf(pending, sizeof pending, "%s %s…", reason ? "completing by override" : "acknowledging",
             step_id);
    return decide_queue(&op.base, sizeof op, done, ctx, pending, msg, len);
}

void ceremony_close(struct ceremony *c)
{
    struct error ignored = {{0}};
    if (c->journal) {
        journal_writer_stop(c->journal, 0, &ignored);
        if (c->has_lease)
            journal_lease_release(c->journal, &c->lease, &ignored);
    }
    for (struct pending_row *p = c->pending, *next; p; p = next) {
        next = p->next;
        pending_free(p);
    }
    drop_base(c);
    session_free(&c->s);
    if (c->trace)
        fclose(c->trace);
    journal_close(c->journal);
    runbook_free(c->rb);
    memset(c, 0, sizeof *c);
}
