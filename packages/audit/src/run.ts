import { basename } from 'node:path';
import { availableParallelism } from 'node:os';
import type { BatchRecord } from './check.js';
import type { RecordFields } from './records.js';
import { readRecords, resolveDataset } from './source.js';
import { startPool } from './pool.js';
import { createProgress } from './progress.js';
import { packPosition, ReportBuilder, type AuditReport } from './report.js';

/** Options of {@link runAudit}. */
export interface AuditOptions {
  /** The trusted JWKS document (text). */
  readonly jwks: string;
  readonly issuers?: readonly string[];
  /** Worker threads (default: one per core; 0 verifies on this thread). */
  readonly workers?: number;
  readonly maxRecordBytes?: number;
  /** Records per batch handed to a worker. */
  readonly batchSize?: number;
  /** Where the progress bar goes, when it is shown. */
  readonly progress?: (text: string) => void;
  readonly maxFailures?: number;
  /** Field names of `{text, envelope}` records (`--text-field`, `--envelope-field`). */
  readonly fields?: RecordFields;
  /** Where `-` reads from (default stdin). */
  readonly stdin?: AsyncIterable<Uint8Array>;
}

/** A dataset that is not a file: its bytes as they stream in (standard input, say), and a name for the report. */
export interface DatasetStream {
  readonly bytes: AsyncIterable<Uint8Array>;
  readonly name: string;
}

/**
 * Audits a dataset (a file in any supported format, a folder of shards, `-` for stdin, or a stream
 * of bytes): streams it, verifies every record on the worker pool, and builds the report. A dataset
 * in an unsupported format is refused before any record is read (`SIGNET_E_DATASET_FORMAT`).
 */
export async function runAudit(path: string | DatasetStream, options: AuditOptions): Promise<AuditReport> {
  const started = performance.now();
  const stream = typeof path === 'string' ? undefined : path;
  const files = resolveDataset(typeof path === 'string' ? path : '-');
  const stdin = stream?.bytes ?? options.stdin;
  const maxRecordBytes = options.maxRecordBytes ?? 8 * 1024 * 1024;
  const batchSize = options.batchSize ?? 256;
  const builder = new ReportBuilder(
    options.maxFailures,
    files.map((f) => f.name),
  );
  const workers = options.workers ?? Math.max(1, availableParallelism());
  const pool = startPool(
    {
      jwks: options.jwks,
      ...(options.issuers === undefined ? {} : { issuers: options.issuers }),
      ...(options.fields === undefined ? {} : { fields: options.fields }),
      maxRecordBytes,
    },
    workers,
    (results) => builder.add(results),
  );
  const size = files.reduce((n, f) => n + f.size, 0);
  const progress = createProgress(options.progress ?? (() => undefined), size, options.progress !== undefined);
  let bytes = 0;
  let batch: BatchRecord[] = [];
  let batchBytes = 0;
  try {
    const records = readRecords(files, {
      maxRecordBytes,
      onBytes: (n) => (bytes = n),
      ...(stdin === undefined ? {} : { stdin }),
    });
    for await (const record of records) {
      builder.countRecord();
      const line = packPosition(record.file, record.line);
      // Bytes that are no record (after the array, an unclosed array) need no worker: counted here.
      if (record.problem !== undefined) {
        builder.add([{ line, valid: false, code: record.problem.code, message: record.problem.message }]);
        continue;
      }
      batch.push(record.bytes === undefined ? { line, tooLong: record.tooLong ?? 0 } : { line, bytes: record.bytes });
      batchBytes += record.bytes?.length ?? 0;
      // Cap a batch by bytes too: a few huge records must not make one huge message.
      if (batch.length >= batchSize || batchBytes >= 4 * 1024 * 1024) {
        await pool.submit(batch);
        batch = [];
        batchBytes = 0;
        progress.update(builder.total, bytes);
      }
    }
    if (batch.length > 0) await pool.submit(batch);
  } finally {
    await pool.finish();
  }
  progress.done();
  return builder.build({
    dataset: typeof path !== 'string' ? path.name : path === '-' ? 'stdin' : basename(path),
    durationMs: performance.now() - started,
    threads: pool.threads,
  });
}
