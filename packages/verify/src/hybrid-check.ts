import { getDefaultBackend, parsePqJwks, readHybridSignature, type CryptoBackend, type TrustedPqKey } from '@signet/core';
import type { VerifierExtensions } from './verifier.js';

/**
 * The verifier's side of the hybrid (Ed25519 + ML-DSA-44) seal. Plug the result into
 * `createVerifier({ extensions: { signature } })`; it runs in the signature step, after Ed25519.
 *
 * - An ML-DSA signature that is present is always checked: a broken one fails
 *   (`SIGNET_E_SIG_INVALID`), even when the policy does not require it.
 * - With `require: true`, an envelope without one fails too, as does every JWS-profile envelope
 *   (the JSON profile has no hybrid form).
 */

/** Options of {@link createHybridCheck}. */
export interface HybridCheckOptions {
  /** The issuer's ML-DSA-44 keys (their JWKS, object or JSON text, or imported keys). */
  readonly keys: unknown;
  /** Require both signatures on every envelope. */
  readonly require?: boolean;
  readonly backend?: CryptoBackend;
}

/** Creates the hybrid signature step. */
export function createHybridCheck(options: HybridCheckOptions): NonNullable<VerifierExtensions['signature']> {
  const backend = options.backend ?? getDefaultBackend();
  const list: readonly TrustedPqKey[] = Array.isArray(options.keys) ? (options.keys as TrustedPqKey[]) : parsePqJwks(options.keys, backend);
  const byKid = new Map(list.map((k) => [k.kid, k] as const));
  const required = options.require === true;
  return (envelope) => {
    if (envelope === undefined) {
      return required
        ? { code: 'SIGNET_E_SIG_INVALID', message: 'The policy requires a hybrid (Ed25519 + ML-DSA-44) seal; the JSON profile has none.' }
        : undefined;
    }
    let pq;
    try {
      pq = readHybridSignature(envelope.unprotected);
    } catch (e) {
      return { code: 'SIGNET_E_SIG_INVALID', message: (e as Error).message };
    }
    if (pq === undefined) {
      return required
        ? { code: 'SIGNET_E_SIG_INVALID', message: 'The policy requires a hybrid seal and the envelope has no ML-DSA-44 signature.' }
        : undefined;
    }
    const key = byKid.get(pq.kid);
    if (key === undefined)
      return { code: 'SIGNET_E_KEY_UNKNOWN', message: "The envelope's ML-DSA-44 signature is by a key that is not trusted." };
    if (!key.verify(pq.signature, envelope.toBeSigned))
      return { code: 'SIGNET_E_SIG_INVALID', message: 'The ML-DSA-44 signature does not verify: the envelope was altered.' };
    return undefined;
  };
}
