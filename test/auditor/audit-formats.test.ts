import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openRegistry } from '@signet/registry';
import { parquetWriteFile } from 'hyparquet-writer';
import { beforeAll, describe, expect, it } from 'vitest';
import { chatResponse, makeProvider, makeText, runCli, tempDir, writeKeysDir } from '../support/auditor-fixtures.js';

/**
 * Every dataset format through `signet audit` and `signet attribute` (the built CLI): JSONL and
 * JSON, plain and gzip; Parquet; stdin; a Hugging Face shard folder; custom field names; and one
 * clear error for a format the reader does not know.
 */

const provider = makeProvider();
const dir = tempDir('signet-formats-');
const keys = writeKeysDir(provider, join(dir, 'keys'));
const jwks = join(keys, 'jwks.json');
const db = join(dir, 'registry.db');
const N = 12;
const texts = Array.from({ length: N }, (_, i) => makeText(7300 + i, 10));
let records: { id: string; text: string; envelope: string }[] = [];

function writeParquet(path: string, rows: Record<string, string>[], rowGroupSize = 5): void {
  const names = Object.keys(rows[0] ?? {});
  parquetWriteFile({
    filename: path,
    columnData: names.map((name) => ({ name, data: rows.map((r) => r[name] ?? ''), type: 'STRING' as const })),
    rowGroupSize,
  });
}

const jsonl = (rows: readonly object[]): string => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

beforeAll(async () => {
  const registry = await openRegistry(db, { accountSecret: provider.secret });
  const signer = provider.signer(async (sealed, input) => {
    await registry.record(sealed, input);
  });
  for (const [i, text] of texts.entries()) {
    const sealed = await signer.seal({ account: `lab-${i % 3}@example.org`, response: chatResponse(`chatcmpl-f${i}`, text) });
    records.push({ id: `r${i}`, text, envelope: sealed.text });
  }
  await registry.close();
  records = records.slice();
  writeFileSync(join(dir, 'data.jsonl'), jsonl(records));
  writeFileSync(join(dir, 'data.json'), JSON.stringify(records, null, 1));
  writeFileSync(join(dir, 'data.jsonl.gz'), gzipSync(jsonl(records)));
  writeFileSync(join(dir, 'data.json.gz'), gzipSync(JSON.stringify(records)));
  // A gzip file whose name says nothing: told by its first bytes.
  writeFileSync(join(dir, 'export.bin'), gzipSync(jsonl(records)));
  writeParquet(join(dir, 'data.parquet'), records);
  // A Hugging Face dataset folder: shards under data/, a README beside them.
  mkdirSync(join(dir, 'hf', 'data'), { recursive: true });
  writeFileSync(join(dir, 'hf', 'README.md'), '---\nlicense: cc-by-4.0\n---\n# a dataset\n');
  writeParquet(join(dir, 'hf', 'data', 'train-00000-of-00002.parquet'), records.slice(0, 5));
  writeFileSync(join(dir, 'hf', 'data', 'train-00001-of-00002.jsonl'), jsonl(records.slice(5)));
  // Other column names, as datasets name them.
  writeParquet(
    join(dir, 'custom.parquet'),
    records.map((r) => ({ prompt: 'q', completion: r.text, provenance: r.envelope })),
  );
  writeFileSync(join(dir, 'nested.jsonl'), jsonl(records.map((r) => ({ output: r.text, meta: { seal: r.envelope } }))));
});

function audit(target: string, extra: string[] = [], input?: string): { code: number; report: Record<string, unknown>; stderr: string } {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const r = runCli(['audit', target, '--trust', jwks, '--out', out, '--no-progress', ...extra], input);
  let report: Record<string, unknown> = {};
  try {
    report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  } catch {
    // No report: the caller checks the exit code and stderr.
  }
  return { code: r.code, report, stderr: r.stderr };
}

