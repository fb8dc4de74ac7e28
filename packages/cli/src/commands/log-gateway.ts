import { openGatewayLog, type UnavailablePolicy } from '@signet/log';
import { poolWorkerSlot } from '@signet/server';
import { intFlag, optional } from '../args.js';
import type { GatewayExtension } from './gateway.js';

/** `signet gateway --log`: each envelope waits until its entry is durable (docs/durability.md); receipts and tiles served. */
export const logGatewayExtension: GatewayExtension = {
  flags: {
    log: {
      value: 'DB|URL',
      help: 'append every envelope to this transparency log (SQLite file or postgres:// URL); receipts at /v1/signet/receipts/{responseId}, tiles at /v1/signet/log/',
    },
    'log-key': { value: 'FILE', default: 'DB.key next to a SQLite log; required for PostgreSQL', help: 'the log key' },
    'log-schema': { value: 'NAME', help: 'the PostgreSQL schema of the log' },
    'log-batch': { value: 'N', default: '1000', help: 'group commit: at most N entries per batch' },
    'log-delay-ms': { value: 'MS', default: '0', help: 'group commit: longest wait before a batch commits' },
    'log-unavailable': { value: 'spool|fail', default: 'spool', help: 'while the log is down: spool entries durably, or refuse (503)' },
    'log-spool': {
      value: 'FILE',
      default: 'DB.spool, or LOG-KEY.spool for PostgreSQL',
      help: 'the durable spool of the log (worker N > 1 writes FILE.wN; one owner per file)',
    },
    'log-commit-timeout-ms': { value: 'MS', default: '5000', help: 'a commit slower than this spools (or refuses) the entry' },
    'receipt-timeout-ms': { value: 'MS', default: '5000', help: 'receipt and tile lookups slower than this answer 503' },
    'pg-connect-timeout-ms': { value: 'MS', default: '5000', help: 'PostgreSQL stores: longest wait for a connection' },
    'pg-statement-timeout-ms': { value: 'MS', default: '10000', help: 'PostgreSQL stores: longest a statement may run' },
  },
  async setup(args, io) {
    const target = optional(args, 'log') ?? io.env.SIGNET_LOG;
    if (target === undefined) return undefined;
    const { log, hooks } = await openGatewayLog(target, {
      key: optional(args, 'log-key'),
      schema: optional(args, 'log-schema'),
      maxBatch: intFlag(args, 'log-batch', 1000) || 1,
      maxDelayMs: intFlag(args, 'log-delay-ms', 0),
      unavailable: optional(args, 'log-unavailable') as UnavailablePolicy | undefined,
      spoolPath: optional(args, 'log-spool'),
      commitTimeoutMs: intFlag(args, 'log-commit-timeout-ms', 5000),
      lookupTimeoutMs: intFlag(args, 'receipt-timeout-ms', 5000),
      connectTimeoutMs: intFlag(args, 'pg-connect-timeout-ms', 5000),
      statementTimeoutMs: intFlag(args, 'pg-statement-timeout-ms', 10_000),
      onError: (e) => io.stderr(`signet gateway: ${e.code}: ${e.message}\n`),
      onStateChange: (s) => io.stderr(`signet gateway: log ${s}\n`),
      onNotice: (line) => io.stderr(`signet gateway: log: ${line}\n`),
      worker: poolWorkerSlot(), // each worker writes its own spool file under the base
    });
    io.stderr(`signet gateway: logging to ${log.origin} (verifier key ${log.verifierKey})\n`);
    return { ...hooks, queueDepth: () => log.sequencer?.pending };
  },
};
