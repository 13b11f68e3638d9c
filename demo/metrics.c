/* metrics.c — the metric values behind one mutex, and their rendering.
 * A few hundred updates a second do not need anything cleverer than a
 * lock, and one lock makes a scrape a consistent snapshot (a histogram's
 * buckets, _sum and _count always agree). Every label set that can ever
 * appear is exported from the start, at 0: sum(rate(x)) over a series
 * that does not exist yet is "no data", not 0. */
#include "metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "faults.h"

/* Prometheus' default buckets, shifted to start at 1 ms: reads here take
 * milliseconds, and a 2.5 s read is already an outage. */
static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                2.5};
#define NBOUNDS (sizeof bounds / sizeof *bounds)

static const char *const fail_names[FAIL_N] = {"injected", "busy", "constraint",
                                               "connection", "error"};
static const char *const shadow_names[SHADOW_N] = {"match", "diverged", "error"};
static const char *const path_names[PATH_N] = {"orders-api", "monthly-batch"};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    double start_time;
    uint64_t dual_writes, failures[FAIL_N], written[PATH_N];
    double lag;
    uint64_t reads[BACKEND_N], read_errors[BACKEND_N];
    uint64_t buckets[BACKEND_N][NBOUNDS + 1]; /* per bucket, not cumulative; last is +Inf */
    double sum[BACKEND_N];
    uint64_t count[BACKEND_N];
    uint64_t shadow[SHADOW_N];
    double flag_ratio;
    bool flag_valid;
} m;

void metrics_init(void)
{
    pthread_mutex_lock(&mu);
    m.start_time = sim_wall();
    pthread_mutex_unlock(&mu);
}

#define UPDATE(stmt)                                                                          \
    do {                                                                                      \
        pthread_mutex_lock(&mu);                                                              \
        stmt;                                                                                 \
        pthread_mutex_unlock(&mu);                                                            \
    } while (0)

void metrics_dual_write(void) { UPDATE(m.dual_writes++); }
void metrics_dual_write_failure(enum write_failure why) { UPDATE(m.failures[why]++); }
void metrics_dual_write_lag(double seconds) { UPDATE(m.lag = seconds); }
void metrics_written(enum writer_path path) { UPDATE(m.written[path]++); }
void metrics_shadow(enum shadow_result r) { UPDATE(m.shadow[r]++); }

void metrics_read(enum backend b, bool error)
{
    UPDATE(m.reads[b]++; m.read_errors[b] += error);
}

void metrics_read_seconds(enum backend b, double seconds)
{
    size_t i = 0;
    while (i < NBOUNDS && seconds > bounds[i])
        i++;
    UPDATE(m.buckets[b][i]++; m.sum[b] += seconds; m.count[b]++);
}

