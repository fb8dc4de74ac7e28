import { listenNode, type ListenOptions, type RunningServer } from '@signet/core/node-server';
import type { FetchHandler } from './fetch-middleware.js';
import { toNodeListener } from './node-http.js';

export type { RunningServer } from '@signet/core/node-server';

/** Options of {@link serve}: where to listen, the connection limits, and two hooks. */
export interface ServeOptions extends ListenOptions {
  /** Told about handler failures. */
  readonly onError?: (error: unknown) => void;
  /**
   * Answers a raw request target before it is parsed (the gateway refuses ambiguous spellings
   * here, while dot segments and backslashes are still visible). Undefined lets the request on.
   */
  readonly screenTarget?: (rawTarget: string) => Response | undefined;
}

/** Serves a fetch handler with Node `http`, streaming responses as they are produced. */
export function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<RunningServer> {
  return listenNode(toNodeListener(handler, options.onError, options.screenTarget), options);
}
