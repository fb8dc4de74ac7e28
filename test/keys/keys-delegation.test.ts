import { describe, expect, it } from 'vitest';
import {
  assembleEnvelope,
  DELEGATION_HEADER,
  decodeCbor,
  encodeCbor,
  generateSigningKey,
  parseEnvelope,
  signDelegation,
  toJwks,
  type SigningKey,
} from '@signet/core';
import { attachDelegation, createSigner, keyDelegation } from '@signet/server';
import { createDelegationCheck, createVerifier, type ReceiptOutcome } from '@signet/verify';
import { ISSUER, MODEL, SECRET, sealInput, TERMS, TEXT } from '../support/keys-fixture.js';

const root = generateSigningKey();
const NOW = 1_790_000_000;

function nodeWith(
  claims: Partial<Parameters<typeof signDelegation>[1]> = {},
  by: SigningKey = root,
): { node: SigningKey; delegation: Uint8Array } {
  const node = generateSigningKey();
  const delegation = signDelegation(by, {
    issuer: ISSUER,
    publicKey: node.publicKey,
    notBefore: NOW - 3600,
    notAfter: NOW + 3600,
    models: [MODEL],
    ...claims,
  });
  attachDelegation(node, delegation);
  return { node, delegation };
}

/**
 * What a node that ignores its delegation produces (a stolen key, or a broken signer): the honest
 * signer refuses to sign outside its delegation, so the envelope is assembled here.
 */
async function sealWith(node: SigningKey, at = NOW, extra: Record<string, unknown> = {}) {
  const bare = { kid: node.kid, publicKey: node.publicKey, sign: (m: Uint8Array) => node.sign(m) };
  const signer = createSigner({ issuer: ISSUER, key: bare, accountSecret: SECRET, terms: TERMS, now: () => at * 1000 });
  const sealed = await signer.seal(sealInput('acct_1', extra));
  const delegation = keyDelegation(node);
  if (delegation === undefined) return sealed;
  const p = parseEnvelope(sealed.envelope);
  const unsigned = { protectedBytes: p.protectedBytes, payload: p.payload, toBeSigned: p.toBeSigned };
  return { ...sealed, envelope: assembleEnvelope(unsigned, p.signature, new Map([[DELEGATION_HEADER, delegation]])) };
}

function verifierFor(roots: SigningKey[], receipt?: ReceiptOutcome) {
  return createVerifier({
    // Verifiers trust only the roots: the node key is in no JWKS.
    trust: toJwks([]),
    now: () => NOW * 1000,
    extensions: {
      delegation: createDelegationCheck({ roots: toJwks(roots) }),
      ...(receipt === undefined ? {} : { receipt: () => receipt }),
    },
  });
}

