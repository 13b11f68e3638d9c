/* faultmenu.c — POSTs to the demo service's /faults, off the screen's
 * thread (a detached thread with a one-second timeout), and journals what
 * it sent. Keys 6–9 plant a divergence in the demo's new.db instead (a
 * changed value, a missing row, NULL for '', a trailing space) in one row
 * of the history the backfill copied, for the compare step to find; the
 * thread plants it and the loop journals what it did (faultmenu_poll). */
#include "faultmenu.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/ceremony.h"
#include "core/events.h"
#include "core/http.h"

static const struct {
    const char *key, *query, *what;
} faults[] = {
    {"1", "new_read_error_rate=0.05", "5% of reads on new fail"},
    {"2", "new_latency_factor=3", "new is three times slower"},
    {"3", "dual_write_failure_rate=0.05", "5% of dual writes to new fail"},
    {"4", "divergence=hour_shift&divergence_rate=0.2", "a fifth of new rows shifted by an hour"},
    {"5", "ignore_flag=1", "the service stops obeying the flag"},
    {"0", NULL, "every fault cleared"},
};

/* Divergences planted in new.db, each in one history row (ids up to
 * DEMO_HISTORY: rows the service put in old at start, which only the
 * backfill copies and no shadow read touches, so the ramp's signals stay
 * clean and only the compare finds them). %s is the chosen row's id. */
#define DEMO_HISTORY 1000
static const struct {
    const char *key, *cause, *sql, *pick;
} plants[] = {
    {"6", "value", "UPDATE orders SET total_cents = total_cents + 100 WHERE id = %s", ""},
    {"7", "missing-in-new", "DELETE FROM orders WHERE id = %s", ""},
    {"8", "null-vs-empty", "UPDATE orders SET note = NULL WHERE id = %s", " AND note = ''"},
    {"9", "whitespace", "UPDATE orders SET status = status || '  ' WHERE id = %s", ""},
};

/* The one plant on its way, or done and waiting for the loop to journal it. */
static pthread_mutex_t plant_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    int busy, done, ok;
    size_t which;
    char key[32];
    char error[200];
} plant;

/* The menu, listed over the screen while the prompt is open: whole at
 * 80 columns, where the status line could hold only half of it. */
static const char *const menu[] = {
    "1 new-read errors   5% of reads on new fail",
    "2 slow              new is three times slower",
    "3 write fails       5% of dual writes to new fail",
    "4 shift             a fifth of new rows shifted by an hour",
    "5 no flag           the service stops obeying the flag",
    "6 value             new.db: one history row's total changed",
    "7 missing           new.db: one history row deleted",
    "8 null              new.db: NULL for one row's empty note",
    "9 space             new.db: trailing spaces in one row's status",
    "0 reset             every fault of the service cleared",
    "Esc                 no fault",
};

const char *faultmenu_label(void)
{
    return getenv("CUTOVER_DEMO_PORT") ? "fault (1–9, 0 reset) and Enter: " : NULL;
}

size_t faultmenu_choices(const char *const **lines)
{
    *lines = menu;
    return sizeof menu / sizeof menu[0];
}

static void *post(void *p)
{
    char *url = p;
    struct http_request *r = http_send_new("POST", url, "", 1000, 65536, NULL);
    if (r)
        http_perform(r, NULL);
    http_request_free(r);
    free(url);
    return NULL;
}

/* The record of a fault sent: what a post-mortem needs to tell an injected
 * fault from a real one. */
static int journal_fault(struct ceremony *c, const char *query, const char *what, int64_t now_ms,
                         struct error *err)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "query", query ? query : "reset");
    cJSON_AddStringToObject(o, "what", what);
    char *body = events_encode(EVK_DEMO_FAULT, o, err);
    if (!body)
        return -1;
    int rc = ceremony_append(c, EV_DEMO_FAULT, body, now_ms, err);
    free(body);
    return rc;
}

/* On the plant's thread: one history row of new.db, chosen at random
 * among those the backfill copied, changed as plants[which] says. */
