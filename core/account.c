/* account.c — the process's OS account (see account.h). */
#include "account.h"

#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

void os_account(char *out, size_t len)
{
    struct passwd pw, *res = NULL;
    char buf[1024];
    uid_t uid = geteuid();
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res && res->pw_name && res->pw_name[0])
        snprintf(out, len, "%s", res->pw_name);
    else
        snprintf(out, len, "%lu", (unsigned long)uid);
}
