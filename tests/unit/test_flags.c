/* test_flags.c — the flag drivers without their services: the flagd file
 * driver end to end in a temporary directory (round trips, other flags and
 * unknown keys kept, atomic replacement, files it must never overwrite),
 * the percent encoding, the http driver's body template and JSON paths,
 * the SQL driver on a SQLite file, and the messages of bad systems. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/flags.h"
#include "core/flags_internal.h"

static char dir[64];

static void cleanup(void)
{
    if (dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        (void)!system(cmd);
    }
}

static void make_dir(void)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/cutover-flags.XXXXXX");
        if (!mkdtemp(dir))
            dir[0] = '\0';
        else
            atexit(cleanup);
    }
}

static char *path_of(const char *name)
{
    static char buf[4][128];
    static int i;
    make_dir();
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
    return buf[i];
}

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* The file's bytes (malloc'd), or NULL. */
static char *get_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 16);
    if (buf)
        (void)!fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    return buf;
}

/* A system as the runbook parser would make it. */
static struct rb_system sys_of(const char *kind, const char *conn, struct rb_attr *attrs,
                               size_t n)
{
    struct rb_system s = {(char *)"flag", (char *)kind, (char *)conn, attrs, n, 7};
    return s;
}

#define ATTR(k, v) {(char *)(k), (char *)(v)}

static struct flag_driver *open_flagd(const char *file, const char *flag)
{
    static struct rb_attr a[1];
    a[0] = (struct rb_attr)ATTR("flag", flag);
    struct rb_system s = sys_of("flagd", path_of(file), a, 1);
    struct error err = {""};
    struct flag_driver *d = flags_open(&s, &err);
    if (!d)
        printf("  open: %s\n", err.msg);
    return d;
}

/* The flag's fractional weights in the file: on, off. */
static void weights_in(const char *file, const char *flag, double *on, double *off)
{
    char *text = get_file(path_of(file));
    cJSON *doc = cJSON_Parse(text ? text : "");
    cJSON *f = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "flags"), flag);
    cJSON *frac = cJSON_GetObjectItem(cJSON_GetObjectItem(f, "targeting"), "fractional");
    *on = cJSON_GetArrayItem(cJSON_GetArrayItem(frac, 0), 1)
              ? cJSON_GetArrayItem(cJSON_GetArrayItem(frac, 0), 1)->valuedouble : -1;
    *off = cJSON_GetArrayItem(cJSON_GetArrayItem(frac, 1), 1)
               ? cJSON_GetArrayItem(cJSON_GetArrayItem(frac, 1), 1)->valuedouble : -1;
    cJSON_Delete(doc);
    free(text);
}

/* ------------------------------------------------------------------------ */

TEST(percent_encoding_uses_the_smallest_whole_weights)
{
    long on, total;
    flagd_weights(0, &on, &total);
    CHECK(on == 0 && total == 100);
    flagd_weights(1, &on, &total);
    CHECK(on == 1 && total == 100);
    flagd_weights(2.5, &on, &total);
    CHECK(on == 25 && total == 1000);
    flagd_weights(0.01, &on, &total);
    CHECK(on == 1 && total == 10000);
    flagd_weights(99.99, &on, &total);
    CHECK(on == 9999 && total == 10000);
    flagd_weights(100, &on, &total);
    CHECK(on == 100 && total == 100);
    flagd_weights(100.0 / 3, &on, &total);   /* rounded to 1/10000 of a percent */
    CHECK(on == 333333 && total == 1000000);
}

TEST(percent_text_is_short_and_locale_free)
{
    char b[32];
    CHECK_STR(flags_percent_text(25, b), "25");
    CHECK_STR(flags_percent_text(2.5, b), "2.5");
    CHECK_STR(flags_percent_text(0, b), "0");
    CHECK_STR(flags_percent_text(100, b), "100");
    CHECK_STR(flags_percent_text(0.125, b), "0.125");
    CHECK_STR(flags_percent_text(0.000001, b), "0.000001");
    CHECK_STR(flags_percent_text(33.3333333333, b), "33.333333");
}

