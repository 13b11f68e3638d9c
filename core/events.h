/* events.h — the kinds of event the cockpit journals, from one table
 * (events.def): building a body, reading one back validated, and how each
 * reads as one line for a person (journal tail, headless).
 *
 * The set is open: a journal may hold kinds this build does not know (a
 * newer build wrote them); they are kept and shown as "unknown kind K". */
#ifndef CUTOVER_EVENTS_H
#define CUTOVER_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "journal.h"

/* The kinds' names as constants, for switch-free comparisons and static
 * tables; test_events checks that each is the table's. */
#define EV_RUNBOOK       "runbook"
#define EV_CONSOLE_OPEN  "console_open"
#define EV_CONSOLE_CLOSE "console_close"
#define EV_ACK           "ack"
#define EV_ACK_REFUSED   "ack_refused"
#define EV_APPROVE       "approve"
#define EV_NOTE          "note"
#define EV_CRITERION     "criterion"
#define EV_RAMP_ADVANCE  "ramp_advance"
#define EV_RAMP_REFUSED  "ramp_refused"
#define EV_FLAG_SET      "flag_set"
#define EV_FLAG_READ     "flag_read"
#define EV_ABORT         "abort"
#define EV_ABORT_REQUEST "abort_request"
#define EV_ABORT_REFUSED "abort_refused"
#define EV_ROLLBACK_DONE "rollback_confirmed"
#define EV_HALT          "halt"
#define EV_ABORT_EFFECTIVE "abort_effective"
#define EV_DEMO_FAULT    "demo_fault"
#define EV_TAKEOVER      "takeover"
#define EV_RESUME        "resume"
#define EV_FLAG_MISMATCH "flag_mismatch"
#define EV_OVERRIDE      "override"
#define EV_REHEARSAL     "rehearsal"
#define EV_FLAG_RESTORE  "flag_restore"
#define EV_FLAG_ACCEPT   "flag_accept"
#define EV_OUTPUT_CLOSED "output_closed"
#define EV_NOTIFY_FAILED "notify_failed"
#define EV_ANCHOR        "anchor"           /* the same as journal.h's JOURNAL_KIND_ANCHOR */
#define EV_JOURNAL_DAMAGED "journal_damaged" /* and JOURNAL_KIND_DAMAGED */
#define EV_BACKFILL      "backfill"
#define EV_BACKFILL_CONTROL "backfill_control"
#define EV_DIVERGENCE    "divergence"
#define EV_COMPARE       "compare"
#define EV_COMPARE_PROGRESS "compare_progress"
#define EV_PREFLIGHT     "preflight"
#define EV_DATA_JOB      "data_job"
#define EV_DATA_FAILED   "data_failed"
#define EV_GATE          "gate"
#define EV_CLEANUP_DUE   "cleanup_due"
#define EV_CLEANUP_CHECK "cleanup_check"
#define EV_WRITERS       "writers"
#define EV_UNKNOWN_WRITER "unknown_writer"

enum event_kind {
#define EVENT(id, ...) EVK_##id,
#define FIELD(...)
#include "events.def"
#undef EVENT
#undef FIELD
    EVK_UNKNOWN,      /* a kind this build does not know */
};

enum event_ftype { EF_STR, EF_BOOL, EF_NUM, EF_INT, EF_INDEX, EF_PCT, EF_ANY };
enum event_presence { EF_OPT, EF_REQ };

struct event_field {
    const char *name;
    enum event_ftype type;
    enum event_presence presence;
    const char *doc;
};

struct event_spec {
    const char *kind;
    const char *switch_field;   /* "" when the words do not depend on a bool */
    const char *words, *words_else, *doc;
    const struct event_field *fields;
    size_t n_fields;
};

/* The kind named `kind`, EVK_UNKNOWN if none. */
enum event_kind events_kind(const char *kind);
/* The table's row for k; NULL for EVK_UNKNOWN. */
const struct event_spec *events_spec(enum event_kind k);
/* "string", "bool", "number", "integer", "index", "percent", "any". */
const char *events_ftype_name(enum event_ftype t);

/* An event's body, read and checked against the table. */
struct event_body {
    enum event_kind kind;
    const struct event_spec *spec;   /* NULL for an unknown kind */
    void *json;                      /* cJSON object; NULL when unreadable */
    int valid;                       /* every declared field checked: accessors trust it */
};

/* Reads and validates body as an event of `kind`: a JSON object whose
 * fields have the types and ranges the table says, the required ones
 * present. 0 valid (an unknown kind is valid as long as the body is an
 * object); -1 not, with the reason in err (b->json stays set when the body
 * parsed, so a caller may still look). Free with events_body_free. */
int events_decode(const char *kind, const char *body, struct event_body *b,
                  struct error *err);
void events_body_free(struct event_body *b);

/* Validated accessors: a field of the wrong type reads as absent. */
int event_has(const struct event_body *b, const char *field);
const char *event_str(const struct event_body *b, const char *field); /* NULL */
double event_num(const struct event_body *b, const char *field, double fallback);
/* The fastest test clock known once b is read: a console_open's
 * time_scale above 1 (a sped-up run, never a ceremony's) if faster than
 * `known`, else known (0: the wall clock). The fold and replay's index
 * both ask this. */
double events_test_clock(const struct event_body *b, double known);
int event_bool(const struct event_body *b, const char *field);        /* 0 */

/* Prints json (a cJSON object; consumed) as the body of an event of kind k
 * after checking it against the table: malloc'd text, or NULL with the
 * reason in err (a bug in the caller, or out of memory). */
char *events_encode(enum event_kind k, void *json, struct error *err);

/* Writes "name/role" into buf. */
void events_actor(char *buf, size_t len, const char *name, const char *role);

/* Each returns a malloc'd JSON object text (caller frees), NULL on OOM. */
char *events_runbook_body(const char *path, const char *sha256, const char *text,
                          const char *title, const char *previous_sha256);
char *events_console_body(const char *name, const char *role, const char *mode);
char *events_ack_body(const char *step, const char *name, const char *role);
char *events_ack_refused_body(const char *step, const char *name,
                              const char *role, const char *reason);
char *events_note_body(const char *text);
char *events_criterion_body(size_t index, const char *criterion, const char *from,
                            const char *to, int has_value, double value, double count,
                            double bound, const char *why);

/* One line in words for a person: "step 2.1 acknowledged by Bob Ruiz (dba)";
 * "unknown kind K: …" for a kind from a newer build; a body that breaks
 * the table is described as far as it goes, then "— INVALID: why". */
void events_describe(const struct journal_event *ev, char *buf, size_t len);

/* README.md's event table, in Markdown (malloc'd; NULL on OOM). */
char *events_table_markdown(void);

#endif
