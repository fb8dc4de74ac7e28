import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { packBatch } from './batch.js';
import { createChecker, type BatchRecord, type CheckConfig, type ItemResult } from './check.js';

/**
 * Runs batch checks on worker threads (one per core), or in this thread when asked for zero
 * workers or when the worker script is not built (running from TypeScript sources). Each worker
 * holds at most `depth` batches, so reading never races ahead of verifying and memory stays flat.
 */
export interface CheckPool {
  /** Resolves when the batch has been accepted (back-pressure); `onResults` receives its verdicts. */
  submit(records: readonly BatchRecord[]): Promise<void>;
  /** Waits for every submitted batch and stops the workers. */
  finish(): Promise<void>;
  readonly threads: number;
}

const WORKER_FILE = fileURLToPath(new URL('./worker.js', import.meta.url));

/** Starts a pool. */
export function startPool(config: CheckConfig, workers: number, onResults: (results: ItemResult[]) => void, depth = 4): CheckPool {
  if (workers <= 0 || !existsSync(WORKER_FILE)) {
    const check = createChecker(config);
    let chain = Promise.resolve();
    return {
      threads: 0,
      submit: (records) => {
        chain = chain.then(async () => onResults(await check(records)));
        return chain;
      },
      finish: () => chain,
    };
  }
  let failure: Error | undefined;
  const slots = Array.from({ length: workers }, () => {
    const worker = new Worker(WORKER_FILE, { workerData: config });
    const slot = { worker, inFlight: 0 };
    worker.on('message', (m: { results?: ItemResult[]; error?: string }) => {
      slot.inFlight--;
      if (m.results !== undefined) onResults(m.results);
      else failure ??= new Error(m.error ?? 'the audit worker failed');
      wake();
    });
    worker.on('error', (e) => {
      failure ??= e;
      wake();
    });
    return slot;
  });
  let waiters: (() => void)[] = [];
  const wake = (): void => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const waitFor = async (ready: () => boolean): Promise<void> => {
    while (!ready()) {
      if (failure !== undefined) throw failure;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    if (failure !== undefined) throw failure;
  };
  let nextId = 0;
  return {
    threads: workers,
    async submit(records) {
      await waitFor(() => slots.some((s) => s.inFlight < depth));
      const slot = slots.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      const batch = packBatch(nextId++, records);
      slot.inFlight++;
      slot.worker.postMessage(batch, [batch.buffer]);
    },
    async finish() {
      try {
        await waitFor(() => slots.every((s) => s.inFlight === 0));
      } finally {
        await Promise.all(slots.map((s) => s.worker.terminate()));
      }
    },
  };
}
