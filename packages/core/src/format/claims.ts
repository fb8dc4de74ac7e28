import type { CborWriter } from './cbor.js';
import type { ChoiceDigests } from './content.js';
import { SignetError } from '../primitives/errors.js';
import { CAWG_ENTRIES, USAGE_VALUES, type TermsClaim, type UsagePreferences, type UsageValue } from './terms.js';

/**
 * The claims of an envelope and their CBOR form. See docs/spec.md for the CDDL.
 *
 * `issuer`, `responseId` and `issuedAt` travel as CWT claims (iss 1, sub 2, iat 6) in the protected
 * header's CWT claims map (label 15, RFC 9597), which makes the envelope a SCITT signed statement.
 * Everything else is the payload: a Signet statement map with its own small integer keys.
 */

/** The media type of a sealed body. */
export type BodyMedia = 'json' | 'sse';

/** The body claim of an envelope. */
export interface BodyDigest {
  readonly media: BodyMedia;
  readonly digest: Uint8Array;
}

/** How the account is identified. */
export interface AccountClaim {
  /** `linkable`: one HMAC tag per account. `commitment`: a fresh salted commitment per response. */
  readonly mode: 'linkable' | 'commitment';
  /** The tag (16 bytes) or commitment (32 bytes). */
  readonly tag: Uint8Array;
  /** Optional: the account id encrypted to designated auditors (compact JWE). */
  readonly sealedId?: string;
}

/** Everything an envelope states. */
export interface EnvelopeClaims {
  /** Who issued the envelope (the provider), usually an HTTPS origin. */
  readonly issuer: string;
  /** The response id (the upstream id, for example `chatcmpl-...`). */
  readonly responseId: string;
  /** Issue time, whole seconds since the epoch. */
  readonly issuedAt: number;
  /** CWT `exp` (RFC 8392), when the envelope sets one: not valid at or after this time. */
  readonly expiresAt?: number;
  /** CWT `nbf` (RFC 8392), when the envelope sets one: not valid before this time. */
  readonly notBefore?: number;
  /** The model that produced the response. */
  readonly model: string;
  readonly account: AccountClaim;
  readonly terms: TermsClaim;
  /** SHA-256 of the RFC 8785 canonical request body, when a request was given. */
  readonly requestDigest?: Uint8Array;
  /** One entry per choice, in choice-index order. */
  readonly content: readonly ChoiceDigests[];
  /** True when the response was cut off before it completed (a broken stream). */
  readonly partial?: boolean;
  /**
   * SHA-256 of the exact bytes the client receives before the carrier (the whole JSON body without
   * the `signet` member, or every byte of an event stream before the carrier event), and their media
   * type. Present when the response was sealed on its way to a client; see `body.ts`.
   */
  readonly body?: BodyDigest;
}

/** Payload format version. */
export const STATEMENT_VERSION = 1;

// Payload keys.
const P_VERSION = 1;
const P_MODEL = 2;
const P_ACCOUNT = 3;
const P_TERMS = 4;
const P_REQUEST = 5;
const P_CONTENT = 6;
const P_PARTIAL = 7;
const P_BODY = 8;
// Body keys.
const B_MEDIA = 1;
const B_DIGEST = 2;
/** Media codes of the body claim. */
const MEDIA_CODES: readonly BodyMedia[] = ['json', 'sse'];
// Account keys (1 is reserved: the mode is implied by the tag length).
const A_TAG = 2;
const A_SEALED = 3;
// Terms keys.
const T_ID = 1;
const T_VERSION = 2;
const T_DIGEST = 3;
const T_URI = 4;
const T_USAGE = 5;
// Choice keys.
const C_EXACT = 1;
const C_NORMALIZED = 2;
const C_ROOT = 3;
const C_COUNT = 4;
const C_STRUCTURED = 5;

const MAX_TEXT = 1024;
const MAX_CHOICES = 128;

function encodeUsage(usage: UsagePreferences): Map<number | string, number> {
  const out = new Map<number | string, number>();
  for (const [name, value] of Object.entries(usage)) {
    const code = CAWG_ENTRIES.indexOf(name as (typeof CAWG_ENTRIES)[number]);
    out.set(code >= 0 ? code + 1 : name, USAGE_VALUES.indexOf(value));
  }
  return out;
}

