/* report_html.c — the report as HTML with inline SVG charts. Every text
 * that comes from the journal is escaped: a note or a runbook title is
 * data, never markup. */
#include "report_html.h"

#include <string.h>

#include "clock.h"
#include "core/timefmt.h"
#include "report_svg.h"
#include "report_data.h"

static void when(FILE *out, int64_t ts)
{
    char buf[40];
    if (ts > 0)
        timefmt_iso(ts, buf, sizeof buf);
    else
        snprintf(buf, sizeof buf, "-");
    fputs(buf, out);
}

static void summary(FILE *out, const struct report *r)
{
    fputs("<h1>Cutover report: ", out);
    report_esc(out, r->title);
    fprintf(out, "</h1>\n<p class='outcome %s'><b>", r->outcome[0] == 'c' ? "good" : "bad");
    report_esc(out, r->outcome);
    fputs("</b> — ", out);
    report_esc(out, r->outcome_text);
    fputs("</p>\n<ul>\n", out);
    if (r->test_clock > 0)
        fprintf(out, "<li><b class='bad'>TIME ×%g (test clock)</b>: a console ran on a test "
                     "clock; holds and windows passed %g times faster than written. Not a real "
                     "ceremony.</li>\n", r->test_clock, r->test_clock);
    fputs("<li>From ", out);
    when(out, r->started_ms);
    fputs(" to ", out);
    when(out, r->ended_ms);
    fputs("</li>\n<li>Journal <code>", out);
    report_esc(out, r->path);
    if (r->verified)
        fprintf(out, "</code>: %lld events, %lld samples; both hash chains verified</li>\n",
                (long long)r->n_events, (long long)r->n_samples);
    else {
        fprintf(out, "</code>: <b class='bad'>BROKEN at %s #%lld: ", r->bad_table,
                (long long)r->first_bad_seq);
        report_esc(out, r->bad_reason);
        fputs("</b>; reported up to there only</li>\n", out);
    }
    char counts[200];
    report_counts_text(r, counts, sizeof counts);
    fprintf(out, "<li>%s</li>\n</ul>\n", counts);
}

/* "+54 ms" from one time to the other, or what to say when either is missing. */
static void after(FILE *out, int64_t from, int64_t to, const char *missing)
{
    if (from > 0 && to > 0)
        fprintf(out, "+%lld ms", (long long)(to - from));
    else
        fputs(missing, out);
}

static void aborts(FILE *out, const struct report *r)
{
    if (!r->n_aborts)
        return;
    fputs("<h2>Aborts</h2>\n<table><tr><th>#</th><th>criterion</th><th>value</th><th>breach</th>"
          "<th>flag set</th><th>read back</th><th>effective</th></tr>\n", out);
    for (size_t i = 0; i < r->n_aborts; i++) {
        const struct report_abort *a = &r->aborts[i];
        fprintf(out, "<tr><td>%lld</td><td>", (long long)a->seq);
        report_esc(out, a->manual ? "ABORT typed by the commander" : a->criterion);
        char value[48];
        report_number_text(a->is_percent, 6, a->value, value, sizeof value);
        if (a->has_value)
            fprintf(out, "</td><td>%s</td><td>", value);
        else
            fputs("</td><td>-</td><td>", out);
        when(out, a->breach_ms);
        fputs("</td><td>", out);
        after(out, a->breach_ms, a->set_ms, "not set");
        fputs("</td><td>", out);
        after(out, a->breach_ms, a->confirmed_ms, "<b class='bad'>NOT READ BACK</b>");
        fputs("</td><td>", out);
        after(out, a->set_ms, a->effective_ms, "-");
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void signals(FILE *out, const struct report *r)
{
    fputs("<h2>Signals</h2>\n", out);
    for (size_t i = 0; i < r->n_signals; i++) {
        const struct report_signal *g = &r->signals[i];
        char worst[32] = "-";
        if (g->has_worst)
            report_value_text(g, g->worst, worst, sizeof worst);
        fputs("<h3>", out);
        report_esc(out, g->name);
        /* "worst" only against a criterion's threshold; else the highest */
        fprintf(out, "</h3>\n<p>%s %s", g->has_threshold ? "worst" : "highest", worst);
        if (g->has_worst) {
            fputs(" at ", out);
            when(out, g->worst_ms);
        }
        fprintf(out, "; %zu samples, %zu without a value</p>\n", g->samples, g->no_data);
        report_svg_chart(out, r, g, 0);
    }
}

static void timeline(FILE *out, const struct report *r)
{
    fputs("<h2>Timeline</h2>\n<table><tr><th>time (UTC)</th><th>#</th><th>who</th><th>what</th></tr>\n",
          out);
    for (size_t i = 0; i < r->n_timeline; i++) {
        const struct report_line *l = &r->timeline[i];
        fputs(l->derived ? "<tr class=\"derived\"><td>" : "<tr><td>", out);
        when(out, l->ts_ms);
        if (l->derived)   /* the session's start, a phase complete: no # of its own */
            fputs("</td><td></td><td>", out);
        else
            fprintf(out, "</td><td>%lld</td><td>", (long long)l->seq);
        report_esc(out, l->actor);
        fputs(l->derived ? "</td><td><b>" : "</td><td>", out);
        report_esc(out, l->text);
        fputs(l->derived ? "</b></td></tr>\n" : "</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void cleanup(FILE *out, const struct report *r)
{
    char line[700];
    const char *state;
    report_cleanup_line(r, clock_now_ms(), line, sizeof line, &state);
    if (!line[0])
        return;
    fprintf(out, "<h2>Cleanup</h2>\n<p class='%s'>", strcmp(state, "overdue") == 0 ? "bad" : "");
    report_esc(out, line);
    fputs("</p>\n", out);
}

/* The rollback plans a point of no return made void. */
static void void_plans(FILE *out, const struct report *r)
{
    if (!r->n_void_plans)
        return;
    fputs("<h2>Void rollback plans</h2>\n<p class='bad'>NO WAY BACK: ", out);
    report_esc(out, r->no_way_back);
    fputs(". These plans no longer apply:</p>\n<table><tr><th>phase</th><th>plan of</th>"
          "<th>voided by</th></tr>\n", out);
    for (size_t i = 0; i < r->n_void_plans; i++) {
        fputs("<tr><td>", out);
        report_esc(out, r->void_plans[i].phase);
        fputs("</td><td>", out);
        report_esc(out, r->void_plans[i].title);
        fputs("</td><td>", out);
        report_esc(out, r->void_plans[i].by);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

void report_print_html(const struct report *r, FILE *out)
{
    fputs("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>\n<title>", out);
    report_esc(out, r->title);
    fputs("</title>\n<style>\n"
          "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\n"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}th{background:#f4f4f4}.data th{white-space:nowrap}\n"
          ".good{color:#1a7f37}.bad{color:#c62828}\n"
          REPORT_SVG_CSS
          "</style></head><body>\n",
          out);
    summary(out, r);
    aborts(out, r);
    cleanup(out, r);
    void_plans(out, r);
    signals(out, r);
    report_data_html(r, out, report_esc);
    timeline(out, r);
    fputs("</body></html>\n", out);
}
