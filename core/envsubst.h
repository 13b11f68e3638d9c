/* envsubst.h — `${NAME}` in connection strings and URLs, replaced from the
 * environment at the moment of connecting, so secrets stay out of the
 * runbook and the journal (which hold the text as written). */
#ifndef CUTOVER_ENVSUBST_H
#define CUTOVER_ENVSUBST_H

#include "error.h"

/* Returns a malloc'd copy of in with every ${NAME} replaced, or NULL with
 * err naming the variable that is not set (or an unclosed "${"). */
char *envsubst(const char *in, struct error *err);

#endif
