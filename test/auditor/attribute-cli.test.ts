import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLog } from '@signet/log';
import { openRegistry } from '@signet/registry';
import { beforeAll, describe, expect, it } from 'vitest';
import { chatResponse, makeProvider, makeText, runCli, tempDir, writeKeysDir } from '../support/auditor-fixtures.js';

/** `signet attribute` end to end: suspects in several shapes, one JSON line each, bundles that verify offline. */

const provider = makeProvider();
const dir = tempDir('signet-attribute-');
const keys = writeKeysDir(provider, join(dir, 'keys'));
const db = join(dir, 'registry.db');
const logDb = join(dir, 'log.db');
let logKey: string;
const texts = Array.from({ length: 20 }, (_, i) => makeText(9100 + i, 16));

beforeAll(async () => {
  const registry = await openRegistry(db, { accountSecret: provider.secret });
  const log = await openLog(logDb, { create: true, origin: 'log.example.com/attr', maxDelayMs: 5 });
  logKey = log.verifierKey;
  const signer = provider.signer(async (sealed, input) => {
    await registry.record(sealed, input);
    await log.appendAndWait(sealed);
  });
  for (const [i, text] of texts.entries())
    await signer.seal({ account: `team-${i % 4}@example.org`, response: chatResponse(`chatcmpl-at${i}`, text) });
  // The same answer served again to another account, later.
  await signer.seal({ account: 'team-9@example.org', response: chatResponse('chatcmpl-again', texts[0]!) });
  await registry.close();
  await log.close();
});

describe('signet attribute', () => {
  it('prints one JSON line per suspect and writes bundles that verify offline', () => {
    const words = texts[5]!.split(' ');
    const suspects = [
      JSON.stringify({ id: 'exact-copy', text: texts[2] }),
      JSON.stringify({ text: texts[3]!.toUpperCase().replace(/\. /g, '.\n\n') }),
      JSON.stringify({
        id: 77,
        messages: [
          { role: 'user', content: 'q' },
          {
            role: 'assistant',
            content: words
              .slice(20, 90)
              .map((w, k) => (k % 10 === 4 ? 'other' : w))
              .join(' '),
          },
        ],
      }),
      JSON.stringify({ id: 'never-sealed', text: makeText(424_242, 16) }),
      '{not json',
      JSON.stringify({ id: 'no-text', foo: 1 }),
    ];
    const file = join(dir, 'suspects.jsonl');
    writeFileSync(file, `${suspects.join('\n')}\n`);
    const out = join(dir, 'out');
    const r = runCli(['attribute', file, '--registry', db, '--keys', keys, '--out', out, '--json', '--log', logDb]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(['exact-copy', 2, 77, 'never-sealed', 5, 6]);
    expect(lines[0].match).toMatchObject({ account: 'team-2@example.org', score: 1, responseId: 'chatcmpl-at2' });
    expect(lines[1].match).toMatchObject({ account: 'team-3@example.org', responseId: 'chatcmpl-at3' });
    expect(lines[2].match).toMatchObject({ account: 'team-1@example.org', responseId: 'chatcmpl-at5' });
    expect(lines[2].match.score).toBeGreaterThan(0.3);
    expect(lines[3].match).toBeNull();
    expect(lines[4]).toEqual({ id: 5, match: null, error: 'SIGNET_E_DATASET_MALFORMED' });
    expect(lines[5]).toEqual({ id: 6, match: null, error: 'SIGNET_E_DATASET_LAYOUT' });
    for (const l of lines.slice(0, 3)) {
      expect(existsSync(l.match.evidence)).toBe(true);
      const v = runCli([
        'evidence',
        'verify',
        l.match.evidence,
        '--trust',
        join(keys, 'jwks.json'),
        '--log-verifier-key',
        logKey,
        '--json',
      ]);
      expect(JSON.parse(v.stdout)).toMatchObject({ valid: true });
      expect(v.code).toBe(0);
    }
    const bundle = JSON.parse(readFileSync(lines[2].match.evidence, 'utf8'));
    expect(bundle.log).not.toBeNull();
    expect(bundle.signature.kid).toBe(provider.key.kid);
    const summary = JSON.parse(readFileSync(join(out, 'attribution.json'), 'utf8'));
    expect(summary).toMatchObject({ total: 6, matched: 3, errors: 2 });
    // Account secrets and keys never reach the output.
    const secretText = readFileSync(join(keys, 'account-secret'), 'utf8').trim();
    expect(r.stdout + readFileSync(join(out, 'attribution.json'), 'utf8')).not.toContain(secretText);
  });

  it('calls a text served to two accounts ambiguous, listing the first account that received it and the other', () => {
    const file = join(dir, 'twice.jsonl');
    writeFileSync(file, `${JSON.stringify({ id: 'twice', text: texts[0] })}\n`);
    const [line] = runCli(['attribute', file, '--registry', db, '--keys', keys, '--json'])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(line.verdict).toBe('ambiguous');
    expect(line.match).toMatchObject({
      account: 'team-0@example.org',
      responseId: 'chatcmpl-at0',
      alsoServedTo: ['team-9@example.org'],
      evidence: null,
    });
  });

  it('attributes a plain text file, prints a readable line, and refuses bad usage', () => {
    const file = join(dir, 'leak.txt');
    writeFileSync(file, texts[9]!.split(' ').slice(0, 70).join('\n'));
    const r = runCli(['attribute', file, '--registry', db, '--keys', keys]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('leak.txt: team-1@example.org');
    expect(runCli(['attribute', file, '--registry', db]).code).toBe(2);
    expect(runCli(['attribute', join(dir, 'missing.jsonl'), '--registry', db, '--keys', keys]).code).toBe(2);
    expect(runCli(['attribute', file, '--registry', db, '--keys', keys, '--min-score', '7']).code).toBe(2);
  });
});