TEST(flagd_missing_file_is_made_with_just_this_flag)
{
    struct flag_driver *d = open_flagd("new.json", "orders-read-new");
    struct error err = {""};
    double p = -1;
    CHECK(d && flags_set(d, 25, &err) == 0);
    CHECK(d && flags_read(d, &p, &err) == 0 && p == 25);
    char *text = get_file(path_of("new.json"));
    cJSON *doc = cJSON_Parse(text ? text : "");
    cJSON *flags = cJSON_GetObjectItem(doc, "flags");
    CHECK(cJSON_GetArraySize(flags) == 1);
    cJSON *f = cJSON_GetObjectItem(flags, "orders-read-new");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(f, "state")), "ENABLED");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(f, "defaultVariant")), "off");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "variants"), "on")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "variants"), "off")));
    struct stat st;
    CHECK(stat(path_of("new.json"), &st) == 0 && (st.st_mode & 0777) == 0644);
    cJSON_Delete(doc);
    free(text);
    flags_close(d);
}

TEST(flagd_round_trips_every_step_and_fractions)
{
    struct flag_driver *d = open_flagd("ramp.json", "f");
    static const double steps[] = {1, 2.5, 5, 25, 100, 0, 0.01, 33.25};
    struct error err = {""};
    for (size_t i = 0; d && i < sizeof steps / sizeof steps[0]; i++) {
        double p = -1;
        CHECK(flags_set(d, steps[i], &err) == 0);
        CHECK(flags_read(d, &p, &err) == 0 && p == steps[i]);
    }
    double on, off;
    CHECK(d && flags_set(d, 2.5, &err) == 0);
    weights_in("ramp.json", "f", &on, &off);
    CHECK(on == 25 && off == 975);
    CHECK(d && flags_set(d, 5, &err) == 0);
    weights_in("ramp.json", "f", &on, &off);
    CHECK(on == 5 && off == 95);
    flags_close(d);
}

static const char other_file[] =
    "{\n"
    "  \"$schema\": \"https://flagd.dev/schema/v0/flags.json\",\n"
    "  \"metadata\": {\"owner\": \"team-orders\", \"version\": 7},\n"
    "  \"$evaluators\": {\"internal\": {\"ends_with\": [{\"var\": \"email\"}, \"@x.io\"]}},\n"
    "  \"flags\": {\n"
    "    \"checkout-v2\": {\"state\": \"ENABLED\", \"variants\": {\"a\": \"blue\", \"b\": \"red\"},\n"
    "      \"defaultVariant\": \"a\", \"targeting\": {\"if\": [{\"$ref\": \"internal\"}, \"b\", null]},\n"
    "      \"metadata\": {\"big\": 1e300, \"neg\": -0.5}},\n"
    "    \"orders-read-new\": {\"state\": \"DISABLED\", \"variants\": {\"on\": true, \"off\": false},\n"
    "      \"defaultVariant\": \"off\", \"metadata\": {\"ticket\": \"MIG-12\"},\n"
    "      \"targeting\": {\"fractional\": [[\"on\", 1], [\"off\", 99]]}},\n"
    "    \"last\": {\"state\": \"ENABLED\", \"variants\": {\"x\": 1}, \"defaultVariant\": \"x\"}\n"
    "  },\n"
    "  \"zzz-unknown\": [1, \"two\", {\"three\": 3}]\n"
    "}\n";

