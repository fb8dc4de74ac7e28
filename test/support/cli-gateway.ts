import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI binary (tests that spawn it need `pnpm run build` first). */
export const CLI_BIN = join(fileURLToPath(new URL('../..', import.meta.url)), 'packages/cli/dist/bin.js');

/** Runs the built CLI to completion. */
export function cli(args: readonly string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A `signet gateway` process: its URL, its stdout lines (the access log) and stderr. */
export interface GatewayProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Parsed access-log lines (JSON lines on stdout). */
  accessLog(): Record<string, unknown>[];
  /** SIGTERM, then waits for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | null>;
}

/** Spawns `signet gateway ARGS` and waits until it prints its URL. */
export function spawnGateway(args: readonly string[], env: Record<string, string> = {}): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [CLI_BIN, 'gateway', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const lines = (into: string[]) => {
    let rest = '';
    return (chunk: Buffer): void => {
      rest += chunk.toString('utf8');
      const parts = rest.split('\n');
      rest = parts.pop() ?? '';
      into.push(...parts);
    };
  };
  child.stdout?.on('data', lines(stdout));
  return new Promise((resolve, reject) => {
    const onErr = lines(stderr);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the gateway did not start:\n${stderr.join('\n')}`));
    }, 20_000);
    child.stderr?.on('data', (c: Buffer) => {
      onErr(c);
      const m = stderr.map((l) => /listening on (http:\/\/\S+?),/.exec(l)).find((x) => x !== null);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1] as string,
          child,
          stdout,
          stderr,
          accessLog: () =>
            stdout.flatMap((l) => {
              try {
                return [JSON.parse(l) as Record<string, unknown>];
              } catch {
                return [];
              }
            }),
          stop: (timeoutMs = 5000) =>
            new Promise((done) => {
              if (child.exitCode !== null) return done(child.exitCode);
              const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
              child.once('exit', (code) => {
                clearTimeout(kill);
                done(code);
              });
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited with ${code}:\n${stderr.join('\n')}`));
    });
  });
}
