import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeBackend } from '../backend/node.js';
import { toHex, utf8 } from '../primitives/bytes.js';
import { SigningKey } from '../keys/signing-key.js';
import { encodeCbor } from './cbor.js';
import { claimsToPayload, type EnvelopeClaims } from './claims.js';
import { digestContent, digestRequest } from './content.js';
import { ALG_EDDSA, HEADER } from './cose.js';
import { assembleEnvelope, ENVELOPE_TYPE, kidToBytes, prepareEnvelope, signEnvelope } from './envelope.js';
import { CAWG_ENTRIES, NO_AI_TRAINING, USAGE_VALUES, type UsageValue } from './terms.js';

// Envelope bytes are the format: these were computed with the generic CBOR encoder before the
// direct writer replaced it on the sealing path, and must never change.
const key = new SigningKey(nodeBackend.sha256(utf8('envelope bytes key')), {}, nodeBackend);

const base = {
  issuer: 'https://api.example.com',
  responseId: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  issuedAt: 1_764_000_000,
  model: 'gpt-4o-mini-2024-07-18',
  account: { mode: 'linkable', tag: new Uint8Array(16).fill(7) },
  terms: {
    id: 'example-api-terms',
    version: '2026-01',
    digest: new Uint8Array(32).fill(9),
    uri: 'https://api.example.com/terms/2026-01',
    usage: NO_AI_TRAINING,
  },
  requestDigest: digestRequest(nodeBackend, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
  content: [digestContent(nodeBackend, 'Sealed text.\n\nWith two paragraphs.')],
} satisfies EnvelopeClaims;
const { requestDigest: _unused, ...withoutRequest } = base;

const cases: [string, EnvelopeClaims][] = [
  ['one choice with a request digest', base],
  [
    'everything optional: exp, nbf, sealed id, partial, body, structured part, several choices',
    {
      ...base,
      expiresAt: 1_764_086_400,
      notBefore: 1_763_999_000,
      account: { mode: 'commitment', tag: new Uint8Array(32).fill(3), sealedId: 'eyJhbGciOiJFQ0RILUVTIn0..x.y.z' },
      partial: true,
      body: { media: 'sse', digest: new Uint8Array(32).fill(5) },
      content: [
        digestContent(nodeBackend, 'a'.repeat(3000)),
        digestContent(nodeBackend, 'Ünïcödé  text\u2028with\u00a0spaces 😀', { refusal: 'no' }),
      ],
    },
  ],
  [
    'no request digest, a JSON body, usage entries out of key order, non-ASCII text fields',
    {
      ...withoutRequest,
      issuer: 'https://bücher.example',
      model: 'modèle-ß',
      terms: {
        ...base.terms,
        usage: { 'x.custom-entry': 'constrained', 'cawg.data_mining': 'allowed', 'cawg.ai_training': 'notAllowed', 'a.b': 'allowed' },
      },
      body: { media: 'json', digest: new Uint8Array(32).fill(1) },
    },
  ],
];

const expected: Record<string, { protectedBytes: string; payload: string; envelope: string }> = {
  'one choice with a request digest': {
    protectedBytes:
      'a4012704582007f58916ca6812b20df3990f74880085ed730d840ccef54f6f39d9ff1026896a0fa3017768747470733a2f2f6170692e6578616d706c652e636f6d02782663686174636d706c2d42394d427338436a63764f55326a4c6e346e3537305335714d4a4b6354061a6924810010776170706c69636174696f6e2f7369676e65742b636f7365',
    payload:
      'a6010102766770742d346f2d6d696e692d323032342d30372d313803a102500707070707070707070707070707070704a501716578616d706c652d6170692d7465726d730267323032362d3031035820090909090909090909090909090909090909090909090909090909090909090904782568747470733a2f2f6170692e6578616d706c652e636f6d2f7465726d732f323032362d303105a203010401055820996e6f3dcee7501d5989aa21a567ebf7666113a0192c15dc5f0523e97b5ec6780681a4015820e729846a15402a67d19fad8e7e25aa691e646a4e6bbb43122f65b4bcbd8946a702582065c09132db1fa3228642ef99c3c5b9be330da99790a6695ec8b9b3439ce04a1d035820aefe20218e8f84428709548be3cec0973b1069b98132ed242ff6464c9610d1280401',
    envelope:
      'd2845889a4012704582007f58916ca6812b20df3990f74880085ed730d840ccef54f6f39d9ff1026896a0fa3017768747470733a2f2f6170692e6578616d706c652e636f6d02782663686174636d706c2d42394d427338436a63764f55326a4c6e346e3537305335714d4a4b6354061a6924810010776170706c69636174696f6e2f7369676e65742b636f7365a059012fa6010102766770742d346f2d6d696e692d323032342d30372d313803a102500707070707070707070707070707070704a501716578616d706c652d6170692d7465726d730267323032362d3031035820090909090909090909090909090909090909090909090909090909090909090904782568747470733a2f2f6170692e6578616d706c652e636f6d2f7465726d732f323032362d303105a203010401055820996e6f3dcee7501d5989aa21a567ebf7666113a0192c15dc5f0523e97b5ec6780681a4015820e729846a15402a67d19fad8e7e25aa691e646a4e6bbb43122f65b4bcbd8946a702582065c09132db1fa3228642ef99c3c5b9be330da99790a6695ec8b9b3439ce04a1d035820aefe20218e8f84428709548be3cec0973b1069b98132ed242ff6464c9610d12804015840f9dff3710e260a14ad5243c553a4cdb3af234e96b152462e84a8d954e3858b43c6393dece8ad4c05b27cdcf645131f0542336ccb9591aaa27fb70eec790c6a0e',
  },
  'everything optional: exp, nbf, sealed id, partial, body, structured part, several choices': {
    protectedBytes:
      'a4012704582007f58916ca6812b20df3990f74880085ed730d840ccef54f6f39d9ff1026896a0fa5017768747470733a2f2f6170692e6578616d706c652e636f6d02782663686174636d706c2d42394d427338436a63764f55326a4c6e346e3537305335714d4a4b6354041a6925d280051a69247d18061a6924810010776170706c69636174696f6e2f7369676e65742b636f7365',
    payload:
      'a8010102766770742d346f2d6d696e692d323032342d30372d313803a2025820030303030303030303030303030303030303030303030303030303030303030303781e65794a68624763694f694a46513052494c555654496e302e2e782e792e7a04a501716578616d706c652d6170692d7465726d730267323032362d3031035820090909090909090909090909090909090909090909090909090909090909090904782568747470733a2f2f6170692e6578616d706c652e636f6d2f7465726d732f323032362d303105a203010401055820996e6f3dcee7501d5989aa21a567ebf7666113a0192c15dc5f0523e97b5ec6780682a4015820556ac82f23f64d2f41b3fb3b9a171791364021aa95c0af6df9e2b5e1d88c8038025820556ac82f23f64d2f41b3fb3b9a171791364021aa95c0af6df9e2b5e1d88c8038035820f3b559c135faa4b53ed6bd6f09fc7b1d55cda485fef05db20b0439f5029230d10403a5015820854e27af69346352af533016ee0888683e23d8520673c8ed6ce6f081b95fcc0b025820a56d88ec2f5d0ebf190eda0587e40e1ebf7f0382e15615d82aa15ca3292eb3a10358202342499662a0ce15f32e31dc470acdce225f7adfe870ea492101bcf707b798b4040105582042e2fcdb2e4312d5cfbb9269a46f9e1c48f8ec5680d4d881a2f708fa18b752a407f508a201020258200505050505050505050505050505050505050505050505050505050505050505',
    envelope:
      'd2845895a4012704582007f58916ca6812b20df3990f74880085ed730d840ccef54f6f39d9ff1026896a0fa5017768747470733a2f2f6170692e6578616d706c652e636f6d02782663686174636d706c2d42394d427338436a63764f55326a4c6e346e3537305335714d4a4b6354041a6925d280051a69247d18061a6924810010776170706c69636174696f6e2f7369676e65742b636f7365a0590219a8010102766770742d346f2d6d696e692d323032342d30372d313803a2025820030303030303030303030303030303030303030303030303030303030303030303781e65794a68624763694f694a46513052494c555654496e302e2e782e792e7a04a501716578616d706c652d6170692d7465726d730267323032362d3031035820090909090909090909090909090909090909090909090909090909090909090904782568747470733a2f2f6170692e6578616d706c652e636f6d2f7465726d732f323032362d303105a203010401055820996e6f3dcee7501d5989aa21a567ebf7666113a0192c15dc5f0523e97b5ec6780682a4015820556ac82f23f64d2f41b3fb3b9a171791364021aa95c0af6df9e2b5e1d88c8038025820556ac82f23f64d2f41b3fb3b9a171791364021aa95c0af6df9e2b5e1d88c8038035820f3b559c135faa4b53ed6bd6f09fc7b1d55cda485fef05db20b0439f5029230d10403a5015820854e27af69346352af533016ee0888683e23d8520673c8ed6ce6f081b95fcc0b025820a56d88ec2f5d0ebf190eda0587e40e1ebf7f0382e15615d82aa15ca3292eb3a10358202342499662a0ce15f32e31dc470acdce225f7adfe870ea492101bcf707b798b4040105582042e2fcdb2e4312d5cfbb9269a46f9e1c48f8ec5680d4d881a2f708fa18b752a407f508a2010202582005050505050505050505050505050505050505050505050505050505050505055840f06be41b9a80971482b928cd53d91c7cdfcb5fd53809007a22ff0c0ef4fbc622f12f21b403bd8d7e020e7ec0c8aa72af9d9710bcf0e0077a87bbbabdbb8eba0f',
  },
  'no request digest, a JSON body, usage entries out of key order, non-ASCII text fields': {
    protectedBytes:
      'a4012704582007f58916ca6812b20df3990f74880085ed730d840ccef54f6f39d9ff1026896a0fa3017768747470733a2f2f62c3bc636865722e6578616d706c6502782663686174636d706c2d42394d427338436a63764f55326a4c6e346e3537305335714d4a4b6354061a6924810010776170706c69636174696f6e2f7369676e65742b636f7365',
    payload:
      'a60101026a6d6f64c3a86c652dc39f03a102500707070707070707070707070707070704a501716578616d706c652d6170692d7465726d730267323032362d3031035820090909090909090909090909090909090909090909090909090909090909090904782568747470733a2f2f6170692e6578616d706c652e636f6d2f7465726d732f323032362d303105a40100040163612e62006e782e637573746f6d2d656e747279020681a4015820e729846a15402a67d19fad8e7e25aa691e646a4e6bbb43122f65b4bcbd8946a702582065c09132db1fa3228642ef99c3c5b9be330da99790a6695ec8b9b3439ce04a1d035820aefe20218e8f84428709548be3cec0973b1069b98132ed242ff6464c9610d128040108a201010258200101010101010101010101010101010101010101010101010101010101010101',
    envelope:
      'd2845889a4012704582007f58916ca6812b20df3990f74880085ed730d840ccef54f6f39d9ff1026896a0fa3017768747470733a2f2f62c3bc636865722e6578616d706c6502782663686174636d706c2d42394d427338436a63764f55326a4c6e346e3537305335714d4a4b6354061a6924810010776170706c69636174696f6e2f7369676e65742b636f7365a059013ca60101026a6d6f64c3a86c652dc39f03a102500707070707070707070707070707070704a501716578616d706c652d6170692d7465726d730267323032362d3031035820090909090909090909090909090909090909090909090909090909090909090904782568747470733a2f2f6170692e6578616d706c652e636f6d2f7465726d732f323032362d303105a40100040163612e62006e782e637573746f6d2d656e747279020681a4015820e729846a15402a67d19fad8e7e25aa691e646a4e6bbb43122f65b4bcbd8946a702582065c09132db1fa3228642ef99c3c5b9be330da99790a6695ec8b9b3439ce04a1d035820aefe20218e8f84428709548be3cec0973b1069b98132ed242ff6464c9610d128040108a2010102582001010101010101010101010101010101010101010101010101010101010101015840b1c99340d8e9bbf497fe7cd9e22f849ebd2c5e6409bb97f69a0a9ead774bf3ec53c4e59d6865a2c75985fda2995168dc8c7855890c98ee58b1e0e13b71896508',
  },
};

describe('envelope bytes are unchanged', () => {
  it.each(cases)('%s', (name, claims) => {
    const unsigned = prepareEnvelope(key.kid, claims);
    const envelope = signEnvelope(claims, key);
    const got = { protectedBytes: toHex(unsigned.protectedBytes), payload: toHex(unsigned.payload), envelope: toHex(envelope) };
    expect(toHex(assembleEnvelope(unsigned, key.sign(unsigned.toBeSigned)))).toBe(got.envelope);
    expect(got).toEqual(expected[name]);
  });
});

// The generic path the direct writers replaced: build the maps, encode them with encodeCbor.
function referenceEncoding(kid: string, claims: EnvelopeClaims, signature: Uint8Array, unprotected: Map<unknown, unknown>) {
  const cwt = new Map<number, unknown>([
    [1, claims.issuer],
    [2, claims.responseId],
  ]);
  if (claims.expiresAt !== undefined) cwt.set(4, claims.expiresAt);
  if (claims.notBefore !== undefined) cwt.set(5, claims.notBefore);
  cwt.set(6, claims.issuedAt);
  const protectedBytes = encodeCbor(
    new Map<number, unknown>([
      [HEADER.alg, ALG_EDDSA],
      [HEADER.kid, kidToBytes(kid)],
      [HEADER.cwtClaims, cwt],
      [HEADER.typ, ENVELOPE_TYPE],
    ]),
  );
  const payload = encodeCbor(claimsToPayload(claims));
  const toBeSigned = encodeCbor(['Signature1', protectedBytes, new Uint8Array(0), payload]);
  const envelope = Uint8Array.from([0xd2, ...encodeCbor([protectedBytes, unprotected, payload, signature])]);
  return { protectedBytes, payload, toBeSigned, envelope };
}

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const shortText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
const choice = fc.record(
  {
    exact: bytes32,
    normalized: bytes32,
    chunkRoot: bytes32,
    chunkCount: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 2 ** 40 })),
    structured: bytes32,
  },
  { requiredKeys: ['exact', 'normalized', 'chunkRoot', 'chunkCount'] },
);
const usage = fc.dictionary(
  fc.oneof(fc.constantFrom(...CAWG_ENTRIES), fc.stringMatching(/^[a-z0-9_.-]{1,30}$/)),
  fc.constantFrom<UsageValue>(...USAGE_VALUES),
  { maxKeys: 6 },
);
const time = fc.integer({ min: 0, max: 2 ** 40 });
const randomClaims: fc.Arbitrary<EnvelopeClaims> = fc.record(
  {
    issuer: shortText,
    responseId: shortText,
    issuedAt: time,
    expiresAt: time,
    notBefore: time,
    model: shortText,
    account: fc.record(
      {
        mode: fc.constantFrom('linkable' as const, 'commitment' as const),
        tag: fc.uint8Array({ minLength: 16, maxLength: 32 }),
        sealedId: fc.string({ maxLength: 300 }),
      },
      { requiredKeys: ['mode', 'tag'] },
    ),
    terms: fc.record({ id: shortText, version: shortText, digest: bytes32, uri: shortText, usage }),
    requestDigest: bytes32,
    content: fc.array(choice, { minLength: 1, maxLength: 30 }),
    partial: fc.boolean(),
    body: fc.record({ media: fc.constantFrom('json' as const, 'sse' as const), digest: bytes32 }),
  },
  { requiredKeys: ['issuer', 'responseId', 'issuedAt', 'model', 'account', 'terms', 'content'] },
);

