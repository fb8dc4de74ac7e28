import { describe, expect, it } from 'vitest';
import {
  accountTag,
  claimsToJson,
  digestContent,
  digestRequest,
  extractResponseContent,
  JWS_TYPE,
  NO_AI_TRAINING,
  signEnvelope,
  SigningKey,
  toBase64url,
  toJwks,
  utf8,
  type EnvelopeClaims,
} from '@signet/core';
import { nodeBackend } from '@signet/core/node';
import { createTrustStore } from './trust.js';
import { createVerifier, type VerifierOptions } from './verifier.js';

// Envelopes are made with @signet/core directly: @signet/verify never depends on the server package,
// not even in its tests.

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z, the fixed clock of these tests
const now = (): number => (T0 + 60) * 1000;
const seedOf = (label: string): Uint8Array => nodeBackend.sha256(utf8(`verifier unit/${label}`));
const key = new SigningKey(seedOf('main'), { notBefore: T0 - 86400, notAfter: T0 + 86400 });
const otherKey = new SigningKey(seedOf('other'));
const secret = seedOf('account secret');
const TERMS_DOC = 'No distillation.';
const request = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const response = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  model: 'model-x',
  choices: [
    { index: 0, message: { role: 'assistant', content: 'First  answer.\n' } },
    {
      index: 1,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }],
      },
    },
  ],
};

function claimsFor(overrides: Partial<EnvelopeClaims> = {}, body: unknown = response): EnvelopeClaims {
  const content = extractResponseContent(body);
  return {
    issuer: 'https://api.example.com',
    responseId: 'chatcmpl-1',
    issuedAt: T0,
    model: 'model-x',
    account: { mode: 'linkable', tag: accountTag(nodeBackend, secret, 'acct_1') },
    terms: {
      id: 'terms',
      version: '2026-01',
      digest: nodeBackend.sha256(utf8(TERMS_DOC)),
      uri: 'https://example.com/terms',
      usage: NO_AI_TRAINING,
    },
    requestDigest: digestRequest(nodeBackend, request),
    content: content.choices.map((c) => digestContent(nodeBackend, c.text, c.structured)),
    ...overrides,
  };
}

function seal(overrides: Partial<EnvelopeClaims> = {}, signer: SigningKey = key): Uint8Array {
  return signEnvelope(claimsFor(overrides), signer);
}

function verifier(options: Partial<VerifierOptions> = {}) {
  return createVerifier({ trust: toJwks([key]), now, ...options });
}

describe('createVerifier: the happy paths', () => {
  it('verifies a whole response with its request, reporting the claims and the key', async () => {
    const r = await verifier().verify(seal(), { response, request, termsDocument: TERMS_DOC });
    expect(r).toMatchObject({ valid: true, requestChecked: true, key: { kid: key.kid }, content: { match: 'exact' } });
    if (r.valid) {
      expect(r.claims.model).toBe('model-x');
      expect(r.content?.choices).toEqual([
        { index: 0, match: 'exact', structured: false },
        { index: 1, match: 'exact', structured: true },
      ]);
    }
  });

  it('verifies text alone, exactly by default, after normalization only when allowed, and says which', async () => {
    const v = verifier();
    expect(await v.verify(seal(), { text: 'First  answer.\n' })).toMatchObject({
      valid: true,
      content: { match: 'exact', choices: [{ index: 0 }] },
    });
    expect(await v.verify(seal(), { text: 'First  answer.\n', choice: 0 })).toMatchObject({ valid: true });
    // Exact by default: a reformatted text fails, with a hint that it matches after normalization.
    const strict = await v.verify(seal(), { text: '  First answer. ' });
    expect(strict).toMatchObject({ valid: false, code: 'SIGNET_E_CONTENT_MISMATCH' });
    expect(strict.valid ? '' : (strict.hint ?? '')).toMatch(/normalization/);
    expect(await verifier({ policy: { allowNormalized: true } }).verify(seal(), { text: '  First answer. ' })).toMatchObject({
      valid: true,
      content: { match: 'normalized' },
    });
  });

  it('accepts base64url text envelopes and trust given as a store or as JSON text', async () => {
    const text = toBase64url(seal());
    expect(await createVerifier({ trust: createTrustStore(toJwks([key])), now }).verify(text, { response })).toMatchObject({ valid: true });
    expect(await createVerifier({ trust: JSON.stringify(toJwks([key])), now }).verify(text, { response })).toMatchObject({ valid: true });
  });

  it('verifies without content only when explicitly allowed', async () => {
    expect(await verifier().verify(seal())).toMatchObject({
      valid: false,
      code: 'SIGNET_E_CONTENT_MISSING',
      step: 'content',
      kind: 'verification',
    });
    expect(await verifier().verify(seal(), { allowMissingContent: true })).toMatchObject({ valid: true, content: null });
  });
});

