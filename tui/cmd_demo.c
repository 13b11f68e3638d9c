/* cmd_demo.c — `cutover demo`: the whole ceremony on the embedded default.
 * Starts the demo orders service (build/ordersim, beside this binary) on a
 * free loopback port with fresh SQLite stores and a flag file at 0% in a
 * temporary directory, then opens the cockpit on the embedded demo runbook,
 * whose backfill and compare steps copy and compare the two SQLite files
 * (old.db's 1,000 history rows are in no new.db until the backfill runs).
 * Quitting stops the service and prints the journal's path for replay. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "console.h"
#include "core/ceremony.h"
#include "core/redact.h"
#include "options.h"
#include "self_exe.h"

extern const char demo_runbook[];   /* runbooks/demo.md, built in */

static const char FLAGS_AT_ZERO[] =
    "{\"$schema\":\"https://flagd.dev/schema/v0/flags.json\",\"flags\":{\"orders-read-new\":"
    "{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},\"defaultVariant\":\"off\","
    "\"targeting\":{\"fractional\":[[\"on\",0],[\"off\",100]]}}}}\n";

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* build/ordersim beside the running cutover binary. */
static void service_path(char *buf, size_t len)
{
    char exe[PATH_MAX];
    int found = self_exe(exe, sizeof exe) == 0;
    char *slash = found ? strrchr(exe, '/') : NULL;
    if (slash)
        *slash = '\0';
    snprintf(buf, len, "%s/build/ordersim", found ? exe : ".");
}

static pid_t start_service(const char *dir, struct error *err)
{
    char bin[PATH_MAX + 32], old[PATH_MAX], new_db[PATH_MAX], flags[PATH_MAX], port[PATH_MAX],
        log[PATH_MAX];
    service_path(bin, sizeof bin);
    snprintf(old, sizeof old, "%s/old.db", dir);
    snprintf(new_db, sizeof new_db, "%s/new.db", dir);
    snprintf(flags, sizeof flags, "%s/flags.json", dir);
    snprintf(port, sizeof port, "%s/port", dir);
    snprintf(log, sizeof log, "%s/ordersim.log", dir);
    if (access(bin, X_OK) != 0) {
        /* plain `make` builds cutover alone; `make demo` builds the service too */
        error_set(err, "%s is missing: run `make demo` first", bin);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        /* descriptors, not freopen: stdout and stderr are masking streams
         * (tui/outmask.c), which glibc cannot reopen */
        int lf = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644), nul = open("/dev/null", O_WRONLY);
        if (lf < 0 || nul < 0 || dup2(lf, STDERR_FILENO) < 0 || dup2(nul, STDOUT_FILENO) < 0)
            _exit(127);
        /* no forgotten writer: a compare of the demo's files is clean until
         * the fault menu plants a divergence (the writer audit has its own
         * demos); the history is what the backfill step copies */
        execl(bin, "ordersim", "--old", old, "--new", new_db, "--flags", flags, "--port", "0",
              "--port-file", port, "--forgotten-rate", "0", "--history", "1000", (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        error_set(err, "cannot start the demo service: %s", strerror(errno));
    return pid;
}

/* The port the service wrote, within five seconds. */
static int wait_port(const char *dir, pid_t pid, char *port, size_t len)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/port", dir);
    for (int i = 0; i < 100; i++) {
        FILE *f = fopen(path, "r");
        if (f) {
            int ok = fgets(port, (int)len, f) != NULL;
            fclose(f);
            port[strcspn(port, "\n")] = '\0';
            if (ok && port[0])
                return 0;
        }
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return -1;
        usleep(50000);
    }
    return -1;
}

static void stop_service(pid_t pid)
{
    kill(pid, SIGTERM);
    for (int i = 0; i < 50 && waitpid(pid, NULL, WNOHANG) == 0; i++)
        usleep(100000);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static int run_ceremony(const char *dir, int headless)
{
    char rb_path[PATH_MAX], journal[PATH_MAX];
    snprintf(rb_path, sizeof rb_path, "%s/demo.md", dir);
    snprintf(journal, sizeof journal, "%s/demo.journal", dir);
    struct rb_problems pr = {0};
    struct runbook *rb = write_file(rb_path, demo_runbook) == 0 ? runbook_load(rb_path, &pr) : NULL;
    if (!rb || pr.n_errors) {
        fprintf(stderr, "cutover: the embedded demo runbook does not load (%s)\n", rb_path);
        runbook_free(rb);
        rb_problems_free(&pr);
        return EXIT_FAILED;
    }
    rb_problems_free(&pr);
    redact_install_runbook(rb);
    struct ceremony c;
    struct error err = {{0}};
    if (ceremony_start(&c, rb, rb_path, journal, 0, runbook_person(rb, "commander"), "commander",
                       clock_now_ms(), &err) != 0) {
        fprintf(stderr, "cutover: %s\n", err.msg);
        return EXIT_FAILED;
    }
    int status = console_run(&c, headless ? "headless" : "run", headless, journal, NULL);
    ceremony_close(&c);
    return status;
}

int cmd_demo(int argc, char **argv)
{
    struct options o;
    if (options_parse(argc, argv, &o) != 0 || o.n_positional != 0)
        return usage_of("demo");
    if (console_needs_terminal("demo", o.headless) != 0)
        return EXIT_USAGE;
    char dir[] = "/tmp/cutover-demo.XXXXXX", flags[PATH_MAX], port[32];
    struct error err = {{0}};
    if (!mkdtemp(dir)) {
        fprintf(stderr, "cutover: cannot make a directory for the demo: %s\n", strerror(errno));
        return EXIT_FAILED;
    }
    snprintf(flags, sizeof flags, "%s/flags.json", dir);
    pid_t pid = write_file(flags, FLAGS_AT_ZERO) == 0 ? start_service(dir, &err) : -1;
    if (pid < 0 || wait_port(dir, pid, port, sizeof port) != 0) {
        if (pid > 0) {
            fprintf(stderr, "cutover: the demo service did not start: %s (see %s/ordersim.log)\n",
                    err.msg[0] ? err.msg : "no port", dir);
            stop_service(pid);
        } else {
            fprintf(stderr, "cutover: the demo service did not start: %s\n",
                    err.msg[0] ? err.msg : "no port");
            unlink(flags);
            rmdir(dir);
        }
        return EXIT_FAILED;
    }
    setenv("CUTOVER_DEMO_DIR", dir, 1);
    setenv("CUTOVER_DEMO_PORT", port, 1);
    if (!o.headless)
        printf("demo: service on 127.0.0.1:%s, files in %s\n", port, dir);
    int status = run_ceremony(dir, o.headless);
    stop_service(pid);
    printf("demo: service stopped; the journal is %s/demo.journal "
           "(cutover verify it, or query it with sqlite3)\n", dir);
    return status;
}
