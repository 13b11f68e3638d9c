/* faults.c — the current fault set behind one mutex (see faults.h). Values
 * come in as text (query strings, form bodies, JSON members turned to
 * text, command-line options) and are checked here, in one place. */
#include "faults.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/number.h"
#include "sim.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct faults current, baseline;

static const char *const div_names[DIV_N] = {"none", "hour_shift", "null_for_empty",
                                             "drop_row"};

const char *faults_divergence_name(enum divergence d)
{
    return d < DIV_N ? div_names[d] : "none";
}

void faults_none(struct faults *f)
{
    memset(f, 0, sizeof *f);
    f->new_latency_factor = 1.0;
    f->divergence = DIV_NONE;
}

void faults_init(const struct faults *base)
{
    pthread_mutex_lock(&mu);
    baseline = *base;
    current = *base;
    pthread_mutex_unlock(&mu);
}

void faults_get(struct faults *out)
{
    pthread_mutex_lock(&mu);
    *out = current;
    pthread_mutex_unlock(&mu);
}

static int parse_rate(const char *key, const char *value, double *out, struct error *err)
{
    double v;
    if (number_parse(value, &v) != 0 || !isfinite(v) || v < 0 || v > 1) {
        error_set(err, "%s: `%s` is not a rate between 0 and 1", key, value);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_bool(const char *key, const char *value, bool *out, struct error *err)
{
    static const char *const yes[] = {"true", "1", "yes", "on"};
    static const char *const no[] = {"false", "0", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(value, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(value, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    error_set(err, "%s: `%s` is not true or false", key, value);
    return -1;
}

/* One KEY=VALUE onto f. */
static int parse_one(struct faults *f, const char *key, const char *value, struct error *err)
{
    if (strcmp(key, "new_read_error_rate") == 0)
        return parse_rate(key, value, &f->new_read_error_rate, err);
    if (strcmp(key, "dual_write_failure_rate") == 0)
        return parse_rate(key, value, &f->dual_write_failure_rate, err);
    if (strcmp(key, "divergence_rate") == 0)
        return parse_rate(key, value, &f->divergence_rate, err);
    if (strcmp(key, "ignore_flag") == 0)
        return parse_bool(key, value, &f->ignore_flag, err);
    if (strcmp(key, "new_latency_factor") == 0) {
        double v;
        if (number_parse(value, &v) != 0 || !isfinite(v) || v <= 0 || v > 1000) {
            error_set(err, "%s: `%s` is not a factor above 0 and at most 1000", key, value);
            return -1;
        }
        f->new_latency_factor = v;
        return 0;
    }
    if (strcmp(key, "divergence") == 0) {
        for (int d = 0; d < DIV_N; d++)
            if (strcmp(value, div_names[d]) == 0) {
                f->divergence = (enum divergence)d;
                return 0;
            }
        error_set(err, "divergence: `%s` is not one of none, hour_shift, null_for_empty, "
                  "drop_row", value);
        return -1;
    }
    error_set(err, "unknown fault `%s` (known: new_read_error_rate, new_latency_factor, "
              "dual_write_failure_rate, divergence, divergence_rate, ignore_flag)", key);
    return -1;
}

/* Logs every field that differs between a and b. Called with mu held, so
 * the lines of one change come out together and in order. */
static void log_changes(const struct faults *a, const struct faults *b, const char *who)
{
    if (a->new_read_error_rate != b->new_read_error_rate)
        sim_log("fault (%s): new_read_error_rate %g -> %g", who, a->new_read_error_rate,
                b->new_read_error_rate);
    if (a->new_latency_factor != b->new_latency_factor)
        sim_log("fault (%s): new_latency_factor %g -> %g", who, a->new_latency_factor,
                b->new_latency_factor);
    if (a->dual_write_failure_rate != b->dual_write_failure_rate)
        sim_log("fault (%s): dual_write_failure_rate %g -> %g", who,
                a->dual_write_failure_rate, b->dual_write_failure_rate);
    if (a->divergence != b->divergence)
        sim_log("fault (%s): divergence %s -> %s", who, faults_divergence_name(a->divergence),
                faults_divergence_name(b->divergence));
    if (a->divergence_rate != b->divergence_rate)
        sim_log("fault (%s): divergence_rate %g -> %g", who, a->divergence_rate,
                b->divergence_rate);
    if (a->ignore_flag != b->ignore_flag)
        sim_log("fault (%s): ignore_flag %s -> %s", who, a->ignore_flag ? "true" : "false",
                b->ignore_flag ? "true" : "false");
}

int faults_update(size_t n, const char *const keys[], const char *const values[],
                  const char *who, struct error *err)
{
    pthread_mutex_lock(&mu);
    struct faults f = current;
    bool rate_given = false, kind_given = false;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = parse_one(&f, keys[i], values[i], err);
        rate_given |= strcmp(keys[i], "divergence_rate") == 0;
        kind_given |= strcmp(keys[i], "divergence") == 0;
    }
    if (rc == 0) {
        /* "divergence=hour_shift" alone should do something */
        if (kind_given && !rate_given && f.divergence != DIV_NONE && f.divergence_rate == 0)
            f.divergence_rate = FAULTS_DEFAULT_DIVERGENCE_RATE;
        log_changes(&current, &f, who);
        current = f;
    }
    pthread_mutex_unlock(&mu);
    return rc;
}

void faults_reset(const char *who)
{
    pthread_mutex_lock(&mu);
    sim_log("faults reset (%s)", who);
    log_changes(&current, &baseline, who);
    current = baseline;
    pthread_mutex_unlock(&mu);
}

char *faults_json(const struct faults *f)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "new_read_error_rate", f->new_read_error_rate);
    cJSON_AddNumberToObject(o, "new_latency_factor", f->new_latency_factor);
    cJSON_AddNumberToObject(o, "dual_write_failure_rate", f->dual_write_failure_rate);
    cJSON_AddStringToObject(o, "divergence", faults_divergence_name(f->divergence));
    cJSON_AddNumberToObject(o, "divergence_rate", f->divergence_rate);
    cJSON_AddBoolToObject(o, "ignore_flag", f->ignore_flag);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}
