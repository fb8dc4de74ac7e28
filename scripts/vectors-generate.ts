import { concatBytes, NO_AI_TRAINING, SigningKey, toBase64url, toJwks, utf8, type Jwks } from '../packages/core/src/index.js';
import { nodeBackend } from '../packages/core/src/backend/node.js';
import { createSigner, type Signer } from '../packages/server/src/signer.js';

/**
 * The generated test vectors of docs/vectors/. Everything is fixed: key seeds are SHA-256 of a
 * label, the clock is a constant, response ids are given, and Ed25519 signatures are deterministic,
 * so the same code always writes the same bytes. CI regenerates the files and fails on any change.
 *
 * Expected results come from the mutation itself (a flipped signature bit must fail the signature
 * step, a cut envelope must fail parsing ...), never from running the verifier.
 */

/** Format tag of the vector files. */
export const VECTORS_FORMAT = 'signet-vectors/v1';

/** The fixed clock: issued-at of the vectors (2026-01-01T00:00:00Z) and the verification time. */
export const ISSUED_AT = 1_767_225_600;
export const VERIFY_AT = ISSUED_AT + 60;
const DAY = 86_400;

/** Policy fields a vector may set; byte strings are base64url. */
export interface VectorPolicy {
  issuers?: string[];
  accountTags?: string[];
  terms?: { id?: string; version?: string; digest?: string };
  models?: string[];
  allowNormalized?: boolean;
}

/** One vector: `{desc, input..., want | wantErr, code}`. */
export interface VectorCase {
  desc: string;
  family: string;
  /** COSE envelope as base64url (cose.json) or compact JWS (jws.json). */
  envelope: string;
  /** Name of the JWKS in the file's `jwks` map that the verifier trusts. */
  trust: string;
  /** Verification time, seconds since the epoch. */
  now: number;
  text?: string;
  choice?: number;
  response?: unknown;
  request?: unknown;
  termsDocument?: string;
  policy?: VectorPolicy;
  want?: { valid: true; match: 'exact' | 'normalized'; requestChecked: boolean };
  wantErr?: true;
  code?: string;
  step?: string;
}

/** A vector file. */
export interface VectorFile {
  format: string;
  profile: 'cose' | 'jws';
  description: string;
  jwks: Record<string, Jwks>;
  cases: VectorCase[];
}

const seed = (label: string): Uint8Array => nodeBackend.sha256(utf8(`signet test vectors/${label}`));
const key = (label: string, validity: { notBefore?: number; notAfter?: number }): SigningKey =>
  new SigningKey(seed(label), validity, nodeBackend);

/** The fixed keys. Test keys only: their seeds are public. */
export function vectorKeys() {
  return {
    main: key('key/main', { notBefore: ISSUED_AT - 30 * DAY, notAfter: ISSUED_AT + 365 * DAY }),
    retired: key('key/retired', { notBefore: ISSUED_AT - 400 * DAY, notAfter: ISSUED_AT - DAY }),
    next: key('key/next', { notBefore: ISSUED_AT + DAY }),
    stranger: key('key/stranger', {}),
  };
}

const TERMS_2026 = {
  id: 'example-api-terms',
  version: '2026-01',
  uri: 'https://example.com/terms/2026-01',
  document: 'Outputs may not be used to develop models that compete with ours.\n',
  usage: NO_AI_TRAINING,
};
const TERMS_2025 = {
  id: 'example-api-terms',
  version: '2025-06',
  uri: 'https://example.com/terms/2025-06',
  document: 'Earlier terms.\n',
  usage: { 'cawg.ai_training': 'constrained' as const },
};
const ACCOUNT_SECRET = seed('account-secret');
const TEXT = 'The Eiffel Tower is 330 metres tall.\n\nIt was completed in 1889.';
const REQUEST = { model: 'gpt-example', messages: [{ role: 'user', content: 'How tall is the Eiffel Tower?' }], temperature: 0 };
const RESPONSE = {
  id: 'chatcmpl-vectors-0002',
  object: 'chat.completion',
  created: ISSUED_AT,
  model: 'gpt-example',
  choices: [
    { index: 0, message: { role: 'assistant', content: 'First choice.' }, finish_reason: 'stop' },
    {
      index: 1,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'height_of', arguments: '{"landmark":"Eiffel Tower"}' } }],
      },
      finish_reason: 'tool_calls',
    },
  ],
};

