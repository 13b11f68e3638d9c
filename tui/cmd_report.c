/* cmd_report.c — `cutover report JOURNAL [--format md|json|html] [--out
 * FILE]`: the post-mortem of a ceremony from its journal alone
 * (core/report.c builds it), printed as Markdown for people (with --out, an
 * SVG chart per signal beside it: report_svg.c), JSON for tools, or one HTML
 * file with its charts inline (report_html.c). Writes nothing to the
 * journal. Exit 0, or 1 when the journal cannot be read or its chains
 * fail to verify (the report is still printed, saying where it broke). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "core/report.h"
#include "core/timefmt.h"
#include "journal_path.h"
#include "options.h"
#include "report_data.h"
#include "report_html.h"
#include "report_svg.h"

static void iso(int64_t ts, char *buf, size_t len)
{
    if (ts > 0)
        timefmt_iso(ts, buf, len);
    else
        snprintf(buf, len, "-");
}

static void span(int64_t ms, char *buf, size_t len)
{
    timefmt_span(ms, buf, len);
}

static int breached(const struct report_signal *g)
{
    if (!g->has_threshold || !g->has_worst)
        return 0;
    if (g->op[0] == '<')
        return g->op[1] == '=' ? g->worst <= g->threshold : g->worst < g->threshold;
    if (g->op[0] == '>')
        return g->op[1] == '=' ? g->worst >= g->threshold : g->worst > g->threshold;
    return 0;
}

static int64_t gap(int64_t from, int64_t to)
{
    return from > 0 && to > 0 ? to - from : -1;
}

/* ---- JSON ------------------------------------------------------------- */

static void add_time(cJSON *o, const char *key, int64_t ts)
{
    report_json_time(o, key, ts);
}

static void add_ms(cJSON *o, const char *key, int64_t ms)
{
    if (ms >= 0)
        cJSON_AddNumberToObject(o, key, (double)ms);
    else
        cJSON_AddNullToObject(o, key);
}

static cJSON *json_aborts(const struct report *r)
{
    cJSON *v = cJSON_CreateArray();
    for (size_t i = 0; i < r->n_aborts; i++) {
        const struct report_abort *a = &r->aborts[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "seq", (double)a->seq);
        if (a->manual)
            cJSON_AddNullToObject(o, "criterion");
        else
            cJSON_AddStringToObject(o, "criterion", a->criterion);
        cJSON_AddBoolToObject(o, "manual", a->manual);
        cJSON_AddStringToObject(o, "cause", a->cause);
        if (a->has_value)
            cJSON_AddNumberToObject(o, "value", a->value);
        else
            cJSON_AddNullToObject(o, "value");
        cJSON_AddNumberToObject(o, "from_percent", a->from_percent);
        cJSON_AddNumberToObject(o, "to_percent", a->to_percent);
        add_time(o, "breach", a->breach_ms);
        add_time(o, "abort", a->abort_ms);
        add_time(o, "flag_set", a->set_ms);
        add_time(o, "read_back", a->confirmed_ms);
        add_time(o, "effective", a->effective_ms);
        add_ms(o, "breach_to_set_ms", gap(a->breach_ms, a->set_ms));
        add_ms(o, "breach_to_read_back_ms", gap(a->breach_ms, a->confirmed_ms));
        add_ms(o, "set_to_effective_ms", gap(a->set_ms, a->effective_ms));
        cJSON_AddItemToArray(v, o);
    }
    return v;
}

