/* options.c — getopt_long over the shared options. */
#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int options_parse(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"journal", required_argument, NULL, 'j'},
        {"as", required_argument, NULL, 'a'},
        {"role", required_argument, NULL, 'r'},
        {"headless", no_argument, NULL, 'H'},
        {"force", no_argument, NULL, 'f'},
        {"write", no_argument, NULL, 'w'},
        {"reason", required_argument, NULL, 'R'},
        {"override", no_argument, NULL, 'O'},
        {"override-gate", required_argument, NULL, 'G'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    optind = 1;
    opterr = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'j': o->journal = optarg; break;
        case 'a': o->as = optarg; break;
        case 'r': o->role = optarg; break;
        case 'H': o->headless = 1; break;
        case 'f': o->force = 1; break;
        case 'w': o->write = 1; break;
        case 'R': o->reason = optarg; break;
        case 'O': o->override = 1; break;
        case 'G': o->override_gate = optarg; break;
        default: return -1;   /* getopt printed what was wrong */
        }
    }
    for (int i = optind; i < argc; i++) {
        if (o->n_positional == (int)(sizeof o->positional / sizeof o->positional[0])) {
            fprintf(stderr, "cutover: too many arguments: %s\n", argv[i]);
            return -1;
        }
        o->positional[o->n_positional++] = argv[i];
    }
    return 0;
}

const char *options_take(int *argc, char **argv, const char *flag)
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
