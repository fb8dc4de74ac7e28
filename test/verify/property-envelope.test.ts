import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalizeJson, decodeCoseSign1, normalizeText, SigningKey, toJwks, utf8, type VerificationStep } from '@signet/core';
import { nodeBackend } from '@signet/core/node';
import { createSigner } from '@signet/server';
import { createVerifier, type VerificationResult } from '@signet/verify';

const T0 = 1_767_225_600;
const key = new SigningKey(nodeBackend.sha256(utf8('property key')), {}, nodeBackend);
const signer = createSigner({
  issuer: 'https://api.example.com',
  key,
  accountSecret: nodeBackend.sha256(utf8('property account secret')),
  terms: { id: 'terms', version: '1', uri: 'https://example.com/terms', document: 'terms', usage: { 'cawg.ai_training': 'notAllowed' } },
  now: () => T0 * 1000,
});
const verifier = createVerifier({ trust: toJwks([key]), now: () => (T0 + 1) * 1000 });

const text = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.lorem({ maxCount: 30 }),
);
const account = fc.string({ minLength: 1, maxLength: 40 });
const chat = (choices: string[]) => ({
  id: 'chatcmpl-p',
  object: 'chat.completion',
  model: 'gpt-p',
  choices: choices.map((content, index) => ({ index, message: { role: 'assistant', content } })),
});
const requestBody = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 6 });

function fails(r: VerificationResult): { code: string; step: VerificationStep } {
  expect(r.valid).toBe(false);
  if (r.valid) throw new Error('unreachable');
  return { code: r.code, step: r.step };
}

/** Byte ranges of the four COSE_Sign1 parts inside the envelope bytes. */
function layout(envelope: Uint8Array) {
  const parts = decodeCoseSign1(envelope);
  const sigStart = envelope.length - parts.signature.length;
  const payloadStart = sigStart - 2 - parts.payload.length; // the signature's head is 2 bytes (0x58 0x40)
  const headLength = (n: number): number => (n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5);
  // Tag (1 byte), array head (1 byte), then the protected header's byte string.
  const protectedEnd = 2 + headLength(parts.protectedBytes.length) + parts.protectedBytes.length;
  expect(envelope[protectedEnd]).toBe(0xa0);
  return { sigStart, payloadStart, protectedEnd };
}

describe('seal/verify round-trips (property)', () => {
  it('random texts, accounts and choices verify, whole and per choice, and bind the account', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 4 }), account, requestBody, async (choices, acct, request) => {
        const response = chat(choices);
        const s = await signer.seal({ account: acct, response, request });
        expect(await verifier.verify(s.envelope, { response, request })).toMatchObject({
          valid: true,
          content: { match: 'exact' },
          requestChecked: true,
        });
        for (const [i, c] of choices.entries()) {
          expect(await verifier.verify(s.text, { text: c, choice: i })).toMatchObject({ valid: true, content: { match: 'exact' } });
        }
        const r = await createVerifier({
          trust: toJwks([key]),
          now: () => (T0 + 1) * 1000,
          policy: { accountTags: [signer.accountTag(acct)] },
        }).verify(s.envelope, { response });
        expect(r.valid).toBe(true);
        const other = await createVerifier({
          trust: toJwks([key]),
          now: () => (T0 + 1) * 1000,
          policy: { accountTags: [signer.accountTag(`${acct}x`)] },
        }).verify(s.envelope, { response });
        expect(other).toMatchObject({ valid: false, code: 'SIGNET_E_POLICY_ACCOUNT', kind: 'policy' });
      }),
      { numRuns: 200 },
    );
  });

  it('the JSON profile round-trips too', async () => {
    await fc.assert(
      fc.asyncProperty(text, account, async (t, acct) => {
        const { jws } = await signer.sealJws({ account: acct, response: chat([t]) });
        expect(await verifier.verifyJws(jws, { text: t })).toMatchObject({ valid: true });
      }),
      { numRuns: 100 },
    );
  });
});

