import { statSync } from 'node:fs';

/**
 * Following files that other processes rewrite (accounts, a keys directory) without a restart.
 * Polling, not fs.watch: it works the same on every platform and network filesystem, and costs a
 * stat per file at most once per interval, paid by the caller that asks (no timers to stop).
 */

/**
 * A file's version: changes when the file is rewritten (mtime, size) or replaced by a rename (inode),
 * so a rewrite within the mtime's granularity is still seen. `missing` when it cannot be stat'ed.
 */
export function fileStamp(path: string): string {
  try {
    const s = statSync(path);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return 'missing';
  }
}

/** Options of {@link pollFiles}. */
export interface FilePollOptions {
  /** Look at most this often (ms). Default 1000. */
  readonly intervalMs?: number;
  /** The clock (ms), for tests. */
  readonly now?: () => number;
}

/** Tells whether a set of files changed since it last said so. */
export interface FilePoll {
  /**
   * True when any of the files changed since the last true (or since the poll was made); looks at
   * the files only when `intervalMs` has passed since the last look, or when `force` is set.
   */
  changed(force?: boolean): boolean;
}

/**
 * Polls files as one: the stamps of all of them together. One poll per folder: a reader that needs
 * several files of one folder reloads them together, so they never come from different writes
 * when the writer keeps them in step.
 */
export function pollFiles(paths: readonly string[], options: FilePollOptions = {}): FilePoll {
  const interval = options.intervalMs ?? 1000;
  const now = options.now ?? Date.now;
  const stamp = (): string => paths.map(fileStamp).join('|');
  let seen = stamp();
  let checked = now();
  return {
    changed(force = false) {
      const t = now();
      if (!force && t - checked < interval) return false;
      checked = t;
      const s = stamp();
      if (s === seen) return false;
      seen = s;
      return true;
    },
  };
}
