/* main.c — the command line: a table of subcommands, each in its own file. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "core/ceremony.h"
#include "outmask.h"

static const struct command commands[] = {
    {"check", "RUNBOOK [--journal F]", "validate a runbook; problems as FILE:LINE: message", cmd_check},
    {"run", "RUNBOOK [--journal F] [--as NAME] [--role ROLE] [--headless] [--force]",
     "run the ceremony (resumes where the journal left off; with --journal alone, the "
     "journal's runbook: taking over)", cmd_run},
    {"join", "JOURNAL --as NAME --role ROLE [--headless]",
     "another operator's console on the same ceremony", cmd_join},
    {"ack", "JOURNAL STEP --as NAME --role ROLE [--override --reason TEXT] | JOURNAL --override-gate ID --reason TEXT --as NAME --role commander",
     "acknowledge a step from a script; the commander completes an action step, or overrides a gate", cmd_ack},
    {"approve", "JOURNAL STEP --as NAME --role commander [--override --reason TEXT] | RUNBOOK --journal J STEP …",
     "the commander approves an {irreversible} step (its owner acks it: two people), or overrides its conditions", cmd_approve},
    {"abort", "JOURNAL --as NAME --role ROLE --reason TEXT",
     "ask the driving console to abort; wait for the rollback's read-back", cmd_abort},
    {"verify", "JOURNAL", "check the journal's hash chains", cmd_verify},
    {"report", "JOURNAL [--format md|json|html] [--out FILE]", "the post-mortem, from the journal alone", cmd_report},
    {"replay", "JOURNAL [--at TIME]",
     "the ceremony's screens as they were at any moment, from the journal alone", cmd_replay},
    {"preflight", "RUNBOOK [--write] [--journal F]",
     "ask every signal and store once; a table of answers (journaled with --journal)", cmd_preflight},
    {"backfill", "RUNBOOK [--journal F] [--rate N] [--batch N] [--restart] [--pause|--resume] [--running] [--as NAME --role ROLE]",
     "copy old into new headless, resuming; on a running copy: change it", cmd_backfill},
    {"compare", "RUNBOOK [--journal F] [--format json] [--restart] [--rate N] [--sample N]",
     "compare old and new through the mapping; exit 3 on divergence", cmd_compare},
    {"writers", "RUNBOOK [--code DIR] [--capture DURATION] [--format json] [--journal J] [--capture-cleanup]",
     "the writer audit: who writes the old table (statistics, live capture, code), known or not", cmd_writers},
    {"gates", "RUNBOOK [--at TIME] [--step D] [--format json]",
     "every gate judged over Prometheus history at TIME (the backtest); exit 3 unless all open", cmd_gates},
    {"cleanup", "RUNBOOK --journal F [--code DIR]",
     "the cleanup list, each item verified where it can be seen; exit 3 until all hold", cmd_cleanup},
    {"demo", "[--headless]", "the whole ceremony on the embedded demo service", cmd_demo},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void help(FILE *out)
{
    fprintf(out, "cutover — a cockpit for the cutover ceremony of a data migration\n\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  cutover %-9s %s\n  %19s%s\n", commands[i].name, commands[i].usage,
                "", commands[i].summary);
    fprintf(out, "\nExit status: 0 success, 1 bad input or failure, 2 usage, "
                 "3 aborted or diverged.\n");
}

int usage_of(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            fprintf(stderr, "usage: cutover %s %s\n", name, commands[i].usage);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    /* a reader that goes away (`| head`) is an error on write, never the
     * end of the process: the engine may be in the middle of a rollback */
    signal(SIGPIPE, SIG_IGN);
    outmask_install();
    if (argc < 2) {
        help(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        help(stdout);
        return EXIT_OK;
    }
    /* hidden, for tests: a line of the fold's state after every fold step */
    ceremony_trace_to(getenv("CUTOVER_FOLD_TRACE"));
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "cutover: unknown command '%s'\n\n", argv[1]);
    help(stderr);
    return EXIT_USAGE;
}
