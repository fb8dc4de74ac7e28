import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRegistry } from '@signet/registry';
import { beforeAll, describe, expect, it } from 'vitest';
import { chatResponse, makeProvider, makeText, runCli, tempDir, writeKeysDir } from '../support/auditor-fixtures.js';

/**
 * The command line never destroys and never misleads (issue 13, items 1 to 3): stores are not
 * created by reading them, private keys are not overwritten, terms documents are not ambiguous.
 * Each test names the break it closes.
 */

const provider = makeProvider();
const stranger = makeProvider();
const dir = tempDir('signet-never-destroy-');
const keys = writeKeysDir(provider, join(dir, 'keys'));
const strangerKeys = writeKeysDir(stranger, join(dir, 'stranger-keys'));
const db = join(dir, 'registry.db');
const suspects = join(dir, 'suspects.jsonl');
const text = makeText(4242, 16);

beforeAll(async () => {
  const registry = await openRegistry(db, { accountSecret: provider.secret });
  const signer = provider.signer((sealed, input) => registry.record(sealed, input));
  await signer.seal({ account: 'acct-a', response: chatResponse('chatcmpl-nd1', text) });
  await registry.close();
  writeFileSync(suspects, `${JSON.stringify({ id: 's1', text })}\n`);
});

describe('stores are never created by reading them', () => {
  // Was: an empty registry was created and every suspect reported "no match" with exit 0.
  it('attribute refuses a missing registry with exit 2 and creates nothing', () => {
    const missing = join(dir, 'nonexist.db');
    const r = runCli(['attribute', suspects, '--registry', missing, '--keys', keys]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SIGNET_E_REGISTRY_MISSING');
    expect(existsSync(missing)).toBe(false);
  });

  // Was: bundles were signed with another provider's key, and then failed every check.
  it("attribute refuses another provider's keys before signing anything", () => {
    const out = join(dir, 'foreign-out');
    const r = runCli(['attribute', suspects, '--registry', db, '--keys', strangerKeys, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SIGNET_E_REGISTRY_FOREIGN_KEY');
    expect(existsSync(out)).toBe(false);
    const ok = runCli(['attribute', suspects, '--registry', db, '--keys', keys, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout.trim())).toMatchObject({ id: 's1', match: { account: 'acct-a' } });
  });
});

describe('private key material is never overwritten', () => {
  // Was: a second `keys auditor --out DIR` replaced the key pair; sealed ids became unreadable.
  it('keys auditor refuses an existing key pair, and --force moves it aside and says where', () => {
    const out = join(dir, 'auditor');
    expect(runCli(['keys', 'auditor', '--out', out]).code).toBe(0);
    const first = readFileSync(join(out, 'auditor-key.jwk'), 'utf8');
    const again = runCli(['keys', 'auditor', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/refusing to overwrite/);
    expect(readFileSync(join(out, 'auditor-key.jwk'), 'utf8')).toBe(first);
    const forced = runCli(['keys', 'auditor', '--out', out, '--force']);
    expect(forced.code).toBe(0);
    const aside = readdirSync(out).find((f) => f.startsWith('auditor-key.jwk.replaced-')) as string;
    expect(aside).toBeDefined();
    expect(readFileSync(join(out, aside), 'utf8')).toBe(first);
    expect(`${forced.stdout}${forced.stderr}`).toContain(aside);
  });

  // Was: `keys new --force` replaced account-secret, so past account tags could not be resolved.
  it('keys new --force keeps the old account secret beside the new one and says where', () => {
    const out = join(dir, 'fresh-keys');
    expect(runCli(['keys', 'new', '--out', out]).code).toBe(0);
    const secret = readFileSync(join(out, 'account-secret'), 'utf8');
    const refused = runCli(['keys', 'new', '--out', out]);
    expect(refused.code).toBe(2);
    const forced = runCli(['keys', 'new', '--out', out, '--force', '--json']);
    expect(forced.code).toBe(0);
    const report = JSON.parse(forced.stdout) as { movedAside: { path: string; movedTo: string }[] };
    const kept = report.movedAside.find((m) => m.path.endsWith('account-secret'));
    expect(readFileSync(kept?.movedTo as string, 'utf8')).toBe(secret);
  });
});

describe('a terms document is text, a terms file is a path', () => {
  const write = (name: string, terms: Record<string, unknown>): string => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify({ id: 't', version: '1', uri: 'https://example.com/t', usage: {}, ...terms }));
    return file;
  };
  const sign = (terms: string) =>
    runCli(['sign', '--key', keys, '--issuer', 'https://api.example.com', '--account', 'a', '--terms', terms, '--model', 'm'], 'hi');

  // Was: a `document` naming a missing file was signed as the literal path.
  it('documentFile names a file, a missing one is an error, and document is always the text', () => {
    writeFileSync(join(dir, 'terms.md'), 'No distillation.\n');
    expect(sign(write('by-file.json', { documentFile: 'terms.md' })).code).toBe(0);
    const missing = sign(write('missing.json', { documentFile: 'nope.md' }));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.md');
    expect(missing.stderr).not.toMatch(/ENOENT/);
    expect(sign(write('both.json', { document: 'x', documentFile: 'terms.md' })).code).toBe(2);
    // The text "terms.md" is inline text, even though a file of that name exists.
    const inline = sign(write('inline.json', { document: 'terms.md' }));
    expect(inline.code).toBe(0);
    const byFile = sign(write('by-file-2.json', { documentFile: 'terms.md' }));
    const digest = (out: string): string =>
      JSON.stringify((JSON.parse(runCli(['inspect', '-'], out).stdout) as { claims: { signet: { terms: unknown } } }).claims.signet.terms);
    expect(digest(inline.stdout)).not.toBe(digest(byFile.stdout));
  });
});

describe('a signing key must be private', () => {
  // Was: a signing key with mode 0644 was accepted silently.
  it('refuses a signing key other users can read', () => {
    const loose = writeKeysDir(provider, join(dir, 'loose-keys'));
    chmodSync(join(loose, 'signing-key.jwk'), 0o644);
    const r = runCli(
      ['sign', '--key', loose, '--issuer', 'https://api.example.com', '--account', 'a', '--terms', write0(), '--model', 'm'],
      'hi',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mode 0644/);
    expect(r.stderr).toMatch(/chmod 600/);
  });
});

function write0(): string {
  const file = join(dir, 'plain-terms.json');
  writeFileSync(file, JSON.stringify({ id: 't', version: '1', uri: 'https://example.com/t', document: 'text', usage: {} }));
  return file;
}
