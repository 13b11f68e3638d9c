/* UPDATE orders_legacy SET status = 'x' was the old way
 * and is kept here as a note only */
static const char *close_order = "UPDATE orders_legacy SET status = 'closed' WHERE id = ?";
