/* canon.h — what a stored value means, so that backfill and compare agree
 * on "equal": a canonical text per value (numbers by value whatever their
 * scale or type, JSON with sorted keys and no spacing, timestamps as UTC
 * instants), and for two values that differ, the likely cause. Pure: no
 * database, no clock. */
#ifndef CUTOVER_CANON_H
#define CUTOVER_CANON_H

#include <stddef.h>
#include <stdint.h>

enum canon_type { CV_NULL, CV_INT, CV_REAL, CV_TEXT, CV_BLOB };

/* A value as a database hands it over (s/n for text and blobs). */
struct cval {
    enum canon_type t;
    const char *s;
    size_t n;
    int64_t i;
    double d;
};

/* A growable byte buffer; canon_* append to it. */
struct cbuf {
    char *p;
    size_t n, cap;
    int oom;
};
void cbuf_put(struct cbuf *b, const char *s, size_t n);
void cbuf_free(struct cbuf *b);

/* Appends the n bytes at s as lowercase hex, two digits a byte, as
 * PostgreSQL's encode(bytea, 'hex') writes them. */
void canon_hex(struct cbuf *out, const char *s, size_t n);

/* Appends PostgreSQL's text of the bytea of the n bytes at s, "\\x" then
 * their hex ("\\x00ff"): what the server reads as those bytes, and plain
 * printable ASCII, whatever the bytes are. */
void canon_bytea_text(struct cbuf *out, const char *s, size_t n);

/* The length of the longest prefix of the n bytes at s that is UTF-8
 * without a NUL (well-formed: no overlong form, no surrogate, nothing
 * past U+10FFFF); n when all of it is. SQLite's TEXT may be anything. */
size_t canon_utf8_prefix(const char *s, size_t n);

/* Appends the text of a key's n values for people, joined by commas
 * ("1001", "eu,42"): an integer's digits, a real's shortest exact
 * decimal, NULL as NULL, text as it is (a byte of it that is no UTF-8,
 * or a NUL, as \xNN), a blob as canon_bytea_text — its raw bytes would
 * stop at a NUL and need not be UTF-8, and the key is a JSON string in
 * every divergence and checkpoint. */
void canon_key_text(struct cbuf *out, const struct cval *v, size_t n);

/* Appends v's canonical form: a one-letter tag (N null, n number, T
 * instant in microseconds, j JSON, s text, x blob in lowercase hex) then
 * its text. Two
 * values mean the same exactly when their canonical forms are equal. */
void canon_append(struct cbuf *out, const struct cval *v);

/* Appends "j" and JSON text (an object or array) in canonical form: keys
 * sorted at every depth, no spacing. -1 (nothing appended) when s is not
 * an object or array of valid JSON. */
int canon_json(struct cbuf *b, const char *s, size_t n);

/* 1 when a and b mean the same. */
int canon_equal(const struct cval *a, const struct cval *b);

/* The causes of a divergence, in the order they are tried. */
enum canon_cause {
    CAUSE_MISSING_IN_NEW,
    CAUSE_EXTRA_IN_NEW,
    CAUSE_TIME_SHIFT,
    CAUSE_NULL_VS_EMPTY,
    CAUSE_NUMERIC_PRECISION,
    CAUSE_WHITESPACE,
    CAUSE_UNICODE_NORMALISATION,
    CAUSE_VALUE,
    CAUSE_COUNT
};
const char *canon_cause_name(enum canon_cause c); /* "time-shift" */

/* The likely cause of old != new (two values that are not canon_equal). */
enum canon_cause canon_cause(const struct cval *old, const struct cval *new_);

/* Parses an ISO-8601 timestamp "YYYY-MM-DD[T ]HH:MM[:SS[.f]][Z|±HH[:MM]]"
 * (the whole text; no zone reads as UTC) into microseconds since the
 * epoch, a fraction of more than 6 digits rounded as PostgreSQL rounds
 * it. 0 when it is one, -1 when not — and not for a date PostgreSQL
 * refuses (2024-02-30, month 13, 25:00): that stays text, a value. */
int canon_timestamp(const char *s, size_t n, int64_t *us);

#endif