function signer(
  k: SigningKey | { kid: string; publicKey: Uint8Array; sign(m: Uint8Array): Uint8Array },
  issuedAt = ISSUED_AT,
  terms: typeof TERMS_2026 | typeof TERMS_2025 = TERMS_2026,
): Signer {
  return createSigner({
    issuer: 'https://api.example.com',
    key: k,
    accountSecret: ACCOUNT_SECRET,
    terms,
    backend: nodeBackend,
    now: () => issuedAt * 1000,
  });
}

/** Seals text; `request: null` seals without a request digest. */
const sealText = (s: Signer, id: string, account = 'acct_alice', text = TEXT, request: unknown = REQUEST) =>
  s.seal({ account, response: text, model: 'gpt-example', responseId: id, ...(request === null ? {} : { request }) });

/** Flips bit 0 of the byte at `index`. */
function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[index]! ^= 0x01;
  return out;
}

/** Offset of the first occurrence of `needle` in `haystack` (the generator's own bookkeeping). */
function offsetOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('vector generator: part not found in envelope');
}

const fail = (code: string, step: string) => ({ wantErr: true as const, code, step });
const ok = (match: 'exact' | 'normalized', requestChecked: boolean) => ({ want: { valid: true as const, match, requestChecked } });

async function coseVectors(): Promise<VectorFile> {
  const keys = vectorKeys();
  const main = signer(keys.main);
  const base = { trust: 'main', now: VERIFY_AT };
  const sealed = await sealText(main, 'chatcmpl-vectors-0001');
  const env = sealed.envelope;
  const b64 = toBase64url;
  const cases: VectorCase[] = [];
  const add = (c: VectorCase): void => void cases.push(c);

  // Valid envelopes.
  add({
    desc: 'exact text with its request',
    family: 'valid',
    envelope: b64(env),
    ...base,
    text: TEXT,
    request: REQUEST,
    ...ok('exact', true),
  });
  const whole = await main.seal({ account: 'acct_alice', response: RESPONSE, request: REQUEST });
  add({
    desc: 'whole chat.completion: two choices, one a tool call, with request and terms document',
    family: 'valid',
    envelope: b64(whole.envelope),
    ...base,
    response: RESPONSE,
    request: REQUEST,
    termsDocument: TERMS_2026.document,
    ...ok('exact', true),
  });
  add({
    desc: 'one choice of a multi-choice response, by index',
    family: 'valid',
    envelope: b64(whole.envelope),
    ...base,
    text: 'First choice.',
    choice: 0,
    ...ok('exact', false),
  });
  add({
    desc: 'policy matching issuer, account, terms and model',
    family: 'valid',
    envelope: b64(env),
    ...base,
    text: TEXT,
    policy: {
      issuers: ['https://api.example.com'],
      accountTags: [b64(main.accountTag('acct_alice'))],
      terms: { id: TERMS_2026.id, version: TERMS_2026.version, digest: b64(main.terms.digest) },
      models: ['gpt-example'],
    },
    ...ok('exact', false),
  });

  // Normalized-text match: the second digest survives trivial reformatting, and only that.
  add({
    desc: 'text re-wrapped and re-indented',
    family: 'normalized-text',
    envelope: b64(env),
    ...base,
    text: '  The Eiffel Tower is 330 metres tall. It was completed in 1889.\r\n',
    policy: { allowNormalized: true },
    ...ok('normalized', false),
  });
  add({
    desc: 'text with non-breaking spaces and tabs',
    family: 'normalized-text',
    envelope: b64(env),
    ...base,
    text: 'The\u00a0Eiffel Tower is 330 metres tall.\t\tIt was completed in 1889.',
    policy: { allowNormalized: true },
    ...ok('normalized', false),
  });
  const nfc = await sealText(main, 'chatcmpl-vectors-0003', 'acct_alice', 'Caf\u00e9 cr\u00e8me, na\u00efve r\u00e9sum\u00e9.', null);
  add({
    desc: 'decomposed (NFD) copy of a composed text',
    family: 'normalized-text',
    envelope: b64(nfc.envelope),
    ...base,
    text: 'Caf\u00e9 cr\u00e8me, na\u00efve r\u00e9sum\u00e9.'.normalize('NFD'),
    policy: { allowNormalized: true },
    ...ok('normalized', false),
  });
  add({
    desc: 'reformatted text under the default policy (exact matches only)',
    family: 'normalized-text',
    envelope: b64(env),
    ...base,
    text: 'The Eiffel Tower is 330 metres tall. It was completed in 1889.',
    ...fail('SIGNET_E_CONTENT_MISMATCH', 'content'),
  });
  add({
    desc: 'one word changed',
    family: 'text',
    envelope: b64(env),
    ...base,
    text: TEXT.replace('330', '331'),
    ...fail('SIGNET_E_CONTENT_MISMATCH', 'content'),
  });
  add({
    desc: 'case changed (not a formatting change)',
    family: 'text',
    envelope: b64(env),
    ...base,
    text: TEXT.toUpperCase(),
    ...fail('SIGNET_E_CONTENT_MISMATCH', 'content'),
  });
  add({
    desc: 'text truncated',
    family: 'text',
    envelope: b64(env),
    ...base,
    text: TEXT.slice(0, 36),
    ...fail('SIGNET_E_CONTENT_MISMATCH', 'content'),
  });
  add({
    desc: 'changed tool-call arguments',
    family: 'text',
    envelope: b64(whole.envelope),
    ...base,
    response: {
      ...RESPONSE,
      choices: [
        RESPONSE.choices[0],
        {
          ...RESPONSE.choices[1],
          message: {
            ...RESPONSE.choices[1]!.message,
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'height_of', arguments: '{"landmark":"Big Ben"}' } }],
          },
        },
      ],
    },
    ...fail('SIGNET_E_CONTENT_MISMATCH', 'content'),
  });

  // Bit flips at parts whose role is known.
  const sigStart = env.length - 64;
  for (const i of [0, 31, 32, 63])
    add({
      desc: `bit flip in signature byte ${i}`,
      family: 'bit-flip',
      envelope: b64(flipBit(env, sigStart + i)),
      ...base,
      text: TEXT,
      ...fail('SIGNET_E_SIG_INVALID', 'signature'),
    });
  const claims = sealed.claims;
  const exactAt = offsetOf(env, claims.content[0]!.exact);
  add({
    desc: 'bit flip in the exact content digest',
    family: 'bit-flip',
    envelope: b64(flipBit(env, exactAt + 7)),
    ...base,
    text: TEXT,
    ...fail('SIGNET_E_SIG_INVALID', 'signature'),
  });
  add({
    desc: 'bit flip in the account tag',
    family: 'bit-flip',
    envelope: b64(flipBit(env, offsetOf(env, claims.account.tag))),
    ...base,
    text: TEXT,
    ...fail('SIGNET_E_SIG_INVALID', 'signature'),
  });
  add({
    desc: 'bit flip in the issuer (protected header)',
    family: 'bit-flip',
    envelope: b64(flipBit(env, offsetOf(env, utf8('api.example.com')))),
    ...base,
    text: TEXT,
    ...fail('SIGNET_E_SIG_INVALID', 'signature'),
  });
  add({
    desc: 'bit flip in the model name',
    family: 'bit-flip',
    envelope: b64(flipBit(env, offsetOf(env, utf8('gpt-example')) + 4)),
    ...base,
    text: TEXT,
    ...fail('SIGNET_E_SIG_INVALID', 'signature'),
  });
  add({
    desc: 'bit flip in the key id',
    family: 'bit-flip',
    envelope: b64(flipBit(env, offsetOf(env, Uint8Array.from(Buffer.from(keys.main.kid, 'base64url'))) + 5)),
    ...base,
    text: TEXT,
    ...fail('SIGNET_E_KEY_UNKNOWN', 'key'),
  });
  add({
    desc: 'bit flip turning alg EdDSA (-8) into ES256 (-7)',
    family: 'bit-flip',
    envelope: b64(flipBit(env, offsetOf(env, Uint8Array.of(0x01, 0x27)) + 1)),
    ...base,
    text: TEXT,
    ...fail('SIGNET_E_HEADER_ALG', 'key'),
  });
  add({
    desc: 'bit flip in the COSE_Sign1 tag (18 -> 19)',
    family: 'bit-flip',
    envelope: b64(flipBit(env, 0)),
    ...base,
    text: TEXT,
    ...fail('SIGNET_E_PARSE_MALFORMED', 'parse'),
  });

  // Truncation and trailing bytes.
  for (const n of [0, 1, Math.floor(env.length / 2), env.length - 1])
    add({
      desc: `truncated to ${n} of ${env.length} bytes`,
      family: 'truncation',
      envelope: b64(env.subarray(0, n)),
      ...base,
      text: TEXT,
      ...fail('SIGNET_E_PARSE_MALFORMED', 'parse'),
    });
  for (const [what, extra] of [
    ['one zero byte', Uint8Array.of(0)],
    ['one 0xff byte', Uint8Array.of(0xff)],
    ['a second copy of the envelope', env],
  ] as const) {
    add({
      desc: `trailing bytes: ${what}`,
      family: 'trailing-bytes',
      envelope: b64(concatBytes(env, extra)),
      ...base,
      text: TEXT,
      ...fail('SIGNET_E_PARSE_MALFORMED', 'parse'),
    });
  }

  // Swapped account or terms: the seal is sound, the policy says no.
  const bob = await sealText(main, 'chatcmpl-vectors-0004', 'acct_bob');
  add({
    desc: "bob's envelope checked against alice's account tag",
    family: 'swapped-account',
    envelope: b64(bob.envelope),
    ...base,
    text: TEXT,
    policy: { accountTags: [b64(main.accountTag('acct_alice'))] },
    ...fail('SIGNET_E_POLICY_ACCOUNT', 'policy'),
  });
  add({
    desc: "bob's envelope checked against bob's account tag",
    family: 'swapped-account',
    envelope: b64(bob.envelope),
    ...base,
    text: TEXT,
    policy: { accountTags: [b64(main.accountTag('acct_bob'))] },
    ...ok('exact', false),
  });
  const oldTerms = await sealText(signer(keys.main, ISSUED_AT, TERMS_2025), 'chatcmpl-vectors-0005');
  add({
    desc: 'served under 2025-06 terms, policy requires 2026-01',
    family: 'swapped-terms',
    envelope: b64(oldTerms.envelope),
    ...base,
    text: TEXT,
    policy: { terms: { id: TERMS_2026.id, version: TERMS_2026.version } },
    ...fail('SIGNET_E_POLICY_TERMS', 'policy'),
  });
  add({
    desc: 'served under 2025-06 terms, checked against the 2026-01 document',
    family: 'swapped-terms',
    envelope: b64(oldTerms.envelope),
    ...base,
    text: TEXT,
    termsDocument: TERMS_2026.document,
    ...fail('SIGNET_E_POLICY_TERMS', 'policy'),
  });
  add({
    desc: 'served under 2026-01 terms, policy requires the 2025-06 document digest',
    family: 'swapped-terms',
    envelope: b64(env),
    ...base,
    text: TEXT,
    policy: { terms: { digest: b64(nodeBackend.sha256(utf8(TERMS_2025.document))) } },
    ...fail('SIGNET_E_POLICY_TERMS', 'policy'),
  });

  // Wrong key.
  const stranger = await sealText(signer(keys.stranger), 'chatcmpl-vectors-0006');
  add({
    desc: 'signed by a key the trust JWKS does not hold',
    family: 'wrong-key',
    envelope: b64(stranger.envelope),
    ...base,
    text: TEXT,
    ...fail('SIGNET_E_KEY_UNKNOWN', 'key'),
  });
  const impostor = await sealText(
    signer({ kid: keys.main.kid, publicKey: keys.main.publicKey, sign: (m) => keys.stranger.sign(m) }),
    'chatcmpl-vectors-0007',
  );
  add({
    desc: "signed by another key under the trusted key's kid",
    family: 'wrong-key',
    envelope: b64(impostor.envelope),
    ...base,
    text: TEXT,
    ...fail('SIGNET_E_SIG_INVALID', 'signature'),
  });
  add({
    desc: 'trust JWKS holding only a different key',
    family: 'wrong-key',
    envelope: b64(env),
    trust: 'next',
    now: VERIFY_AT,
    text: TEXT,
    ...fail('SIGNET_E_KEY_UNKNOWN', 'key'),
  });

  // Key validity windows.
  const retired = await sealText(signer(keys.retired), 'chatcmpl-vectors-0008');
  add({
    desc: 'signed after the key expired',
    family: 'expired-key',
    envelope: b64(retired.envelope),
    ...base,
    text: TEXT,
    ...fail('SIGNET_E_KEY_EXPIRED', 'validity'),
  });
  const beforeRetirement = await sealText(signer(keys.retired, ISSUED_AT - 2 * DAY), 'chatcmpl-vectors-0009');
  add({
    desc: 'signed by the retired key while it was valid (rotation keeps old envelopes valid)',
    family: 'expired-key',
    envelope: b64(beforeRetirement.envelope),
    ...base,
    text: TEXT,
    ...ok('exact', false),
  });
  const early = await sealText(signer(keys.next), 'chatcmpl-vectors-0010');
  add({
    desc: 'signed before the key became valid',
    family: 'expired-key',
    envelope: b64(early.envelope),
    trust: 'next',
    now: VERIFY_AT,
    text: TEXT,
    ...fail('SIGNET_E_KEY_NOT_YET_VALID', 'validity'),
  });
  const future = await sealText(signer(keys.main, VERIFY_AT + 3600), 'chatcmpl-vectors-0011');
  add({
    desc: 'issued an hour after the verification time',
    family: 'expired-key',
    envelope: b64(future.envelope),
    ...base,
    text: TEXT,
    ...fail('SIGNET_E_TIME_FUTURE', 'validity'),
  });

  // Wrong request.
  add({
    desc: 'another prompt',
    family: 'wrong-request',
    envelope: b64(env),
    ...base,
    text: TEXT,
    request: { ...REQUEST, messages: [{ role: 'user', content: 'How tall is Big Ben?' }] },
    ...fail('SIGNET_E_REQUEST_MISMATCH', 'content'),
  });
  add({
    desc: 'an extra request field',
    family: 'wrong-request',
    envelope: b64(env),
    ...base,
    text: TEXT,
    request: { ...REQUEST, seed: 1 },
    ...fail('SIGNET_E_REQUEST_MISMATCH', 'content'),
  });
  add({
    desc: 'same request, members reordered (canonical JSON)',
    family: 'wrong-request',
    envelope: b64(env),
    ...base,
    text: TEXT,
    request: { temperature: 0, messages: REQUEST.messages, model: REQUEST.model },
    ...ok('exact', true),
  });
  add({
    desc: 'a request for an envelope sealed without one',
    family: 'wrong-request',
    envelope: b64(nfc.envelope),
    ...base,
    text: 'Caf\u00e9 cr\u00e8me, na\u00efve r\u00e9sum\u00e9.',
    request: REQUEST,
    ...fail('SIGNET_E_REQUEST_MISMATCH', 'content'),
  });

  return {
    format: VECTORS_FORMAT,
    profile: 'cose',
    description: 'Signet COSE_Sign1 envelopes (base64url) with the verdict a verifier must reach. Generated by scripts/gen-vectors.ts.',
    jwks: { main: toJwks([keys.main, keys.retired]), next: toJwks([keys.next]) },
    cases,
  };
}

