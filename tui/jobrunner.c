/* jobrunner.c — the steps' data jobs as child processes of the driving
 * console (jobrunner.h). A child, not a thread: the job has its own
 * database connections and its own journal connection, a crash of the job
 * cannot take the cockpit with it, and the headless command it runs is the
 * one people already script and test. */
#include "jobrunner.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "core/datafold.h"
#include "core/events.h"
#include "core/journal_writer.h"
#include "core/stepaction.h"
#include "core/stepopts.h"
#include "self_exe.h"

extern char **environ;

#define RETRY_MAX_S 30   /* the back-off's ceiling */
/* Asks while another copy holds the backfill cost a short-lived child
 * each: a lower ceiling, so the step goes on within seconds of its end. */
#define HELD_ASK_MAX_S 8
#define STOP_WAIT_MS 2000
#define ADOPTED_GRACE_MS 1500   /* for an adopted job's last events to be folded */
/* While another copy this console cannot see holds the backfill, the
 * console asks again (its child refuses at once); an ask still running
 * after this long got the job, and its start is journaled then. */
#define ASK_GRACE_MS 3000

/* How this console holds the job of a kind. A child of ours is reaped;
 * any other process is only looked at (/proc), since waitpid cannot see
 * it. Transitions, each in one place: start() NONE → CHILD; consider()
 * NONE → ADOPTED or WATCHED; held_elsewhere() CHILD → WATCHED (our copy
 * refused: another runs the job); ended(), let_go() and jobrunner_stop()
 * back to NONE. */
enum job_hold {
    JOB_NONE,       /* none runs for this console (pid 0) */
    JOB_CHILD,      /* started here: reaped, stopped when the console quits */
    JOB_ADOPTED,    /* the previous driver's, left running: looked at, stopped on quit */
    JOB_WATCHED,    /* started elsewhere (by hand): looked at, never stopped */
};

struct job {
    enum job_hold hold;
    pid_t pid;           /* the job's process, while hold is not JOB_NONE */
    char step[32];
    int attempt;         /* starts for this step, this console */
    int failures;        /* in a row */
    int waiting;         /* a comparison held back while the backfill runs: said once */
    int said_held;       /* held by a copy not seen from here: journaled once (held) */
    int asking;          /* this child is an ask while held: its start not journaled yet */
    int64_t asked_ms;    /* … started then */
    char start_why[400]; /* … and journaled with these words once it runs */
    int64_t retry_at_ms; /* a failed job starts again from here */
    int64_t gone_ms;     /* an adopted or watched job was first seen gone */
};

/* This console now has the job of a kind, as hold says, in process pid. */
static void job_take(struct job *j, enum job_hold hold, pid_t pid)
{
    j->hold = hold;
    j->pid = pid;
    j->gone_ms = 0;
}

/* No job runs for this console any more. */
static void job_drop(struct job *j)
{
    j->hold = JOB_NONE;
    j->pid = 0;
}

/* This console's to stop when it quits: all but a copy started elsewhere. */
static int job_stoppable(const struct job *j)
{
    return j->hold == JOB_CHILD || j->hold == JOB_ADOPTED;
}

struct jobrunner {
    struct ceremony *c;
    const char *journal;
    char runbook[PATH_MAX];
    char host[64];
    struct job jobs[DATA_KINDS];
    pid_t let_go[DATA_KINDS];  /* children of ours another driver watches now: reaped only */
    pid_t ctl_pid;       /* a control command on its way */
    char ctl_what[64];
    char ctl_log[PATH_MAX];
};

struct jobrunner *jobrunner_new(struct ceremony *c, const char *journal_path)
{
    struct jobrunner *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->c = c;
    r->journal = journal_path;
    if (gethostname(r->host, sizeof r->host - 1) != 0)
        snprintf(r->host, sizeof r->host, "?");
    snprintf(r->ctl_log, sizeof r->ctl_log, "%s.control.log", journal_path);
    return r;
}

void jobrunner_free(struct jobrunner *r)
{
    if (r && r->ctl_pid > 0)
        waitpid(r->ctl_pid, NULL, WNOHANG);
    for (int k = 0; r && k < DATA_KINDS; k++)
        if (r->let_go[k] > 0)
            waitpid(r->let_go[k], NULL, WNOHANG);
    free(r);
}

