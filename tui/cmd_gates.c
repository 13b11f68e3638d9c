/* cmd_gates.c — `cutover gates RUNBOOK [--at TIME] [--step D] [--format json]`:
 * what every gate of a runbook says at TIME, judged over its signal's
 * history in Prometheus (query_range, paged) by the same gate_judge the
 * cockpit uses. With --at in the past it is the backtest: "what would the
 * gates have said then". Exit 0 when all judged gates are open, 3 when
 * one is closed or has insufficient history, 1 when history could not be
 * read, 2 on usage or a runbook with problems. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "commands.h"
#include "options.h"
#include "timearg.h"
#include "core/criteria.h"
#include "core/gate.h"
#include "core/promrange.h"
#include "core/redact.h"
#include "core/runbook.h"
#include "core/timefmt.h"
#include "core/units.h"
#include "options.h"

enum judged { J_VERDICT, J_LIVE, J_ERROR };

struct gate_report {
    const struct rb_gate *g;
    const struct rb_signal *sig;
    const struct rb_system *sys;
    enum judged how;
    struct gate_verdict v;
    int64_t step_ms, from_ms;
    size_t points, requests;
    char note[600];          /* J_LIVE: why not judged here; J_ERROR: what failed */
};



static void judge_one(struct gate_report *r, const struct runbook *rb, int64_t at_ms,
                      int64_t step_override_ms)
{
    const struct rb_gate *g = r->g;
    r->sig = runbook_signal(rb, g->cond.signal);
    const char *sys_name = r->sig && r->sig->source ? r->sig->source : "metrics";
    r->sys = r->sig ? runbook_system(rb, sys_name) : NULL;
    if (!r->sig || !r->sys) {
        r->how = J_ERROR;
        snprintf(r->note, sizeof r->note, r->sig ? "no system `%s` in ## Systems"
                                                 : "unknown signal `%s`", r->sig ? sys_name : g->cond.signal);
        return;
    }
    if (strcmp(r->sys->kind, "prometheus") != 0) {
        r->how = J_LIVE;
        const char *k = r->sys->kind;
        int sql = strcmp(k, "postgres") == 0 || strcmp(k, "sqlite") == 0;
        snprintf(r->note, sizeof r->note,
                 "history: not available from a%s %s; judged live from the journal by the cockpit",
                 sql ? "n" : "", strcmp(k, "scrape") == 0 ? "scrape source"
                                 : sql ? "SQL source" : "system of this kind");
        return;
    }
    struct promrange_read rd;
    struct error err = {{0}};
    int rc = promrange_judge_gate(g, r->sys->conn, r->sig->expr, r->sig->interval_ms,
                                  step_override_ms, at_ms, NULL, &r->v, &rd, &err);
    r->step_ms = rd.step_ms;
    r->from_ms = rd.from_ms;
    r->points = rd.points;
    r->requests = rd.requests;
    if (rc != 0) {
        r->how = J_ERROR;
        snprintf(r->note, sizeof r->note, "history could not be read: %s", err.msg);
        return;
    }
    r->how = J_VERDICT;
}

static void say_step(int64_t step_ms, char *buf, size_t len)
{
    if (step_ms % 1000)
        snprintf(buf, len, "%lldms", (long long)step_ms);
    else
        units_format_duration(step_ms, buf, len);
}

