import { generateSigningKey, NO_AI_TRAINING, toBase64url } from '@signet/core';
import { describe, expect, it } from 'vitest';
import { createSigner } from './signer.js';
import { describeUnverifiedEnvelope, unverifiedClaims } from './unverified-envelope.js';

const signer = createSigner({
  issuer: 'https://api.example.com',
  key: generateSigningKey(),
  accountSecret: new Uint8Array(32).fill(5),
  terms: { id: 't', version: '1', uri: 'https://example.com/t', document: 'd', usage: NO_AI_TRAINING },
});
const input = { account: 'acct', response: 'Looked at, not checked.', model: 'm' };
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('unverified envelope', () => {
  it('reads the same claims from the COSE and the JWS profile', async () => {
    const cose = await signer.seal(input);
    const jws = await signer.sealJws({ ...input, responseId: cose.claims.responseId });
    expect(unverifiedClaims({ kind: 'cose', bytes: cose.envelope }).responseId).toBe(cose.claims.responseId);
    expect(unverifiedClaims({ kind: 'jws', jws: jws.jws }).model).toBe('m');
  });

  it('describes an envelope as unverified, with its header and claims', async () => {
    const cose = await signer.seal(input);
    const out = describeUnverifiedEnvelope({ kind: 'cose', bytes: cose.envelope });
    expect(out).toMatchObject({ verified: false, format: 'cose', bytes: cose.envelope.length, header: { alg: -8 } });
    expect(Object.keys(out)).toEqual(['verified', 'note', 'format', 'bytes', 'header', 'unprotected', 'claims', 'signature']);
    const jws = await signer.sealJws(input);
    expect(describeUnverifiedEnvelope({ kind: 'jws', jws: jws.jws })).toMatchObject({ verified: false, format: 'jws' });
  });

  it('refuses a JWS that is not base64url JSON, and one whose payload is not claims', () => {
    const bad = `e30.${toBase64url(utf8('not json'))}.c2ln`;
    for (const read of [unverifiedClaims, describeUnverifiedEnvelope])
      expect(() => read({ kind: 'jws', jws: bad })).toThrow(expect.objectContaining({ code: 'SIGNET_E_PARSE_MALFORMED' }));
  });
});
