/* preflight_journal.c — the preflight's verdict, journaled
 * (preflight_journal.h). */
#include "preflight_journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "core/events.h"
#include "core/journal.h"
#include "journal_path.h"

void preflight_tally_row(struct preflight_tally *t, const char *name, const char *status, int ok)
{
    t->rows++;
    if (ok)
        return;
    size_t used = strlen(t->summary);
    t->failed++;
    if (used < sizeof t->summary - 1)
        snprintf(t->summary + used, sizeof t->summary - used, "%s%s: %s", used ? "; " : "",
                 name, status);
}

int preflight_journal(const char *path, const struct preflight_tally *t, char *msg, size_t len)
{
    if (journal_path_writable(path, msg, len) != 0)
        return -1;
    struct error err = {{0}};
    struct journal *j = NULL;
    if (journal_open(path, JOURNAL_CREATE, &j, &err) != 0) {
        snprintf(msg, len, "%s", err.msg);
        return -1;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "passed", t->failed == 0);
    cJSON_AddNumberToObject(o, "rows", (double)t->rows);
    cJSON_AddNumberToObject(o, "failed", (double)t->failed);
    char summary[sizeof t->summary + 64];
    if (t->failed)
        snprintf(summary, sizeof summary, "%zu of %zu rows failed: %s", t->failed, t->rows,
                 t->summary);
    else
        snprintf(summary, sizeof summary, "all %zu rows answered", t->rows);
    cJSON_AddStringToObject(o, "summary", summary);
    char *body = events_encode(EVK_PREFLIGHT, o, &err);
    int rc = -1;
    if (body) {
        struct journal_event ev = {.ts_ms = clock_now_ms(), .actor = "engine",
                                   .kind = EV_PREFLIGHT, .body = body};
        rc = journal_append(j, &ev, NULL, &err);
    }
    if (rc != 0)
        snprintf(msg, len, "journal: %s", err.msg);
    free(body);
    journal_close(j);
    return rc;
}
