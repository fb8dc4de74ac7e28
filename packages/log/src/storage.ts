import type { AppendPlan } from './append.js';
import type { TileReader } from './tiled-tree.js';

/**
 * The one storage interface of the log. SQLite and PostgreSQL implement it; the same test suite
 * runs against both. Appends happen inside the storage's exclusive lock (a write transaction in
 * SQLite, a row lock in PostgreSQL), which is what keeps indices dense and unique when several
 * processes append to one log.
 */

/** An entry waiting to be sequenced: the 32-byte envelope hash and the response id it belongs to. */
export interface PendingEntry {
  readonly entry: Uint8Array;
  readonly responseId: string;
}

/** A committed, signed tree head: one per batch. */
export interface TreeHead {
  readonly size: number;
  readonly root: Uint8Array;
  /** Commit time, POSIX seconds. */
  readonly time: number;
  /** The signed checkpoint (C2SP signed note). */
  readonly note: string;
  /** COSE protected header of the receipts for this head. */
  readonly receiptProtected: Uint8Array;
  /** The log's signature over (receipt protected header, root). */
  readonly receiptSignature: Uint8Array;
}

/** What the log is: fixed when it is created. */
export interface LogMeta {
  readonly origin: string;
  /** C2SP verifier key of the log key. */
  readonly verifierKey: string;
}

/** What the sequencer computes inside the lock: tiles to write and the signed head. */
export interface CommitPlan {
  readonly plan: AppendPlan;
  readonly head: TreeHead;
}

/** Called inside the lock with the current size and edge tiles; returns what to write. */
export type Committer = (size: number, edge: ReadonlyMap<number, Uint8Array>) => CommitPlan;

/** Log storage. */
export interface LogStorage extends TileReader {
  readonly kind: 'sqlite' | 'postgres';
  /** The stored metadata, or undefined for a log that was never initialized. */
  meta(): Promise<LogMeta | undefined>;
  /**
   * Creates the log (metadata and the signed empty tree head) unless it exists; returns the
   * metadata that is stored (the existing one when another process got there first).
   */
  initialize(meta: LogMeta, emptyHead: TreeHead): Promise<LogMeta>;
  /** Appends entries at the next indices, atomically with their tiles and the new signed head. */
  append(entries: readonly PendingEntry[], commit: Committer): Promise<{ firstIndex: number; head: TreeHead }>;
  /** The newest tree head. */
  latestHead(): Promise<TreeHead | undefined>;
  /** The first tree head that contains leaf `index` (the head of the batch that committed it). */
  headCovering(index: number): Promise<TreeHead | undefined>;
  /** Tree heads with size in [from, to], oldest first (at most `limit`). */
  headsBetween(from: number, to: number, limit: number): Promise<TreeHead[]>;
  /** The index of the newest entry with this response id. */
  indexOf(responseId: string): Promise<number | undefined>;
  /**
   * Checks that the storage takes writes: a test write inside a transaction that is rolled back
   * (nothing changes). Rejects when the file is read-only, the disk is full, or the server is down.
   */
  probeWrite(): Promise<void>;
  /** Entries [start, start + count), as stored (32-byte envelope hashes). */
  readEntries(start: number, count: number): Promise<Uint8Array[]>;
  close(): Promise<void>;
}
