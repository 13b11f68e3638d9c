/* loop.c — waiting on curl's multi handle, the terminal and a wake-up pipe
 * at once, so that no endpoint, however slow, can hold the keys. */
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int loop_init(struct loop *l, int watch_stdin)
{
    memset(l, 0, sizeof *l);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    l->wake_rd = fds[0];
    l->wake_wr = fds[1];
    l->watch_stdin = watch_stdin;
    l->multi = curl_multi_init();
    return l->multi ? 0 : -1;
}

void loop_free(struct loop *l)
{
    if (l->multi)
        curl_multi_cleanup(l->multi);
    if (l->wake_rd > 0)
        close(l->wake_rd);
    if (l->wake_wr > 0)
        close(l->wake_wr);
    free(l->extra_fds);
    memset(l, 0, sizeof *l);
}

void loop_wake(struct loop *l)
{
    int saved = errno; /* async-signal-safe: write() only */
    ssize_t n = write(l->wake_wr, "w", 1);
    (void)n;           /* a full pipe already means "woken" */
    errno = saved;
}

static void drain(int fd)
{
    char buf[64];
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

int loop_add_fd(struct loop *l, int fd)
{
    if (fd < 0)
        return -1;
    if (l->n_extra == l->cap_extra) {
        int cap = l->cap_extra ? l->cap_extra * 2 : 8;
        int *v = realloc(l->extra_fds, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        l->extra_fds = v;
        l->cap_extra = cap;
    }
    l->extra_fds[l->n_extra++] = fd;
    return 0;
}

int loop_perform(struct loop *l)
{
    int running = 0;
    curl_multi_perform(l->multi, &running);
    return running;
}

int loop_wait(struct loop *l, int timeout_ms)
{
    struct curl_waitfd small[16], *extra = small;
    unsigned n = 0, in = 0, ex = 0;
    size_t want = (size_t)l->n_extra + 2;
    if (want > sizeof small / sizeof small[0] && !(extra = malloc(want * sizeof *extra)))
        extra = small;   /* out of memory: wait on the first few only */
    size_t room = extra == small ? sizeof small / sizeof small[0] : want;
    extra[n++] = (struct curl_waitfd){.fd = l->wake_rd, .events = CURL_WAIT_POLLIN};
    if (l->watch_stdin) {
        in = n;
        extra[n++] = (struct curl_waitfd){.fd = STDIN_FILENO, .events = CURL_WAIT_POLLIN};
    }
    ex = n;
    for (int i = 0; i < l->n_extra && n < room; i++)
        extra[n++] = (struct curl_waitfd){.fd = l->extra_fds[i], .events = CURL_WAIT_POLLIN};
    int numfds = 0;
    curl_multi_poll(l->multi, extra, n, timeout_ms, &numfds);
    int ready = 0;
    if (extra[0].revents) {
        drain(l->wake_rd);
        ready |= LOOP_WOKEN;
    }
    if (in && extra[in].revents)
        ready |= LOOP_INPUT;
    for (unsigned i = ex; i < n; i++)
        if (extra[i].revents)
            ready |= LOOP_EXTRA;
    if (extra != small)
        free(extra);
    return ready;
}