describe('createVerifier: each step fails with its stable code', () => {
  const cases: [string, () => Promise<unknown>, Record<string, unknown>][] = [
    ['garbage bytes', () => verifier().verify(Uint8Array.of(1, 2, 3), { response }), { code: 'SIGNET_E_PARSE_MALFORMED', step: 'parse' }],
    ['not base64url', () => verifier().verify('not base64!', { response }), { code: 'SIGNET_E_PARSE_MALFORMED', step: 'parse' }],
    ['an unknown key', () => verifier().verify(seal({}, otherKey), { response }), { code: 'SIGNET_E_KEY_UNKNOWN', step: 'key' }],
    [
      'a key not yet valid',
      () => verifier().verify(seal({ issuedAt: T0 - 86401 }), { response }),
      { code: 'SIGNET_E_KEY_NOT_YET_VALID', step: 'validity' },
    ],
    [
      'an expired key',
      () =>
        createVerifier({ trust: toJwks([key]), now: () => (T0 + 2 * 86400) * 1000 }).verify(seal({ issuedAt: T0 + 86401 }), { response }),
      { code: 'SIGNET_E_KEY_EXPIRED', step: 'validity' },
    ],
    [
      'a time in the future',
      () => verifier().verify(seal({ issuedAt: T0 + 60 + 301 }), { response }),
      { code: 'SIGNET_E_TIME_FUTURE', step: 'validity' },
    ],
    ['changed text', () => verifier().verify(seal(), { text: 'First answer!' }), { code: 'SIGNET_E_CONTENT_MISMATCH', step: 'content' }],
    [
      'a missing choice',
      () => verifier().verify(seal(), { text: 'First  answer.\n', choice: 2 }),
      { code: 'SIGNET_E_CONTENT_CHOICE', step: 'content' },
    ],
    [
      'text of another choice',
      () => verifier().verify(seal(), { text: 'First  answer.\n', choice: 1 }),
      { code: 'SIGNET_E_CONTENT_MISMATCH', step: 'content' },
    ],
    [
      'a changed tool call',
      () =>
        verifier().verify(seal(), {
          response: {
            ...response,
            choices: [
              response.choices[0],
              {
                index: 1,
                message: {
                  role: 'assistant',
                  content: null,
                  tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"y"}' } }],
                },
              },
            ],
          },
        }),
      { code: 'SIGNET_E_CONTENT_MISMATCH', step: 'content' },
    ],
    [
      'a dropped choice',
      () => verifier().verify(seal(), { response: { ...response, choices: [response.choices[0]] } }),
      { code: 'SIGNET_E_CONTENT_MISMATCH', step: 'content' },
    ],
    [
      'another request',
      () => verifier().verify(seal(), { response, request: { ...request, model: 'n' } }),
      { code: 'SIGNET_E_REQUEST_MISMATCH', step: 'content' },
    ],
    [
      'a request when none was sealed',
      () => verifier().verify(signEnvelope((({ requestDigest: _, ...c }) => c)(claimsFor()), key), { response, request }),
      { code: 'SIGNET_E_REQUEST_MISMATCH', step: 'content' },
    ],
    [
      'a partial response',
      () => verifier().verify(seal({ partial: true }), { response }),
      { code: 'SIGNET_E_CONTENT_PARTIAL', kind: 'policy' },
    ],
    [
      'another terms document',
      () => verifier().verify(seal(), { response, termsDocument: 'Anything goes.' }),
      { code: 'SIGNET_E_POLICY_TERMS', step: 'policy', kind: 'policy' },
    ],
    [
      'another issuer',
      () => verifier({ policy: { issuers: ['https://other.example'] } }).verify(seal(), { response }),
      { code: 'SIGNET_E_POLICY_ISSUER', step: 'policy', kind: 'policy' },
    ],
    [
      'another account',
      () => verifier({ policy: { accountTags: [accountTag(nodeBackend, secret, 'acct_2')] } }).verify(seal(), { response }),
      { code: 'SIGNET_E_POLICY_ACCOUNT', step: 'policy', kind: 'policy' },
    ],
    [
      'another terms id',
      () => verifier({ policy: { terms: { id: 'other' } } }).verify(seal(), { response }),
      { code: 'SIGNET_E_POLICY_TERMS', step: 'policy', kind: 'policy' },
    ],
    [
      'another terms version',
      () => verifier({ policy: { terms: { version: '2025-01' } } }).verify(seal(), { response }),
      { code: 'SIGNET_E_POLICY_TERMS', kind: 'policy' },
    ],
    [
      'another model',
      () => verifier({ policy: { models: ['model-y'] } }).verify(seal(), { response }),
      { code: 'SIGNET_E_POLICY_MODEL', kind: 'policy' },
    ],
    [
      'too old',
      () => verifier({ policy: { maxAgeSeconds: 10 } }).verify(seal(), { response }),
      { code: 'SIGNET_E_TIME_TOO_OLD', kind: 'policy' },
    ],
    [
      'no receipt when one is required',
      () => verifier({ policy: { requireReceipt: true } }).verify(seal(), { response }),
      { code: 'SIGNET_E_RECEIPT_MISSING', step: 'receipt' },
    ],
    [
      'a failing receipt',
      () =>
        verifier({ extensions: { receipt: () => ({ ok: false, code: 'SIGNET_E_RECEIPT_INVALID', message: 'bad proof' }) } }).verify(
          seal(),
          { response },
        ),
      { code: 'SIGNET_E_RECEIPT_INVALID', step: 'receipt', kind: 'verification' },
    ],
    [
      'a revoked key',
      () =>
        verifier({ extensions: { revocation: () => ({ code: 'SIGNET_E_KEY_REVOKED', message: 'revoked' }) } }).verify(seal(), { response }),
      { code: 'SIGNET_E_KEY_REVOKED', step: 'validity' },
    ],
  ];
  for (const [name, run, want] of cases) {
    it(`${name} -> ${String(want.code)}`, async () => {
      const r = await run();
      expect(r).toMatchObject({ valid: false, ...want });
      expect(typeof (r as { message: unknown }).message).toBe('string');
    });
  }

  it('policy results are matched exactly and pass when they match', async () => {
    const v = verifier({
      policy: {
        issuers: ['https://api.example.com'],
        accountTags: [toBase64url(accountTag(nodeBackend, secret, 'acct_1'))],
        terms: { id: 'terms', version: '2026-01', digest: nodeBackend.sha256(utf8(TERMS_DOC)) },
        models: ['model-x'],
        maxAgeSeconds: 3600,
      },
    });
    expect(await v.verify(seal(), { response })).toMatchObject({ valid: true });
    const prefix = verifier({ policy: { issuers: ['https://api.example'] } });
    expect(await prefix.verify(seal(), { response })).toMatchObject({ valid: false, code: 'SIGNET_E_POLICY_ISSUER' });
  });

  it('steps run in order: a broken signature is reported before content or policy', async () => {
    const bytes = seal();
    bytes[bytes.length - 1]! ^= 1;
    const r = await verifier({ policy: { issuers: ['nobody'] } }).verify(bytes, { text: 'wrong text' });
    expect(r).toMatchObject({ valid: false, code: 'SIGNET_E_SIG_INVALID', step: 'signature', kind: 'verification' });
    // An unknown key is reported before the validity window.
    const r2 = await verifier().verify(seal({ issuedAt: T0 + 10 * 86400 }, otherKey), { response });
    expect(r2).toMatchObject({ code: 'SIGNET_E_KEY_UNKNOWN' });
    // A receipt extension sees a valid receipt time; revocation gets it as committedAt.
    let committed: number | undefined;
    const r3 = await verifier({
      extensions: {
        receipt: () => ({ ok: true, time: T0 + 5 }),
        revocation: (_kid, _iat, at) => {
          committed = at;
          return undefined;
        },
      },
    }).verify(seal(), { response });
    expect(r3).toMatchObject({ valid: true, receipt: { time: T0 + 5 } });
    expect(committed).toBe(T0 + 5);
  });

  it('an extension or trust store that throws fails closed at its own step', async () => {
    const boom = (): never => {
      throw new Error('backend unavailable');
    };
    const store = { get: async () => boom(), keys: () => [] };
    expect(await createVerifier({ trust: store, now }).verify(seal(), { response })).toMatchObject({
      valid: false,
      step: 'key',
      code: 'SIGNET_E_KEY_UNKNOWN',
      kind: 'verification',
    });
    expect(await verifier({ extensions: { revocation: boom } }).verify(seal(), { response })).toMatchObject({
      valid: false,
      step: 'validity',
      kind: 'verification',
    });
    expect(await verifier({ extensions: { receipt: boom } }).verify(seal(), { response })).toMatchObject({
      valid: false,
      step: 'receipt',
      code: 'SIGNET_E_RECEIPT_INVALID',
      kind: 'verification',
    });
  });

  it('never throws, whatever the input type', async () => {
    const v = verifier();
    for (const bad of [undefined, null, 42, {}, [], new Uint8Array(0), '', 'a.b.c']) {
      const r = await v.verify(bad as unknown as Uint8Array, { response });
      expect(r.valid).toBe(false);
      const j = await v.verifyJws(bad as unknown as string, { response });
      expect(j.valid).toBe(false);
    }
  });
});

