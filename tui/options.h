/* options.h — the options the subcommands share (--journal, --as, --role,
 * --headless, --force, --write, --reason, --override), parsed once, with positional arguments collected. */
#ifndef CUTOVER_OPTIONS_H
#define CUTOVER_OPTIONS_H

struct options {
    const char *journal;
    const char *as;
    const char *role;
    int headless;
    int force;
    int write;      /* preflight: rehearse the flag's write and read-back */
    const char *reason;  /* abort: the words journaled with the request; ack --override and
                          * --override-gate: why */
    int override;   /* ack: the commander completes an action step by override */
    const char *override_gate;  /* ack: the gate the commander overrides */
    const char *positional[4];
    int n_positional;
};

/* Parses argv (argv[0] is the command name). Unknown options and too many
 * positional arguments print a message and return -1. */
int options_parse(int argc, char **argv, struct options *o);

/* --NAME VALUE or --NAME=VALUE, taken out of argv (for a command's own
 * options, before options_parse or instead of it); NULL when absent. */
const char *options_take(int *argc, char **argv, const char *flag);

#endif