TEST(flagd_keeps_other_flags_and_unknown_keys)
{
    put_file(path_of("other.json"), other_file);
    cJSON *before = cJSON_Parse(other_file);
    struct flag_driver *d = open_flagd("other.json", "orders-read-new");
    struct error err = {""};
    double p = -1;
    CHECK(d && flags_read(d, &p, &err) == 0 && p == 0);   /* DISABLED is off */
    CHECK(d && flags_set(d, 5, &err) == 0);
    CHECK(d && flags_read(d, &p, &err) == 0 && p == 5);
    char *text = get_file(path_of("other.json"));
    cJSON *after = cJSON_Parse(text ? text : "");
    static const char *const same[] = {"$schema", "metadata", "$evaluators", "zzz-unknown"};
    for (size_t i = 0; i < 4; i++)
        CHECK(cJSON_Compare(cJSON_GetObjectItem(before, same[i]),
                            cJSON_GetObjectItem(after, same[i]), 1));
    cJSON *fb = cJSON_GetObjectItem(before, "flags"), *fa = cJSON_GetObjectItem(after, "flags");
    CHECK(cJSON_Compare(cJSON_GetObjectItem(fb, "checkout-v2"), cJSON_GetObjectItem(fa, "checkout-v2"), 1));
    CHECK(cJSON_Compare(cJSON_GetObjectItem(fb, "last"), cJSON_GetObjectItem(fa, "last"), 1));
    /* within the flag: only state and targeting changed; order kept */
    cJSON *ob = cJSON_GetObjectItem(fb, "orders-read-new"), *oa = cJSON_GetObjectItem(fa, "orders-read-new");
    CHECK(cJSON_Compare(cJSON_GetObjectItem(ob, "metadata"), cJSON_GetObjectItem(oa, "metadata"), 1));
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(oa, "state")), "ENABLED");
    CHECK_STR(oa && oa->child ? oa->child->string : NULL, "state");
    CHECK(cJSON_GetArraySize(oa) == cJSON_GetArraySize(ob));
    CHECK(cJSON_GetArraySize(fa) == 3);
    CHECK_STR(fa && fa->child ? fa->child->string : NULL, "checkout-v2");
    cJSON_Delete(before);
    cJSON_Delete(after);
    free(text);
    flags_close(d);
}

/* The hook sees the moment between the temporary file and the rename. */
static int hook_calls, hook_crash;
static char hook_tmp[256];
static int before_rename(const char *tmp, const char *target)
{
    hook_calls++;
    snprintf(hook_tmp, sizeof hook_tmp, "%s", tmp);
    char *old = get_file(target), *new = get_file(tmp);
    /* the target is still the whole old file; the new one is whole too */
    CHECK(old && strstr(old, "[\"on\", 1]") != NULL);
    CHECK(new && strstr(new, "[\"on\", 25]") != NULL);
    cJSON *doc = cJSON_Parse(new ? new : "");
    CHECK(doc != NULL);
    cJSON_Delete(doc);
    CHECK(strcmp(tmp, target) != 0);
    CHECK(strncmp(tmp, dir, strlen(dir)) == 0 && strchr(tmp + strlen(dir) + 1, '/') == NULL);
    free(old);
    free(new);
    return hook_crash;
}

TEST(flagd_replaces_the_file_whole_by_rename)
{
    struct flag_driver *d = open_flagd("atomic.json", "f");
    struct error err = {""};
    double p = -1;
    CHECK(d && flags_set(d, 1, &err) == 0);
    struct stat st0, st1;
    CHECK(stat(path_of("atomic.json"), &st0) == 0);
    flagd_before_rename = before_rename;
    hook_calls = hook_crash = 0;
    CHECK(d && flags_set(d, 25, &err) == 0);
    CHECK(hook_calls == 1);
    CHECK(access(hook_tmp, F_OK) != 0);   /* renamed away, nothing left over */
    CHECK(stat(path_of("atomic.json"), &st1) == 0 && st1.st_ino != st0.st_ino);
    /* a crash before the rename: the old file is what anyone reads */
    flagd_before_rename = NULL;
    CHECK(d && flags_set(d, 1, &err) == 0);
    flagd_before_rename = before_rename;
    hook_crash = 1;
    CHECK(d && flags_set(d, 25, &err) != 0);
    CHECK(strstr(err.msg, "crash") != NULL);
    CHECK(d && flags_read(d, &p, &err) == 0 && p == 1);
    CHECK(access(hook_tmp, F_OK) == 0);   /* as a crash leaves it */
    unlink(hook_tmp);
    flagd_before_rename = NULL;
    flags_close(d);
}

