import type { Sealed, SealInput } from './signer.js';
import type { UnsealedRecord } from './unsealed.js';

/**
 * What an extension plugs into the gateway. Every hook is optional. A transparency log appends in
 * `onSealed` and serves receipts from `extraRoutes`; a registry records sealed and unsealed answers.
 */
export interface GatewayHooks {
  /** Called after each seal, before the response is released. Errors fail the seal (fail closed). */
  readonly onSealed?: (sealed: Sealed, input: SealInput) => void | Promise<void>;
  /** Extra routes, tried after the JWKS and before proxying: a Response answers, undefined goes on. */
  readonly extraRoutes?: (request: Request) => Response | undefined | Promise<Response | undefined>;
  /**
   * Records a model-route answer that left unsealed (an error status, a fail-open answer, a failed
   * seal), with its account. A whole answer waits for it; if it throws, that answer is withheld.
   */
  readonly onUnsealed?: (record: UnsealedRecord) => void | Promise<void>;
  /**
   * Consulted before each model request is forwarded: a refusal answers 503 with `Retry-After`
   * (a dependency is down and the operator chose to refuse rather than spool). The first wins.
   */
  readonly refusal?: () => GatewayRefusal | undefined;
  /** This extension's readiness, for a readiness endpoint: ok, and one line for an operator. */
  readonly health?: () => GatewayHealth;
  /** Entries waiting to be written (the log's queue), for the `signet_gateway_log_queue_depth` metric. */
  readonly queueDepth?: () => number | undefined;
  /** Called when the gateway closes, after open streams finished. */
  close?(): Promise<void> | void;
}

/** Why new model requests are refused for now. */
export interface GatewayRefusal {
  /** A stable `SIGNET_E_...` code. */
  readonly code: string;
  readonly message: string;
  /** Seconds a client should wait (the `Retry-After` header). */
  readonly retryAfterSeconds: number;
}

/** The readiness of an extension. */
export interface GatewayHealth {
  readonly ok: boolean;
  readonly detail: string;
}

type Hook<K extends keyof GatewayHooks> = NonNullable<GatewayHooks[K]>;

function present<K extends keyof GatewayHooks>(hooks: readonly GatewayHooks[], name: K): Hook<K>[] {
  return hooks.map((h) => h[name]).filter((f): f is Hook<K> => f !== undefined);
}

/**
 * Chains hooks into one set, in list order: every `onSealed` and `onUnsealed` runs in turn (the
 * first error stops the chain), the first `extraRoutes` that answers wins, and `close` closes all.
 * A hook kind no entry has stays absent; one that only one entry has is that entry's function.
 */
export function combineGatewayHooks(hooks: readonly GatewayHooks[]): GatewayHooks {
  const sealed = present(hooks, 'onSealed');
  const unsealed = present(hooks, 'onUnsealed');
  const routes = present(hooks, 'extraRoutes');
  const closers = hooks.filter((h) => h.close !== undefined);
  const refusals = present(hooks, 'refusal');
  const healths = present(hooks, 'health');
  const depths = present(hooks, 'queueDepth');
  return {
    ...(refusals.length === 0
      ? {}
      : {
          refusal: () => {
            for (const f of refusals) {
              const r = f();
              if (r !== undefined) return r;
            }
            return undefined;
          },
        }),
    ...(healths.length === 0
      ? {}
      : {
          health: () => {
            const all = healths.map((f) => f());
            return { ok: all.every((h) => h.ok), detail: all.map((h) => h.detail).join('; ') };
          },
        }),
    ...(depths.length === 0 ? {} : { queueDepth: () => depths.reduce((n, f) => n + (f() ?? 0), 0) }),
    ...(unsealed.length === 0
      ? {}
      : unsealed.length === 1
        ? { onUnsealed: unsealed[0] as Hook<'onUnsealed'> }
        : {
            onUnsealed: async (record: UnsealedRecord) => {
              for (const f of unsealed) await f(record);
            },
          }),
    ...(sealed.length === 0
      ? {}
      : sealed.length === 1
        ? { onSealed: sealed[0] as Hook<'onSealed'> }
        : {
            onSealed: async (s: Sealed, input: SealInput) => {
              for (const f of sealed) await f(s, input);
            },
          }),
    ...(routes.length === 0
      ? {}
      : routes.length === 1
        ? { extraRoutes: routes[0] as Hook<'extraRoutes'> }
        : {
            extraRoutes: async (request: Request) => {
              for (const f of routes) {
                const r = await f(request);
                if (r !== undefined) return r;
              }
              return undefined;
            },
          }),
    ...(closers.length === 0
      ? {}
      : {
          async close() {
            for (const h of closers) await h.close?.();
          },
        }),
  };
}
