import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  claimsToPayload,
  concatBytes,
  decodeCoseSign1,
  encodeCbor,
  ERROR_CODES,
  fromHex,
  isSignetError,
  kidToBytes,
  MAX_ENVELOPE_BYTES,
  toBase64url,
  toHex,
  toJwks,
  type SignetErrorCode,
} from '@signet/core';
import { createVerifier, type VerificationResult } from '@signet/verify';
import { forgeEnvelope, ISSUED_AT, REQUEST, sampleClaims, TEXT, testKey } from '../support/forge.js';

// Hostile input: every case must give a typed result with the expected stable code and step, and
// nothing may throw. Envelopes are signed with the trusted key unless the case is about keys, so a
// case passes only if the verifier finds the actual problem, not a broken signature.

const key = testKey('main', { notBefore: ISSUED_AT - 3600, notAfter: ISSUED_AT + 3600 });
const now = (): number => (ISSUED_AT + 60) * 1000;
const verifier = createVerifier({ trust: toJwks([key]), now });
const input = { text: TEXT, request: REQUEST };
const payloadBytes = encodeCbor(claimsToPayload(sampleClaims()));

/** The honest payload bytes with the first occurrence of `from` (hex) replaced by `to` (hex). */
function patchPayload(from: string, to: string): Uint8Array {
  const h = toHex(payloadBytes);
  expect(h.includes(from)).toBe(true);
  return fromHex(h.replace(from, to));
}

function nested(depth: number): Uint8Array {
  const out = new Uint8Array(depth + 1).fill(0x81);
  out[depth] = 0x00;
  return out;
}

type Case = [name: string, envelope: () => Uint8Array | string, code: SignetErrorCode, step: string];

