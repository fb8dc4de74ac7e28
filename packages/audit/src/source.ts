import { closeSync, createReadStream, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SignetError } from '@signet/core';
import { describeFileError } from '@signet/core/node-fs';
import { readDataset, type RawRecord } from './dataset.js';
import { readParquet } from './parquet.js';
import type {} from './errors.js';

/**
 * Where a dataset comes from and how it is encoded. One reader for `signet audit` and `signet
 * attribute`: JSONL and JSON (plain or gzip), Parquet (read one row group at a time), stdin (`-`),
 * and a folder of shards in the Hugging Face dataset layout (`data/*.parquet`, `*.jsonl`, ...).
 */

/** The formats a dataset file may have. */
export type DatasetFormat = 'json' | 'json.gz' | 'parquet';

/** One file of a dataset, with its format. */
export interface DatasetFile {
  /** The path as given, or `-` for stdin. */
  readonly path: string;
  /** The name shown in reports: the path relative to a dataset folder, the base name of a file. */
  readonly name: string;
  readonly format: DatasetFormat | 'stdin';
  /** Size in bytes on disk (0 for stdin). */
  readonly size: number;
}

/** The words used in every format error: what the reader accepts. */
export const SUPPORTED_FORMATS =
  'JSONL (.jsonl, .ndjson), JSON (.json, a top-level array), either gzip-compressed (.gz), Parquet (.parquet), stdin (-), or a folder of such shards (Hugging Face layout: data/*.parquet, *.jsonl)';

const JSON_EXT = new Set(['.jsonl', '.ndjson', '.json']);
const SHARD_EXT = ['.parquet', '.jsonl', '.ndjson', '.json', '.jsonl.gz', '.ndjson.gz', '.json.gz'];

function formatError(message: string): SignetError {
  return new SignetError('SIGNET_E_DATASET_FORMAT', `${message}. Supported: ${SUPPORTED_FORMATS}.`, {
    hint: 'convert the file to JSONL or Parquet, or pass the folder that holds the shards',
  });
}

/** The format of one file, from its name, or from its first bytes when the name says nothing. */
function formatOf(path: string, head: Uint8Array): DatasetFormat {
  const lower = path.toLowerCase();
  const isGzip = head[0] === 0x1f && head[1] === 0x8b;
  const isParquet = head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31;
  if (lower.endsWith('.parquet')) {
    if (!isParquet && head.length > 0) throw formatError(`${basename(path)} is named .parquet but is not a Parquet file`);
    return 'parquet';
  }
  if (lower.endsWith('.gz')) {
    if (!isGzip) throw formatError(`${basename(path)} is named .gz but is not gzip-compressed`);
    const inner = extname(lower.slice(0, -3));
    if (inner !== '' && !JSON_EXT.has(inner)) throw formatError(`${basename(path)} is a compressed ${inner} file`);
    return 'json.gz';
  }
  const ext = extname(lower);
  if (JSON_EXT.has(ext)) return isGzip ? 'json.gz' : 'json';
  if (isParquet) return 'parquet';
  if (isGzip) return 'json.gz';
  // No telling name: JSON starts with an object or an array (after white space or a byte order mark).
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) i++;
  if (i === head.length || head[i] === 0x7b || head[i] === 0x5b) return 'json';
  throw formatError(`${basename(path)} is not in a dataset format this reader knows${ext === '' ? '' : ` (${ext})`}`);
}

/** The first bytes of a file: enough to tell gzip, Parquet and JSON apart. */
function readHead(path: string): Uint8Array {
  const head = Buffer.alloc(64);
  const fd = openSync(path, 'r');
  try {
    return head.subarray(0, readSync(fd, head, 0, head.length, 0));
  } finally {
    closeSync(fd);
  }
}

function statOf(path: string): Stats {
  try {
    return statSync(path);
  } catch (e) {
    throw new SignetError('SIGNET_E_DATASET_UNREADABLE', describeFileError(path, e), {
      hint: 'check the path',
    });
  }
}

/** The shards of a dataset folder: `data/` when it exists (Hugging Face layout), else the folder itself, recursively, in name order. */
function shardsOf(dir: string): string[] {
  let base = dir;
  try {
    if (statSync(join(dir, 'data')).isDirectory()) base = join(dir, 'data');
  } catch {
    // No data/ folder: the shards sit in the folder itself.
  }
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith('.')) continue;
      const p = join(d, entry.name);
      if (entry.isDirectory()) {
        if (depth < 4) walk(p, depth + 1);
      } else if (entry.isFile() && SHARD_EXT.some((e) => entry.name.toLowerCase().endsWith(e))) out.push(p);
    }
  };
  walk(base, 0);
  return out;
}

