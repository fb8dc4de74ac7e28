import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FetchHandler } from './fetch-middleware.js';
import { SignetError } from '@signet/core';
import { toNodeListener } from './node-http.js';

/** A fetch handler served over Node `http`. */
export interface RunningServer {
  /** Base URL, for example `http://127.0.0.1:8787`. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Requests being answered right now (open streams included). */
  readonly inFlight: number;
  /**
   * Graceful shutdown: stops accepting connections, lets open responses (streams) finish, closes
   * idle keep-alive connections, and after `timeoutMs` (default 30 s) cuts whatever is left.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/** Options of {@link serve}. */
export interface ServeOptions {
  /** Port (default 0: any free port). */
  readonly port?: number;
  /** Address to listen on (default 127.0.0.1; use 0.0.0.0 to accept remote clients). */
  readonly host?: string;
  /** Told about handler failures. */
  readonly onError?: (error: unknown) => void;
  /**
   * Answers a raw request target before it is parsed (the gateway refuses ambiguous spellings
   * here, while dot segments and backslashes are still visible). Undefined lets the request on.
   */
  readonly screenTarget?: (rawTarget: string) => Response | undefined;
  /** Time a client has to send the request headers, ms (default 20 000). */
  readonly headersTimeoutMs?: number;
  /** Time a client has to send the whole request, body included, ms (default 120 000). Not the response. */
  readonly requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open, ms (default 5 000). */
  readonly keepAliveTimeoutMs?: number;
  /** Most connections open at once; further ones are closed at once (default 1024). */
  readonly maxConnections?: number;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `${name} must be a positive whole number`);
  return value;
}

/** Serves a fetch handler with Node `http`, streaming responses as they are produced. */
export async function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const active = new Set<ServerResponse>();
  let closing = false;
  let drained: (() => void) | undefined;
  const headersTimeout = positiveInt('headersTimeoutMs', options.headersTimeoutMs, 20_000);
  const requestTimeout = positiveInt('requestTimeoutMs', options.requestTimeoutMs, 120_000);
  const keepAliveTimeout = positiveInt('keepAliveTimeoutMs', options.keepAliveTimeoutMs, 5_000);
  const maxConnections = positiveInt('maxConnections', options.maxConnections, 1024);
  if (headersTimeout > requestTimeout)
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'headersTimeoutMs must not be longer than requestTimeoutMs');
  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      keepAliveTimeout,
      // Node checks the header and request timeouts on this interval (default 30 s, far too
      // coarse for a 20 s limit): check often enough that a limit is a limit.
      connectionsCheckingInterval: Math.min(1000, Math.ceil(headersTimeout / 2)),
    },
    toNodeListener(handler, options.onError, options.screenTarget),
  );
  // Beyond the cap, Node closes new connections at once: slow clients cannot exhaust the process.
  server.maxConnections = maxConnections;
  server.on('request', (_req, res: ServerResponse) => {
    active.add(res);
    // During shutdown, new responses (requests already on a connection) close their connection after.
    if (closing && !res.headersSent) res.setHeader('connection', 'close');
    res.once('close', () => {
      active.delete(res);
      if (closing) {
        server.closeIdleConnections();
        if (active.size === 0) drained?.();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shown}:${port}`,
    port,
    server,
    get inFlight() {
      return active.size;
    },
    close(closeOptions = {}) {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        const timeoutMs = closeOptions.timeoutMs ?? 30_000;
        server.close(() => resolve());
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
        timer.unref();
        const finish = (): void => {
          clearTimeout(timer);
          server.closeAllConnections();
        };
        if (active.size === 0) finish();
        else drained = finish;
      });
      return closed;
    },
  };
}
