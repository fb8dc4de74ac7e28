import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeProvider, makeText, tempDir, writeKeysDir } from '../support/auditor-fixtures.js';

/**
 * A Parquet dataset larger than the auditing process's heap could hold even once is audited in
 * full: the reader takes one row group at a time. The child runs with a 32 MiB old space; the file
 * is over 40 MiB of text columns (which hyparquet decodes into JS strings on that heap), so a
 * reader that loaded the file, or even all its rows, would die of heap exhaustion instead.
 */

const HEAP_MB = 32;
const ROWS = 2000;
const DISTINCT = 400;
const provider = makeProvider();
const dir = tempDir('signet-parquet-big-');
const keys = writeKeysDir(provider, join(dir, 'keys'));
const file = join(dir, 'big.parquet');

beforeAll(async () => {
  const signer = provider.signer();
  const sealed: { text: string; envelope: string }[] = [];
  for (let i = 0; i < DISTINCT; i++) {
    const text = makeText(50_000 + i, 3);
    const s = await signer.seal({
      account: `acct-${i % 9}`,
      response: {
        id: `c${i}`,
        object: 'chat.completion',
        created: 1,
        model: 'm',
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      },
    });
    sealed.push({ text, envelope: s.text });
  }
  const columns = (from: number, n: number): { name: string; data: string[]; type: 'STRING' }[] => {
    const rows = Array.from({ length: n }, (_, k) => sealed[(from + k) % DISTINCT]!);
    return [
      { name: 'text', data: rows.map((r) => r.text), type: 'STRING' },
      { name: 'envelope', data: rows.map((r) => r.envelope), type: 'STRING' },
      // Incompressible filler, so the file is as large on disk as in memory.
      { name: 'padding', data: rows.map(() => randomBytes(16_000).toString('base64')), type: 'STRING' },
    ];
  };
  const writer = new ParquetWriter({ writer: fileWriter(file), schema: schemaFromColumnData({ columnData: columns(0, 1) }) });
  for (let at = 0; at < ROWS; at += 100) writer.write({ columnData: columns(at, 100), rowGroupSize: 100 });
  await writer.finish();
}, 60_000);

describe('a Parquet dataset larger than the heap', () => {
  it(`is audited in full by a process with a ${HEAP_MB} MiB heap, replays counted`, () => {
    expect(statSync(file).size).toBeGreaterThan(40 * 1024 * 1024);
    const bin = join(fileURLToPath(new URL('../..', import.meta.url)), 'packages/cli/dist/bin.js');
    const out = join(dir, 'out');
    const r = spawnSync(
      process.execPath,
      [
        `--max-old-space-size=${HEAP_MB}`,
        bin,
        'audit',
        file,
        '--trust',
        join(keys, 'jwks.json'),
        '--workers',
        '0',
        '--out',
        out,
        '--no-progress',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ outcome: 'all-valid', records: ROWS, valid: ROWS });
    expect(report.replays).toMatchObject({ distinct: DISTINCT, repeated: DISTINCT, extraCopies: ROWS - DISTINCT });
    expect(report.replays.top[0].count).toBe(ROWS / DISTINCT);
  }, 60_000);
});
