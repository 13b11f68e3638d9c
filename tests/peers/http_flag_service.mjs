// http_flag_service.mjs — a small generic HTTP flag service for the http
// driver's tests: it keeps whatever JSON is PUT, POSTed or PATCHed to
// /flags/NAME and answers it to GET /flags/NAME, as {"flags": {NAME: BODY}}
// at GET /all. With TOKEN set, every request needs
// "Authorization: Bearer TOKEN" (else 401). It logs each request's method,
// path and body to stderr, one line each.
//
//   TOKEN=secret [PORT=N] node http_flag_service.mjs     prints "port N"
import { createServer } from 'node:http';

const flags = {};
const token = process.env.TOKEN;

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const send = (code, doc) => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(doc));
    };
    console.error(`${req.method} ${req.url} ${body}`);
    if (token && req.headers.authorization !== `Bearer ${token}`)
      return send(401, { message: 'a bearer token is needed' });
    if (req.url === '/all' && req.method === 'GET') return send(200, { flags });
    const m = /^\/flags\/([\w.-]+)$/.exec(req.url);
    if (!m) return send(404, { message: 'no such flag' });
    if (req.method === 'GET')
      return m[1] in flags ? send(200, flags[m[1]]) : send(404, { message: 'no such flag' });
    try {
      flags[m[1]] = JSON.parse(body);
    } catch {
      return send(400, { message: 'the body is not JSON' });
    }
    send(200, flags[m[1]]);
  });
});
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => console.log(`port ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
