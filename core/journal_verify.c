/* journal_verify.c — walks both hash chains and says where and how they
 * break.
 *
 * The walk is cheap and linear: each row must hash to its stored hash and
 * name its predecessor's hash as prev_hash, with seq running 1, 2, 3, ...
 * Only at the first failure does it look further (the next row, which row
 * a dangling prev_hash belongs to, whether the row's contents hash right in
 * another row's place), to tell an edit from a deletion, a reordering or an
 * insertion. Everything is read in one read transaction, so a journal that
 * other processes keep appending to is checked as of one moment. */
#include "journal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "journal_internal.h"

struct chain_def {
    const char *table, *tag;
    const char *walk_sql, *next_prev_sql, *seq_of_hash_sql, *slots_sql;
    /* builds the hash content from a walk row's columns 3.. */
    int (*content)(sqlite3_stmt *st, struct jbuf *b);
};

static const char *text_of(sqlite3_stmt *st, int i, size_t *len)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    *len = (size_t)sqlite3_column_bytes(st, i);
    return s ? s : "";
}

static int event_content(sqlite3_stmt *st, struct jbuf *b)
{
    size_t alen, ulen, klen, blen;
    const char *actor = text_of(st, 4, &alen), *user = text_of(st, 5, &ulen),
               *kind = text_of(st, 6, &klen), *body = text_of(st, 7, &blen);
    return journal_event_content(b, sqlite3_column_int64(st, 3), actor, alen,
                                 user, ulen, kind, klen, body, blen);
}

static int sample_content(sqlite3_stmt *st, struct jbuf *b)
{
    size_t slen, stlen = 0;
    const char *signal = text_of(st, 4, &slen);
    int has = sqlite3_column_type(st, 5) != SQLITE_NULL;
    double v = has ? sqlite3_column_double(st, 5) : 0.0;
    const char *status = sqlite3_column_type(st, 6) != SQLITE_NULL
                             ? text_of(st, 6, &stlen)
                             : NULL;
    return journal_sample_content(b, sqlite3_column_int64(st, 3), signal, slen,
                                  has, v, status, stlen);
}

static const struct chain_def chains[] = {
    {"events", "event",
     "SELECT seq, prev_hash, hash, ts_ms, actor, os_user, kind, body"
     " FROM events ORDER BY seq",
     "SELECT prev_hash FROM events WHERE seq > ? ORDER BY seq LIMIT 1",
     "SELECT seq FROM events WHERE hash = ? ORDER BY seq LIMIT 1",
     "SELECT seq, prev_hash, hash FROM events ORDER BY seq", event_content},
    {"samples", "sample",
     "SELECT seq, prev_hash, hash, ts_ms, signal, value, status"
     " FROM samples ORDER BY seq",
     "SELECT prev_hash FROM samples WHERE seq > ? ORDER BY seq LIMIT 1",
     "SELECT seq FROM samples WHERE hash = ? ORDER BY seq LIMIT 1",
     "SELECT seq, prev_hash, hash FROM samples ORDER BY seq", sample_content},
};

/* A stored hash as written, or "" when it is not 64 characters (so that it
 * can match nothing a real row hashes to). */
static void hash_col(sqlite3_stmt *st, int i, char out[65])
{
    size_t n;
    const char *s = text_of(st, i, &n);
    if (n == 64 && strlen(s) == 64)
        memcpy(out, s, 65);
    else
        out[0] = '\0';
}

/* One row under scrutiny, and what the walk knows around it. */
struct suspect {
    int64_t seq;
    char prev[65], hash[65];
    struct jbuf content;
    char before[65]; /* the hash of the row before it in seq order */
};

struct verifier {
    struct journal *j;
    const struct chain_def *def;
    struct jbuf input;
    struct journal_verify_result *res;
    struct error *err;
};

static int fail(struct verifier *v, int64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct verifier *v, int64_t seq, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->res->reason, sizeof v->res->reason, fmt, ap);
    va_end(ap);
    v->res->ok = 0;
    v->res->first_bad_seq = seq;
    snprintf(v->res->table, sizeof v->res->table, "%s", v->def->table);
    return 0;
}

/* Runs a one-value query with one bound parameter; *found says whether a
 * row came back. 0, or -1 on a database error. */
static int lookup(struct verifier *v, const char *sql, int64_t num,
                  const char *text, int *found, int64_t *num_out,
                  char text_out[65])
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(v->j->db, sql, -1, &st, NULL) != SQLITE_OK) {
        journal_db_error(v->j, v->err, "cannot read the journal");
        return -1;
    }
    if (text)
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 1, num);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found && num_out)
        *num_out = sqlite3_column_int64(st, 0);
    if (*found && text_out)
        hash_col(st, 0, text_out);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        journal_db_error(v->j, v->err, "cannot read the journal");
        return -1;
    }
    return 0;
}

/* Looks for the place the suspect's contents were written at: either its
 * whole row (prev_hash and hash too) moved to another seq, or its contents
 * moved into another row's slot. *where = that seq, or 0 when nowhere. */
