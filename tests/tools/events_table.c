/* events_table.c — README.md's event table, generated from core/events.def
 * (through events_table_markdown), so the documentation cannot drift from
 * the code that encodes, validates and describes the events.
 *
 *   events_table                  prints the table
 *   events_table --check README   exit 0 when README's table is the table,
 *                                 1 (and what to run) when it differs
 *   events_table --write README   replaces README's table in place
 *
 * The table sits between the lines "<!-- events:begin -->" and
 * "<!-- events:end -->". Usage errors exit 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/events.h"

#define BEGIN "<!-- events:begin (generated from core/events.def: build/tools/events_table --write README.md) -->\n"
#define END "<!-- events:end -->\n"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (text && fread(text, 1, (size_t)n, f) != (size_t)n) {
        free(text);
        text = NULL;
    }
    fclose(f);
    if (text) {
        text[n] = '\0';
        *len = (size_t)n;
    }
    return text;
}

int main(int argc, char **argv)
{
    char *table = events_table_markdown();
    if (!table)
        return 1;
    if (argc == 1) {
        fputs(table, stdout);
        free(table);
        return 0;
    }
    if (argc != 3 || (strcmp(argv[1], "--check") != 0 && strcmp(argv[1], "--write") != 0)) {
        fprintf(stderr, "usage: events_table [--check|--write README.md]\n");
        free(table);
        return 2;
    }
    size_t len = 0;
    char *readme = slurp(argv[2], &len);
    char *begin = readme ? strstr(readme, BEGIN) : NULL;
    char *end = begin ? strstr(begin, END) : NULL;
    if (!begin || !end) {
        fprintf(stderr, "events_table: %s has no \"%.*s\" … \"%.*s\" section\n", argv[2],
                (int)strlen(BEGIN) - 1, BEGIN, (int)strlen(END) - 1, END);
        free(readme);
        free(table);
        return 1;
    }
    char *body = begin + strlen(BEGIN);
    int same = (size_t)(end - body) == strlen(table) && memcmp(body, table, strlen(table)) == 0;
    int rc = 0;
    if (strcmp(argv[1], "--check") == 0) {
        if (!same) {
            fprintf(stderr, "events_table: the event table in %s differs from core/events.def; "
                            "run: make build/tools/events_table && build/tools/events_table "
                            "--write %s\n", argv[2], argv[2]);
            rc = 1;
        }
    } else if (!same) {
        FILE *f = fopen(argv[2], "wb");
        if (!f || fwrite(readme, 1, (size_t)(body - readme), f) != (size_t)(body - readme) ||
            fputs(table, f) < 0 || fputs(end, f) < 0)
            rc = 1;
        if (f && fclose(f) != 0)
            rc = 1;
        if (rc)
            fprintf(stderr, "events_table: cannot write %s\n", argv[2]);
    }
    free(readme);
    free(table);
    return rc;
}
