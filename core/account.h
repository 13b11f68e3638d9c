/* account.h — the operating-system account this process runs as: who sits
 * at a console as the machine knows them, beside who they say they are. */
#ifndef CUTOVER_ACCOUNT_H
#define CUTOVER_ACCOUNT_H

#include <stddef.h>

/* The effective user's login name, or its number when it has none. */
void os_account(char *out, size_t len);

#endif
