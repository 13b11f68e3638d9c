/* flags_flagd.c — a flag in an OpenFeature flagd definition file. The share
 * of traffic is a `fractional` targeting rule, [["on",W],["off",T-W]]; the
 * file is rewritten whole and atomically (a temporary file beside it,
 * fsync, rename, fsync of the directory), so flagd and everyone else see
 * the old file or the new one, never half of one. Only this flag's
 * variants/defaultVariant (when missing), targeting and state are touched;
 * every other flag and key stays as it was. A file that is not JSON, or
 * not a flagd file, is an error and is never overwritten. */
#include "flags_internal.h"
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* NULL but in the unit tests (flags_internal.h). */
int (*flagd_before_rename)(const char *tmp, const char *target);

struct flagd {
    struct flag_driver base;
    char *path;
    char *flag;
};

void flagd_weights(double percent, long *on, long *total)
{
    long scale = 1;
    /* the smallest power of ten that makes the weight a whole number */
    while (scale < 10000 && fabs(percent * scale - round(percent * scale)) > 1e-6)
        scale *= 10;
    *total = 100 * scale;
    *on = lround(percent * scale);
    if (*on > *total)
        *on = *total;
}

/* ------------------------------------------------------------------------
 * Reading the file
 * ------------------------------------------------------------------------ */

/* Reads the whole file into a new string. *missing is set when it does not
 * exist (not an error for the caller to decide). */
static char *slurp(const char *path, int *missing, struct error *err)
{
    *missing = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *missing = errno == ENOENT;
        error_set(err, "cannot read the flag file %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    char *text = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        error_set(err, "the flag file %s is not a regular file", path);
    } else if ((size_t)st.st_size > FLAGS_FILE_MAX_BYTES) {
        error_set(err, "the flag file %s is larger than %u MiB", path,
                  FLAGS_FILE_MAX_BYTES >> 20);
    } else if (!(text = malloc((size_t)st.st_size + 1))) {
        error_set(err, "out of memory");
    } else {
        ssize_t n = read(fd, text, (size_t)st.st_size);
        if (n < 0) {
            error_set(err, "cannot read the flag file %s: %s", path, strerror(errno));
            free(text);
            text = NULL;
        } else {
            text[n] = '\0';
        }
    }
    close(fd);
    return text;
}