TEST(flagd_never_overwrites_a_file_it_cannot_read)
{
    static const char *const bad[] = {
        "{\"flags\": {\"f\": {\"state\": \"ENABLED\",",   /* cut short */
        "",                                              /* empty */
        "[1, 2, 3]\n",                                   /* JSON, not flagd */
        "{\"flagz\": {}}\n",
        "{\"flags\": {\"f\": 3}}\n",                     /* the flag is not an object */
        "{\"flags\": {\"f\": {\"variants\": {\"a\": \"x\"}}}}\n", /* no true/false variant */
        ("{\"flags\": {\"f\": {\"variants\": {\"on\": true, \"off\": false},"
         " \"targeting\": {\"if\": [true, \"on\", \"off\"]}}}}\n"), /* a rule someone wrote */
    };
    static const char *const why[] = {
        "not valid JSON", "not valid JSON", "not a flagd file", "not a flagd file",
        "not an object", "one that is true", "not one fractional rule",
    };
    struct flag_driver *d = open_flagd("bad.json", "f");
    for (size_t i = 0; d && i < sizeof bad / sizeof bad[0]; i++) {
        struct error err = {""};
        put_file(path_of("bad.json"), bad[i]);
        CHECK(flags_set(d, 25, &err) != 0);
        if (!strstr(err.msg, why[i]) || !strstr(err.msg, "left as it is"))
            printf("  case %zu: %s\n", i, err.msg);
        CHECK(strstr(err.msg, why[i]) != NULL);
        CHECK(strstr(err.msg, "flag (flagd)") == err.msg);
        char *now = get_file(path_of("bad.json"));
        CHECK(now && strcmp(now, bad[i]) == 0);
        free(now);
    }
    flags_close(d);
}

TEST(flagd_reads_files_people_wrote)
{
    static const struct {
        const char *text;
        double want;
    } cases[] = {
        /* a bucketBy expression first, other variant names */
        {"{\"flags\":{\"f\":{\"state\":\"ENABLED\",\"variants\":{\"new\":true,\"old\":false},"
         "\"defaultVariant\":\"old\",\"targeting\":{\"fractional\":[{\"var\":\"email\"},"
         "[\"new\",1],[\"old\",3]]}}}}", 25},
        /* a missing weight is 1 */
        {"{\"flags\":{\"f\":{\"variants\":{\"on\":true,\"off\":false},\"defaultVariant\":\"off\","
         "\"targeting\":{\"fractional\":[[\"on\"],[\"off\"]]}}}}", 50},
        /* no targeting: the default variant */
        {"{\"flags\":{\"f\":{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},"
         "\"defaultVariant\":\"on\"}}}", 100},
        {"{\"flags\":{\"f\":{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},"
         "\"defaultVariant\":\"off\",\"targeting\":{}}}}", 0},
        /* negative weights count as 0 in flagd */
        {"{\"flags\":{\"f\":{\"variants\":{\"on\":true,\"off\":false},\"defaultVariant\":\"off\","
         "\"targeting\":{\"fractional\":[[\"on\",-5],[\"off\",10]]}}}}", 0},
    };
    struct flag_driver *d = open_flagd("people.json", "f");
    for (size_t i = 0; d && i < sizeof cases / sizeof cases[0]; i++) {
        struct error err = {""};
        double p = -1;
        put_file(path_of("people.json"), cases[i].text);
        CHECK(flags_read(d, &p, &err) == 0);
        if (p != cases[i].want)
            printf("  case %zu: %g (%s)\n", i, p, err.msg);
        CHECK(p == cases[i].want);
    }
    /* setting keeps the bucketBy expression and the variant names */
    put_file(path_of("people.json"), cases[0].text);
    struct error err = {""};
    double p = -1;
    CHECK(d && flags_set(d, 10, &err) == 0 && flags_read(d, &p, &err) == 0 && p == 10);
    char *text = get_file(path_of("people.json"));
    CHECK(text && strstr(text, "{\n\t\t\t\t\t\t\"var\":\t\"email\"") != NULL);
    CHECK(text && strstr(text, "[\"new\", 10], [\"old\", 90]") != NULL);
    free(text);
    /* a flag that is not there */
    put_file(path_of("people.json"), "{\"flags\":{}}");
    CHECK(d && flags_read(d, &p, &err) != 0 && strstr(err.msg, "f is not in") != NULL);
    flags_close(d);
}

