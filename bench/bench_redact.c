/* bench_redact.c — what masking secrets costs on the hot paths: every
 * sample's status and every event body pass redact_needed (and, rarely,
 * redact) on their way into the journal, every drawn string on its way to
 * the screen.
 *
 * Prints nanoseconds per call with a redactor of 12 secrets, for an "ok"
 * status, a 90-byte error status with nothing to mask, one with a secret,
 * and a 300-byte event body. Goals: the common sample ("ok") under 1 µs;
 * a 90-byte error under 5 µs, a fraction of a batched journal append
 * (bench_journal's goal, 50,000/s, is 20 µs each). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/redact.h"

enum { N = 200000, GOAL_OK_NS = 1000, GOAL_ERROR_NS = 5000 };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile size_t sink;

static double per_call_ns(const struct redactor *r, const char *s, int full)
{
    double t0 = now_s();
    for (int i = 0; i < N; i++) {
        if (!full) {
            sink += (size_t)redact_needed(r, s);
            continue;
        }
        char *m = redact(r, s);
        sink += m ? (size_t)m[0] : 0;
        free(m);
    }
    return (now_s() - t0) / N * 1e9;
}

int main(void)
{
    struct redactor *r = redactor_new();
    char secret[32];
    for (int i = 0; i < 12 && r; i++) {
        snprintf(secret, sizeof secret, "s3cr3t-value-%02d-xyz", i);
        if (redactor_add(r, secret) != 0)
            r = NULL;
    }
    if (!r) {
        fprintf(stderr, "bench_redact: out of memory\n");
        return 1;
    }
    const char *plain = "error: cannot connect to PostgreSQL: connection to server at 10.0.0.7 "
                        "port 5432 refused";
    const char *leaky = "error: cannot connect to PostgreSQL: missing \"=\" after "
                        "\"s3cr3t-value-07-xyz\" in connection info string";
    const char *body = "{\"criterion\":\"p99_ratio > 2 for 60s\",\"state\":\"breaching\","
                       "\"value\":2.31,\"cause\":\"p99 of new is 2.31 times old's over the last "
                       "minute, read from prometheus http://10.0.0.9:9090 in 12 ms\",\"since_ms\":"
                       "1700000000000,\"for_ms\":60000,\"samples\":58,\"note\":\"none\"}";
    double ok = per_call_ns(r, "ok", 0), clean = per_call_ns(r, plain, 0),
           dirty = per_call_ns(r, leaky, 1), ev = per_call_ns(r, body, 0);
    printf("redact: \"ok\" status %.0f ns, 90-byte error %.0f ns, masking one %.0f ns, "
           "300-byte event body %.0f ns (12 secrets)\n", ok, clean, dirty, ev);
    int pass = ok < GOAL_OK_NS && clean < GOAL_ERROR_NS;
    printf("redact: \"ok\" under %d ns and an error under %d ns: %s\n", GOAL_OK_NS,
           GOAL_ERROR_NS, pass ? "yes" : "NO");
    redactor_free(r);
    return pass ? 0 : 1;
}
