/* flagwatch.c — the flag file's watcher thread and the rule in force (see
 * flagwatch.h). Polling stat() is simpler than inotify and sees the two
 * ways a flag file changes alike: rewritten in place, or replaced by a
 * rename (which is how the cockpit writes it). */
#include "flagwatch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "flagfile.h"
#include "metrics.h"
#include "sim.h"

#define POLL_SECONDS 0.1
#define MAX_FILE (1 << 20)

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct flag_rule rule; /* guarded by mu */
static char *path, *flag;
static pthread_t thread;
static bool running;

/* What identifies one version of the file. */
struct version {
    bool exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
};

static struct version look(void)
{
    struct version v;
    struct stat st;
    memset(&v, 0, sizeof v);
    if (stat(path, &st) == 0) {
        v.exists = true;
        v.dev = st.st_dev;
        v.ino = st.st_ino;
        v.size = st.st_size;
        v.mtime = st.st_mtim;
        v.ctime = st.st_ctim;
    }
    return v;
}

static bool same(const struct version *a, const struct version *b)
{
    return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
           a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec && a->ctime.tv_sec == b->ctime.tv_sec &&
           a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* Reads and parses the file into *r. */
static void load(struct flag_rule *r)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        flagfile_invalid(r, flag, "the flag file is missing or unreadable");
        return;
    }
    char *text = malloc(MAX_FILE + 1);
    size_t n = text ? fread(text, 1, MAX_FILE, f) : 0;
    bool too_big = text && n == MAX_FILE && fgetc(f) != EOF;
    fclose(f);
    if (!text) {
        flagfile_invalid(r, flag, "out of memory reading the flag file");
        return;
    }
    text[n] = '\0';
    if (too_big)
        flagfile_invalid(r, flag, "the flag file is larger than 1 MiB");
    else
        flagfile_parse(text, flag, r);
    free(text);
}

/* Makes r the rule in force; logs when what it says changed. */
static void install(const struct flag_rule *r)
{
    pthread_mutex_lock(&mu);
    bool changed = rule.valid != r->valid || strcmp(rule.why, r->why) != 0 ||
                   rule.ratio != r->ratio;
    rule = *r;
    pthread_mutex_unlock(&mu);
    metrics_flag(r->valid ? r->ratio : 0, r->valid);
    if (!changed)
        return;
    if (r->valid)
        sim_log("flag %s in %s: %s", flag, path, r->why);
    else
        sim_log("flag %s in %s: invalid (%s): every read stays on old (0 %%)", flag,
                path ? path : "(none)", r->why);
}

static void *watch(void *arg)
{
    struct version seen = *(struct version *)arg;
    free(arg);
    double next = sim_now();
    while (sim_wait_until(next += POLL_SECONDS)) {
        struct version now = look();
        if (same(&now, &seen))
            continue;
        seen = now;
        struct flag_rule r;
        load(&r);
        install(&r);
    }
    return NULL;
}

int flagwatch_start(const char *file, const char *name)
{
    struct flag_rule r;
    flag = strdup(name);
    if (!file) {
        flagfile_invalid(&r, name, "no --flags file was given");
        install(&r);
        return 0;
    }
    path = strdup(file);
    struct version *v = malloc(sizeof *v);
    if (!flag || !path || !v) {
        free(v);
        return -1;
    }
    *v = look();
    load(&r);
    install(&r);
    if (pthread_create(&thread, NULL, watch, v) != 0) {
        free(v);
        return -1;
    }
    running = true;
    return 0;
}

void flagwatch_stop(void)
{
    if (running)
        pthread_join(thread, NULL);
    running = false;
    free(path);
    free(flag);
    path = flag = NULL;
}

bool flagwatch_route_new(const char *targeting_key)
{
    pthread_mutex_lock(&mu);
    bool on = flagfile_on(&rule, targeting_key);
    pthread_mutex_unlock(&mu);
    return on;
}
