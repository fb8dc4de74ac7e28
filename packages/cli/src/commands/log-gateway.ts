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
  flags: {
    log: {
      value: 'DB|URL',
      help: 'append every envelope to this transparency log (SQLite file or postgres:// URL); receipts at /v1/signet/receipts/{responseId}, tiles at /v1/signet/log/',
    },
    'log-key': { value: 'FILE', default: 'DB.key next to a SQLite log; required for PostgreSQL', help: 'the log key' },
    'log-schema': { value: 'NAME', help: 'the PostgreSQL schema of the log' },
    'log-batch': { value: 'N', default: '1000', help: 'group commit: at most N entries per batch' },
    'log-delay-ms': { value: 'MS', default: '50', help: 'group commit: at most MS ms per batch' },
  },
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
