/* rowhash.h — the checksum compare asks each SQLite database for: an
 * aggregate cutover_rowhash(col, …) registered on the connection, the sum
 * (mod 2^64) of a 64-bit hash of each row's canonical values (canon.h).
 * A sum does not depend on row order, so a range's checksum is one scan. */
#ifndef CUTOVER_ROWHASH_H
#define CUTOVER_ROWHASH_H

#include <stdint.h>

#include <sqlite3.h>

#include "canon.h"

/* The value as canon.h reads it (valid while the value is). */
struct cval rowhash_cval(sqlite3_value *v);

/* The hash of one row of n values; scratch is a buffer kept from row to
 * row (the caller frees it). */
uint64_t rowhash_row(sqlite3_value **v, int n, struct cbuf *scratch);

/* Registers cutover_rowhash on db, and cutover_rowhash1(col, …), one
 * row's hash. SQLITE_OK or an SQLite error code. */
int rowhash_register(sqlite3 *db);

/* Registers cutover_rowmd5(col, …) on db: the checksum a comparison
 * against PostgreSQL asks for (pgcompare.h), the sum mod 2^64 of each
 * row's pgdata_rowhash over its canonical values, each ended by 0x1F. */
int rowhash_register_md5(sqlite3 *db);

#endif
