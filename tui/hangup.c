/* hangup.c — a screen's terminal can vanish without a SIGHUP reaching the
 * console: the kernel sends it to the terminal's session leader, so a
 * console started under `setsid`, or whose shell died first, is told
 * nothing. A poll then says the descriptor hung up, every read fails at
 * once, and a loop that waits on it would spin forever on a dead screen.
 * The loops ask here each turn and quit as on SIGHUP. */
#include "hangup.h"

#include <poll.h>
#include <unistd.h>

int terminal_gone(void)
{
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0)
        return 0;
    return (p.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}
