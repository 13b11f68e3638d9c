-- DELETE FROM orders_legacy WHERE created < now() - interval '1 year';
INSERT INTO orders_legacy (id, total)
SELECT id, total FROM refunds;
SELECT count(*) FROM orders_legacy;
