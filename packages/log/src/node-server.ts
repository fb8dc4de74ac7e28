import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenNode, type ListenOptions, type RunningServer } from '@signet/core/node-server';
import type { LogHandler } from './http.js';

export type { RunningServer } from '@signet/core/node-server';

/**
 * Serves a Web-standard handler with node:http (what `signet log serve` runs). Only GET and HEAD
 * reach the log routes, so request bodies are never read.
 */

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

/**
 * Listens on host:port (port 0 picks a free one) and serves the handler, through the Node server
 * the gateway uses too (`@signet/core/node-server`: connection limits, graceful close).
 */
export async function serveHandler(handler: LogHandler, options: ListenOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  let origin = '';
  const running = await listenNode((req, res) => {
    void respond(handler, req, res, origin);
  }, options);
  // The URL names the host as given (0.0.0.0 included), as `signet log serve` has always printed it.
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${running.port}`;
  return {
    url: origin,
    port: running.port,
    server: running.server,
    get inFlight() {
      return running.inFlight;
    },
    close: (closeOptions) => running.close(closeOptions),
  };
}