static cJSON *json_signals(const struct report *r)
{
    cJSON *v = cJSON_CreateArray();
    for (size_t i = 0; i < r->n_signals; i++) {
        const struct report_signal *g = &r->signals[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", g->name);
        if (g->has_threshold) {
            cJSON_AddStringToObject(o, "op", g->op);
            cJSON_AddNumberToObject(o, "threshold", g->threshold);
        } else {
            cJSON_AddNullToObject(o, "threshold");
        }
        if (g->has_worst) {
            cJSON_AddNumberToObject(o, "worst", g->worst);
            add_time(o, "worst_at", g->worst_ms);
        } else {
            cJSON_AddNullToObject(o, "worst");
            cJSON_AddNullToObject(o, "worst_at");
        }
        cJSON_AddBoolToObject(o, "breached", breached(g));
        cJSON_AddNumberToObject(o, "samples", (double)g->samples);
        cJSON_AddNumberToObject(o, "no_data", (double)g->no_data);
        cJSON_AddItemToArray(v, o);
    }
    return v;
}

/* "cleanup": the deadline at the time of the report, and the last check */
static void json_cleanup(cJSON *o, const struct report *r)
{
    char line[700];
    const char *state;
    report_cleanup_line(r, clock_now_ms(), line, sizeof line, &state);
    cJSON *c = cJSON_AddObjectToObject(o, "cleanup");
    cJSON_AddStringToObject(c, "state", state);
    cJSON_AddStringToObject(c, "rule", r->cleanup_rule);
    add_time(c, "due", r->cleanup_due_ms);
    if (r->cleanup_due_ms) {
        /* negative once overdue */
        cJSON_AddNumberToObject(c, "due_in_ms", (double)(r->cleanup_due_ms - clock_now_ms()));
    }
    add_time(c, "checked", r->cleanup_checked_ms);
    if (r->cleanup_checked_ms) {
        cJSON_AddBoolToObject(c, "done", r->cleanup_done);
        cJSON_AddStringToObject(c, "summary", r->cleanup_summary);
    }
    cJSON_AddStringToObject(c, "text", line);
}

static cJSON *json_report(const struct report *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "journal", r->path);
    cJSON_AddBoolToObject(o, "verified", r->verified);
    if (!r->verified) {
        cJSON *bad = cJSON_AddObjectToObject(o, "first_bad");
        cJSON_AddStringToObject(bad, "table", r->bad_table);
        cJSON_AddNumberToObject(bad, "seq", (double)r->first_bad_seq);
        cJSON_AddStringToObject(bad, "reason", r->bad_reason);
    }
    cJSON_AddStringToObject(o, "title", r->title);
    cJSON_AddStringToObject(o, "runbook_sha256", r->sha256);
    cJSON_AddStringToObject(o, "outcome", r->outcome);
    cJSON_AddStringToObject(o, "outcome_text", r->outcome_text);
    if (r->test_clock > 0)
        cJSON_AddNumberToObject(o, "test_clock", r->test_clock);
    if (r->has_last_percent)
        cJSON_AddNumberToObject(o, "last_percent", r->last_percent);
    add_time(o, "started", r->started_ms);
    add_time(o, "ended", r->ended_ms);
    add_ms(o, "duration_ms", gap(r->started_ms, r->ended_ms));
    cJSON *people = cJSON_AddArrayToObject(o, "participants");
    for (size_t i = 0; i < r->n_people; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "name", r->people[i].name);
        cJSON_AddStringToObject(p, "role", r->people[i].role);
        cJSON_AddNumberToObject(p, "acks", (double)r->people[i].acks);
        cJSON_AddItemToArray(people, p);
    }
    cJSON *at = cJSON_AddArrayToObject(o, "time_at_percent");
    for (size_t i = 0; i < r->n_time_at; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "percent", r->time_at[i].percent);
        cJSON_AddNumberToObject(p, "ms", (double)r->time_at[i].ms);
        cJSON_AddItemToArray(at, p);
    }
    cJSON_AddItemToObject(o, "aborts", json_aborts(r));
    json_cleanup(o, r);
    if (r->no_way_back[0])
        cJSON_AddStringToObject(o, "no_way_back", r->no_way_back);
    cJSON *voids = cJSON_AddArrayToObject(o, "void_plans");
    for (size_t i = 0; i < r->n_void_plans; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "phase", r->void_plans[i].phase);
        cJSON_AddStringToObject(p, "title", r->void_plans[i].title);
        cJSON_AddStringToObject(p, "voided_by", r->void_plans[i].by);
        cJSON_AddItemToArray(voids, p);
    }
    cJSON_AddItemToObject(o, "signals", json_signals(r));
    report_data_json(o, r);
    cJSON *tl = cJSON_AddArrayToObject(o, "timeline");
    for (size_t i = 0; i < r->n_timeline; i++) {
        const struct report_line *l = &r->timeline[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "seq", (double)l->seq);
        add_time(e, "ts", l->ts_ms);
        cJSON_AddStringToObject(e, "kind", l->kind);
        cJSON_AddStringToObject(e, "actor", l->actor);
        cJSON_AddStringToObject(e, "text", l->text);
        if (l->derived)   /* the session's start, a phase complete: not an event */
            cJSON_AddTrueToObject(e, "derived");
        cJSON_AddItemToArray(tl, e);
    }
    return o;
}

