import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeBackend } from '../backend/node.js';
import { toHex, utf8 } from '../primitives/bytes.js';
import { isSignetError } from '../primitives/errors.js';
import { SigningKey } from '../keys/signing-key.js';
import { encodeCbor } from './cbor.js';
import type { EnvelopeClaims } from './claims.js';
import { decodeCoseSign1 } from './cose.js';
import { parseEnvelope, parseEnvelopeGeneral, signEnvelope, type ParsedEnvelope } from './envelope.js';
import { readCanonicalEnvelope } from './envelope-fastpath.js';
import { CAWG_ENTRIES, USAGE_VALUES, type UsageValue } from './terms.js';

// The single-pass reader must never decide anything the general parser would decide otherwise: on
// every input, parseEnvelope (reader first) and the general parser give the same envelope or the
// same error code, and whatever the reader accepts, the general parser accepts identically.

const key = new SigningKey(nodeBackend.sha256(utf8('fast path unit key')), {}, nodeBackend);

type Outcome = { ok: ParsedEnvelope } | { code: string };

function outcome(parse: () => ParsedEnvelope): Outcome {
  try {
    return { ok: parse() };
  } catch (e) {
    return { code: isSignetError(e) ? e.code : `untyped ${(e as Error).name}` };
  }
}

function plain(p: ParsedEnvelope): unknown {
  return {
    kid: p.kid,
    alg: p.alg,
    claims: p.claims,
    signature: toHex(p.signature),
    toBeSigned: toHex(p.toBeSigned),
    protectedBytes: toHex(p.protectedBytes),
    payload: toHex(p.payload),
    unprotected: p.unprotected,
    bytes: toHex(p.bytes),
  };
}

function agree(bytes: Uint8Array): void {
  const general = outcome(() => parseEnvelopeGeneral(bytes));
  const combined = outcome(() => parseEnvelope(bytes));
  if ('code' in general) expect(combined).toEqual(general);
  else {
    expect('ok' in combined).toBe(true);
    const ok = (combined as { ok: ParsedEnvelope }).ok;
    expect(plain(ok)).toEqual(plain(general.ok));
    // Claims must be the same objects member for member, in the same order (they are serialized).
    expect(JSON.stringify(ok.claims, (_, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v))).toBe(
      JSON.stringify(general.ok.claims, (_, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v)),
    );
  }
  const fast = readCanonicalEnvelope(bytes);
  if (fast !== undefined) {
    expect('ok' in general).toBe(true);
    expect(plain(fast)).toEqual(plain((general as { ok: ParsedEnvelope }).ok));
  }
}

const digest = fc.uint8Array({ minLength: 32, maxLength: 32 });
// Text near the general parser's bounds (1024 UTF-16 units), non-ASCII and empty text included.
const text = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('', 'x'.repeat(1024), 'x'.repeat(1025), 'é'.repeat(1024), '\ufeffbom', 'a'.repeat(65)),
);
const seconds = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 32 + 5 }),
  fc.constantFrom(0, 23, 24, 255, 256, 65535, 65536, Number.MAX_SAFE_INTEGER),
);
const usage = fc.dictionary(
  fc.oneof(fc.constantFrom(...CAWG_ENTRIES), fc.stringMatching(/^[a-z0-9_.-]{1,12}$/)),
  fc.constantFrom(...USAGE_VALUES) as fc.Arbitrary<UsageValue>,
  { maxKeys: 6 },
);
const choice = fc.record(
  { exact: digest, normalized: digest, chunkRoot: digest, chunkCount: seconds, structured: digest },
  { requiredKeys: ['exact', 'normalized', 'chunkRoot', 'chunkCount'] },
);
const claims: fc.Arbitrary<EnvelopeClaims> = fc.record(
  {
    issuer: text,
    responseId: text,
    issuedAt: seconds,
    expiresAt: seconds,
    notBefore: seconds,
    model: text,
    account: fc.oneof(
      fc.record({ mode: fc.constant('linkable' as const), tag: fc.uint8Array({ minLength: 16, maxLength: 16 }) }),
      fc.record({ mode: fc.constant('commitment' as const), tag: digest, sealedId: text }, { requiredKeys: ['mode', 'tag'] }),
    ),
    terms: fc.record({ id: text, version: text, digest, uri: text, usage }),
    requestDigest: digest,
    content: fc.array(choice, { minLength: 1, maxLength: 4 }),
    partial: fc.constant(true as const),
    body: fc.record({ media: fc.constantFrom('json' as const, 'sse' as const), digest }),
  },
  { requiredKeys: ['issuer', 'responseId', 'issuedAt', 'model', 'account', 'terms', 'content'] },
);

