import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * A PostgreSQL server of the test's own (scripts/postgres.sh on another port and data folder), so a
 * test may stop and start it without touching the shared one.
 */

const run = promisify(execFile);
const script = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'scripts', 'postgres.sh');

export interface ThrowawayPg {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its data folder. */
  destroy(): Promise<void>;
}

/** Starts a throwaway server on `port` (data in /tmp/signet-pg-fault-PORT); undefined when PostgreSQL is not installed. */
export async function startThrowawayPg(port: number): Promise<ThrowawayPg | undefined> {
  const data = `/tmp/signet-pg-fault-${port}`;
  const env = { ...process.env, SIGNET_PG_PORT: String(port), SIGNET_PG_DATA: data };
  const ctl = async (what: 'start' | 'stop'): Promise<string> =>
    (await run('bash', [script, what], { env, timeout: 120_000 })).stdout.trim();
  let url: string;
  try {
    url = await ctl('start');
  } catch {
    return undefined;
  }
  return {
    url,
    stop: async () => {
      await ctl('stop');
    },
    start: async () => {
      await ctl('start');
    },
    destroy: async () => {
      await ctl('stop').catch(() => undefined);
      rmSync(data, { recursive: true, force: true });
    },
  };
}
