import { describe, expect, it } from 'vitest';
import { nodeBackend } from '../backend/node.js';
import { toHex, utf8 } from '../primitives/bytes.js';
import { decodeCbor } from './cbor-decode.js';
import type { EnvelopeClaims } from './claims.js';
import { digestContent, digestRequest } from './content.js';
import { ALG_EDDSA, decodeCoseSign1, sigStructure } from './cose.js';
import {
  envelopeFromText,
  envelopeToText,
  kidToBytes,
  MAX_ENVELOPE_BYTES,
  parseEnvelope,
  prepareEnvelope,
  signEnvelope,
} from './envelope.js';
import { isSignetError } from '../primitives/errors.js';
import { ed25519Verify } from '../primitives/ed25519.js';
import { SigningKey } from '../keys/signing-key.js';
import { NO_AI_TRAINING } from './terms.js';

const key = new SigningKey(nodeBackend.sha256(utf8('envelope unit key')), {}, nodeBackend);
const text = 'Sealed text.\n\nWith two paragraphs.';

function claims(overrides: Partial<EnvelopeClaims> = {}): EnvelopeClaims {
  return {
    issuer: 'https://api.example.com',
    responseId: 'chatcmpl-unit',
    issuedAt: 1_767_225_600,
    model: 'model-x',
    account: { mode: 'linkable', tag: new Uint8Array(16).fill(7) },
    terms: { id: 'terms', version: '1', digest: new Uint8Array(32).fill(9), uri: 'https://example.com/t', usage: NO_AI_TRAINING },
    requestDigest: digestRequest(nodeBackend, { q: 1 }),
    content: [
      digestContent(nodeBackend, text),
      digestContent(nodeBackend, 'second', { tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] }),
    ],
    ...overrides,
  };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isSignetError(e) ? e.code : `untyped ${(e as Error).name}`;
  }
}

describe('envelope', () => {
  it('signs and parses back to the same claims, with the signature over the Sig_structure', () => {
    const c = claims({ partial: true, account: { mode: 'commitment', tag: new Uint8Array(32).fill(3), sealedId: 'jwe...' } });
    const bytes = signEnvelope(c, key);
    expect(bytes[0]).toBe(0xd2);
    const parsed = parseEnvelope(bytes);
    expect(parsed.claims).toEqual(c);
    expect(parsed.kid).toBe(key.kid);
    expect(parsed.alg).toBe(ALG_EDDSA);
    expect(toHex(parsed.toBeSigned)).toBe(toHex(sigStructure(parsed.protectedBytes, parsed.payload)));
    expect(ed25519Verify(nodeBackend, key.publicKey, parsed.signature, parsed.toBeSigned)).toBe(true);
  });

  it('is deterministic: same claims, same key, same bytes', () => {
    expect(toHex(signEnvelope(claims(), key))).toBe(toHex(signEnvelope(claims(), key)));
  });

  it('puts alg, kid (32 raw bytes), CWT claims and typ in the protected header, in deterministic order', () => {
    const unsigned = prepareEnvelope(key.kid, claims());
    const header = decodeCbor(unsigned.protectedBytes) as Map<number, unknown>;
    expect([...header.keys()]).toEqual([1, 4, 15, 16]);
    expect(header.get(1)).toBe(-8);
    expect(toHex(header.get(4) as Uint8Array)).toBe(toHex(kidToBytes(key.kid)));
    expect(header.get(15)).toEqual(
      new Map<number, unknown>([
        [1, 'https://api.example.com'],
        [2, 'chatcmpl-unit'],
        [6, 1_767_225_600],
      ]),
    );
    expect(header.get(16)).toBe('application/signet+cose');
    const cose = decodeCoseSign1(signEnvelope(claims(), key));
    expect(cose.unprotected.size).toBe(0);
  });

  it('a typical single-choice envelope is under 512 bytes', () => {
    const bytes = signEnvelope(claims({ content: [digestContent(nodeBackend, 'x'.repeat(2048))] }), key);
    expect(bytes.length).toBeLessThan(512);
  });

  it('text form is strict base64url', () => {
    const bytes = signEnvelope(claims(), key);
    expect(toHex(envelopeFromText(envelopeToText(bytes)))).toBe(toHex(bytes));
    expect(toHex(envelopeFromText(` ${envelopeToText(bytes)}\n`))).toBe(toHex(bytes));
    expect(codeOf(() => envelopeFromText(`${envelopeToText(bytes)}=`))).toBe('SIGNET_E_PARSE_MALFORMED');
    expect(codeOf(() => envelopeFromText(`+${envelopeToText(bytes).slice(1)}`))).toBe('SIGNET_E_PARSE_MALFORMED');
    expect(codeOf(() => envelopeFromText('%%%'))).toBe('SIGNET_E_PARSE_MALFORMED');
    expect(codeOf(() => envelopeFromText('A'.repeat(30000)))).toBe('SIGNET_E_PARSE_TOO_LARGE');
  });

  it('refuses oversized input before decoding it', () => {
    expect(codeOf(() => parseEnvelope(new Uint8Array(MAX_ENVELOPE_BYTES + 1)))).toBe('SIGNET_E_PARSE_TOO_LARGE');
  });

  it('API misuse throws TypeError or RangeError, not a verification error', () => {
    expect(() => prepareEnvelope('not-a-thumbprint', claims())).toThrow(TypeError);
    expect(() => prepareEnvelope(key.kid, claims({ issuer: '' }))).toThrow(TypeError);
    expect(() => prepareEnvelope(key.kid, claims({ content: [] }))).toThrow(RangeError);
    expect(() => prepareEnvelope(key.kid, claims({ issuedAt: -1 }))).toThrow(RangeError);
    expect(() => prepareEnvelope(key.kid, claims({ model: 'm'.repeat(1025) }))).toThrow(RangeError);
    expect(() => parseEnvelope('abc' as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('a failing signer gives SIGNET_E_SIG_FAILED', () => {
    const broken = {
      kid: key.kid,
      sign: (): Uint8Array => {
        throw new Error('hsm offline');
      },
    };
    expect(codeOf(() => signEnvelope(claims(), broken))).toBe('SIGNET_E_SIG_FAILED');
  });
});
