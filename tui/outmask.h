/* outmask.h — standard output and standard error through the redaction
 * (core/redact.h): every command's printf and fprintf(stderr) pass it,
 * without each call site having to remember. */
#ifndef CUTOVER_OUTMASK_H
#define CUTOVER_OUTMASK_H

#include <stdio.h>

/* Replaces stdout and stderr by streams that mask each line with the
 * installed redactor as it is written to descriptors 1 and 2. Call first
 * thing in main; the redactor may be installed later. */
void outmask_install(void);

/* The original stdout, for curses: it needs a stream with a descriptor
 * (its screen passes the redaction in panels/draw.c instead). */
FILE *outmask_terminal(void);

#endif
