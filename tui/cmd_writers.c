/* cmd_writers.c — `cutover writers RUNBOOK --code DIR [--format json]`:
 * the writer audit from the code. Every write of the old table found in
 * the tree (core/codescan.c) is set against the runbook's `## Writers`
 * (core/writers.c); a table of writers, or one JSON object per writer per
 * line then a summary. Exit 3 when a writer is unknown, 0 when none is, 1
 * on bad input. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "core/codescan.h"
#include "core/redact.h"
#include "core/runbook.h"
#include "core/writers.h"
#include "options.h"

/* The old table, as the runbook's `old` system names it. */
static const char *old_table(const struct runbook *rb)
{
    const struct rb_system *old = runbook_system(rb, "old");
    return old ? rb_attr_get(old->attrs, old->n_attrs, "table") : NULL;
}

static void sites_text(const struct writer_seen *w, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < w->n_sites && n + 1 < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s%s:%d", i ? " " : "", w->sites[i]->path,
                              w->sites[i]->line);
    if (!w->n_sites)
        snprintf(buf, len, "-");
}

static void print_table(const struct writers_audit *a, const struct code_scan *scan,
                        const char *table)
{
    int width = 6;
    for (size_t i = 0; i < a->n; i++)
        if ((int)strlen(a->v[i].name) > width)
            width = (int)strlen(a->v[i].name);
    printf("%-*s  %-4s  %-8s  %-8s  %-11s  %s\n", width, "WRITER", "SEEN", "OPS", "DECLARED",
           "DUAL-WRITES", "CODE SITES");
    for (size_t i = 0; i < a->n; i++) {
        const struct writer_seen *w = &a->v[i];
        char sites[1024];
        sites_text(w, sites, sizeof sites);
        printf("%-*s  %-4s  %-8s  %-8s  %-11s  %s\n", width, w->name, w->n_sites ? "code" : "-",
               !w->n_sites ? "-" : w->possible_only ? "possible" : "write",
               w->decl ? "yes" : "NO", w->decl ? (w->decl->dual_writes ? "yes" : "no") : "?",
               sites);
    }
    printf("\n%zu writer%s of `%s`, %zu unknown; %zu files read, %zu skipped "
           "(documentation, binaries); names searched:",
           a->n, a->n == 1 ? "" : "s", table, a->unknown, scan->files_read, scan->files_skipped);
    for (size_t i = 0; i < scan->n_names; i++)
        printf(" %s", scan->names[i]);
    printf("\n");
}

static void print_json(const struct writers_audit *a, const struct code_scan *scan)
{
    for (size_t i = 0; i < a->n; i++) {
        const struct writer_seen *w = &a->v[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "writer", w->name);
        if (w->decl && w->decl->app)
            cJSON_AddStringToObject(o, "application_name", w->decl->app);
        else
            cJSON_AddNullToObject(o, "application_name");
        if (w->decl && w->decl->role)
            cJSON_AddStringToObject(o, "role", w->decl->role);
        else
            cJSON_AddNullToObject(o, "role");
        cJSON *src = cJSON_AddArrayToObject(o, "sources");
        if (w->n_sites)
            cJSON_AddItemToArray(src, cJSON_CreateString("code"));
        cJSON_AddBoolToObject(o, "declared", w->decl != NULL);
        if (w->decl)
            cJSON_AddBoolToObject(o, "dual_writes", w->decl->dual_writes);
        else
            cJSON_AddNullToObject(o, "dual_writes");
        cJSON *ops = cJSON_AddArrayToObject(o, "ops");
        if (w->n_sites)
            cJSON_AddItemToArray(ops, cJSON_CreateString(w->possible_only ? "possible" : "write"));
        cJSON_AddNullToObject(o, "rows");
        cJSON_AddArrayToObject(o, "statements");
        cJSON *code = cJSON_AddArrayToObject(o, "code");
        for (size_t k = 0; k < w->n_sites; k++) {
            char at[600];
            snprintf(at, sizeof at, "%s:%d", w->sites[k]->path, w->sites[k]->line);
            cJSON_AddItemToArray(code, cJSON_CreateString(at));
        }
        char *text = cJSON_PrintUnformatted(o);
        if (text)
            puts(text);
        free(text);
        cJSON_Delete(o);
    }
    printf("{\"summary\": {\"writers\": %zu, \"unknown\": %zu, \"files_read\": %zu, "
           "\"files_skipped\": %zu}}\n",
           a->n, a->unknown, scan->files_read, scan->files_skipped);
}