/** The payload map of the claims (before deterministic encoding). */
export function claimsToPayload(claims: EnvelopeClaims): Map<number, unknown> {
  // The mode is implied by the tag's length (16: linkable tag, 32: commitment), so it is not written.
  const account = new Map<number, unknown>([[A_TAG, claims.account.tag]]);
  if (claims.account.sealedId !== undefined) account.set(A_SEALED, claims.account.sealedId);
  const terms = new Map<number, unknown>([
    [T_ID, claims.terms.id],
    [T_VERSION, claims.terms.version],
    [T_DIGEST, claims.terms.digest],
    [T_URI, claims.terms.uri],
    [T_USAGE, encodeUsage(claims.terms.usage)],
  ]);
  const content = claims.content.map((c) => {
    const m = new Map<number, unknown>([
      [C_EXACT, c.exact],
      [C_NORMALIZED, c.normalized],
      [C_ROOT, c.chunkRoot],
      [C_COUNT, c.chunkCount],
    ]);
    if (c.structured !== undefined) m.set(C_STRUCTURED, c.structured);
    return m;
  });
  const payload = new Map<number, unknown>([
    [P_VERSION, STATEMENT_VERSION],
    [P_MODEL, claims.model],
    [P_ACCOUNT, account],
    [P_TERMS, terms],
  ]);
  if (claims.requestDigest !== undefined) payload.set(P_REQUEST, claims.requestDigest);
  payload.set(P_CONTENT, content);
  if (claims.partial === true) payload.set(P_PARTIAL, true);
  if (claims.body !== undefined)
    payload.set(
      P_BODY,
      new Map<number, unknown>([
        [B_MEDIA, MEDIA_CODES.indexOf(claims.body.media) + 1],
        [B_DIGEST, claims.body.digest],
      ]),
    );
  return payload;
}

/**
 * Writes the payload of the claims: the same bytes as `encodeCbor(claimsToPayload(claims))`, without
 * building the maps. Keys go out in ascending order, which is deterministic order for small
 * unsigned integers; values go through the writer's generic item encoding at the depth they have
 * in the payload, so every check and refusal stays the same. Only the usage map, whose keys come
 * from the caller, is built and sorted.
 */
export function writePayload(w: CborWriter, claims: EnvelopeClaims): void {
  const { account, terms, requestDigest, content, body } = claims;
  const partial = claims.partial === true;
  w.head(5, 4 + (requestDigest === undefined ? 0 : 1) + 1 + (partial ? 1 : 0) + (body === undefined ? 0 : 1));
  w.head(0, P_VERSION);
  w.head(0, STATEMENT_VERSION);
  w.head(0, P_MODEL);
  w.item(claims.model, 1);
  w.head(0, P_ACCOUNT);
  w.head(5, account.sealedId === undefined ? 1 : 2);
  w.head(0, A_TAG);
  w.item(account.tag, 2);
  if (account.sealedId !== undefined) {
    w.head(0, A_SEALED);
    w.item(account.sealedId, 2);
  }
  w.head(0, P_TERMS);
  w.head(5, 5);
  w.head(0, T_ID);
  w.item(terms.id, 2);
  w.head(0, T_VERSION);
  w.item(terms.version, 2);
  w.head(0, T_DIGEST);
  w.item(terms.digest, 2);
  w.head(0, T_URI);
  w.item(terms.uri, 2);
  w.head(0, T_USAGE);
  w.item(encodeUsage(terms.usage), 2);
  if (requestDigest !== undefined) {
    w.head(0, P_REQUEST);
    w.item(requestDigest, 1);
  }
  w.head(0, P_CONTENT);
  w.head(4, content.length);
  for (const c of content) {
    w.head(5, c.structured === undefined ? 4 : 5);
    w.head(0, C_EXACT);
    w.item(c.exact, 3);
    w.head(0, C_NORMALIZED);
    w.item(c.normalized, 3);
    w.head(0, C_ROOT);
    w.item(c.chunkRoot, 3);
    w.head(0, C_COUNT);
    w.item(c.chunkCount, 3);
    if (c.structured !== undefined) {
      w.head(0, C_STRUCTURED);
      w.item(c.structured, 3);
    }
  }
  if (partial) {
    w.head(0, P_PARTIAL);
    w.item(true, 1);
  }
  if (body !== undefined) {
    w.head(0, P_BODY);
    w.head(5, 2);
    w.head(0, B_MEDIA);
    w.item(MEDIA_CODES.indexOf(body.media) + 1, 2);
    w.head(0, B_DIGEST);
    w.item(body.digest, 2);
  }
}

