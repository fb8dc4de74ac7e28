import { envelopeLogEntry, getDefaultBackend, SignetError, type CryptoBackend } from '@signet/core';
import type { LogHandlerSource } from './http.js';
import type { Log, SealedLike } from './log.js';
import { openSpool, type Spool } from './spool.js';
import type { PendingEntry } from './storage.js';
import { withTimeout } from './timeout.js';

/**
 * Nothing acknowledged is lost. {@link DurableLog.commit} resolves only once an envelope's entry is
 * durable: committed in the log (group commit: the entry waits for its batch, which is one
 * transaction and one fsync for up to `maxBatch` entries), or, when the log cannot take it, written
 * to a durable local spool (an fsync'd append-only file, itself group-committed) that is replayed
 * on start and retried until the log has every entry. The gateway releases an envelope only after
 * `commit` resolved, so a client never holds an envelope the log has neither stored nor spooled.
 *
 * What happens while the log is down is the operator's choice: `spool` keeps sealing and catches up
 * when the log returns; `fail` refuses (see {@link DurableLog.refusal}) until the log answers again.
 */

/** What to do while the log cannot store entries. */
export type LogUnavailablePolicy = 'spool' | 'fail';

/** The state of a durable log: storing, spooling (log down, policy spool), or failing (log down, policy fail). */
export type DurableLogState = 'available' | 'spooling' | 'failing';

/** What readiness checks read (see {@link DurableLog.health}). */
export interface DurableLogHealth {
  /** False only when new model requests are refused (policy `fail` while the log is down). */
  readonly ok: boolean;
  readonly state: DurableLogState;
  /** Entries waiting in the spool. */
  readonly spooled: number;
  /** One line for an operator. */
  readonly detail: string;
}

/** Options of {@link openDurableLog}. */
export interface DurableLogOptions {
  /** The spool file (default `<log file>.spool` for SQLite; required for PostgreSQL). */
  readonly spoolPath: string;
  /** What to do while the log is down (default `spool`). */
  readonly unavailable?: LogUnavailablePolicy;
  /** Longest wait for a batch to commit before the entry is spooled (or refused), ms. Default 5,000. */
  readonly commitTimeoutMs?: number;
  /** Pause between attempts to reach the log again, ms. Default 1,000. */
  readonly retryMs?: number;
  /** Told about outages and recoveries (never with secrets). */
  readonly onError?: (error: SignetError) => void;
  /** Told when the state changes. */
  readonly onStateChange?: (state: DurableLogState) => void;
  readonly backend?: CryptoBackend;
}

/** A refusal of new work while the log is down under policy `fail`. */
export interface LogRefusal {
  readonly code: 'SIGNET_E_LOG_UNAVAILABLE';
  readonly message: string;
  /** Seconds a client should wait before trying again. */
  readonly retryAfterSeconds: number;
}

/** A log whose appends are acknowledged only when durable. */
export interface DurableLog extends LogHandlerSource {
  readonly log: Log;
  readonly storage: Log['storage'];
  readonly state: DurableLogState;
  readonly policy: LogUnavailablePolicy;
  /** Resolves once the envelope's entry is committed or durably spooled; rejects when it is neither. */
  commit(sealed: SealedLike): Promise<void>;
  /** The same for a raw entry. */
  commitEntry(entry: PendingEntry): Promise<void>;
  /** Undefined while new answers may be sealed; a refusal (503) under policy `fail` while the log is down. */
  refusal(): LogRefusal | undefined;
  /** Readiness: state, spool depth, and whether new requests are taken. */
  health(): DurableLogHealth;
  /** True while a response id is queued or spooled: its receipt will come (202, not 404). */
  isPending(responseId: string): boolean;
  receiptFor(responseId: string): Promise<Uint8Array | undefined>;
  /** Tries now to bring the log back and move the spool into it; resolves with the entries left. */
  retry(): Promise<number>;
  /** Stops retrying, flushes what it can, closes the spool (not the log). */
  close(): Promise<void>;
}

interface SpoolRecord {
  readonly r: string;
  readonly e: string;
}

const DRAIN_BATCH = 1000;

