/* commands.h — the subcommands: one file each, one row each in the table
 * in main.c, which also prints --help from it. */
#ifndef CUTOVER_COMMANDS_H
#define CUTOVER_COMMANDS_H

/* Exit statuses: the command-line contract (README). */
enum {
    EXIT_OK = 0,
    EXIT_FAILED = 1,   /* bad input or failure, with a message */
    EXIT_USAGE = 2,
    EXIT_ABORTED = 3,  /* the ceremony aborted, or data diverged */
    EXIT_HELD = 4,     /* a --driven backfill found the job run by another live copy */
};

struct command {
    const char *name;
    const char *usage;   /* arguments, after the name */
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command's name */
};

int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_join(int argc, char **argv);
int cmd_ack(int argc, char **argv);
int cmd_abort(int argc, char **argv);
int cmd_approve(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_writers(int argc, char **argv);
int cmd_preflight(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_backfill(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_gates(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);

/* Prints "usage: cutover NAME USAGE" for the named command to stderr and
 * returns EXIT_USAGE. */
int usage_of(const char *name);

#endif
