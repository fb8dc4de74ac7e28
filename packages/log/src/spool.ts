import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open, readFile, rename, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SignetError } from '@signet/core';
import { lockSpool, type SpoolLock, type SpoolLockOptions } from './spool-lock.js';

/**
 * A durable spool: an append-only file of records, one JSON text a line, where an append resolves
 * only after its bytes are fsync'd. Appends are group-committed (every record that arrives while a
 * write is on its way to disk goes out with the next single write and fsync), so a busy spool pays
 * one fsync per batch. Records leave the spool by {@link Spool.drain}, which hands a snapshot to the
 * caller and, once the caller has stored them elsewhere, rewrites the file without them (a new file,
 * fsync'd and renamed over the old one, so a crash leaves either the old or the new spool whole).
 *
 * A crash can tear the last line only (it was never acknowledged): a last line without its newline
 * is dropped when the spool is read.
 *
 * A spool has one writer: opening it takes its lock (see {@link lockSpool}), held until it is
 * closed, and a spool another live process holds is refused with `SIGNET_E_LOG_SPOOL_IN_USE`.
 */

/** An open spool. */
export interface Spool {
  readonly path: string;
  /** Records in the spool (on disk or on their way), as far as this process knows. */
  readonly size: number;
  /** Appends one record; resolves once it is on disk (fsync'd). */
  append(record: string): Promise<void>;
  /** The records on disk, oldest first. */
  read(): Promise<string[]>;
  /**
   * Hands the records on disk to `store`; when it resolves, removes them from the spool and returns
   * how many records are left (appended meanwhile). When `store` throws, nothing is removed.
   * `whenEmpty` runs synchronously when the spool ends up empty, before any new append can land.
   */
  drain(store: (records: string[]) => Promise<void>, whenEmpty?: () => void): Promise<number>;
  /** Waits for pending appends, closes the file and gives up its lock. */
  close(): Promise<void>;
  /** Deletes the spool file, then closes it and gives up its lock: only once its records are stored elsewhere. */
  remove(): Promise<void>;
}

/** Options of {@link openSpool}. */
export type SpoolOptions = SpoolLockOptions;

function spoolError(cause: unknown, what: string, path: string): SignetError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new SignetError('SIGNET_E_LOG_SPOOL', `The spool could not ${what}${code === undefined ? '' : ` (${code})`}.`, {
    hint: `Check that ${path} is writable and its disk has space.`,
    cause,
  });
}

function syncDir(path: string): void {
  // A rename or a new file is durable only once its directory is.
  let fd: number | undefined;
  try {
    fd = openSync(dirname(path), 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse to open a directory for syncing; the file itself is synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function parseLines(text: string): string[] {
  const lines = text.split('\n');
  // The part after the last newline is a torn, never acknowledged write (or empty).
  lines.pop();
  return lines.filter((l) => l.length > 0);
}

/**
 * Opens (creating it, mode 0600) the spool file at `path`, owning it until it is closed. Throws
 * `SIGNET_E_LOG_SPOOL_IN_USE` when another live process owns it.
 */
export async function openSpool(path: string, options: SpoolOptions = {}): Promise<Spool> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('openSpool needs a file path');
  const lock: SpoolLock = await lockSpool(path, options);
  let file: FileHandle;
  let existing: string[];
  try {
    file = await open(path, 'a+', 0o600);
    const raw = await readFile(path);
    const end = raw.lastIndexOf(0x0a) + 1;
    // Cut a torn last write, or the next record would be glued to it.
    if (end < raw.length) await truncate(path, end);
    existing = parseLines(raw.subarray(0, end).toString('utf8'));
    syncDir(path);
  } catch (cause) {
    lock.release();
    throw spoolError(cause, 'be opened', path);
  }
  let size = existing.length;
  let queue: { line: string; resolve(): void; reject(e: unknown): void }[] = [];
  let writing: Promise<void> | undefined;
  // The one write (and fsync) on its way to disk.
  let inflight: Promise<void> | undefined;
  // Set while a drain rewrites the file: appends wait for it.
  let rewriting: Promise<void> | undefined;
  // Drains run one at a time.
  let draining: Promise<void> | undefined;
  let closed = false;
  let released = false;

  const writeOnce = async (lines: string): Promise<void> => {
    await file.write(lines);
    await file.datasync();
  };

  const writeBatch = async (): Promise<void> => {
    while (queue.length > 0) {
      while (rewriting !== undefined) await rewriting;
      const batch = queue;
      queue = [];
      inflight = writeOnce(batch.map((b) => b.line).join(''));
      try {
        await inflight;
        for (const b of batch) b.resolve();
      } catch (cause) {
        size -= batch.length;
        const err = spoolError(cause, 'write', path);
        for (const b of batch) b.reject(err);
      } finally {
        inflight = undefined;
      }
    }
  };

  const kick = (): void => {
    if (writing !== undefined) return;
    writing = (async () => {
      await Promise.resolve();
      try {
        await writeBatch();
      } finally {
        writing = undefined;
        if (queue.length > 0) kick();
      }
    })();
  };

  const read = async (): Promise<string[]> => {
    try {
      return parseLines(await readFile(path, 'utf8'));
    } catch (cause) {
      throw spoolError(cause, 'be read', path);
    }
  };

  const spool: Spool = {
    path,
    get size() {
      return size;
    },
    append(record) {
      if (closed) return Promise.reject(new SignetError('SIGNET_E_LOG_SPOOL', 'The spool is closed.'));
      if (record.includes('\n')) return Promise.reject(new TypeError('a spool record is one line'));
      size++;
      return new Promise<void>((resolve, reject) => {
        queue.push({ line: `${record}\n`, resolve, reject });
        kick();
      });
    },
    read,
    async drain(store, whenEmpty) {
      while (draining !== undefined) await draining;
      let release!: () => void;
      draining = new Promise<void>((r) => (release = r));
      let unblock: (() => void) | undefined;
      try {
        if (inflight !== undefined) await inflight.catch(() => undefined);
        const snapshot = await read();
        if (snapshot.length > 0) await store(snapshot);
        // Appends that landed while `store` ran sit after the snapshot: keep them, drop the rest.
        rewriting = new Promise<void>((r) => (unblock = r));
        if (inflight !== undefined) await inflight.catch(() => undefined);
        const now = await read();
        const rest = now.slice(snapshot.length);
        const tmp = `${path}.tmp`;
        try {
          const out = await open(tmp, 'w', 0o600);
          try {
            await out.write(rest.map((l) => `${l}\n`).join(''));
            await out.datasync();
          } finally {
            await out.close();
          }
          await rename(tmp, path);
          syncDir(path);
          await file.close();
          file = await open(path, 'a+', 0o600);
        } catch (cause) {
          throw spoolError(cause, 'be rewritten', path);
        }
        size = rest.length + queue.length;
        if (size === 0) whenEmpty?.();
        return size;
      } finally {
        rewriting = undefined;
        unblock?.();
        draining = undefined;
        release();
      }
    },
    async close() {
      if (closed && released) return;
      closed = true;
      while (writing !== undefined) await writing.catch(() => undefined);
      while (draining !== undefined) await draining;
      await file.close().catch(() => undefined);
      released = true;
      lock.release();
    },
    async remove() {
      closed = true;
      while (writing !== undefined) await writing.catch(() => undefined);
      while (draining !== undefined) await draining;
      try {
        // Deleted while still owned, so nobody can open it between the delete and the release.
        await unlink(path);
        syncDir(path);
      } catch (cause) {
        throw spoolError(cause, 'be removed', path);
      } finally {
        await spool.close();
      }
    },
  };
  return spool;
}
