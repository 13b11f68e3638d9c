/* flags_internal.h — what the flag drivers share behind core/flags.h: the
 * table each driver fills, and the helpers two drivers would otherwise
 * each grow (attributes with ${ENV}, numbers as text, HTTP with a token,
 * JSON paths). Only core/flags*.c and the unit tests include it. */
#ifndef CUTOVER_FLAGS_INTERNAL_H
#define CUTOVER_FLAGS_INTERNAL_H

#include <cjson/cJSON.h>

#include "flags.h"
#include "http.h"

/* Every HTTP request of a flag driver gets this long, connect included. */
#define FLAGS_HTTP_TIMEOUT_MS 2000L
/* Flag services answer small documents; anything bigger is not one. */
#define FLAGS_HTTP_MAX_BODY (1u << 20)
/* A flagd file larger than this is refused rather than read. */
#define FLAGS_FILE_MAX_BYTES (16u << 20)

/* One driver: the functions behind flags_open/set/read/close. A driver's
 * messages need not name the system: flags.c puts "flag (kind): " first. */
struct flag_ops {
    const char *kind;
    struct flag_driver *(*open)(const struct rb_system *sys, struct error *err);
    int (*set)(struct flag_driver *d, double percent, struct error *err);
    int (*read)(struct flag_driver *d, double *percent, struct error *err);
    void (*close)(struct flag_driver *d);
    /* 1 when the service says the flag is switched off as a whole (flagd's
     * DISABLED), 0 when not, -1 on error; NULL: the service has no such state. */
    int (*disabled)(struct flag_driver *d, struct error *err);
    /* The digest of the flag's rule as it is now (who is on new, not only
     * how many): out gets FLAGS_RULE_LEN hex digits; NULL: no such rule. */
    int (*rule)(struct flag_driver *d, char *out, struct error *err);
};

/* The first member of every driver's own struct. */
struct flag_driver {
    const struct flag_ops *ops;
    char *label;    /* "flag (flagd)": the start of every message */
    char *describe; /* flags_describe(); never holds a secret */
};

extern const struct flag_ops flags_flagd_ops, flags_unleash_ops, flags_http_ops,
    flags_postgres_ops, flags_sqlite_ops;

/* Fills the common part; describe is taken over (freed on failure). */
int flags_base_init(struct flag_driver *d, const struct flag_ops *ops,
                    const struct rb_system *sys, char *describe, struct error *err);
void flags_base_free(struct flag_driver *d);

/* An attribute with ${ENV} expanded, malloc'd. When absent: a copy of dflt,
 * or, with dflt NULL, an error naming the attribute. */
char *flags_attr(const struct rb_system *sys, const char *key, const char *dflt,
                 struct error *err);

/* The connection (first code span) with ${ENV} expanded, malloc'd. */
char *flags_conn(const struct rb_system *sys, struct error *err);

/* printf-style into a new string (NULL when out of memory). */
char *flags_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* percent as the shortest decimal, whatever the locale ("25", "2.5"),
 * rounded to a millionth. buf needs 32 bytes. */
const char *flags_percent_text(double percent, char *buf);

/* A URL with any "user:password@" replaced by "***@", malloc'd: for
 * describe strings and messages. */
char *flags_redact_url(const char *url);

/* A URL path segment, %-escaped (malloc'd). */
char *flags_escape(const char *segment);

/* One HTTP exchange with the flag timeout: method "GET" (body NULL) or
 * PUT/POST/PATCH with a JSON body; auth, when not NULL, is a whole header
 * line. On success (2xx) returns the request (its ->body is the answer;
 * the caller frees it); else NULL with err in words. */
struct http_request *flags_http(const char *method, const char *url, const char *body,
                                const char *auth, struct error *err);

/* The template with every {{percent}} replaced by flags_percent_text
 * (malloc'd). */
char *flags_template(const char *tpl, double percent);

/* Follows a JSON path ("$", ".name", "[3]", "[\"odd.name\"]") in root.
 * The value must be a number or a string holding one. 0, or -1 with err. */
int flags_json_number(const cJSON *root, const char *path, double *out, struct error *err);
/* Checks only the path's syntax: 0, or -1 with err. */
int flags_json_path_check(const char *path, struct error *err);

/* Test hook of the flagd driver: called once the temporary file is whole
 * and synced, before the rename; non-zero stops there, as a crash would. */
extern int (*flagd_before_rename)(const char *tmp, const char *target);

/* flagd: percent as fractional weights on/total — total is the smallest of
 * 100, 1000, ... 1000000 that carries percent exactly (2.5 -> 25/1000);
 * finer percentages are rounded to a ten-thousandth of a percent. */
void flagd_weights(double percent, long *on, long *total);

#endif
