/* keyorder.h — whether old's key and new's order alike. A comparison cuts
 * key ranges on one side and checks the same ranges on the other: a key
 * that sorts as a number on one side and as text on the other (bigint
 * old, text new: 10 after 9, '10' before '9'), or as another type, puts
 * the same rows in different ranges, and every row would be found
 * missing on one side and extra on the other. Such a key is refused in
 * words before a comparison begins. Text keys in different collations
 * of PostgreSQL are not refused: the comparison orders text by its bytes
 * on both sides; an SQLite key declared with a collation other than
 * BINARY (NOCASE: 'B' beside 'b') orders otherwise in SQLite, and is
 * refused. */
#ifndef CUTOVER_KEYORDER_H
#define CUTOVER_KEYORDER_H

#include "datajob.h"

/* 0 when each key column orders alike in old and new (a number both, text
 * both, or the same type); -1 with err naming the first that does not,
 * or why the types could not be read. An SQLite column orders by what it
 * holds (its lowest and highest values' storage classes, two index
 * lookups): one with no declared type holding integers orders as a
 * number whatever its declaration says; an empty one, or one holding
 * blobs, by its declaration, and with none it is taken to order alike. */
int keyorder_alike(const struct datajob *j, struct error *err);

#endif