/* 1 when another console took the lease: this one drives no more. */
static int lease_lost(const struct jobrunner *r)
{
    struct journal_writer_state ws;
    journal_writer_state(r->c->journal, &ws);
    return ws.lease_lost;
}

/* This console no longer drives: its jobs are the new driver's to watch
 * (it adopts them), never this console's to stop. Its own children are
 * only reaped when they end; nothing is journaled. */
static void let_go(struct jobrunner *r)
{
    for (int k = 0; k < DATA_KINDS; k++) {
        if (r->let_go[k] > 0 && waitpid(r->let_go[k], NULL, WNOHANG) != 0)
            r->let_go[k] = 0;
        struct job *j = &r->jobs[k];
        if (j->hold == JOB_NONE)
            continue;
        if (j->hold == JOB_CHILD && !r->let_go[k])
            r->let_go[k] = j->pid;
        job_drop(j);
    }
}

/* 1 when file path holds exactly text. */
static int file_is(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char *buf = malloc(n + 1);
    size_t got = buf ? fread(buf, 1, n + 1, f) : 0;
    int same = buf && got == n && memcmp(buf, text, n) == 0;
    free(buf);
    fclose(f);
    return same;
}

/* The runbook the jobs read: the file this console loaded when it still
 * holds the same text, else the journal's copy written beside the journal
 * (a console that took over, or joined, has only the journal). */
static const char *runbook_path(struct jobrunner *r, char *why, size_t len)
{
    const struct runbook *rb = r->c->rb;
    if (r->runbook[0] && file_is(r->runbook, rb->text, rb->text_len))
        return r->runbook;
    if (rb->name && file_is(rb->name, rb->text, rb->text_len)) {
        snprintf(r->runbook, sizeof r->runbook, "%s", rb->name);
        return r->runbook;
    }
    char tmp[PATH_MAX];
    snprintf(r->runbook, sizeof r->runbook, "%s.runbook.md", r->journal);
    snprintf(tmp, sizeof tmp, "%s.tmp", r->runbook);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(rb->text, 1, rb->text_len, f) == rb->text_len;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok || rename(tmp, r->runbook) != 0) {
        snprintf(why, len, "cannot write the runbook's copy %s: %s", r->runbook, strerror(errno));
        unlink(tmp);
        r->runbook[0] = '\0';
        return NULL;
    }
    return r->runbook;
}

/* Starts argv (argv[0]: this very binary) with stdin from /dev/null and
 * stdout and stderr appended to log. 0 with *pid, or -1 with why. */
static int spawn(char *const argv[], const char *log, pid_t *pid, char *why, size_t len)
{
    char exe[PATH_MAX];
    if (self_exe_to_start(exe, sizeof exe) != 0) {
        snprintf(why, len, "cannot find this program: %s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);   /* not the journal's, not the terminal's */
#endif
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&at, &none);
    /* its own process group: a Ctrl-C or a hang-up of the terminal reaches
     * the console, which stops the job itself (and journals it) */
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
    int rc = posix_spawn(pid, exe, &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0) {
        snprintf(why, len, "cannot start %s: %s", exe, strerror(rc));
        return -1;
    }
    return 0;
}

/* Journals a data_job event (queued: the writer thread writes it). */
static void journal_job(struct jobrunner *r, enum datafold_kind k, const char *state,
                        const struct job *j, long pid, int exit_status, int sig, double retry_s,
                        const char *log, const char *why, int64_t now_ms)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "job", datafold_kind_name(k));
    cJSON_AddStringToObject(o, "step", j->step);
    cJSON_AddStringToObject(o, "state", state);
    if (pid > 0) {
        cJSON_AddNumberToObject(o, "pid", (double)pid);
        if (strcmp(state, "held") != 0)   /* held: another machine's, or one unseen */
            cJSON_AddStringToObject(o, "host", r->host);
    }
    if (exit_status >= 0)
        cJSON_AddNumberToObject(o, "exit", exit_status);
    if (sig > 0)
        cJSON_AddNumberToObject(o, "signal", sig);
    if (j->attempt > 0)
        cJSON_AddNumberToObject(o, "attempt", j->attempt);
    if (retry_s > 0)
        cJSON_AddNumberToObject(o, "retry_s", retry_s);
    if (log)
        cJSON_AddStringToObject(o, "log", log);
    cJSON_AddStringToObject(o, "why", why);
    struct error err = {{0}};
    char *body = events_encode(EVK_DATA_JOB, o, &err);
    if (body)
        ceremony_append(r->c, EV_DATA_JOB, body, now_ms, &err);
    free(body);
}