function sealOrUndefined(c: EnvelopeClaims): Uint8Array | undefined {
  try {
    return signEnvelope(c, key);
  } catch {
    // Claims a signer refuses (empty or overlong text) make no envelope to read.
    return undefined;
  }
}

// Rewrites one head at `at` in its next longer form: the same value, not in shortest form.
function widen(bytes: Uint8Array, at: number): Uint8Array | undefined {
  const ib = bytes[at];
  if (ib === undefined || ib >> 5 > 5) return undefined;
  const ai = ib & 31;
  let head: number[];
  let skip: number;
  if (ai < 24) {
    head = [(ib & 0xe0) | 24, ai];
    skip = 1;
  } else if (ai === 24 && at + 1 < bytes.length) {
    head = [(ib & 0xe0) | 25, 0, bytes[at + 1] as number];
    skip = 2;
  } else return undefined;
  return Uint8Array.from([...bytes.subarray(0, at), ...head, ...bytes.subarray(at + skip)]);
}

// Rebuilds a COSE_Sign1 around changed header or payload bytes, with canonical heads outside them.
function rewrap(bytes: Uint8Array, part: 'header' | 'payload', change: (b: Uint8Array) => Uint8Array | undefined): Uint8Array | undefined {
  const cose = decodeCoseSign1(bytes);
  const changed = change(part === 'header' ? cose.protectedBytes : cose.payload);
  if (changed === undefined) return undefined;
  const arr = encodeCbor([
    part === 'header' ? changed : cose.protectedBytes,
    cose.unprotected,
    part === 'payload' ? changed : cose.payload,
    cose.signature,
  ]);
  const out = new Uint8Array(arr.length + 1);
  out[0] = 0xd2;
  out.set(arr, 1);
  return out;
}