// ---- decoding: strict shape checks, every failure a parse-step error ----

function bad(
  message: string,
  code:
    | 'SIGNET_E_PARSE_WRONG_TYPE'
    | 'SIGNET_E_PARSE_MISSING_FIELD'
    | 'SIGNET_E_PARSE_UNKNOWN_FIELD'
    | 'SIGNET_E_PARSE_UNSUPPORTED_VERSION' = 'SIGNET_E_PARSE_WRONG_TYPE',
): never {
  throw new SignetError(code, message, { step: 'parse' });
}

function asMap(v: unknown, what: string, allowed: readonly (number | string)[] | null): Map<unknown, unknown> {
  if (!(v instanceof Map)) bad(`${what} must be a map.`);
  if (allowed !== null)
    for (const k of v.keys())
      if (!allowed.includes(k as number)) bad(`${what} has an unknown field ${String(k)}.`, 'SIGNET_E_PARSE_UNKNOWN_FIELD');
  return v;
}

function req(m: Map<unknown, unknown>, key: number, what: string): unknown {
  if (!m.has(key)) bad(`${what} is missing.`, 'SIGNET_E_PARSE_MISSING_FIELD');
  return m.get(key);
}

function text(v: unknown, what: string): string {
  if (typeof v !== 'string') bad(`${what} must be a text string.`);
  if (v.length > MAX_TEXT) bad(`${what} is longer than ${MAX_TEXT} characters.`);
  return v;
}

function bytes(v: unknown, what: string, length: number): Uint8Array {
  if (!(v instanceof Uint8Array)) bad(`${what} must be a byte string.`);
  if (v.length !== length) bad(`${what} must be ${length} bytes.`);
  return v;
}

function uint(v: unknown, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) bad(`${what} must be an unsigned integer.`);
  return v;
}

function decodeUsage(v: unknown): UsagePreferences {
  const m = asMap(v, 'terms usage', null);
  if (m.size > 32) bad('terms usage has too many entries.');
  const out: Record<string, UsageValue> = {};
  for (const [k, code] of m) {
    const name = typeof k === 'number' ? CAWG_ENTRIES[k - 1] : typeof k === 'string' ? text(k, 'usage entry') : undefined;
    if (name === undefined) bad('terms usage has an unknown entry code.');
    // A standard entry has exactly one encoding, its integer code (spec 2.5); as text it could also
    // sit next to its code with another value and make the terms ambiguous.
    if (typeof k === 'string' && (CAWG_ENTRIES as readonly string[]).includes(k)) {
      throw new SignetError('SIGNET_E_PARSE_NOT_CANONICAL', `terms usage writes ${k} as text; it must use its integer code.`, {
        step: 'parse',
      });
    }
    if (name === '__proto__') bad('terms usage has an invalid entry name.');
    const value = USAGE_VALUES[uint(code, 'usage value', USAGE_VALUES.length - 1)] as UsageValue;
    out[name] = value;
  }
  return out;
}

/** Header claims carried in the protected header's CWT claims map. */
export interface HeaderClaims {
  issuer: string;
  responseId: string;
  issuedAt: number;
}