static int print_json(const struct report *r)
{
    cJSON *o = json_report(r);
    char *text = o ? cJSON_Print(o) : NULL;
    cJSON_Delete(o);
    if (!text) {
        fprintf(stderr, "cutover: out of memory\n");
        return -1;
    }
    puts(text);
    free(text);
    return 0;
}

/* ---- Markdown --------------------------------------------------------- */

/* A table cell: | and newlines would break the row. */
static void cell(const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", stdout);
        else if (*s == '\n' || *s == '\r')
            putchar(' ');
        else
            putchar(*s);
    }
}

static void md_summary(const struct report *r)
{
    char a[40], b[40], d[40];
    printf("# Cutover report: %s\n\n", r->title);
    printf("- **Outcome:** %s — %s\n", r->outcome, r->outcome_text);
    if (r->test_clock > 0)
        printf("- **TIME ×%g (test clock):** a console ran on a test clock; holds and "
               "windows passed %g times faster than written. Not a real ceremony.\n",
               r->test_clock, r->test_clock);
    iso(r->started_ms, a, sizeof a);
    iso(r->ended_ms, b, sizeof b);
    span(gap(r->started_ms, r->ended_ms), d, sizeof d);
    printf("- **From** %s **to** %s (%s)\n", a, b, d);
    if (r->verified)
        printf("- **Journal:** `%s`, %lld events and %lld samples; both hash chains verified\n",
               r->path, (long long)r->n_events, (long long)r->n_samples);
    else
        printf("- **Journal:** `%s` — **BROKEN at %s #%lld: %s**; reported up to there only\n",
               r->path, r->bad_table, (long long)r->first_bad_seq, r->bad_reason);
    printf("- **Runbook:** sha256 `%.12s`\n", r->sha256);
    char counts[200];
    report_counts_text(r, counts, sizeof counts);
    printf("- %s\n\n", counts);
}

static void md_time_at(const struct report *r)
{
    if (!r->n_time_at)
        return;
    printf("## Time at each percentage\n\n| flag | time |\n|---:|---:|\n");
    for (size_t i = 0; i < r->n_time_at; i++) {
        char d[40];
        span(r->time_at[i].ms, d, sizeof d);
        printf("| %g%% | %s |\n", r->time_at[i].percent, d);
    }
    printf("\n");
}

static void md_aborts(const struct report *r)
{
    if (!r->n_aborts)
        return;
    printf("## Aborts\n\n| # | criterion | value | from → to | breach | → flag set | → read back | → effective |\n"
           "|---:|---|---:|---|---|---:|---:|---:|\n");
    for (size_t i = 0; i < r->n_aborts; i++) {
        const struct report_abort *a = &r->aborts[i];
        char br[40], s1[40], s2[40], s3[40];
        iso(a->breach_ms ? a->breach_ms : a->abort_ms, br, sizeof br);
        span(gap(a->breach_ms, a->set_ms), s1, sizeof s1);
        span(gap(a->breach_ms, a->confirmed_ms), s2, sizeof s2);
        span(gap(a->set_ms, a->effective_ms), s3, sizeof s3);
        printf("| %lld | ", (long long)a->seq);
        cell(a->manual ? "ABORT typed by the commander" : a->criterion);
        char value[48];
        report_number_text(a->is_percent, 6, a->value, value, sizeof value);
        if (a->has_value)
            printf(" | %s", value);
        else
            printf(" | -");
        printf(" | %g%% → %g%% | %s | %s | %s | %s |\n", a->from_percent, a->to_percent, br,
               a->set_ms ? s1 : "not set", a->confirmed_ms ? s2 : "**not read back**",
               a->effective_ms ? s3 : "-");
    }
    printf("\n");
}

