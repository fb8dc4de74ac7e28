import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeFileError } from './file-errors.js';

/** A file that could not be written; the message says why, in words (never an errno code). */
export class FileWriteError extends Error {
  override readonly name = 'FileWriteError';
}

/** Writes a public file (mode 0644), creating its folder. Every failure is a {@link FileWriteError}. */
export function writePublicFile(path: string, data: string | Uint8Array): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    throw new FileWriteError(
      code === 'EEXIST' || code === 'ENOTDIR'
        ? `cannot create ${dirname(path)}: part of its path is a file`
        : describeFileError(dirname(path), cause, true),
    );
  }
  try {
    writeFileSync(path, data, { mode: 0o644 });
  } catch (cause) {
    throw new FileWriteError(describeFileError(path, cause, true));
  }
}