static int find_origin(struct verifier *v, const struct suspect *r,
                       int64_t *where)
{
    sqlite3_stmt *st = NULL;
    *where = 0;
    if (sqlite3_prepare_v2(v->j->db, v->def->slots_sql, -1, &st, NULL) !=
        SQLITE_OK) {
        journal_db_error(v->j, v->err, "cannot read the journal");
        return -1;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        char prev[65], hash[65], h[65];
        hash_col(st, 1, prev);
        hash_col(st, 2, hash);
        if (seq == r->seq)
            continue;
        if (journal_row_hash(v->def->tag, r->prev, seq, r->content.p,
                             r->content.len, &v->input, h) == 0 &&
            strcmp(h, r->hash) == 0) {
            *where = seq;
            break;
        }
        if (journal_row_hash(v->def->tag, prev, seq, r->content.p,
                             r->content.len, &v->input, h) == 0 &&
            strcmp(h, hash) == 0) {
            *where = seq;
            break;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        journal_db_error(v->j, v->err, "cannot read the journal");
        return -1;
    }
    return 0;
}

static int inserted_here(struct verifier *v, int64_t s)
{
    if (s == 1)
        return fail(v, s, "inserted: seq 1 is not part of the chain "
                    "(seq 2 starts it)");
    return fail(v, s, "inserted: seq %" PRId64 " is not part of the chain "
                "(seq %" PRId64 " follows seq %" PRId64 ")", s, s + 1, s - 1);
}

/* The suspect sits at the expected seq but its hash or its link is wrong:
 * works out which kind of tampering explains it. */
static int classify(struct verifier *v, const struct suspect *r, int self_ok)
{
    int64_t s = r->seq, origin, k = 0;
    int linked = strcmp(r->prev, r->before) == 0, has_next, has_k = 0;
    char next_prev[65] = "";
    if (lookup(v, v->def->next_prev_sql, s, NULL, &has_next, NULL, next_prev))
        return -1;
    int next_skips = has_next && strcmp(next_prev, r->before) == 0;

    if (linked && !self_ok) {
        if (next_skips)
            return inserted_here(v, s);
        if (find_origin(v, r, &origin))
            return -1;
        if (origin)
            return fail(v, s, "reordered: seq %" PRId64 " holds the row "
                        "written as seq %" PRId64, s, origin);
        return fail(v, s, "edited: seq %" PRId64 " does not hash to its "
                    "stored hash (its contents were changed)", s);
    }
    if (r->prev[0] &&
        lookup(v, v->def->seq_of_hash_sql, 0, r->prev, &has_k, &k, NULL))
        return -1;
    if (has_k && k > s) {
        if (find_origin(v, r, &origin))
            return -1;
        if (origin)
            return fail(v, s, "reordered: seq %" PRId64 " holds the row "
                        "written as seq %" PRId64, s, origin);
        return fail(v, s, "reordered: seq %" PRId64 " follows seq %" PRId64
                    " in the chain, which comes after it", s, k);
    }
    if (has_k && k < s - 1)
        return k + 1 == s - 1
                   ? fail(v, k + 1, "inserted: seq %" PRId64 " is not part "
                          "of the chain (seq %" PRId64 " follows seq %" PRId64
                          ")", k + 1, s, k)
                   : fail(v, k + 1, "inserted: seq %" PRId64 "..%" PRId64
                          " are not part of the chain (seq %" PRId64
                          " follows seq %" PRId64 ")", k + 1, s - 1, s, k);
    if (strcmp(r->prev, JOURNAL_ZERO_HASH) == 0) {
        if (find_origin(v, r, &origin))
            return -1;
        if (origin)
            return fail(v, s, "reordered: seq %" PRId64 " holds the row "
                        "written as seq %" PRId64, s, origin);
        return fail(v, s, "inserted: seq %" PRId64 " claims to start the "
                    "chain", s);
    }
    if (!has_k) {
        /* Its prev_hash is no row's hash. If the row after skips it, it
         * was slipped in; if it hashes right at another seq, it moved up
         * because rows before it were deleted; else it was edited. */
        if (next_skips)
            return inserted_here(v, s);
        if (find_origin(v, r, &origin))
            return -1;
        if (origin)
            return fail(v, s, "deleted: the row that seq %" PRId64 " follows "
                        "in the chain is missing (rows were deleted and the "
                        "later ones renumbered)", s);
        return fail(v, s, "edited: the prev_hash of seq %" PRId64 " matches "
                    "no row", s);
    }
    return fail(v, s, "edited: seq %" PRId64 " does not follow seq %" PRId64
                " in the chain", s, s - 1);
}

/* Walks one chain; stops at the first row that fails. */
static int check_chain(struct verifier *v)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(v->j->db, v->def->walk_sql, -1, &st, NULL) !=
        SQLITE_OK) {
        journal_db_error(v->j, v->err, "cannot read the journal");
        return -1;
    }
    struct suspect r = {.seq = 0};
    int64_t expected = 1;
    int rc, ret = 0;
    memcpy(r.before, JOURNAL_ZERO_HASH, 65);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char h[65];
        r.seq = sqlite3_column_int64(st, 0);
        hash_col(st, 1, r.prev);
        hash_col(st, 2, r.hash);
        r.content.len = 0;
        if (v->def->content(st, &r.content) ||
            journal_row_hash(v->def->tag, r.prev, r.seq, r.content.p,
                             r.content.len, &v->input, h)) {
            error_set(v->err, "%s: out of memory", v->j->path);
            ret = -1;
            break;
        }
        if (r.seq > expected) {
            ret = expected + 1 == r.seq
                      ? fail(v, expected, "deleted: seq %" PRId64 " is "
                             "missing (a gap before seq %" PRId64 ")",
                             expected, r.seq)
                      : fail(v, expected, "deleted: seq %" PRId64 "..%" PRId64
                             " are missing (a gap before seq %" PRId64 ")",
                             expected, r.seq - 1, r.seq);
            break;
        }
        if (r.seq < expected) {
            ret = fail(v, r.seq, "inserted: seq %" PRId64 " comes before "
                       "seq 1, where the chain starts", r.seq);
            break;
        }
        int self_ok = r.hash[0] && strcmp(h, r.hash) == 0;
        if (!self_ok || strcmp(r.prev, r.before) != 0) {
            ret = classify(v, &r, self_ok);
            break;
        }
        memcpy(r.before, r.hash, 65);
        expected++;
    }
    if (ret == 0 && v->res->ok && rc != SQLITE_DONE) {
        journal_db_error(v->j, v->err, "cannot read the journal");
        ret = -1;
    }
    sqlite3_finalize(st);
    jbuf_free(&r.content);
    return ret;
}

