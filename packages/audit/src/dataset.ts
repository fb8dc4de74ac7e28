import { createReadStream } from 'node:fs';
import type { SignetErrorCode } from '@signet/core';
// The SIGNET_E_DATASET_* codes thrown here are defined, and typed, in ./errors.ts.
import type {} from './errors.js';

/**
 * Streaming dataset reader: cuts a JSONL file into lines, or a JSON file whose top level is an array
 * into its elements, without ever holding more than one record (and one read buffer) in memory. A
 * record longer than the cap is reported, not buffered: its bytes are skipped up to the next
 * record boundary.
 *
 * Every byte read is accounted for: besides records and blank space, what does not belong to a
 * record is yielded as a problem, never dropped. Data after the closing bracket of a top-level array
 * is `SIGNET_E_DATASET_TRAILING`; an array that is never closed is `SIGNET_E_DATASET_MALFORMED`.
 */

/** One record as read: raw bytes (decoded later, in a worker) or the reason it could not be kept. */
export interface RawRecord {
  /** 1-based line number where the record starts. */
  readonly line: number;
  readonly bytes?: Uint8Array;
  /** Set when the record exceeded the cap: its size in bytes. */
  readonly tooLong?: number;
  /** Set for bytes that are not a record (data after the array, an unclosed array): why. */
  readonly problem?: { readonly code: SignetErrorCode; readonly message: string };
}

/** Options of {@link readDataset}. */
export interface DatasetOptions {
  /** Largest record in bytes (default 8 MiB). */
  readonly maxRecordBytes?: number;
  /** Called with the number of bytes read so far (progress). */
  readonly onBytes?: (bytes: number) => void;
}

const NL = 0x0a;
const CR = 0x0d;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === NL || b === CR;
}

/**
 * Reads records from a file, or from a byte stream (stdin, a gunzipped file). Yields each record
 * once; blank lines are skipped. The layout (JSONL or one JSON array) is chosen by the first
 * non-blank byte: `[` means an array.
 */
export async function* readDataset(input: string | AsyncIterable<Uint8Array>, options: DatasetOptions = {}): AsyncGenerator<RawRecord> {
  const max = options.maxRecordBytes ?? 8 * 1024 * 1024;
  const stream: AsyncIterable<Uint8Array> = typeof input === 'string' ? createReadStream(input, { highWaterMark: 1 << 20 }) : input;
  let mode: 'unknown' | 'lines' | 'array' = 'unknown';
  let parts: Uint8Array[] = [];
  let size = 0;
  let oversize = false;
  let line = 1;
  let recordLine = 1;
  let bytesRead = 0;
  let first = true;
  // JSON array scanner state.
  let depth = 0;
  let inString = false;
  let escaped = false;
  let inElement = false;
  // After the top-level array's closing bracket: only white space may follow.
  let closed = false;
  let trailingLine = 0;
  let trailingBytes = 0;

  const take = (chunk: Uint8Array, from: number, to: number): void => {
    if (to <= from) return;
    size += to - from;
    if (size > max) {
      oversize = true;
      parts = [];
    } else if (!oversize) parts.push(chunk.subarray(from, to));
  };
  const flush = (): RawRecord | undefined => {
    let out: RawRecord | undefined;
    if (oversize) out = { line: recordLine, tooLong: size };
    else if (size > 0) {
      const bytes = parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts, size);
      // Blank lines (white space only) are not records.
      let blank = true;
      for (let i = 0; i < bytes.length && blank; i++) if (!isSpace(bytes[i] as number)) blank = false;
      if (!blank) out = { line: recordLine, bytes: Uint8Array.from(bytes) };
    }
    parts = [];
    size = 0;
    oversize = false;
    return out;
  };

  for await (const buf of stream) {
    let chunk: Uint8Array = buf;
    bytesRead += chunk.length;
    options.onBytes?.(bytesRead);
    if (first) {
      first = false;
      // A UTF-8 byte order mark is not part of the first record.
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    let i = 0;
    if (mode === 'unknown') {
      while (i < chunk.length && isSpace(chunk[i] as number)) {
        if (chunk[i] === NL) line++;
        i++;
      }
      if (i === chunk.length) continue;
      mode = chunk[i] === 0x5b ? 'array' : 'lines';
      recordLine = line;
      if (mode === 'array') i++;
    }
    if (mode === 'lines') {
      let start = i;
      for (;;) {
        const nl = chunk.indexOf(NL, start);
        if (nl < 0) {
          take(chunk, start, chunk.length);
          break;
        }
        take(chunk, start, nl);
        const r = flush();
        if (r !== undefined) yield r;
        line++;
        recordLine = line;
        start = nl + 1;
      }
      continue;
    }
    // Array mode: cut at top-level commas, tracking strings and nesting.
    let start = i;
    if (closed) {
      trailingBytes += countTrailing(
        chunk,
        i,
        () => (trailingLine ||= line),
        () => line++,
      );
      continue;
    }
    for (; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (b === NL) line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === 0x5c) escaped = true;
        else if (b === 0x22) inString = false;
        continue;
      }
      if (!inElement) {
        if (isSpace(b) || b === 0x2c) {
          start = i + 1;
          continue;
        }
        if (b === 0x5d && depth === 0) {
          closed = true;
          start = chunk.length;
          break;
        }
        inElement = true;
        recordLine = line;
        start = i;
      }
      if (b === 0x5d && depth === 0) {
        // The closing bracket of the top-level array: the last element ends here.
        take(chunk, start, i);
        const r = flush();
        if (r !== undefined) yield r;
        inElement = false;
        closed = true;
        start = chunk.length;
        break;
      }
      if (b === 0x22) inString = true;
      else if (b === 0x7b || b === 0x5b) depth++;
      else if (b === 0x7d || b === 0x5d) depth--;
      else if (b === 0x2c && depth === 0) {
        take(chunk, start, i);
        const r = flush();
        if (r !== undefined) yield r;
        inElement = false;
        start = i + 1;
      }
    }
    if (inElement) take(chunk, start, Math.min(i, chunk.length));
    // The rest of the chunk after the closing bracket.
    if (closed && i < chunk.length)
      trailingBytes += countTrailing(
        chunk,
        i + 1,
        () => (trailingLine ||= line),
        () => line++,
      );
  }
  const r = flush();
  if (r !== undefined) yield r;
  if (mode === 'array' && !closed) {
    yield {
      line: recordLine,
      problem: { code: 'SIGNET_E_DATASET_MALFORMED', message: 'The top-level JSON array is not closed: the file is truncated.' },
    };
  }
  if (trailingBytes > 0) {
    yield {
      line: trailingLine,
      problem: {
        code: 'SIGNET_E_DATASET_TRAILING',
        message: `${trailingBytes} bytes of data follow the end of the top-level JSON array; they were not read as records.`,
      },
    };
  }
}

/**
 * Counts the non-white-space bytes of `chunk` from `from` (data after the array), calling `first`
 * at the first one (to note its line) and `newline` at every line break.
 */
function countTrailing(chunk: Uint8Array, from: number, first: () => void, newline: () => void): number {
  let n = 0;
  for (let i = from; i < chunk.length; i++) {
    const b = chunk[i] as number;
    if (b === NL) newline();
    if (isSpace(b)) continue;
    if (n === 0) first();
    n++;
  }
  return n;
}