TEST(flagd_errors_name_the_place)
{
    struct error err = {""};
    double p;
    struct flag_driver *d = open_flagd("nodir/flags.json", "f");
    CHECK(d && flags_set(d, 5, &err) != 0);
    CHECK(strstr(err.msg, "must be writable") != NULL && strstr(err.msg, "nodir") != NULL);
    CHECK(d && flags_read(d, &p, &err) != 0 && strstr(err.msg, "No such file") != NULL);
    flags_close(d);
    /* writes through a symbolic link, keeping the link */
    put_file(path_of("real.json"), "{\"flags\":{}}");
    CHECK(symlink(path_of("real.json"), path_of("link.json")) == 0);
    d = open_flagd("link.json", "f");
    CHECK(d && flags_set(d, 5, &err) == 0);
    struct stat st;
    CHECK(lstat(path_of("link.json"), &st) == 0 && S_ISLNK(st.st_mode));
    char *text = get_file(path_of("real.json"));
    CHECK(text && strstr(text, "[\"on\", 5]") != NULL);
    free(text);
    flags_close(d);
}

TEST(flagd_expands_env_and_needs_a_flag)
{
    make_dir();
    setenv("CUTOVER_FLAGS_TEST_DIR", dir, 1);
    struct rb_attr a[] = {ATTR("flag", "f")};
    struct rb_system s = sys_of("flagd", "${CUTOVER_FLAGS_TEST_DIR}/env.json", a, 1);
    struct error err = {""};
    struct flag_driver *d = flags_open(&s, &err);
    CHECK(d && flags_set(d, 1, &err) == 0);
    CHECK(access(path_of("env.json"), F_OK) == 0);
    CHECK(d && strstr(flags_describe(d), "${CUTOVER_FLAGS_TEST_DIR}/env.json") != NULL);
    flags_close(d);
    s.n_attrs = 0;
    CHECK(flags_open(&s, &err) == NULL);
    CHECK_STR(err.msg, "flag (flagd, line 7): attribute flag is missing (write flag `...` "
                       "after the connection)");
    s = sys_of("flagd", "${CUTOVER_NOT_SET_ANYWHERE}/x.json", a, 1);
    CHECK(flags_open(&s, &err) == NULL && strstr(err.msg, "CUTOVER_NOT_SET_ANYWHERE") != NULL);
    s = sys_of("launchdarkly", "x", a, 1);
    CHECK(flags_open(&s, &err) == NULL && strstr(err.msg, "not a kind of flag system") != NULL);
}

TEST(check_knows_each_kinds_attributes)
{
    struct error err = {""};
    struct rb_attr typo[] = {ATTR("flag", "f"), ATTR("enviroment", "production")};
    struct rb_system s = sys_of("unleash", "http://u", typo, 2);
    CHECK(flags_check(&s, &err) != 0);
    CHECK_STR(err.msg, "flag (unleash, line 7): enviroment is not an attribute of unleash "
                       "flags (they take flag, environment, project, token_env)");
    CHECK(flags_open(&s, &err) == NULL && strstr(err.msg, "enviroment") != NULL);
    s.n_attrs = 1;
    CHECK(flags_check(&s, &err) == 0);
    struct rb_attr half[] = {ATTR("set", "UPDATE t SET p = $1")};
    s = sys_of("postgres", "dbname=x", half, 1);
    CHECK(flags_check(&s, &err) != 0 && strstr(err.msg, "attribute read is missing") != NULL);
    /* nothing from the environment is needed to check */
    struct rb_attr env[] = {ATTR("body", "${BODY_NOT_SET}"), ATTR("path", "$.p"),
                            ATTR("token_env", "TOKEN_NOT_SET")};
    s = sys_of("http", "${URL_NOT_SET}", env, 3);
    CHECK(flags_check(&s, &err) == 0);
    s = sys_of("prometheus", "http://p", NULL, 0);
    CHECK(flags_check(&s, &err) != 0 && strstr(err.msg, "not a kind of flag system") != NULL);
}

/* ------------------------------------------------------------------------ */

