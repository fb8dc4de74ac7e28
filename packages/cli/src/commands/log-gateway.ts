import { SignetError } from '@signet/core';
import { createLogHandler, defaultKeyPath, openLog } from '@signet/log';
import { intFlag, optional } from '../args.js';
import type { GatewayExtension } from './gateway.js';

/**
 * The transparency log as a `signet gateway` extension: `--log DB|URL` appends every envelope to
 * the log without delaying the response (group commit), and the gateway serves
 * `GET /v1/signet/receipts/{responseId}` plus the log's tiles under `/v1/signet/log/`.
 * Register it with `createGatewayCommand([logGatewayExtension, ...])`.
 */
export const logGatewayExtension: GatewayExtension = {
  flags: { log: 'string', 'log-key': 'string', 'log-schema': 'string', 'log-batch': 'string', 'log-delay-ms': 'string' },
  usage: `                      [--log DB|URL [--log-key FILE] [--log-schema NAME] [--log-batch N] [--log-delay-ms MS]]
  --log DB|URL      append every envelope to this transparency log (SQLite file or postgres:// URL);
                    receipts at /v1/signet/receipts/{responseId}, tiles at /v1/signet/log/
  --log-key FILE    the log key (default DB.key next to a SQLite log; required for PostgreSQL)
  --log-batch N, --log-delay-ms MS   group commit: at most N entries (1000) or MS ms (50) per batch`,
  async setup(args, io) {
    const target = optional(args, 'log') ?? io.env.SIGNET_LOG;
    if (target === undefined) return undefined;
    const key = optional(args, 'log-key') ?? defaultKeyPath(target);
    if (key === undefined) throw new SignetError('SIGNET_E_CONFIG_INVALID', 'A PostgreSQL log needs --log-key FILE.');
    const log = await openLog(target, {
      key,
      create: true,
      maxBatch: intFlag(args, 'log-batch', 1000) || 1,
      maxDelayMs: intFlag(args, 'log-delay-ms', 50),
      ...(optional(args, 'log-schema') === undefined ? {} : { schema: optional(args, 'log-schema') as string }),
      // The seal is already out when an append fails: say so loudly, the operator must act.
      onError: (e) => io.stderr(`signet gateway: log append failed: ${e instanceof SignetError ? `${e.code}: ${e.message}` : 'error'}\n`),
    });
    io.stderr(`signet gateway: logging to ${log.origin} (verifier key ${log.verifierKey})\n`);
    const tiles = createLogHandler(log, { prefix: '/v1/signet/log' });
    return {
      onSealed: (sealed) => log.append(sealed),
      extraRoutes: tiles,
      close: () => log.close(),
    };
  },
};