describe('verifyJws (JSON profile)', () => {
  async function jws(
    header: Record<string, unknown>,
    claims: unknown = claimsToJson(claimsFor()),
    signer: SigningKey = key,
  ): Promise<string> {
    const h = toBase64url(utf8(JSON.stringify(header)));
    const p = toBase64url(utf8(JSON.stringify(claims)));
    return `${h}.${p}.${toBase64url(signer.sign(utf8(`${h}.${p}`)))}`;
  }
  const header = { alg: 'EdDSA', kid: key.kid, typ: JWS_TYPE };

  it('verifies a compact JWS over the JSON claims', async () => {
    expect(await verifier().verifyJws(await jws(header), { response, request })).toMatchObject({ valid: true, requestChecked: true });
  });

  const cases: [string, () => Promise<string>, string][] = [
    ['alg none', () => jws({ ...header, alg: 'none' }), 'SIGNET_E_HEADER_ALG'],
    ['alg HS256', () => jws({ ...header, alg: 'HS256' }), 'SIGNET_E_HEADER_ALG'],
    ['a crit header', () => jws({ ...header, crit: ['exp'], exp: 1 }), 'SIGNET_E_HEADER_CRIT'],
    ['another typ', () => jws({ ...header, typ: 'JWT' }), 'SIGNET_E_HEADER_TYPE'],
    ['no kid', () => jws({ alg: 'EdDSA', typ: JWS_TYPE }), 'SIGNET_E_PARSE_MISSING_FIELD'],
    ['an unknown kid', () => jws({ ...header, kid: otherKey.kid }, undefined, otherKey), 'SIGNET_E_KEY_UNKNOWN'],
    ['a signature by another key', () => jws(header, undefined, otherKey), 'SIGNET_E_SIG_INVALID'],
    [
      'claims of another version',
      () => jws(header, { ...claimsToJson(claimsFor()), signet: { ...claimsToJson(claimsFor()).signet, v: 2 } }),
      'SIGNET_E_PARSE_UNSUPPORTED_VERSION',
    ],
    [
      'claims with a short digest',
      () => jws(header, { ...claimsToJson(claimsFor()), signet: { ...claimsToJson(claimsFor()).signet, request: 'AAAA' } }),
      'SIGNET_E_PARSE_WRONG_TYPE',
    ],
    [
      'a payload that is not JSON',
      async () => (await jws(header)).replace(/\.[^.]+\./, `.${toBase64url(utf8('{'))}.`),
      'SIGNET_E_PARSE_MALFORMED',
    ],
    ['two parts', async () => (await jws(header)).split('.').slice(0, 2).join('.'), 'SIGNET_E_PARSE_MALFORMED'],
    ['an unknown header member', () => jws({ ...header, jku: 'https://evil.example/jwks' }), 'SIGNET_E_PARSE_UNKNOWN_FIELD'],
    ['an unknown claims member', () => jws(header, { ...claimsToJson(claimsFor()), note: 'x' }), 'SIGNET_E_PARSE_UNKNOWN_FIELD'],
    [
      'an unknown member inside the signet claims',
      () => jws(header, { ...claimsToJson(claimsFor()), signet: { ...claimsToJson(claimsFor()).signet, extra: 1 } }),
      'SIGNET_E_PARSE_UNKNOWN_FIELD',
    ],
    [
      'a duplicate kid in the header',
      async () => {
        const good = await jws(header);
        const h = toBase64url(utf8(`{"alg":"EdDSA","kid":"${otherKey.kid}","kid":"${key.kid}","typ":"${JWS_TYPE}"}`));
        const p = good.split('.')[1] as string;
        return `${h}.${p}.${toBase64url(key.sign(utf8(`${h}.${p}`)))}`;
      },
      'SIGNET_E_PARSE_MALFORMED',
    ],
    [
      'a duplicate member in the claims',
      async () => {
        const h = toBase64url(utf8(JSON.stringify(header)));
        const body = JSON.stringify(claimsToJson(claimsFor()));
        const p = toBase64url(utf8(body.replace('{"iss":', '{"sub":"other","iss":')));
        return `${h}.${p}.${toBase64url(key.sign(utf8(`${h}.${p}`)))}`;
      },
      'SIGNET_E_PARSE_MALFORMED',
    ],
    ['a CWT exp in the past', () => jws(header, { ...claimsToJson(claimsFor()), exp: T0 - 3600 }), 'SIGNET_E_TIME_EXPIRED'],
    ['a CWT nbf in the future', () => jws(header, { ...claimsToJson(claimsFor()), nbf: T0 + 7200 }), 'SIGNET_E_TIME_NOT_YET_VALID'],
    ['an oversized JWS', async () => 'a'.repeat(20000), 'SIGNET_E_PARSE_TOO_LARGE'],
  ];
  for (const [name, make, code] of cases) {
    it(`${name} -> ${code}`, async () => {
      expect(await verifier().verifyJws(await make(), { response })).toMatchObject({ valid: false, code });
    });
  }
});