async function jwsVectors(): Promise<VectorFile> {
  const keys = vectorKeys();
  const main = signer(keys.main);
  const base = { trust: 'main', now: VERIFY_AT };
  const seal = (s: Signer, id: string, account = 'acct_alice') =>
    s.sealJws({ account, response: TEXT, model: 'gpt-example', responseId: id, request: REQUEST });
  const { jws } = await seal(main, 'chatcmpl-vectors-jws-0001');
  const [h, p, sig] = jws.split('.') as [string, string, string];
  const other = (await seal(main, 'chatcmpl-vectors-jws-0002')).jws.split('.')[1]!;
  const swapFirst = (s: string): string => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  const cases: VectorCase[] = [
    { desc: 'exact text with its request', family: 'valid', envelope: jws, ...base, text: TEXT, request: REQUEST, ...ok('exact', true) },
    {
      desc: 'text re-wrapped',
      family: 'normalized-text',
      envelope: jws,
      ...base,
      text: TEXT.replace('\n\n', ' '),
      policy: { allowNormalized: true },
      ...ok('normalized', false),
    },
    {
      desc: 'one word changed',
      family: 'text',
      envelope: jws,
      ...base,
      text: TEXT.replace('1889', '1890'),
      ...fail('SIGNET_E_CONTENT_MISMATCH', 'content'),
    },
    {
      desc: 'first signature character changed',
      family: 'bit-flip',
      envelope: `${h}.${p}.${swapFirst(sig)}`,
      ...base,
      text: TEXT,
      ...fail('SIGNET_E_SIG_INVALID', 'signature'),
    },
    {
      desc: 'payload of another response under this signature',
      family: 'bit-flip',
      envelope: `${h}.${other}.${sig}`,
      ...base,
      text: TEXT,
      ...fail('SIGNET_E_SIG_INVALID', 'signature'),
    },
    {
      desc: 'signature part removed',
      family: 'truncation',
      envelope: `${h}.${p}`,
      ...base,
      text: TEXT,
      ...fail('SIGNET_E_PARSE_MALFORMED', 'parse'),
    },
    {
      desc: 'a fourth part appended',
      family: 'trailing-bytes',
      envelope: `${jws}.AA`,
      ...base,
      text: TEXT,
      ...fail('SIGNET_E_PARSE_MALFORMED', 'parse'),
    },
    {
      desc: "checked against another account's tag",
      family: 'swapped-account',
      envelope: jws,
      ...base,
      text: TEXT,
      policy: { accountTags: [toBase64url(main.accountTag('acct_bob'))] },
      ...fail('SIGNET_E_POLICY_ACCOUNT', 'policy'),
    },
    {
      desc: 'checked against other terms',
      family: 'swapped-terms',
      envelope: jws,
      ...base,
      text: TEXT,
      policy: { terms: { version: '2025-06' } },
      ...fail('SIGNET_E_POLICY_TERMS', 'policy'),
    },
    {
      desc: 'signed by a key the trust JWKS does not hold',
      family: 'wrong-key',
      envelope: (await seal(signer(keys.stranger), 'chatcmpl-vectors-jws-0003')).jws,
      ...base,
      text: TEXT,
      ...fail('SIGNET_E_KEY_UNKNOWN', 'key'),
    },
    {
      desc: 'signed after the key expired',
      family: 'expired-key',
      envelope: (await seal(signer(keys.retired), 'chatcmpl-vectors-jws-0004')).jws,
      ...base,
      text: TEXT,
      ...fail('SIGNET_E_KEY_EXPIRED', 'validity'),
    },
    {
      desc: 'another prompt',
      family: 'wrong-request',
      envelope: jws,
      ...base,
      text: TEXT,
      request: { ...REQUEST, temperature: 1 },
      ...fail('SIGNET_E_REQUEST_MISMATCH', 'content'),
    },
  ];
  return {
    format: VECTORS_FORMAT,
    profile: 'jws',
    description: 'Signet JSON-profile envelopes (compact JWS) with the verdict a verifier must reach. Generated by scripts/gen-vectors.ts.',
    jwks: { main: toJwks([keys.main, keys.retired]) },
    cases,
  };
}

/** Renders a file exactly as it is committed: two-space JSON and a final newline. */
export function renderVectorFile(file: VectorFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** All vector files by name (relative to docs/vectors/), rendered. */
export async function generateVectors(): Promise<Map<string, string>> {
  return new Map([
    ['cose.json', renderVectorFile(await coseVectors())],
    ['jws.json', renderVectorFile(await jwsVectors())],
  ]);
}