static void print_text(const struct gate_report *r, int64_t at_ms)
{
    const struct rb_gate *g = r->g;
    printf("%s  `%s`\n", g->id, g->cond.text);
    if (r->how == J_LIVE) {
        printf("  state:   live (not judged here)\n  source:  %s `%s`\n  %s\n", r->sys->kind,
               r->sys->name, r->note);
        return;
    }
    if (r->how == J_ERROR) {
        printf("  state:   error\n  %s\n", r->note);
        if (r->sys)
            printf("  source:  prometheus `%s` %s\n", r->sys->name, r->sys->conn);
        return;
    }
    const struct gate_verdict *v = &r->v;
    char worst[48] = "none", when[48], opens[48], step[32];
    if (!isnan(v->worst)) {
        char w[40];
        criteria_format_value(&g->cond, v->worst, w, sizeof w);
        timefmt_iso(v->worst_ms, when, sizeof when);
        snprintf(worst, sizeof worst, "%s at %s", w, when);
    }
    if (v->opens_at_ms == at_ms)
        snprintf(opens, sizeof opens, "now");
    else if (v->opens_at_ms > 0)
        timefmt_iso(v->opens_at_ms, opens, sizeof opens);
    else
        snprintf(opens, sizeof opens, "unknown until data comes");
    say_step(r->step_ms, step, sizeof step);
    printf("  state:   %s\n  why:     %s\n  worst:   %s\n  covered: %.1f%% of the window\n"
           "  opens:   %s\n",
           gate_state_name(v->state), v->why, worst, floor(v->covered * 1000) / 10, opens);
    printf("  source:  prometheus `%s` %s, step %s, %zu points in %zu request%s\n", r->sys->name,
           r->sys->conn, step, r->points, r->requests, r->requests == 1 ? "" : "s");
}

static cJSON *json_of(const struct gate_report *r, int64_t at_ms)
{
    char t[48];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", r->g->id);
    cJSON_AddStringToObject(o, "gate", r->g->cond.text);
    cJSON_AddStringToObject(o, "signal", r->g->cond.signal);
    cJSON_AddStringToObject(o, "state", r->how == J_VERDICT ? gate_state_name(r->v.state)
                                        : r->how == J_LIVE ? "live" : "error");
    if (r->sys) {
        cJSON_AddStringToObject(o, "system", r->sys->name);
        cJSON_AddStringToObject(o, "source", r->sys->kind);
    }
    if (r->how != J_VERDICT) {
        cJSON_AddStringToObject(o, r->how == J_LIVE ? "note" : "error", r->note);
        return o;
    }
    const struct gate_verdict *v = &r->v;
    cJSON_AddStringToObject(o, "why", v->why);
    if (isnan(v->worst)) {
        cJSON_AddNullToObject(o, "worst");
    } else {
        char w[48];
        criteria_format_value(&r->g->cond, v->worst, w, sizeof w);
        cJSON_AddStringToObject(o, "worst", w);
        if (isfinite(v->worst))
            cJSON_AddNumberToObject(o, "worst_value", v->worst);
        else
            cJSON_AddNullToObject(o, "worst_value");   /* ±Inf: JSON has no number for it */
        timefmt_iso(v->worst_ms, t, sizeof t);
        cJSON_AddStringToObject(o, "worst_at", t);
    }
    cJSON_AddNumberToObject(o, "covered", v->covered);
    if (v->opens_at_ms > 0) {
        timefmt_iso(v->opens_at_ms, t, sizeof t);
        cJSON_AddStringToObject(o, "opens_at", t);
    } else {
        cJSON_AddNullToObject(o, "opens_at");
    }
    timefmt_iso(r->from_ms, t, sizeof t);
    cJSON_AddStringToObject(o, "from", t);
    timefmt_iso(at_ms, t, sizeof t);
    cJSON_AddStringToObject(o, "to", t);
    cJSON_AddNumberToObject(o, "step_ms", (double)r->step_ms);
    cJSON_AddNumberToObject(o, "points", (double)r->points);
    cJSON_AddNumberToObject(o, "requests", (double)r->requests);
    return o;
}

