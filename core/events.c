/* events.c — the event table (events.def) turned into code: validating and
 * reading bodies, building them, describing them in words, and printing the
 * README's table. Descriptions never show a known kind's raw body. */
#include "events.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every field, in table order. The enum below numbers them so that each
 * kind knows, at compile time, where its fields start: an EVENT line adds
 * an enumerator without taking a slot, a FIELD line takes one. */
static const struct event_field fields[] = {
#define EVENT(...)
#define FIELD(id, name, type, presence, doc) {name, type, presence, doc},
#include "events.def"
#undef EVENT
#undef FIELD
};

#define EV_CAT_(a, b) a##b
#define EV_CAT(a, b) EV_CAT_(a, b)
enum {
#define EVENT(id, ...) EVSTART_##id, EVBACK_##id = EVSTART_##id - 1,
#define FIELD(...) EV_CAT(EVFIELD_, __COUNTER__),
#include "events.def"
#undef EVENT
#undef FIELD
    EVFIELD_END
};

static const size_t starts[] = {
#define EVENT(id, ...) EVSTART_##id,
#define FIELD(...)
#include "events.def"
#undef EVENT
#undef FIELD
    EVFIELD_END
};

static struct event_spec specs[] = {
#define EVENT(id, kind, sw, words, words_else, doc) \
    {kind, sw, words, words_else, doc, NULL, 0},
#define FIELD(...)
#include "events.def"
#undef EVENT
#undef FIELD
};

/* Each kind's fields: from its start to the next kind's. Filled before
 * main (and before any thread), so the table is read-only afterwards. */
__attribute__((constructor)) static void events_table_init(void)
{
    for (size_t k = 0; k < EVK_UNKNOWN; k++) {
        specs[k].fields = fields + starts[k];
        specs[k].n_fields = starts[k + 1] - starts[k];
    }
}

enum event_kind events_kind(const char *kind)
{
    for (size_t k = 0; kind && k < EVK_UNKNOWN; k++)
        if (strcmp(specs[k].kind, kind) == 0)
            return (enum event_kind)k;
    return EVK_UNKNOWN;
}

const struct event_spec *events_spec(enum event_kind k)
{
    return (size_t)k < EVK_UNKNOWN ? &specs[k] : NULL;
}

const char *events_ftype_name(enum event_ftype t)
{
    static const char *const names[] = {"string", "bool", "number", "integer", "index",
                                        "percent", "any"};
    return (size_t)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

/* --- validation ------------------------------------------------------ */

/* Integers in JSON are doubles: beyond 2^53 they are no longer exact, and
 * beyond int64 a cast would be undefined. */
#define EV_INT_MAX 9007199254740992.0

static int check_field(const struct event_spec *spec, const struct event_field *f,
                       const cJSON *v, struct error *err)
{
    const char *want = NULL;
    switch (f->type) {
    case EF_STR:
        if (!cJSON_IsString(v))
            want = "a string";
        break;
    case EF_BOOL:
        if (!cJSON_IsBool(v))
            want = "true or false";
        break;
    case EF_NUM:
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
            want = "a number";
        break;
    case EF_INT:
        if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
            fabs(v->valuedouble) > EV_INT_MAX)
            want = "an integer";
        break;
    case EF_INDEX:
        if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
            v->valuedouble < 0 || v->valuedouble > 2147483647.0)
            want = "a position (an integer >= 0)";
        break;
    case EF_PCT:
        if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 100))
            want = "a percentage from 0 to 100";
        break;
    case EF_ANY:
        break;
    }
    if (!want)
        return 0;
    if (cJSON_IsNumber(v))
        error_set(err, "%s: %s is %g, not %s", spec->kind, f->name, v->valuedouble, want);
    else
        error_set(err, "%s: %s is not %s", spec->kind, f->name, want);
    return -1;
}

