import { describe, expect, it } from 'vitest';
import {
  assembleEnvelope,
  generatePqSigningKey,
  generateSigningKey,
  HYBRID_HEADER,
  parseEnvelope,
  toJwks,
  hybridHeaderValue,
} from '@signet/core';
import { createSigner } from '@signet/server';
import { createHybridCheck, createVerifier } from '@signet/verify';
import { ISSUER, SECRET, sealInput, TERMS, TEXT } from '../support/keys-fixture.js';

const key = generateSigningKey();
const pq = generatePqSigningKey();
const pqJwks = { keys: [pq.toPublicJwk()] };
const plain = createSigner({ issuer: ISSUER, key, accountSecret: SECRET, terms: TERMS, now: () => 1_790_000_000_000 });
const hybrid = createSigner({ issuer: ISSUER, key, accountSecret: SECRET, terms: TERMS, hybrid: pq, now: () => 1_790_000_000_000 });
const input = sealInput('acct_1', { responseId: 'chatcmpl-1' });

function requiring(require = true) {
  return createVerifier({
    trust: toJwks([key]),
    now: () => 1_790_000_000_000,
    extensions: { signature: createHybridCheck({ keys: pqJwks, require }) },
  });
}

function flipAt(bytes: Uint8Array, index: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[index] = (out[index] as number) ^ 1;
  return out;
}

/** Rebuilds an envelope with a different Ed25519 signature or unprotected header. */
function rebuild(envelope: Uint8Array, change: { signature?: Uint8Array; unprotected?: Map<unknown, unknown> }): Uint8Array {
  const p = parseEnvelope(envelope);
  return assembleEnvelope(
    { protectedBytes: p.protectedBytes, payload: p.payload, toBeSigned: p.toBeSigned },
    change.signature ?? p.signature,
    change.unprotected ?? p.unprotected,
  );
}

describe('hybrid Ed25519 + ML-DSA-44 seal', () => {
  it('verifies with both signatures, and leaves plain envelopes unchanged', async () => {
    const h = await hybrid.seal(input);
    const p = await plain.seal(input);
    expect(await requiring().verify(h.envelope, { text: TEXT })).toMatchObject({ valid: true });
    // Same protected header and payload as the plain envelope; only the unprotected header grows.
    const ph = parseEnvelope(h.envelope);
    const pp = parseEnvelope(p.envelope);
    expect(ph.protectedBytes).toEqual(pp.protectedBytes);
    expect(ph.payload).toEqual(pp.payload);
    expect(pp.unprotected.size).toBe(0);
    expect(h.envelope.length - p.envelope.length).toBeLessThan(2420 + 32 + 16);
    // A verifier that knows nothing about hybrid seals still accepts the Ed25519 part.
    expect(await createVerifier({ trust: toJwks([key]), now: () => 1_790_000_000_000 }).verify(h.envelope, { text: TEXT })).toMatchObject({
      valid: true,
    });
  });

  it('fails when the Ed25519 signature is broken', async () => {
    const h = await hybrid.seal(input);
    const p = parseEnvelope(h.envelope);
    const broken = rebuild(h.envelope, { signature: flipAt(p.signature, 5) });
    expect(await requiring().verify(broken, { text: TEXT })).toMatchObject({
      valid: false,
      code: 'SIGNET_E_SIG_INVALID',
      step: 'signature',
    });
  });

  it('fails when the ML-DSA-44 signature is broken, required or not', async () => {
    const h = await hybrid.seal(input);
    const [kid, sig] = parseEnvelope(h.envelope).unprotected.get(HYBRID_HEADER) as [Uint8Array, Uint8Array];
    const broken = rebuild(h.envelope, { unprotected: new Map([[HYBRID_HEADER, [kid, flipAt(sig, 100)]]]) });
    for (const require of [true, false]) {
      expect(await requiring(require).verify(broken, { text: TEXT })).toMatchObject({
        valid: false,
        code: 'SIGNET_E_SIG_INVALID',
        step: 'signature',
      });
    }
  });

  it('fails a stripped or foreign ML-DSA signature when both are required', async () => {
    const h = await hybrid.seal(input);
    const stripped = rebuild(h.envelope, { unprotected: new Map() });
    expect(await requiring().verify(stripped, { text: TEXT })).toMatchObject({ valid: false, code: 'SIGNET_E_SIG_INVALID' });
    expect(await requiring(false).verify(stripped, { text: TEXT })).toMatchObject({ valid: true });
    // A signature by an untrusted ML-DSA key over the same bytes.
    const other = generatePqSigningKey();
    const p = parseEnvelope(h.envelope);
    const foreign = rebuild(h.envelope, {
      unprotected: new Map([[HYBRID_HEADER, hybridHeaderValue(other.kid, other.sign(p.toBeSigned))]]),
    });
    expect(await requiring().verify(foreign, { text: TEXT })).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_UNKNOWN' });
    // The ML-DSA signature of another envelope does not transfer.
    const h2 = await hybrid.seal(sealInput('acct_2', { responseId: 'chatcmpl-2' }));
    const moved = rebuild(h.envelope, { unprotected: parseEnvelope(h2.envelope).unprotected });
    expect(await requiring().verify(moved, { text: TEXT })).toMatchObject({ valid: false, code: 'SIGNET_E_SIG_INVALID' });
    // Malformed header.
    const junk = rebuild(h.envelope, { unprotected: new Map([[HYBRID_HEADER, [new Uint8Array(3)]]]) });
    expect(await requiring().verify(junk, { text: TEXT })).toMatchObject({ valid: false, code: 'SIGNET_E_SIG_INVALID' });
  });

  it('fails JWS envelopes when hybrid is required (the JSON profile has no hybrid form)', async () => {
    const { jws } = await hybrid.sealJws(input);
    expect(await requiring().verifyJws(jws, { text: TEXT })).toMatchObject({ valid: false, code: 'SIGNET_E_SIG_INVALID' });
  });
});