/* The step whose job of kind k should run now: open, its turn come. */
static ptrdiff_t step_due(const struct session *s, enum datafold_kind k)
{
    enum rb_action want = k == DATA_BACKFILL   ? RB_ACTION_BACKFILL
                          : k == DATA_COMPARE ? RB_ACTION_COMPARE
                                              : RB_ACTION_WRITERS;
    for (size_t i = 0; i < s->rb->n_steps; i++)
        if (s->rb->steps[i].action == want && !s->acks[i].acked &&
            stepaction_open_before(s, i) < 0)
            return (ptrdiff_t)i;
    return -1;
}

/* 1 when pid runs this program's job of kind k (not a pid reused since). */
static int job_alive(long pid, enum datafold_kind k)
{
    if (pid <= 0 || kill((pid_t)pid, 0) != 0)
        return 0;
    char path[64], cmd[512];
    snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
    FILE *f = fopen(path, "rb");
    if (!f)
        return 1;   /* no /proc: trust the signal */
    size_t n = fread(cmd, 1, sizeof cmd - 1, f);
    fclose(f);
    for (size_t i = 0; i < n; i++)
        if (cmd[i] == '\0')
            cmd[i] = ' ';
    cmd[n] = '\0';
    return strstr(cmd, datafold_kind_name(k)) != NULL;
}

static void log_path(const struct jobrunner *r, enum datafold_kind k, char *buf, size_t len)
{
    snprintf(buf, len, "%s.%s.log", r->journal, datafold_kind_name(k));
}

static int start(struct jobrunner *r, enum datafold_kind k, const struct rb_step *st,
                 int64_t now_ms, char *msg, size_t len)
{
    struct job *j = &r->jobs[k];
    char why[400], log[PATH_MAX + 16];
    const char *rb = runbook_path(r, why, sizeof why);
    snprintf(j->step, sizeof j->step, "%s", st->id);
    if (!rb) {
        snprintf(msg, len, "step %s: %s", st->id, why);
        j->retry_at_ms = now_ms + RETRY_MAX_S * 1000;
        return -1;
    }
    log_path(r, k, log, sizeof log);
    char *argv[16] = {"cutover", (char *)datafold_kind_name(k), (char *)rb, "--journal",
                      (char *)r->journal, NULL};
    int n = 5;
    if (k != DATA_WRITERS)   /* its failure is journaled here, as data_job failed */
        argv[n++] = "--driven";
    /* the step's own options, as stepopts.h lists them: {rate=N batch=N}
     * on a backfill step, {code="DIR" capture=D} on a writers step (the
     * throttle the job reads from the runbook itself) */
    size_t n_opts;
    const struct stepopt *opts = stepopts_of(st->action, &n_opts);
    for (size_t a = 0; a < n_opts && n + 3 < (int)(sizeof argv / sizeof argv[0]); a++) {
        const char *val = rb_attr_get(st->attrs, st->n_attrs, opts[a].key);
        if (val && opts[a].flag) {
            argv[n++] = (char *)opts[a].flag;
            argv[n++] = (char *)val;
        }
    }
    argv[n] = NULL;
    pid_t pid;
    j->attempt++;
    if (spawn(argv, log, &pid, why, sizeof why) != 0) {
        j->failures++;
        j->retry_at_ms = now_ms + RETRY_MAX_S * 1000;
        journal_job(r, k, "failed", j, 0, -1, 0, RETRY_MAX_S, log, why, now_ms);
        snprintf(msg, len, "step %s: the %s did not start: %s", st->id, datafold_kind_name(k), why);
        return -1;
    }
    job_take(j, JOB_CHILD, pid);
    snprintf(j->start_why, sizeof j->start_why, "step %s's turn came: cutover %s %s --journal %s",
             st->id, datafold_kind_name(k), rb, r->journal);
    if (j->said_held) {   /* an ask: journaled once it runs past the claim */
        j->asking = 1;
        j->asked_ms = now_ms;
        msg[0] = '\0';
        return 0;
    }
    journal_job(r, k, "started", j, pid, -1, 0, 0, log, j->start_why, now_ms);
    snprintf(msg, len, "step %s: the %s started (pid %ld)", st->id, datafold_kind_name(k),
             (long)pid);
    return 0;
}