int cmd_gates(int argc, char **argv)
{
    const char *at_s = options_take(&argc, argv, "--at");
    const char *step_s = options_take(&argc, argv, "--step");
    const char *format = options_take(&argc, argv, "--format");
    struct options o;
    if (options_parse(argc, argv, &o) != 0 || o.n_positional != 1)
        return usage_of("gates");
    if (format && strcmp(format, "json") != 0 && strcmp(format, "text") != 0) {
        fprintf(stderr, "cutover: --format %s: expected text or json\n", format);
        return EXIT_USAGE;
    }
    int64_t at_ms = clock_now_ms(), step_ms = 0;
    if (at_s && timearg_parse(at_s, 0, &at_ms) != 0) {
        fprintf(stderr, "cutover: --at %s: expected a time like 2026-11-25T14:00:00Z or "
                        "epoch seconds\n", at_s);
        return EXIT_USAGE;
    }
    if (step_s && (units_parse_duration(step_s, &step_ms) != 0 || step_ms <= 0)) {
        fprintf(stderr, "cutover: --step %s: expected a duration like 30s or 1m\n", step_s);
        return EXIT_USAGE;
    }
    const char *path = o.positional[0];
    struct rb_problems problems = {0};
    struct runbook *rb = runbook_load(path, &problems);
    size_t errors = problems.n_errors;
    rb_problems_free(&problems);
    if (!rb || errors) {
        fprintf(stderr, "cutover: %s has problems; `cutover check %s` lists them\n", path, path);
        runbook_free(rb);
        return EXIT_USAGE;
    }
    redact_install_runbook(rb);   /* its secrets never reach the output */
    int json = format && strcmp(format, "json") == 0;
    struct gate_report *rep = calloc(rb->n_gates + 1, sizeof *rep);
    if (!rep) {
        fprintf(stderr, "cutover: out of memory\n");
        runbook_free(rb);
        return EXIT_FAILED;
    }
    size_t count[4] = {0}, live = 0, failed = 0, unknown = 0;
    cJSON *doc = json ? cJSON_CreateObject() : NULL, *arr = NULL;
    char at[48];
    timefmt_iso(at_ms, at, sizeof at);
    if (doc) {
        cJSON_AddStringToObject(doc, "runbook", path);
        cJSON_AddStringToObject(doc, "at", at);
        arr = cJSON_AddArrayToObject(doc, "gates");
    }
    for (size_t i = 0; i < rb->n_gates; i++) {
        struct gate_report *r = &rep[i];
        r->g = &rb->gates[i];
        judge_one(r, rb, at_ms, step_ms);
        if (r->how == J_VERDICT)
            count[r->v.state]++;
        else if (r->how == J_LIVE)
            live++;
        else if (r->sys)
            failed++;
        else
            unknown++;
        if (json)
            cJSON_AddItemToArray(arr, json_of(r, at_ms));
        else
            print_text(r, at_ms);
    }
    int rc = unknown ? EXIT_USAGE
             : failed ? EXIT_FAILED
             : count[GATE_CLOSED] || count[GATE_INSUFFICIENT] ? EXIT_ABORTED
                                                               : EXIT_OK;
    if (json) {
        cJSON *s = cJSON_AddObjectToObject(doc, "summary");
        cJSON_AddNumberToObject(s, "gates", (double)rb->n_gates);
        cJSON_AddNumberToObject(s, "open", (double)count[GATE_OPEN]);
        cJSON_AddNumberToObject(s, "closed", (double)count[GATE_CLOSED]);
        cJSON_AddNumberToObject(s, "insufficient", (double)count[GATE_INSUFFICIENT]);
        cJSON_AddNumberToObject(s, "live", (double)live);
        cJSON_AddNumberToObject(s, "error", (double)(failed + unknown));
        cJSON_AddNumberToObject(s, "exit", rc);
        char *text = cJSON_PrintUnformatted(doc);
        if (text)
            printf("%s\n", text);
        free(text);
        cJSON_Delete(doc);
    } else if (!rb->n_gates) {
        printf("%s: no gates at %s\n", path, at);
    } else {
        printf("%s at %s: %zu gate%s: %zu open, %zu closed, %zu insufficient", path, at,
               rb->n_gates, rb->n_gates == 1 ? "" : "s", count[GATE_OPEN], count[GATE_CLOSED],
               count[GATE_INSUFFICIENT]);
        if (live)
            printf(", %zu judged live by the cockpit", live);
        if (failed + unknown)
            printf(", %zu not read", failed + unknown);
        printf("\n");
    }
    if (failed && !json)
        fprintf(stderr, "cutover: the history of %zu gate%s could not be read (said above)\n",
                failed, failed == 1 ? "" : "s");
    free(rep);
    runbook_free(rb);
    return rc;
}
