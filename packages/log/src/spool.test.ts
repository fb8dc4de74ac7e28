import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSpool } from './spool.js';

const dirs: string[] = [];
const fresh = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'signet-spool-'));
  dirs.push(d);
  return join(d, 'log.spool');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('durable spool', () => {
  it('keeps every acknowledged record on disk, in order, across a reopen', async () => {
    const path = fresh();
    const spool = await openSpool(path);
    await Promise.all(Array.from({ length: 200 }, (_, i) => spool.append(`r${i}`)));
    expect(spool.size).toBe(200);
    await spool.close();
    const again = await openSpool(path);
    expect(await again.read()).toEqual(Array.from({ length: 200 }, (_, i) => `r${i}`));
    await again.close();
  });

  it('drops a torn last write (never acknowledged) and keeps appending cleanly after it', async () => {
    const path = fresh();
    const spool = await openSpool(path);
    await spool.append('whole');
    await spool.close();
    appendFileSync(path, '{"torn');
    const again = await openSpool(path);
    await again.append('next');
    expect(await again.read()).toEqual(['whole', 'next']);
    expect(readFileSync(path, 'utf8')).toBe('whole\nnext\n');
    await again.close();
  });

  it('drain removes what was stored and keeps what arrived meanwhile', async () => {
    const spool = await openSpool(fresh());
    await spool.append('a');
    await spool.append('b');
    let emptied = 0;
    const left = await spool.drain(
      async (records) => {
        expect(records).toEqual(['a', 'b']);
        await spool.append('c');
      },
      () => emptied++,
    );
    expect(left).toBe(1);
    expect(emptied).toBe(0);
    expect(await spool.read()).toEqual(['c']);
    expect(
      await spool.drain(
        async () => undefined,
        () => emptied++,
      ),
    ).toBe(0);
    expect(emptied).toBe(1);
    expect(await spool.read()).toEqual([]);
    await spool.close();
  });

  it('removes nothing when storing fails', async () => {
    const spool = await openSpool(fresh());
    await spool.append('a');
    await expect(
      spool.drain(async () => {
        throw new Error('down');
      }),
    ).rejects.toThrow('down');
    expect(await spool.read()).toEqual(['a']);
    await spool.close();
  });

  it('loses nothing when appends race with drains', async () => {
    const spool = await openSpool(fresh());
    const stored: string[] = [];
    const appends: Promise<void>[] = [];
    let draining = true;
    const drainer = (async () => {
      while (draining || spool.size > 0) {
        await spool.drain(async (records) => {
          // Storing takes a while, and appends keep landing meanwhile.
          await new Promise((r) => setTimeout(r, 1));
          stored.push(...records);
        });
      }
    })();
    for (let i = 0; i < 500; i++) {
      appends.push(spool.append(`r${i}`));
      if (i % 25 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(appends);
    draining = false;
    await drainer;
    expect(stored.sort()).toEqual(Array.from({ length: 500 }, (_, i) => `r${i}`).sort());
    expect(await spool.read()).toEqual([]);
    await spool.close();
  });

  it('refuses a record that spans lines', async () => {
    const spool = await openSpool(fresh());
    await expect(spool.append('a\nb')).rejects.toThrow(TypeError);
    await spool.close();
  });
});