describe('signet audit reads every dataset format', () => {
  it.each([
    ['JSONL', 'data.jsonl'],
    ['a JSON array', 'data.json'],
    ['gzip JSONL', 'data.jsonl.gz'],
    ['gzip JSON', 'data.json.gz'],
    ['gzip told by its first bytes', 'export.bin'],
    ['Parquet', 'data.parquet'],
    ['a Hugging Face shard folder', 'hf'],
  ])('verifies every record of %s', (_what, file) => {
    const r = audit(join(dir, file));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ outcome: 'all-valid', records: N, valid: N, invalid: 0 });
  });

  it('reads conversation records with a nested messages column from Parquet', () => {
    const path = join(dir, 'chat.parquet');
    const messages = records.map((r) => [
      { role: 'user', content: 'question', signet: '' },
      { role: 'assistant', content: r.text, signet: r.envelope },
    ]);
    parquetWriteFile({ filename: path, columnData: [{ name: 'messages', data: messages }], rowGroupSize: 4 });
    const r = audit(path);
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ valid: N, byLayout: { chat: N } });
  });

  it('reads stdin (-) (gzip on stdin is covered by the reader unit test)', () => {
    const plain = audit('-', [], jsonl(records));
    expect(plain.code).toBe(0);
    expect(plain.report).toMatchObject({ dataset: 'standard input', valid: N });
  });

  it('names the shard of a failure in a folder dataset', () => {
    mkdirSync(join(dir, 'hf2', 'data'), { recursive: true });
    writeParquet(join(dir, 'hf2', 'data', 'a.parquet'), records.slice(0, 3));
    writeFileSync(join(dir, 'hf2', 'data', 'b.jsonl'), `${JSON.stringify(records[3])}\n{broken\n`);
    const r = audit(join(dir, 'hf2'));
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ valid: 4, invalid: 1, files: ['data/a.parquet', 'data/b.jsonl'] });
    expect(r.report.failures).toEqual([expect.objectContaining({ file: 'data/b.jsonl', line: 2, code: 'SIGNET_E_DATASET_MALFORMED' })]);
  });

  it('takes the text and envelope from the fields it is told (--text-field, --envelope-field)', () => {
    const custom = audit(join(dir, 'custom.parquet'), ['--text-field', 'completion', '--envelope-field', 'provenance']);
    expect(custom.code).toBe(0);
    expect(custom.report).toMatchObject({ valid: N });
    const nested = audit(join(dir, 'nested.jsonl'), ['--text-field', 'output', '--envelope-field', 'meta.seal']);
    expect(nested.code).toBe(0);
    expect(nested.report).toMatchObject({ valid: N });
    // Without the flags the same records have no known layout: reported per record, as before.
    const plain = audit(join(dir, 'nested.jsonl'));
    expect(plain.report).toMatchObject({ valid: 0, invalid: N, byCode: { SIGNET_E_DATASET_LAYOUT: N } });
  });

  it('refuses an unsupported format once, naming the supported ones, instead of a MALFORMED per record', () => {
    writeFileSync(join(dir, 'data.csv'), `id,text,envelope\n${records.map((r) => `${r.id},"${r.text}",${r.envelope}`).join('\n')}\n`);
    writeFileSync(join(dir, 'data.txt'), 'id text envelope\n1 hello abc\n');
    writeFileSync(join(dir, 'data.jsonl.zst'), Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]));
    for (const file of ['data.csv', 'data.txt', 'data.jsonl.zst']) {
      const r = audit(join(dir, file));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('SIGNET_E_DATASET_FORMAT');
      expect(r.stderr).toMatch(/JSONL.*Parquet/s);
      expect(r.stderr).not.toContain('MALFORMED');
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
    }
    mkdirSync(join(dir, 'empty-folder'), { recursive: true });
    writeFileSync(join(dir, 'empty-folder', 'notes.csv'), 'a,b\n');
    const folder = audit(join(dir, 'empty-folder'));
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('SIGNET_E_DATASET_FORMAT');
  });

  it('refuses a file named .parquet that is not Parquet, and Parquet on stdin', () => {
    writeFileSync(join(dir, 'fake.parquet'), jsonl(records));
    const fake = audit(join(dir, 'fake.parquet'));
    expect(fake.code).toBe(2);
    expect(fake.stderr).toContain('SIGNET_E_DATASET_FORMAT');
    const piped = runCli(['audit', '-', '--trust', jwks, '--no-progress'], readFileSync(join(dir, 'data.parquet'), 'latin1'));
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain('stdin');
  });
});