/* The last line a job wrote to its log (its reason, when it failed). */
static void last_line(const char *path, char *buf, size_t len)
{
    char line[300];
    snprintf(buf, len, "no output");
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f))
        if (line[0] != '\n' && line[0] != '\r')
            snprintf(buf, len, "%s", line);
    if (f)
        fclose(f);
    buf[strcspn(buf, "\r\n")] = '\0';
}

/* The back-off after n failures in a row: 1, 2, 4 … RETRY_MAX_S seconds. */
static int backoff_s(int n)
{
    int s = 1;
    for (int i = 1; i < n && s < RETRY_MAX_S; i++)
        s *= 2;
    return s > RETRY_MAX_S ? RETRY_MAX_S : s;
}

/* Our backfill refused (EXIT_HELD): another live copy runs the job, its
 * pid on the child's last line. Watched from now on (journaled watched)
 * when this machine sees it; else (another machine's, or a pid that is no
 * backfill here) held: journaled once, asked again quietly with back-off,
 * never a failure. 0 when the child's words name no holder. */
static int held_elsewhere(struct jobrunner *r, enum datafold_kind k, int64_t now_ms, char *msg,
                          size_t len)
{
    struct job *j = &r->jobs[k];
    char log[PATH_MAX + 16], said[300], why[400];
    log_path(r, k, log, sizeof log);
    last_line(log, said, sizeof said);
    const char *at = strstr(said, "(pid ");
    long holder = at ? strtol(at + 5, NULL, 10) : 0;
    if (holder <= 0 || holder == (long)getpid())
        return 0;
    if (!job_alive(holder, k)) {
        j->failures++;   /* the asks back off as failures do, up to HELD_ASK_MAX_S */
        int wait = backoff_s(j->failures);
        wait = wait > HELD_ASK_MAX_S ? HELD_ASK_MAX_S : wait;
        j->retry_at_ms = now_ms + wait * 1000;
        job_drop(j);
        if (j->said_held) {   /* the same answer: nothing new to journal or say */
            msg[0] = '\0';
            return 1;
        }
        j->said_held = 1;
        snprintf(why, sizeof why, "another copy holds the %s (pid %ld), not seen from this "
                 "machine: not started twice; asked again every %ds at most",
                 datafold_kind_name(k), holder, HELD_ASK_MAX_S);
        journal_job(r, k, "held", j, holder, EXIT_HELD, 0, wait, log, why, now_ms);
        snprintf(msg, len, "step %s: %s", j->step, why);
        return 1;
    }
    job_take(j, JOB_WATCHED, (pid_t)holder);
    j->failures = 0;
    snprintf(why, sizeof why, "another copy, not started by the cockpit, runs the %s (pid %ld): "
             "watched, not started twice, its rate left alone", datafold_kind_name(k), holder);
    journal_job(r, k, "watched", j, holder, -1, 0, 0, NULL, why, now_ms);
    snprintf(msg, len, "step %s: %s", j->step, why);
    return 1;
}

/* The job of kind k ended: exit_status (or -1) and sig (or 0) as waitpid
 * told, or both unknown for a job not ours (adopted or watched), whose own
 * events then say how. Journals how, in words. */