/* --NAME VALUE or --NAME=VALUE, removed from argv; NULL when absent. */
static const char *take(int *argc, char **argv, const char *flag)
{
    size_t n = strlen(flag);
    const char *value = NULL;
    for (int i = 1; i < *argc; i++) {
        int used = 0;
        if (strcmp(argv[i], flag) == 0 && i + 1 < *argc)
            value = argv[i + 1], used = 2;
        else if (strncmp(argv[i], flag, n) == 0 && argv[i][n] == '=')
            value = argv[i] + n + 1, used = 1;
        if (!used)
            continue;
        memmove(&argv[i], &argv[i + used], (size_t)(*argc - i - used) * sizeof *argv);
        *argc -= used;
        i--;
    }
    return value;
}

static int audit(const char *path, const struct runbook *rb, const char *dir, int json)
{
    const char *table = old_table(rb);
    if (!table) {
        fprintf(stderr, "cutover: %s names no table for the `old` system: "
                        "write `- old: KIND `CONNECTION` table `NAME``\n", path);
        return EXIT_FAILED;
    }
    struct writers_decls d;
    if (writers_parse(rb, &d) != 0) {
        fprintf(stderr, "cutover: out of memory\n");
        return EXIT_FAILED;
    }
    for (size_t i = 0; i < d.n_problems; i++)
        fprintf(stderr, "%s:%d: %s\n", path, d.problems[i].line, d.problems[i].msg);
    if (d.n_problems) {
        writers_decls_free(&d);
        return EXIT_FAILED;
    }
    const char **models = NULL;
    size_t n_models = 0;
    for (size_t i = 0; i < d.n; i++)
        for (size_t k = 0; k < d.v[i].n_models; k++) {
            const char **v = realloc(models, (n_models + 1) * sizeof *v);
            if (v) {
                models = v;
                models[n_models++] = d.v[i].models[k];
            }
        }
    struct code_scan scan;
    struct writers_audit a;
    struct error err = {{0}};
    int rc = codescan_run(dir, table, models, n_models, &scan, &err);
    free(models);
    if (rc != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        writers_decls_free(&d);
        return EXIT_FAILED;
    }
    if (writers_audit(&d, &scan, &a) != 0) {
        fprintf(stderr, "cutover: out of memory\n");
        rc = EXIT_FAILED;
    } else {
        if (json)
            print_json(&a, &scan);
        else
            print_table(&a, &scan, table);
        rc = a.unknown ? EXIT_ABORTED : EXIT_OK;
        writers_audit_free(&a);
    }
    codescan_free(&scan);
    writers_decls_free(&d);
    return rc;
}

int cmd_writers(int argc, char **argv)
{
    const char *dir = take(&argc, argv, "--code");
    const char *format = take(&argc, argv, "--format");
    struct options o;
    if (options_parse(argc, argv, &o) != 0 || o.n_positional != 1 || !dir)
        return usage_of("writers");
    if (format && strcmp(format, "json") != 0 && strcmp(format, "table") != 0) {
        fprintf(stderr, "cutover: --format %s: expected table or json\n", format);
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
        return EXIT_FAILED;
    }
    redact_install_runbook(rb);   /* its secrets never reach the output */
    int rc = audit(path, rb, dir, format && strcmp(format, "json") == 0);
    runbook_free(rb);
    return rc;
}
