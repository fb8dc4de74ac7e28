import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignetError } from '@signet/core';

/**
 * Writing private material (signing keys, account secrets, auditor keys). Such a file is never
 * overwritten: losing it makes everything that depends on it unreadable (sealed account ids) or
 * unresolvable (account tags). Without `force` an existing file is refused; with it, the old file is
 * moved aside under a timestamped name and the caller is told where.
 */

/** Options of {@link writePrivateFiles}. */
export interface PrivateWriteOptions {
  /** Replace existing files, moving each old one aside first. Default false: refuse. */
  readonly force?: boolean;
  /** The clock that names moved-aside files (default: now). */
  readonly now?: () => Date;
}

/** One private file to write. */
export interface PrivateFile {
  readonly path: string;
  readonly data: string | Uint8Array;
}

/** What happened to an existing file that was replaced. */
export interface MovedAside {
  /** The path that now holds the new material. */
  readonly path: string;
  /** Where the old material is now. */
  readonly movedTo: string;
}

/** The name an old file is moved to: `<path>.replaced-<UTC time>`, unique in its folder. */
export function movedAsideName(path: string, when: Date): string {
  const stamp = when.toISOString().replace(/[:.]/g, '-');
  let candidate = `${path}.replaced-${stamp}`;
  for (let n = 2; existsSync(candidate); n++) candidate = `${path}.replaced-${stamp}-${n}`;
  return candidate;
}

/**
 * Writes private files with mode 0600. Every path is checked before anything is written, so a
 * refusal leaves all of them as they were.
 *
 * @returns the files that existed and were moved aside (empty unless `force`)
 * @throws SignetError `SIGNET_E_KEY_FILE` when a file exists and `force` is not set, or on a write failure
 */
export function writePrivateFiles(files: readonly PrivateFile[], options: PrivateWriteOptions = {}): MovedAside[] {
  const existing = files.filter((f) => existsSync(f.path));
  if (existing.length > 0 && options.force !== true)
    throw new SignetError(
      'SIGNET_E_KEY_FILE',
      `${existing.map((f) => f.path).join(' and ')} already exist${existing.length === 1 ? 's' : ''}; refusing to overwrite private key material`,
      {
        hint: 'Choose another output folder, or pass --force: the old files are then moved aside, not deleted.',
      },
    );
  const when = (options.now ?? (() => new Date()))();
  const moved: MovedAside[] = [];
  for (const f of files) {
    try {
      mkdirSync(dirname(f.path), { recursive: true, mode: 0o700 });
      if (existsSync(f.path)) {
        const movedTo = movedAsideName(f.path, when);
        renameSync(f.path, movedTo);
        moved.push({ path: f.path, movedTo });
      }
      // 'wx': a file that appeared meanwhile is not overwritten either.
      writeFileSync(f.path, f.data, { mode: 0o600, flag: 'wx' });
      chmodSync(f.path, 0o600);
    } catch (cause) {
      throw new SignetError('SIGNET_E_KEY_FILE', `cannot write ${f.path}`, {
        cause,
        hint: 'Check that the folder exists, is writable, and is not a file.',
      });
    }
  }
  return moved;
}