void metrics_flag(double ratio, bool valid)
{
    UPDATE(m.flag_ratio = ratio; m.flag_valid = valid);
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A float in the exposition's syntax: shortest form that reads back. */
static void value(FILE *f, double v)
{
    if (isnan(v))
        fputs("NaN", f);
    else if (isinf(v))
        fputs(v > 0 ? "+Inf" : "-Inf", f);
    else {
        /* the shortest of %.15g and %.17g that reads back as v: 0.015,
         * not 0.014999999999999999 */
        char buf[32];
        snprintf(buf, sizeof buf, "%.15g", v);
        if (strtod(buf, NULL) != v)
            snprintf(buf, sizeof buf, "%.17g", v);
        fputs(buf, f);
    }
}

static void render_writes(FILE *f)
{
    family(f, "migration_dual_write_total", "counter",
           "Writes to the old store that were then tried on the new store.");
    fprintf(f, "migration_dual_write_total{entity_type=\"order\"} %llu\n",
            (unsigned long long)m.dual_writes);
    family(f, "migration_dual_write_failures_total", "counter",
           "Dual writes whose write to the new store failed (never returned to the caller).");
    for (int i = 0; i < FAIL_N; i++)
        fprintf(f, "migration_dual_write_failures_total{entity_type=\"order\",reason=\"%s\"} %llu\n",
                fail_names[i], (unsigned long long)m.failures[i]);
    family(f, "migration_dual_write_lag_seconds", "gauge",
           "Time between the old write's commit and the new write's, last dual write.");
    fputs("migration_dual_write_lag_seconds{entity_type=\"order\"} ", f);
    value(f, m.lag);
    fputc('\n', f);
    family(f, "ordersim_orders_written_total", "counter",
           "Orders written to the old store, by writer path.");
    for (int i = 0; i < PATH_N; i++)
        fprintf(f, "ordersim_orders_written_total{writer=\"%s\"} %llu\n", path_names[i],
                (unsigned long long)m.written[i]);
}

static void render_reads(FILE *f)
{
    family(f, "reads_total", "counter", "Reads served to callers, by the store that served them.");
    for (int b = 0; b < BACKEND_N; b++)
        fprintf(f, "reads_total{backend=\"%s\"} %llu\n", sim_backend_name(b),
                (unsigned long long)m.reads[b]);
    family(f, "read_errors_total", "counter",
           "Served reads that failed, by the store that served them.");
    for (int b = 0; b < BACKEND_N; b++)
        fprintf(f, "read_errors_total{backend=\"%s\"} %llu\n", sim_backend_name(b),
                (unsigned long long)m.read_errors[b]);
    family(f, "read_seconds", "histogram",
           "Duration of reads on each store, served and shadow, errors included.");
    for (int b = 0; b < BACKEND_N; b++) {
        uint64_t cum = 0;
        for (size_t i = 0; i <= NBOUNDS; i++) {
            cum += m.buckets[b][i];
            fprintf(f, "read_seconds_bucket{backend=\"%s\",le=\"", sim_backend_name(b));
            if (i < NBOUNDS)
                fprintf(f, "%g", bounds[i]);
            else
                fputs("+Inf", f);
            fprintf(f, "\"} %llu\n", (unsigned long long)cum);
        }
        fprintf(f, "read_seconds_sum{backend=\"%s\"} ", sim_backend_name(b));
        value(f, m.sum[b]);
        fprintf(f, "\nread_seconds_count{backend=\"%s\"} %llu\n", sim_backend_name(b),
                (unsigned long long)m.count[b]);
    }
    family(f, "shadow_reads_total", "counter",
           "Reads done on the other store as well and compared, by outcome.");
    for (int i = 0; i < SHADOW_N; i++)
        fprintf(f, "shadow_reads_total{result=\"%s\"} %llu\n", shadow_names[i],
                (unsigned long long)m.shadow[i]);
}

static void render_flag_and_faults(FILE *f)
{
    family(f, "migration_read_new_ratio_flag", "gauge",
           "Share of targeting keys the flag sends to the new store (0..1).");
    fputs("migration_read_new_ratio_flag ", f);
    value(f, m.flag_ratio);
    fputc('\n', f);
    family(f, "migration_flag_valid", "gauge",
           "1 when the flag file was read and understood; 0 means reads stay on old.");
    fprintf(f, "migration_flag_valid %d\n", m.flag_valid ? 1 : 0);

    struct faults ft;
    faults_get(&ft);
    family(f, "ordersim_fault", "gauge", "Injected faults now in force (0 = none).");
    fputs("ordersim_fault{fault=\"new_read_error_rate\"} ", f);
    value(f, ft.new_read_error_rate);
    fputs("\nordersim_fault{fault=\"new_latency_factor\"} ", f);
    value(f, ft.new_latency_factor);
    fputs("\nordersim_fault{fault=\"dual_write_failure_rate\"} ", f);
    value(f, ft.dual_write_failure_rate);
    fprintf(f, "\nordersim_fault{fault=\"ignore_flag\"} %d\n", ft.ignore_flag ? 1 : 0);
    family(f, "ordersim_fault_divergence", "gauge",
           "Share of new writes altered by each divergence kind (0 = not injected).");
    for (int d = DIV_NONE + 1; d < DIV_N; d++) {
        fprintf(f, "ordersim_fault_divergence{kind=\"%s\"} ", faults_divergence_name(d));
        value(f, ft.divergence == (enum divergence)d ? ft.divergence_rate : 0);
        fputc('\n', f);
    }
    family(f, "process_start_time_seconds", "gauge", "Start time of the process, Unix seconds.");
    fputs("process_start_time_seconds ", f);
    value(f, m.start_time);
    fputc('\n', f);
}

char *metrics_render(size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    pthread_mutex_lock(&mu);
    render_writes(f);
    render_reads(f);
    render_flag_and_faults(f);
    pthread_mutex_unlock(&mu);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
