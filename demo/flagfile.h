/* flagfile.h — one boolean flag of an OpenFeature flagd definition file,
 * evaluated the way flagd does (checked against @openfeature/flagd-core
 * 4.0.1): the `fractional` targeting rule hashes flag key + targeting key
 * with MurmurHash3 (x86, 32 bit, seed 0), scales the hash to the sum of
 * the weights, and takes the first bucket whose running sum passes it. So
 * a key that is on at 5 % stays on at 25 %, and ordersim routes exactly
 * the keys a flagd provider would. */
#ifndef ORDERSIM_FLAGFILE_H
#define ORDERSIM_FLAGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FLAG_MAX_BUCKETS 16

struct flag_rule {
    bool valid;      /* false: missing, invalid or unsupported; routes nothing */
    char why[200];   /* what the file says, or what is wrong with it, for the log */
    char key[128];   /* the flag's key: the first half of what is hashed */
    bool fractional; /* false: every key gets default_on */
    bool default_on;
    bool key_only;   /* bucket by the targeting key alone ({"var": "targetingKey"}) */
    char bucket_by[128]; /* a literal bucketBy string, when given */
    bool has_bucket_by;
    int nbuckets;
    struct {
        uint64_t weight;
        bool on;
    } buckets[FLAG_MAX_BUCKETS];
    uint64_t total;
    double ratio; /* share of keys that are on, 0..1 */
};

/* Reads flag `name` out of the text of a flagd file into *r. Always fills
 * r (valid or not, with why); returns 0 when valid, -1 otherwise. */
int flagfile_parse(const char *text, const char *name, struct flag_rule *r);

/* A rule that sends nothing to new, with the reason (file missing, ...). */
void flagfile_invalid(struct flag_rule *r, const char *name, const char *why);

/* True when targeting_key is served the "on" (true) variant. */
bool flagfile_on(const struct flag_rule *r, const char *targeting_key);

uint32_t flagfile_murmur3(const void *data, size_t len, uint32_t seed);

#endif