static void ended(struct jobrunner *r, enum datafold_kind k, int exit_status, int sig,
                  int64_t now_ms, char *msg, size_t len, int *alert)
{
    struct job *j = &r->jobs[k];
    const struct session *s = &r->c->s;
    long pid = (long)j->pid;
    char why[300], log[PATH_MAX + 16];
    log_path(r, k, log, sizeof log);
    if (k == DATA_BACKFILL && exit_status == EXIT_HELD && held_elsewhere(r, k, now_ms, msg, len))
        return;
    j->said_held = j->asking = 0;
    int looked_at = j->hold != JOB_CHILD;
    const char *state = "failed";
    if (exit_status == 0 || (looked_at && k == DATA_BACKFILL && s->actions.backfill_done))
        state = "finished";
    else if (k == DATA_COMPARE && (exit_status == 3 || (looked_at && s->data.cmp.finished)))
        state = exit_status == 3 || s->data.cmp.diverged ? "diverged" : "finished";
    else if (k == DATA_WRITERS && (exit_status == 3 || (looked_at && s->wf.audited)))
        state = exit_status == 3 || s->wf.n_unknown_audit ? "unknown" : "finished";
    if (strcmp(state, "finished") == 0) {
        snprintf(why, sizeof why, "the %s finished", datafold_kind_name(k));
        j->failures = 0;
    } else if (strcmp(state, "diverged") == 0) {
        snprintf(why, sizeof why, "the comparison found divergent rows: the step stays open "
                 "(not run again by itself)");
        j->failures = 0;
    } else if (strcmp(state, "unknown") == 0) {
        snprintf(why, sizeof why, "the audit found an unknown writer: the step stays open until "
                 "the runbook declares it or the commander overrides (not run again by itself)");
        j->failures = 0;
    } else {
        j->failures++;
        int wait = backoff_s(j->failures);
        j->retry_at_ms = now_ms + wait * 1000;
        if (sig > 0)
            snprintf(why, sizeof why, "killed by signal %d (%s); started again in %ds%s", sig,
                     strsignal(sig), wait, k == DATA_BACKFILL ? " from its checkpoint" : "");
        else if (exit_status >= 0) {
            char said[160];
            last_line(log, said, sizeof said);
            snprintf(why, sizeof why, "exited with status %d: %s; started again in %ds",
                     exit_status, said, wait);
        }
        else if (j->hold == JOB_WATCHED)
            snprintf(why, sizeof why, "the copy started elsewhere (pid %ld) ended unfinished; "
                     "this console's starts in %ds", pid, wait);
        else
            snprintf(why, sizeof why, "the previous driver's job (pid %ld) ended unseen; "
                     "started again in %ds", pid, wait);
        journal_job(r, k, state, j, pid, exit_status, sig, wait, log, why, now_ms);
        snprintf(msg, len, "the %s of step %s FAILED: %s", datafold_kind_name(k), j->step, why);
        *alert = 1;
        job_drop(j);
        return;
    }
    journal_job(r, k, state, j, pid, exit_status, sig, 0, log, why, now_ms);
    snprintf(msg, len, "step %s: %s", j->step, why);
    *alert = strcmp(state, "diverged") == 0 || strcmp(state, "unknown") == 0;
    job_drop(j);
}

/* 1 when the job's own events say it ended: the backfill done, the
 * comparison's result, the audit's. */
static int told_ended(const struct session *s, enum datafold_kind k)
{
    return k == DATA_BACKFILL  ? s->actions.backfill_done
           : k == DATA_COMPARE ? s->data.cmp.finished
                               : s->wf.audited;
}

/* A child of ours: reaped when it ended. An adopted or watched one: looked at. */
static int watch(struct jobrunner *r, enum datafold_kind k, int64_t now_ms, char *msg,
                 size_t len, int *alert)
{
    struct job *j = &r->jobs[k];
    if (j->hold != JOB_CHILD) {
        if (job_alive((long)j->pid, k))
            return 0;
        /* its last events may not be folded yet: the fold decides how it
         * ended, so give the journal a moment before judging */
        int told = told_ended(&r->c->s, k);
        if (!told && !j->gone_ms)
            j->gone_ms = now_ms;
        if (!told && now_ms - j->gone_ms < ADOPTED_GRACE_MS)
            return 0;
        ended(r, k, -1, 0, now_ms, msg, len, alert);
        return 1;
    }
    int status;
    pid_t got = waitpid(j->pid, &status, WNOHANG);
    if (got == 0 && j->asking && now_ms - j->asked_ms >= ASK_GRACE_MS) {
        /* the ask got the job: the other copy let go */
        char log[PATH_MAX + 16];
        log_path(r, k, log, sizeof log);
        j->asking = j->said_held = 0;
        journal_job(r, k, "started", j, (long)j->pid, -1, 0, 0, log, j->start_why, now_ms);
        snprintf(msg, len, "step %s: the other copy let go; the %s started (pid %ld)", j->step,
                 datafold_kind_name(k), (long)j->pid);
        return 1;
    }
    if (got == 0 || (got < 0 && errno == EINTR))
        return 0;
    if (got < 0) {   /* not ours any more (ECHILD): nothing to read */
        ended(r, k, -1, 0, now_ms, msg, len, alert);
        return 1;
    }
    ended(r, k, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
          WIFSIGNALED(status) ? WTERMSIG(status) : 0, now_ms, msg, len, alert);
    return msg[0] != '\0';   /* an ask refused again says nothing */
}