const cases: Case[] = [
  // Size, truncation, structure.
  ['empty input', () => new Uint8Array(0), 'SIGNET_E_PARSE_MALFORMED', 'parse'],
  ['truncated envelope', () => forgeEnvelope({ key }).subarray(0, 100), 'SIGNET_E_PARSE_MALFORMED', 'parse'],
  [
    'truncated by one byte',
    () => {
      const e = forgeEnvelope({ key });
      return e.subarray(0, e.length - 1);
    },
    'SIGNET_E_PARSE_MALFORMED',
    'parse',
  ],
  ['trailing bytes', () => concatBytes(forgeEnvelope({ key }), Uint8Array.of(0)), 'SIGNET_E_PARSE_MALFORMED', 'parse'],
  [
    'oversized envelope (cap)',
    () => concatBytes(Uint8Array.of(0xd2, 0x84, 0x5a, 0, 1, 0, 0), new Uint8Array(MAX_ENVELOPE_BYTES)),
    'SIGNET_E_PARSE_TOO_LARGE',
    'parse',
  ],
  ['oversized envelope text', () => 'A'.repeat(MAX_ENVELOPE_BYTES * 2), 'SIGNET_E_PARSE_TOO_LARGE', 'parse'],
  [
    'oversized payload inside a signed envelope',
    () => forgeEnvelope({ key, payloadBytes: encodeCbor(new Uint8Array(MAX_ENVELOPE_BYTES)) }),
    'SIGNET_E_PARSE_TOO_LARGE',
    'parse',
  ],
  ['deeply nested CBOR', () => concatBytes(Uint8Array.of(0xd2), nested(5000)), 'SIGNET_E_PARSE_TOO_DEEP', 'parse'],
  ['deeply nested payload, correctly signed', () => forgeEnvelope({ key, payloadBytes: nested(100) }), 'SIGNET_E_PARSE_TOO_DEEP', 'parse'],
  [
    'deeply nested protected header, correctly signed',
    () => forgeEnvelope({ key, protectedBytes: concatBytes(Uint8Array.of(0xa1, 0x01), nested(100)) }),
    'SIGNET_E_PARSE_TOO_DEEP',
    'parse',
  ],
  ['a map instead of COSE_Sign1', () => encodeCbor(new Map([[1, 2]])), 'SIGNET_E_PARSE_MALFORMED', 'parse'],
  ['an integer', () => Uint8Array.of(0x01), 'SIGNET_E_PARSE_MALFORMED', 'parse'],
  ['an array of three', () => fromHex('d283404040'), 'SIGNET_E_PARSE_MALFORMED', 'parse'],
  ['COSE_Sign1 with a text protected header', () => fromHex('d2846178a04040'), 'SIGNET_E_PARSE_WRONG_TYPE', 'parse'],
  ['COSE_Sign1 with an integer signature', () => fromHex('d28440a04001'), 'SIGNET_E_PARSE_WRONG_TYPE', 'parse'],
  ['detached (null) payload', () => fromHex('d28440a0f640'), 'SIGNET_E_PARSE_WRONG_TYPE', 'parse'],
  [
    'wrong CBOR tag (COSE_Sign 98)',
    () => {
      const e = forgeEnvelope({ key });
      return concatBytes(fromHex('d862'), e.subarray(1));
    },
    'SIGNET_E_PARSE_MALFORMED',
    'parse',
  ],
  ['nested tag 18', () => concatBytes(Uint8Array.of(0xd2), forgeEnvelope({ key })), 'SIGNET_E_PARSE_MALFORMED', 'parse'],
  // Wrongly typed or shaped payloads, each correctly signed.
  ['payload that is an array', () => forgeEnvelope({ key, payloadBytes: encodeCbor([1, 2]) }), 'SIGNET_E_PARSE_WRONG_TYPE', 'parse'],
  ['model that is an integer', () => forgeEnvelope({ key, payload: (p) => p.set(2, 42) }), 'SIGNET_E_PARSE_WRONG_TYPE', 'parse'],
  [
    'account tag of 15 bytes',
    () => forgeEnvelope({ key, payload: (p) => p.set(3, new Map([[2, new Uint8Array(15)]])) }),
    'SIGNET_E_PARSE_WRONG_TYPE',
    'parse',
  ],
  ['content that is a map', () => forgeEnvelope({ key, payload: (p) => p.set(6, new Map()) }), 'SIGNET_E_PARSE_WRONG_TYPE', 'parse'],
  ['no choices', () => forgeEnvelope({ key, payload: (p) => p.set(6, []) }), 'SIGNET_E_PARSE_WRONG_TYPE', 'parse'],
  [
    'a digest of 31 bytes',
    () => forgeEnvelope({ key, payload: (p) => p.set(5, new Uint8Array(31)) }),
    'SIGNET_E_PARSE_WRONG_TYPE',
    'parse',
  ],
  [
    'a negative chunk count',
    () =>
      forgeEnvelope({
        key,
        payload: (p) => {
          const c = (p.get(6) as Map<number, unknown>[])[0]!;
          c.set(4, -1);
        },
      }),
    'SIGNET_E_PARSE_WRONG_TYPE',
    'parse',
  ],
  ['partial = false', () => forgeEnvelope({ key, payload: (p) => p.set(7, false) }), 'SIGNET_E_PARSE_WRONG_TYPE', 'parse'],
  ['a missing model', () => forgeEnvelope({ key, payload: (p) => p.delete(2) }), 'SIGNET_E_PARSE_MISSING_FIELD', 'parse'],
  ['an unknown payload field', () => forgeEnvelope({ key, payload: (p) => p.set(99, 'x') }), 'SIGNET_E_PARSE_UNKNOWN_FIELD', 'parse'],
  ['format version 2', () => forgeEnvelope({ key, payload: (p) => p.set(1, 2) }), 'SIGNET_E_PARSE_UNSUPPORTED_VERSION', 'parse'],
  [
    'a standard usage entry written as text',
    () => forgeEnvelope({ key, payload: (p) => (p.get(4) as Map<number, unknown>).set(5, new Map([['cawg.ai_training', 1]])) }),
    'SIGNET_E_PARSE_NOT_CANONICAL',
    'parse',
  ],
  [
    'a usage entry both as code and as text, with different values',
    () =>
      forgeEnvelope({
        key,
        payload: (p) =>
          (p.get(4) as Map<number, unknown>).set(
            5,
            new Map<number | string, number>([
              [4, 0],
              ['cawg.ai_training', 1],
            ]),
          ),
      }),
    'SIGNET_E_PARSE_NOT_CANONICAL',
    'parse',
  ],
  [
    'a usage entry named __proto__',
    () => forgeEnvelope({ key, payload: (p) => (p.get(4) as Map<number, unknown>).set(5, new Map([['__proto__', 1]])) }),
    'SIGNET_E_PARSE_WRONG_TYPE',
    'parse',
  ],
  [
    'an unknown usage code',
    () => forgeEnvelope({ key, payload: (p) => (p.get(4) as Map<number, unknown>).set(5, new Map([[99, 1]])) }),
    'SIGNET_E_PARSE_WRONG_TYPE',
    'parse',
  ],
  // Encodings Signet never produces, correctly signed.
  [
    'duplicate map keys',
    () => forgeEnvelope({ key, payloadBytes: patchPayload('0101', '01010101').map((b, i) => (i === 0 ? b + 1 : b)) }),
    'SIGNET_E_PARSE_MALFORMED',
    'parse',
  ],
  [
    'non-shortest integer',
    () => forgeEnvelope({ key, payloadBytes: patchPayload('0101', '011801') }),
    'SIGNET_E_PARSE_NOT_CANONICAL',
    'parse',
  ],
  [
    'indefinite-length map',
    () => forgeEnvelope({ key, payloadBytes: concatBytes(Uint8Array.of(0xbf), payloadBytes.subarray(1), Uint8Array.of(0xff)) }),
    'SIGNET_E_PARSE_NOT_CANONICAL',
    'parse',
  ],
  [
    'indefinite-length text',
    () => forgeEnvelope({ key, payloadBytes: patchPayload('0101', '01' + '7f6178ff') }),
    'SIGNET_E_PARSE_NOT_CANONICAL',
    'parse',
  ],
  ['a float version', () => forgeEnvelope({ key, payloadBytes: patchPayload('0101', '01f93c00') }), 'SIGNET_E_PARSE_MALFORMED', 'parse'],
  ['undefined', () => forgeEnvelope({ key, payloadBytes: patchPayload('0101', '01f7') }), 'SIGNET_E_PARSE_MALFORMED', 'parse'],
  [
    'unsorted protected header keys',
    () => forgeEnvelope({ key, protectedBytes: fromHex('a210200127') }),
    'SIGNET_E_PARSE_NOT_CANONICAL',
    'parse',
  ],
  [
    'invalid UTF-8 in the model',
    () => forgeEnvelope({ key, payloadBytes: patchPayload(toHex(encodeCbor('gpt-test')), '68ff70742d74657374') }),
    'SIGNET_E_PARSE_MALFORMED',
    'parse',
  ],
  // Headers.
  ['algorithm ES256 (-7)', () => forgeEnvelope({ key, header: (h) => h.set(1, -7) }), 'SIGNET_E_HEADER_ALG', 'key'],
  ['algorithm Ed448 (-53)', () => forgeEnvelope({ key, header: (h) => h.set(1, -53) }), 'SIGNET_E_HEADER_ALG', 'key'],
  ['algorithm as text', () => forgeEnvelope({ key, header: (h) => h.set(1, 'EdDSA') }), 'SIGNET_E_PARSE_MISSING_FIELD', 'parse'],
  ['no algorithm', () => forgeEnvelope({ key, header: (h) => h.delete(1) }), 'SIGNET_E_PARSE_MISSING_FIELD', 'parse'],
  [
    'algorithm only in the unprotected header',
    () => forgeEnvelope({ key, header: (h) => h.delete(1), unprotected: new Map([[1, -8]]) }),
    'SIGNET_E_PARSE_MISSING_FIELD',
    'parse',
  ],
  [
    'an unknown critical header',
    () =>
      forgeEnvelope({
        key,
        header: (h) => {
          h.set(2, [99]);
          h.set(99, 1);
        },
      }),
    'SIGNET_E_HEADER_CRIT',
    'parse',
  ],
  ['an unknown critical text header', () => forgeEnvelope({ key, header: (h) => h.set(2, ['x-policy']) }), 'SIGNET_E_HEADER_CRIT', 'parse'],
  ['crit listing crit itself', () => forgeEnvelope({ key, header: (h) => h.set(2, [2]) }), 'SIGNET_E_HEADER_CRIT', 'parse'],
  ['an empty crit array', () => forgeEnvelope({ key, header: (h) => h.set(2, []) }), 'SIGNET_E_PARSE_MALFORMED', 'parse'],
  ['crit that is not an array', () => forgeEnvelope({ key, header: (h) => h.set(2, 1) }), 'SIGNET_E_PARSE_MALFORMED', 'parse'],
  ['wrong typ', () => forgeEnvelope({ key, header: (h) => h.set(16, 'application/cose') }), 'SIGNET_E_HEADER_TYPE', 'parse'],
  ['typ as a CoAP content format number', () => forgeEnvelope({ key, header: (h) => h.set(16, 18) }), 'SIGNET_E_HEADER_TYPE', 'parse'],
  ['no typ', () => forgeEnvelope({ key, header: (h) => h.delete(16) }), 'SIGNET_E_HEADER_TYPE', 'parse'],
  ['no kid', () => forgeEnvelope({ key, header: (h) => h.delete(4) }), 'SIGNET_E_PARSE_MISSING_FIELD', 'parse'],
  [
    'kid only in the unprotected header',
    () => forgeEnvelope({ key, header: (h) => h.delete(4), unprotected: new Map([[4, new Uint8Array(32)]]) }),
    'SIGNET_E_PARSE_MISSING_FIELD',
    'parse',
  ],
  ['a text kid', () => forgeEnvelope({ key, header: (h) => h.set(4, key.kid) }), 'SIGNET_E_PARSE_MISSING_FIELD', 'parse'],
  ['a 16-byte kid', () => forgeEnvelope({ key, header: (h) => h.set(4, new Uint8Array(16)) }), 'SIGNET_E_PARSE_WRONG_TYPE', 'parse'],
  ['no CWT claims', () => forgeEnvelope({ key, header: (h) => h.delete(15) }), 'SIGNET_E_PARSE_MISSING_FIELD', 'parse'],
  [
    'an empty issuer',
    () => forgeEnvelope({ key, header: (h) => (h.get(15) as Map<number, unknown>).set(1, '') }),
    'SIGNET_E_PARSE_MISSING_FIELD',
    'parse',
  ],
  [
    'a negative issued-at',
    () => forgeEnvelope({ key, header: (h) => (h.get(15) as Map<number, unknown>).set(6, -1) }),
    'SIGNET_E_PARSE_MISSING_FIELD',
    'parse',
  ],
  [
    'a protected header that is an array',
    () => forgeEnvelope({ key, protectedBytes: encodeCbor([1, -8]) }),
    'SIGNET_E_PARSE_WRONG_TYPE',
    'parse',
  ],
  // Keys and signatures.
  ['an unknown kid', () => forgeEnvelope({ key: testKey('stranger') }), 'SIGNET_E_KEY_UNKNOWN', 'key'],
  [
    'a kid naming the trusted key, signed by another',
    () => forgeEnvelope({ key: testKey('stranger'), header: (h) => h.set(4, kidToBytes(key.kid)) }),
    'SIGNET_E_SIG_INVALID',
    'signature',
  ],
  [
    'a 63-byte signature',
    () => {
      const e = forgeEnvelope({ key });
      return concatBytes(e.subarray(0, e.length - 66), fromHex('583f'), e.subarray(e.length - 63));
    },
    'SIGNET_E_SIG_INVALID',
    'signature',
  ],
  [
    'an all-zero signature',
    () => {
      const e = Uint8Array.from(forgeEnvelope({ key }));
      e.fill(0, e.length - 64);
      return e;
    },
    'SIGNET_E_SIG_INVALID',
    'signature',
  ],
  [
    'a signature over other claims',
    () => {
      const a = forgeEnvelope({ key });
      const b = forgeEnvelope({ key, claims: sampleClaims({ model: 'gpt-other' }) });
      return concatBytes(b.subarray(0, b.length - 64), a.subarray(a.length - 64));
    },
    'SIGNET_E_SIG_INVALID',
    'signature',
  ],
  [
    'issued before the key is valid (nbf)',
    () => forgeEnvelope({ key, claims: sampleClaims({ issuedAt: ISSUED_AT - 3601 }) }),
    'SIGNET_E_KEY_NOT_YET_VALID',
    'validity',
  ],
  [
    'issued after the key expired (exp)',
    () => forgeEnvelope({ key, claims: sampleClaims({ issuedAt: ISSUED_AT + 3601 }) }),
    'SIGNET_E_KEY_EXPIRED',
    'validity',
  ],
  [
    'issued in the future',
    () => forgeEnvelope({ key, claims: sampleClaims({ issuedAt: ISSUED_AT + 1000 }) }),
    'SIGNET_E_TIME_FUTURE',
    'validity',
  ],
];