/* Parses text as a flagd file: an object with a "flags" object. */
static cJSON *parse_flagd(const char *path, const char *text, struct error *err)
{
    cJSON *doc = cJSON_Parse(text);
    if (!doc) {
        const char *at = cJSON_GetErrorPtr();
        int line = 1;
        for (const char *p = text; at && p < at && *p; p++)
            line += *p == '\n';
        error_set(err, "the flag file %s is not valid JSON (near line %d); it was left "
                  "as it is", path, line);
        return NULL;
    }
    if (!cJSON_IsObject(doc) || !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "flags"))) {
        error_set(err, "the flag file %s is not a flagd file (it has no \"flags\" object); "
                  "it was left as it is", path);
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

static cJSON *load(const char *path, int *missing, struct error *err)
{
    char *text = slurp(path, missing, err);
    if (!text)
        return NULL;
    cJSON *doc = parse_flagd(path, text, err);
    free(text);
    return doc;
}

/* ------------------------------------------------------------------------
 * The share of "on" in a flag
 * ------------------------------------------------------------------------ */

/* 1 when the variant named name is true, 0 when false, -1 otherwise. */
static int variant_value(const cJSON *flag, const cJSON *name)
{
    const cJSON *variants = cJSON_GetObjectItemCaseSensitive(flag, "variants");
    if (!cJSON_IsString(name) || !cJSON_IsObject(variants))
        return -1;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(variants, name->valuestring);
    return cJSON_IsTrue(v) ? 1 : cJSON_IsFalse(v) ? 0 : -1;
}

/* Without targeting (or when no bucket applies) flagd serves the default
 * variant; without one, the application's own default, taken as off. */
static int default_share(const cJSON *flag, double *percent, struct error *err)
{
    const cJSON *dv = cJSON_GetObjectItemCaseSensitive(flag, "defaultVariant");
    if (!dv || cJSON_IsNull(dv)) {
        *percent = 0;
        return 0;
    }
    int v = variant_value(flag, dv);
    if (v < 0) {
        error_set(err, "the default variant is not a true/false variant");
        return -1;
    }
    *percent = v ? 100 : 0;
    return 0;
}

/* Adds up the fractional buckets' weights the way flagd does: a missing
 * weight is 1, a negative one 0; a first element that is not a bucket is
 * the bucketBy expression. */
static int fractional_share(const cJSON *flag, const cJSON *frac, double *percent,
                            struct error *err)
{
    double on = 0, total = 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, frac) {
        if (b == frac->child && !cJSON_IsArray(b))
            continue;
        int n = cJSON_GetArraySize(b);
        const cJSON *w = n == 2 ? cJSON_GetArrayItem(b, 1) : NULL;
        int value = cJSON_IsArray(b) ? variant_value(flag, cJSON_GetArrayItem(b, 0)) : -1;
        if (value < 0 || n < 1 || n > 2 || (w && (!cJSON_IsNumber(w) ||
                                                  w->valuedouble != floor(w->valuedouble)))) {
            error_set(err, "a fractional bucket is not [\"VARIANT\", WEIGHT] with a true/false "
                      "variant and a whole weight");
            return -1;
        }
        double weight = w ? fmax(w->valuedouble, 0) : 1;
        total += weight;
        on += value ? weight : 0;
    }
    if (total == 0)
        return default_share(flag, percent, err);
    *percent = 100.0 * on / total;
    return 0;
}

/* Targeting {} serves the default variant, as no targeting does. */
static int is_empty(const cJSON *targeting)
{
    return cJSON_IsObject(targeting) && !targeting->child;
}

/* {"fractional": [...]} and nothing else: the only rule cutover manages. */
static int is_one_fractional(const cJSON *targeting)
{
    return cJSON_IsObject(targeting) && targeting->child && !targeting->child->next &&
           cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(targeting, "fractional"));
}

static int flag_share(const cJSON *flag, double *percent, struct error *err)
{
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(flag, "state");
    if (cJSON_IsString(state) && strcmp(state->valuestring, "DISABLED") == 0) {
        *percent = 0;   /* flagd answers "disabled": the application's default */
        return 0;
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(flag, "targeting");
    if (!t || is_empty(t))
        return default_share(flag, percent, err);
    if (!is_one_fractional(t)) {
        error_set(err, "its targeting is not one fractional rule, so the share of traffic "
                  "cannot be read from it");
        return -1;
    }
    return fractional_share(flag, cJSON_GetObjectItemCaseSensitive(t, "fractional"), percent,
                            err);
}

/* ------------------------------------------------------------------------
 * Changing the flag in the document
 * ------------------------------------------------------------------------ */

/* The name of the variant with value want: "on"/"off" if they fit, else
 * the first that does. */
static const char *variant_named(const cJSON *variants, const char *pref, int want)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(variants, pref);
    if (v && cJSON_IsTrue(v) == want && cJSON_IsBool(v))
        return pref;
    cJSON_ArrayForEach(v, variants) {
        if (cJSON_IsBool(v) && cJSON_IsTrue(v) == want)
            return v->string;
    }
    return NULL;
}

/* A new flag, or the missing parts of an old one: variants on/off, default
 * off. What the flag already has is kept. */
