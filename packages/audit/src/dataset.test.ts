import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDataset, type RawRecord } from './dataset.js';
import { createProgress } from './progress.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-dataset-'));

type Read = { line: number; text?: string; tooLong?: number; problem?: string };

async function read(content: string | Buffer, maxRecordBytes?: number): Promise<Read[]> {
  const path = join(dir, `f${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, content);
  const out: Read[] = [];
  for await (const r of readDataset(path, maxRecordBytes === undefined ? {} : { maxRecordBytes }) as AsyncGenerator<RawRecord>) {
    if (r.problem !== undefined) out.push({ line: r.line, problem: r.problem.code });
    else
      out.push(
        r.bytes === undefined ? { line: r.line, tooLong: r.tooLong! } : { line: r.line, text: Buffer.from(r.bytes).toString('utf8') },
      );
  }
  return out;
}

describe('dataset reader', () => {
  it('cuts JSONL into lines with their numbers, skipping blank lines and a byte order mark', async () => {
    expect(await read('\uFEFF{"a":1}\r\n\n  \n{"b":2}\n{"c":3}')).toEqual([
      { line: 1, text: '{"a":1}\r' },
      { line: 4, text: '{"b":2}' },
      { line: 5, text: '{"c":3}' },
    ]);
  });

  it('reports a line over the cap by its size, without keeping it, and goes on', async () => {
    expect(await read(`{"a":1}\n${'x'.repeat(5000)}\n{"b":2}\n`, 1000)).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, tooLong: 5000 },
      { line: 3, text: '{"b":2}' },
    ]);
  });

  it('cuts a JSON array into elements, whatever the strings and nesting inside them', async () => {
    const elements = [{ t: 'a, b ] } [ {' }, { t: 'quote \\" and \\\\', n: [1, [2, { x: ']' }]] }, 'plain', 42];
    const text = JSON.stringify(elements, null, 2);
    const got = await read(`\n${text}\n`);
    expect(got.map((r) => JSON.parse(r.text!))).toEqual(elements);
    expect(got[0]!.line).toBe(3);
    expect(await read('[]')).toEqual([]);
  });

  it('reports data after the top-level array as trailing data, never dropping it', async () => {
    expect(await read('[{"a":1}]\n{"hidden":1}\n{"hidden":2}\n')).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, problem: 'SIGNET_E_DATASET_TRAILING' },
    ]);
    expect(await read('[{"a":1}, {"b":2}] x')).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 1, text: '{"b":2}' },
      { line: 1, problem: 'SIGNET_E_DATASET_TRAILING' },
    ]);
    // White space after the array is fine, and an empty array after data is trailing data too.
    expect(await read('[{"a":1}]\n\n  \n')).toEqual([{ line: 1, text: '{"a":1}' }]);
    expect(await read('[]\n[{"a":1}]')).toEqual([{ line: 2, problem: 'SIGNET_E_DATASET_TRAILING' }]);
  });

  it('reports trailing data that starts in a later read buffer', async () => {
    const first = JSON.stringify([{ pad: 'y'.repeat(1_500_000) }]);
    const got = await read(`${first}\n${' '.repeat(2_000_000)}\n{"hidden":1}`);
    expect(got.map((r) => r.problem ?? 'record')).toEqual(['record', 'SIGNET_E_DATASET_TRAILING']);
    expect(got[1]!.line).toBe(3);
  });

  it('reports an array that is never closed (a truncated file)', async () => {
    expect(await read('[{"a":1},\n{"b":2}')).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, text: '{"b":2}' },
      { line: 2, problem: 'SIGNET_E_DATASET_MALFORMED' },
    ]);
  });

  it('works across read buffers (records larger than one chunk)', async () => {
    const big = Array.from({ length: 3 }, (_, i) => JSON.stringify({ i, pad: 'y'.repeat(1_500_000) }));
    expect((await read(`[${big.join(',')}]`)).map((r) => JSON.parse(r.text!).i)).toEqual([0, 1, 2]);
    expect((await read(big.join('\n'))).map((r) => r.line)).toEqual([1, 2, 3]);
  });
});

describe('progress bar', () => {
  it('draws records, rate and ETA at most ten times a second, and nothing when disabled', () => {
    let t = 0;
    const out: string[] = [];
    const p = createProgress(
      (s) => out.push(s),
      1000,
      true,
      () => t,
    );
    t = 1000;
    p.update(500, 250);
    t = 1050;
    p.update(600, 300);
    p.done();
    expect(out[0]).toContain('500 records');
    expect(out[0]).toContain('500/s');
    expect(out[0]).toContain('25%');
    expect(out[0]).toContain('ETA 0:03');
    expect(out).toHaveLength(3);
    expect(out[2]).toBe('\n');
    const off: string[] = [];
    createProgress((s) => off.push(s), 1000, false).update(1, 1);
    expect(off).toEqual([]);
  });
});

// Standard input is a stream, not a file: `signet audit -` reads it through here.
describe('dataset reader over a stream of bytes', () => {
  it('reads the same records from chunks split anywhere as from the file', async () => {
    const text = '{"a":1}\n{"b":"two"}\n\n{"c":[3]}\n';
    async function* chunks(): AsyncGenerator<Uint8Array> {
      const bytes = new TextEncoder().encode(text);
      for (let i = 0; i < bytes.length; i += 5) yield bytes.subarray(i, i + 5);
    }
    const out: string[] = [];
    for await (const r of readDataset(chunks())) if (r.bytes !== undefined) out.push(Buffer.from(r.bytes).toString('utf8'));
    expect(out).toEqual(['{"a":1}', '{"b":"two"}', '{"c":[3]}']);
    expect((await read(text)).map((r) => r.text)).toEqual(out);
  });
});
