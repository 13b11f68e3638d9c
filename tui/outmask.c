/* outmask.c — stdout and stderr as glibc cookie streams that mask what
 * they write. Line-buffered, so the redaction sees whole lines (a secret
 * split between two writes could slip past a byte-at-a-time filter). */
#include "outmask.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/redact.h"

#define LINE_BUF 65536   /* a line longer than this is masked in pieces */

static FILE *terminal;

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static ssize_t masked_write(void *cookie, const char *buf, size_t n)
{
    int fd = (int)(intptr_t)cookie;
    char *text = malloc(n + 1);
    if (!text)
        return -1;
    memcpy(text, buf, n);
    text[n] = '\0';
    /* bytes after a NUL (rare in text) are written as they are after it */
    size_t len = strlen(text);
    char *m = redact_needed(redact_installed(), text) ? redact(redact_installed(), text) : text;
    int rc = m ? write_all(fd, m, strlen(m)) : -1;
    if (rc == 0 && len < n)
        rc = write_all(fd, buf + len, n - len);
    if (m != text)
        free(m);
    free(text);
    return rc == 0 ? (ssize_t)n : -1;
}

static FILE *masked_stream(int fd)
{
    cookie_io_functions_t io = {.write = masked_write};
    FILE *f = fopencookie((void *)(intptr_t)fd, "w", io);
    if (f && setvbuf(f, NULL, _IOLBF, LINE_BUF) != 0) {
        fclose(f);
        return NULL;
    }
    return f;
}

void outmask_install(void)
{
    if (terminal)
        return;
    terminal = stdout;
    FILE *out = masked_stream(STDOUT_FILENO), *err = masked_stream(STDERR_FILENO);
    if (out)
        stdout = out;
    if (err)
        stderr = err;
}

FILE *outmask_terminal(void)
{
    return terminal ? terminal : stdout;
}
