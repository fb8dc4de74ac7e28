import { fromBase64url, toBase64url } from './bytes.js';
import type { AccountClaim, EnvelopeClaims } from './claims.js';
import type { ChoiceDigests } from './content.js';
import { SignetError } from './errors.js';
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
  signet: {
    v: 1;
    model: string;
    account: { mode: 'linkable' | 'commitment'; tag: string; sealedId?: string };
    terms: { id: string; version: string; digest: string; uri: string; usage: Record<string, string> };
    request?: string;
    content: { exact: string; normalized: string; chunkRoot: string; chunkCount: number; structured?: string }[];
    partial?: true;
  };
}

/** Claims to their JSON form. */
export function claimsToJson(claims: EnvelopeClaims): JsonClaims {
  return {
    iss: claims.issuer,
    sub: claims.responseId,
    iat: claims.issuedAt,
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

function obj(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`${what} must be an object.`);
  return v as Record<string, unknown>;
}

/** JSON claims back to claims, with the same strict shape checks as the CBOR form. */
export function jsonToClaims(value: unknown): EnvelopeClaims {
  const top = obj(value, 'claims');
  const s = obj(top.signet, 'signet claims');
  if (s.v !== 1) throw new SignetError('SIGNET_E_PARSE_UNSUPPORTED_VERSION', 'Unsupported JSON claims version.', { step: 'parse' });
  const iat = top.iat;
  if (typeof iat !== 'number' || !Number.isSafeInteger(iat) || iat < 0) fail('iat must be whole seconds.');
  const a = obj(s.account, 'account');
  const mode = a.mode === 'linkable' || a.mode === 'commitment' ? a.mode : fail('account mode is unknown.');
  const account: AccountClaim = {
    mode,
    tag: b64(a.tag, 'account tag', mode === 'linkable' ? 16 : 32),
    ...(a.sealedId === undefined ? {} : { sealedId: str(a.sealedId, 'sealed account id') }),
  };
  const t = obj(s.terms, 'terms');
  let usage;
  try {
    usage = validateUsage(t.usage);
  } catch {
    fail('terms usage is not valid.');
  }
  if (!Array.isArray(s.content) || s.content.length === 0 || s.content.length > 128) fail('content must have 1 to 128 choices.');
  const content: ChoiceDigests[] = s.content.map((raw, i) => {
    const c = obj(raw, `choice ${i}`);
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
  return {
    issuer: str(top.iss, 'iss'),
    responseId: str(top.sub, 'sub'),
    issuedAt: iat,
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
  };
}