describe('tampering always fails, with the code of the step that catches it (property)', () => {
  it('flipping any byte of the envelope', async () => {
    const sealed = await Promise.all(
      ['short', 'a longer text with\nlines', 'ü'.repeat(300)].map((t, i) =>
        signer.seal({ account: `a${i}`, response: chat([t]), request: { i } }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sealed), fc.nat(), fc.integer({ min: 1, max: 255 }), async (s, at, xor) => {
        const env = Uint8Array.from(s.envelope);
        const pos = at % env.length;
        env[pos]! ^= xor;
        const text = s.envelope === sealed[0]!.envelope ? 'short' : undefined;
        const { code, step } = fails(await verifier.verify(env, text === undefined ? { allowMissingContent: true } : { text }));
        const { sigStart, payloadStart, protectedEnd } = layout(s.envelope);
        if (pos >= sigStart) {
          expect({ pos, code, step }).toEqual({ pos, code: 'SIGNET_E_SIG_INVALID', step: 'signature' });
        } else if (pos >= payloadStart) {
          // Covered by the signature: either the change breaks the structure, or the signature.
          expect(step === 'parse' || code === 'SIGNET_E_SIG_INVALID').toBe(true);
        } else if (pos >= 3 && pos < protectedEnd) {
          // The protected header: structure, type, critical headers, algorithm, key id, or the signature.
          expect(['parse', 'key', 'signature']).toContain(step);
          if (step === 'key') expect(['SIGNET_E_KEY_UNKNOWN', 'SIGNET_E_HEADER_ALG']).toContain(code);
        } else {
          expect(step).toBe('parse');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('every single position of one envelope (exhaustive, one random change each)', async () => {
    const s = await signer.seal({ account: 'acct', response: chat(['exhaustive']) });
    for (let pos = 0; pos < s.envelope.length; pos++) {
      for (const xor of [0x01, 0x80, 0xff]) {
        const env = Uint8Array.from(s.envelope);
        env[pos]! ^= xor;
        const r = await verifier.verify(env, { text: 'exhaustive' });
        expect({ pos, xor, valid: r.valid }).toEqual({ pos, xor, valid: false });
        if (!r.valid) expect(['parse', 'key', 'signature']).toContain(r.step);
      }
    }
  });

  it('truncating or extending the envelope is a parse error', async () => {
    const s = await signer.seal({ account: 'acct', response: chat(['cut']) });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: s.envelope.length - 1 }),
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        async (cut, extra) => {
          expect(fails(await verifier.verify(s.envelope.subarray(0, cut), { text: 'cut' })).step).toBe('parse');
          const longer = new Uint8Array(s.envelope.length + extra.length);
          longer.set(s.envelope);
          longer.set(extra, s.envelope.length);
          expect(fails(await verifier.verify(longer, { text: 'cut' }))).toEqual({ code: 'SIGNET_E_PARSE_MALFORMED', step: 'parse' });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('changing any character of the text beyond white-space normalization', async () => {
    await fc.assert(
      fc.asyncProperty(
        text.filter((t) => t.length > 0),
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 2, unit: 'grapheme' }),
        async (t, at, replacement) => {
          const s = await signer.seal({ account: 'acct', response: chat([t]) });
          const pos = at % t.length;
          const changed = t.slice(0, pos) + replacement + t.slice(pos + 1);
          const r = await verifier.verify(s.envelope, { text: changed });
          if (changed === t) expect(r).toMatchObject({ valid: true, content: { match: 'exact' } });
          else if (normalizeText(changed) === normalizeText(t)) expect(r).toMatchObject({ valid: true, content: { match: 'normalized' } });
          else expect(fails(r)).toEqual({ code: 'SIGNET_E_CONTENT_MISMATCH', step: 'content' });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('white-space-only reformatting verifies only when normalized matches are allowed, and says so', async () => {
    const s = await signer.seal({ account: 'acct', response: chat(['Line one.\n\nLine  two.\tEnd']) });
    expect(fails(await verifier.verify(s.envelope, { text: ' Line one. Line two. End\r\n' }))).toEqual({
      code: 'SIGNET_E_CONTENT_MISMATCH',
      step: 'content',
    });
    const auditor = createVerifier({ trust: toJwks([key]), policy: { allowNormalized: true } });
    expect(await auditor.verify(s.envelope, { text: ' Line one. Line two. End\r\n' })).toMatchObject({
      valid: true,
      content: { match: 'normalized' },
    });
    expect(fails(await verifier.verify(s.envelope, { text: 'Line one. Line two. end' }))).toEqual({
      code: 'SIGNET_E_CONTENT_MISMATCH',
      step: 'content',
    });
  });

  it('changing, adding or removing any field of the request', async () => {
    await fc.assert(
      fc.asyncProperty(
        requestBody,
        fc.nat(),
        fc.jsonValue({ maxDepth: 1 }),
        fc.constantFrom('change', 'add', 'remove'),
        async (request, at, value, how) => {
          const s = await signer.seal({ account: 'acct', response: chat(['r']), request });
          const keys = Object.keys(request);
          const k = keys[at % keys.length]!;
          const mutated: Record<string, unknown> = { ...request };
          if (how === 'change') mutated[k] = value;
          else if (how === 'add') mutated[`${k}_extra`] = value;
          else delete mutated[k];
          const r = await verifier.verify(s.envelope, { text: 'r', request: mutated });
          if (canonicalizeJson(mutated) === canonicalizeJson(request)) expect(r.valid).toBe(true);
          else expect(fails(r)).toEqual({ code: 'SIGNET_E_REQUEST_MISMATCH', step: 'content' });
        },
      ),
      { numRuns: 300 },
    );
  });
});