/* The rollback plans a point of no return made void. */
static void md_void_plans(const struct report *r)
{
    if (!r->n_void_plans)
        return;
    printf("## Void rollback plans\n\nNO WAY BACK: %s. These plans no longer apply:\n\n"
           "| phase | plan of | voided by |\n|---|---|---|\n", r->no_way_back);
    for (size_t i = 0; i < r->n_void_plans; i++) {
        printf("| %s | ", r->void_plans[i].phase);
        cell(r->void_plans[i].title);
        printf(" | ");
        cell(r->void_plans[i].by);
        printf(" |\n");
    }
    printf("\n");
}

/* With --out FILE.md: FILE's name without ".md", the charts' prefix. */
static const char *chart_stem;

/* "STEM-SIGNAL.svg", the signal's name kept to letters, digits, - and _. */
static void chart_name(const char *stem, const char *signal, char *buf, size_t len)
{
    char safe[96];
    size_t n = 0;
    for (; *signal && n + 1 < sizeof safe; signal++) {
        char c = *signal;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_';
        safe[n++] = ok ? c : '_';
    }
    safe[n] = 0;
    snprintf(buf, len, "%s-%s.svg", stem, safe);
}

static void md_signals(const struct report *r)
{
    if (!r->n_signals)
        return;
    printf("## Signals\n\n| signal | threshold | worst | when | samples | no data |\n"
           "|---|---:|---:|---|---:|---:|\n");
    for (size_t i = 0; i < r->n_signals; i++) {
        const struct report_signal *g = &r->signals[i];
        char th[48] = "-", worst[48] = "-", when[40] = "-";
        if (g->has_threshold) {
            char v[40];
            report_number_text(g->is_percent, 6, g->threshold, v, sizeof v);
            snprintf(th, sizeof th, "%s %s", g->op, v);
        }
        if (g->has_worst) {
            report_number_text(g->is_percent, 6, g->worst, worst, sizeof worst);
            iso(g->worst_ms, when, sizeof when);
        }
        printf("| %s | %s | %s%s%s | %s | %zu | %zu |\n", g->name, th, breached(g) ? "**" : "",
               worst, breached(g) ? "** (breached)" : "", when, g->samples, g->no_data);
    }
    printf("\n");
    if (!chart_stem) {
        printf("Charts: `--out FILE.md` writes one SVG chart per signal beside the report.\n\n");
        return;
    }
    const char *base = strrchr(chart_stem, '/');
    base = base ? base + 1 : chart_stem;
    for (size_t i = 0; i < r->n_signals; i++) {
        char name[160];
        if (!r->signals[i].samples)
            continue;
        chart_name(base, r->signals[i].name, name, sizeof name);
        printf("![%s over the ceremony](%s)\n\n", r->signals[i].name, name);
    }
}

/* Writes STEM-SIGNAL.svg for each signal with samples; -1 with errno set
 * (and the file's name in failed) when one cannot be written. */
static int write_charts(const struct report *r, char *failed, size_t len)
{
    for (size_t i = 0; i < r->n_signals; i++) {
        if (!r->signals[i].samples)
            continue;
        chart_name(chart_stem, r->signals[i].name, failed, len);
        FILE *f = fopen(failed, "w");
        if (!f)
            return -1;
        report_svg_chart(f, r, &r->signals[i], 1);
        if (fclose(f) != 0)
            return -1;
    }
    return 0;
}

static void md_people_and_timeline(const struct report *r)
{
    if (r->n_people) {
        printf("## Who took part\n\n| name | role | acknowledgements |\n|---|---|---:|\n");
        for (size_t i = 0; i < r->n_people; i++) {
            printf("| ");
            cell(r->people[i].name);
            printf(" | %s | %zu |\n", r->people[i].role, r->people[i].acks);
        }
        printf("\n");
    }
    printf("## Timeline\n\n| time (UTC) | # | who | what |\n|---|---:|---|---|\n");
    for (size_t i = 0; i < r->n_timeline; i++) {
        const struct report_line *l = &r->timeline[i];
        char t[40];
        iso(l->ts_ms, t, sizeof t);
        if (l->derived)   /* the session's start, a phase complete: in bold, no # of its own */
            printf("| %s |  | ", t);
        else
            printf("| %s | %lld | ", t, (long long)l->seq);
        cell(l->actor);
        printf(l->derived ? " | **" : " | ");
        cell(l->text);
        printf(l->derived ? "** |\n" : " |\n");
    }
}