static int ensure_variants(cJSON *flag, const char **on, const char **off, struct error *err)
{
    cJSON *variants = cJSON_GetObjectItemCaseSensitive(flag, "variants");
    if (!variants) {
        variants = cJSON_AddObjectToObject(flag, "variants");
        if (!variants || !cJSON_AddTrueToObject(variants, "on") ||
            !cJSON_AddFalseToObject(variants, "off")) {
            error_set(err, "out of memory");
            return -1;
        }
    }
    *on = variant_named(variants, "on", 1);
    *off = variant_named(variants, "off", 0);
    if (!cJSON_IsObject(variants) || !*on || !*off) {
        error_set(err, "the flag's variants need one that is true and one that is false");
        return -1;
    }
    if (!cJSON_GetObjectItemCaseSensitive(flag, "defaultVariant") &&
        !cJSON_AddStringToObject(flag, "defaultVariant", *off)) {
        error_set(err, "out of memory");
        return -1;
    }
    return 0;
}

/* {"fractional":[bucketBy?, [on,W], [off,T-W]]}; a bucketBy expression the
 * old rule had is kept (it decides who is in which bucket). */
static cJSON *fractional_rule(const cJSON *old, const char *on, const char *off,
                              double percent)
{
    long w, total;
    flagd_weights(percent, &w, &total);
    cJSON *t = cJSON_CreateObject(), *frac = cJSON_AddArrayToObject(t, "fractional");
    const cJSON *old_frac = cJSON_GetObjectItemCaseSensitive(old, "fractional");
    const cJSON *first = cJSON_IsArray(old_frac) ? old_frac->child : NULL;
    if (frac && first && !cJSON_IsArray(first))
        cJSON_AddItemToArray(frac, cJSON_Duplicate(first, 1));
    cJSON *a = cJSON_CreateArray(), *b = cJSON_CreateArray();
    cJSON_AddItemToArray(frac, a);
    cJSON_AddItemToArray(frac, b);
    cJSON_AddItemToArray(a, cJSON_CreateString(on));
    cJSON_AddItemToArray(a, cJSON_CreateNumber((double)w));
    cJSON_AddItemToArray(b, cJSON_CreateString(off));
    cJSON_AddItemToArray(b, cJSON_CreateNumber((double)(total - w)));
    if (!frac || cJSON_GetArraySize(a) != 2 || cJSON_GetArraySize(b) != 2) {
        cJSON_Delete(t);
        return NULL;
    }
    return t;
}

/* Replaces (or adds) key in obj. */
static int put(cJSON *obj, const char *key, cJSON *item)
{
    if (!item)
        return -1;
    int ok = cJSON_GetObjectItemCaseSensitive(obj, key)
                 ? cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item)
                 : cJSON_AddItemToObject(obj, key, item);
    if (!ok)
        cJSON_Delete(item);
    return ok ? 0 : -1;
}

static int apply(cJSON *flag, double percent, struct error *err)
{
    const char *on, *off;
    if (ensure_variants(flag, &on, &off, err) != 0)
        return -1;
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(flag, "targeting");
    if (old && !is_empty(old) && !is_one_fractional(old)) {
        error_set(err, "its targeting is not one fractional rule; cutover will not replace "
                  "a rule someone wrote (make it {\"fractional\": [...]} or remove it)");
        return -1;
    }
    if (put(flag, "targeting", fractional_rule(old, on, off, percent)) != 0 ||
        put(flag, "state", cJSON_CreateString("ENABLED")) != 0) {
        error_set(err, "out of memory");
        return -1;
    }
    return 0;
}

/* The flag's object in doc, added when create is set. */
static cJSON *find_flag(cJSON *doc, const char *name, int create)
{
    cJSON *flags = cJSON_GetObjectItemCaseSensitive(doc, "flags");
    cJSON *flag = cJSON_GetObjectItemCaseSensitive(flags, name);
    if (!flag && create && (flag = cJSON_AddObjectToObject(flags, name)))
        cJSON_AddStringToObject(flag, "state", "ENABLED");   /* first, as flagd writes it */
    return flag;
}