describe('delegated signing keys', () => {
  it('accepts an envelope of a node key a trusted root delegated, carrying a small delegation', async () => {
    const { node, delegation } = nodeWith();
    const sealed = await createSigner({ issuer: ISSUER, key: node, accountSecret: SECRET, terms: TERMS, now: () => NOW * 1000 }).seal(
      sealInput(),
    );
    expect(delegation.length).toBeLessThan(256);
    expect(parseEnvelope(sealed.envelope).unprotected.get(DELEGATION_HEADER)).toEqual(delegation);
    const r = await verifierFor([root]).verify(sealed.envelope, { text: TEXT });
    expect(r).toMatchObject({ valid: true, key: { kid: node.kid } });
  });

  it('the honest signer refuses to sign outside its delegation', async () => {
    for (const claims of [{ notBefore: NOW - 7200, notAfter: NOW - 3600 }, { models: ['other'] }, { issuer: 'https://other.example' }]) {
      const { node } = nodeWith(claims);
      const signer = createSigner({ issuer: ISSUER, key: node, accountSecret: SECRET, terms: TERMS, now: () => NOW * 1000 });
      await expect(signer.seal(sealInput())).rejects.toMatchObject({ code: 'SIGNET_E_KEY_DELEGATION' });
    }
    // A delegation of another key attached to this one.
    const { node } = nodeWith();
    attachDelegation(node, nodeWith().delegation);
    const signer = createSigner({ issuer: ISSUER, key: node, accountSecret: SECRET, terms: TERMS, now: () => NOW * 1000 });
    await expect(signer.seal(sealInput())).rejects.toMatchObject({ code: 'SIGNET_E_KEY_DELEGATION' });
  });

  it('fails an envelope from an expired delegation with SIGNET_E_KEY_DELEGATION', async () => {
    const { node } = nodeWith({ notBefore: NOW - 7200, notAfter: NOW - 3600 });
    const sealed = await sealWith(node, NOW);
    const r = await verifierFor([root]).verify(sealed.envelope, { text: TEXT });
    expect(r).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_DELEGATION', step: 'validity' });
  });

  it('an expired root key certifies no node key, even for a delegation it signed while valid', async () => {
    const { node } = nodeWith();
    const sealed = await sealWith(node, NOW);
    // The root's published window ended an hour ago; the delegation runs an hour past now.
    const expiredRoot = { keys: [{ ...root.toPublicJwk(), exp: NOW - 3600 }] };
    const verifier = createVerifier({
      trust: toJwks([]),
      now: () => NOW * 1000,
      extensions: { delegation: createDelegationCheck({ roots: expiredRoot }) },
    });
    const r = await verifier.verify(sealed.envelope, { text: TEXT });
    expect(r).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_DELEGATION' });
    expect(r.valid ? '' : r.message).toMatch(/root key expired/);
  });

  it('a root key that is not valid yet certifies no node key', async () => {
    const { node } = nodeWith();
    const sealed = await sealWith(node, NOW);
    const futureRoot = { keys: [{ ...root.toPublicJwk(), nbf: NOW }] };
    const verifier = createVerifier({
      trust: toJwks([]),
      now: () => NOW * 1000,
      extensions: { delegation: createDelegationCheck({ roots: futureRoot }) },
    });
    const r = await verifier.verify(sealed.envelope, { text: TEXT });
    expect(r).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_DELEGATION' });
    // The same delegation under a root whose window covers it verifies.
    const covering = { keys: [{ ...root.toPublicJwk(), nbf: NOW - 3600, exp: NOW + 3600 }] };
    const ok = createVerifier({
      trust: toJwks([]),
      now: () => NOW * 1000,
      extensions: { delegation: createDelegationCheck({ roots: covering }) },
    });
    expect(await ok.verify(sealed.envelope, { text: TEXT })).toMatchObject({ valid: true });
  });

  it('fails an envelope issued before the delegation window', async () => {
    const { node } = nodeWith({ notBefore: NOW + 10, notAfter: NOW + 3600 });
    const r = await verifierFor([root]).verify((await sealWith(node, NOW)).envelope, { text: TEXT });
    expect(r).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_DELEGATION' });
  });

  it('uses the log time too: a backdated envelope committed after the window fails', async () => {
    const { node } = nodeWith({ notBefore: NOW - 7200, notAfter: NOW - 3600 });
    // The envelope claims a time inside the window, but the log saw it a day later.
    const sealed = await sealWith(node, NOW - 5000);
    const ok = await verifierFor([root]).verify(sealed.envelope, { text: TEXT });
    expect(ok.valid).toBe(true);
    const late = await verifierFor([root], { ok: true, time: NOW + 86_400 }).verify(sealed.envelope, { text: TEXT });
    expect(late).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_DELEGATION' });
  });

  it('fails out-of-scope models, terms and issuers', async () => {
    const { node } = nodeWith({ models: ['other-model'] });
    expect(await verifierFor([root]).verify((await sealWith(node)).envelope, { text: TEXT })).toMatchObject({
      valid: false,
      code: 'SIGNET_E_KEY_DELEGATION',
    });
    const t = nodeWith({ terms: ['other-terms'] });
    expect(await verifierFor([root]).verify((await sealWith(t.node)).envelope, { text: TEXT })).toMatchObject({
      valid: false,
      code: 'SIGNET_E_KEY_DELEGATION',
    });
    const i = nodeWith({ issuer: 'https://other.example' });
    expect(await verifierFor([root]).verify((await sealWith(i.node)).envelope, { text: TEXT })).toMatchObject({
      valid: false,
      code: 'SIGNET_E_KEY_DELEGATION',
    });
  });

  it('refuses a delegation signed by a wrong root', async () => {
    const { node } = nodeWith({}, generateSigningKey());
    const r = await verifierFor([root]).verify((await sealWith(node)).envelope, { text: TEXT });
    expect(r).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_DELEGATION', step: 'key' });
  });

  it('refuses a tampered delegation (widened window) and one for another key', async () => {
    const { node, delegation } = nodeWith();
    const cose = decodeCbor(delegation.subarray(1), { allowedTags: [] }) as unknown[];
    const payload = decodeCbor(cose[2] as Uint8Array) as Map<number, unknown>;
    payload.set(4, NOW + 10 * 86_400);
    payload.delete(5);
    const forged = encodeCbor([cose[0], cose[1], encodeCbor(payload), cose[3]]);
    const tampered = new Uint8Array(forged.length + 1);
    tampered[0] = 0xd2;
    tampered.set(forged, 1);
    attachDelegation(node, tampered);
    const r = await verifierFor([root]).verify((await sealWith(node)).envelope, { text: TEXT });
    expect(r).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_DELEGATION', step: 'key' });

    // A valid delegation of another node key does not make this key trusted.
    const other = nodeWith();
    attachDelegation(node, other.delegation);
    const r2 = await verifierFor([root]).verify((await sealWith(node)).envelope, { text: TEXT });
    expect(r2).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_DELEGATION' });
  });

  it('refuses garbage in the delegation header without crashing', async () => {
    for (const junk of [new Uint8Array(0), new Uint8Array([0xd2, 0x84]), new Uint8Array(5000)]) {
      const node = generateSigningKey();
      attachDelegation(node, junk);
      const r = await verifierFor([root]).verify((await sealWith(node)).envelope, { text: TEXT });
      expect(r).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_DELEGATION' });
    }
  });

  it('a carried delegation binds even a node key the verifier also trusts directly', async () => {
    const { node } = nodeWith({ notBefore: NOW - 7200, notAfter: NOW - 3600 });
    const sealed = await sealWith(node, NOW);
    const v = createVerifier({
      trust: toJwks([node]),
      now: () => NOW * 1000,
      extensions: { delegation: createDelegationCheck({ roots: toJwks([root]) }) },
    });
    expect(await v.verify(sealed.envelope, { text: TEXT })).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_DELEGATION' });
  });

  it('without a delegation check, a delegated envelope is simply an unknown key', async () => {
    const { node } = nodeWith();
    const r = await createVerifier({ trust: toJwks([root]), now: () => NOW * 1000 }).verify((await sealWith(node)).envelope, {
      text: TEXT,
    });
    expect(r).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_UNKNOWN' });
  });

  it('accepts a delegation supplied out of band (referenced, not carried)', async () => {
    const node = generateSigningKey();
    const delegation = signDelegation(root, { issuer: ISSUER, publicKey: node.publicKey, notBefore: NOW - 60, notAfter: NOW + 60 });
    const sealed = await sealWith(node);
    const v = createVerifier({
      trust: toJwks([]),
      now: () => NOW * 1000,
      extensions: { delegation: createDelegationCheck({ roots: toJwks([root]), delegations: [delegation] }) },
    });
    expect(await v.verify(sealed.envelope, { text: TEXT })).toMatchObject({ valid: true });
  });

  it('signDelegation refuses windows longer than 31 days', () => {
    expect(() => signDelegation(root, { issuer: ISSUER, publicKey: root.publicKey, notBefore: 0, notAfter: 40 * 86_400 })).toThrow(
      RangeError,
    );
  });
});
