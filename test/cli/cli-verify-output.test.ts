import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeToText, generateSigningKey, toJwks, type SigningKey } from '@signet/core';
import { createSigner } from '@signet/server';
import { main, type CommandIO } from 'signet';
import { SECRET, TERMS } from '../support/keys-fixture.js';

// What `signet verify` tells a user (issue 9, items 8 and 13): exact matching by default, a
// normalized match only on request and under its own headline, and no terminal escapes from the
// envelope's strings.

const dir = mkdtempSync(join(tmpdir(), 'signet-verify-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string): string => join(dir, name);

const CODE = 'def f(x):\n    if x:\n        return 1\n    return 2\n';
let key: SigningKey;

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), stdin: async () => new Uint8Array(), env: {} };
  const code = await main(argv, io);
  return { code, out, err };
}

async function seal(text: string, issuer = 'https://api.example.com', model = 'm-1'): Promise<string> {
  const signer = createSigner({ issuer, key, accountSecret: SECRET, terms: TERMS });
  const sealed = await signer.seal({ account: 'acct_1', response: text, model });
  const file = p(`env-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, envelopeToText(sealed.envelope));
  return file;
}

beforeAll(() => {
  key = generateSigningKey();
  writeFileSync(p('jwks.json'), JSON.stringify(toJwks([key])));
  writeFileSync(p('exact.py'), CODE);
  // The same tokens with the indentation gone: a different program, the same normalized text.
  writeFileSync(p('flattened.py'), CODE.replace(/\n\s+/g, '\n '));
});

describe('signet verify: exact by default, normalized only when asked and always said', () => {
  it('refuses re-indented code by default (exit 1, SIGNET_E_CONTENT_MISMATCH)', async () => {
    const env = await seal(CODE);
    const r = await run(['verify', '--trust', p('jwks.json'), '--envelope', env, '--text', p('flattened.py')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/SIGNET_E_CONTENT_MISMATCH/);
  });

  it('with --allow-normalized, reports a normalized match under its own headline, never as plain valid', async () => {
    const env = await seal(CODE);
    const r = await run(['verify', '--trust', p('jwks.json'), '--envelope', env, '--text', p('flattened.py'), '--allow-normalized']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^VALID, NORMALIZED MATCH ONLY: /);
    expect(r.out).not.toMatch(/^valid:/m);
    expect(r.out).toMatch(/warning: .*re-indented code/);
  });

  it('--json carries match "exact" or "normalized"', async () => {
    const env = await seal(CODE);
    const exact = await run(['verify', '--trust', p('jwks.json'), '--envelope', env, '--text', p('exact.py'), '--json']);
    expect(exact.code).toBe(0);
    expect(JSON.parse(exact.out)).toMatchObject({ valid: true, match: 'exact' });
    const norm = await run([
      'verify',
      '--trust',
      p('jwks.json'),
      '--envelope',
      env,
      '--text',
      p('flattened.py'),
      '--json',
      '--allow-normalized',
    ]);
    expect(norm.code).toBe(0);
    expect(JSON.parse(norm.out)).toMatchObject({ valid: true, match: 'normalized' });
    const exactText = await run(['verify', '--trust', p('jwks.json'), '--envelope', env, '--text', p('exact.py')]);
    expect(exactText.out).toMatch(/^valid: /);
  });
});

describe('signet verify prints untrusted strings escaped', () => {
  it('an issuer and model with escape sequences and a carriage return are shown escaped, on one line', async () => {
    const env = await seal(
      'hello',
      'https://a.example/\u001b[2J\u001b]0;pwned\u0007',
      'm\rvalid: sealed by https://trusted.example\u009b1m',
    );
    writeFileSync(p('hello.txt'), 'hello');
    const r = await run(['verify', '--trust', p('jwks.json'), '--envelope', env, '--text', p('hello.txt')]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(r.out).toContain('https://a.example/\\x1b[2J\\x1b]0;pwned\\x07');
    expect(r.out).toContain('m\\rvalid: sealed by https://trusted.example\\x9b1m');
    const json = await run(['verify', '--trust', p('jwks.json'), '--envelope', env, '--text', p('hello.txt'), '--json']);
    expect(json.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(JSON.parse(json.out).claims.signet.model).toBe('m\rvalid: sealed by https://trusted.example\u009b1m');
  });
});