/* No job of kind k runs here: start one when its step's turn has come. */
static int consider(struct jobrunner *r, enum datafold_kind k, int64_t now_ms, char *msg,
                    size_t len, int *alert)
{
    const struct session *s = &r->c->s;
    struct job *j = &r->jobs[k];
    ptrdiff_t i = step_due(s, k);
    if (i < 0)
        return 0;
    const struct rb_step *st = &s->rb->steps[i];
    if (strcmp(j->step, st->id) != 0) {   /* another step: its own count */
        *j = (struct job){0};
        snprintf(j->step, sizeof j->step, "%s", st->id);
    }
    const struct datafold_job *f = &s->data.jobs[k];
    if (datafold_running(&s->data, k) && f->pid > 0) {
        /* the journal says a job runs: the previous driver's (or one
         * started elsewhere, watched), still alive? */
        int elsewhere = strcmp(f->state, "watched") == 0;
        enum job_hold hold = elsewhere ? JOB_WATCHED : JOB_ADOPTED;
        if (strcmp(f->host, r->host) == 0 && job_alive(f->pid, k)) {
            job_take(j, hold, (pid_t)f->pid);
            snprintf(msg, len, "step %s: the %s %s runs on (pid %ld): watched, not started "
                     "twice", st->id, datafold_kind_name(k),
                     elsewhere ? "started elsewhere" : "of the previous driver", f->pid);
            return 1;
        }
        /* it ended unseen, and its own events say how (a comparison that
         * diverged is not run again by itself): journaled here, once */
        if (told_ended(s, k)) {
            job_take(j, hold, (pid_t)f->pid);
            ended(r, k, -1, 0, now_ms, msg, len, alert);
            return 1;
        }
    }
    if (k == DATA_BACKFILL && s->actions.backfill_done)
        return 0;   /* the step completes itself at its turn */
    if (f->seen && (strcmp(f->state, "diverged") == 0 || strcmp(f->state, "unknown") == 0) &&
        strcmp(f->step, st->id) == 0)
        return 0;   /* it completed nothing: a person decides */
    if (f->seen && strcmp(f->state, "requested") == 0)
        j->retry_at_ms = 0;   /* a person asked for it now */
    if (f->seen && strcmp(f->state, "held") == 0 && strcmp(f->step, st->id) == 0)
        j->said_held = 1;   /* journaled before (this console's restart): asks stay quiet */
    if (now_ms < j->retry_at_ms)
        return 0;
    /* a comparison beside a copy still running (its step overridden)
     * would call every row not yet copied missing: it waits for the copy */
    if (k == DATA_COMPARE && r->jobs[DATA_BACKFILL].hold != JOB_NONE) {
        if (j->waiting)
            return 0;
        j->waiting = 1;
        snprintf(msg, len, "step %s: the comparison waits for the backfill (pid %ld) to end: "
                 "beside a copy it would call every row not yet copied missing", st->id,
                 (long)r->jobs[DATA_BACKFILL].pid);
        return 1;
    }
    j->waiting = 0;
    start(r, k, st, now_ms, msg, len);
    return msg[0] != '\0';   /* an ask while held is quiet */
}

/* A control command came back: its answer, or the last line of its log. */
static int control_done(struct jobrunner *r, char *msg, size_t len, int *alert)
{
    int status;
    if (r->ctl_pid <= 0 || waitpid(r->ctl_pid, &status, WNOHANG) != r->ctl_pid)
        return 0;
    r->ctl_pid = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        snprintf(msg, len, "backfill %s: done (journaled as backfill_control)", r->ctl_what);
        return 1;
    }
    char last[300];
    last_line(r->ctl_log, last, sizeof last);
    snprintf(msg, len, "backfill %s REFUSED: %s", r->ctl_what, last);
    *alert = 1;
    return 1;
}

