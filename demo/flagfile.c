/* flagfile.c — parsing one flag out of a flagd file and evaluating it for a
 * targeting key (see flagfile.h). Anything beyond a boolean flag with an
 * optional `fractional` rule is refused as unsupported rather than guessed
 * at: a service that misreads its flag is worse than one that stays on old
 * and says so. */
#include "flagfile.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

uint32_t flagfile_murmur3(const void *data, size_t len, uint32_t seed)
{
    const uint8_t *p = data;
    const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
    uint32_t h = seed;
    size_t blocks = len / 4;
    for (size_t i = 0; i < blocks; i++) {
        uint32_t k = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
                     (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
        k *= c1;
        k = (k << 15) | (k >> 17);
        k *= c2;
        h ^= k;
        h = (h << 13) | (h >> 19);
        h = h * 5 + 0xe6546b64;
    }
    const uint8_t *tail = p + blocks * 4;
    uint32_t k = 0;
    switch (len & 3) {
    case 3: k ^= (uint32_t)tail[2] << 16; /* fall through */
    case 2: k ^= (uint32_t)tail[1] << 8;  /* fall through */
    case 1:
        k ^= tail[0];
        k *= c1;
        k = (k << 15) | (k >> 17);
        k *= c2;
        h ^= k;
        break;
    default: break;
    }
    h ^= (uint32_t)len;
    h ^= h >> 16;
    h *= 0x85ebca6b;
    h ^= h >> 13;
    h *= 0xc2b2ae35;
    h ^= h >> 16;
    return h;
}

void flagfile_invalid(struct flag_rule *r, const char *name, const char *why)
{
    memset(r, 0, sizeof *r);
    snprintf(r->key, sizeof r->key, "%s", name);
    snprintf(r->why, sizeof r->why, "%s", why);
}

static int refuse(struct flag_rule *r, const char *name, const char *why)
{
    flagfile_invalid(r, name, why);
    return -1;
}

/* The boolean value of variant `v` of flag: 1, 0, or -1 when it is not a
 * true/false variant of this flag. */
static int variant_on(const cJSON *flag, const char *v)
{
    const cJSON *variants = cJSON_GetObjectItemCaseSensitive(flag, "variants");
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(variants, v);
    return cJSON_IsTrue(x) ? 1 : cJSON_IsFalse(x) ? 0 : -1;
}

/* The first element of a fractional rule, when it is not a bucket: a
 * literal bucketBy string, or {"var": "targetingKey"}. */
static int bucket_by(const cJSON *first, struct flag_rule *r)
{
    if (cJSON_IsString(first)) {
        snprintf(r->bucket_by, sizeof r->bucket_by, "%s", first->valuestring);
        r->has_bucket_by = true;
        return 0;
    }
    const cJSON *var = cJSON_GetObjectItemCaseSensitive(first, "var");
    if (cJSON_IsObject(first) && cJSON_GetArraySize(first) == 1 && cJSON_IsString(var) &&
        strcmp(var->valuestring, "targetingKey") == 0) {
        r->key_only = true;
        return 0;
    }
    return -1;
}

static int parse_fractional(const cJSON *flag, const cJSON *frac, const char *name,
                            struct flag_rule *r)
{
    if (!cJSON_IsArray(frac) || cJSON_GetArraySize(frac) < 1)
        return refuse(r, name, "its fractional rule is not a list of buckets");
    const cJSON *e = frac->child;
    if (!cJSON_IsArray(e)) {
        if (bucket_by(e, r) != 0)
            return refuse(r, name, "its fractional rule buckets by an expression ordersim "
                                   "does not evaluate");
        e = e->next;
    }
    for (; e; e = e->next) {
        int n = cJSON_GetArraySize(e);
        if (!cJSON_IsArray(e) || n < 1 || n > 2 || !cJSON_IsString(e->child))
            return refuse(r, name, "a fractional bucket is not [\"variant\", weight]");
        if (r->nbuckets == FLAG_MAX_BUCKETS)
            return refuse(r, name, "its fractional rule has too many buckets");
        int on = variant_on(flag, e->child->valuestring);
        if (on < 0)
            return refuse(r, name, "a fractional bucket names a variant that is not "
                                   "true or false");
        double w = 1;
        if (n == 2) {
            const cJSON *wj = e->child->next;
            if (!cJSON_IsNumber(wj) || wj->valuedouble != floor(wj->valuedouble) ||
                wj->valuedouble > 2147483647.0)
                return refuse(r, name, "a fractional weight is not a whole number");
            w = wj->valuedouble < 0 ? 0 : wj->valuedouble; /* flagd clamps to 0 */
        }
        r->buckets[r->nbuckets].weight = (uint64_t)w;
        r->buckets[r->nbuckets].on = on == 1;
        r->total += (uint64_t)w;
        r->nbuckets++;
    }
    if (r->nbuckets == 0)
        return refuse(r, name, "its fractional rule has no buckets");
    if (r->total > 2147483647u)
        return refuse(r, name, "its fractional weights add up to more than 2^31-1");
    r->fractional = true;
    return 0;
}

int flagfile_parse(const char *text, const char *name, struct flag_rule *r)
{
    cJSON *doc = cJSON_Parse(text);
    const cJSON *flags = cJSON_GetObjectItemCaseSensitive(doc, "flags");
    const cJSON *flag = cJSON_GetObjectItemCaseSensitive(flags, name);
    int rc = -1;
    if (!doc)
        refuse(r, name, "the file is not valid JSON");
    else if (!cJSON_IsObject(flags))
        refuse(r, name, "the file has no \"flags\" object");
    else if (!cJSON_IsObject(flag))
        refuse(r, name, "the flag is not in the file");
    else
        rc = 0;
    if (rc != 0) {
        cJSON_Delete(doc);
        return -1;
    }

    flagfile_invalid(r, name, "");
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(flag, "state");
    const cJSON *dv = cJSON_GetObjectItemCaseSensitive(flag, "defaultVariant");
    const cJSON *targeting = cJSON_GetObjectItemCaseSensitive(flag, "targeting");
    const cJSON *frac = cJSON_GetObjectItemCaseSensitive(targeting, "fractional");
    int dv_on = cJSON_IsString(dv) ? variant_on(flag, dv->valuestring) : 0;
    if (!cJSON_IsString(state) ||
        (strcmp(state->valuestring, "ENABLED") && strcmp(state->valuestring, "DISABLED")))
        rc = refuse(r, name, "its state is not ENABLED or DISABLED");
    else if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(flag, "variants")))
        rc = refuse(r, name, "it has no variants");
    else if (dv && !cJSON_IsNull(dv) && dv_on < 0)
        rc = refuse(r, name, "its default variant is not a true/false variant");
    else if (strcmp(state->valuestring, "DISABLED") == 0)
        snprintf(r->why, sizeof r->why, "disabled: every read stays on old");
    else if (targeting && !cJSON_IsNull(targeting) &&
             (!cJSON_IsObject(targeting) ||
              (targeting->child && (!frac || cJSON_GetArraySize(targeting) != 1))))
        rc = refuse(r, name, "its targeting is a rule other than fractional, which ordersim "
                             "does not evaluate");
    else if (frac)
        rc = parse_fractional(flag, frac, name, r);
    if (rc == 0) {
        r->valid = true;
        r->default_on = dv_on == 1 && strcmp(state->valuestring, "DISABLED") != 0;
        uint64_t on = 0;
        for (int i = 0; i < r->nbuckets; i++)
            on += r->buckets[i].on ? r->buckets[i].weight : 0;
        /* with every weight 0 no bucket ever matches: flagd serves the default */
        r->ratio = r->fractional && r->total > 0 ? (double)on / (double)r->total
                                                 : (r->default_on ? 1.0 : 0.0);
        if (!r->why[0])
            snprintf(r->why, sizeof r->why, "%.4g %% of keys to new%s", r->ratio * 100,
                     r->fractional ? "" : " (no fractional rule: the default variant)");
    }
    cJSON_Delete(doc);
    return rc;
}

bool flagfile_on(const struct flag_rule *r, const char *targeting_key)
{
    if (!r->valid)
        return false;
    if (!r->fractional || r->total == 0)
        return r->default_on;
    char buf[300];
    const char *in = buf;
    if (r->has_bucket_by)
        in = r->bucket_by;
    else if (r->key_only)
        in = targeting_key;
    else
        snprintf(buf, sizeof buf, "%s%s", r->key, targeting_key);
    uint64_t hash = flagfile_murmur3(in, strlen(in), 0);
    uint64_t bucket = (hash * r->total) >> 32;
    uint64_t sum = 0;
    for (int i = 0; i < r->nbuckets; i++) {
        sum += r->buckets[i].weight;
        if (sum > bucket)
            return r->buckets[i].on;
    }
    return r->default_on;
}