TEST(http_body_template)
{
    char *b = flags_template("{\"rollout\": {{percent}}, \"as_text\": \"{{percent}}\"}", 2.5);
    CHECK_STR(b, "{\"rollout\": 2.5, \"as_text\": \"2.5\"}");
    free(b);
    b = flags_template("{\"p\":{{percent}}}", 100);
    CHECK_STR(b, "{\"p\":100}");
    free(b);
    b = flags_template("no mark", 5);
    CHECK_STR(b, "no mark");
    free(b);
}

TEST(json_paths_read_numbers)
{
    cJSON *doc = cJSON_Parse("{\"rollout\": 25, \"flags\": {\"orders\": {\"percent\": \"2.5\"}},"
                             " \"items\": [{\"v\": 1}, {\"v\": 7}], \"a.b\": 3, \"word\": \"x\","
                             " \"no\": null}");
    struct error err = {""};
    double v = -1;
    CHECK(flags_json_number(doc, "$.rollout", &v, &err) == 0 && v == 25);
    CHECK(flags_json_number(doc, "$.flags.orders.percent", &v, &err) == 0 && v == 2.5);
    CHECK(flags_json_number(doc, "$.items[1].v", &v, &err) == 0 && v == 7);
    CHECK(flags_json_number(doc, "$[\"a.b\"]", &v, &err) == 0 && v == 3);
    CHECK(flags_json_number(doc, "$.missing", &v, &err) != 0);
    CHECK_STR(err.msg, "the answer has nothing at $.missing");
    CHECK(flags_json_number(doc, "$.items[5].v", &v, &err) != 0);
    CHECK(flags_json_number(doc, "$.word", &v, &err) != 0);
    CHECK_STR(err.msg, "the value at $.word is \"x\", not a number");
    CHECK(flags_json_number(doc, "$.no", &v, &err) != 0);
    CHECK(flags_json_number(doc, "$.flags", &v, &err) != 0);
    CHECK(flags_json_path_check("$.a.b[0][\"c\"]", &err) == 0);
    CHECK(flags_json_path_check("$", &err) == 0);
    static const char *const bad[] = {"rollout", "$..a", "$.a[", "$.a[x]", "$a", "$.a[\"b]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(flags_json_path_check(bad[i], &err) != 0);
        CHECK(strstr(err.msg, "bad JSON path") != NULL);
    }
    cJSON_Delete(doc);
}

TEST(http_open_checks_the_attributes)
{
    struct error err = {""};
    struct rb_attr ok[] = {ATTR("body", "{\"rollout\": {{percent}}}"), ATTR("path", "$.rollout"),
                           ATTR("method", "patch")};
    struct rb_system s = sys_of("http", "https://user:secret@flags.example/orders", ok, 3);
    struct flag_driver *d = flags_open(&s, &err);
    CHECK(d != NULL);
    CHECK_STR(d ? flags_describe(d) : NULL,
              "http PATCH https://***@flags.example/orders, read the same URL at $.rollout");
    flags_close(d);
    struct rb_attr nobody[] = {ATTR("path", "$.rollout")};
    s = sys_of("http", "http://127.0.0.1:1/x", nobody, 1);
    CHECK(flags_open(&s, &err) == NULL && strstr(err.msg, "attribute body is missing") != NULL);
    struct rb_attr badjson[] = {ATTR("body", "{\"rollout\": {{percent}}"), ATTR("path", "$.r")};
    s = sys_of("http", "http://127.0.0.1:1/x", badjson, 2);
    CHECK(flags_open(&s, &err) == NULL && strstr(err.msg, "body is not JSON") != NULL);
    struct rb_attr badmethod[] = {ATTR("body", "{}"), ATTR("path", "$.r"), ATTR("method", "GET")};
    s = sys_of("http", "http://127.0.0.1:1/x", badmethod, 3);
    CHECK(flags_open(&s, &err) == NULL && strstr(err.msg, "PUT, POST or PATCH") != NULL);
    struct rb_attr badpath[] = {ATTR("body", "{}"), ATTR("path", "rollout")};
    s = sys_of("http", "http://127.0.0.1:1/x", badpath, 2);
    CHECK(flags_open(&s, &err) == NULL && strstr(err.msg, "bad JSON path") != NULL);
    struct rb_attr tok[] = {ATTR("body", "{}"), ATTR("path", "$.r"), ATTR("token_env", "CUTOVER_NO_SUCH_TOKEN")};
    s = sys_of("http", "http://127.0.0.1:1/x", tok, 3);
    CHECK(flags_open(&s, &err) == NULL && strstr(err.msg, "CUTOVER_NO_SUCH_TOKEN") != NULL);
}

