/* test_codescan.c — the writer audit's code search on a small tree in
 * seven languages (tests/writers/code): each write, read and declaration
 * at its line, names learnt from ORM declarations, an annotation, an
 * environment file and a Go receiver, a name built from pieces flagged as
 * possible, and nothing from comments, docstrings or documentation. */
#include "check.h"
#include "core/codescan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct code_site *site(const struct code_scan *s, const char *path, int line)
{
    for (size_t i = 0; i < s->n_sites; i++)
        if (strcmp(s->sites[i].path, path) == 0 && s->sites[i].line == line)
            return &s->sites[i];
    return NULL;
}

static int is(const struct code_scan *s, const char *path, int line, enum code_use use)
{
    const struct code_site *c = site(s, path, line);
    if (!c || c->use != use) {
        printf("  %s:%d: expected %s, got %s\n", path, line, codescan_use_name(use),
               c ? codescan_use_name(c->use) : "nothing");
        return 0;
    }
    return 1;
}

static int none_in(const struct code_scan *s, const char *path, int from, int to)
{
    for (int l = from; l <= to; l++)
        if (site(s, path, l)) {
            printf("  %s:%d: not a site, got %s\n", path, l, codescan_use_name(site(s, path, l)->use));
            return 0;
        }
    return 1;
}

TEST(the_tree_in_seven_languages)
{
    struct code_scan s;
    struct error err = {{0}};
    const char *models[] = {"LegacyOrder"};
    CHECK(codescan_run("tests/writers/code", "orders_legacy", models, 1, &s, &err) == 0);
    for (size_t i = 0; i < s.n_sites; i++)
        printf("  %-26s %3d %-9s %-16s %s\n", s.sites[i].path, s.sites[i].line,
               codescan_use_name(s.sites[i].use), s.sites[i].name, s.sites[i].text);
    /* Go: the receiver's TableName declares; Create writes; Find reads */
    CHECK(is(&s, "go/orders.go", 11, CODE_DECLARES));
    CHECK(is(&s, "go/orders.go", 15, CODE_WRITE));
    CHECK(is(&s, "go/orders.go", 18, CODE_REFERENCE));
    CHECK(is(&s, "go/orders.go", 20, CODE_READ));
    CHECK(none_in(&s, "go/orders.go", 24, 24));               /* a comment */
    CHECK(is(&s, "go/orders.go", 27, CODE_POSSIBLE));         /* Sprintf of pieces */
    /* Python: the docstring and the comment are not sites; session.add writes */
    CHECK(none_in(&s, "py/models.py", 1, 4));
    CHECK(is(&s, "py/models.py", 11, CODE_DECLARES));
    CHECK(none_in(&s, "py/models.py", 15, 15));
    CHECK(is(&s, "py/models.py", 16, CODE_WRITE));
    /* Ruby: a model named otherwise (Archive), learnt from self.table_name */
    CHECK(is(&s, "rb/archive.rb", 2, CODE_DECLARES));
    CHECK(none_in(&s, "rb/archive.rb", 5, 5));
    CHECK(is(&s, "rb/archive.rb", 7, CODE_WRITE));
    /* Java: the class below @Table is learnt; persist writes */
    CHECK(is(&s, "java/LegacyOrderEntity.java", 4, CODE_DECLARES));
    CHECK(is(&s, "java/LegacyOrderEntity.java", 11, CODE_WRITE));
    /* JS: the environment variable that holds the name; insert writes */
    CHECK(is(&s, "js/.env", 1, CODE_DECLARES));
    CHECK(is(&s, "js/batch.js", 5, CODE_WRITE));
    CHECK(is(&s, "js/batch.js", 8, CODE_REFERENCE));          /* in a string, not a comment */
    /* SQL: the commented DELETE is not a site; a two-line INSERT writes */
    CHECK(none_in(&s, "sql/monthly_batch.sql", 1, 1));
    CHECK(is(&s, "sql/monthly_batch.sql", 2, CODE_WRITE));
    CHECK(is(&s, "sql/monthly_batch.sql", 4, CODE_READ));
    /* C: a block comment over two lines is not a site */
    CHECK(none_in(&s, "c/legacy.c", 1, 2));
    CHECK(is(&s, "c/legacy.c", 3, CODE_WRITE));
    /* documentation is not read */
    CHECK(none_in(&s, "docs/runbook.md", 1, 1));
    CHECK(s.files_skipped >= 1);
    codescan_free(&s);
}

