/* cmd_ack.c — `cutover ack JOURNAL STEP --as NAME --role ROLE`: the same
 * acknowledgement a console makes, from a script. With `--override
 * --reason TEXT` the commander completes a backfill, compare or preflight
 * step instead (core/stepaction.h); `cutover ack JOURNAL --override-gate ID
 * --reason TEXT` (the commander) overrides a gate. Exit 1 when refused. */
#include <stdio.h>

#include "clock.h"
#include "commands.h"
#include "core/ceremony.h"
#include "core/gateoverride.h"
#include "options.h"

int cmd_ack(int argc, char **argv)
{
    struct options o;
    if (options_parse(argc, argv, &o) != 0 || o.n_positional != (o.override_gate ? 1 : 2) ||
        !o.as || !o.role)
        return usage_of("ack");
    if (o.reason && !o.override && !o.override_gate) {
        fprintf(stderr, "cutover ack: --reason goes with --override or --override-gate\n");
        return usage_of("ack");
    }
    struct ceremony c;
    struct error err = {{0}};
    if (ceremony_join(&c, o.positional[0], o.as, o.role, &err) != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        return EXIT_FAILED;
    }
    char msg[800];
    /* an override without --reason is decided (and refused) with an empty one */
    int rc = o.override_gate
                 ? gateoverride(&c, o.override_gate, o.reason, clock_now_ms(), msg, sizeof msg, &err)
             : o.override ? ceremony_override_step(&c, o.positional[1], o.reason ? o.reason : "",
                                                   clock_now_ms(), msg, sizeof msg, &err)
                          : ceremony_ack(&c, o.positional[1], clock_now_ms(), msg, sizeof msg, &err);
    ceremony_close(&c);
    if (rc < 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        return EXIT_FAILED;
    }
    fprintf(rc ? stderr : stdout, "%s%s\n", rc ? "cutover: " : "", msg);
    return rc ? EXIT_FAILED : EXIT_OK;
}
