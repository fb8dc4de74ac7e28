import { existsSync } from 'node:fs';
import {
  encodeReceipt,
  envelopeLogEntry,
  getDefaultBackend,
  leafHash,
  receiptProtectedHeader,
  receiptToBeSigned,
  signCheckpoint,
  SignetError,
  type CryptoBackend,
} from '@signet/core';
import { appendLeafHashes } from './append.js';
import { createLogHandler, type LogHandler } from './http.js';
import { loadLogKey, LogKey, saveLogKey } from './log-key.js';
import { openPgStorage } from './pg-storage.js';
import { Sequencer, type SequencerOptions } from './sequencer.js';
import { openSqliteStorage } from './sqlite-storage.js';
import type { LogMeta, LogStorage, PendingEntry, TreeHead } from './storage.js';
import { TiledTree } from './tiled-tree.js';

/** What the log needs from a sealed response (a `Sealed` from @signet/server fits). */
export interface SealedLike {
  readonly envelope: Uint8Array;
  readonly claims: { readonly responseId: string };
}

/** Options of {@link openLog}. */
export interface OpenLogOptions extends SequencerOptions {
  /**
   * The log key: a {@link LogKey}, or the path of its key file. Default for SQLite: `<db>.key` next
   * to the database. PostgreSQL logs need it given (every appending process shares it).
   */
  readonly key?: LogKey | string;
  /** Create the log (and, for SQLite, its key file) when it does not exist yet. */
  readonly create?: boolean;
  /** The log's origin (and key name) when creating. Default `signet.local/log`. */
  readonly origin?: string;
  /** Open for reading only: no key, no appends (serving tiles, printing the key). */
  readonly readOnly?: boolean;
  /** PostgreSQL schema (one log per schema). Default `signet_log`. */
  readonly schema?: string;
  /** PostgreSQL: longest wait for a connection, ms (default 5,000). */
  readonly connectTimeoutMs?: number;
  /** PostgreSQL: longest a statement may run, ms (default 10,000). */
  readonly statementTimeoutMs?: number;
  /** Called when a non-blocking {@link Log.append} fails (the seal was already returned). */
  readonly onError?: (error: unknown) => void;
  readonly backend?: CryptoBackend;
  /** Clock in milliseconds (receipt and checkpoint times). */
  readonly now?: () => number;
}

/** An open transparency log. */
export interface Log {
  readonly origin: string;
  /** The log's C2SP verifier key (what `signet log key` prints). */
  readonly verifierKey: string;
  readonly storage: LogStorage;
  /** The group-commit sequencer (undefined when read-only). */
  readonly sequencer: Sequencer | undefined;
  /** RFC 9162 proofs and roots from the stored tiles. */
  readonly tree: TiledTree;
  /**
   * Queues a sealed response; returns at once. Its receipt becomes available when its batch
   * commits. Failures go to `onError` (the seal was already handed out).
   */
  append(sealed: SealedLike): void;
  /** Queues a sealed response and resolves with its index once committed. */
  appendAndWait(sealed: SealedLike): Promise<number>;
  /** Queues a raw 32-byte entry under a response id. */
  appendEntry(entry: PendingEntry): Promise<number>;
  /** True while a response id is queued but not committed yet. */
  isPending(responseId: string): boolean;
  /** The RFC 9942 receipt of a response, or undefined when it is not (yet) in the log. */
  receiptFor(responseId: string): Promise<Uint8Array | undefined>;
  /** Waits until the response's batch commits and returns its receipt. */
  waitForReceipt(responseId: string, timeoutMs?: number): Promise<Uint8Array>;
  /** The newest signed checkpoint. */
  checkpoint(): Promise<string>;
  /** The newest tree head. */
  head(): Promise<TreeHead>;
  /** Web-standard handler for the tiles (C2SP tlog-tiles) and `GET /v1/signet/receipts/{responseId}`. */
  readonly handler: LogHandler;
  /** Commits what is queued and closes the storage. */
  close(): Promise<void>;
}

const DEFAULT_ORIGIN = 'signet.local/log';

function isPgUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** Opens the storage a target names: a PostgreSQL URL, or a SQLite file path. */
export async function openStorage(
  target: string,
  options: { readOnly?: boolean; schema?: string; connectTimeoutMs?: number; statementTimeoutMs?: number } = {},
): Promise<LogStorage> {
  if (typeof target !== 'string' || target.length === 0)
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'The log target is empty.', { hint: 'Pass a SQLite file path or a postgres:// URL.' });
  if (isPgUrl(target)) {
    return openPgStorage(target, {
      ...(options.schema === undefined ? {} : { schema: options.schema }),
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
      ...(options.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: options.statementTimeoutMs }),
    });
  }
  if (options.readOnly === true && !existsSync(target))
    throw new SignetError('SIGNET_E_LOG_NOT_FOUND', `There is no log at ${target}.`, {
      hint: 'Create one with `signet log init --log FILE`.',
    });
  return openSqliteStorage(target, options.readOnly === true ? { readonly: true } : {});
}

/** The default key file of a SQLite log. */
export function defaultKeyPath(target: string): string | undefined {
  return isPgUrl(target) ? undefined : `${target}.key`;
}

async function resolveKey(target: string, options: OpenLogOptions, backend: CryptoBackend, logExists: boolean): Promise<LogKey> {
  if (options.key instanceof LogKey) return options.key;
  const path = options.key ?? defaultKeyPath(target);
  if (path === undefined) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'A PostgreSQL log needs its key file.', {
      hint: 'Pass --log-key FILE (every process appending to the log uses the same key).',
    });
  }
  // A new key only for a new log: a log whose key file went missing must not silently get another.
  if (!existsSync(path) && options.create === true && !logExists) {
    const key = LogKey.generate(options.origin ?? DEFAULT_ORIGIN, backend);
    try {
      saveLogKey(path, key);
      return key;
    } catch (e) {
      // Another process (a sibling gateway worker) created the log at the same moment: its key
      // file won, and the log is initialized with that key, so use it.
      if (!existsSync(path)) throw e;
      return loadNewKey(path, backend);
    }
  }
  // Without a log yet, the key file may be one another process is writing right now.
  return logExists ? loadLogKey(path, backend) : loadNewKey(path, backend);
}

