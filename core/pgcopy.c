/* pgcopy.c — COPY streams for the backfill (pgcopy.h). */
#include "pgcopy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(struct cbuf *b, const char *s) { cbuf_put(b, s, strlen(s)); }

void pgcopy_done(struct pgcopy *c)
{
    PQfreemem(c->last);
    c->last = NULL;
    c->last_n = 0;
}

/* Ends `to`'s COPY and reads its results: 0, 2 on a duplicate key, -1. */
static int end_in(PGconn *to, int ok, struct error *err)
{
    PGresult *r;
    int rc = ok ? 0 : -1;
    PQputCopyEnd(to, ok ? NULL : "the copy out of old failed");
    while ((r = PQgetResult(to))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0) {
            const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            error_set(err, "backfill: new: %s", PQerrorMessage(to));
            rc = state && strcmp(state, "23505") == 0 ? 2 : -1;
        }
        PQclear(r);
    }
    return rc;
}

int pgcopy_pipe(PGconn *from, PGconn *to, const char *out_sql, const char *in_sql,
                struct pgcopy *c, struct error *err)
{
    c->rows = 0;
    c->then_sent = 0;
    c->last = NULL;
    c->last_n = 0;
    /* both started before either is waited for: one round trip, not two */
    int out_sent = PQsendQuery(from, out_sql), in_sent = PQsendQuery(to, in_sql);
    PGresult *r = out_sent ? PQgetResult(from) : NULL;
    int out_ok = PQresultStatus(r) == PGRES_COPY_OUT;
    if (!out_ok)
        error_set(err, "backfill: old: %s", PQerrorMessage(from));
    PQclear(r);
    r = in_sent ? PQgetResult(to) : NULL;
    int in_ok = PQresultStatus(r) == PGRES_COPY_IN;
    if (!in_ok && out_ok)
        error_set(err, "backfill: new: %s", PQerrorMessage(to));
    PQclear(r);
    if (!in_ok && in_sent)
        while ((r = PQgetResult(to)))
            PQclear(r);
    if (!out_ok) {   /* drain what old sends, then end new's copy */
        while (out_sent && (r = PQgetResult(from)))
            PQclear(r);
        if (in_ok)
            end_in(to, 0, NULL);
        return -1;
    }
    /* libpq hands out one row per call: the last one is kept (its key is
     * the batch's end) and the one before it freed */
    char *buf = NULL;
    int n, rc = in_ok ? 0 : -1;
    if (c->binary)
        c->binary->seen_header = 0;
    while ((n = PQgetCopyData(from, &buf, 0)) > 0) {
        char *put_buf = buf;
        int put_n = n, row = 1;
        if (c->binary && (row = pgbinary_message(c->binary, buf, n, &put_buf, &put_n)) < 0 &&
            rc == 0) {
            error_set(err, "backfill: old: a binary row cannot be read");
            rc = -1;
        }
        if (rc == 0 && PQputCopyData(to, put_buf, put_n) != 1) {
            error_set(err, "backfill: new: %s", PQerrorMessage(to));
            rc = -1;
        }
        if (put_buf != buf)
            free(put_buf);
        if (row <= 0) {   /* the binary header or trailer alone */
            PQfreemem(buf);
            continue;
        }
        c->rows++;
        PQfreemem(c->last);
        c->last = buf;
        c->last_n = n;
    }
    if (n == -2 && rc == 0) {
        error_set(err, "backfill: old: %s", PQerrorMessage(from));
        rc = -1;
    }
    while ((r = PQgetResult(from))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0) {
            error_set(err, "backfill: old: %s", PQerrorMessage(from));
            rc = -1;
        }
        PQclear(r);
    }
    /* old's session is idle now, while `to` takes the rest in */
    c->then_sent = rc == 0 && c->then && PQsendQuery(from, c->then);
    if (in_ok) {
        int in = end_in(to, rc == 0, err);
        rc = rc == 0 ? in : rc;
    }
    if (rc != 0)
        pgcopy_done(c);
    return rc;
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

char *pgcopy_field(const char *row, int n, int index)
{
    int at = 0;
    for (int f = 0; f < index; f++) {
        while (at < n && row[at] != '\t' && row[at] != '\n')
            at++;
        if (at >= n || row[at] != '\t')
            return NULL;
        at++;
    }
    int end = at;
    while (end < n && row[end] != '\t' && row[end] != '\n')
        end++;
    if (end - at == 2 && row[at] == '\\' && row[at + 1] == 'N')
        return NULL;
    char *out = malloc((size_t)(end - at) + 1);
    if (!out)
        return NULL;
    int o = 0;
    for (int i = at; i < end; i++) {
        if (row[i] != '\\' || i + 1 >= end) {
            out[o++] = row[i];
            continue;
        }
        char e = row[++i];
        const char *from = "bfnrtv", *to = "\b\f\n\r\t\v";
        const char *k = strchr(from, e);
        if (e && k) {
            out[o++] = to[k - from];
        } else if (e >= '0' && e <= '7') {   /* up to three octal digits */
            int v = e - '0';
            for (int d = 0; d < 2 && i + 1 < end && row[i + 1] >= '0' && row[i + 1] <= '7'; d++)
                v = v * 8 + (row[++i] - '0');
            out[o++] = (char)v;
        } else if (e == 'x' && i + 1 < end && hex(row[i + 1]) >= 0) {   /* one or two hex digits */
            int v = hex(row[++i]);
            if (i + 1 < end && hex(row[i + 1]) >= 0)
                v = v * 16 + hex(row[++i]);
            out[o++] = (char)v;
        } else {
            out[o++] = e;
        }
    }
    out[o] = '\0';
    return out;
}

void pgcopy_sqlite_value(struct cbuf *o, sqlite3_stmt *st, int i)
{
    char t[48];
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        put(o, "\\N");
        return;
    case SQLITE_INTEGER:
        snprintf(t, sizeof t, "%lld", (long long)sqlite3_column_int64(st, i));
        put(o, t);
        return;
    case SQLITE_FLOAT: {
        double d = sqlite3_column_double(st, i);
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(t, sizeof t, "%.*g", prec, d);
            if (strtod(t, NULL) == d)
                break;
        }
        put(o, t);
        return;
    }
    case SQLITE_BLOB: {
        const unsigned char *p = sqlite3_column_blob(st, i);
        int n = sqlite3_column_bytes(st, i);
        put(o, "\\\\x");
        for (int k = 0; k < n; k++) {
            snprintf(t, sizeof t, "%02x", p[k]);
            put(o, t);
        }
        return;
    }
    default:
        break;
    }
    const char *s = (const char *)sqlite3_column_text(st, i);
    int n = sqlite3_column_bytes(st, i);
    for (int k = 0; s && k < n; k++) {
        const char *esc = s[k] == '\\' ? "\\\\" : s[k] == '\n' ? "\\n" : s[k] == '\r' ? "\\r"
                        : s[k] == '\t' ? "\\t" : NULL;
        if (esc)
            put(o, esc);
        else
            cbuf_put(o, s + k, 1);
    }
}