describe('signet attribute reads the same formats', () => {
  const suspects = (): { id: string; text: string }[] =>
    texts.slice(0, 4).map((t, i) => ({ id: `s${i}`, text: t.split(' ').slice(5, 60).join(' ') }));

  function attribute(
    target: string,
    extra: string[] = [],
    input?: string,
  ): { code: number; lines: { id: unknown; match: { account: string } | null }[]; stderr: string } {
    const r = runCli(['attribute', target, '--registry', db, '--keys', keys, '--json', ...extra], input);
    const lines = r.stdout
      .trim()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l));
    return { code: r.code, lines, stderr: r.stderr };
  }

  const expectAccounts = (lines: { match: { account: string } | null }[]): void => {
    expect(lines.map((l) => l.match?.account)).toEqual([
      'lab-0@example.org',
      'lab-1@example.org',
      'lab-2@example.org',
      'lab-0@example.org',
    ]);
  };

  it.each([
    ['JSONL', 'sus.jsonl', (p: string) => writeFileSync(p, jsonl(suspects()))],
    ['a JSON array', 'sus.json', (p: string) => writeFileSync(p, JSON.stringify(suspects(), null, 2))],
    ['gzip JSONL', 'sus.jsonl.gz', (p: string) => writeFileSync(p, gzipSync(jsonl(suspects())))],
    ['gzip JSON', 'sus.json.gz', (p: string) => writeFileSync(p, gzipSync(JSON.stringify(suspects())))],
    ['Parquet', 'sus.parquet', (p: string) => writeParquet(p, suspects(), 2)],
    [
      'a shard folder',
      'sus-folder',
      (p: string) => {
        mkdirSync(join(p, 'data'), { recursive: true });
        writeParquet(join(p, 'data', 'part-0.parquet'), suspects().slice(0, 2));
        writeFileSync(join(p, 'data', 'part-1.jsonl.gz'), gzipSync(jsonl(suspects().slice(2))));
      },
    ],
  ])('attributes suspects read from %s', (_what, name, write) => {
    const path = join(dir, name);
    write(path);
    const r = attribute(path);
    expect(r.code).toBe(0);
    expectAccounts(r.lines);
  });

  it('reads suspects from stdin and from a named text field', () => {
    expectAccounts(attribute('-', [], jsonl(suspects())).lines);
    const path = join(dir, 'sus-custom.parquet');
    writeParquet(
      path,
      suspects().map((s) => ({ uid: s.id, body: s.text })),
    );
    const r = attribute(path, ['--text-field', 'body']);
    expect(r.code).toBe(0);
    expectAccounts(r.lines);
  });

  it('shows progress when asked and ends with counts per verdict, method and account', () => {
    const path = join(dir, 'sus-progress.jsonl');
    writeFileSync(path, jsonl([...suspects(), { id: 'x', text: makeText(123_456, 10) }]));
    const r = runCli(['attribute', path, '--registry', db, '--keys', keys, '--progress']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\r\[#+\.*\] +\d+%  \d+ records/);
    expect(r.stderr).toContain('attributed 4 of 5 suspect texts: 4 attributed, 1 none');
    expect(r.stderr).toMatch(/by match method:\n +4  fingerprint/);
    expect(r.stderr).toMatch(/by account \(3; suspects naming it, as best match\):\n +2 +2  lab-0@example.org/);
    // Without --progress and not on a terminal: no progress line.
    expect(runCli(['attribute', path, '--registry', db, '--keys', keys]).stderr).not.toContain('\r');
  });

  it('refuses an unsupported suspect format once', () => {
    writeFileSync(join(dir, 'sus.csv'), 'id,text\n1,hello\n');
    const r = runCli(['attribute', join(dir, 'sus.csv'), '--registry', db, '--keys', keys, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SIGNET_E_DATASET_FORMAT');
    expect(r.stdout).toBe('');
  });
});
