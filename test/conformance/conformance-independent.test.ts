import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, compactVerify, importJWK } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assembleJws,
  claimsToJson,
  jwsSigningInput,
  JWS_TYPE,
  NO_AI_TRAINING,
  parseEnvelope,
  SigningKey,
  toHex,
  toJwks,
  utf8,
} from '@signet/core';
import { nodeBackend } from '@signet/core/node';
import { createSigner, type ExternalSigner } from '@signet/server';
import { createVerifier } from '@signet/verify';
import { loadCoseTs } from '../support/cose-ts.js';

// Our envelopes must verify with implementations that share no code with ours:
// - @ldclabs/cose-ts: its own CBOR (cborg) and its own Ed25519 (@noble/curves);
// - OpenSSL's Ed25519 (the openssl command), over a Sig_structure this file builds byte by byte;
// - jose's generic compactVerify for the JSON profile.

const key = new SigningKey(nodeBackend.sha256(utf8('conformance key')), {}, nodeBackend);
const signer = createSigner({
  issuer: 'https://api.example.com',
  key,
  accountSecret: nodeBackend.sha256(utf8('conformance account secret')),
  terms: { id: 'example-terms', version: '2026-01', uri: 'https://example.com/terms', document: 'No distillation.', usage: NO_AI_TRAINING },
  now: () => 1_767_225_600_000,
});
const texts = ['Hello.', 'A longer answer.\n\nWith paragraphs, "quotes" and émojis 🙂.', 'x'.repeat(3000), ''];
const response = (text: string, i: number) => ({
  id: `chatcmpl-${i}`,
  object: 'chat.completion',
  model: 'gpt-test',
  choices: [{ index: 0, message: { role: 'assistant', content: text } }],
});
const { Ed25519Key, Header, Sign1Message, decodeCBOR } = await loadCoseTs();
const sealed = await Promise.all(texts.map((t, i) => signer.seal({ account: `acct_${i}`, response: response(t, i), request: { q: i } })));