/** Decodes and checks a payload map plus header claims into {@link EnvelopeClaims}. */
export function payloadToClaims(payload: unknown, header: HeaderClaims): EnvelopeClaims {
  const p = asMap(payload, 'payload', [P_VERSION, P_MODEL, P_ACCOUNT, P_TERMS, P_REQUEST, P_CONTENT, P_PARTIAL, P_BODY]);
  const version = uint(req(p, P_VERSION, 'format version'), 'format version');
  if (version !== STATEMENT_VERSION)
    bad(
      `Format version ${version} is not supported (this verifier knows version ${STATEMENT_VERSION}).`,
      'SIGNET_E_PARSE_UNSUPPORTED_VERSION',
    );
  const a = asMap(req(p, P_ACCOUNT, 'account'), 'account', [A_TAG, A_SEALED]);
  const rawTag = req(a, A_TAG, 'account tag');
  const mode = rawTag instanceof Uint8Array && rawTag.length === 32 ? 'commitment' : 'linkable';
  const sealed = a.get(A_SEALED);
  const account: AccountClaim = {
    mode,
    tag: bytes(rawTag, 'account tag', mode === 'linkable' ? 16 : 32),
    ...(sealed === undefined ? {} : { sealedId: text(sealed, 'sealed account id') }),
  };
  const t = asMap(req(p, P_TERMS, 'terms'), 'terms', [T_ID, T_VERSION, T_DIGEST, T_URI, T_USAGE]);
  const terms: TermsClaim = {
    id: text(req(t, T_ID, 'terms id'), 'terms id'),
    version: text(req(t, T_VERSION, 'terms version'), 'terms version'),
    digest: bytes(req(t, T_DIGEST, 'terms digest'), 'terms digest', 32),
    uri: text(req(t, T_URI, 'terms uri'), 'terms uri'),
    usage: decodeUsage(req(t, T_USAGE, 'terms usage')),
  };
  const rawContent = req(p, P_CONTENT, 'content');
  if (!Array.isArray(rawContent)) bad('content must be an array.');
  if (rawContent.length === 0 || rawContent.length > MAX_CHOICES) bad(`content must have 1 to ${MAX_CHOICES} choices.`);
  const content: ChoiceDigests[] = rawContent.map((raw, i) => {
    const c = asMap(raw, `choice ${i}`, [C_EXACT, C_NORMALIZED, C_ROOT, C_COUNT, C_STRUCTURED]);
    const structured = c.get(C_STRUCTURED);
    return {
      exact: bytes(req(c, C_EXACT, `choice ${i} exact digest`), 'exact digest', 32),
      normalized: bytes(req(c, C_NORMALIZED, `choice ${i} normalized digest`), 'normalized digest', 32),
      chunkRoot: bytes(req(c, C_ROOT, `choice ${i} chunk root`), 'chunk root', 32),
      chunkCount: uint(req(c, C_COUNT, `choice ${i} chunk count`), 'chunk count'),
      ...(structured === undefined ? {} : { structured: bytes(structured, 'structured digest', 32) }),
    };
  });
  const request = p.get(P_REQUEST);
  const partial = p.get(P_PARTIAL);
  if (partial !== undefined && partial !== true) bad('partial must be true when present.');
  const rawBody = p.get(P_BODY);
  let body: BodyDigest | undefined;
  if (rawBody !== undefined) {
    const b = asMap(rawBody, 'body', [B_MEDIA, B_DIGEST]);
    const media = MEDIA_CODES[uint(req(b, B_MEDIA, 'body media'), 'body media', MEDIA_CODES.length) - 1];
    if (media === undefined) bad('body media is unknown.');
    body = { media, digest: bytes(req(b, B_DIGEST, 'body digest'), 'body digest', 32) };
  }
  return {
    issuer: header.issuer,
    responseId: header.responseId,
    issuedAt: header.issuedAt,
    model: text(req(p, P_MODEL, 'model'), 'model'),
    account,
    terms,
    ...(request === undefined ? {} : { requestDigest: bytes(request, 'request digest', 32) }),
    content,
    ...(partial === true ? { partial: true } : {}),
    ...(body === undefined ? {} : { body }),
  };
}

/** Checks claims given to a signer (misuse throws TypeError/RangeError, as for any API misuse). */
export function assertClaimsShape(claims: EnvelopeClaims): void {
  for (const [name, v] of [
    ['issuer', claims.issuer],
    ['responseId', claims.responseId],
    ['model', claims.model],
    ['terms.id', claims.terms.id],
    ['terms.version', claims.terms.version],
    ['terms.uri', claims.terms.uri],
  ] as const) {
    if (typeof v !== 'string' || v.length === 0) throw new TypeError(`${name} must be a non-empty string`);
    if (v.length > MAX_TEXT) throw new RangeError(`${name} is longer than ${MAX_TEXT} characters`);
  }
  if (!Number.isSafeInteger(claims.issuedAt) || claims.issuedAt < 0) throw new RangeError('issuedAt must be whole seconds since the epoch');
  if (claims.content.length === 0 || claims.content.length > MAX_CHOICES)
    throw new RangeError(`a response has 1 to ${MAX_CHOICES} choices`);
  if (claims.body !== undefined && (!MEDIA_CODES.includes(claims.body.media) || claims.body.digest.length !== 32))
    throw new RangeError('body must name json or sse and carry a 32-byte digest');
}
