import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LogHandler } from './http.js';

/**
 * Serves a Web-standard handler with node:http (what `signet log serve` runs). Only GET and HEAD
 * reach the log routes, so request bodies are never read.
 */

/** A running server. */
export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

async function respond(handler: LogHandler, req: IncomingMessage, res: ServerResponse, origin: string): Promise<void> {
  let response: Response | undefined;
  try {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    response = await handler(new Request(new URL(req.url ?? '/', origin), { method: req.method ?? 'GET', headers }));
  } catch {
    response = new Response('internal error\n', { status: 500 });
  }
  response ??= new Response('not found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  res.statusCode = response.status;
  response.headers.forEach((v, k) => res.setHeader(k, v));
  const body = response.body === null ? undefined : new Uint8Array(await response.arrayBuffer());
  res.end(body);
}

/** Listens on host:port (port 0 picks a free one) and serves the handler. */
export function serveHandler(handler: LogHandler, options: { port?: number; host?: string } = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      const addr = server.address() as AddressInfo;
      void respond(handler, req, res, `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`);
    });
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      const addr = server.address() as AddressInfo;
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
      resolve({
        url,
        server,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}
