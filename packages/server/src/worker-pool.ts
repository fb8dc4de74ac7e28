import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * Several gateway processes on one machine (node:cluster): the primary forks `workers` processes
 * that each run a whole gateway and share the listening port, replaces a worker that dies, passes
 * SIGHUP on (reload terms and keys), and stops them gracefully. Workers share the keys directory,
 * the accounts store and the log through the files or databases they name, not through the
 * primary. `GET /metrics` on any worker shows the sum over all of them.
 *
 * Each worker has a number, 1 to `workers` ({@link poolWorkerSlot}), and a replacement gets the
 * number of the worker it replaces: what a worker owns by number (its spool file) passes to its
 * replacement.
 */

/** Options of {@link startWorkerPool}. */
export interface WorkerPoolOptions {
  /** How many workers (at least 1). */
  readonly workers: number;
  /** Told about workers starting, dying and being replaced (one line each, no secrets). */
  readonly onEvent?: (message: string) => void;
  /** First delay before replacing a dead worker, ms (default 100); doubles while workers keep dying, up to 5 s. */
  readonly restartDelayMs?: number;
  /** Environment added for the workers. */
  readonly env?: Readonly<Record<string, string>>;
}

/** The primary's handle on its workers. */
export interface WorkerPool {
  /** Workers running now. */
  readonly size: number;
  /** Where the workers serve (the URL the first one reported). */
  readonly url: string;
  /** Process ids of the running workers. */
  pids(): number[];
  /** Sends SIGHUP to every worker (each reloads its terms and keys). */
  reload(): void;
  /** Stops every worker gracefully (SIGTERM, open streams finish) and waits for them. */
  stop(): Promise<void>;
}

const READY = 'signet:worker-ready';
// How a worker learns its number and the pool's size (environment set by the primary at fork).
const SLOT_ENV = 'SIGNET_POOL_WORKER';
const SIZE_ENV = 'SIGNET_POOL_WORKERS';
const METRICS_REQ = 'signet:metrics-req';
const METRICS_RES = 'signet:metrics-res';

/** True in a process that {@link startWorkerPool} forked. */
export function isPoolWorker(): boolean {
  return cluster.isWorker;
}

/** A process's place among the gateway's workers: its number (1-based) and how many there are. */
export interface WorkerSlot {
  readonly index: number;
  readonly count: number;
}

/** This process's slot: its number in the pool, or `{ index: 1, count: 1 }` for a process that is no pool worker. */
export function poolWorkerSlot(env: Readonly<Record<string, string | undefined>> = process.env): WorkerSlot {
  const [index, count] = [Number(env[SLOT_ENV]), Number(env[SIZE_ENV])];
  if (!cluster.isWorker || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 1 || index > count)
    return { index: 1, count: 1 };
  return { index, count };
}

/** In a worker: tells the primary this worker is serving, and where. */
export function workerReady(url: string): void {
  process.send?.({ type: READY, url });
}

/** In a worker, once it stopped serving: lets the process exit (the channel to the primary would keep it alive). */
export function workerDone(): void {
  if (cluster.isWorker) cluster.worker?.disconnect();
}

/**
 * In a worker: makes `registry` part of the pool's metrics, and returns a function that renders
 * the metrics summed over every worker (asked through the primary).
 */
export function poolMetrics(registry: Registry): () => Promise<string> {
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  let next = 0;
  const waiting = new Map<number, (text: string) => void>();
  process.on('message', (m: { type?: unknown; id?: number; text?: string }) => {
    if (m?.type === METRICS_RES && typeof m.id === 'number') {
      waiting.get(m.id)?.(m.text ?? '');
      waiting.delete(m.id);
    }
  });
  return () =>
    new Promise<string>((resolve) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        // The primary did not answer: this worker's own metrics are better than none.
        registry.metrics().then(resolve, () => resolve(''));
      }, 2000);
      waiting.set(id, (text) => {
        clearTimeout(timer);
        resolve(text);
      });
      process.send?.({ type: METRICS_REQ, id });
    });
}

/** In the primary: forks the workers and resolves once every one of them is serving. */
export function startWorkerPool(options: WorkerPoolOptions): Promise<WorkerPool> {
  if (!cluster.isPrimary) throw new Error('startWorkerPool runs in the primary process only');
  if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError('workers must be a whole number >= 1');
  const say = options.onEvent ?? (() => undefined);
  const baseDelay = options.restartDelayMs ?? 100;
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let delay = baseDelay;
  let lastDeath = 0;
  const live = new Set<Worker>();
  const slots = new Map<Worker, number>();
  const fork = (index: number): Worker => {
    const w = cluster.fork({ ...options.env, [SLOT_ENV]: String(index), [SIZE_ENV]: String(options.workers) });
    live.add(w);
    slots.set(w, index);
    w.on('message', (m: { type?: unknown; id?: unknown }) => {
      if (m?.type !== METRICS_REQ) return;
      aggregator.clusterMetrics().then(
        (text) => w.send({ type: METRICS_RES, id: m.id, text }),
        () => w.send({ type: METRICS_RES, id: m.id, text: '' }),
      );
    });
    return w;
  };
  // Until every worker has served once, a failing worker is a start-up failure (the promise below
  // rejects), not a crash to recover from.
  let started = false;
  cluster.on('exit', (w, code, signal) => {
    live.delete(w);
    const index = slots.get(w) ?? 1;
    slots.delete(w);
    if (stopping || (!started && code !== 0)) return;
    const now = Date.now();
    // A worker that dies soon after another is a crash loop in the making: back off.
    delay = now - lastDeath < 10_000 ? Math.min(delay * 2, 5000) : baseDelay;
    lastDeath = now;
    say(`worker ${index} (pid ${w.process.pid ?? '?'}) exited (${signal ?? `code ${code}`}); starting a replacement in ${delay} ms`);
    setTimeout(() => {
      if (!stopping) fork(index);
    }, delay).unref();
  });
  return new Promise((resolve, reject) => {
    let ready = 0;
    let url = '';
    const onReady = (w: Worker, m: { type?: unknown; url?: unknown }): void => {
      if (m?.type !== READY) return;
      if (url === '' && typeof m.url === 'string') url = m.url;
      say(`worker ${w.process.pid ?? '?'} serving`);
      if (++ready === options.workers) {
        started = true;
        cluster.off('message', onReady);
        cluster.off('exit', onEarlyExit);
        resolve(pool);
      }
    };
    const onEarlyExit = (_w: Worker, code: number): void => {
      // A worker that fails before the pool is up is a configuration error: stop, do not loop.
      if (ready < options.workers && code !== 0) {
        stopping = true;
        cluster.off('exit', onEarlyExit);
        for (const w of live) w.kill('SIGTERM');
        reject(new Error(`a gateway worker failed to start (exit code ${code})`));
      }
    };
    cluster.on('message', onReady);
    cluster.on('exit', onEarlyExit);
    const pool: WorkerPool = {
      get size() {
        return live.size;
      },
      get url() {
        return url;
      },
      pids: () => [...live].map((w) => w.process.pid ?? 0),
      reload() {
        for (const w of live) w.process.kill('SIGHUP');
      },
      async stop() {
        stopping = true;
        const gone = [...live].map((w) => new Promise<void>((r) => (w.isDead() ? r() : w.once('exit', () => r()))));
        for (const w of live) w.process.kill('SIGTERM');
        await Promise.all(gone);
      },
    };
    for (let i = 1; i <= options.workers; i++) fork(i);
  });
}
