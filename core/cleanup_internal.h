/* cleanup_internal.h — what cleanup.c shares with the store that answers
 * some of its items (cleanup_pg.c). */
#ifndef CUTOVER_CLEANUP_INTERNAL_H
#define CUTOVER_CLEANUP_INTERNAL_H

#include "cleanup.h"

/* Judges the table, capture and writers items against an old PostgreSQL
 * store (conn already ${ENV}-expanded; never repeated in a message). */
void cleanup_postgres(const struct cleanup_request *q, const char *conn, const char *table,
                      struct cleanup_result *res);

#endif
