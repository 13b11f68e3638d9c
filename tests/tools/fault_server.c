/* fault_server.c — an HTTP server on 127.0.0.1 that answers badly on
 * purpose, for the tests of what the cockpit does with endpoints that fail,
 * hang or lie. The first path segment picks the fault:
 *
 *   /hang/...       never answers (holds the connection 60 s)
 *   /status500/...  HTTP 500 with a short body
 *   /file/NAME/...  200 with the bytes of DIR/NAME (a canned answer)
 *   /record/NAME    200, and the request's body is appended to DIR/NAME
 *                   as one line (a webhook that listens); a GET or HEAD is
 *                   answered 200 and records nothing (it posts no message)
 *   /slowrecord/NAME as /record/NAME, answered and recorded 400 ms after
 *                   the request is in (a webhook across the world)
 *   /status404html/... HTTP 404 with a whole HTML page, as a web server or
 *                   proxy answers a wrong path
 *   /scalar/V/...   200, a Prometheus API scalar answer "V" stamped now
 *   /echo/CODE/...  HTTP CODE whose body echoes what it was sent, as careless
 *                   services do: "bad token: " and the Authorization
 *                   header when there is one, else "no such path: " and
 *                   the whole path (a secret webhook path, for instance)
 *
 * Usage: fault_server DIR      prints "port N"; runs until SIGTERM. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *dir;
static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
    (void)sig;
    stopping = 1;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *body,
                             size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body,
                                                             MHD_RESPMEM_MUST_COPY);
    enum MHD_Result rc = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result serve_file(struct MHD_Connection *c, const char *url)
{
    char name[256], path[600];
    const char *slash = strchr(url, '/');
    size_t n = slash ? (size_t)(slash - url) : strlen(url);
    if (n == 0 || n >= sizeof name || (n == 2 && url[0] == '.' && url[1] == '.'))
        return reply(c, 404, "bad name", 8);
    memcpy(name, url, n);
    name[n] = '\0';
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return reply(c, 404, "no such file", 12);
    /* the whole file, however big: a test may serve a 30 MB exposition */
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (len == cap) {
            char *more = realloc(buf, cap = cap ? 2 * cap : 1 << 16);
            if (!more) {
                free(buf);
                fclose(f);
                return reply(c, 500, "out of memory", 13);
            }
            buf = more;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    fclose(f);
    enum MHD_Result rc = reply(c, 200, buf, len);
    free(buf);
    return rc;
}

/* A request with a body comes in several calls: the first sets up, the
 * middle ones carry data, the last (no data) answers. */
struct upload {
    char *body;
    size_t len;
};

static enum MHD_Result record(struct MHD_Connection *c, const char *url, const char *data,
                              size_t *len, void **state, int slow)
{
    struct upload *u = *state;
    if (!u) {
        *state = calloc(1, sizeof *u);
        return *state ? MHD_YES : MHD_NO;
    }
    if (*len) {
        char *b = realloc(u->body, u->len + *len + 1);
        if (!b)
            return MHD_NO;
        memcpy(b + u->len, data, *len);
        u->body = b;
        u->len += *len;
        *len = 0;
        return MHD_YES;
    }
    if (slow)
        usleep(400000);
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, url);
    FILE *f = strchr(url, '/') || strstr(url, "..") ? NULL : fopen(path, "a");
    if (f) {
        fprintf(f, "%.*s\n", (int)u->len, u->body ? u->body : "");
        fclose(f);
    }
    free(u->body);
    free(u);
    *state = NULL;
    return reply(c, f ? 200 : 404, "ok", 2);
}

static enum MHD_Result echo(struct MHD_Connection *c, const char *url, size_t *len,
                           void **state)
{
    static int started;
    if (!*state || *len) {   /* answer once the request (and any body) is in */
        *state = &started;
        *len = 0;
        return MHD_YES;
    }
    unsigned code = (unsigned)atoi(url + 6);
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    char body[1024];
    int n = auth ? snprintf(body, sizeof body, "bad token: %s", auth)
                 : snprintf(body, sizeof body, "no such path: %s", url);
    return reply(c, code >= 200 && code < 600 ? code : 400, body,
                 n < (int)sizeof body ? (size_t)n : sizeof body - 1);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version,
                              const char *upload, size_t *upload_len, void **state)
{
    (void)cls; (void)version;
    if (strncmp(url, "/record/", 8) == 0 &&
        (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0))
        return reply(c, 200, "ok", 2);
    if (strncmp(url, "/record/", 8) == 0)
        return record(c, url + 8, upload, upload_len, state, 0);
    if (strncmp(url, "/slowrecord/", 12) == 0)
        return record(c, url + 12, upload, upload_len, state, 1);
    if (strncmp(url, "/hang/", 6) == 0) {
        for (int i = 0; i < 600 && !stopping; i++)
            usleep(100000);
        return reply(c, 200, "late", 4);
    }
    if (strncmp(url, "/status500/", 11) == 0)
        return reply(c, 500, "internal error", 14);
    if (strncmp(url, "/status404html/", 15) == 0) {
        static const char page[] =
            "<!DOCTYPE html>\n<html>\n<head>\n<title>404 Not Found</title>\n"
            "<style>body { font-family: sans-serif; }</style>\n</head>\n<body>\n"
            "<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n"
            "<hr>\n<address>Apache/2.4.57 (Debian) Server at 127.0.0.1</address>\n"
            "</body>\n</html>\n";
        return reply(c, 404, page, sizeof page - 1);
    }
    if (strncmp(url, "/file/", 6) == 0)
        return serve_file(c, url + 6);
    if (strncmp(url, "/echo/", 6) == 0)
        return echo(c, url, upload_len, state);
    if (strncmp(url, "/scalar/", 8) == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        double at = ts.tv_sec + ts.tv_nsec / 1e9;
        char body[256];
        int n = snprintf(body, sizeof body,
                         "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
                         "\"result\":[%.3f,\"%.*s\"]}}",
                         at, (int)strcspn(url + 8, "/"), url + 8);
        return reply(c, 200, body, (size_t)n);
    }
    return reply(c, 404, "unknown fault", 13);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fault_server DIR\n");
        return 2;
    }
    dir = argv[1];
    signal(SIGTERM, on_stop);
    signal(SIGINT, on_stop);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
        answer, NULL, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "fault_server: cannot listen\n");
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("port %u\n", info ? info->port : 0);
    fflush(stdout);
    while (!stopping)
        usleep(50000);
    MHD_stop_daemon(d);
    return 0;
}
