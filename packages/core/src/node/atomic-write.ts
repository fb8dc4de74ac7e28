import { chmodSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';

/**
 * Replaces the file at `path` with `data` atomically: a reader sees the old contents or the new,
 * never a half-written file. The data goes to a temporary file beside it (same filesystem, so the
 * rename is atomic), which gets `mode` before it takes the name: a secret is never readable by
 * others, not even for a moment. Without `mode`, the file keeps the mode it had (a new one gets the
 * umask's default). Errors are the file system's; callers wrap them in their own code.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const wanted = mode ?? existingMode(path);
    writeFileSync(tmp, data, wanted === undefined ? {} : { mode: wanted });
    // writeFileSync's mode is filtered by the umask, and ignored when the file already exists.
    if (wanted !== undefined) chmodSync(tmp, wanted);
    renameSync(tmp, path);
  } catch (cause) {
    rmSync(tmp, { force: true });
    throw cause;
  }
}

function existingMode(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o7777;
  } catch {
    return undefined;
  }
}