int events_decode(const char *kind, const char *body, struct event_body *b,
                  struct error *err)
{
    b->kind = events_kind(kind);
    b->spec = events_spec(b->kind);
    b->valid = 0;
    b->json = cJSON_Parse(body ? body : "");
    const cJSON *o = b->json;
    if (!cJSON_IsObject(o)) {
        error_set(err, "%s: the body is not a JSON object", kind ? kind : "?");
        cJSON_Delete(b->json);
        b->json = NULL;
        return -1;
    }
    if (!b->spec)
        return 0;
    for (size_t i = 0; i < b->spec->n_fields; i++) {
        const struct event_field *f = &b->spec->fields[i];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, f->name);
        if (!v || cJSON_IsNull(v)) {
            if (f->presence == EF_REQ) {
                error_set(err, "%s: %s is missing", b->spec->kind, f->name);
                return -1;
            }
            continue;
        }
        if (check_field(b->spec, f, v, err) != 0)
            return -1;
    }
    b->valid = 1;
    return 0;
}

void events_body_free(struct event_body *b)
{
    cJSON_Delete(b->json);
    b->json = NULL;
}

/* The field's declaration in b's kind, or NULL: an undeclared field reads
 * as absent, so a caller cannot read past the table. */
static const struct event_field *declared(const struct event_spec *spec, const char *name)
{
    for (size_t i = 0; spec && i < spec->n_fields; i++)
        if (strcmp(spec->fields[i].name, name) == 0)
            return &spec->fields[i];
    return NULL;
}

static const cJSON *item(const struct event_body *b, const char *field)
{
    const struct event_field *f = declared(b->spec, field);
    if (!f || !b->json)
        return NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b->json, field);
    if (!v || cJSON_IsNull(v) || (!b->valid && check_field(b->spec, f, v, NULL) != 0))
        return NULL;
    return v;
}

int event_has(const struct event_body *b, const char *field)
{
    return item(b, field) != NULL;
}

const char *event_str(const struct event_body *b, const char *field)
{
    const cJSON *v = item(b, field);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

double event_num(const struct event_body *b, const char *field, double fallback)
{
    const cJSON *v = item(b, field);
    return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

double events_test_clock(const struct event_body *b, double known)
{
    if (b->kind != EVK_CONSOLE_OPEN)
        return known;
    double scale = event_num(b, "time_scale", 0);
    return scale > 1 && scale > known ? scale : known;
}

int event_bool(const struct event_body *b, const char *field)
{
    return cJSON_IsTrue(item(b, field));
}

/* --- building ---------------------------------------------------------- */

char *events_encode(enum event_kind k, void *json, struct error *err)
{
    const struct event_spec *spec = events_spec(k);
    char *text = json ? cJSON_PrintUnformatted(json) : NULL;
    cJSON_Delete(json);
    if (!text) {
        error_set(err, "out of memory building an event");
        return NULL;
    }
    struct event_body b;
    int rc = events_decode(spec ? spec->kind : "?", text, &b, err);
    events_body_free(&b);
    if (rc != 0) {
        free(text);
        return NULL;
    }
    return text;
}

void events_actor(char *buf, size_t len, const char *name, const char *role)
{
    snprintf(buf, len, "%s/%s", name, role);
}

static void add_str(cJSON *obj, const char *key, const char *value)
{
    if (value)
        cJSON_AddStringToObject(obj, key, value);
}

char *events_runbook_body(const char *path, const char *sha256, const char *text,
                          const char *title, const char *previous_sha256)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "path", path);
    add_str(o, "sha256", sha256);
    add_str(o, "title", title);
    add_str(o, "previous_sha256", previous_sha256);
    if (previous_sha256)
        cJSON_AddBoolToObject(o, "forced", 1);
    add_str(o, "text", text);
    return events_encode(EVK_RUNBOOK, o, NULL);
}

char *events_console_body(const char *name, const char *role, const char *mode)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "name", name);
    add_str(o, "role", role);
    add_str(o, "mode", mode);
    return events_encode(EVK_CONSOLE_OPEN, o, NULL);
}