describe("the direct envelope writers give the generic encoder's bytes", () => {
  it('for random claims: header, payload, Sig_structure and the assembled envelope', () => {
    fc.assert(
      fc.property(randomClaims, fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.boolean(), (claims, signature, withHeader) => {
        const unprotected = withHeader
          ? new Map<unknown, unknown>([
              [394, [new Uint8Array(3)]],
              ['x', 1],
            ])
          : new Map();
        const want = referenceEncoding(key.kid, claims, signature, unprotected);
        const unsigned = prepareEnvelope(key.kid, claims);
        expect(toHex(unsigned.protectedBytes)).toBe(toHex(want.protectedBytes));
        expect(toHex(unsigned.payload)).toBe(toHex(want.payload));
        expect(toHex(unsigned.toBeSigned)).toBe(toHex(want.toBeSigned));
        expect(toHex(assembleEnvelope(unsigned, signature, unprotected))).toBe(toHex(want.envelope));
      }),
      { numRuns: 400 },
    );
  });

  it('refuses what the generic encoder refuses (a fractional chunk count)', () => {
    const bad = { ...base, content: [{ ...base.content[0]!, chunkCount: 1.5 }] };
    expect(() => encodeCbor(claimsToPayload(bad))).toThrow(TypeError);
    expect(() => prepareEnvelope(key.kid, bad)).toThrow(TypeError);
  });
});