TEST(http_refused_is_an_error_never_a_value)
{
    struct rb_attr a[] = {ATTR("body", "{\"p\": {{percent}}}"), ATTR("path", "$.p")};
    struct rb_system s = sys_of("http", "http://127.0.0.1:1/flag", a, 2);
    struct error err = {""};
    struct flag_driver *d = flags_open(&s, &err);
    double p = -1;
    CHECK(d && flags_set(d, 0, &err) != 0);
    CHECK_STR(err.msg, "flag (http): connection refused");
    CHECK(d && flags_read(d, &p, &err) != 0 && p == -1);
    flags_close(d);
}

TEST(unleash_token_and_whole_percentages)
{
    struct rb_attr a[] = {ATTR("flag", "orders read"), ATTR("token_env", "CUTOVER_TEST_UNLEASH")};
    struct rb_system s = sys_of("unleash", "http://127.0.0.1:1/", a, 2);
    struct error err = {""};
    unsetenv("CUTOVER_TEST_UNLEASH");
    CHECK(flags_open(&s, &err) == NULL);
    CHECK(strstr(err.msg, "CUTOVER_TEST_UNLEASH holds no admin token") != NULL);
    setenv("CUTOVER_TEST_UNLEASH", "*:*.very-secret-token", 1);
    struct flag_driver *d = flags_open(&s, &err);
    CHECK(d != NULL);
    CHECK_STR(d ? flags_describe(d) : NULL,
              "unleash http://127.0.0.1:1/ project default environment development flag orders read");
    CHECK(d && flags_set(d, 2.5, &err) != 0 && strstr(err.msg, "whole percentages") != NULL);
    CHECK(d && flags_set(d, 5, &err) != 0);
    CHECK_STR(err.msg, "flag (unleash): connection refused");
    CHECK(strstr(err.msg, "very-secret") == NULL);
    flags_close(d);
    unsetenv("CUTOVER_TEST_UNLEASH");
}

/* ------------------------------------------------------------------------ */

static void sqlite_run(const char *file, const char *sql)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(file, &db) == SQLITE_OK)
        sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
}