static int count_rows(struct journal *j, const char *sql, int64_t *n,
                      struct error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(j->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        journal_db_error(j, err, "cannot count the journal's rows");
        return -1;
    }
    return 0;
}

/* The anchors: each names a sample (seq and hash) that must still be
 * there. The chain alone cannot see its tail cut off; an anchor can. */
static int check_anchors(struct journal *j, struct journal_verify_result *res,
                         struct error *err)
{
    sqlite3_stmt *st = NULL;
    const char *sql =
        "SELECT e.seq, json_extract(e.body, '$.sample_seq'),"
        " json_extract(e.body, '$.sample_hash'), s.hash,"
        " (SELECT coalesce(max(seq), 0) FROM samples)"
        " FROM events e LEFT JOIN samples s"
        " ON s.seq = json_extract(e.body, '$.sample_seq')"
        " WHERE e.kind = '" JOURNAL_KIND_ANCHOR "' ORDER BY e.seq";
    if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) {
        journal_db_error(j, err, "cannot read the journal's anchors");
        return -1;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t at = sqlite3_column_int64(st, 0), want = sqlite3_column_int64(st, 1);
        const char *hash = (const char *)sqlite3_column_text(st, 2);
        const char *have = (const char *)sqlite3_column_text(st, 3);
        int64_t last = sqlite3_column_int64(st, 4);
        res->n_anchors++;
        if (want <= 0 || (have && hash && strcmp(hash, have) == 0))
            continue;
        res->ok = 0;
        snprintf(res->table, sizeof res->table, "samples");
        if (!have) {
            res->first_bad_seq = last + 1;
            snprintf(res->reason, sizeof res->reason,
                     "deleted: the anchor at event seq %" PRId64 " records %" PRId64
                     " samples, the journal has %" PRId64, at, want, last);
        } else {
            res->first_bad_seq = want;
            snprintf(res->reason, sizeof res->reason,
                     "edited: the anchor at event seq %" PRId64 " records another hash "
                     "for sample seq %" PRId64, at, want);
        }
        break;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        journal_db_error(j, err, "cannot read the journal's anchors");
        return -1;
    }
    return 0;
}

int journal_verify(const char *path, struct journal_verify_result *res,
                   struct error *err)
{
    memset(res, 0, sizeof *res);
    struct journal *j;
    if (journal_open(path, JOURNAL_READONLY, &j, err))
        return -1;
    int ret = -1;
    /* One read transaction: both chains and counts as of one moment. */
    if (sqlite3_exec(j->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        journal_db_error(j, err, "cannot read the journal");
        goto out;
    }
    if (count_rows(j, "SELECT count(*) FROM events", &res->n_events, err) ||
        count_rows(j, "SELECT count(*) FROM samples", &res->n_samples, err))
        goto out;
    res->ok = 1;
    ret = 0;
    for (size_t i = 0; i < sizeof chains / sizeof chains[0] && res->ok; i++) {
        struct verifier v = {.j = j, .def = &chains[i], .res = res,
                             .err = err};
        ret = check_chain(&v);
        jbuf_free(&v.input);
        if (ret)
            break;
    }
    if (ret == 0 && res->ok)
        ret = check_anchors(j, res, err);
out:
    if (ret)
        res->ok = 0;
    sqlite3_exec(j->db, "COMMIT", NULL, NULL, NULL);
    journal_close(j);
    return ret;
}
