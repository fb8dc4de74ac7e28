import { describe, expect, it } from 'vitest';
import { nodeBackend } from '../backend/node.js';
import { SigningKey } from '../keys/signing-key.js';
import { utf8 } from '../primitives/bytes.js';
import { isSignetError } from '../primitives/errors.js';
import type { EnvelopeClaims } from './claims.js';
import { digestContent, digestRequest } from './content.js';
import { assembleJws, jwsSigningInput, parseJws } from './jws.js';
import { JWS_TYPE } from './json-claims.js';
import { NO_AI_TRAINING } from './terms.js';

const key = new SigningKey(nodeBackend.sha256(utf8('jws unit key')), {}, nodeBackend);
const claims: EnvelopeClaims = {
  issuer: 'https://api.example.com',
  responseId: 'chatcmpl-jws',
  issuedAt: 1_767_225_600,
  model: 'model-x',
  account: { mode: 'linkable', tag: new Uint8Array(16).fill(7) },
  terms: { id: 'terms', version: '1', digest: new Uint8Array(32).fill(9), uri: 'https://example.com/t', usage: NO_AI_TRAINING },
  requestDigest: digestRequest(nodeBackend, { q: 1 }),
  content: [digestContent(nodeBackend, 'Sealed text.')],
};

describe('the JWS codec signer and verifier share', () => {
  it('parses back what it builds: kid, claims, signature and the signed bytes', () => {
    const input = jwsSigningInput(key.kid, claims);
    const signature = key.sign(utf8(input));
    const jws = assembleJws(input, signature);
    const parsed = parseJws(jws);
    expect(parsed.kid).toBe(key.kid);
    expect(parsed.signature).toEqual(signature);
    expect(parsed.signingInput).toEqual(utf8(input));
    expect(parsed.claims).toEqual(claims);
    const header = JSON.parse(Buffer.from(input.split('.')[0] as string, 'base64url').toString('utf8')) as unknown;
    expect(header).toEqual({ alg: 'EdDSA', kid: key.kid, typ: JWS_TYPE });
  });

  it('refuses a signature that is not 64 bytes, and the parser refuses a JWS without one', () => {
    const input = jwsSigningInput('k', claims);
    expect(() => assembleJws(input, new Uint8Array(63))).toThrow(TypeError);
    try {
      parseJws(`${input}`);
      expect.unreachable();
    } catch (e) {
      expect(isSignetError(e, 'SIGNET_E_PARSE_MALFORMED')).toBe(true);
    }
  });
});
