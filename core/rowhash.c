/* rowhash.c — cutover_rowhash(), the in-database checksum (rowhash.h).
 * FNV-1a over each value's canonical form, each form ended by a byte no
 * canonical form holds, then a 64-bit finaliser so that sums of nearby
 * hashes do not cancel. */
#include "rowhash.h"

#include <string.h>

#include "pgdata.h"

struct cval rowhash_cval(sqlite3_value *v)
{
    struct cval c = {0};
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        c.t = CV_INT;
        c.i = sqlite3_value_int64(v);
        break;
    case SQLITE_FLOAT:
        c.t = CV_REAL;
        c.d = sqlite3_value_double(v);
        break;
    case SQLITE_TEXT:
        c.t = CV_TEXT;
        c.s = (const char *)sqlite3_value_text(v);
        c.n = (size_t)sqlite3_value_bytes(v);
        if (!c.s)
            c.s = "";
        break;
    case SQLITE_BLOB:
        c.t = CV_BLOB;
        c.s = sqlite3_value_blob(v);
        c.n = (size_t)sqlite3_value_bytes(v);
        if (!c.s)
            c.s = "";
        break;
    default:
        c.t = CV_NULL;
    }
    return c;
}

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t finish(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

uint64_t rowhash_row(sqlite3_value **v, int n, struct cbuf *scratch)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int i = 0; i < n; i++) {
        struct cval c = rowhash_cval(v[i]);
        scratch->n = 0;
        canon_append(scratch, &c);
        if (scratch->p)
            h = fnv(h, scratch->p, scratch->n);
        h = fnv(h, "\xff", 1);
    }
    return finish(h);
}

/* The aggregate's state: the sum, and one buffer for every row's values. */
struct agg {
    uint64_t sum;
    struct cbuf scratch;
};

static void step(sqlite3_context *ctx, int n, sqlite3_value **v)
{
    struct agg *a = sqlite3_aggregate_context(ctx, sizeof *a);
    if (!a) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    a->sum += rowhash_row(v, n, &a->scratch);
}

static void final(sqlite3_context *ctx)
{
    struct agg *a = sqlite3_aggregate_context(ctx, 0);
    sqlite3_result_int64(ctx, a ? (sqlite3_int64)a->sum : 0);
    if (a)
        cbuf_free(&a->scratch);
}

/* One row's hash, for a range whose sums differed: its rows' hashes
 * merged by key tell which rows to read whole. */
static void row1(sqlite3_context *ctx, int n, sqlite3_value **v)
{
    struct cbuf scratch = {0};
    uint64_t h = rowhash_row(v, n, &scratch);
    if (scratch.oom)
        sqlite3_result_error_nomem(ctx);
    else
        sqlite3_result_int64(ctx, (sqlite3_int64)h);
    cbuf_free(&scratch);
}

int rowhash_register(sqlite3 *db)
{
    int rc = sqlite3_create_function(db, "cutover_rowhash", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                     NULL, NULL, step, final);
    return rc != SQLITE_OK ? rc
           : sqlite3_create_function(db, "cutover_rowhash1", -1,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, row1, NULL, NULL);
}

static void step_md5(sqlite3_context *ctx, int n, sqlite3_value **v)
{
    struct agg *a = sqlite3_aggregate_context(ctx, sizeof *a);
    if (!a) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    a->scratch.n = 0;
    for (int i = 0; i < n; i++) {
        struct cval c = rowhash_cval(v[i]);
        canon_append(&a->scratch, &c);
        cbuf_put(&a->scratch, "\x1f", 1);
    }
    if (a->scratch.oom) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    a->sum += pgdata_rowhash(a->scratch.p, a->scratch.n);
}

int rowhash_register_md5(sqlite3 *db)
{
    return sqlite3_create_function(db, "cutover_rowmd5", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                   NULL, NULL, step_md5, final);
}
