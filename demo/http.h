/* http.h — ordersim's HTTP side on 127.0.0.1 (libmicrohttpd):
 *   GET  /metrics        the Prometheus text exposition
 *   GET  /faults         the faults in force, as JSON
 *   POST /faults         set faults: KEY=VALUE pairs in the query string,
 *                        a form body, or a JSON object body
 *   POST /faults/reset   back to the command line's faults */
#ifndef ORDERSIM_HTTP_H
#define ORDERSIM_HTTP_H

#include "core/error.h"

/* Listens on 127.0.0.1:port (0: a free port); returns the port, or -1. */
int httpd_start(int port, struct error *err);
void httpd_stop(void);

#endif
