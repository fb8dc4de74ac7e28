import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chatResponse, makeProvider, makeText, runCli, tempDir, writeKeysDir } from '../support/auditor-fixtures.js';

/**
 * `signet audit` end to end, on the built CLI with its worker threads: every layout, every kind of
 * bad record, reported by line; the run always finishes.
 */

const provider = makeProvider();
const stranger = makeProvider('https://other.example');
const dir = tempDir();
const keys = writeKeysDir(provider, join(dir, 'keys'));
const jwks = join(keys, 'jwks.json');
const DAY = 86_400_000;

interface Expect {
  valid: number;
  failures: { line: number; code: string; turn?: number }[];
}

let jsonl: string;
let expected: Expect;

beforeAll(async () => {
  let clock = Date.UTC(2026, 0, 10);
  const signer = provider.signer(undefined, () => clock);
  const other = stranger.signer(undefined, () => clock);
  const lines: (string | Buffer)[] = [];
  const failures: Expect['failures'] = [];
  let valid = 0;
  for (let i = 0; i < 30; i++) {
    clock = Date.UTC(2026, 0, 10) + (i % 3) * DAY;
    const text = makeText(i, 4);
    const response = chatResponse(`chatcmpl-a${i}`, text);
    const sealed = await signer.seal({ account: `acct-${i % 5}`, response });
    if (i % 3 === 0) lines.push(JSON.stringify({ ...response, signet: sealed.text }));
    else if (i % 3 === 1) lines.push(JSON.stringify({ id: `r${i}`, text, envelope: sealed.text }));
    else
      lines.push(
        JSON.stringify({
          messages: [
            { role: 'user', content: 'hi' },
            { role: 'assistant', content: text, signet: { envelope: sealed.text } },
          ],
        }),
      );
    valid++;
  }
  // A transcript with two sealed turns and one unsealed.
  const t1 = await signer.seal({ account: 'acct-9', response: chatResponse('chatcmpl-t1', 'first answer') });
  const t2 = await signer.seal({ account: 'acct-9', response: chatResponse('chatcmpl-t2', 'second answer') });
  lines.push(
    JSON.stringify({
      messages: [
        { role: 'assistant', content: 'first answer', signet: t1.text },
        { role: 'user', content: 'more' },
        { role: 'assistant', content: 'second  answer\n', envelope: t2.text },
        { role: 'assistant', content: 'unsealed' },
      ],
    }),
  );
  valid += 2;
  failures.push({ line: lines.length, code: 'SIGNET_E_ENVELOPE_MISSING', turn: 3 });
  // Broken JSON.
  lines.push('{"text": "unterminated", "envelope": ');
  failures.push({ line: lines.length, code: 'SIGNET_E_DATASET_MALFORMED' });
  // A huge line (over the 64 KiB cap given below).
  lines.push(JSON.stringify({ text: 'x'.repeat(200_000), envelope: t1.text }));
  failures.push({ line: lines.length, code: 'SIGNET_E_DATASET_LINE_TOO_LONG' });
  // Latin-1 bytes: not UTF-8.
  lines.push(Buffer.concat([Buffer.from('{"text": "caf'), Buffer.from([0xe9]), Buffer.from(`", "envelope": "${t1.text}"}`)]));
  failures.push({ line: lines.length, code: 'SIGNET_E_DATASET_ENCODING' });
  // An envelope of another issuer (a key the trust JWKS does not have).
  const foreign = await other.seal({ account: 'acct-1', response: chatResponse('chatcmpl-x', 'foreign text') });
  lines.push(JSON.stringify({ text: 'foreign text', envelope: foreign.text }));
  failures.push({ line: lines.length, code: 'SIGNET_E_KEY_UNKNOWN' });
  // Edited text.
  lines.push(JSON.stringify({ text: 'first answer, edited', envelope: t1.text }));
  failures.push({ line: lines.length, code: 'SIGNET_E_CONTENT_MISMATCH' });
  // Garbage envelope, unknown layout, a response without its signet field, a bare JSON value.
  lines.push(JSON.stringify({ text: 'x', envelope: 'not-an-envelope!' }));
  failures.push({ line: lines.length, code: 'SIGNET_E_PARSE_MALFORMED' });
  lines.push(JSON.stringify({ prompt: 'p', completion: 'c' }));
  failures.push({ line: lines.length, code: 'SIGNET_E_DATASET_LAYOUT' });
  lines.push(JSON.stringify(chatResponse('chatcmpl-n', 'no seal')));
  failures.push({ line: lines.length, code: 'SIGNET_E_ENVELOPE_MISSING' });
  lines.push('42');
  failures.push({ line: lines.length, code: 'SIGNET_E_DATASET_LAYOUT' });
  // Blank lines are not records; the line numbers after them still count them.
  lines.push('');
  lines.push(JSON.stringify({ text: 'second answer', envelope: t2.text }));
  valid++;
  jsonl = join(dir, 'dataset.jsonl');
  writeFileSync(jsonl, Buffer.concat(lines.map((l) => Buffer.concat([typeof l === 'string' ? Buffer.from(l) : l, Buffer.from('\n')]))));
  expected = { valid, failures };
});

