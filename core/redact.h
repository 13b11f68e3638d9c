/* redact.h — the one step every string passes before it leaves the process
 * (the screen, the journal, standard output, a webhook): secrets become
 * "***". It knows two things: the runbook's secrets as they are at run time
 * (the values of the ${ENV} variables its systems use, the tokens named by
 * token_env, each word of them too, since a server may echo a fragment),
 * and the syntaxes that carry one whatever its value (libpq's password=,
 * a URL's user:password@, an Authorization header, a Bearer token, a
 * token= or password= query parameter). */
#ifndef CUTOVER_REDACT_H
#define CUTOVER_REDACT_H

#include <stddef.h>

#include "runbook.h"

struct redactor;

struct redactor *redactor_new(void);
void redactor_free(struct redactor *r);

/* Adds one secret (and each of its words of 4 bytes or more). Strings
 * shorter than 4 bytes are not masked: they would mask common words. */
int redactor_add(struct redactor *r, const char *secret);

/* Adds the secrets a runbook uses at run time: the value of every ${NAME}
 * in its systems' connections and attributes, and of every token_env. */
int redactor_add_runbook(struct redactor *r, const struct runbook *rb);

/* A malloc'd copy of in with every secret masked; NULL only when out of
 * memory. r may be NULL (only the syntaxes are masked). */
char *redact(const struct redactor *r, const char *in);

/* The same into a buffer (truncated to fit; always NUL-terminated). */
void redact_into(const struct redactor *r, const char *in, char *out, size_t len);

/* 1 when redact(r, in) would change in: the cheap test for the hot path
 * (a sample's "ok" costs one short scan and no allocation). */
int redact_needed(const struct redactor *r, const char *in);

/* A JSON text with every string value masked (keys, numbers and 64-digit
 * hex hashes are kept, so the text stays JSON and the chains' hashes
 * intact). NULL when nothing needed masking (use the original) and, with
 * *oom set, when out of memory. */
char *redact_json(const struct redactor *r, const char *json, int *oom);

/* Builds the redactor for a runbook (its secrets as the environment holds
 * them now) and installs it for the life of the process. Call before any
 * thread starts. -1 when out of memory. */
int redact_install_runbook(const struct runbook *rb);

/* The process's redactor, installed once by the command before any thread
 * starts, and used by every place that writes outward. redact_text(in)
 * is redact(installed, in). */
void redact_install(struct redactor *r);
const struct redactor *redact_installed(void);

#endif