static void *plant_run(void *arg)
{
    size_t which = (size_t)(uintptr_t)arg;
    char path[4096], pick[300], sql[300], key[32] = "", error[200] = "";
    snprintf(path, sizeof path, "%s/new.db", getenv("CUTOVER_DEMO_DIR"));
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    snprintf(pick, sizeof pick, "SELECT id FROM orders WHERE id <= %d%s ORDER BY random() LIMIT 1",
             DEMO_HISTORY, plants[which].pick);
    int ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
             sqlite3_busy_timeout(db, 5000) == SQLITE_OK &&
             sqlite3_prepare_v2(db, pick, -1, &st, NULL) == SQLITE_OK;
    if (ok && sqlite3_step(st) == SQLITE_ROW)
        snprintf(key, sizeof key, "%lld", (long long)sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    if (ok && !key[0]) {
        snprintf(error, sizeof error, "new.db has no copied history row to change yet "
                 "(the backfill step copies it)");
        ok = 0;
    } else if (ok) {
        snprintf(sql, sizeof sql, plants[which].sql, key);
        ok = sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK && sqlite3_changes(db) == 1;
    }
    if (!ok && !error[0])
        snprintf(error, sizeof error, "%s", db ? sqlite3_errmsg(db) : "cannot open new.db");
    sqlite3_close(db);
    pthread_mutex_lock(&plant_lock);
    plant.ok = ok;
    plant.done = 1;
    snprintf(plant.key, sizeof plant.key, "%s", key);
    snprintf(plant.error, sizeof plant.error, "%s", error);
    pthread_mutex_unlock(&plant_lock);
    return NULL;
}

static int plant_start(size_t which, char *msg, size_t len)
{
    pthread_mutex_lock(&plant_lock);
    int busy = plant.busy;
    if (!busy) {
        plant.busy = 1;
        plant.done = 0;
        plant.which = which;
    }
    pthread_mutex_unlock(&plant_lock);
    if (busy) {
        snprintf(msg, len, "a divergence is being planted already");
        return -1;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, plant_run, (void *)(uintptr_t)which) != 0) {
        pthread_mutex_lock(&plant_lock);
        plant.busy = 0;
        pthread_mutex_unlock(&plant_lock);
        snprintf(msg, len, "cannot start the planting thread");
        return -1;
    }
    pthread_detach(t);
    snprintf(msg, len, "planting a %s divergence in new.db…", plants[which].cause);
    return 0;
}

int faultmenu_poll(struct ceremony *c, int64_t now_ms, char *msg, size_t len, int *alert)
{
    pthread_mutex_lock(&plant_lock);
    int done = plant.busy && plant.done;
    size_t which = plant.which;
    int ok = plant.ok;
    char key[32], error[200];
    snprintf(key, sizeof key, "%s", plant.key);
    snprintf(error, sizeof error, "%s", plant.error);
    if (done)
        plant.busy = plant.done = 0;
    pthread_mutex_unlock(&plant_lock);
    if (!done)
        return 0;
    *alert = !ok;
    if (!ok) {
        snprintf(msg, len, "no %s divergence planted: %s", plants[which].cause, error);
        return 1;
    }
    char query[96], what[160];
    snprintf(query, sizeof query, "new.db %s key %s", plants[which].cause, key);
    snprintf(what, sizeof what, "a %s divergence planted in new.db at key %s, for the compare "
             "to find", plants[which].cause, key);
    struct error err = {{0}};
    if (journal_fault(c, query, what, now_ms, &err) != 0) {
        snprintf(msg, len, "%s — NOT journaled: %s", what, err.msg);
        *alert = 1;
        return 1;
    }
    snprintf(msg, len, "demo fault: %s", what);
    return 1;
}

int faultmenu_send(struct ceremony *c, const char *choice, int64_t now_ms, char *msg, size_t len)
{
    const char *port = getenv("CUTOVER_DEMO_PORT");
    for (size_t i = 0; port && getenv("CUTOVER_DEMO_DIR") && i < sizeof plants / sizeof plants[0];
         i++)
        if (strcmp(choice, plants[i].key) == 0)
            return plant_start(i, msg, len);
    for (size_t i = 0; port && i < sizeof faults / sizeof faults[0]; i++) {
        if (strcmp(choice, faults[i].key) != 0)
            continue;
        char *url = malloc(256);
        pthread_t t;
        if (!url)
            return -1;
        if (faults[i].query)
            snprintf(url, 256, "http://127.0.0.1:%s/faults?%s", port, faults[i].query);
        else
            snprintf(url, 256, "http://127.0.0.1:%s/faults/reset", port);
        if (pthread_create(&t, NULL, post, url) != 0) {
            free(url);
            return -1;
        }
        pthread_detach(t);
        struct error err = {{0}};
        if (journal_fault(c, faults[i].query, faults[i].what, now_ms, &err) != 0) {
            snprintf(msg, len, "demo fault sent: %s — NOT journaled: %s", faults[i].what, err.msg);
            return -1;
        }
        snprintf(msg, len, "demo fault sent: %s", faults[i].what);
        return 0;
    }
    snprintf(msg, len, "no such fault: %s", choice);
    return -1;
}