async function run(envelope: Uint8Array | string, v = verifier): Promise<VerificationResult> {
  let result: VerificationResult | undefined;
  let thrown: unknown;
  try {
    result = await v.verify(envelope, input);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeUndefined();
  return result!;
}

describe('hostile envelopes give typed results and never crash', () => {
  it('the honest envelope these cases start from is valid', async () => {
    expect(await run(forgeEnvelope({ key }))).toMatchObject({ valid: true });
    expect(await run(forgeEnvelope({ key, header: (h) => h.set(2, [16]) }))).toMatchObject({ valid: true });
  });

  for (const [name, make, code, step] of cases) {
    it(`${name} -> ${code} at ${step}`, async () => {
      const r = await run(make());
      expect(r).toMatchObject({ valid: false, code, step, kind: 'verification' });
      expect(code in ERROR_CODES).toBe(true);
    });
  }

  it('tag 18 inside the message (here in the unsigned header) is refused: it may only wrap the whole envelope', async () => {
    const honest = forgeEnvelope({ key });
    const prot = decodeCoseSign1(honest).protectedBytes;
    const at = 2 + (prot.length < 24 ? 1 : prot.length < 256 ? 2 : 3) + prot.length;
    expect(honest[at]).toBe(0xa0);
    // {394: 18([])} in place of the empty unprotected map; the signature does not cover it.
    const smuggled = concatBytes(honest.subarray(0, at), fromHex('a119018ad280'), honest.subarray(at + 1));
    expect(await run(smuggled)).toMatchObject({ valid: false, code: 'SIGNET_E_PARSE_MALFORMED', step: 'parse' });
    // The same map without the tag is a well-formed (if meaningless) unsigned header.
    const plain = concatBytes(honest.subarray(0, at), fromHex('a119018a80'), honest.subarray(at + 1));
    expect(await run(plain)).toMatchObject({ valid: true });
  });

  it('messages stay short and never echo large attacker-chosen values', async () => {
    const big = 'x'.repeat(8000);
    for (const env of [
      forgeEnvelope({ key, header: (h) => h.set(16, big) }),
      forgeEnvelope({ key, header: (h) => h.set(16, new Uint8Array(8000)) }),
      forgeEnvelope({ key, header: (h) => h.set(2, [big]) }),
      forgeEnvelope({ key, header: (h) => h.set(2, [new Array(500).fill(1)]) }),
    ]) {
      const r = await run(env);
      expect(r.valid).toBe(false);
      if (!r.valid) {
        expect(['SIGNET_E_HEADER_TYPE', 'SIGNET_E_HEADER_CRIT']).toContain(r.code);
        expect(r.message.length).toBeLessThan(300);
      }
    }
  });

  it('an expired key: envelope issued after the key window closed', async () => {
    const expired = testKey('expired', { notBefore: ISSUED_AT - 86400 * 30, notAfter: ISSUED_AT - 86400 });
    const v = createVerifier({ trust: toJwks([expired]), now });
    const r = await run(forgeEnvelope({ key: expired }), v);
    expect(r).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_EXPIRED', step: 'validity' });
    // The same key still verifies what it sealed inside its window: rotation keeps old envelopes valid.
    const old = forgeEnvelope({ key: expired, claims: sampleClaims({ issuedAt: ISSUED_AT - 86400 * 2 }) });
    expect(await run(old, v)).toMatchObject({ valid: true });
  });
});

describe('hostile trust configuration is refused at once with a typed error', () => {
  const jwk = key.toPublicJwk();
  const configs: [string, unknown, SignetErrorCode][] = [
    [
      'a small-order key in the JWKS',
      {
        keys: [
          jwk,
          { kty: 'OKP', crv: 'Ed25519', x: toBase64url(fromHex('0000000000000000000000000000000000000000000000000000000000000000')) },
        ],
      },
      'SIGNET_E_KEY_WEAK',
    ],
    [
      'a non-canonical key in the JWKS',
      {
        keys: [{ kty: 'OKP', crv: 'Ed25519', x: toBase64url(fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')) }],
      },
      'SIGNET_E_KEY_WEAK',
    ],
    ['a private key in the JWKS', { keys: [key.toPrivateJwk()] }, 'SIGNET_E_KEY_INVALID'],
    ['a kid that is not the thumbprint', { keys: [{ ...jwk, kid: 'key-2026' }] }, 'SIGNET_E_KEY_INVALID'],
    ['a kid of another key', { keys: [{ ...jwk, kid: testKey('stranger').kid }] }, 'SIGNET_E_KEY_INVALID'],
    ['a JWKS that is not JSON', '{"keys": [', 'SIGNET_E_KEY_INVALID'],
  ];
  for (const [name, trust, code] of configs) {
    it(`${name} -> ${code}`, () => {
      let error: unknown;
      try {
        createVerifier({ trust: trust as string, now });
      } catch (e) {
        error = e;
      }
      expect(isSignetError(error) ? error.code : error).toBe(code);
    });
  }
});

describe('fuzz: the verifier never throws and always fails with a stable code', () => {
  const assertFails = (r: VerificationResult): void => {
    expect(r.valid).toBe(false);
    if (!r.valid) {
      expect(r.code in ERROR_CODES).toBe(true);
      expect(['parse', 'key', 'signature', 'validity', 'receipt', 'content', 'policy']).toContain(r.step);
    }
  };

  it('random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => assertFails(await run(bytes))),
      { numRuns: 1000 },
    );
  });

  it('random bytes behind a COSE_Sign1 prefix', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => assertFails(await run(concatBytes(fromHex('d284'), bytes)))),
      { numRuns: 500 },
    );
  });

  it('random CBOR values in place of each part of an honest COSE_Sign1', async () => {
    const honest = decodeCoseSign1(forgeEnvelope({ key }));
    const value = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.string({ maxLength: 10 }),
        fc.uint8Array({ maxLength: 80 }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.array(fc.tuple(fc.integer({ min: -5, max: 20 }), tie('v')), { maxLength: 4 }).map((e) => new Map(e)),
      ),
    })).v;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 }), value, async (slot, v) => {
        const parts: unknown[] = [honest.protectedBytes, honest.unprotected, honest.payload, honest.signature];
        parts[slot] = v;
        const r = await run(concatBytes(Uint8Array.of(0xd2), encodeCbor(parts)));
        // Only the unsigned (unprotected) header may change without breaking the seal, and only to another map.
        if (r.valid) expect(slot === 1 && v instanceof Map).toBe(true);
        else assertFails(r);
      }),
      { numRuns: 500 },
    );
  });

  it('random strings as text envelopes and as JWS', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.base64String({ maxLength: 300 }),
          fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((p) => p.join('.')),
        ),
        async (s) => {
          assertFails(await run(s));
          assertFails(await verifier.verifyJws(s, input));
        },
      ),
      { numRuns: 500 },
    );
  });
});