char *events_ack_body(const char *step, const char *name, const char *role)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "step", step);
    add_str(o, "name", name);
    add_str(o, "role", role);
    return events_encode(EVK_ACK, o, NULL);
}

char *events_ack_refused_body(const char *step, const char *name,
                              const char *role, const char *reason)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "step", step);
    add_str(o, "name", name);
    add_str(o, "role", role);
    add_str(o, "reason", reason);
    return events_encode(EVK_ACK_REFUSED, o, NULL);
}

char *events_note_body(const char *text)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "text", text);
    return events_encode(EVK_NOTE, o, NULL);
}

char *events_criterion_body(size_t index, const char *criterion, const char *from,
                            const char *to, int has_value, double value, double count,
                            double bound, const char *why)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", (double)index);
    add_str(o, "criterion", criterion);
    add_str(o, "from", from);
    add_str(o, "to", to);
    /* JSON has no NaN or Inf: such values are left out, and "why" says them */
    if (has_value && isfinite(value))
        cJSON_AddNumberToObject(o, "value", value);
    if (isfinite(count))
        cJSON_AddNumberToObject(o, "count", count);
    if (isfinite(bound))
        cJSON_AddNumberToObject(o, "bound", bound);
    add_str(o, "why", why);
    return events_encode(EVK_CRITERION, o, NULL);
}

/* --- words ------------------------------------------------------------- */

struct out {
    char *buf;
    size_t len, used;
};

static void put(struct out *o, const char *text, size_t n)
{
    if (o->used + 1 >= o->len)
        return;
    size_t room = o->len - 1 - o->used;
    if (n > room)
        n = room;
    memcpy(o->buf + o->used, text, n);
    o->used += n;
    o->buf[o->used] = '\0';
}

/* One {field} or {field|%fmt} of a template, from the body. */
static void put_field(struct out *o, const struct event_body *b, const char *name,
                      size_t name_len, const char *fmt, size_t fmt_len)
{
    char key[64], conv[16], text[256];
    snprintf(key, sizeof key, "%.*s", (int)name_len, name);
    snprintf(conv, sizeof conv, "%.*s", (int)fmt_len, fmt);
    const cJSON *v = b->json ? cJSON_GetObjectItemCaseSensitive(b->json, key) : NULL;
    /* the conversion comes from our own table; only %s-like and %f/%g-like
     * forms are used, and they are chosen by the value's type */
    int is_s = fmt_len && fmt[fmt_len - 1] == 's';
    if (cJSON_IsString(v))
        snprintf(text, sizeof text, fmt_len && is_s ? conv : "%s", v->valuestring);
    else if (cJSON_IsNumber(v))
        /* %.15g: a million rows is 1000000, not %g's 1e+06 */
        snprintf(text, sizeof text, fmt_len && !is_s ? conv : "%.15g", v->valuedouble);
    else if (cJSON_IsBool(v))
        snprintf(text, sizeof text, "%s", cJSON_IsTrue(v) ? "yes" : "no");
    else
        snprintf(text, sizeof text, "?");
    put(o, text, strlen(text));
}

static void render(struct out *o, const char *tpl, const struct event_body *b)
{
    while (*tpl) {
        const char *open = strchr(tpl, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            put(o, tpl, strlen(tpl));
            return;
        }
        put(o, tpl, (size_t)(open - tpl));
        const char *name = open + 1;
        const char *bar = memchr(name, '|', (size_t)(close - name));
        size_t name_len = (size_t)((bar ? bar : close) - name);
        put_field(o, b, name, name_len, bar ? bar + 1 : "", bar ? (size_t)(close - bar - 1) : 0);
        tpl = close + 1;
    }
}

/* backfill_control: what changed, each part only when its field is there
 * (a template would say "rate ?" for a pause): "paused", "resumed",
 * "rate limit 500 rows/s", "rate limit lifted". Who asked is the event's
 * actor, shown beside it. */
