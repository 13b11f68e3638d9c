/* error.h — the one way core reports a failure: a message the front end shows.
 * Core functions return an int (0 ok, -1 failed) and fill a struct error;
 * nothing under core/ prints. */
#ifndef CUTOVER_ERROR_H
#define CUTOVER_ERROR_H

struct error {
    char msg[512];
};

/* Sets err->msg (printf-style); a NULL err is allowed and ignored. */
void error_set(struct error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
