import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

// These tests run the built `signet` binary as a real process: exit codes, files and modes are
// what a user gets.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'packages/cli/dist/bin.js');

function signet(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    input: input ?? '',
    encoding: 'utf8',
    env: { ...process.env, SIGNET_ACCOUNT_SECRET: '' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
let keys: string;
let terms: string;
const answer = 'The envelope binds this answer to its account.\n\nIt is small.';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signet-cli-'));
  keys = join(dir, 'keys');
  terms = join(dir, 'terms.json');
  writeFileSync(join(dir, 'terms.md'), 'No distillation.\n');
  writeFileSync(
    terms,
    JSON.stringify({
      id: 't',
      version: '1',
      uri: 'https://api.example.com/terms/1',
      documentFile: 'terms.md',
      usage: { 'cawg.ai_training': 'notAllowed' },
    }),
  );
  const made = signet(['keys', 'new', '--out', keys]);
  expect(made.code, made.stderr).toBe(0);
});

function sealText(text: string, extra: string[] = []): string {
  const r = signet(
    ['sign', '--key', keys, '--issuer', 'https://api.example.com', '--account', 'acct_1', '--terms', terms, '--model', 'm-1', ...extra],
    text,
  );
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe('signet CLI (foundation)', () => {
  it('keys new writes private files with mode 0600 and never prints the private key', () => {
    expect(statSync(join(keys, 'signing-key.jwk')).mode & 0o777).toBe(0o600);
    expect(statSync(join(keys, 'account-secret')).mode & 0o777).toBe(0o600);
    const jwks = JSON.parse(readFileSync(join(keys, 'jwks.json'), 'utf8')) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const again = signet(['keys', 'new', '--out', keys]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('SIGNET_E_KEY_FILE');
    const d = (JSON.parse(readFileSync(join(keys, 'signing-key.jwk'), 'utf8')) as { d: string }).d;
    expect(again.stderr + again.stdout).not.toContain(d);
  });

  it('sign then verify: exit 0; tampered text exit 1 with the code on stderr', () => {
    const envelope = sealText(answer);
    writeFileSync(join(dir, 'env.txt'), envelope);
    writeFileSync(join(dir, 'answer.txt'), answer);
    const ok = signet([
      'verify',
      '--trust',
      join(keys, 'jwks.json'),
      '--envelope',
      join(dir, 'env.txt'),
      '--text',
      join(dir, 'answer.txt'),
      '--terms',
      terms,
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('valid');
    writeFileSync(join(dir, 'tampered.txt'), answer.replace('small', 'large'));
    const bad = signet([
      'verify',
      '--trust',
      join(keys, 'jwks.json'),
      '--envelope',
      join(dir, 'env.txt'),
      '--text',
      join(dir, 'tampered.txt'),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('SIGNET_E_CONTENT_MISMATCH');
  });

  it('verify reads the envelope from stdin and reports JSON', () => {
    const envelope = sealText(answer);
    writeFileSync(join(dir, 'answer2.txt'), answer);
    const r = signet(
      ['verify', '--trust', join(keys, 'jwks.json'), '--envelope', '-', '--text', join(dir, 'answer2.txt'), '--json'],
      envelope,
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { valid: boolean; content: { match: string } };
    expect(out).toMatchObject({ valid: true, content: { match: 'exact' } });
  });

  it('the JWS profile signs and verifies through the same commands', () => {
    const jws = sealText(answer, ['--format', 'jws']);
    expect(jws.split('.')).toHaveLength(3);
    writeFileSync(join(dir, 'env.jws'), jws);
    writeFileSync(join(dir, 'answer3.txt'), answer);
    expect(
      signet(['verify', '--trust', join(keys, 'jwks.json'), '--envelope', join(dir, 'env.jws'), '--text', join(dir, 'answer3.txt')]).code,
    ).toBe(0);
    writeFileSync(join(dir, 'answer4.txt'), `${answer}!`);
    const bad = signet([
      'verify',
      '--trust',
      join(keys, 'jwks.json'),
      '--envelope',
      join(dir, 'env.jws'),
      '--text',
      join(dir, 'answer4.txt'),
      '--json',
    ]);
    expect(bad.code).toBe(1);
    expect((JSON.parse(bad.stdout) as { code: string }).code).toBe('SIGNET_E_CONTENT_MISMATCH');
  });

  it('policy failures are exit 1 and say they are policy failures', () => {
    const envelope = sealText(answer);
    writeFileSync(join(dir, 'env5.txt'), envelope);
    writeFileSync(join(dir, 'answer5.txt'), answer);
    const r = signet([
      'verify',
      '--trust',
      join(keys, 'jwks.json'),
      '--envelope',
      join(dir, 'env5.txt'),
      '--text',
      join(dir, 'answer5.txt'),
      '--issuer',
      'https://other.example',
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: false, kind: 'policy', code: 'SIGNET_E_POLICY_ISSUER', step: 'policy' });
  });

  it('usage errors and unreadable input are exit 2', () => {
    expect(signet(['verify', '--trust', join(keys, 'jwks.json')]).code).toBe(2);
    expect(signet(['verify', '--bogus']).code).toBe(2);
    expect(signet(['nonsense']).code).toBe(2);
    const missing = signet([
      'verify',
      '--trust',
      join(dir, 'missing.json'),
      '--envelope',
      join(dir, 'env.txt'),
      '--text',
      join(dir, 'answer.txt'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist');
    expect(missing.stderr).not.toMatch(/ENOENT/);
    writeFileSync(join(dir, 'garbage.txt'), '%%% not an envelope %%%');
    const garbage = signet([
      'verify',
      '--trust',
      join(keys, 'jwks.json'),
      '--envelope',
      join(dir, 'garbage.txt'),
      '--text',
      join(dir, 'answer.txt'),
      '--json',
    ]);
    expect(garbage.code).toBe(1);
    expect((JSON.parse(garbage.stdout) as { code: string }).code).toBe('SIGNET_E_PARSE_MALFORMED');
  });

  it('inspect decodes without verifying and says so', () => {
    const envelope = sealText(answer);
    const r = signet(['inspect', envelope]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { verified: boolean; claims: { iss: string; signet: { model: string } } };
    expect(out.verified).toBe(false);
    expect(out.claims.iss).toBe('https://api.example.com');
    expect(out.claims.signet.model).toBe('m-1');
    expect(r.stderr).toContain('nothing was verified');
  });

  it('sign refuses a response that is not JSON and a key file that is not a key', () => {
    writeFileSync(join(dir, 'not-json.json'), '{');
    const r = signet([
      'sign',
      '--key',
      keys,
      '--issuer',
      'i',
      '--account',
      'a',
      '--terms',
      terms,
      '--response',
      join(dir, 'not-json.json'),
    ]);
    expect(r.code).toBe(2);
    writeFileSync(join(dir, 'bad-key.jwk'), '{"kty":"RSA"}');
    writeFileSync(join(dir, 'account-secret'), 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    const k = signet(['sign', '--key', join(dir, 'bad-key.jwk'), '--issuer', 'i', '--account', 'a', '--terms', terms, '--model', 'm'], 'x');
    expect(k.code).toBe(2);
    expect(k.stderr).toContain('SIGNET_E_KEY_INVALID');
  });
});
