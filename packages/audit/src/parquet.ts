import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { RawRecord } from './dataset.js';

/**
 * Parquet datasets, read one row group at a time so memory holds one group, never the file. Each
 * row becomes the JSON object of its columns (large integers as numbers when they fit, else
 * strings; binary columns as base64url), so the rest of the audit reads it like a JSONL record.
 */

/** Options of {@link readParquet}. */
export interface ParquetOptions {
  readonly maxRecordBytes: number;
  /** Called with the compressed bytes of the row groups read so far. */
  readonly onBytes?: (bytes: number) => void;
}

const encoder = new TextEncoder();

function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64url');
  return value;
}

/** Yields the rows of a Parquet file as JSON records; `line` is the 1-based row number. */
export async function* readParquet(path: string, options: ParquetOptions): AsyncGenerator<RawRecord> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  let rowStart = 0;
  let bytes = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const rows = await parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors });
    for (const [i, row] of rows.entries()) {
      const line = rowStart + i + 1;
      const record = encoder.encode(JSON.stringify(row, jsonValue));
      yield record.length > options.maxRecordBytes ? { line, tooLong: record.length } : { line, bytes: record };
    }
    for (const c of group.columns) bytes += Number(c.meta_data?.total_compressed_size ?? 0);
    options.onBytes?.(bytes);
    rowStart = rowEnd;
  }
}
