import { assertUniqueKids, getDefaultBackend, parseJwks, type CryptoBackend, type Jwks, type TrustedKey } from '@signet/core';

/**
 * The keys a verifier trusts, by key id. Built from a JWKS document (or several). A key that is not
 * in the store is never trusted, whatever the envelope says about itself.
 */
export interface TrustStore {
  /** The trusted key with this kid, if any. May fetch (see the remote store); never throws for unknown kids. */
  get(kid: string): TrustedKey | undefined | Promise<TrustedKey | undefined>;
  /** All keys known now. */
  keys(): TrustedKey[];
}

/** A fixed, offline trust store. Two keys with the same kid are refused (`SIGNET_E_KEY_DUPLICATE`). */
export function createTrustStore(jwks: Jwks | string | readonly TrustedKey[], backend: CryptoBackend = getDefaultBackend()): TrustStore {
  const list: TrustedKey[] = Array.isArray(jwks) ? [...(jwks as readonly TrustedKey[])] : parseJwks(jwks, backend);
  assertUniqueKids(list);
  const byKid = new Map(list.map((k) => [k.kid, k] as const));
  return {
    get: (kid) => byKid.get(kid),
    keys: () => [...byKid.values()],
  };
}
