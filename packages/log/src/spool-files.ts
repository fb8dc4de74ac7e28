import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SignetError } from '@signet/core';
import { openSpool, type Spool } from './spool.js';

/**
 * One spool per writer. Several gateway workers share one log, but a spool file has exactly one
 * writer, so each worker has its own file under one spool base (`--log-spool`, default
 * `<log file>.spool`): worker 1 (or a single process) writes the base itself, worker n writes
 * `<base>.w<n>`. A replaced worker gets its predecessor's number, so it takes over (and replays)
 * its predecessor's file. Files of the base that no live process owns, left by a run with more
 * workers than now, are adopted at start by writer 1 (see {@link adoptOrphanSpools}).
 */

/** The spool file of writer `writer` (1-based) under `base`. */
export function spoolFileOf(base: string, writer: number): string {
  if (!Number.isSafeInteger(writer) || writer < 1) throw new RangeError('a spool writer number is a whole number >= 1');
  return writer === 1 ? base : `${base}.w${writer}`;
}

/** A spool file of a base found on disk. */
export interface SpoolFile {
  readonly path: string;
  readonly writer: number;
}

/** The spool files of `base` on disk (not their locks or temporary files), by writer number. */
export async function listSpoolFiles(base: string): Promise<SpoolFile[]> {
  const name = basename(base);
  let names: string[];
  try {
    names = await readdir(dirname(base));
  } catch {
    return [];
  }
  const found: SpoolFile[] = [];
  for (const n of names) {
    if (n === name) found.push({ path: base, writer: 1 });
    else if (n.startsWith(`${name}.w`)) {
      const rest = n.slice(name.length + 2);
      if (/^[1-9]\d*$/.test(rest) && Number(rest) > 1) found.push({ path: join(dirname(base), n), writer: Number(rest) });
    }
  }
  return found.sort((a, b) => a.writer - b.writer);
}

/** What {@link adoptOrphanSpools} moved. */
export interface AdoptedSpools {
  readonly files: number;
  readonly records: number;
}

/**
 * Moves into `own` (writer 1's spool) every record of the spool files of `base` whose writer number
 * is above `writers` (no worker of this run writes them) and that no live process owns. Each file
 * is locked while it is read, and deleted only once its records are fsync'd in `own`, so a crash at
 * any point leaves every record in one spool or the other (a record in both is replayed once: the
 * log skips entries it has). A file a live process owns is left alone: it is not an orphan.
 */
export async function adoptOrphanSpools(
  own: Spool,
  base: string,
  writers: number,
  say: (line: string) => void = () => undefined,
): Promise<AdoptedSpools> {
  let files = 0;
  let records = 0;
  for (const f of await listSpoolFiles(base)) {
    if (f.writer <= writers || f.path === own.path) continue;
    let orphan: Spool;
    try {
      orphan = await openSpool(f.path, { onTakeover: say });
    } catch (e) {
      if (e instanceof SignetError && e.code === 'SIGNET_E_LOG_SPOOL_IN_USE') {
        say(`left the spool ${f.path} alone: ${e.message}`);
        continue;
      }
      throw e;
    }
    try {
      const lines = await orphan.read();
      await Promise.all(lines.map((l) => own.append(l)));
      await orphan.remove();
      files++;
      records += lines.length;
      if (lines.length > 0) say(`took ${lines.length} spooled entries from ${f.path}, left by an earlier run`);
    } finally {
      await orphan.close();
    }
  }
  return { files, records };
}
