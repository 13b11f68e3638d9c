/* pgbinary.c — COPY's binary format for the backfill (pgbinary.h). */
#include "pgbinary.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25, OID_JSON = 114,
    OID_VARCHAR = 1043, OID_UUID = 2950, OID_JSONB = 3802,
    FIRST_USER_OID = 16384   /* below: built in, the same in every database */
};

static const char SIGNATURE[11] = "PGCOPY\n\377\r\n";   /* and its NUL */

static int key_type_known(unsigned oid)
{
    return oid == OID_INT2 || oid == OID_INT4 || oid == OID_INT8 || oid == OID_TEXT ||
           oid == OID_VARCHAR || oid == OID_UUID;
}

int pgbinary_plan(struct pgbinary *b, PGconn *old, const char *old_sql, PGconn *new_,
                  const char *new_sql, const size_t *keys, size_t n_key, struct error *err)
{
    memset(b, 0, sizeof *b);
    PGresult *o = PQexec(old, old_sql), *n = PQexec(new_, new_sql);
    int rc = 0;
    if (PQresultStatus(o) != PGRES_TUPLES_OK) {
        error_set(err, "backfill: old: %s", PQerrorMessage(old));
        rc = -1;
    } else if (PQresultStatus(n) != PGRES_TUPLES_OK) {
        error_set(err, "backfill: new: %s", PQerrorMessage(new_));
        rc = -1;
    }
    int cols = rc == 0 ? PQnfields(o) : 0;
    int on = rc == 0 && cols == PQnfields(n) && cols > 0 && cols <= PGBINARY_MAX_COLS;
    for (int i = 0; on && i < cols; i++) {
        unsigned from = PQftype(o, i), to = PQftype(n, i);
        if (from == to && to < FIRST_USER_OID)
            b->key_oid[i] = to;
        else if (to == OID_JSONB && (from == OID_JSON || from == OID_TEXT || from == OID_VARCHAR))
            b->to_jsonb[i] = 1;
        else
            on = 0;
    }
    for (size_t k = 0; on && k < n_key; k++)
        on = keys[k] < (size_t)cols && key_type_known(b->key_oid[keys[k]]);
    b->on = on;
    b->n_cols = on ? (size_t)cols : 0;
    PQclear(o);
    PQclear(n);
    return rc;
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* The length of the stream's header at the start of message m: 0 when
 * there is none, -1 when it is cut short. */
static int header_len(const unsigned char *m, int n)
{
    if (n < 19 || memcmp(m, SIGNATURE, sizeof SIGNATURE) != 0)
        return 0;
    uint32_t ext = get32(m + 15);
    return ext > (uint32_t)(n - 19) ? -1 : 19 + (int)ext;
}

/* Where message msg's row starts: after the header in the stream's first
 * message. -1 when the header is not one. */
static int row_start(const struct pgbinary *b, const unsigned char *m, int n)
{
    if (b->seen_header)
        return 0;
    int h = header_len(m, n);
    return h > 0 ? h : -1;
}

/* The fields of the row at m (n bytes): 0 and their count, or -1. */
static int field_count(const unsigned char *m, int n, int *count)
{
    if (n < 2)
        return -1;
    *count = (int16_t)(m[0] << 8 | m[1]);
    return 0;
}

int pgbinary_message(struct pgbinary *b, const char *msg, int n, char **out, int *out_n)
{
    const unsigned char *m = (const unsigned char *)msg;
    int at = row_start(b, m, n), count;
    if (at < 0)
        return -1;
    b->seen_header = 1;
    *out = (char *)msg;
    *out_n = n;
    if (field_count(m + at, n - at, &count) != 0)
        return at == n ? 0 : -1;   /* a header alone */
    if (count == -1)
        return 0;   /* the trailer */
    if ((size_t)count != b->n_cols)
        return -1;
    int grow = 0;
    for (size_t i = 0; i < b->n_cols; i++)
        grow += b->to_jsonb[i];
    if (!grow)
        return 1;
    unsigned char *o = malloc((size_t)n + (size_t)grow);
    if (!o)
        return -1;
    int r = at + 2;   /* read in msg, written in o: the same up to here */
    memcpy(o, m, (size_t)r);
    int w = r;
    for (size_t i = 0; i < b->n_cols; i++) {
        if (r + 4 > n)
            return free(o), -1;
        int32_t len = (int32_t)get32(m + r);
        r += 4;
        if (len > n - r)
            return free(o), -1;
        if (len < 0) {
            put32(o + w, (uint32_t)len);
            w += 4;
            continue;
        }
        int extra = b->to_jsonb[i];
        put32(o + w, (uint32_t)(len + extra));
        w += 4;
        if (extra)
            o[w++] = 1;   /* jsonb's binary version */
        memcpy(o + w, m + r, (size_t)len);
        w += len, r += len;
    }
    memcpy(o + w, m + r, (size_t)(n - r));   /* a trailer in the same message */
    *out = (char *)o;
    *out_n = w + (n - r);
    return 1;
}

char *pgbinary_field(const struct pgbinary *b, const char *msg, int n, int index)
{
    const unsigned char *m = (const unsigned char *)msg;
    int at = header_len(m, n), count;   /* the first row's message begins with it */
    if (at < 0 || field_count(m + at, n - at, &count) != 0 || index < 0 || index >= count ||
        (size_t)index >= b->n_cols)
        return NULL;
    at += 2;
    int32_t len = -1;
    for (int i = 0; i <= index; i++) {
        if (at + 4 > n)
            return NULL;
        len = (int32_t)get32(m + at);
        at += 4;
        if (len > n - at)
            return NULL;
        if (i < index && len > 0)
            at += len;
    }
    if (len < 0)
        return NULL;
    const unsigned char *v = m + at;
    char *t = malloc((size_t)len + 40);
    if (!t)
        return NULL;
    switch (b->key_oid[index]) {
    case OID_INT2:
        if (len != 2)
            break;
        snprintf(t, 40, "%d", (int16_t)(v[0] << 8 | v[1]));
        return t;
    case OID_INT4:
        if (len != 4)
            break;
        snprintf(t, 40, "%" PRId32, (int32_t)get32(v));
        return t;
    case OID_INT8:
        if (len != 8)
            break;
        snprintf(t, 40, "%" PRId64, (int64_t)((uint64_t)get32(v) << 32 | get32(v + 4)));
        return t;
    case OID_TEXT:
    case OID_VARCHAR:
        memcpy(t, v, (size_t)len);
        t[len] = '\0';
        return t;
    case OID_UUID:
        if (len != 16)
            break;
        for (int i = 0, w = 0; i < 16; i++) {
            w += snprintf(t + w, 40 - (size_t)w, "%02x", v[i]);
            if (i == 3 || i == 5 || i == 7 || i == 9)
                t[w++] = '-';
        }
        return t;
    default:
        break;
    }
    free(t);
    return NULL;
}