/** A CBOR head for major type `major` and length `n` (n < 2^32), written out by hand. */
function cborHead(major: number, n: number): number[] {
  const m = major << 5;
  if (n < 24) return [m | n];
  if (n < 0x100) return [m | 24, n];
  if (n < 0x10000) return [m | 25, n >> 8, n & 0xff];
  return [m | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** RFC 9052 section 4.4 Sig_structure for COSE_Sign1 with empty external_aad, built without our encoder. */
function handBuiltSigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  const context = [...Buffer.from('Signature1', 'ascii')];
  return Uint8Array.from([
    0x84,
    ...cborHead(3, context.length),
    ...context,
    ...cborHead(2, protectedBytes.length),
    ...protectedBytes,
    0x40,
    ...cborHead(2, payload.length),
    ...payload,
  ]);
}

function flip(bytes: Uint8Array, index: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[index]! ^= 0x01;
  return out;
}

describe('@ldclabs/cose-ts (independent COSE implementation)', () => {
  const coseKey = Ed25519Key.fromPublic(key.publicKey);

  it('verifies every envelope and reads the same payload and protected header', () => {
    for (const s of sealed) {
      const msg = Sign1Message.fromBytes(coseKey, s.envelope);
      const ours = parseEnvelope(s.envelope);
      expect(toHex(msg.payload)).toBe(toHex(ours.payload));
      expect(msg.protected?.getInt(1)).toBe(-8);
      expect(toHex(msg.protected?.toBytes() ?? new Uint8Array(0))).toBe(toHex(ours.protectedBytes));
      // cose-ts's own CBOR decoder reads our payload as a map with our statement version.
      const payload = decodeCBOR<Map<number, unknown>>(msg.payload);
      expect(payload.get(1)).toBe(1);
    }
  });

  it('rejects a tampered envelope and a different key', () => {
    const env = sealed[0]!.envelope;
    const signatureStart = env.length - 64;
    expect(() => Sign1Message.fromBytes(coseKey, flip(env, signatureStart + 5))).toThrow();
    expect(() => Sign1Message.fromBytes(coseKey, flip(env, 40))).toThrow();
    const other = Ed25519Key.fromPublic(new SigningKey(new Uint8Array(32).fill(1)).publicKey);
    expect(() => Sign1Message.fromBytes(other, env)).toThrow();
  });

  it('a COSE_Sign1 signed by cose-ts over our protected header and payload verifies with our verifier', async () => {
    const ours = parseEnvelope(sealed[1]!.envelope);
    const signingKey = Ed25519Key.fromSecret(nodeBackend.sha256(utf8('conformance key')));
    const msg = new Sign1Message(ours.payload, Header.fromBytes(ours.protectedBytes));
    const bytes = Sign1Message.withTag(msg.toBytes(signingKey));
    const r = await createVerifier({ trust: toJwks([key]), now: () => 1_767_225_600_000 }).verify(bytes, { text: texts[1]! });
    expect(r).toMatchObject({ valid: true });
  });
});

describe('OpenSSL Ed25519 over the COSE Sig_structure', () => {
  const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  const dir = mkdtempSync(join(tmpdir(), 'signet-openssl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // SPKI for Ed25519 (RFC 8410): a fixed 12-byte prefix, then the raw key.
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(key.publicKey)]);
  const pem = `-----BEGIN PUBLIC KEY-----\n${spki.toString('base64')}\n-----END PUBLIC KEY-----\n`;

  function opensslVerify(message: Uint8Array, signature: Uint8Array, name: string): boolean {
    writeFileSync(join(dir, 'pub.pem'), pem);
    writeFileSync(join(dir, `${name}.tbs`), message);
    writeFileSync(join(dir, `${name}.sig`), signature);
    const r = spawnSync(
      'openssl',
      [
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        join(dir, 'pub.pem'),
        '-rawin',
        '-in',
        join(dir, `${name}.tbs`),
        '-sigfile',
        join(dir, `${name}.sig`),
      ],
      { encoding: 'utf8' },
    );
    if (r.error) throw r.error;
    return r.status === 0 && /Signature Verified Successfully/.test(r.stdout);
  }

  it.skipIf(openssl.status !== 0 && process.env.CI !== 'true')('openssl is available (required under CI)', () => {
    expect(openssl.status).toBe(0);
    // The PEM we wrote is the key OpenSSL sees.
    writeFileSync(join(dir, 'check.pem'), pem);
    const der = execFileSync('openssl', ['pkey', '-pubin', '-in', join(dir, 'check.pem'), '-outform', 'DER']);
    expect(toHex(der.subarray(-32))).toBe(toHex(key.publicKey));
  });

  it.skipIf(openssl.status !== 0 && process.env.CI !== 'true')(
    'verifies the signature of every envelope over the hand-built Sig_structure, and rejects tampering',
    () => {
      sealed.forEach((s, i) => {
        const ours = parseEnvelope(s.envelope);
        const tbs = handBuiltSigStructure(ours.protectedBytes, ours.payload);
        expect(toHex(tbs)).toBe(toHex(ours.toBeSigned));
        expect(opensslVerify(tbs, ours.signature, `ok${i}`)).toBe(true);
        expect(opensslVerify(flip(tbs, tbs.length - 1), ours.signature, `badmsg${i}`)).toBe(false);
        expect(opensslVerify(tbs, flip(ours.signature, 63), `badsig${i}`)).toBe(false);
      });
    },
  );
});

describe("jose's generic compactVerify (JSON profile)", () => {
  const publicKey = importJWK(key.toPublicJwk(), 'EdDSA');

  it('verifies sealJws output and reads the same claims', async () => {
    for (const [i, t] of texts.entries()) {
      const { jws, claims } = await signer.sealJws({ account: `acct_${i}`, response: response(t, i), request: { q: i } });
      const { payload, protectedHeader } = await compactVerify(jws, await publicKey, { algorithms: ['EdDSA', 'Ed25519'] });
      expect(protectedHeader).toMatchObject({ kid: key.kid, typ: JWS_TYPE });
      expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(claimsToJson(claims));
    }
  });

  it('verifies the JWS an external signer makes (no jose on the signing side)', async () => {
    const external: ExternalSigner = { kid: key.kid, publicKey: key.publicKey, sign: (m) => key.sign(m) };
    const s = createSigner({
      issuer: 'https://api.example.com',
      key: external,
      accountSecret: new Uint8Array(32).fill(3),
      terms: signer.terms,
    });
    const { jws } = await s.sealJws({ account: 'a', response: 'plain text', model: 'm' });
    await expect(compactVerify(jws, await publicKey, { algorithms: ['EdDSA', 'Ed25519'] })).resolves.toBeDefined();
  });

  it('rejects a tampered JWS', async () => {
    const { jws } = await signer.sealJws({ account: 'a', response: response('text', 0) });
    const [h, p, sig] = jws.split('.') as [string, string, string];
    const tampered = `${h}.${p.slice(0, -2)}${p.endsWith('AA') ? 'BA' : 'AA'}.${sig}`;
    await expect(compactVerify(tampered, await publicKey)).rejects.toThrow();
  });

  it("core's JWS codec gives jose's CompactSign output byte for byte", async () => {
    const privateKey = await importJWK(key.toPrivateJwk(), 'EdDSA');
    for (const [i, t] of texts.entries()) {
      const claims = signer.claimsFor({ account: `acct_${i}`, response: response(t, i) });
      const signingInput = jwsSigningInput(key.kid, claims);
      const ours = assembleJws(signingInput, key.sign(utf8(signingInput)));
      const theirs = await new CompactSign(utf8(JSON.stringify(claimsToJson(claims))))
        .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: JWS_TYPE })
        .sign(privateKey);
      expect(ours).toBe(theirs);
    }
  });

  it('a JWS that jose signs over our JSON claims verifies with our verifier', async () => {
    const claims = signer.claimsFor({ account: 'a', response: response('From jose.', 0) });
    const privateKey = await importJWK(key.toPrivateJwk(), 'EdDSA');
    const jws = await new CompactSign(utf8(JSON.stringify(claimsToJson(claims))))
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: JWS_TYPE })
      .sign(privateKey);
    const r = await createVerifier({ trust: toJwks([key]), now: () => 1_767_225_600_000 }).verifyJws(jws, { text: 'From jose.' });
    expect(r).toMatchObject({ valid: true });
  });
});
