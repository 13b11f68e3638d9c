/* writers.h — the writer audit's verdict: the writers a runbook declares
 * (its `## Writers` section: a name, how to recognise it, whether it
 * dual-writes) set against the writers the audit sees. A writer seen that
 * no declaration covers is unknown, and an unknown writer holds the
 * ceremony. Today the code is the one source (core/codescan.h); query
 * statistics and live capture join it in later work. */
#ifndef CUTOVER_WRITERS_H
#define CUTOVER_WRITERS_H

#include <stddef.h>

#include "codescan.h"
#include "runbook.h"

/* - refunds batch: app `refunds-batch` role `batch` code `batch/` model `Refund` */
struct writer_decl {
    char *name;
    char *app, *role, *statement;  /* how the database sees it; NULL when not said */
    char **code;                   /* paths (a file, or a directory ending in /) */
    size_t n_code;
    char **models;                 /* model names the code gives the table */
    size_t n_models;
    int dual_writes;               /* `dual-writes` said: it writes new too */
    int line;
};

struct writers_problem {
    int line;
    char msg[240];
};

struct writers_decls {
    int line;                      /* the section's heading; 0 when none */
    struct writer_decl *v;
    size_t n;
    struct writers_problem *problems;
    size_t n_problems;
};

/* Reads rb's `## Writers` section (none: no writer declared). Syntax
 * problems are collected with their lines. -1 only when out of memory. */
int writers_parse(const struct runbook *rb, struct writers_decls *d);
void writers_decls_free(struct writers_decls *d);

/* A writer as the audit saw it: declared (and perhaps seen), or unknown. */
struct writer_seen {
    const struct writer_decl *decl;   /* NULL: unknown */
    char name[200];                   /* the declaration's, or "code: PATH" */
    const struct code_site **sites;   /* its writes in the code (not owned sites) */
    size_t n_sites;
    int possible_only;                /* every site is a name built from pieces */
};

struct writers_audit {
    struct writer_seen *v;
    size_t n;
    size_t unknown;
};

/* Attributes every write (and possible write) site of scan to the
 * declared writer whose `code` path holds it; the rest are unknown
 * writers, one per file. Every declared writer is listed, seen or not. */
int writers_audit(const struct writers_decls *d, const struct code_scan *scan,
                  struct writers_audit *out);
void writers_audit_free(struct writers_audit *a);

#endif
