/* test_mapping.c — the ## Mapping section: its syntax with problems at
 * their lines, and the plan resolved against both tables' columns. */
#include <stdlib.h>

#include "check.h"
#include "core/mapping.h"

static const char *const HEAD = "# M\n\n## Roles\n- commander: A\n\n## Systems\n"
                                "- old: sqlite `o.db` table `a`\n- new: sqlite `n.db` table `b`\n\n";

/* Parses HEAD + section; the runbook is kept for the mapping's life. */
static struct runbook *parse(const char *section, struct mapping *m)
{
    char text[2048];
    snprintf(text, sizeof text, "%s%s\n## Phase 1: X {readonly}\n- [ ] commander: go\n", HEAD, section);
    struct rb_problems pr = {0};
    struct runbook *rb = runbook_parse("t.md", text, strlen(text), &pr);
    rb_problems_free(&pr);
    CHECK(rb != NULL);
    CHECK(rb && mapping_parse(rb, m) == 0);
    return rb;
}

static char *OLD[] = {"id", "customer_name", "total_cents", "note", "legacy", "updated_at"};
static char *NEW[] = {"id", "customer", "total", "note", "currency", "updated_at", "legacy"};
static char *PK[] = {"id"};

TEST(no_section_matches_columns_by_name)
{
    struct mapping m;
    struct map_plan p;
    struct runbook *rb = parse("", &m);
    CHECK(m.line == 0);
    CHECK(mapping_plan(&m, OLD, 6, NEW, 7, PK, 1, NULL, &p) == 0);
    CHECK(p.n_cols == 4); /* id, note, updated_at, legacy */
    CHECK(p.n_key == 1 && strcmp(p.cols[p.key[0]].name, "id") == 0);
    CHECK(p.version == -1);
    map_plan_free(&p);
    mapping_free(&m);
    runbook_free(rb);
}

TEST(renames_expressions_defaults_and_exclusions)
{
    struct mapping m;
    struct map_plan p;
    struct runbook *rb = parse("## Mapping\n\n- key `id`\n- version `updated_at`\n"
                               "- `customer` from `customer_name`\n- `total` from `total_cents / 100.0`\n"
                               "- `currency` default `'EUR'`\n- exclude `legacy`\n", &m);
    CHECK(m.n_problems == 0);
    CHECK(mapping_plan(&m, OLD, 6, NEW, 7, PK, 1, NULL, &p) == 0);
    CHECK(p.n_cols == 6);
    CHECK_STR(p.cols[1].name, "customer");
    CHECK_STR(p.cols[1].old_name, "customer_name");
    CHECK_STR(p.cols[2].old_sql, "total_cents / 100.0");
    CHECK(p.cols[2].old_name == NULL && p.cols[2].compared);
    CHECK_STR(p.cols[4].name, "currency");
    CHECK(!p.cols[4].compared);
    CHECK(p.version == 5);
    for (size_t i = 0; i < p.n_cols; i++)
        CHECK(strcmp(p.cols[i].name, "legacy") != 0);
    map_plan_free(&p);
    mapping_free(&m);
    runbook_free(rb);
}

TEST(problems_name_their_lines)
{
    struct mapping m;
    struct map_plan p;
    /* the section's heading is line 10 */
    struct runbook *rb = parse("## Mapping\n- `customer` to `customer_name`\n- key `id`\n- key `id`\n"
                               "- `nope` from `id`\n- `customer` from `missing`\n- exclude `ghost`\n"
                               "- version `currency`\n", &m);
    CHECK(m.n_problems == 2);
    CHECK(m.n_problems > 0 && m.problems[0].line == 11);
    CHECK(m.n_problems > 1 && m.problems[1].line == 13);
    CHECK(mapping_plan(&m, OLD, 6, NEW, 7, PK, 1, NULL, &p) != 0);
    CHECK(m.n_problems == 6);
    CHECK(m.n_problems > 2 && m.problems[2].line == 14 && strstr(m.problems[2].msg, "`nope`"));
    CHECK(m.n_problems > 3 && m.problems[3].line == 15 && strstr(m.problems[3].msg, "`missing`"));
    CHECK(m.n_problems > 4 && m.problems[4].line == 16 && strstr(m.problems[4].msg, "`ghost`"));
    CHECK(m.n_problems > 5 && m.problems[5].line == 17);
    map_plan_free(&p);
    mapping_free(&m);
    runbook_free(rb);
}

TEST(a_composite_key_and_a_key_that_is_an_expression)
{
    struct mapping m;
    struct map_plan p;
    static char *o[] = {"region", "n", "v"}, *nw[] = {"region", "num", "v"};
    struct runbook *rb = parse("## Mapping\n- key `region, num`\n- `num` from `n`\n", &m);
    CHECK(mapping_plan(&m, o, 3, nw, 3, NULL, 0, NULL, &p) == 0);
    CHECK(p.n_key == 2 && p.key[0] == 0 && p.key[1] == 1);
    map_plan_free(&p);
    mapping_free(&m);
    runbook_free(rb);
    rb = parse("## Mapping\n- key `num`\n- `num` from `n + 1`\n", &m);
    CHECK(mapping_plan(&m, o, 3, nw, 3, NULL, 0, NULL, &p) != 0);
    CHECK(m.n_problems == 1 && strstr(m.problems[0].msg, "key column `num`"));
    map_plan_free(&p);
    mapping_free(&m);
    runbook_free(rb);
}

TEST(the_system_key_attribute_is_used_without_a_mapping_key)
{
    struct mapping m;
    struct map_plan p;
    struct runbook *rb = parse("", &m);
    CHECK(mapping_plan(&m, OLD, 6, NEW, 7, NULL, 0, "note", &p) == 0);
    CHECK(p.n_key == 1 && strcmp(p.cols[p.key[0]].name, "note") == 0);
    map_plan_free(&p);
    mapping_free(&m);
    CHECK(mapping_parse(rb, &m) == 0);
    CHECK(mapping_plan(&m, OLD, 6, NEW, 7, NULL, 0, NULL, &p) != 0); /* no key at all */
    map_plan_free(&p);
    mapping_free(&m);
    runbook_free(rb);
}

RUN_TESTS(T(no_section_matches_columns_by_name), T(renames_expressions_defaults_and_exclusions),
          T(problems_name_their_lines), T(a_composite_key_and_a_key_that_is_an_expression),
          T(the_system_key_attribute_is_used_without_a_mapping_key))
