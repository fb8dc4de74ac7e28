import { fromBase64url, toBase64url, utf8 } from '../primitives/bytes.js';
import type { EnvelopeClaims } from './claims.js';
import { ALG_EDDSA } from './cose.js';
import { SignetError } from '../primitives/errors.js';
import { claimsToJson, jsonToClaims, JWS_TYPE } from './json-claims.js';
import { parseJsonStrict } from '../primitives/strict-json.js';

/**
 * The JSON profile's one JWS codec (RFC 7515 compact serialization), for signer and verifier alike.
 * Parsing is strict: three parts, base64url without padding, JSON without duplicate members, a
 * protected header of exactly `alg`, `kid` and `typ`, and claims with known members only.
 */

/** Largest compact JWS accepted, in characters. */
export const MAX_JWS_CHARS = 16384;

/** The protected header of a Signet JWS. */
export interface JwsHeader {
  readonly alg: 'EdDSA';
  readonly kid: string;
  readonly typ: typeof JWS_TYPE;
}

/** The signing input of a JWS for claims (header and payload, base64url, joined by a dot). */
export function jwsSigningInput(kid: string, claims: EnvelopeClaims): string {
  const header: JwsHeader = { alg: 'EdDSA', kid, typ: JWS_TYPE };
  return `${toBase64url(utf8(JSON.stringify(header)))}.${toBase64url(utf8(JSON.stringify(claimsToJson(claims))))}`;
}

/**
 * The compact JWS from its signing input ({@link jwsSigningInput}) and the Ed25519 signature over
 * that input's UTF-8 bytes. Whatever holds the key (an in-process key, an external signer) signs
 * the same input, so every signer produces the same standard JWS.
 */
export function assembleJws(signingInput: string, signature: Uint8Array): string {
  if (!(signature instanceof Uint8Array) || signature.length !== 64) throw new TypeError('an Ed25519 signature is 64 bytes');
  return `${signingInput}.${toBase64url(signature)}`;
}

/** A parsed, not yet verified, compact JWS. */
export interface ParsedJws {
  readonly kid: string;
  /** The COSE algorithm the JOSE `alg` names (0 when it names none that is accepted). */
  readonly alg: number;
  readonly claims: EnvelopeClaims;
  readonly signature: Uint8Array;
  /** The bytes the signature covers. */
  readonly signingInput: Uint8Array;
}

function fail(
  message: string,
  code:
    | 'SIGNET_E_PARSE_MALFORMED'
    | 'SIGNET_E_PARSE_TOO_LARGE'
    | 'SIGNET_E_HEADER_CRIT'
    | 'SIGNET_E_HEADER_TYPE'
    | 'SIGNET_E_PARSE_MISSING_FIELD'
    | 'SIGNET_E_PARSE_UNKNOWN_FIELD' = 'SIGNET_E_PARSE_MALFORMED',
): never {
  throw new SignetError(code, message, { step: 'parse' });
}

const HEADER_MEMBERS = new Set(['alg', 'kid', 'typ']);

function decodePart(part: string, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(fromBase64url(part));
  } catch {
    return fail(`The JWS ${what} is not base64url UTF-8.`);
  }
}

/** Parses a compact JWS with bounded, strict decoding. Does no cryptography. */
export function parseJws(jws: string): ParsedJws {
  if (typeof jws !== 'string') fail('A JWS must be a string.');
  if (jws.length > MAX_JWS_CHARS) fail(`The JWS is longer than ${MAX_JWS_CHARS} characters.`, 'SIGNET_E_PARSE_TOO_LARGE');
  const parts = jws.trim().split('.');
  if (parts.length !== 3) fail('A compact JWS has three dot-separated parts.');
  const [h, p, s] = parts as [string, string, string];
  const header = parseJsonStrict(decodePart(h, 'header'), 'JWS header');
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return fail('The JWS header must be an object.');
  const hd = header as Record<string, unknown>;
  if (hd.crit !== undefined) fail('The JWS marks headers critical that this verifier does not understand.', 'SIGNET_E_HEADER_CRIT');
  for (const k of Object.keys(hd))
    if (!HEADER_MEMBERS.has(k))
      fail(`The JWS header has a member ${JSON.stringify(k.slice(0, 40))} this verifier does not know.`, 'SIGNET_E_PARSE_UNKNOWN_FIELD');
  if (hd.typ !== JWS_TYPE) fail(`The JWS type is not ${JWS_TYPE}.`, 'SIGNET_E_HEADER_TYPE');
  if (typeof hd.kid !== 'string' || hd.kid.length === 0 || hd.kid.length > 256)
    fail('The JWS header has no kid.', 'SIGNET_E_PARSE_MISSING_FIELD');
  const claims = jsonToClaims(parseJsonStrict(decodePart(p, 'payload'), 'JWS payload'));
  let signature: Uint8Array;
  try {
    signature = fromBase64url(s);
  } catch {
    return fail('The JWS signature is not base64url.');
  }
  return {
    kid: hd.kid,
    // The JOSE name maps onto the one pinned algorithm; anything else fails the algorithm check.
    alg: hd.alg === 'EdDSA' || hd.alg === 'Ed25519' ? ALG_EDDSA : 0,
    claims,
    signature,
    signingInput: utf8(`${h}.${p}`),
  };
}