/** Loads a key file another process has just created, giving it a moment to finish writing. */
async function loadNewKey(path: string, backend: CryptoBackend): Promise<LogKey> {
  for (let attempt = 0; ; attempt++) {
    try {
      return loadLogKey(path, backend);
    } catch (e) {
      if (attempt >= 50) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Signs the tree head of a batch: the checkpoint note and the receipt signature. */
export function signTreeHead(key: LogKey, size: number, root: Uint8Array, time: number): TreeHead {
  const note = signCheckpoint({ origin: key.name, size, root, extensions: [] }, [key.noteSigner]);
  const receiptProtected = receiptProtectedHeader(key.keyId, key.name, time, size);
  const receiptSignature = key.sign(receiptToBeSigned(receiptProtected, root));
  return { size, root, time, note, receiptProtected, receiptSignature };
}

/**
 * Opens a transparency log on SQLite (a file path) or PostgreSQL (a `postgres://` URL): the object
 * the signer, the gateway and `signet log serve` share. See docs/log.md.
 */
export async function openLog(target: string, options: OpenLogOptions = {}): Promise<Log> {
  const backend = options.backend ?? getDefaultBackend();
  const now = options.now ?? Date.now;
  const readOnly = options.readOnly === true;
  if (!readOnly && !(options.key instanceof LogKey) && options.key === undefined && defaultKeyPath(target) === undefined) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'A PostgreSQL log needs its key file.', {
      hint: 'Pass --log-key FILE (every process appending to the log uses the same key).',
    });
  }
  const storage = await openStorage(target, {
    readOnly,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    ...(options.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: options.statementTimeoutMs }),
  });
  let meta: LogMeta | undefined;
  let key: LogKey | undefined;
  try {
    meta = await storage.meta();
    key = readOnly ? undefined : await resolveKey(target, options, backend, meta !== undefined);
    if (meta === undefined) {
      if (key === undefined || options.create !== true) {
        throw new SignetError('SIGNET_E_LOG_NOT_FOUND', 'The log has not been created.', { hint: 'Create it with `signet log init`.' });
      }
      const empty = signTreeHead(key, 0, backend.sha256(new Uint8Array(0)), Math.floor(now() / 1000));
      meta = await storage.initialize({ origin: key.name, verifierKey: key.verifierKey }, empty);
    }
    if (key !== undefined && (meta.verifierKey !== key.verifierKey || meta.origin !== key.name)) {
      throw new SignetError('SIGNET_E_LOG_KEY_MISMATCH', 'This log was created with another key or origin.', {
        hint: `The log's key is ${meta.verifierKey}; use its key file.`,
      });
    }
  } catch (e) {
    await storage.close();
    throw e;
  }
  const { origin, verifierKey } = meta;
  const tree = new TiledTree(backend, storage);
  const pending = new Map<string, number>();
  const waiters = new Map<string, (() => void)[]>();

  const sequencer =
    key === undefined
      ? undefined
      : new Sequencer(async (batch) => {
          // Hash outside the lock: only the tree update and the signatures happen inside it.
          const leaves = batch.map((e) => leafHash(backend, e.entry));
          const { firstIndex } = await storage.append(batch, (size, edge) => {
            const plan = appendLeafHashes(backend, size, edge, leaves);
            return { plan, head: signTreeHead(key, plan.size, plan.root, Math.floor(now() / 1000)) };
          });
          return firstIndex;
        }, options);

  const settle = (responseId: string): void => {
    const n = (pending.get(responseId) ?? 1) - 1;
    if (n <= 0) pending.delete(responseId);
    else pending.set(responseId, n);
    const ws = waiters.get(responseId);
    if (ws !== undefined && n <= 0) {
      waiters.delete(responseId);
      for (const w of ws) w();
    }
  };

  const appendEntry = (entry: PendingEntry): Promise<number> => {
    if (sequencer === undefined) return Promise.reject(new SignetError('SIGNET_E_LOG_STORAGE', 'The log was opened read-only.'));
    if (!(entry.entry instanceof Uint8Array) || entry.entry.length !== 32) return Promise.reject(new TypeError('a log entry is 32 bytes'));
    if (typeof entry.responseId !== 'string' || entry.responseId.length === 0 || entry.responseId.length > 1024)
      return Promise.reject(new TypeError('responseId must be a non-empty string'));
    pending.set(entry.responseId, (pending.get(entry.responseId) ?? 0) + 1);
    const p = sequencer.add(entry);
    p.then(
      () => settle(entry.responseId),
      () => settle(entry.responseId),
    );
    return p;
  };

  const entryOf = (sealed: SealedLike): PendingEntry => ({
    entry: envelopeLogEntry(backend, sealed.envelope),
    responseId: sealed.claims.responseId,
  });

  const receiptFor = async (responseId: string): Promise<Uint8Array | undefined> => {
    const index = await storage.indexOf(responseId);
    if (index === undefined) return undefined;
    const head = await storage.headCovering(index);
    if (head === undefined) return undefined;
    const path = await tree.inclusionProof(index, head.size);
    return encodeReceipt(head.receiptProtected, head.receiptSignature, { size: head.size, index, path });
  };

  const latest = async (): Promise<TreeHead> => {
    const h = await storage.latestHead();
    if (h === undefined) throw new SignetError('SIGNET_E_LOG_NOT_FOUND', 'The log has no checkpoint yet.');
    return h;
  };

  const log: Log = {
    origin,
    verifierKey,
    storage,
    sequencer,
    tree,
    append(sealed) {
      let entry: PendingEntry;
      try {
        entry = entryOf(sealed);
      } catch (e) {
        options.onError?.(e);
        return;
      }
      appendEntry(entry).catch((e: unknown) => options.onError?.(e));
    },
    appendAndWait(sealed) {
      try {
        return appendEntry(entryOf(sealed));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    appendEntry,
    isPending: (responseId) => pending.has(responseId),
    receiptFor,
    async waitForReceipt(responseId, timeoutMs = 10_000) {
      if (pending.has(responseId)) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () =>
              reject(
                new SignetError('SIGNET_E_LOG_NOT_FOUND', 'The receipt did not arrive in time.', {
                  hint: 'The log storage may be slow or failing.',
                }),
              ),
            timeoutMs,
          );
          const list = waiters.get(responseId) ?? [];
          list.push(() => {
            clearTimeout(timer);
            resolve();
          });
          waiters.set(responseId, list);
        });
      }
      const r = await receiptFor(responseId);
      if (r === undefined) throw new SignetError('SIGNET_E_LOG_NOT_FOUND', `No log entry for response ${responseId.slice(0, 100)}.`);
      return r;
    },
    async checkpoint() {
      return (await latest()).note;
    },
    head: latest,
    handler: createLogHandler({ storage, receiptFor, isPending: (responseId) => pending.has(responseId) }),
    async close() {
      try {
        await sequencer?.close();
      } finally {
        await storage.close();
      }
    },
  };
  return log;
}