int jobrunner_tick(struct jobrunner *r, int driving, int64_t now_ms, char *msg, size_t len,
                   int *alert)
{
    int changed = control_done(r, msg, len, alert);
    if (!driving || lease_lost(r)) {   /* not (or no longer) the driver: hands off */
        let_go(r);
        return changed;
    }
    for (int k = 0; k < DATA_KINDS; k++) {
        if (r->jobs[k].hold != JOB_NONE)
            changed |= watch(r, (enum datafold_kind)k, now_ms, msg, len, alert);
        else
            changed |= consider(r, (enum datafold_kind)k, now_ms, msg, len, alert);
    }
    return changed;
}

int jobrunner_busy(const struct jobrunner *r, char *why, size_t len)
{
    if (lease_lost(r))   /* the new driver watches them: not this console's to stop */
        return 0;
    for (int k = 0; k < DATA_KINDS; k++)
        if (job_stoppable(&r->jobs[k])) {
            snprintf(why, len, "the %s of step %s runs (pid %ld); quitting stops it%s",
                     datafold_kind_name((enum datafold_kind)k), r->jobs[k].step,
                     (long)r->jobs[k].pid,
                     k == DATA_BACKFILL ? " (it resumes from its checkpoint on the next run)" : "");
            return 1;
        }
    return 0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void jobrunner_stop(struct jobrunner *r, int64_t now_ms)
{
    if (lease_lost(r)) {   /* another console drives: its jobs, not ours to stop */
        let_go(r);
        return;
    }
    for (int k = 0; k < DATA_KINDS; k++) {
        struct job *j = &r->jobs[k];
        if (!job_stoppable(j))   /* a copy started elsewhere is its starter's */
            continue;
        kill(j->pid, SIGTERM);
        int waited = 0, gone = 0;
        while (!gone && waited < STOP_WAIT_MS) {
            gone = j->hold == JOB_CHILD ? waitpid(j->pid, NULL, WNOHANG) != 0
                                        : !job_alive((long)j->pid, (enum datafold_kind)k);
            if (!gone) {
                sleep_ms(20);
                waited += 20;
            }
        }
        if (!gone) {
            kill(j->pid, SIGKILL);
            if (j->hold == JOB_CHILD)
                waitpid(j->pid, NULL, 0);
        }
        char why[200];
        snprintf(why, sizeof why, "the driving console quit%s",
                 k == DATA_BACKFILL ? ": the backfill resumes from its checkpoint on the next run"
                                    : ": the comparison runs again on the next run");
        journal_job(r, (enum datafold_kind)k, "stopped", j, (long)j->pid, -1, gone ? SIGTERM : SIGKILL,
                    0, NULL, why, now_ms);
        job_drop(j);
    }
}

int jobrunner_control(struct jobrunner *r, const char *what, const char *value, char *msg,
                      size_t len)
{
    if (r->ctl_pid > 0 && waitpid(r->ctl_pid, NULL, WNOHANG) == r->ctl_pid)
        r->ctl_pid = 0;   /* it came back since the last tick */
    if (r->ctl_pid > 0) {
        snprintf(msg, len, "a backfill control is still on its way (%s)", r->ctl_what);
        return -1;
    }
    char why[400];
    const char *rb = runbook_path(r, why, sizeof why);
    if (!rb) {
        snprintf(msg, len, "%s", why);
        return -1;
    }
    /* --running: a copy that ended meanwhile is not started again */
    /* --as, --role: journaled as the person at this console, not the engine */
    char *argv[] = {"cutover", "backfill", (char *)rb, (char *)what, (char *)value, "--journal",
                    (char *)r->journal, "--running", "--as", r->c->name, "--role", r->c->role,
                    NULL};
    if (!value)   /* --pause, --resume: no value */
        memmove(&argv[4], &argv[5], 8 * sizeof argv[0]);
    FILE *f = fopen(r->ctl_log, "w");   /* the answer of this control only */
    if (f)
        fclose(f);
    if (spawn(argv, r->ctl_log, &r->ctl_pid, why, sizeof why) != 0) {
        r->ctl_pid = 0;
        snprintf(msg, len, "%s", why);
        return -1;
    }
    snprintf(r->ctl_what, sizeof r->ctl_what, "%s%s%s", what + 2, value ? " " : "",
             value ? value : "");
    snprintf(msg, len, "backfill %s: sent", r->ctl_what);
    return 0;
}
