import { parentPort, workerData } from 'node:worker_threads';
import { unpackBatch, type PackedBatch } from './batch.js';
import { createChecker, type CheckConfig } from './check.js';

/** The audit worker thread: verifies the batches the main thread sends and posts the verdicts back. */
const check = createChecker(workerData as CheckConfig);
parentPort?.on('message', (batch: PackedBatch) => {
  check(unpackBatch(batch)).then(
    (results) => parentPort?.postMessage({ id: batch.id, results }),
    (e: unknown) => parentPort?.postMessage({ id: batch.id, error: (e as Error)?.message ?? String(e) }),
  );
});