function toRecord(entry: PendingEntry): string {
  return JSON.stringify({ r: entry.responseId, e: Buffer.from(entry.entry).toString('base64') } satisfies SpoolRecord);
}

function fromRecord(line: string): PendingEntry | undefined {
  try {
    const v = JSON.parse(line) as Partial<SpoolRecord>;
    if (typeof v.r !== 'string' || typeof v.e !== 'string') return undefined;
    const entry = new Uint8Array(Buffer.from(v.e, 'base64'));
    return entry.length === 32 ? { responseId: v.r, entry } : undefined;
  } catch {
    return undefined;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Checks that the log can be written: a test append inside a transaction that is rolled back. Used
 * at start-up, so that a read-only file or a full disk stops the gateway instead of failing every
 * append later.
 */
export async function checkLogWritable(log: Log, timeoutMs = 10_000): Promise<void> {
  try {
    await withTimeout(log.storage.probeWrite(), timeoutMs, 'SIGNET_E_LOG_TIMEOUT', 'The log storage did not answer the write check.');
  } catch (cause) {
    throw new SignetError('SIGNET_E_LOG_NOT_WRITABLE', `The log cannot be written${cause instanceof SignetError ? `: ${cause.message}` : '.'}`, {
      hint: 'Check that the log file and its folder are writable, the disk has space, and the database user may write.',
      cause,
    });
  }
}

/**
 * Wraps an open {@link Log} (opened for appending) with durable acknowledgement and a spool. Checks
 * that the log can be written, replays a spool left by an earlier run, and retries in the background
 * while the log is down.
 */
export async function openDurableLog(log: Log, options: DurableLogOptions): Promise<DurableLog> {
  if (log.sequencer === undefined) throw new SignetError('SIGNET_E_CONFIG_INVALID', 'A durable log needs a log opened for appending.');
  const policy = options.unavailable ?? 'spool';
  if (policy !== 'spool' && policy !== 'fail')
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'The log-unavailable policy must be "spool" or "fail".');
  const commitTimeout = options.commitTimeoutMs ?? 5_000;
  const retryMs = options.retryMs ?? 1_000;
  if (!(commitTimeout > 0) || !(retryMs > 0)) throw new RangeError('commitTimeoutMs and retryMs must be positive');
  const backend = options.backend ?? getDefaultBackend();
  await checkLogWritable(log, commitTimeout * 2);
  const spool: Spool = await openSpool(options.spoolPath);
  const spooled = new Set<string>();
  for (const line of await spool.read()) {
    const e = fromRecord(line);
    if (e !== undefined) spooled.add(e.responseId);
  }
  let state: DurableLogState = 'available';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let retrying: Promise<number> | undefined;
  let closed = false;
  const report = (e: SignetError): void => {
    try {
      options.onError?.(e);
    } catch {
      // Reporting never changes the outcome.
    }
  };
  const setState = (next: DurableLogState): void => {
    if (next === state) return;
    state = next;
    try {
      options.onStateChange?.(next);
    } catch {
      // As above.
    }
  };

  const present = async (entry: PendingEntry): Promise<boolean> => {
    const index = await log.storage.indexOf(entry.responseId);
    if (index === undefined) return false;
    const [stored] = await log.storage.readEntries(index, 1);
    return stored !== undefined && sameBytes(stored, entry.entry);
  };

  // Moves spooled entries into the log; idempotent, since a crash may come after a commit and before
  // the spool is rewritten: entries the log already has are skipped.
  const store = async (lines: string[]): Promise<void> => {
    const entries = lines.map(fromRecord).filter((e): e is PendingEntry => e !== undefined);
    for (let i = 0; i < entries.length; i += DRAIN_BATCH) {
      const slice = entries.slice(i, i + DRAIN_BATCH);
      const missing: PendingEntry[] = [];
      for (const e of slice) if (!(await present(e))) missing.push(e);
      await withTimeout(
        Promise.all(missing.map((e) => log.appendEntry(e))),
        commitTimeout * 2,
        'SIGNET_E_LOG_TIMEOUT',
        'The log did not take the spooled entries in time.',
      );
    }
    for (const e of entries) spooled.delete(e.responseId);
  };

  const attempt = async (): Promise<number> => {
    await withTimeout(log.storage.probeWrite(), commitTimeout, 'SIGNET_E_LOG_TIMEOUT', 'The log storage did not answer.');
    if (spool.size === 0 && (await spool.read()).length === 0) {
      setState('available');
      return 0;
    }
    return spool.drain(store, () => setState('available'));
  };

  const retry = (): Promise<number> => {
    retrying ??= attempt()
      .catch((e: unknown) => {
        report(
          e instanceof SignetError ? e : new SignetError('SIGNET_E_LOG_STORAGE', 'The log is still unavailable.', { cause: e }),
        );
        return spool.size;
      })
      .finally(() => {
        retrying = undefined;
      });
    return retrying;
  };

  const schedule = (): void => {
    if (closed || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void retry().then(() => {
        if (state !== 'available') schedule();
      });
    }, retryMs);
    timer.unref();
  };

  const unavailable = (cause: unknown): void => {
    if (state === 'available') {
      report(
        new SignetError(
          'SIGNET_E_LOG_STORAGE',
          policy === 'spool' ? 'The log is unavailable; spooling entries until it returns.' : 'The log is unavailable; refusing new requests.',
          { cause },
        ),
      );
    }
    setState(policy === 'spool' ? 'spooling' : 'failing');
    schedule();
  };

  const toSpool = async (entry: PendingEntry): Promise<void> => {
    spooled.add(entry.responseId);
    try {
      await spool.append(toRecord(entry));
    } catch (e) {
      spooled.delete(entry.responseId);
      throw e;
    }
    schedule();
  };

  const commitEntry = async (entry: PendingEntry): Promise<void> => {
    if (closed) throw new SignetError('SIGNET_E_LOG_STORAGE', 'The log is closed.');
    if (state === 'failing') throw refusalError();
    // While spooling, new entries queue behind the spooled ones, so the log keeps their order.
    if (state === 'spooling') return toSpool(entry);
    try {
      await withTimeout(log.appendEntry(entry), commitTimeout, 'SIGNET_E_LOG_TIMEOUT', 'The log did not commit the entry in time.');
    } catch (cause) {
      if (cause instanceof TypeError) throw cause;
      unavailable(cause);
      if (policy === 'fail') throw refusalError(cause);
      await toSpool(entry);
    }
  };

  const refusalError = (cause?: unknown): SignetError =>
    new SignetError('SIGNET_E_LOG_UNAVAILABLE', 'The transparency log is unavailable, so nothing can be sealed right now.', {
      hint: 'Retry later; the operator runs the gateway with --log-unavailable fail.',
      ...(cause === undefined ? {} : { cause }),
    });

  if (spool.size > 0) {
    setState(policy === 'spool' ? 'spooling' : 'failing');
    // Catch up with what an earlier run spooled before anything new is taken.
    if ((await retry()) > 0 || state !== 'available') schedule();
  }

  return {
    log,
    storage: log.storage,
    policy,
    get state() {
      return state;
    },
    commit(sealed) {
      let entry: PendingEntry;
      try {
        entry = { entry: envelopeLogEntry(backend, sealed.envelope), responseId: sealed.claims.responseId };
      } catch (e) {
        return Promise.reject(e);
      }
      return commitEntry(entry);
    },
    commitEntry,
    refusal() {
      if (state !== 'failing') return undefined;
      return {
        code: 'SIGNET_E_LOG_UNAVAILABLE',
        message: 'The transparency log is unavailable, so nothing can be sealed right now.',
        retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)),
      };
    },
    health() {
      const n = spool.size;
      return {
        ok: state !== 'failing',
        state,
        spooled: n,
        detail:
          state === 'available'
            ? 'log available'
            : state === 'spooling'
              ? `log unavailable, ${n} entries spooled`
              : 'log unavailable, refusing new requests',
      };
    },
    isPending: (responseId) => spooled.has(responseId) || log.isPending(responseId),
    receiptFor: (responseId) => log.receiptFor(responseId),
    retry,
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (retrying !== undefined) await retrying;
      if (spool.size > 0) await retry();
      await spool.close();
    },
  };
}
