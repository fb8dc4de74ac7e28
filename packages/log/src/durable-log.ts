import { envelopeLogEntry, getDefaultBackend, SignetError, type CryptoBackend } from '@signet/core';
import {
  checkWritable,
  openDurableSink,
  type DurableHealth,
  type DurableOptions,
  type DurableRefusal,
  type DurableState,
  type UnavailablePolicy,
} from './durable-sink.js';
import type { LogHandlerSource } from './http.js';
import type { Log, SealedLike } from './log.js';
import type { PendingEntry } from './storage.js';

/**
 * Nothing acknowledged is lost. {@link DurableLog.commit} resolves only once an envelope's entry is
 * durable: committed in the log (group commit: the entry waits for its batch, one transaction and
 * one fsync for up to `maxBatch` entries), or, when the log cannot take it in time, written to a
 * durable local spool (an fsync'd append-only file, itself group-committed) that is replayed on
 * start and retried until the log has every entry. The gateway releases an envelope only after
 * `commit` resolved, so a client never holds an envelope the log has neither stored nor spooled.
 */

/** Options of {@link openDurableLog}. */
export type DurableLogOptions = DurableOptions & { readonly backend?: CryptoBackend };

/** A log whose appends are acknowledged only when durable. */
export interface DurableLog extends LogHandlerSource {
  readonly log: Log;
  readonly storage: Log['storage'];
  readonly state: DurableState;
  readonly policy: UnavailablePolicy;
  /** Resolves once the envelope's entry is committed or durably spooled; rejects when it is neither. */
  commit(sealed: SealedLike): Promise<void>;
  /** The same for a raw entry. */
  commitEntry(entry: PendingEntry): Promise<void>;
  /** Undefined while new answers may be sealed; a refusal (503) under policy `fail` while the log is down. */
  refusal(): DurableRefusal | undefined;
  /** Readiness: state, spool depth, and whether new requests are taken. */
  health(): DurableHealth;
  /** True while a response id is queued or spooled: its receipt will come (202, not 404). */
  isPending(responseId: string): boolean;
  receiptFor(responseId: string): Promise<Uint8Array | undefined>;
  /** Tries now to bring the log back and move the spool into it; resolves with the entries left. */
  retry(): Promise<number>;
  /** Stops retrying, makes a last attempt to empty the spool, closes it (not the log). */
  close(): Promise<void>;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Checks that the log can be written: a test append inside a transaction that is rolled back. Run
 * at start-up, so that a read-only file or a full disk stops the gateway instead of failing later.
 */
export function checkLogWritable(log: Log, timeoutMs = 10_000): Promise<void> {
  return checkWritable(() => log.storage.probeWrite(), timeoutMs, 'SIGNET_E_LOG_NOT_WRITABLE', 'log');
}

/**
 * Wraps an open {@link Log} (opened for appending) with durable acknowledgement and a spool. Checks
 * that the log can be written, replays a spool left by an earlier run, and retries in the background
 * while the log is down.
 */
export async function openDurableLog(log: Log, options: DurableLogOptions): Promise<DurableLog> {
  if (log.sequencer === undefined) throw new SignetError('SIGNET_E_CONFIG_INVALID', 'A durable log needs a log opened for appending.');
  const backend = options.backend ?? getDefaultBackend();
  await checkLogWritable(log, (options.commitTimeoutMs ?? 5_000) * 2);
  const present = async (entry: PendingEntry): Promise<boolean> => {
    const index = await log.storage.indexOf(entry.responseId);
    if (index === undefined) return false;
    const [stored] = await log.storage.readEntries(index, 1);
    return stored !== undefined && sameBytes(stored, entry.entry);
  };
  const sink = await openDurableSink<PendingEntry>(
    {
      name: 'log',
      unavailableCode: 'SIGNET_E_LOG_UNAVAILABLE',
      write: async (entry) => {
        await log.appendEntry(entry);
      },
      replay: async (entries) => {
        const missing: PendingEntry[] = [];
        for (const e of entries) if (!(await present(e))) missing.push(e);
        await Promise.all(missing.map((e) => log.appendEntry(e)));
      },
      probe: () => log.storage.probeWrite(),
      encode: (e) => JSON.stringify({ r: e.responseId, e: Buffer.from(e.entry).toString('base64') }),
      decode: (line) => {
        try {
          const v = JSON.parse(line) as { r?: unknown; e?: unknown };
          if (typeof v.r !== 'string' || typeof v.e !== 'string') return undefined;
          const entry = new Uint8Array(Buffer.from(v.e, 'base64'));
          return entry.length === 32 ? { responseId: v.r, entry } : undefined;
        } catch {
          return undefined;
        }
      },
      key: (e) => e.responseId,
    },
    options,
  );
  return {
    log,
    storage: log.storage,
    get policy() {
      return sink.policy;
    },
    get state() {
      return sink.state;
    },
    commit(sealed) {
      let entry: PendingEntry;
      try {
        entry = { entry: envelopeLogEntry(backend, sealed.envelope), responseId: sealed.claims.responseId };
      } catch (e) {
        return Promise.reject(e);
      }
      return sink.write(entry);
    },
    commitEntry: (entry) => sink.write(entry),
    refusal: () => sink.refusal(),
    health: () => sink.health(),
    isPending: (responseId) => sink.isSpooled(responseId) || log.isPending(responseId),
    receiptFor: (responseId) => log.receiptFor(responseId),
    retry: () => sink.retry(),
    close: () => sink.close(),
  };
}
