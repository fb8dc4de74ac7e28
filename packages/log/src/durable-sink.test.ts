import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDurableSink, type DurableSinkStore } from './durable-sink.js';

const dirs: string[] = [];
const spoolPath = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'signet-sink-'));
  dirs.push(d);
  return join(d, 'x.spool');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** What a process killed mid-run leaves at `to`: its spool file, and a lock naming a pid that is gone. */
function leftByDeadProcess(from: string, to: string): void {
  copyFileSync(from, to);
  const pid = spawnSync(process.execPath, ['-e', '']).pid;
  writeFileSync(`${to}.lock`, JSON.stringify({ pid, host: hostname(), started: Date.now() }));
}

/** A store that can be switched off, and that remembers what it holds. */
function flakyStore() {
  const held = new Set<string>();
  const state = { down: false, hang: false };
  const fail = async (): Promise<void> => {
    if (state.hang) await new Promise(() => undefined);
    if (state.down) throw new Error('store down');
  };
  const store: DurableSinkStore<string> = {
    name: 'test store',
    unavailableCode: 'SIGNET_E_LOG_UNAVAILABLE',
    write: async (x) => {
      await fail();
      held.add(x);
    },
    replay: async (xs) => {
      await fail();
      for (const x of xs) held.add(x);
    },
    probe: fail,
    encode: (x) => JSON.stringify(x),
    decode: (l) => JSON.parse(l) as string,
    key: (x) => x,
  };
  return { store, held, state };
}

describe('durable sink', () => {
  it('spools while the store is down and moves everything into it when it returns', async () => {
    const { store, held, state } = flakyStore();
    const sink = await openDurableSink(store, { spoolPath: spoolPath(), retryMs: 20, commitTimeoutMs: 200 });
    await sink.write('a');
    state.down = true;
    await sink.write('b');
    await sink.write('c');
    expect(sink.state).toBe('spooling');
    expect(sink.health()).toMatchObject({ ok: true, state: 'spooling', spooled: 2 });
    expect(sink.isSpooled('b')).toBe(true);
    expect(sink.refusal()).toBeUndefined();
    state.down = false;
    await expect.poll(() => sink.state, { timeout: 2000 }).toBe('available');
    expect([...held].sort()).toEqual(['a', 'b', 'c']);
    expect(sink.isSpooled('b')).toBe(false);
    await sink.close();
  });

  it('spools a write the store does not take in time (a frozen store)', async () => {
    const { store, state } = flakyStore();
    const sink = await openDurableSink(store, { spoolPath: spoolPath(), retryMs: 1000, commitTimeoutMs: 50 });
    state.hang = true;
    const started = performance.now();
    await sink.write('x');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(sink.health().spooled).toBe(1);
    state.hang = false;
    await sink.close();
  });

  it('replays a spool an earlier process left, before taking anything new', async () => {
    const path = spoolPath();
    const first = flakyStore();
    first.state.down = true;
    const a = await openDurableSink(first.store, { spoolPath: path, retryMs: 10_000, commitTimeoutMs: 100 });
    await a.write('left-behind');
    // The process "dies" with the entry only in the spool (and its lock left behind).
    const restarted = spoolPath();
    leftByDeadProcess(path, restarted);
    const second = flakyStore();
    const b = await openDurableSink(second.store, { spoolPath: restarted, retryMs: 20, commitTimeoutMs: 100 });
    expect(second.held.has('left-behind')).toBe(true);
    expect(b.state).toBe('available');
    await b.close();
    await a.close();
  });

  it('under policy fail refuses with a Retry-After and spools nothing', async () => {
    const { store, held, state } = flakyStore();
    const path = spoolPath();
    const sink = await openDurableSink(store, { spoolPath: path, unavailable: 'fail', retryMs: 20, commitTimeoutMs: 100 });
    state.down = true;
    await expect(sink.write('a')).rejects.toMatchObject({ code: 'SIGNET_E_LOG_UNAVAILABLE' });
    expect(sink.refusal()).toMatchObject({ code: 'SIGNET_E_LOG_UNAVAILABLE', retryAfterSeconds: 1 });
    expect(sink.health()).toMatchObject({ ok: false, state: 'failing', spooled: 0 });
    await expect(sink.write('b')).rejects.toMatchObject({ code: 'SIGNET_E_LOG_UNAVAILABLE' });
    state.down = false;
    await expect.poll(() => sink.state, { timeout: 2000 }).toBe('available');
    await sink.write('c');
    expect([...held]).toEqual(['c']);
    await sink.close();
  });
});
