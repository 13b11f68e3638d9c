/* test_scrape.c — the target labels and report series of a scrape
 * (core/scrape.h): job and instance from the system and its URL, clashes
 * kept as exported_*, the report series, and a failed scrape. The same
 * label sets are checked against the real Prometheus by
 * tests/integration/test_scrape_semantics.sh. */
#include "check.h"
#include "core/scrape.h"
#include "core/series.h"

#include <math.h>

static const char *label(const struct expo_sample *s, const char *name)
{
    for (size_t i = 0; i < s->n_labels; i++)
        if (strcmp(s->labels[i].name, name) == 0)
            return s->labels[i].value;
    return NULL;
}

TEST(instance_is_host_and_port)
{
    struct scrape_target t;
    struct error err = {{0}};
    CHECK(scrape_target_init(&t, "orders", "http://127.0.0.1:9100/metrics", &err) == 0);
    CHECK_STR(t.job, "orders");
    CHECK_STR(t.instance, "127.0.0.1:9100");
    scrape_target_free(&t);
    CHECK(scrape_target_init(&t, "m", "http://example.org/metrics", &err) == 0);
    CHECK_STR(t.instance, "example.org:80");
    scrape_target_free(&t);
    CHECK(scrape_target_init(&t, "m", "https://example.org/x?y=1", &err) == 0);
    CHECK_STR(t.instance, "example.org:443");
    scrape_target_free(&t);
    CHECK(scrape_target_init(&t, "m", "http://[::1]:8080/metrics", &err) == 0);
    CHECK_STR(t.instance, "[::1]:8080");
    scrape_target_free(&t);
    CHECK(scrape_target_init(&t, "m", "not a url", &err) == -1);
    CHECK(strstr(err.msg, "instance") != NULL);
}

TEST(clashes_are_exported)
{
    struct scrape_target t;
    struct error err = {{0}};
    CHECK(scrape_target_init(&t, "metrics", "http://127.0.0.1:9100/metrics", &err) == 0);
    struct expo_label l0[] = {{"job", "inner"}, {"instance", "pod-1"}, {"code", "200"}};
    struct expo_label l1[] = {{"job", "a"}, {"exported_job", "b"}};
    struct expo_label l2[] = {{"job", ""}};
    struct expo_label l3[] = {{"job", "a"}, {"instance", "i1"}, {"job", "b"}, {"instance", "i2"}};
    struct expo_sample smp[] = {
        {"clash_total", l0, 3, 1, 0, 0, EXPO_COUNTER},
        {"deep_total", l1, 2, 2, 0, 0, EXPO_COUNTER},
        {"empty_total", l2, 1, 3, 0, 0, EXPO_COUNTER},
        {"dup_total", l3, 4, 9, 0, 0, EXPO_COUNTER},
    };
    struct expo in = {smp, 4, NULL, 4}, out;
    struct scrape_report r = {.up = 1, .duration_s = 0.004};
    CHECK(scrape_label(&in, &t, &r, NULL, &out, &err) == 0);
    CHECK(out.n_samples == 4 + 4);
    const struct expo_sample *a = &out.samples[0];
    CHECK(a->n_labels == 5);
    CHECK_STR(label(a, "job"), "metrics");
    CHECK_STR(label(a, "instance"), "127.0.0.1:9100");
    CHECK_STR(label(a, "exported_job"), "inner");
    CHECK_STR(label(a, "exported_instance"), "pod-1");
    CHECK_STR(label(a, "code"), "200");
    /* exported_job is taken by a scraped label: one more prefix */
    const struct expo_sample *b = &out.samples[1];
    CHECK_STR(label(b, "exported_job"), "b");
    CHECK_STR(label(b, "exported_exported_job"), "a");
    CHECK_STR(label(b, "job"), "metrics");
    /* an empty label is no label: nothing to export */
    const struct expo_sample *c = &out.samples[2];
    CHECK(c->n_labels == 2);
    CHECK_STR(label(c, "job"), "metrics");
    /* job and instance twice: the first values are exported, as Prometheus
     * 2.42 stores dup_total{exported_job="a",exported_instance="i1"} */
    const struct expo_sample *d = &out.samples[3];
    CHECK(d->n_labels == 4);
    CHECK_STR(label(d, "exported_job"), "a");
    CHECK_STR(label(d, "exported_instance"), "i1");
    CHECK_STR(label(d, "job"), "metrics");
    const char *names[] = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
                           "scrape_samples_post_metric_relabeling"};
    double values[] = {1, 0.004, 4, 4};
    for (int i = 0; i < 4; i++) {
        const struct expo_sample *s = &out.samples[4 + i];
        CHECK_STR(s->name, names[i]);
        CHECK(s->value == values[i]);
        CHECK(s->n_labels == 2 && !s->has_timestamp);
        CHECK_STR(label(s, "instance"), "127.0.0.1:9100");
    }
    /* the store takes them all: no label twice */
    struct series_store *st = series_store_new(60000, 100);
    CHECK(series_store_ingest(st, &out, 1000, &err) == 0);
    CHECK(series_store_count(st) == 8);
    series_store_free(st);
    scrape_labelled_free(&out);
    scrape_target_free(&t);
}

TEST(a_failed_scrape_reports_down)
{
    struct scrape_target t;
    struct error err = {{0}};
    CHECK(scrape_target_init(&t, "metrics", "http://h:1/", &err) == 0);
    struct expo out;
    struct scrape_report r = {.up = 0, .duration_s = 2};
    CHECK(scrape_label(NULL, &t, &r, NULL, &out, &err) == 0);
    CHECK(out.n_samples == 4);
    CHECK_STR(out.samples[0].name, "up");
    CHECK(out.samples[0].value == 0);
    CHECK(out.samples[2].value == 0);
    scrape_labelled_free(&out);
    scrape_target_free(&t);
}

TEST(unwanted_samples_are_left_out)
{
    struct scrape_target t;
    struct error err = {{0}};
    CHECK(scrape_target_init(&t, "m", "http://h:9/", &err) == 0);
    struct expo_sample smp[] = {
        {"a_total", NULL, 0, 1, 0, 0, EXPO_COUNTER},
        {"b_total", NULL, 0, 2, 0, 0, EXPO_COUNTER},
    };
    struct expo in = {smp, 2, NULL, 2}, out;
    struct series_store *st = series_store_new(60000, 10);
    CHECK(series_store_want(st, "b_total") == 0);
    struct scrape_report r = {.up = 1};
    CHECK(scrape_label(&in, &t, &r, st, &out, &err) == 0);
    CHECK(out.n_samples == 1 + 4);
    CHECK_STR(out.samples[0].name, "b_total");
    CHECK(out.samples[3].value == 2);   /* scrape_samples_scraped counts both */
    scrape_labelled_free(&out);
    series_store_free(st);
    scrape_target_free(&t);
}

RUN_TESTS(T(instance_is_host_and_port), T(clashes_are_exported), T(a_failed_scrape_reports_down),
          T(unwanted_samples_are_left_out))
