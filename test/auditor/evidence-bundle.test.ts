/* eslint-disable @typescript-eslint/no-explicit-any -- the tests edit bundles field by field, anywhere in their JSON */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBase64url, toBase64url, type EvidenceBundle, type SignetErrorCode } from '@signet/core';
import { openLog, type Log } from '@signet/log';
import { logEvidenceSource, openRegistry, type Registry } from '@signet/registry';
import { verifyEvidence } from '@signet/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatResponse, makeProvider, makeText, runCli, tempDir, writeKeysDir } from '../support/auditor-fixtures.js';

/**
 * Evidence bundles: built from the registry and the log, checked offline with public keys only.
 * Every edit to a bundle, a swapped envelope or excerpt, or a receipt of another log fails with
 * the code that names what is wrong.
 */

const provider = makeProvider();
const dir = tempDir('signet-evidence-');
const keys = writeKeysDir(provider, join(dir, 'keys'));
let log: Log;
let otherLog: Log;
let registry: Registry;
let excerptBundle: EvidenceBundle;
let textBundle: EvidenceBundle;
let otherBundle: EvidenceBundle;
let unsignedBundle: EvidenceBundle;
const texts = Array.from({ length: 12 }, (_, i) => Array.from({ length: 5 }, (_, p) => makeText(7000 + i * 10 + p, 8)).join('\n\n'));

beforeAll(async () => {
  log = await openLog(join(dir, 'log.db'), { create: true, origin: 'log.example.com/signet', maxDelayMs: 5 });
  otherLog = await openLog(join(dir, 'other-log.db'), { create: true, origin: 'log.example.com/signet', maxDelayMs: 5 });
  registry = await openRegistry(join(dir, 'registry.db'), { accountSecret: provider.secret, storeText: true });
  const signer = provider.signer(async (sealed, input) => {
    await registry.record(sealed, input);
    await log.appendAndWait(sealed);
  });
  for (const [i, text] of texts.entries()) {
    const sealed = await signer.seal({ account: `customer-${i % 3}`, response: chatResponse(`chatcmpl-ev${i}`, text) });
    // The second log holds the same envelopes under another key: its receipts must not pass for the first's.
    await otherLog.appendAndWait(sealed);
  }
  const source = logEvidenceSource(log);
  const words = texts[4]!.split(' ');
  const suspect = words
    .slice(30, 110)
    .map((w, k) => (k % 10 === 7 ? 'changed' : w.toLowerCase()))
    .join(' ');
  const [m] = await registry.attribute(suspect);
  expect(m?.row.responseId).toBe('chatcmpl-ev4');
  excerptBundle = await registry.evidence(m!, suspect, { suspectId: 'row-17', signer: provider.key, log: source });
  unsignedBundle = await registry.evidence(m!, suspect, { suspectId: 'row-17', log: source });
  const [exact] = await registry.attribute(texts[6]!);
  textBundle = await registry.evidence(exact!, texts[6]!, { suspectId: 'row-3', signer: provider.key, log: source });
  const other = texts[8]!.split(' ').slice(10, 90).join(' ');
  const [om] = await registry.attribute(other);
  otherBundle = await registry.evidence(om!, other, { suspectId: 'row-40', signer: provider.key, log: source });
}, 60_000);

afterAll(async () => {
  await registry?.close();
  await log?.close();
  await otherLog?.close();
});

async function check(bundle: unknown, withLog = true): Promise<{ valid: boolean; code?: SignetErrorCode }> {
  return verifyEvidence(JSON.stringify(bundle), { trust: provider.jwks, ...(withLog ? { logKey: log.verifierKey } : {}) });
}

const clone = (b: EvidenceBundle): Record<string, any> => JSON.parse(JSON.stringify(b));

