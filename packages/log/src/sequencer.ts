import { SignetError } from '@signet/core';
import type { PendingEntry } from './storage.js';

/**
 * Group commit. Entries are queued as they are sealed and written in batches: a batch closes when
 * it holds `maxBatch` entries or when its oldest entry has waited `maxDelayMs`, whichever comes
 * first. One batch commits at a time; entries that arrive meanwhile form the next one. So a busy
 * log pays one transaction, one fsync and one signature per batch, and a quiet one answers within
 * the delay.
 */

/** Options of {@link Sequencer}. */
export interface SequencerOptions {
  /** Longest wait before a batch commits, milliseconds. Default 50. */
  readonly maxDelayMs?: number;
  /** Most entries per batch. Default 1000. */
  readonly maxBatch?: number;
  /** Most entries waiting (beyond that, appends fail fast instead of growing memory). Default 100,000. */
  readonly maxQueue?: number;
}

/** Commits one batch and returns the index of its first entry. */
export type BatchCommitter = (batch: readonly PendingEntry[]) => Promise<number>;

interface Waiting {
  readonly entry: PendingEntry;
  resolve(index: number): void;
  reject(error: unknown): void;
}

/** Queues entries and commits them in batches through a committer. */
export class Sequencer {
  readonly maxDelayMs: number;
  readonly maxBatch: number;
  readonly maxQueue: number;
  readonly #commit: BatchCommitter;
  #queue: Waiting[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #closed = false;
  #committed = 0;
  #batches = 0;

  constructor(commit: BatchCommitter, options: SequencerOptions = {}) {
    this.maxDelayMs = options.maxDelayMs ?? 50;
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxQueue = options.maxQueue ?? 100_000;
    if (!Number.isFinite(this.maxDelayMs) || this.maxDelayMs < 0) throw new RangeError('maxDelayMs must be >= 0');
    if (!Number.isSafeInteger(this.maxBatch) || this.maxBatch < 1) throw new RangeError('maxBatch must be >= 1');
    this.#commit = commit;
  }

  /** Entries waiting for a batch. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Counters for monitoring: entries and batches committed by this process. */
  get stats(): { committed: number; batches: number } {
    return { committed: this.#committed, batches: this.#batches };
  }

  /** Queues an entry; resolves with its index once its batch is committed. */
  add(entry: PendingEntry): Promise<number> {
    if (this.#closed) return Promise.reject(new SignetError('SIGNET_E_LOG_STORAGE', 'The log is closed.'));
    if (this.#queue.length >= this.maxQueue) {
      return Promise.reject(
        new SignetError('SIGNET_E_LOG_QUEUE_FULL', `More than ${this.maxQueue} entries are waiting for the log.`, {
          hint: 'The log storage is too slow or unreachable; check it, or raise maxQueue.',
        }),
      );
    }
    return new Promise<number>((resolve, reject) => {
      this.#queue.push({ entry, resolve, reject });
      this.#schedule();
    });
  }

  /** Commits everything queued so far, then resolves. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#running !== undefined) {
      if (this.#running === undefined) this.#start();
      await this.#running;
    }
  }

  /** Flushes and refuses further entries. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #schedule(): void {
    if (this.#running !== undefined) return; // the running batch reschedules when it ends
    if (this.#queue.length >= this.maxBatch) {
      this.#start();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      if (this.#running === undefined) this.#start();
    }, this.maxDelayMs);
  }

  #start(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const batch = this.#queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    this.#running = (async () => {
      // Yield first, so that the finally block below never runs before #running is assigned.
      await Promise.resolve();
      try {
        const first = await this.#commit(batch.map((w) => w.entry));
        this.#committed += batch.length;
        this.#batches++;
        batch.forEach((w, i) => w.resolve(first + i));
      } catch (e) {
        for (const w of batch) w.reject(e);
      } finally {
        this.#running = undefined;
        // Entries that arrived during the commit have waited long enough: commit them now.
        if (this.#queue.length > 0) this.#start();
      }
    })();
  }
}
