/* test_pgwriters.c — the statement parser of the statistics source: which
 * SQL texts write the old table, through which name, with which verbs.
 * Writes by every verb and through views, triggers and functions count;
 * reads, row locks, a COPY out, comments, literals and columns named
 * like the table do not. */
#include "check.h"
#include "core/pgwriters.h"

#include <string.h>

static struct pgw_name entries[] = {
    {PGW_TABLE, "public", "orders_legacy", 0, 0, 0, "", "the table"},
    {PGW_VIEW_AUTO, "public", "orders_open", 0, 0, 0, "", "auto-updatable view"},
    {PGW_VIEW_INSTEAD, "public", "order_entry", PGW_INSERT, PGW_INSERT, 0, "", "instead of"},
    {PGW_TRIGGER, "public", "payments", PGW_UPDATE, PGW_INSERT, 0, "", "trigger"},
    {PGW_FUNCTION, "public", "record_order", PGW_INSERT, 0, 1, "owner", "function"},
};
static const struct pgw_names names = {entries, sizeof entries / sizeof entries[0]};

static unsigned w(const char *sql)
{
    return pgw_writes(sql, &names, 0, NULL);
}

static int via(const char *sql)
{
    int v = -2;
    pgw_writes(sql, &names, 0, &v);
    return v;
}

TEST(every_verb_on_the_table)
{
    CHECK(w("INSERT INTO orders_legacy (customer, amount) VALUES ($1, $2)") == PGW_INSERT);
    CHECK(w("insert into public.orders_legacy values ($1)") == PGW_INSERT);
    CHECK(w("INSERT INTO \"orders_legacy\" VALUES ($1)") == PGW_INSERT);
    CHECK(w("UPDATE orders_legacy SET amount = $1 WHERE id = $2") == PGW_UPDATE);
    CHECK(w("UPDATE ONLY orders_legacy o SET amount = $1") == PGW_UPDATE);
    CHECK(w("update orders_legacy AS o set amount = 0") == PGW_UPDATE);
    CHECK(w("DELETE FROM orders_legacy WHERE id = $1") == PGW_DELETE);
    CHECK(w("MERGE INTO orders_legacy t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = 1")
          == PGW_MERGE);
    CHECK(w("COPY orders_legacy (customer, amount) FROM STDIN") == PGW_COPY);
    CHECK(w("copy orders_legacy from '/tmp/x.csv' with (format csv)") == PGW_COPY);
    CHECK(w("TRUNCATE TABLE other, orders_legacy") == PGW_TRUNCATE);
    CHECK(w("INSERT INTO orders_legacy (id, a) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET a = "
            "excluded.a") == (PGW_INSERT | PGW_UPSERT));
    CHECK(w("INSERT INTO orders_legacy VALUES ($1) ON CONFLICT DO NOTHING") == PGW_INSERT);
    CHECK(via("DELETE FROM orders_legacy") == 0);
}

TEST(a_data_modifying_cte)
{
    CHECK(w("WITH moved AS (DELETE FROM archive WHERE id < $1 RETURNING *) "
            "INSERT INTO orders_legacy SELECT * FROM moved") == PGW_INSERT);
    CHECK(w("WITH gone AS (DELETE FROM orders_legacy WHERE id = $1 RETURNING id) "
            "SELECT count(*) FROM gone") == PGW_DELETE);
}

TEST(reads_are_not_writes)
{
    CHECK(w("SELECT * FROM orders_legacy WHERE id = $1 FOR UPDATE") == 0);
    CHECK(w("SELECT * FROM orders_legacy FOR NO KEY UPDATE OF orders_legacy") == 0);
    CHECK(w("COPY orders_legacy TO STDOUT") == 0);
    CHECK(w("COPY (SELECT * FROM orders_legacy) TO STDOUT") == 0);
    CHECK(w("UPDATE other SET orders_legacy = $1") == 0);          /* a column */
    CHECK(w("INSERT INTO orders_legacy_old SELECT * FROM orders_legacy") == 0);
    CHECK(w("INSERT INTO other.orders_legacy VALUES (1)") == 0);    /* another schema */
    CHECK(w("SELECT 'INSERT INTO orders_legacy VALUES (1)'") == 0);
    CHECK(w("-- INSERT INTO orders_legacy\nSELECT 1") == 0);
    CHECK(w("/* DELETE FROM orders_legacy */ SELECT 1") == 0);
    CHECK(w("SELECT $q$ DELETE FROM orders_legacy $q$") == 0);
    CHECK(via("SELECT 1") == -1);
}

TEST(views_triggers_and_functions)
{
    CHECK(w("UPDATE orders_open SET amount = $1 WHERE id = $2") == PGW_UPDATE);
    CHECK(via("UPDATE orders_open SET amount = $1") == 1);
    CHECK(w("INSERT INTO order_entry (customer) VALUES ($1)") == PGW_INSERT);
    CHECK(w("DELETE FROM order_entry WHERE id = $1") == 0);         /* the trigger is INSERT only */
    CHECK(w("INSERT INTO payments (order_id, amount) VALUES ($1, $2)") == PGW_UPDATE);
    CHECK(via("INSERT INTO payments VALUES ($1)") == 3);
    CHECK(w("UPDATE payments SET amount = $1") == 0);               /* fires no trigger that writes */
    CHECK(w("COPY payments FROM STDIN") == PGW_UPDATE);             /* COPY fires INSERT triggers */
    CHECK(w("SELECT record_order($1, $2)") == PGW_INSERT);
    CHECK(w("SELECT public.record_order($1, $2)") == PGW_INSERT);
    CHECK(w("CALL record_order($1, $2)") == PGW_INSERT);
    CHECK(via("SELECT record_order($1)") == 4);
    CHECK(w("SELECT record_order_count()") == 0);
}

TEST(function_bodies_see_inside_strings)
{
    const char *body = "BEGIN EXECUTE 'DELETE FROM orders_legacy WHERE id = ' || $1; END";
    CHECK(pgw_writes(body, &names, 0, NULL) == 0);
    CHECK(pgw_writes(body, &names, 1, NULL) == PGW_DELETE);
    CHECK(pgw_writes("BEGIN EXECUTE 'UPDATE orders_legacy SET note = ''x'''; END", &names, 1, NULL)
          == PGW_UPDATE);
}

TEST(ops_in_words)
{
    char buf[80];
    pgw_ops_text(PGW_INSERT | PGW_UPSERT | PGW_COPY, buf, sizeof buf);
    CHECK_STR(buf, "insert,copy,upsert");
    pgw_ops_text(0, buf, sizeof buf);
    CHECK_STR(buf, "-");
}

RUN_TESTS(T(every_verb_on_the_table), T(a_data_modifying_cte), T(reads_are_not_writes),
          T(views_triggers_and_functions), T(function_bodies_see_inside_strings), T(ops_in_words))
