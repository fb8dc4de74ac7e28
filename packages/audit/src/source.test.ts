import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isSignetError } from '@signet/core';
import { parquetWriteFile } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { readRecords, resolveDataset } from './source.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-source-'));
const rows = [{ text: 'a' }, { text: 'b' }, { text: 'c' }];
const jsonl = `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

async function read(
  path: string,
  stdin?: AsyncIterable<Uint8Array>,
): Promise<{ file: number; line: number; value?: unknown; problem?: string }[]> {
  const out: { file: number; line: number; value?: unknown; problem?: string }[] = [];
  for await (const r of readRecords(resolveDataset(path), stdin === undefined ? {} : { stdin })) {
    if (r.problem !== undefined) out.push({ file: r.file, line: r.line, problem: r.problem.code });
    else out.push({ file: r.file, line: r.line, value: JSON.parse(Buffer.from(r.bytes!).toString('utf8')) });
  }
  return out;
}

function formatCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isSignetError(e) ? e.code : 'other';
  }
  return undefined;
}

describe('dataset source', () => {
  it('reads plain and gzip JSONL and JSON the same way, by name or by first bytes', async () => {
    writeFileSync(join(dir, 'a.jsonl'), jsonl);
    writeFileSync(join(dir, 'a.jsonl.gz'), gzipSync(jsonl));
    writeFileSync(join(dir, 'a.json.gz'), gzipSync(JSON.stringify(rows)));
    writeFileSync(join(dir, 'noname'), gzipSync(jsonl));
    const want = rows.map((value, i) => ({ file: 0, line: i + 1, value }));
    expect(await read(join(dir, 'a.jsonl'))).toEqual(want);
    expect(await read(join(dir, 'a.jsonl.gz'))).toEqual(want);
    expect(await read(join(dir, 'noname'))).toEqual(want);
    expect((await read(join(dir, 'a.json.gz'))).map((r) => r.value)).toEqual(rows);
  });

  it('reads Parquet row by row, numbering rows from 1 across row groups', async () => {
    const many = Array.from({ length: 11 }, (_, i) => `t${i}`);
    parquetWriteFile({ filename: join(dir, 'a.parquet'), columnData: [{ name: 'text', data: many, type: 'STRING' }], rowGroupSize: 4 });
    const got = await read(join(dir, 'a.parquet'));
    expect(got).toEqual(many.map((text, i) => ({ file: 0, line: i + 1, value: { text } })));
  });

  it('reads stdin, unpacking gzip', async () => {
    async function* from(b: Uint8Array): AsyncGenerator<Uint8Array> {
      yield b.subarray(0, 5);
      yield b.subarray(5);
    }
    expect((await read('-', from(Buffer.from(jsonl)))).map((r) => r.value)).toEqual(rows);
    expect((await read('-', from(gzipSync(jsonl)))).map((r) => r.value)).toEqual(rows);
  });

  it('reads the shards of a dataset folder under data/, in name order, skipping the rest', async () => {
    const hf = join(dir, 'hf');
    mkdirSync(join(hf, 'data', 'nested'), { recursive: true });
    writeFileSync(join(hf, 'README.md'), '# card');
    writeFileSync(join(hf, 'data', 'b.jsonl'), jsonl);
    writeFileSync(join(hf, 'data', 'a.jsonl.gz'), gzipSync(jsonl));
    writeFileSync(join(hf, 'data', 'nested', 'c.json'), JSON.stringify(rows));
    writeFileSync(join(hf, 'data', '.hidden.jsonl'), 'junk');
    expect(resolveDataset(hf).map((f) => [f.name, f.format])).toEqual([
      ['data/a.jsonl.gz', 'json.gz'],
      ['data/b.jsonl', 'json'],
      ['data/nested/c.json', 'json'],
    ]);
    const got = await read(hf);
    expect(got.map((r) => r.file)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });

  it('refuses unknown formats with one format error, and says a broken gzip ended its file', async () => {
    writeFileSync(join(dir, 'x.csv'), 'a,b\n1,2\n');
    writeFileSync(join(dir, 'x.arrow'), Buffer.from('ARROW1\0\0'));
    writeFileSync(join(dir, 'fake.gz'), 'not gzip');
    writeFileSync(join(dir, 'fake.parquet'), jsonl);
    for (const f of ['x.csv', 'x.arrow', 'fake.gz', 'fake.parquet'])
      expect(formatCode(() => resolveDataset(join(dir, f)))).toBe('SIGNET_E_DATASET_FORMAT');
    expect(formatCode(() => resolveDataset(join(dir, 'missing.jsonl')))).toBe('SIGNET_E_DATASET_UNREADABLE');
    const broken = gzipSync(jsonl.repeat(50)).subarray(0, 40);
    writeFileSync(join(dir, 'cut.jsonl.gz'), broken);
    const got = await read(join(dir, 'cut.jsonl.gz'));
    expect(got.at(-1)).toMatchObject({ problem: 'SIGNET_E_DATASET_MALFORMED' });
  });
});
