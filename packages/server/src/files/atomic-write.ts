import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Replaces the file at `path` with `data` atomically: a reader sees the old contents or the new,
 * never a half-written file. The data goes to a temporary file beside it (same filesystem, so the
 * rename is atomic), which gets `mode` before it takes the name: a secret is never readable by
 * others, not even for a moment. Errors are the file system's; callers wrap them in their own code.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data, { mode });
    // writeFileSync's mode is filtered by the umask, and ignored when the file already exists.
    chmodSync(tmp, mode);
    renameSync(tmp, path);
  } catch (cause) {
    rmSync(tmp, { force: true });
    throw cause;
  }
}
