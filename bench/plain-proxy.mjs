// The baseline every gateway figure is measured against: a plain pass-through reverse proxy with a
// bearer check and a keep-alive upstream pool, the way one is written with node:http.
import { Agent, createServer, request } from 'node:http';

/** Starts the plain proxy on 127.0.0.1 (any free port) in front of `upstreamUrl`; resolves to its URL. */
export async function startPlainProxy(upstreamUrl, apiKey) {
  const target = new URL(upstreamUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const expected = `Bearer ${apiKey}`;
  const server = createServer((req, res) => {
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    const headers = { ...req.headers, host: target.host };
    delete headers.authorization;
    const up = request({ hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers, agent }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(up);
  });
  server.keepAliveTimeout = 5000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${server.address().port}`;
}