/**
 * Resolves a dataset argument into its files and their formats. Throws `SIGNET_E_DATASET_FORMAT`,
 * once and naming the supported formats, for a file in any other format, and
 * `SIGNET_E_DATASET_UNREADABLE` for a path that cannot be read.
 */
export function resolveDataset(path: string): DatasetFile[] {
  if (path === '-') return [{ path, name: 'stdin', format: 'stdin', size: 0 }];
  const stats = statOf(path);
  if (stats.isDirectory()) {
    const shards = shardsOf(path);
    if (shards.length === 0) throw formatError(`the folder ${basename(path)} holds no dataset shard`);
    return shards.map((p) => ({ path: p, name: relative(path, p), format: formatOf(p, readHead(p)), size: statSync(p).size }));
  }
  if (!stats.isFile()) throw formatError(`${basename(path)} is neither a file nor a folder`);
  return [{ path, name: basename(path), format: formatOf(path, readHead(path)), size: stats.size }];
}

/** Options of {@link readRecords}. */
export interface ReadRecordsOptions {
  /** Largest record in bytes (default 8 MiB). */
  readonly maxRecordBytes?: number;
  /** Called with the bytes of the dataset read so far, over all files (compressed bytes for gzip). */
  readonly onBytes?: (bytes: number) => void;
  /** Where stdin comes from (default `process.stdin`). */
  readonly stdin?: AsyncIterable<Uint8Array>;
}

/** A record with the index of its file in the list {@link resolveDataset} returned. */
export interface SourcedRecord extends RawRecord {
  readonly file: number;
}

/**
 * Gunzips a byte stream. A read error or corrupt data ends the output with that error (pipeline
 * forwards it), so a reader never waits on a stream that will not end.
 */
function gunzip(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const out = createGunzip();
  pipeline(Readable.from(source), out, () => undefined);
  return out;
}

/** Wraps a byte stream so every chunk read is counted. */
function counted(source: AsyncIterable<Uint8Array>, onChunk: (n: number) => void): AsyncIterable<Uint8Array> {
  return (async function* () {
    for await (const chunk of source) {
      onChunk(chunk.length);
      yield chunk;
    }
  })();
}

/** Peeks at the first bytes of stdin: gzip is unpacked, Parquet refused (it needs a seekable file). */
async function* stdinBytes(stdin: AsyncIterable<Uint8Array>, onChunk: (n: number) => void): AsyncGenerator<Uint8Array> {
  const it = stdin[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done === true) return;
  const head = first.value;
  onChunk(head.length);
  const rest = (async function* () {
    yield head;
    for (let r = await it.next(); r.done !== true; r = await it.next()) {
      onChunk(r.value.length);
      yield r.value;
    }
  })();
  if (head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31)
    throw formatError('Parquet cannot be read from stdin (it is read from its end); save it to a file first');
  if (head[0] === 0x1f && head[1] === 0x8b) yield* gunzip(rest);
  else yield* rest;
}

/**
 * Reads the records of every file of a dataset in turn, streaming: at most one record (or, for
 * Parquet, one row group) is held at a time. Parquet rows come as JSON objects of their columns.
 */
export async function* readRecords(files: readonly DatasetFile[], options: ReadRecordsOptions = {}): AsyncGenerator<SourcedRecord> {
  const max = options.maxRecordBytes ?? 8 * 1024 * 1024;
  let done = 0;
  const onChunk = (n: number): void => {
    done += n;
    options.onBytes?.(done);
  };
  for (const [file, f] of files.entries()) {
    let records: AsyncIterable<RawRecord>;
    if (f.format === 'parquet') {
      const before = done;
      records = readParquet(f.path, { maxRecordBytes: max, onBytes: (n) => ((done = before + n), options.onBytes?.(done)) });
    } else {
      const bytes =
        f.format === 'stdin'
          ? stdinBytes(options.stdin ?? (process.stdin as AsyncIterable<Uint8Array>), onChunk)
          : f.format === 'json.gz'
            ? gunzip(counted(createReadStream(f.path, { highWaterMark: 1 << 20 }), onChunk))
            : counted(createReadStream(f.path, { highWaterMark: 1 << 20 }), onChunk);
      records = readDataset(bytes, { maxRecordBytes: max });
    }
    try {
      for await (const r of records) yield { ...r, file };
    } catch (e) {
      if (e instanceof SignetError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      // A corrupt compressed stream or Parquet file ends the file with one problem, not a crash.
      yield {
        file,
        line: 0,
        problem: {
          code: 'SIGNET_E_DATASET_MALFORMED',
          message: `${f.name} could not be read to its end (${code ?? (e as Error).message.slice(0, 120)}); the records before were read.`,
        },
      };
    }
  }
}
