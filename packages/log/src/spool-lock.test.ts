import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSpool } from './spool.js';
import { lockSpool, ownerAlive, type SpoolOwner } from './spool-lock.js';

const dirs: string[] = [];
const fresh = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'signet-spool-lock-'));
  dirs.push(d);
  return join(d, 'log.db.spool');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A pid that is gone (its process ran, exited and was reaped). */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid as number;

/** Another live process that owns the spool at `path` (through the built package) until it is killed. */
function otherOwner(path: string): Promise<{ pid: number; kill(): Promise<void> }> {
  const dist = new URL('../dist/index.js', import.meta.url).href;
  const script = `const { openSpool } = await import(${JSON.stringify(dist)});
const s = await openSpool(${JSON.stringify(path)});
await s.append('from the other process');
process.stdout.write('ready\\n');
setInterval(() => undefined, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the other owner exited (${code})`)));
    child.stdout.on('data', (c: Buffer) => {
      if (!c.toString().includes('ready')) return;
      child.removeAllListeners('exit');
      resolve({
        pid: child.pid as number,
        kill: () =>
          new Promise<void>((r) => {
            child.once('exit', () => r());
            child.kill('SIGKILL');
          }),
      });
    });
  });
}

describe('spool ownership', () => {
  it('refuses a spool that another live process owns, with SIGNET_E_LOG_SPOOL_IN_USE and a hint', async () => {
    const path = fresh();
    const other = await otherOwner(path);
    try {
      const err = await openSpool(path).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'SIGNET_E_LOG_SPOOL_IN_USE' });
      expect((err as Error).message).toContain(`process ${other.pid}`);
      expect((err as { hint?: string }).hint).toMatch(/Another gateway is using this log folder: give each gateway its own --log-spool/);
      // Nothing was written to the file by the refused opener.
      expect(readFileSync(path, 'utf8')).toBe('from the other process\n');
    } finally {
      await other.kill();
    }
  });

  it('takes over the spool of a process that was killed, says so, and keeps its records', async () => {
    const path = fresh();
    const other = await otherOwner(path);
    await other.kill();
    // kill -9 left the lock behind.
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toMatchObject({ pid: other.pid });
    const notices: string[] = [];
    const spool = await openSpool(path, { onTakeover: (l) => notices.push(l) });
    expect(notices).toEqual([`took over the spool ${path} from process ${other.pid}, which is gone`]);
    expect(await spool.read()).toEqual(['from the other process']);
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    await spool.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('takes over a lock naming a dead pid, or this pid left by an earlier process (a restarted container)', async () => {
    for (const pid of [deadPid(), process.pid]) {
      const path = fresh();
      writeFileSync(`${path}.lock`, JSON.stringify({ pid, host: hostname(), started: Date.now() - 60_000 }));
      const notices: string[] = [];
      const lock = await lockSpool(path, { onTakeover: (l) => notices.push(l) });
      expect(notices).toHaveLength(1);
      lock.release();
    }
  });

  it('tells a reused pid from its owner by the start time', async () => {
    const path = fresh();
    const lock = await lockSpool(path);
    const me = JSON.parse(readFileSync(`${path}.lock`, 'utf8')) as SpoolOwner;
    lock.release();
    expect(me).toMatchObject({ pid: process.pid, host: hostname() });
    expect(ownerAlive(me)).toBe(true);
    if (existsSync('/proc/self/stat')) expect(ownerAlive({ ...me, started: me.started - 3_600_000 })).toBe(false);
    expect(ownerAlive({ ...me, pid: deadPid() })).toBe(false);
    // A lock from another host cannot be checked by pid: it counts as live while its owner touches it.
    const foreign = { pid: deadPid(), host: `${hostname()}-elsewhere`, started: 0 };
    expect(ownerAlive(foreign, 5_000)).toBe(true);
    expect(ownerAlive(foreign, 120_000)).toBe(false);
  });

  it('refuses a fresh lock from another host, and takes over one its owner stopped touching', async () => {
    const path = fresh();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 1, host: `${hostname()}-elsewhere`, started: 0 }));
    await expect(lockSpool(path)).rejects.toMatchObject({ code: 'SIGNET_E_LOG_SPOOL_IN_USE' });
    const old = new Date(Date.now() - 120_000);
    utimesSync(`${path}.lock`, old, old);
    const notices: string[] = [];
    const lock = await lockSpool(path, { onTakeover: (l) => notices.push(l) });
    expect(notices).toEqual([`took over the spool ${path} from process 1 on ${hostname()}-elsewhere, which is gone`]);
    lock.release();
  });

  it('refuses a second open of a spool in the same process', async () => {
    const path = fresh();
    const spool = await openSpool(path);
    await expect(openSpool(path)).rejects.toMatchObject({ code: 'SIGNET_E_LOG_SPOOL_IN_USE' });
    await spool.close();
    const again = await openSpool(path);
    await again.close();
  });

  it('does not take over a lock that is being written (unreadable and young) until it is readable', async () => {
    const path = fresh();
    writeFileSync(`${path}.lock`, '');
    const started = Date.now();
    const pid = deadPid();
    setTimeout(() => writeFileSync(`${path}.lock`, JSON.stringify({ pid, host: hostname(), started: 0 })), 200);
    const lock = await lockSpool(path);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    lock.release();
  });
});