describe('evidence bundles', () => {
  it('verify offline: envelope, receipt and checkpoint, excerpt proof, fields and signature', async () => {
    const report = await verifyEvidence(JSON.stringify(excerptBundle), { trust: provider.jwks, logKey: log.verifierKey });
    expect(report.valid).toBe(true);
    expect(report.checks.map((c) => `${c.name}:${c.status}`)).toEqual([
      'bundle:ok',
      'envelope:ok',
      'log:ok',
      'content:ok',
      'fields:ok',
      'signature:ok',
    ]);
    expect(excerptBundle.content.kind).toBe('excerpt');
    expect(excerptBundle.account.id).toBe('customer-1');
    expect(report.proves.join('\n')).toContain('log.example.com/signet');
    expect(report.doesNotProve.join('\n')).toContain('keyed hashes');
    expect((await check(textBundle)).valid).toBe(true);
    expect(textBundle.content.kind).toBe('text');
    // No log key: valid, but the commitment time is listed among what is not proven.
    const noLog = await verifyEvidence(JSON.stringify(excerptBundle), { trust: provider.jwks });
    expect(noLog.valid).toBe(true);
    expect(noLog.checks.find((c) => c.name === 'log')?.status).toBe('skipped');
  });

  it('fails on any edit of a signed bundle, wherever it is', async () => {
    const leaves: string[][] = [];
    const walk = (v: unknown, path: string[]): void => {
      if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
      else leaves.push(path);
    };
    walk(excerptBundle, []);
    expect(leaves.length).toBeGreaterThan(20);
    for (const path of leaves) {
      const b = clone(excerptBundle);
      let parent: any = b;
      for (const k of path.slice(0, -1)) parent = parent[k];
      const key = path[path.length - 1]!;
      const v = parent[key];
      parent[key] =
        typeof v === 'number'
          ? v + 1
          : typeof v === 'string'
            ? v.length > 3
              ? `${v.slice(0, 2)}${v[2] === 'A' ? 'B' : 'A'}${v.slice(3)}`
              : `${v}x`
            : v === null
              ? 'x'
              : !v;
      const r = await check(b);
      expect({ path: path.join('.'), valid: r.valid }).toEqual({ path: path.join('.'), valid: false });
    }
  });

  it('names what is wrong with the right code', async () => {
    const cases: [string, (b: Record<string, any>) => void, SignetErrorCode, EvidenceBundle?][] = [
      [
        'envelope signature flipped',
        (b) => {
          const bytes = fromBase64url(b.envelope);
          bytes[bytes.length - 1]! ^= 1;
          b.envelope = toBase64url(bytes);
        },
        'SIGNET_E_SIG_INVALID',
      ],
      ['envelope swapped for another sealed response', (b) => (b.envelope = otherBundle.envelope), 'SIGNET_E_RECEIPT_INVALID'],
      ["excerpt swapped for another response's", (b) => (b.content = clone(otherBundle).content), 'SIGNET_E_EXCERPT_INVALID'],
      ['excerpt chunk edited', (b) => (b.content.proof.chunks[0] = `${b.content.proof.chunks[0]} extra`), 'SIGNET_E_EXCERPT_INVALID'],
      ['receipt of another log', (b) => (b.log.receipt = 'REPLACED'), 'SIGNET_E_RECEIPT_INVALID'],
      ['checkpoint of another log', (b) => (b.log.checkpoint = 'REPLACED'), 'SIGNET_E_LOG_CHECKPOINT_INVALID'],
      ['terms version edited', (b) => (b.terms.version = '2099-01'), 'SIGNET_E_EVIDENCE_MISMATCH'],
      [
        'account tag edited',
        (b) => (b.account.tag = otherBundle.account.tag === b.account.tag ? toBase64url(new Uint8Array(16)) : otherBundle.account.tag),
        'SIGNET_E_EVIDENCE_MISMATCH',
      ],
      ['account id edited', (b) => (b.account.id = 'someone-else'), 'SIGNET_E_EVIDENCE_SIGNATURE'],
      ['score edited', (b) => (b.suspect.score = 1), 'SIGNET_E_EVIDENCE_SIGNATURE'],
      ['signed by an unknown key', (b) => (b.signature.kid = 'AAAA'), 'SIGNET_E_EVIDENCE_SIGNATURE'],
      ['unknown field', (b) => (b.extra = 1), 'SIGNET_E_EVIDENCE_INVALID'],
      ['receipt dropped', (b) => (b.log = null), 'SIGNET_E_RECEIPT_MISSING'],
    ];
    const otherReceipt = toBase64url((await otherLog.receiptFor('chatcmpl-ev4'))!);
    const otherCheckpoint = await otherLog.checkpoint();
    for (const [what, edit, code] of cases) {
      const b = clone(excerptBundle);
      edit(b);
      if (b.log?.receipt === 'REPLACED') b.log.receipt = otherReceipt;
      if (b.log?.checkpoint === 'REPLACED') b.log.checkpoint = otherCheckpoint;
      const r = await check(b);
      expect({ what, code: r.code }).toEqual({ what, code });
    }
    // A text bundle whose text was edited, and one given another response's envelope (no log key).
    const t = clone(textBundle);
    t.content.text = `${t.content.text}!`;
    expect((await check(t)).code).toBe('SIGNET_E_CONTENT_MISMATCH');
    const s = clone(textBundle);
    s.envelope = otherBundle.envelope;
    expect((await check(s, false)).code).toBe('SIGNET_E_CONTENT_MISMATCH');
    const e = clone(excerptBundle);
    e.envelope = otherBundle.envelope;
    expect((await check(e, false)).code).toBe('SIGNET_E_EXCERPT_INVALID');
    expect((await check('not json')).code).toBe('SIGNET_E_EVIDENCE_INVALID');
  });

  it('an unsigned bundle fails unless allowed: SIGNET_E_EVIDENCE_UNSIGNED', async () => {
    const r = await verifyEvidence(JSON.stringify(unsignedBundle), { trust: provider.jwks, logKey: log.verifierKey });
    expect(r).toMatchObject({ valid: false, signed: false, code: 'SIGNET_E_EVIDENCE_UNSIGNED' });
    expect(r.checks.at(-1)).toMatchObject({ name: 'signature', status: 'failed' });
  });

  it('deleting the signature of a signed bundle does not downgrade it to valid', async () => {
    for (const signedBundle of [excerptBundle, textBundle]) {
      const b = clone(signedBundle);
      delete b.signature;
      expect((await check(b)).code).toBe('SIGNET_E_EVIDENCE_UNSIGNED');
    }
  });

  it('an unsigned bundle, when allowed, still binds everything the envelope states and says it is unsigned', async () => {
    const allowed = (b: unknown) =>
      verifyEvidence(JSON.stringify(b), { trust: provider.jwks, logKey: log.verifierKey, allowUnsigned: true });
    expect(await allowed(unsignedBundle)).toMatchObject({ valid: true, signed: false });
    expect(await check(excerptBundle)).toMatchObject({ valid: true, signed: true });
    const b = clone(unsignedBundle);
    b.terms.digest = toBase64url(new Uint8Array(32));
    expect((await allowed(b)).code).toBe('SIGNET_E_EVIDENCE_MISMATCH');
    const renamed = clone(unsignedBundle);
    renamed.account.id = 'someone-else';
    const r = await allowed(renamed);
    expect(r).toMatchObject({ valid: true, signed: false });
    expect(r.doesNotProve.join('\n')).toContain('unsigned');
  });

  it('the signature binds the suspect id, digest and match method', async () => {
    const edits: [string, (b: Record<string, any>) => void][] = [
      ['suspect id', (b) => (b.suspect.id = 'row-18')],
      ['suspect digest', (b) => (b.suspect.sha256 = toBase64url(new Uint8Array(32)))],
      ['match method', (b) => (b.suspect.method = 'normalized')],
    ];
    for (const [what, edit] of edits) {
      const b = clone(excerptBundle);
      edit(b);
      const r = await check(b);
      expect({ what, valid: r.valid }).toEqual({ what, valid: false });
    }
    const ok = await verifyEvidence(JSON.stringify(textBundle), { trust: provider.jwks, logKey: log.verifierKey });
    expect(ok.valid).toBe(true);
    expect(ok.proves.join('\n')).toMatch(/suspect "row-3" \(SHA-256 [\w-]+\), matched exact/);
  });

  it('the match method must fit the content, signed or not', async () => {
    const allowUnsigned = { trust: provider.jwks, logKey: log.verifierKey, allowUnsigned: true };
    // A digest match claimed for a bundle that carries no text, and a text bundle relabelled.
    const e = clone(excerptBundle);
    delete e.signature;
    e.suspect.method = 'exact';
    e.suspect.score = 1;
    expect((await verifyEvidence(JSON.stringify(e), allowUnsigned)).code).toBe('SIGNET_E_EVIDENCE_MISMATCH');
    for (const method of ['normalized', 'fingerprint']) {
      const t = clone(textBundle);
      delete t.signature;
      t.suspect.method = method;
      expect({ method, code: (await verifyEvidence(JSON.stringify(t), allowUnsigned)).code }).toEqual({
        method,
        code: 'SIGNET_E_EVIDENCE_MISMATCH',
      });
    }
  });

  it('checks the suspect text the auditor holds against the digest the bundle names', async () => {
    const good = await verifyEvidence(JSON.stringify(textBundle), { trust: provider.jwks, logKey: log.verifierKey, suspect: texts[6]! });
    expect(good.valid).toBe(true);
    const other = await verifyEvidence(JSON.stringify(textBundle), { trust: provider.jwks, logKey: log.verifierKey, suspect: texts[7]! });
    expect(other.code).toBe('SIGNET_E_EVIDENCE_MISMATCH');
  });

  it('signet evidence verify refuses an unsigned bundle unless --allow-unsigned, then says UNSIGNED', () => {
    const path = join(dir, 'unsigned.json');
    writeFileSync(path, JSON.stringify(unsignedBundle));
    const refused = runCli(['evidence', 'verify', path, '--trust', join(keys, 'jwks.json'), '--log-verifier-key', log.verifierKey]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^INVALID evidence bundle .*SIGNET_E_EVIDENCE_UNSIGNED/);
    const allowed = runCli([
      'evidence',
      'verify',
      path,
      '--trust',
      join(keys, 'jwks.json'),
      '--log-verifier-key',
      log.verifierKey,
      '--allow-unsigned',
    ]);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/^VALID \(UNSIGNED\) evidence bundle/);
    const json = runCli(['evidence', 'verify', path, '--trust', join(keys, 'jwks.json'), '--allow-unsigned', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, signed: false });
  });

  it('signet evidence verify checks a bundle file offline and prints what it proves and what it does not', () => {
    const path = join(dir, 'bundle.json');
    writeFileSync(path, JSON.stringify(excerptBundle, null, 2));
    const keyFile = join(dir, 'log.pub');
    writeFileSync(keyFile, `${log.verifierKey}\n`);
    const ok = runCli(['evidence', 'verify', path, '--trust', join(keys, 'jwks.json'), '--log-verifier-key', keyFile]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('VALID');
    expect(ok.stdout).toContain('it proves:');
    expect(ok.stdout).toContain('it does not prove:');
    const tampered = clone(excerptBundle);
    tampered.account.id = 'someone-else';
    writeFileSync(path, JSON.stringify(tampered));
    const bad = runCli(['evidence', 'verify', path, '--trust', join(keys, 'jwks.json'), '--log-verifier-key', log.verifierKey, '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).code).toBe('SIGNET_E_EVIDENCE_SIGNATURE');
    expect(runCli(['evidence', 'verify', join(dir, 'nope.json'), '--trust', join(keys, 'jwks.json')]).code).toBe(2);
  });
});