static double sqlite_number(const char *file, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    double v = -1;
    if (sqlite3_open(file, &db) == SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

TEST(sql_flag_row_on_sqlite)
{
    const char *file = path_of("flags.db");
    sqlite_run(file, "CREATE TABLE flags(name TEXT PRIMARY KEY, percent REAL, note);"
                     "INSERT INTO flags VALUES('orders', 0, 'x'), ('other', 50, 'y');");
    struct rb_attr a[] = {ATTR("set", "UPDATE flags SET percent = $1 WHERE name = 'orders'"),
                          ATTR("read", "SELECT percent FROM flags WHERE name = 'orders'")};
    struct rb_system s = sys_of("sqlite", file, a, 2);
    struct error err = {""};
    struct flag_driver *d = flags_open(&s, &err);
    double p = -1;
    CHECK(d && flags_set(d, 25, &err) == 0 && flags_read(d, &p, &err) == 0 && p == 25);
    CHECK(d && flags_set(d, 2.5, &err) == 0 && flags_read(d, &p, &err) == 0 && p == 2.5);
    CHECK(sqlite_number(file, "SELECT percent FROM flags WHERE name = 'other'") == 50);
    flags_close(d);

    /* the number is bound as a number even in a column without a type */
    struct rb_attr untyped[] = {ATTR("set", "UPDATE flags SET note = $1 WHERE name = 'orders'"),
                                ATTR("read", "SELECT note FROM flags WHERE name = 'orders'")};
    s = sys_of("sqlite", file, untyped, 2);
    d = flags_open(&s, &err);
    CHECK(d && flags_set(d, 5, &err) == 0);
    CHECK(sqlite_number(file, "SELECT typeof(note) = 'integer' FROM flags WHERE name = 'orders'") == 1);
    flags_close(d);

    struct rb_attr none[] = {ATTR("set", "UPDATE flags SET percent = $1 WHERE name = 'gone'"),
                             ATTR("read", "SELECT percent FROM flags WHERE name = 'gone'")};
    s = sys_of("sqlite", file, none, 2);
    d = flags_open(&s, &err);
    CHECK(d && flags_set(d, 5, &err) != 0);
    CHECK_STR(err.msg, "flag (sqlite): no row matched: the flag row does not exist (the set "
                       "statement changed nothing)");
    CHECK(d && flags_read(d, &p, &err) != 0 && strstr(err.msg, "no row") != NULL);
    CHECK(d && strstr(flags_describe(d), "flags.db") != NULL);
    flags_close(d);
}

TEST(sql_open_and_errors)
{
    struct error err = {""};
    struct rb_attr pasted[] = {ATTR("set", "UPDATE flags SET percent = 5"), ATTR("read", "SELECT 1")};
    struct rb_system s = sys_of("sqlite", path_of("flags.db"), pasted, 2);
    CHECK(flags_open(&s, &err) == NULL && strstr(err.msg, "$1") != NULL);
    struct rb_attr a[] = {ATTR("set", "UPDATE flags SET percent = $1"), ATTR("read", "SELECT 1")};
    s = sys_of("sqlite", path_of("absent.db"), a, 2);
    struct flag_driver *d = flags_open(&s, &err);
    CHECK(d && flags_set(d, 1, &err) != 0 && strstr(err.msg, "cannot open SQLite") != NULL);
    CHECK(access(path_of("absent.db"), F_OK) != 0);   /* never made by a set */
    flags_close(d);
    s = sys_of("sqlite", path_of("flags.db"), a, 1);
    CHECK(flags_open(&s, &err) == NULL && strstr(err.msg, "attribute read is missing") != NULL);
    /* a password in a PostgreSQL connection is never described */
    s = sys_of("postgres", "host=db1 port=5433 dbname=shop user=cut password=hunter2", a, 2);
    d = flags_open(&s, &err);
    CHECK_STR(d ? flags_describe(d) : NULL,
              "postgres host=db1 port=5433 dbname=shop user=cut, flag row");
    flags_close(d);
}

TEST(percent_out_of_range_is_refused)
{
    struct flag_driver *d = open_flagd("range.json", "f");
    struct error err = {""};
    CHECK(d && flags_set(d, -1, &err) != 0 && strstr(err.msg, "not a percentage") != NULL);
    CHECK(d && flags_set(d, 100.5, &err) != 0);
    CHECK(access(path_of("range.json"), F_OK) != 0);
    flags_close(d);
}

TEST(redact_urls)
{
    char *u = flags_redact_url("https://a:b@h.example:8443/x@y");
    CHECK_STR(u, "https://***@h.example:8443/x@y");
    free(u);
    u = flags_redact_url("http://h/path?q=a@b");
    CHECK_STR(u, "http://h/path?q=a@b");
    free(u);
}

RUN_TESTS(T(percent_encoding_uses_the_smallest_whole_weights),
          T(percent_text_is_short_and_locale_free),
          T(flagd_missing_file_is_made_with_just_this_flag),
          T(flagd_round_trips_every_step_and_fractions),
          T(flagd_keeps_other_flags_and_unknown_keys),
          T(flagd_replaces_the_file_whole_by_rename),
          T(flagd_never_overwrites_a_file_it_cannot_read),
          T(flagd_reads_files_people_wrote),
          T(flagd_errors_name_the_place),
          T(flagd_expands_env_and_needs_a_flag),
          T(check_knows_each_kinds_attributes),
          T(http_body_template),
          T(json_paths_read_numbers),
          T(http_open_checks_the_attributes),
          T(http_refused_is_an_error_never_a_value),
          T(unleash_token_and_whole_percentages),
          T(sql_flag_row_on_sqlite),
          T(sql_open_and_errors),
          T(percent_out_of_range_is_refused),
          T(redact_urls))
