import { SignetError } from '@signet/core';
import type { DurableHealth, DurableRefusal, DurableState, UnavailablePolicy } from './durable-sink.js';
import { openDurableLog, type DurableLog } from './durable-log.js';
import { createLogHandler, type LogHandler } from './http.js';
import { defaultKeyPath, openLog, type Log, type SealedLike } from './log.js';

/**
 * The transparency log as a gateway extension, in one call: the log opened for appending, checked
 * writable, wrapped in a durable spool, and the hooks the gateway plugs in (their shape is the
 * gateway's `GatewayHooks`). `signet gateway --log` is this plus flags.
 */

/** Options of {@link openGatewayLog}. */
export interface GatewayLogOptions {
  /** The log key file (default `<db>.key` for SQLite; required for PostgreSQL). */
  readonly key?: string | undefined;
  /** PostgreSQL schema. */
  readonly schema?: string | undefined;
  /** Group commit: most entries per batch (default 1000). */
  readonly maxBatch?: number | undefined;
  /** Group commit: longest wait before a batch commits, ms (default 0: batches form while one commits). */
  readonly maxDelayMs?: number | undefined;
  /** While the log is down: spool (default) or refuse. */
  readonly unavailable?: UnavailablePolicy | undefined;
  /** The spool base (default `<db>.spool` for SQLite, `<key file>.spool` for PostgreSQL); worker n of n > 1 writes `<base>.w<n>`. */
  readonly spoolPath?: string | undefined;
  /** This gateway worker's number and how many workers run (default `{ index: 1, count: 1 }`: a single process). */
  readonly worker?: { readonly index: number; readonly count: number } | undefined;
  /** Longest wait for a commit before the entry is spooled or refused, ms (default 5,000). */
  readonly commitTimeoutMs?: number | undefined;
  /** Longest receipt, checkpoint or tile lookup, ms (default 5,000). */
  readonly lookupTimeoutMs?: number | undefined;
  /** PostgreSQL connect and statement timeouts, ms (defaults 5,000 and 10,000). */
  readonly connectTimeoutMs?: number | undefined;
  readonly statementTimeoutMs?: number | undefined;
  /** Where the tiles are served (default `/v1/signet/log`). */
  readonly prefix?: string | undefined;
  /** Told about outages and recoveries. */
  readonly onError?: (error: SignetError) => void;
  readonly onStateChange?: (state: DurableState) => void;
  /** Told about spool takeovers and adoptions. */
  readonly onNotice?: (line: string) => void;
}

/** The hooks a gateway takes from the log (structurally the gateway's `GatewayHooks`). */
export interface GatewayLogHooks {
  /** Resolves once the entry is committed or durably spooled: the envelope waits for it. */
  onSealed(sealed: SealedLike): Promise<void>;
  /** Receipts (`/v1/signet/receipts/{id}`: 202 while queued or spooled) and the tiles. */
  readonly extraRoutes: LogHandler;
  refusal(): DurableRefusal | undefined;
  health(): DurableHealth;
  close(): Promise<void>;
}

/** An open gateway log. */
export interface GatewayLog {
  readonly log: Log;
  readonly durable: DurableLog;
  readonly hooks: GatewayLogHooks;
}

/** Opens a log (creating it if missing) for a gateway. Refuses to start when it cannot be written. */
export async function openGatewayLog(target: string, options: GatewayLogOptions = {}): Promise<GatewayLog> {
  const key = options.key ?? defaultKeyPath(target);
  if (key === undefined) throw new SignetError('SIGNET_E_CONFIG_INVALID', 'A PostgreSQL log needs its key file (--log-key FILE).');
  const log = await openLog(target, {
    key,
    create: true,
    maxBatch: options.maxBatch ?? 1000,
    maxDelayMs: options.maxDelayMs ?? 0,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    ...(options.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: options.statementTimeoutMs }),
  });
  let durable: DurableLog;
  try {
    durable = await openDurableLog(log, {
      spoolPath: options.spoolPath ?? `${defaultKeyPath(target) === undefined ? key : target}.spool`,
      ...(options.unavailable === undefined ? {} : { unavailable: options.unavailable }),
      ...(options.commitTimeoutMs === undefined ? {} : { commitTimeoutMs: options.commitTimeoutMs }),
      ...(options.onError === undefined ? {} : { onError: options.onError }),
      ...(options.onStateChange === undefined ? {} : { onStateChange: options.onStateChange }),
      ...(options.onNotice === undefined ? {} : { onNotice: options.onNotice }),
      ...(options.worker === undefined ? {} : { writer: options.worker.index, writers: options.worker.count }),
    });
  } catch (e) {
    await log.close();
    throw e;
  }
  const handler = createLogHandler(durable, {
    prefix: options.prefix ?? '/v1/signet/log',
    ...(options.lookupTimeoutMs === undefined ? {} : { lookupTimeoutMs: options.lookupTimeoutMs }),
  });
  return {
    log,
    durable,
    hooks: {
      onSealed: (sealed) => durable.commit(sealed),
      extraRoutes: handler,
      refusal: () => durable.refusal(),
      health: () => durable.health(),
      close: async () => {
        try {
          await durable.close();
        } finally {
          await log.close();
        }
      },
    },
  };
}
