import { fromBase64url, toBase64url } from '../primitives/bytes.js';
import type { AccountClaim, EnvelopeClaims } from './claims.js';
import type { ChoiceDigests } from './content.js';
import { SignetError } from '../primitives/errors.js';
import { validateUsage } from './terms.js';

/**
 * The JSON profile's claims: the same claims as the COSE envelope, as a JWT-style JSON object with
 * byte strings in base64url. Signed as a compact JWS with `typ` {@link JWS_TYPE}.
 */

/** The JWS `typ` header of the JSON profile. */
export const JWS_TYPE = 'signet+jws';

/** JSON claims of the JWS profile. */
export interface JsonClaims {
  iss: string;
  sub: string;
  iat: number;
  exp?: number;
  nbf?: number;
  signet: {
    v: 1;
    model: string;
    account: { mode: 'linkable' | 'commitment'; tag: string; sealedId?: string };
    terms: { id: string; version: string; digest: string; uri: string; usage: Record<string, string> };
    request?: string;
    content: { exact: string; normalized: string; chunkRoot: string; chunkCount: number; structured?: string }[];
    partial?: true;
    body?: { media: 'json' | 'sse'; digest: string };
  };
}

/** Claims to their JSON form. */
export function claimsToJson(claims: EnvelopeClaims): JsonClaims {
  return {
    iss: claims.issuer,
    sub: claims.responseId,
    iat: claims.issuedAt,
    ...(claims.expiresAt === undefined ? {} : { exp: claims.expiresAt }),
    ...(claims.notBefore === undefined ? {} : { nbf: claims.notBefore }),
    signet: {
      v: 1,
      model: claims.model,
      account: {
        mode: claims.account.mode,
        tag: toBase64url(claims.account.tag),
        ...(claims.account.sealedId === undefined ? {} : { sealedId: claims.account.sealedId }),
      },
      terms: {
        id: claims.terms.id,
        version: claims.terms.version,
        digest: toBase64url(claims.terms.digest),
        uri: claims.terms.uri,
        usage: { ...claims.terms.usage },
      },
      ...(claims.requestDigest === undefined ? {} : { request: toBase64url(claims.requestDigest) }),
      content: claims.content.map((c) => ({
        exact: toBase64url(c.exact),
        normalized: toBase64url(c.normalized),
        chunkRoot: toBase64url(c.chunkRoot),
        chunkCount: c.chunkCount,
        ...(c.structured === undefined ? {} : { structured: toBase64url(c.structured) }),
      })),
      ...(claims.partial === true ? { partial: true as const } : {}),
      ...(claims.body === undefined ? {} : { body: { media: claims.body.media, digest: toBase64url(claims.body.digest) } }),
    },
  };
}

function fail(message: string): never {
  throw new SignetError('SIGNET_E_PARSE_WRONG_TYPE', message, { step: 'parse' });
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 1024) fail(`${what} must be a non-empty string.`);
  return v;
}

function b64(v: unknown, what: string, length: number): Uint8Array {
  let out: Uint8Array;
  try {
    out = fromBase64url(str(v, what));
  } catch (e) {
    if (e instanceof SignetError) throw e;
    fail(`${what} is not base64url.`);
  }
  if (out.length !== length) fail(`${what} must be ${length} bytes.`);
  return out;
}

/**
 * An object with only the members `allowed` (closed world: a member this verifier does not know
 * could carry meaning a reader would miss, so it is refused rather than ignored).
 */
function obj(v: unknown, what: string, allowed: readonly string[] | null): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`${what} must be an object.`);
  if (allowed !== null)
    for (const k of Object.keys(v))
      if (!allowed.includes(k))
        throw new SignetError('SIGNET_E_PARSE_UNKNOWN_FIELD', `${what} has an unknown member ${JSON.stringify(k.slice(0, 64))}.`, {
          step: 'parse',
        });
  return v as Record<string, unknown>;
}

/** JSON claims back to claims, with the same strict shape checks as the CBOR form. */
export function jsonToClaims(value: unknown): EnvelopeClaims {
  const top = obj(value, 'claims', ['iss', 'sub', 'iat', 'exp', 'nbf', 'signet']);
  const s = obj(top.signet, 'signet claims', ['v', 'model', 'account', 'terms', 'request', 'content', 'partial', 'body']);
  if (s.v !== 1) throw new SignetError('SIGNET_E_PARSE_UNSUPPORTED_VERSION', 'Unsupported JSON claims version.', { step: 'parse' });
  const iat = top.iat;
  if (typeof iat !== 'number' || !Number.isSafeInteger(iat) || iat < 0) fail('iat must be whole seconds.');
  for (const name of ['exp', 'nbf'] as const) {
    const t = top[name];
    if (t !== undefined && (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0)) fail(`${name} must be whole seconds.`);
  }
  const a = obj(s.account, 'account', ['mode', 'tag', 'sealedId']);
  const mode = a.mode === 'linkable' || a.mode === 'commitment' ? a.mode : fail('account mode is unknown.');
  const account: AccountClaim = {
    mode,
    tag: b64(a.tag, 'account tag', mode === 'linkable' ? 16 : 32),
    ...(a.sealedId === undefined ? {} : { sealedId: str(a.sealedId, 'sealed account id') }),
  };
  const t = obj(s.terms, 'terms', ['id', 'version', 'digest', 'uri', 'usage']);
  let usage;
  try {
    usage = validateUsage(t.usage);
  } catch {
    fail('terms usage is not valid.');
  }
  if (!Array.isArray(s.content) || s.content.length === 0 || s.content.length > 128) fail('content must have 1 to 128 choices.');
  const content: ChoiceDigests[] = s.content.map((raw, i) => {
    const c = obj(raw, `choice ${i}`, ['exact', 'normalized', 'chunkRoot', 'chunkCount', 'structured']);
    const count = c.chunkCount;
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) fail('chunkCount must be a whole number.');
    return {
      exact: b64(c.exact, 'exact digest', 32),
      normalized: b64(c.normalized, 'normalized digest', 32),
      chunkRoot: b64(c.chunkRoot, 'chunk root', 32),
      chunkCount: count,
      ...(c.structured === undefined ? {} : { structured: b64(c.structured, 'structured digest', 32) }),
    };
  });
  if (s.partial !== undefined && s.partial !== true) fail('partial must be true when present.');
  let body: EnvelopeClaims['body'];
  if (s.body !== undefined) {
    const b = obj(s.body, 'body', ['media', 'digest']);
    if (b.media !== 'json' && b.media !== 'sse') fail('body media must be json or sse.');
    body = { media: b.media, digest: b64(b.digest, 'body digest', 32) };
  }
  return {
    issuer: str(top.iss, 'iss'),
    responseId: str(top.sub, 'sub'),
    issuedAt: iat,
    ...(top.exp === undefined ? {} : { expiresAt: top.exp as number }),
    ...(top.nbf === undefined ? {} : { notBefore: top.nbf as number }),
    model: str(s.model, 'model'),
    account,
    terms: {
      id: str(t.id, 'terms id'),
      version: str(t.version, 'terms version'),
      digest: b64(t.digest, 'terms digest', 32),
      uri: str(t.uri, 'terms uri'),
      usage,
    },
    ...(s.request === undefined ? {} : { requestDigest: b64(s.request, 'request digest', 32) }),
    content,
    ...(s.partial === true ? { partial: true } : {}),
    ...(body === undefined ? {} : { body }),
  };
}
