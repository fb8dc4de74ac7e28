import {
  checkDelegationUse,
  envelopeDelegation,
  getDefaultBackend,
  parseDelegation,
  parseJwks,
  toBase64url,
  verifyDelegation,
  type CryptoBackend,
  type Jwks,
  type ParsedEnvelope,
  type TrustedKey,
  type VerifiedDelegation,
} from '@signet/core';
import type { TrustStore } from './trust.js';
import type { DelegatedKey, VerifierExtensions } from './verifier.js';

/**
 * The verifier's side of delegated signing keys: trust only the roots, and accept a node key when
 * the envelope carries (or the caller supplies) a delegation a root signed for it. Plug the result
 * into `createVerifier({ extensions: { delegation } })`.
 *
 * Checks: the root signature (key step), then, in the validity step, the envelope's issuer, the
 * window (against the envelope's time and, with a receipt, the log's time) and the allowed models
 * and terms. Every failure is `SIGNET_E_KEY_DELEGATION`.
 */

/** Options of {@link createDelegationCheck}. */
export interface DelegationCheckOptions {
  /** The root keys: a JWKS (object or JSON text), imported keys, or a trust store. */
  readonly roots: Jwks | string | readonly TrustedKey[] | TrustStore;
  /**
   * Delegations held out of band, for envelopes that reference their key without carrying the
   * delegation. Looked up by the node key's kid.
   */
  readonly delegations?: readonly Uint8Array[];
  /** Allowed delay between a delegation's end and the log's commitment time (default 3600 s). */
  readonly commitGraceSeconds?: number;
  readonly backend?: CryptoBackend;
}

const CACHE_LIMIT = 1024;

/** Creates the delegation step. */
export function createDelegationCheck(options: DelegationCheckOptions): NonNullable<VerifierExtensions['delegation']> {
  const backend = options.backend ?? getDefaultBackend();
  const roots = options.roots;
  let lookup: (kid: string) => TrustedKey | undefined | Promise<TrustedKey | undefined>;
  // With fixed roots, a verified delegation stays verified: every envelope of a node carries the same
  // one, so caching it halves the signature checks. A trust store may drop a root, so no cache then.
  let cache: Map<string, VerifiedDelegation> | undefined;
  if (roots !== null && typeof roots === 'object' && 'get' in roots && typeof roots.get === 'function') {
    const store = roots as TrustStore;
    lookup = (kid) => store.get(kid);
  } else {
    cache = new Map();
    const list = Array.isArray(roots) ? (roots as readonly TrustedKey[]) : parseJwks(roots, backend);
    const byKid = new Map(list.map((k) => [k.kid, k] as const));
    lookup = (kid) => byKid.get(kid);
  }
  const grace = options.commitGraceSeconds ?? 3600;
  const referenced = new Map<string, Uint8Array[]>();
  for (const d of options.delegations ?? []) {
    const kid = peekKid(d, backend);
    if (kid !== undefined) referenced.set(kid, [...(referenced.get(kid) ?? []), d]);
  }

  return async (envelope: ParsedEnvelope): Promise<DelegatedKey | undefined> => {
    const carried = envelopeDelegation(envelope.unprotected);
    const bytes = carried ?? referenced.get(envelope.kid)?.[0];
    if (bytes === undefined) return undefined;
    const cacheKey = cache === undefined ? undefined : toBase64url(bytes);
    let d = cacheKey === undefined ? undefined : cache?.get(cacheKey);
    if (d === undefined) {
      d = await verifyDelegation(bytes, lookup, backend);
      if (cache !== undefined && cacheKey !== undefined) {
        if (cache.size >= CACHE_LIMIT) cache.clear();
        cache.set(cacheKey, d);
      }
    }
    const verified = d;
    return {
      key: verified.key,
      rootKid: verified.rootKid,
      check(claims, committedAt) {
        const reason = checkDelegationUse(verified.claims, {
          issuer: claims.issuer,
          model: claims.model,
          termsId: claims.terms.id,
          issuedAt: claims.issuedAt,
          committedAt,
          commitGraceSeconds: grace,
        });
        return reason === undefined ? undefined : { code: 'SIGNET_E_KEY_DELEGATION', message: reason };
      },
    };
  };
}

function peekKid(bytes: Uint8Array, backend: CryptoBackend): string | undefined {
  try {
    return parseDelegation(bytes, backend).kid;
  } catch {
    // A malformed out-of-band delegation is simply never used: envelopes needing it fail closed.
    return undefined;
  }
}
