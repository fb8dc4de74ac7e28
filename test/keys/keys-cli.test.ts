import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envelopeToText, parseEnvelope, signRevocationList } from '@signet/core';
import { LogKey, openLog } from '@signet/log';
import { createSigner, loadAccountSecret, loadSigningKey } from '@signet/server';
import { main, type CommandIO } from 'signet';
import { ISSUER, TERMS } from '../support/keys-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-keys-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string): string => join(dir, name);
writeFileSync(p('terms.json'), JSON.stringify({ ...TERMS }));
writeFileSync(p('text.txt'), 'Sealed text.');
writeFileSync(p('accounts.txt'), 'acct_1\nacct_2\nacct_3\n');

async function run(argv: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIO = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    stdin: async () => new TextEncoder().encode(stdin),
    env: {},
  };
  const code = await main(argv, io);
  return { code, out, err };
}

async function sign(keyDir: string, model = 'm1', account = 'acct_2'): Promise<string> {
  const r = await run(
    ['sign', '--key', keyDir, '--issuer', ISSUER, '--account', account, '--terms', p('terms.json'), '--model', model],
    'Sealed text.',
  );
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const file = p(`env-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, r.out);
  return file;
}

async function verify(envelope: string, trust: string, extra: string[] = []): Promise<{ code: number; out: string; err: string }> {
  return run(['verify', '--trust', trust, '--envelope', envelope, '--text', p('text.txt'), '--json', ...extra]);
}

describe('signet keys rotate | revoke | delegate | jwks, account open', () => {
  it('rotates, signs with the active key, keeps old envelopes valid, and honours revocations', async () => {
    const keys = p('keys');
    expect((await run(['keys', 'new', '--out', keys])).code).toBe(0);
    const first = loadSigningKey(keys).kid;
    const oldEnvelope = await sign(keys);

    const rot = await run(['keys', 'rotate', '--keys', keys, '--grace', '2h', '--json']);
    expect(rot.code).toBe(0);
    const rotated = JSON.parse(rot.out) as { kid: string; previousKid: string; keys: number };
    expect(rotated).toMatchObject({ previousKid: first, keys: 2 });
    expect(loadSigningKey(keys).kid).toBe(rotated.kid);
    const newEnvelope = await sign(keys);
    expect(parseEnvelope(new Uint8Array(Buffer.from(readFileSync(newEnvelope, 'utf8').trim(), 'base64url'))).kid).toBe(rotated.kid);

    const trust = join(keys, 'jwks.json');
    expect((await verify(oldEnvelope, trust)).code).toBe(0);
    expect((await verify(newEnvelope, trust)).code).toBe(0);

    // The JWKS to publish: public only.
    const jw = await run(['keys', 'jwks', '--keys', keys]);
    expect(jw.code).toBe(0);
    expect(JSON.parse(jw.out).keys).toHaveLength(2);
    expect(jw.out).not.toContain('"d"');

    // Refuses to revoke the active key; revokes the retired one.
    expect((await run(['keys', 'revoke', '--keys', keys, '--kid', rotated.kid, '--reason', 'x'])).code).toBe(2);
    const rev = await run(['keys', 'revoke', '--keys', keys, '--kid', first, '--reason', 'key compromise', '--json']);
    expect(rev.code).toBe(0);
    const revFile = join(keys, 'revocations.json');
    expect(JSON.parse(readFileSync(revFile, 'utf8')).revoked[0]).toMatchObject({ kid: first, reason: 'key compromise' });

    // No receipt proves the old envelope predates the revocation: it fails. The new key is fine.
    const bad = await verify(oldEnvelope, trust, ['--revocations', revFile]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_REVOKED' });
    expect((await verify(newEnvelope, trust, ['--revocations', revFile])).code).toBe(0);

    // A tampered list is an input error, never silently ignored.
    const tampered = p('tampered.json');
    writeFileSync(tampered, readFileSync(revFile, 'utf8').replace('key compromise', 'superseded'));
    const t = await verify(oldEnvelope, trust, ['--revocations', tampered]);
    expect(t.code).toBe(2);
    expect(t.err).toContain('SIGNET_E_SIG_INVALID');
  });

  it('delegates a short-lived node key that verifiers accept through the root only', async () => {
    const root = p('root');
    expect((await run(['keys', 'new', '--out', root])).code).toBe(0);
    const node = p('node');
    const d = await run([
      'keys',
      'delegate',
      '--root',
      root,
      '--out',
      node,
      '--issuer',
      ISSUER,
      '--valid-for',
      '12h',
      '--models',
      'm1,m2',
      '--json',
    ]);
    expect(d.code).toBe(0);
    const info = JSON.parse(d.out) as { kid: string; root: string; delegationBytes: number };
    expect(info.delegationBytes).toBeLessThan(300);
    expect(statSync(join(node, 'signing-key.jwk')).mode & 0o777).toBe(0o600);
    expect(statSync(join(node, 'account-secret')).mode & 0o777).toBe(0o600);

    const inScope = await sign(node, 'm2');
    // The node refuses to seal a model its delegation does not allow.
    const refused = await run(
      ['sign', '--key', node, '--issuer', ISSUER, '--account', 'acct_1', '--terms', p('terms.json'), '--model', 'm3'],
      'Sealed text.',
    );
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('SIGNET_E_KEY_DELEGATION');
    const roots = join(root, 'jwks.json');
    // The node's own directory holds only the root's public key.
    const empty = p('empty-jwks.json');
    writeFileSync(empty, '{"keys":[]}');
    expect(JSON.parse((await verify(inScope, empty, ['--roots', roots])).out)).toMatchObject({ valid: true });
    // Another root's verifier does not accept it.
    const otherRoot = p('other-root');
    expect((await run(['keys', 'new', '--out', otherRoot])).code).toBe(0);
    expect(JSON.parse((await verify(inScope, empty, ['--roots', join(otherRoot, 'jwks.json')])).out)).toMatchObject({
      valid: false,
      code: 'SIGNET_E_KEY_DELEGATION',
    });
    expect(JSON.parse((await verify(inScope, empty)).out)).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_UNKNOWN' });
    // Too long a window is refused at the command line.
    expect((await run(['keys', 'delegate', '--root', root, '--out', p('node2'), '--issuer', ISSUER, '--valid-for', '40d'])).code).toBe(2);
  });

  it('keys delegate refuses a window that reaches past the root key expiry', async () => {
    const shortRoot = p('short-root');
    const inAnHour = new Date(Date.now() + 3600_000).toISOString();
    expect((await run(['keys', 'new', '--out', shortRoot, '--not-after', inAnHour])).code).toBe(0);
    const r = await run(['keys', 'delegate', '--root', shortRoot, '--out', p('node3'), '--issuer', ISSUER, '--valid-for', '12h']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/root key expired/);
    expect((await run(['keys', 'delegate', '--root', shortRoot, '--out', p('node4'), '--issuer', ISSUER, '--valid-for', '30m'])).code).toBe(
      0,
    );
  });

  it('opens linkable tags and commitments (provider) and sealed ids (auditor)', async () => {
    const keys = p('keys-acct');
    expect((await run(['keys', 'new', '--out', keys])).code).toBe(0);
    const linkable = await sign(keys, 'm1', 'acct_3');
    const r1 = await run(['account', 'open', '--keys', keys, '--accounts', p('accounts.txt'), '--envelope', linkable, '--json']);
    expect(r1.code).toBe(0);
    expect(JSON.parse(r1.out)).toMatchObject({ found: true, accountId: 'acct_3', mode: 'linkable' });

    const auditorDir = p('auditor');
    expect((await run(['keys', 'auditor', '--out', auditorDir])).code).toBe(0);
    expect(statSync(join(auditorDir, 'auditor-key.jwk')).mode & 0o777).toBe(0o600);
    const signer = createSigner({
      issuer: ISSUER,
      key: loadSigningKey(keys),
      accountSecret: loadAccountSecret(join(keys, 'account-secret')),
      terms: TERMS,
      accountMode: 'commitment',
      auditors: readFileSync(join(auditorDir, 'auditor-jwks.json'), 'utf8'),
    });
    const sealed = await signer.seal({ account: 'acct_1', response: 'Sealed text.', model: 'm1' });
    const file = p('commit.txt');
    writeFileSync(file, envelopeToText(sealed.envelope));
    const r2 = await run(['account', 'open', '--keys', keys, '--accounts', p('accounts.txt'), '--envelope', file, '--json']);
    expect(JSON.parse(r2.out)).toMatchObject({ found: true, accountId: 'acct_1', mode: 'commitment' });
    expect(JSON.parse(r2.out).salt).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const r3 = await run(['account', 'open', '--envelope', file, '--auditor-key', join(auditorDir, 'auditor-key.jwk')]);
    expect(r3).toMatchObject({ code: 0, out: 'acct_1\n' });
    // Not among the candidates: exit 1.
    writeFileSync(p('others.txt'), 'acct_9\n');
    expect((await run(['account', 'open', '--keys', keys, '--accounts', p('others.txt'), '--envelope', file])).code).toBe(1);
  });

  it('verify --log-verifier-key --receipt: an envelope of a revoked key passes only when the log committed it first', async () => {
    const keys = p('keys-log');
    expect((await run(['keys', 'new', '--out', keys])).code).toBe(0);
    const log = await openLog(p('log.db'), { key: LogKey.generate('cli.example/log'), create: true, maxDelayMs: 5 });
    try {
      const signer = createSigner({
        issuer: ISSUER,
        key: loadSigningKey(keys),
        accountSecret: loadAccountSecret(join(keys, 'account-secret')),
        terms: TERMS,
        onSealed: (s) => log.append(s),
      });
      const sealed = await signer.seal({ account: 'acct_1', response: 'Sealed text.', model: 'm1' });
      const receipt = await log.waitForReceipt(sealed.claims.responseId);
      const envFile = p('logged.env');
      writeFileSync(envFile, envelopeToText(sealed.envelope));
      writeFileSync(p('receipt.cbor'), receipt);
      writeFileSync(p('log.key'), `${log.verifierKey}\n`);
      const kid = sealed.kid;
      const rot = await run(['keys', 'rotate', '--keys', keys, '--json']);
      const committed = sealed.claims.issuedAt;
      // Revoked well after the log committed the envelope: valid with the receipt, not without.
      expect(
        (await run(['keys', 'revoke', '--keys', keys, '--kid', kid, '--reason', 'rotated out', '--at', String(committed + 3600)])).code,
      ).toBe(0);
      const trust = join(keys, 'jwks.json');
      const later = join(keys, 'revocations.json');
      const withReceipt = ['--revocations', later, '--log-verifier-key', p('log.key'), '--receipt', p('receipt.cbor')];
      expect(JSON.parse((await verify(envFile, trust, withReceipt)).out)).toMatchObject({ valid: true });
      expect(JSON.parse((await verify(envFile, trust, ['--revocations', later])).out)).toMatchObject({
        valid: false,
        code: 'SIGNET_E_KEY_REVOKED',
      });
      // Revoked before the log's time: fails even with the receipt.
      const active = loadSigningKey(keys);
      expect(active.kid).toBe(JSON.parse(rot.out).kid);
      const earlier = p('earlier.json');
      writeFileSync(earlier, JSON.stringify(signRevocationList([{ kid, at: committed - 3600, reason: 'key compromise' }], active)));
      const r = await verify(envFile, trust, [
        '--revocations',
        earlier,
        '--log-verifier-key',
        p('log.key'),
        '--receipt',
        p('receipt.cbor'),
      ]);
      expect(JSON.parse(r.out)).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_REVOKED' });
      expect((await verify(envFile, trust, ['--receipt', p('receipt.cbor')])).code).toBe(2);
    } finally {
      await log.close();
    }
  });

  it('keys pq makes a directory seal hybrid; verify --hybrid-keys requires both signatures', async () => {
    const keys = p('keys-pq');
    expect((await run(['keys', 'new', '--out', keys])).code).toBe(0);
    const plain = await sign(keys);
    const pq = await run(['keys', 'pq', '--keys', keys, '--json']);
    expect(pq.code).toBe(0);
    expect(statSync(join(keys, 'pq-signing-key.jwk')).mode & 0o777).toBe(0o600);
    expect((await run(['keys', 'pq', '--keys', keys])).code).toBe(2);
    const hybrid = await sign(keys);
    expect(readFileSync(hybrid, 'utf8').length).toBeGreaterThan(readFileSync(plain, 'utf8').length + 3000);
    const trust = join(keys, 'jwks.json');
    const pqJwks = join(keys, 'pq-jwks.json');
    expect(JSON.parse((await verify(hybrid, trust, ['--hybrid-keys', pqJwks])).out)).toMatchObject({ valid: true });
    expect(JSON.parse((await verify(plain, trust, ['--hybrid-keys', pqJwks])).out)).toMatchObject({
      valid: false,
      code: 'SIGNET_E_SIG_INVALID',
    });
    // Ed25519-only verifiers still accept the hybrid envelope.
    expect((await verify(hybrid, trust)).code).toBe(0);
  });
});