static void words_backfill_control(struct out *o, const struct event_body *b)
{
    char text[320];
    const char *job = event_str(b, "job");
    const cJSON *paused = cJSON_GetObjectItemCaseSensitive(b->json, "paused");
    const cJSON *rate = cJSON_GetObjectItemCaseSensitive(b->json, "rate");
    int n = snprintf(text, sizeof text, "backfill %s:", job ? job : "?");
    if (cJSON_IsBool(paused))
        n += snprintf(text + n, sizeof text - (size_t)n, " %s",
                      cJSON_IsTrue(paused) ? "paused" : "resumed");
    if (cJSON_IsNumber(rate) && rate->valuedouble > 0)
        snprintf(text + n, sizeof text - (size_t)n, "%s rate limit %.15g rows/s",
                 cJSON_IsBool(paused) ? "," : "", rate->valuedouble);
    else if (cJSON_IsNumber(rate))
        snprintf(text + n, sizeof text - (size_t)n, "%s rate limit lifted",
                 cJSON_IsBool(paused) ? "," : "");
    else if (!cJSON_IsBool(paused))
        snprintf(text + n, sizeof text - (size_t)n, " no change");
    put(o, text, strlen(text));
}

/* The kinds whose words a template cannot say (events.def's words are
 * their fallback and their documentation). */
static const struct {
    enum event_kind kind;
    void (*words)(struct out *o, const struct event_body *b);
} custom_words[] = {
    {EVK_BACKFILL_CONTROL, words_backfill_control},
};

void events_describe(const struct journal_event *ev, char *buf, size_t len)
{
    struct out o = {buf, len, 0};
    if (len)
        buf[0] = '\0';
    struct event_body b;
    struct error err = {{0}};
    int rc = events_decode(ev->kind, ev->body, &b, &err);
    if (!b.json) {
        snprintf(buf, len, "%s (unreadable body)", ev->kind);
    } else if (!b.spec) {
        snprintf(buf, len, "unknown kind %s: %.160s", ev->kind, ev->body);
    } else {
        const struct event_spec *s = b.spec;
        int other = s->switch_field[0] && !event_bool(&b, s->switch_field);
        size_t c = 0;
        while (c < sizeof custom_words / sizeof custom_words[0] && custom_words[c].kind != b.kind)
            c++;
        if (c < sizeof custom_words / sizeof custom_words[0])
            custom_words[c].words(&o, &b);
        else
            render(&o, other ? s->words_else : s->words, &b);
        if (rc != 0) {
            put(&o, " — INVALID: ", strlen(" — INVALID: "));
            put(&o, err.msg, strlen(err.msg));
        }
    }
    events_body_free(&b);
}

/* --- README ------------------------------------------------------------ */

char *events_table_markdown(void)
{
    size_t cap = 1 << 15;
    char *md = malloc(cap);
    if (!md)
        return NULL;
    struct out o = {md, cap, 0};
    md[0] = '\0';
    const char *head = "| kind | what it records | body fields (* required) |\n|---|---|---|\n";
    put(&o, head, strlen(head));
    for (size_t k = 0; k < EVK_UNKNOWN; k++) {
        const struct event_spec *s = events_spec((enum event_kind)k);
        char line[2048];
        int n = snprintf(line, sizeof line, "| `%s` | %s | ", s->kind, s->doc);
        put(&o, line, (size_t)n);
        for (size_t i = 0; i < s->n_fields; i++) {
            const struct event_field *f = &s->fields[i];
            n = snprintf(line, sizeof line, "%s`%s`%s (%s): %s", i ? "; " : "", f->name,
                         f->presence == EF_REQ ? "*" : "", events_ftype_name(f->type), f->doc);
            put(&o, line, (size_t)n);
        }
        put(&o, " |\n", 3);
    }
    return md;
}