describe('closed world: what a client could see is sealed, or the check fails', () => {
  const code = async (envelope: Uint8Array, input: Parameters<ReturnType<typeof verifier>['verify']>[1]) => {
    const r = await verifier().verify(envelope, input);
    return r.valid ? 'valid' : r.code;
  };
  const withMessage = (extra: Record<string, unknown>) => ({
    ...response,
    choices: [{ ...response.choices[0], message: { ...response.choices[0]!.message, ...extra } }, response.choices[1]],
  });

  it('refuses members the content digests do not cover (audio, annotations, image parts, logprobs, unknown members)', async () => {
    expect(await code(seal(), { response })).toBe('valid');
    expect(await code(seal(), { response: withMessage({ audio: { id: 'a', data: 'AAAA', transcript: 'other words' } }) })).toBe(
      'SIGNET_E_CONTENT_UNSEALED',
    );
    expect(
      await code(seal(), { response: withMessage({ annotations: [{ type: 'url_citation', url_citation: { url: 'https://x' } }] }) }),
    ).toBe('SIGNET_E_CONTENT_UNSEALED');
    expect(
      await code(seal(), {
        response: withMessage({
          content: [
            { type: 'text', text: 'First  answer.\n' },
            { type: 'image_url', image_url: { url: 'x' } },
          ],
        }),
      }),
    ).toBe('SIGNET_E_CONTENT_UNSEALED');
    expect(await code(seal(), { response: { ...response, output: [{ type: 'message', content: [] }] } })).toBe('SIGNET_E_CONTENT_UNSEALED');
    // Members that show nothing are fine: empty annotations, null audio.
    expect(await code(seal(), { response: withMessage({ annotations: [], audio: null }) })).toBe('valid');
  });

  it('takes the shape from the object type or the route, never from the members present', async () => {
    // Sealed text moved into an `output` member, other text in the message: still read as chat.
    const swapped = {
      ...withMessage({ content: 'Other text.' }),
      output: [{ type: 'message', content: [{ type: 'output_text', text: 'First  answer.\n' }] }],
    };
    expect(await code(seal(), { response: swapped })).not.toBe('valid');
    expect(await code(seal(), { response: { ...response, object: 'response' }, kind: 'chat' })).toBe('SIGNET_E_CONTENT_SHAPE');
    expect(await code(seal(), { response: { ...response, object: 'chat.completion.chunk' } })).toBe('SIGNET_E_CONTENT_SHAPE');
    const { object: _object, ...untyped } = response;
    expect(await code(seal(), { response: untyped })).toBe('SIGNET_E_CONTENT_SHAPE');
    expect(await code(seal(), { response: untyped, kind: 'chat' })).toBe('valid');
  });

  it('refuses duplicate, missing or non-integer choice indexes', async () => {
    const [a, b] = response.choices;
    expect(await code(seal(), { response: { ...response, choices: [a, { ...b, index: 0 }] } })).toBe('SIGNET_E_CONTENT_SHAPE');
    expect(await code(seal(), { response: { ...response, choices: [a, { ...b, index: 1.5 }] } })).toBe('SIGNET_E_CONTENT_SHAPE');
    expect(await code(seal(), { response: { ...response, choices: [a, { ...b, index: '1' }] } })).toBe('SIGNET_E_CONTENT_SHAPE');
    const { index: _i, ...noIndex } = b!;
    expect(await code(seal(), { response: { ...response, choices: [a, noIndex] } })).toBe('SIGNET_E_CONTENT_SHAPE');
    // Order in the array does not matter, the index does.
    expect(await code(seal(), { response: { ...response, choices: [b, a] } })).toBe('valid');
  });

  it('binds the response id: another id, or none, fails', async () => {
    expect(await code(seal(), { response: { ...response, id: 'chatcmpl-2' } })).toBe('SIGNET_E_CONTENT_RESPONSE_ID');
    const { id: _id, ...noId } = response;
    expect(await code(seal(), { response: noId })).toBe('SIGNET_E_CONTENT_RESPONSE_ID');
    expect(await code(seal(), { text: 'First  answer.\n', responseId: 'chatcmpl-2' })).toBe('SIGNET_E_CONTENT_RESPONSE_ID');
    expect(await code(seal(), { text: 'First  answer.\n', responseId: 'chatcmpl-1' })).toBe('valid');
  });

  it('a lone surrogate never matches the U+FFFD it would encode as', async () => {
    const text = 'Broken \ufffd text.';
    const env = seal({ content: [digestContent(nodeBackend, text)] });
    expect(await code(env, { text })).toBe('valid');
    expect(await code(env, { text: 'Broken \ud800 text.' })).toBe('SIGNET_E_CONTENT_MISMATCH');
    expect(() => digestContent(nodeBackend, 'Broken \ud800 text.')).toThrow(/lone surrogate/);
  });

  it('checks the exact body bytes when given, and fails on another digest or media type', async () => {
    const digest = nodeBackend.sha256(utf8('{"exact":"bytes"}'));
    const env = seal({ body: { media: 'json', digest } });
    expect(await code(env, { response, body: { media: 'json', digest } })).toBe('valid');
    expect(await code(env, { response, body: { media: 'json', digest: nodeBackend.sha256(utf8('other')) } })).toBe(
      'SIGNET_E_CONTENT_BODY_MISMATCH',
    );
    expect(await code(env, { response, body: { media: 'sse', digest } })).toBe('SIGNET_E_CONTENT_BODY_MISMATCH');
    expect(await code(seal(), { response, body: { media: 'json', digest } })).toBe('SIGNET_E_CONTENT_BODY_MISSING');
    // With the bytes checked, members outside the content digests are covered by them.
    expect(await code(env, { response: withMessage({ audio: { id: 'a' } }), body: { media: 'json', digest } })).toBe('valid');
  });

  it('honours CWT exp and nbf in COSE envelopes', async () => {
    expect(await code(seal({ expiresAt: T0 - 3600 }), { response })).toBe('SIGNET_E_TIME_EXPIRED');
    expect(await code(seal({ notBefore: T0 + 7200 }), { response })).toBe('SIGNET_E_TIME_NOT_YET_VALID');
    expect(await code(seal({ expiresAt: T0 + 3600, notBefore: T0 - 60 }), { response })).toBe('valid');
  });

  it('requires the COSE_Sign1 tag the spec requires', async () => {
    expect(await code(seal().subarray(1), { response })).toBe('SIGNET_E_PARSE_MALFORMED');
  });

  it('reports no claims from an envelope whose signature failed', async () => {
    const bad = seal();
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    const broken = await verifier().verify(bad, { response });
    expect(broken).toMatchObject({ valid: false, code: 'SIGNET_E_SIG_INVALID' });
    expect('claims' in broken).toBe(false);
  });
});