TEST(comments_blanked_strings_kept)
{
    char out[256];
    int blk = 0;
    codescan_strip("go", "x := \"a // b\" // c", out, sizeof out, &blk);
    CHECK(strcmp(out, "x := \"a // b\" ") == 0);
    codescan_strip("sql", "select 1 -- two", out, sizeof out, &blk);
    CHECK(strcmp(out, "select 1 ") == 0);
    codescan_strip("c", "a /* b", out, sizeof out, &blk);
    CHECK(blk == 1 && strcmp(out, "a ") == 0);
    codescan_strip("c", "c */ d", out, sizeof out, &blk);
    CHECK(blk == 0 && strcmp(out, " d") == 0);
    codescan_strip("py", "x = '#' # y", out, sizeof out, &blk);
    CHECK(strcmp(out, "x = '#' ") == 0);
    CHECK(codescan_has_word("INSERT INTO Orders_Legacy(", "orders_legacy"));
    CHECK(!codescan_has_word("orders_legacy_old", "orders_legacy"));
}

TEST(a_missing_directory_is_an_error)
{
    struct code_scan s;
    struct error err = {{0}};
    CHECK(codescan_run("tests/writers/nope", "t1", NULL, 0, &s, &err) == -1);
    CHECK(strstr(err.msg, "tests/writers/nope") != NULL);
}

/* Names built from a piece of the table's name and a variable:
 * possible, in Go, Python, SQL, JS and Ruby; a piece that is not cut at
 * an underscore, or a piece with nothing joined, is not. */
TEST(a_piece_joined_with_a_variable_is_possible)
{
    char dir[] = "/tmp/cutover-codescan.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/pieces.go", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("package x\n"
          "var a = fmt.Sprintf(\"orders_%s\", kind)\n"          /* 2 */
          "var b = \"orders_\" + suffix\n"                      /* 3 */
          "var c = fmt.Sprintf(\"%s_legacy\", prefix)\n"        /* 4 */
          "var d = \"orders\" + x\n"                            /* 5: not cut at _ */
          "var e = \"orders_\"\n"                               /* 6: nothing joined */
          "var g = \"ord\" + y\n", f);                          /* 7 */
    fclose(f);
    snprintf(path, sizeof path, "%s/pieces.py", dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("t = f\"orders_{kind}\"\n"                              /* 1 */
          "u = 'orders_' + kind\n", f);                          /* 2 */
    fclose(f);
    snprintf(path, sizeof path, "%s/pieces.sql", dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("EXECUTE format('INSERT INTO %I', 'orders_' || suffix);\n"   /* 1 */
          "EXECUTE format('%s_legacy', prefix);\n", f);                /* 2 */
    fclose(f);
    snprintf(path, sizeof path, "%s/pieces.js", dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("const t = `orders_${kind}`;\n", f);                   /* 1 */
    fclose(f);
    snprintf(path, sizeof path, "%s/pieces.rb", dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("t = \"orders_#{kind}\"\n", f);                        /* 1 */
    fclose(f);
    struct code_scan s;
    struct error err = {{0}};
    CHECK(codescan_run(dir, "orders_legacy", NULL, 0, &s, &err) == 0);
    CHECK(is(&s, "pieces.go", 2, CODE_POSSIBLE));
    CHECK(is(&s, "pieces.go", 3, CODE_POSSIBLE));
    CHECK(is(&s, "pieces.go", 4, CODE_POSSIBLE));
    CHECK(none_in(&s, "pieces.go", 5, 7));
    CHECK(is(&s, "pieces.py", 1, CODE_POSSIBLE));
    CHECK(is(&s, "pieces.py", 2, CODE_POSSIBLE));
    CHECK(is(&s, "pieces.sql", 1, CODE_POSSIBLE));
    CHECK(is(&s, "pieces.sql", 2, CODE_POSSIBLE));
    CHECK(is(&s, "pieces.js", 1, CODE_POSSIBLE));
    CHECK(is(&s, "pieces.rb", 1, CODE_POSSIBLE));
    codescan_free(&s);
    const char *names[] = {"pieces.go", "pieces.py", "pieces.sql", "pieces.js", "pieces.rb"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

RUN_TESTS(T(the_tree_in_seven_languages), T(comments_blanked_strings_kept),
          T(a_missing_directory_is_an_error), T(a_piece_joined_with_a_variable_is_possible))