static void md_cleanup(const struct report *r)
{
    char line[700];
    report_cleanup_line(r, clock_now_ms(), line, sizeof line, NULL);
    if (line[0])
        printf("## Cleanup\n\n%s\n\n", line);
}

static int print_md(const struct report *r)
{
    md_summary(r);
    md_time_at(r);
    md_aborts(r);
    md_cleanup(r);
    md_void_plans(r);
    md_signals(r);
    report_data_md(r, stdout);
    md_people_and_timeline(r);
    return 0;
}

/* --format and --out are this command's own: the shared options do not
 * know them. Takes "NAME VALUE" or "NAME=VALUE" out of argv; the last wins. */
static const char *take_option(int *argc, char **argv, const char *name)
{
    const char *value = NULL;
    size_t n = strlen(name);
    for (int i = 1; i < *argc; i++) {
        const char *f = NULL;
        int used = 0;
        if (strcmp(argv[i], name) == 0 && i + 1 < *argc)
            f = argv[i + 1], used = 2;
        else if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=')
            f = argv[i] + n + 1, used = 1;
        if (!used)
            continue;
        value = f;
        memmove(&argv[i], &argv[i + used], (size_t)(*argc - i - used) * sizeof *argv);
        *argc -= used;
        i--;
    }
    return value;
}

int cmd_report(int argc, char **argv)
{
    const char *format = take_option(&argc, argv, "--format");
    const char *out = take_option(&argc, argv, "--out");
    if (!format)
        format = "md";
    struct options o;
    if (options_parse(argc, argv, &o) != 0 || o.n_positional != 1)
        return usage_of("report");
    if (strcmp(format, "md") != 0 && strcmp(format, "json") != 0 && strcmp(format, "html") != 0) {
        fprintf(stderr, "cutover: --format %s: expected md, json or html\n", format);
        return EXIT_USAGE;
    }
    const char *path = o.positional[0];
    char why[4200];
    if (journal_path_existing(path, why, sizeof why) != 0) {
        fprintf(stderr, "cutover: %s\n", why);
        return EXIT_FAILED;
    }
    struct report r;
    struct error err = {{0}};
    if (report_build(path, &r, &err) != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        return EXIT_FAILED;
    }
    int rc = 0;
    char stem[4096];
    if (out) {
        /* the report goes to FILE; the Markdown's charts beside it */
        snprintf(stem, sizeof stem, "%s", out);
        size_t n = strlen(stem);
        if (n > 3 && strcmp(stem + n - 3, ".md") == 0)
            stem[n - 3] = 0;
        char failed[4200];
        if (strcmp(format, "md") == 0) {
            chart_stem = stem;
            if (write_charts(&r, failed, sizeof failed) != 0) {
                fprintf(stderr, "cutover: cannot write %s: %s\n", failed, strerror(errno));
                report_free(&r);
                return EXIT_FAILED;
            }
        }
        /* stdout masks what it writes to descriptor 1 (outmask.c): the
         * file takes descriptor 1's place, the masking stays */
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || fflush(stdout) != 0 || dup2(fd, STDOUT_FILENO) < 0) {
            fprintf(stderr, "cutover: cannot write %s: %s\n", out, strerror(errno));
            if (fd >= 0)
                close(fd);
            report_free(&r);
            return EXIT_FAILED;
        }
        close(fd);
    }
    if (strcmp(format, "html") == 0)
        report_print_html(&r, stdout);
    else
        rc = strcmp(format, "json") == 0 ? print_json(&r) : print_md(&r);
    int verified = r.verified;
    report_free(&r);
    if (rc != 0)
        return EXIT_FAILED;
    if (!verified) {
        fprintf(stderr, "cutover: %s does not verify: the report stops at the first bad sequence\n",
                path);
        return EXIT_FAILED;
    }
    return EXIT_OK;
}