static cJSON *new_document(void)
{
    cJSON *doc = cJSON_CreateObject();
    if (doc && (!cJSON_AddStringToObject(doc, "$schema", "https://flagd.dev/schema/v0/flags.json") ||
                !cJSON_AddObjectToObject(doc, "flags"))) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

/* ------------------------------------------------------------------------
 * Writing the file atomically
 * ------------------------------------------------------------------------ */

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The new file keeps the old one's mode and owner: flagd may run as
 * another user that must go on reading it. */
static void copy_owner(int fd, const char *target)
{
    struct stat st;
    if (stat(target, &st) == 0) {
        if (fchown(fd, st.st_uid, st.st_gid) != 0) { /* only root may; fine */ }
        fchmod(fd, st.st_mode & 07777);
    } else {
        fchmod(fd, 0644);
    }
}

static int sync_dir(const char *dir, struct error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL)) {
        error_set(err, "the flag file was replaced but its directory %s could not be "
                  "synced: %s", dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* Fills the temporary file and makes it durable before anyone can see it
 * under the real name. */
static int fill_temp(int fd, const char *tmp, const char *target, const char *text,
                     struct error *err)
{
    copy_owner(fd, target);
    int rc = write_all(fd, text, strlen(text)) == 0 && fsync(fd) == 0 ? 0 : -1;
    if (rc != 0)
        error_set(err, "cannot write %s: %s; the flag file was left as it is", tmp,
                  strerror(errno));
    close(fd);
    return rc;
}

/* Writes text to a temporary file in target's directory, then renames it
 * over target; on any failure target is left as it was. */
static int write_atomic(const char *target, const char *text, struct error *err)
{
    char *dcopy = strdup(target), *bcopy = strdup(target);
    char *dir = dcopy ? dirname(dcopy) : NULL, *base = bcopy ? basename(bcopy) : NULL;
    char *tmp = dir && base ? flags_strf("%s/.%s.cutover-XXXXXX", dir, base) : NULL;
    int rc = -1, fd = tmp ? mkstemp(tmp) : -1;
    if (!tmp) {
        error_set(err, "out of memory");
    } else if (fd < 0) {
        error_set(err, "cannot write in the flag file's directory %s: %s (the file is "
                  "replaced by a rename, so the directory must be writable); the flag "
                  "file was left as it is", dir, strerror(errno));
    } else if ((rc = fill_temp(fd, tmp, target, text, err)) != 0) {
        unlink(tmp);
    } else if (flagd_before_rename && flagd_before_rename(tmp, target) != 0) {
        error_set(err, "stopped before the rename, as a crash would");
        rc = -1;   /* and, as after a crash, the temporary file stays */
    } else if (rename(tmp, target) != 0) {
        error_set(err, "cannot rename %s over %s: %s; the flag file was left as it is",
                  tmp, target, strerror(errno));
        unlink(tmp);
        rc = -1;
    } else {
        rc = sync_dir(dir, err);
    }
    free(tmp);
    free(dcopy);
    free(bcopy);
    return rc;
}

/* ------------------------------------------------------------------------
 * The driver
 * ------------------------------------------------------------------------ */

/* Writes through a symbolic link (a mounted ConfigMap is one) rather than
 * replacing the link with a file. */
static char *write_target(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        char *real = realpath(path, NULL);
        if (real)
            return real;
    }
    return strdup(path);
}

/* The document to change: the file as it is, or a new one when there is
 * no file yet. */
static cJSON *load_for_write(const char *target, struct error *err)
{
    int missing = 0;
    cJSON *doc = load(target, &missing, err);
    if (!doc && missing && !(doc = new_document()))
        error_set(err, "out of memory");
    return doc;
}

static int write_doc(const char *target, const cJSON *doc, struct error *err)
{
    char *text = cJSON_Print(doc);
    char *whole = text ? flags_strf("%s\n", text) : NULL;
    int rc = whole ? write_atomic(target, whole, err) : -1;
    if (!whole)
        error_set(err, "out of memory");
    free(text);
    free(whole);
    return rc;
}

static int done_set(int rc, cJSON *doc, char *target)
{
    cJSON_Delete(doc);
    free(target);
    return rc;
}

static int flagd_set(struct flag_driver *base, double percent, struct error *err)
{
    struct flagd *d = (struct flagd *)base;
    char *target = write_target(d->path);
    cJSON *doc = target ? load_for_write(target, err) : NULL;
    cJSON *flag = doc ? find_flag(doc, d->flag, 1) : NULL;
    struct error e;
    int rc = -1;
    if (!target || (doc && !flag))
        error_set(err, "out of memory");
    else if (!doc)
        ;   /* err says why */
    else if (!cJSON_IsObject(flag))
        snprintf(e.msg, sizeof e.msg, "it is not an object");
    else if (apply(flag, percent, &e) == 0)
        return done_set(write_doc(target, doc, err), doc, target);
    if (doc && flag) {   /* the flag's own shape refuses it: only a person's edit helps */
        error_set(err, "flag %s in %s: %s; the file was left as it is", d->flag, target, e.msg);
        rc = FLAGS_REFUSED;
    }
    cJSON_Delete(doc);
    free(target);
    return rc;
}

static int flagd_read(struct flag_driver *base, double *percent, struct error *err)
{
    struct flagd *d = (struct flagd *)base;
    int missing;
    cJSON *doc = load(d->path, &missing, err);
    if (!doc)
        return -1;
    const cJSON *flag = find_flag(doc, d->flag, 0);
    int rc = -1;
    struct error e;
    if (!cJSON_IsObject(flag))
        error_set(err, "flag %s is not in %s", d->flag, d->path);
    else if ((rc = flag_share(flag, percent, &e)) != 0)
        error_set(err, "flag %s in %s: %s", d->flag, d->path, e.msg);
    cJSON_Delete(doc);
    return rc;
}

static int flagd_disabled(struct flag_driver *base, struct error *err)
{
    struct flagd *d = (struct flagd *)base;
    int missing = 0;
    cJSON *doc = load(d->path, &missing, err);
    if (!doc)
        return missing ? 0 : -1;   /* no file yet: nothing is switched off */
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(find_flag(doc, d->flag, 0), "state");
    int off = cJSON_IsString(state) && strcmp(state->valuestring, "DISABLED") == 0;
    cJSON_Delete(doc);
    return off;
}

/* The digest of the flag's targeting as written, bucket order included:
 * flagd hashes each user into the buckets in their order, so the same
 * share in another order puts other users on new. */
static int flagd_rule(struct flag_driver *base, char *out, struct error *err)
{
    struct flagd *d = (struct flagd *)base;
    int missing = 0;
    cJSON *doc = load(d->path, &missing, err);
    if (!doc)
        return missing ? 0 : -1;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(find_flag(doc, d->flag, 0), "targeting");
    char *text = t ? cJSON_PrintUnformatted(t) : NULL;
    if (text) {
        char hex[65];
        hash_sha256_hex(text, strlen(text), hex);
        snprintf(out, FLAGS_RULE_LEN + 1, "%s", hex);
    }
    free(text);
    cJSON_Delete(doc);
    return 0;
}

static void flagd_close(struct flag_driver *base)
{
    struct flagd *d = (struct flagd *)base;
    flags_base_free(base);
    free(d->path);
    free(d->flag);
    free(d);
}

static struct flag_driver *flagd_open(const struct rb_system *sys, struct error *err)
{
    struct flagd *d = calloc(1, sizeof *d);
    if (!d) {
        error_set(err, "out of memory");
        return NULL;
    }
    if (!(d->path = flags_conn(sys, err)) ||
        !(d->flag = flags_attr(sys, "flag", NULL, err)) ||
        flags_base_init(&d->base, &flags_flagd_ops, sys,
                        flags_strf("flagd file %s flag %s", sys->conn, d->flag), err) != 0) {
        d->base.ops = &flags_flagd_ops;
        flagd_close(&d->base);
        return NULL;
    }
    return &d->base;
}

const struct flag_ops flags_flagd_ops = {
    "flagd", flagd_open, flagd_set, flagd_read, flagd_close, flagd_disabled,
    flagd_rule,
};
