import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSpool } from './spool.js';
import { adoptOrphanSpools, listSpoolFiles, spoolFileOf } from './spool-files.js';

const dirs: string[] = [];
const freshBase = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'signet-spool-files-'));
  dirs.push(d);
  return join(d, 'log.db.spool');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('spool files per writer', () => {
  it('names writer 1 after the base and writer n after the base with .w<n>', () => {
    expect(spoolFileOf('/x/log.db.spool', 1)).toBe('/x/log.db.spool');
    expect(spoolFileOf('/x/log.db.spool', 2)).toBe('/x/log.db.spool.w2');
    expect(spoolFileOf('/x/log.db.spool', 12)).toBe('/x/log.db.spool.w12');
    expect(() => spoolFileOf('/x/log.db.spool', 0)).toThrow(RangeError);
  });

  it('lists the spool files of a base, not their locks, temporary files or other bases', async () => {
    const base = freshBase();
    for (const suffix of ['', '.w2', '.w10', '.lock', '.w2.lock', '.tmp', '.w1', '.w02', '.wx', '.w3.tmp'])
      writeFileSync(`${base}${suffix}`, '');
    writeFileSync(`${base}-other`, '');
    expect(await listSpoolFiles(base)).toEqual([
      { path: base, writer: 1 },
      { path: `${base}.w2`, writer: 2 },
      { path: `${base}.w10`, writer: 10 },
    ]);
  });

  it('writer 1 adopts the records of writers above this run, deletes their files, and leaves its own run alone', async () => {
    const base = freshBase();
    for (const [writer, records] of [
      [2, ['b1', 'b2']],
      [3, ['c1']],
      [4, []],
    ] as const) {
      const s = await openSpool(spoolFileOf(base, writer));
      for (const r of records) await s.append(r);
      await s.close();
    }
    // A torn write at the end of an orphan was never acknowledged: it is not adopted.
    writeFileSync(`${base}.w3`, 'c1\n{"torn');
    const own = await openSpool(base);
    await own.append('a1');
    const said: string[] = [];
    // This run has two writers: writer 2's file is its own business.
    const adopted = await adoptOrphanSpools(own, base, 2, (l) => said.push(l));
    expect(adopted).toEqual({ files: 2, records: 1 });
    expect(await own.read()).toEqual(['a1', 'c1']);
    expect(existsSync(`${base}.w2`)).toBe(true);
    expect(existsSync(`${base}.w3`)).toBe(false);
    expect(existsSync(`${base}.w3.lock`)).toBe(false);
    expect(existsSync(`${base}.w4`)).toBe(false);
    expect(said).toEqual([`took 1 spooled entries from ${base}.w3, left by an earlier run`]);
    // One writer now: writer 2's file is an orphan too.
    expect(await adoptOrphanSpools(own, base, 1)).toEqual({ files: 1, records: 2 });
    expect(await own.read()).toEqual(['a1', 'c1', 'b1', 'b2']);
    expect((await listSpoolFiles(base)).map((f) => f.writer)).toEqual([1]);
    await own.close();
  });

  it('leaves alone a spool file that a live owner holds', async () => {
    const base = freshBase();
    const busy = await openSpool(spoolFileOf(base, 5));
    await busy.append('still being written');
    const own = await openSpool(base);
    const said: string[] = [];
    expect(await adoptOrphanSpools(own, base, 1, (l) => said.push(l))).toEqual({ files: 0, records: 0 });
    expect(said[0]).toMatch(/^left the spool .*\.w5 alone: /);
    expect(await busy.read()).toEqual(['still being written']);
    expect(await own.read()).toEqual([]);
    await busy.close();
    await own.close();
  });
});