describe('signet audit', () => {
  it('verifies every layout on worker threads and reports each bad record by line, then finishes', () => {
    const out = join(dir, 'out');
    const r = runCli(['audit', jsonl, '--trust', jwks, '--out', out, '--workers', '2', '--max-record-bytes', '65536']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('invalid');
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.threads).toBe(2);
    expect(report.valid).toBe(expected.valid);
    expect(report.invalid).toBe(expected.failures.length);
    expect(report.total).toBe(expected.valid + expected.failures.length);
    expect(
      report.failures.map((f: { line: number; code: string; turn?: number }) => ({
        line: f.line,
        code: f.code,
        ...(f.turn === undefined ? {} : { turn: f.turn }),
      })),
    ).toEqual(expected.failures);
    // Counts are over valid items: 30 records for five accounts, plus acct-9's three turns.
    expect(Object.values(report.byAccount).reduce((a: number, b) => a + (b as number), 0)).toBe(expected.valid);
    expect(Object.keys(report.byAccount)).toHaveLength(6);
    expect(report.byTerms).toEqual({ 'example-terms@2026-01': expected.valid });
    expect(report.byDay['2026-01-10']).toBe(10);
    expect(report.byDay['2026-01-12']).toBe(10 + 3);
    expect(report.byDay['2026-01-11']).toBe(10);
    expect(report.byLayout).toMatchObject({ response: 10, text: expect.any(Number), chat: expect.any(Number) });
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/(src|href)=["']https?:/);
  });

  it('gives the same verdicts on one thread and reads a JSON array file', () => {
    const one = runCli(['audit', jsonl, '--trust', jwks, '--json', '--workers', '0', '--max-record-bytes', '65536']);
    const two = runCli(['audit', jsonl, '--trust', jwks, '--json', '--workers', '2', '--max-record-bytes', '65536']);
    const a = JSON.parse(one.stdout);
    const b = JSON.parse(two.stdout);
    expect(a.threads).toBe(0);
    for (const k of ['total', 'valid', 'invalid', 'byAccount', 'byTerms', 'byDay', 'byCode', 'failures']) expect(a[k]).toEqual(b[k]);
    // The same good records as one JSON array (pretty-printed over many lines).
    const good = readFileSync(jsonl, 'utf8')
      .split('\n')
      .slice(0, 30)
      .map((l) => JSON.parse(l));
    const arrayFile = join(dir, 'dataset.json');
    writeFileSync(arrayFile, JSON.stringify(good, null, 2));
    const arr = JSON.parse(runCli(['audit', arrayFile, '--trust', jwks, '--json']).stdout);
    expect(arr.records).toBe(30);
    expect(arr.valid).toBe(30);
    expect(arr.invalid).toBe(0);
  });

  it('exits 0 when all records verify, and 2 for unreadable input', () => {
    const clean = join(dir, 'clean.jsonl');
    writeFileSync(clean, readFileSync(jsonl, 'utf8').split('\n').slice(0, 5).join('\n'));
    expect(runCli(['audit', clean, '--trust', jwks]).code).toBe(0);
    expect(runCli(['audit', join(dir, 'missing.jsonl'), '--trust', jwks]).code).toBe(2);
    const badTrust = join(dir, 'bad-jwks.json');
    writeFileSync(badTrust, '{"keys": 5}');
    const r = runCli(['audit', clean, '--trust', badTrust]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('JWKS');
    expect(runCli(['audit', '--trust', jwks]).code).toBe(2);
  });

  it('reports data after a top-level JSON array as a failure instead of dropping it, and exits 1', () => {
    const good = readFileSync(jsonl, 'utf8').split('\n').slice(0, 3);
    const hidden = readFileSync(jsonl, 'utf8').split('\n').slice(3, 6);
    const file = join(dir, 'trailing.json');
    writeFileSync(file, `[${good.join(',\n')}]\n${hidden.join('\n')}\n`);
    const r = runCli(['audit', file, '--trust', jwks, '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ valid: 3, invalid: 1, outcome: 'some-invalid', byCode: { SIGNET_E_DATASET_TRAILING: 1 } });
    expect(report.failures).toEqual([expect.objectContaining({ line: 4, code: 'SIGNET_E_DATASET_TRAILING' })]);
  });

  it('a run that verified nothing does not exit 0', () => {
    for (const [name, content] of [
      ['empty.jsonl', ''],
      ['blank.jsonl', '\n\n   \n'],
      ['empty-array.json', '[]'],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, content);
      const r = runCli(['audit', file, '--trust', jwks]);
      expect({ name, code: r.code }).toEqual({ name, code: 1 });
      expect(r.stdout).toContain('nothing verified');
      expect(JSON.parse(runCli(['audit', file, '--trust', jwks, '--json']).stdout)).toMatchObject({
        outcome: 'nothing-verified',
        valid: 0,
      });
    }
  });
});
