import { describe, expect, it } from 'vitest';
import { Sequencer } from './sequencer.js';
import type { PendingEntry } from './storage.js';

const entry = (i: number): PendingEntry => ({ entry: new Uint8Array(32).fill(i & 0xff), responseId: `r${i}` });

function recorder(delayMs = 0) {
  const batches: number[] = [];
  let size = 0;
  const commit = async (batch: readonly PendingEntry[]): Promise<number> => {
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    batches.push(batch.length);
    const first = size;
    size += batch.length;
    return first;
  };
  return { batches, commit };
}

describe('group-commit sequencer', () => {
  it('closes a batch at maxBatch entries and hands out consecutive indices', async () => {
    const r = recorder(5);
    const s = new Sequencer(r.commit, { maxBatch: 10, maxDelayMs: 1000 });
    const started = Date.now();
    const indices = await Promise.all(Array.from({ length: 35 }, (_, i) => s.add(entry(i))));
    expect(indices).toEqual(Array.from({ length: 35 }, (_, i) => i));
    // Three full batches went at once; only the last 5 waited... and were committed right after
    // the running batch, not after the 1 s delay.
    expect(r.batches.slice(0, 3)).toEqual([10, 10, 10]);
    expect(r.batches.reduce((a, b) => a + b, 0)).toBe(35);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('commits a lone entry after the delay, not before', async () => {
    const r = recorder();
    const s = new Sequencer(r.commit, { maxBatch: 1000, maxDelayMs: 60 });
    const started = performance.now();
    await s.add(entry(1));
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(55);
    expect(waited).toBeLessThan(1000);
    expect(r.batches).toEqual([1]);
  });

  it('rejects a failed batch with the storage error, and keeps going afterwards', async () => {
    let fail = true;
    let size = 0;
    const s = new Sequencer(
      async (batch) => {
        if (fail) throw new Error('disk full');
        size += batch.length;
        return size - batch.length;
      },
      { maxDelayMs: 1 },
    );
    const failed = await Promise.allSettled([s.add(entry(1)), s.add(entry(2))]);
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await s.add(entry(3))).toBe(0);
  });

  it('fails fast when the queue is full, flushes on close, then refuses entries', async () => {
    const r = recorder(20);
    const s = new Sequencer(r.commit, { maxBatch: 5, maxDelayMs: 1, maxQueue: 8 });
    const accepted = Array.from({ length: 8 }, (_, i) => s.add(entry(i)));
    // The first 5 left the queue for a running batch, so 3 wait: room for 5 more, not 6.
    const more = Array.from({ length: 6 }, (_, i) => s.add(entry(100 + i)));
    const settled = await Promise.allSettled([...accepted, ...more]);
    expect(settled.filter((x) => x.status === 'rejected').map((x) => (x as PromiseRejectedResult).reason.code)).toEqual([
      'SIGNET_E_LOG_QUEUE_FULL',
    ]);
    const last = s.add(entry(200));
    await s.close();
    await expect(last).resolves.toBe(13);
    await expect(s.add(entry(201))).rejects.toMatchObject({ code: 'SIGNET_E_LOG_STORAGE' });
    expect(() => new Sequencer(r.commit, { maxBatch: 0 })).toThrow(RangeError);
  });
});
