import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FetchHandler } from './fetch-middleware.js';
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
}

/** Serves a fetch handler with Node `http`, streaming responses as they are produced. */
export async function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const active = new Set<ServerResponse>();
  let closing = false;
  let drained: (() => void) | undefined;
  const server = createServer(toNodeListener(handler, options.onError));
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
