/**
 * Readiness: the checks behind `GET /readyz`, each a named async function. Results are cached for
 * `intervalMs`, so a scrape storm does not turn into an upstream or database storm; the gateway
 * also reads the cached verdict to refuse model requests (fail closed) while a dependency is down.
 */

/** One dependency check: ok, and a short safe detail (an error code, never a message with secrets). */
export type ReadinessCheck = () => Promise<{ readonly ok: boolean; readonly detail?: string }>;

/** A readiness report. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<string, { readonly ok: boolean; readonly detail?: string }>;
}

/** Cached readiness over named checks. */
export interface Readiness {
  /** Runs the checks (or reuses a result younger than `intervalMs`). */
  check(): Promise<ReadinessReport>;
  /** The last verdict without waiting: true until a check has failed; refreshes in the background when old. */
  lastKnownReady(): boolean;
}

/** Creates cached readiness. A check that throws or takes longer than `timeoutMs` counts as failed. */
export function createReadiness(
  checks: Record<string, ReadinessCheck>,
  options: { intervalMs?: number; timeoutMs?: number } = {},
): Readiness {
  const intervalMs = options.intervalMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 2000;
  let last: ReadinessReport | undefined;
  let at = 0;
  let running: Promise<ReadinessReport> | undefined;
  const one = async (fn: ReadinessCheck): Promise<{ ok: boolean; detail?: string }> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        fn(),
        new Promise<{ ok: boolean; detail: string }>((resolve) => {
          timer = setTimeout(() => resolve({ ok: false, detail: 'timeout' }), timeoutMs);
        }),
      ]);
    } catch (e) {
      const code = (e as { code?: unknown } | null)?.code;
      return { ok: false, detail: typeof code === 'string' ? code : 'error' };
    } finally {
      clearTimeout(timer);
    }
  };
  const run = async (): Promise<ReadinessReport> => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((n) => one(checks[n] as ReadinessCheck)));
    const report: ReadinessReport = {
      ready: results.every((r) => r.ok),
      checks: Object.fromEntries(names.map((n, i) => [n, results[i] as { ok: boolean; detail?: string }])),
    };
    last = report;
    at = Date.now();
    return report;
  };
  const refresh = (): Promise<ReadinessReport> => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
  return {
    check: () => (last !== undefined && Date.now() - at < intervalMs ? Promise.resolve(last) : refresh()),
    lastKnownReady() {
      if (last === undefined || Date.now() - at >= intervalMs) refresh().catch(() => undefined);
      return last?.ready ?? true;
    },
  };
}
