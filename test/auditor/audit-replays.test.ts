import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chatResponse, makeProvider, makeText, runCli, tempDir, writeKeysDir } from '../support/auditor-fixtures.js';

/**
 * Replay detection: a dataset padded with copies of a few sealed answers is reported as such
 * (distinct answers, copies per envelope, first lines) in the summary, report.json, report.csv and
 * report.html; a dataset of distinct answers reports none.
 */

const provider = makeProvider();
const dir = tempDir('signet-replays-');
const keys = writeKeysDir(provider, join(dir, 'keys'));
const jwks = join(keys, 'jwks.json');
let padded: string;
let distinct: string;

beforeAll(async () => {
  const signer = provider.signer();
  const sealed: { text: string; envelope: string }[] = [];
  for (let i = 0; i < 8; i++) {
    const text = makeText(8800 + i, 3);
    const s = await signer.seal({ account: `acct-${i % 2}`, response: chatResponse(`c-r${i}`, text) });
    sealed.push({ text, envelope: s.text });
  }
  // Answer 0 copied on 6 records, answer 1 on 3, answers 2..7 once each: 15 records, 8 distinct.
  const order = [0, 2, 0, 1, 3, 0, 4, 1, 0, 5, 6, 0, 1, 7, 0];
  padded = join(dir, 'padded.jsonl');
  writeFileSync(padded, `${order.map((i) => JSON.stringify(sealed[i])).join('\n')}\n`);
  distinct = join(dir, 'distinct.jsonl');
  writeFileSync(distinct, `${sealed.map((s) => JSON.stringify(s)).join('\n')}\n`);
});

describe('replay detection', () => {
  it('reports the envelopes that repeat, with counts and first lines, everywhere the report goes', () => {
    const out = join(dir, 'out');
    const r = runCli(['audit', padded, '--trust', jwks, '--out', out, '--no-progress', '--workers', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('replays: 2 envelopes appear on more than one record (7 extra copies): 8 distinct sealed answers');
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.valid).toBe(15);
    expect(report.replays).toMatchObject({ distinct: 8, repeated: 2, extraCopies: 7 });
    expect(report.replays.top.map((t: { count: number; first: { line: number }[] }) => [t.count, t.first.map((p) => p.line)])).toEqual([
      [6, [1, 3, 6, 9, 12]],
      [3, [4, 8, 13]],
    ]);
    const csv = readFileSync(join(out, 'report.csv'), 'utf8').split('\r\n');
    expect(csv[0]).toBe('section,key,count,detail');
    expect(csv).toContain('summary,distinct-envelopes,8,');
    expect(csv.filter((l) => l.startsWith('replay,'))).toEqual([
      `replay,${report.replays.top[0].envelope},6,1 3 6 9 12`,
      `replay,${report.replays.top[1].envelope},3,4 8 13`,
    ]);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('id="replays"');
    expect(html).toContain(report.replays.top[0].envelope);
  });

  it('reports no replay when every envelope is distinct', () => {
    const out = join(dir, 'out2');
    const r = runCli(['audit', distinct, '--trust', jwks, '--out', out, '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('replays:');
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.replays).toEqual({ distinct: 8, repeated: 0, extraCopies: 0, top: [] });
  });

  it('does not count a copied envelope on edited text as a replay of a valid answer', () => {
    const lines = readFileSync(padded, 'utf8').trim().split('\n');
    const first = JSON.parse(lines[0]!);
    lines[2] = JSON.stringify({ ...first, text: `${first.text} (edited)` });
    const edited = join(dir, 'edited.jsonl');
    writeFileSync(edited, `${lines.join('\n')}\n`);
    const out = join(dir, 'out3');
    runCli(['audit', edited, '--trust', jwks, '--out', out, '--no-progress']);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.invalid).toBe(1);
    expect(report.replays.top[0]).toMatchObject({ count: 5 });
    expect(report.replays.top[0].first.map((p: { line: number }) => p.line)).toEqual([1, 6, 9, 12, 15]);
  });
});
