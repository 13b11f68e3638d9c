/* promapi.c — the answer of /api/v1/query, read with cJSON. Shapes:
 *   {"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[t,"1"]}]}}
 *   {"status":"success","data":{"resultType":"scalar","result":[t,"1"]}}
 *   {"status":"error","errorType":"bad_data","error":"..."}
 * The value is always a string ("NaN", "+Inf" included). */
#include "promapi.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

#include "number.h"

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A [timestamp, "value"] pair; the timestamp is seconds, with a fraction. */
static int pair_value(const cJSON *pair, double *value, int64_t *ts_ms, struct error *err)
{
    const cJSON *v = cJSON_IsArray(pair) && cJSON_GetArraySize(pair) == 2
                         ? cJSON_GetArrayItem(pair, 1) : NULL;
    const cJSON *t = v ? cJSON_GetArrayItem(pair, 0) : NULL;
    if (cJSON_IsNumber(t) && isfinite(t->valuedouble) && fabs(t->valuedouble) < 1e15)
        *ts_ms = (int64_t)llround(t->valuedouble * 1000.0);
    if (!cJSON_IsString(v)) {
        error_set(err, "prometheus answer: a sample is not [time, \"value\"]");
        return -1;
    }
    if (number_parse(v->valuestring, value) != 0) {
        error_set(err, "prometheus answer: value \"%.40s\" is not a number", v->valuestring);
        return -1;
    }
    return 1;
}

static int from_data(const cJSON *data, double *value, int64_t *ts_ms, struct error *err)
{
    const char *type = str(data, "resultType");
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(data, "result");
    if (!type || !result) {
        error_set(err, "prometheus answer: no data.resultType/result");
        return -1;
    }
    if (strcmp(type, "scalar") == 0)
        return pair_value(result, value, ts_ms, err);
    if (strcmp(type, "vector") != 0) {
        error_set(err, "prometheus answer: a %s, but a signal needs one instant value", type);
        return -1;
    }
    int n = cJSON_IsArray(result) ? cJSON_GetArraySize(result) : -1;
    if (n == 0)
        return 0;
    if (n != 1) {
        error_set(err, "the query returned %d series; a signal needs one "
                       "(aggregate it, e.g. with sum())", n);
        return -1;
    }
    return pair_value(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(result, 0), "value"),
                      value, ts_ms, err);
}

int promapi_parse(const char *json, size_t len, double *value, struct error *err)
{
    int64_t ts_ms;
    return promapi_parse_at(json, len, value, &ts_ms, err);
}

int promapi_parse_at(const char *json, size_t len, double *value, int64_t *ts_ms,
                     struct error *err)
{
    *ts_ms = INT64_MIN;
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) {
        error_set(err, "prometheus answer: malformed or truncated JSON (%zu bytes)", len);
        return -1;
    }
    int rc;
    const char *status = str(root, "status");
    if (status && strcmp(status, "success") == 0) {
        rc = from_data(cJSON_GetObjectItemCaseSensitive(root, "data"), value, ts_ms, err);
    } else if (status && strcmp(status, "error") == 0) {
        const char *type = str(root, "errorType"), *msg = str(root, "error");
        error_set(err, "prometheus: %s: %.300s", type ? type : "error", msg ? msg : "(no message)");
        rc = -1;
    } else {
        error_set(err, "prometheus answer: no \"status\"; is this a Prometheus API?");
        rc = -1;
    }
    cJSON_Delete(root);
    return rc;
}
