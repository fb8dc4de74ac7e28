import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { SignetError } from '../primitives/errors.js';

/**
 * The one Node `http` server of the packages (`@signet/core/node-server`, Node-only): the gateway,
 * `serve()` of `@signet/server` and the log's read API all listen through it, so they share the
 * connection limits and the graceful shutdown. What a request means is the listener's business.
 */

/** A server listening with {@link listenNode}. */
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

/** Where and how {@link listenNode} listens. */
export interface ListenOptions {
  /** Port (default 0: any free port). */
  readonly port?: number;
  /** Address to listen on (default 127.0.0.1; use 0.0.0.0 to accept remote clients). */
  readonly host?: string;
  /** Time a client has to send the request headers, ms (default 20 000). */
  readonly headersTimeoutMs?: number;
  /** Time a client has to send the whole request, body included, ms (default 120 000). Not the response. */
  readonly requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open, ms (default 5 000). */
  readonly keepAliveTimeoutMs?: number;
  /** Most connections open at once; further ones are closed at once (default 1024). */
  readonly maxConnections?: number;
}

const netServerClose = NetServer.prototype.close;

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `${name} must be a positive whole number`);
  return value;
}

/** The base URL of a server listening on `host`: an IPv6 address in brackets, 0.0.0.0 as loopback. */
export function baseUrl(host: string, port: number): string {
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return `http://${shown}:${port}`;
}

/** Listens on host:port with a Node request listener, with connection limits and graceful close. */
export async function listenNode(listener: RequestListener, options: ListenOptions = {}): Promise<RunningServer> {
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
    listener,
  );
  // Beyond the cap, Node closes new connections at once: slow clients cannot exhaust the process.
  server.maxConnections = maxConnections;
  server.on('request', (_req, res: ServerResponse) => {
    active.add(res);
    // During shutdown, new responses (requests already on a connection) close their connection after.
    if (closing && !res.headersSent) res.setHeader('connection', 'close');
    res.once('close', () => {
      active.delete(res);
      if (closing && active.size === 0) drained?.();
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
  let closed: Promise<void> | undefined;
  return {
    url: baseUrl(host, port),
    port,
    server,
    get inFlight() {
      return active.size;
    },
    close(closeOptions = {}) {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        // Every response from now on tells its client to drop the connection: a client that reused
        // a kept-alive connection after its answer would otherwise meet a reset.
        for (const res of active) {
          if (!res.headersSent) res.setHeader('connection', 'close');
          else res.shouldKeepAlive = false;
        }
        const timeoutMs = closeOptions.timeoutMs ?? 30_000;
        // Stop accepting connections, but leave idle keep-alive ones open while responses drain: a
        // client may be sending its next request on one right now, and closing it under that
        // request is a reset. A request that comes is answered with `Connection: close`.
        // (`http.Server.close` would close idle connections at once.)
        netServerClose.call(server, () => resolve());
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