describe('the single-pass envelope reader', () => {
  it('reads what signers write, exactly as the general parser does', () => {
    fc.assert(
      fc.property(claims, (c) => {
        const bytes = sealOrUndefined(c);
        if (bytes === undefined) return;
        agree(bytes);
      }),
      { numRuns: 400 },
    );
  });

  it('takes the usual envelope itself rather than handing it on', () => {
    const bytes = signEnvelope(
      {
        issuer: 'https://api.example.com',
        responseId: 'chatcmpl-1',
        issuedAt: 1_767_225_600,
        model: 'm',
        account: { mode: 'linkable', tag: new Uint8Array(16) },
        terms: {
          id: 't',
          version: '1',
          digest: new Uint8Array(32),
          uri: 'https://example.com/t',
          usage: { 'cawg.ai_training': 'notAllowed' },
        },
        requestDigest: new Uint8Array(32).fill(1),
        content: [{ exact: new Uint8Array(32), normalized: new Uint8Array(32), chunkRoot: new Uint8Array(32), chunkCount: 2 }],
        body: { media: 'json', digest: new Uint8Array(32).fill(2) },
      },
      key,
    );
    expect(readCanonicalEnvelope(bytes)).toBeDefined();
    agree(bytes);
  });

  it('keeps its cached texts apart from the bytes of the caller, which may change after parsing (a Buffer too)', () => {
    const c = (issuer: string): EnvelopeClaims => ({
      issuer,
      responseId: 'chatcmpl-1',
      issuedAt: 1,
      model: 'm',
      account: { mode: 'linkable', tag: new Uint8Array(16) },
      terms: { id: 't', version: '1', digest: new Uint8Array(32), uri: 'u', usage: {} },
      content: [{ exact: new Uint8Array(32), normalized: new Uint8Array(32), chunkRoot: new Uint8Array(32), chunkCount: 0 }],
    });
    const first = signEnvelope(c('https://a.example'), key);
    const second = signEnvelope(c('https://b.example'), key);
    const reused = Buffer.from(first);
    expect(parseEnvelope(reused).claims.issuer).toBe('https://a.example');
    expect(parseEnvelope(reused).kid).toBe(key.kid);
    // The caller reuses its buffer for the next envelope.
    reused.set(second);
    expect(parseEnvelope(reused).claims.issuer).toBe('https://b.example');
    agree(reused);
    const otherKey = new SigningKey(nodeBackend.sha256(utf8('another key')), {}, nodeBackend);
    reused.set(signEnvelope(c('https://b.example'), otherKey));
    expect(parseEnvelope(reused).kid).toBe(otherKey.kid);
  });

  it('agrees on mutated envelopes: flipped, replaced, cut, extended bytes', () => {
    fc.assert(
      fc.property(
        claims,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'xor', 'cut', 'insert', 'trail')), {
          minLength: 1,
          maxLength: 3,
        }),
        (c, edits) => {
          const sealed = sealOrUndefined(c);
          if (sealed === undefined) return;
          let bytes: Uint8Array = sealed;
          for (const [p, v, op] of edits) {
            const at: number = p % bytes.length;
            const b: Uint8Array = bytes;
            if (op === 'set') b[at] = v;
            else if (op === 'xor') b[at] = (b[at] as number) ^ (1 << (v % 8));
            else if (op === 'cut') bytes = b.subarray(0, at);
            else if (op === 'insert') bytes = Uint8Array.from([...b.subarray(0, at), v, ...b.subarray(at)]);
            else bytes = Uint8Array.from([...b, v]);
          }
          agree(bytes);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('agrees on envelopes with a head not in shortest form, in the header, the payload or outside them', () => {
    fc.assert(
      fc.property(claims, fc.nat(), fc.constantFrom('header' as const, 'payload' as const, 'outer' as const), (c, p, part) => {
        const bytes = sealOrUndefined(c);
        if (bytes === undefined) return;
        const changed = part === 'outer' ? widen(bytes, 1 + (p % 2)) : rewrap(bytes, part, (inner) => widen(inner, p % inner.length));
        if (changed === undefined) return;
        agree(changed);
      }),
      { numRuns: 800 },
    );
  });

  it('agrees on every head of an envelope rewritten in a longer form, one at a time', () => {
    const bytes = signEnvelope(
      {
        issuer: 'https://api.example.com',
        responseId: 'chatcmpl-1',
        issuedAt: 1_767_225_600,
        expiresAt: 1_767_229_200,
        notBefore: 300,
        model: 'm',
        account: { mode: 'commitment', tag: new Uint8Array(32), sealedId: 'sealed' },
        terms: {
          id: 't',
          version: '1',
          digest: new Uint8Array(32),
          uri: 'u',
          usage: { 'cawg.ai_training': 'notAllowed', 'cawg.data_mining': 'allowed' },
        },
        requestDigest: new Uint8Array(32).fill(1),
        content: [{ exact: new Uint8Array(32), normalized: new Uint8Array(32), chunkRoot: new Uint8Array(32), chunkCount: 300 }],
        partial: true,
        body: { media: 'sse', digest: new Uint8Array(32).fill(2) },
      },
      key,
    );
    const cose = decodeCoseSign1(bytes);
    let refused = 0;
    for (const part of ['header', 'payload'] as const) {
      const inner = part === 'header' ? cose.protectedBytes : cose.payload;
      for (let at = 0; at < inner.length; at++) {
        const changed = rewrap(bytes, part, (b) => widen(b, at));
        if (changed === undefined) continue;
        agree(changed);
        if ('code' in outcome(() => parseEnvelopeGeneral(changed))) refused++;
      }
    }
    expect(refused).toBeGreaterThan(40);
  });

  it('agrees on envelopes with an unprotected header, and on random bytes behind the COSE_Sign1 prefix', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => agree(Uint8Array.from([0xd2, 0x84, ...tail]))),
      { numRuns: 500 },
    );
    const honest = sealOrUndefined({
      issuer: 'i',
      responseId: 'r',
      issuedAt: 1,
      model: 'm',
      account: { mode: 'linkable', tag: new Uint8Array(16) },
      terms: { id: 't', version: '1', digest: new Uint8Array(32), uri: 'u', usage: {} },
      content: [{ exact: new Uint8Array(32), normalized: new Uint8Array(32), chunkRoot: new Uint8Array(32), chunkCount: 0 }],
    }) as Uint8Array;
    const cose = decodeCoseSign1(honest);
    const arr = encodeCbor([cose.protectedBytes, new Map([[394, [new Uint8Array(3)]]]), cose.payload, cose.signature]);
    const withReceipt = Uint8Array.from([0xd2, ...arr]);
    expect(readCanonicalEnvelope(withReceipt)).toBeUndefined();
    agree(withReceipt);
  });
});
