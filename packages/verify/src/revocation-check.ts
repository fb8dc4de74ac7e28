import { checkRevocation, SignetError, verifyRevocationList, type RevocationList, type TrustedKey } from '@signet/core';
import type { TrustStore } from './trust.js';
import type { VerifierExtensions } from './verifier.js';

/**
 * The verifier's revocation step, from signed revocation lists.
 *
 * Plug the result into `createVerifier({ extensions: { revocation } })`. The verifier passes the
 * log's commitment time from a valid receipt (never the envelope's own `iat`): an envelope of a
 * revoked key passes only when the log committed it before the effective time.
 */

/** A revocation step built from verified lists. */
export interface RevocationCheck {
  /** The function for `extensions.revocation`. */
  readonly revocation: NonNullable<VerifierExtensions['revocation']>;
  /** The verified lists, merged. */
  readonly lists: readonly RevocationList[];
}

/** Options of {@link createRevocationCheck}. */
export interface RevocationCheckOptions {
  /**
   * Refuse lists signed longer ago than this (seconds): whoever relays the list cannot then keep
   * serving an old one that predates a revocation. Unset: any age.
   */
  readonly maxAgeSeconds?: number;
  /** Clock in milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * Verifies revocation lists (objects or JSON text) against keys the verifier trusts, and returns the
 * revocation step. A list that is malformed, altered, signed by an untrusted key or too old throws a
 * typed error: a verifier told to honour revocations does not silently run without them.
 */
export async function createRevocationCheck(
  lists: readonly unknown[],
  signers: TrustStore | readonly TrustedKey[],
  options: RevocationCheckOptions = {},
): Promise<RevocationCheck> {
  const lookup = Array.isArray(signers)
    ? (kid: string) => (signers as readonly TrustedKey[]).find((k) => k.kid === kid)
    : (kid: string) => (signers as TrustStore).get(kid);
  const verified: RevocationList[] = [];
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  for (const l of lists) {
    const list = await verifyRevocationList(l, lookup);
    if (options.maxAgeSeconds !== undefined && nowSeconds - list.issuedAt > options.maxAgeSeconds) {
      throw new SignetError(
        'SIGNET_E_INPUT_INVALID',
        `The revocation list was signed ${nowSeconds - list.issuedAt} seconds ago; at most ${options.maxAgeSeconds} are accepted.`,
        {
          hint: 'Fetch the current revocation list.',
        },
      );
    }
    verified.push(list);
  }
  return {
    lists: verified,
    revocation(kid, _issuedAt, committedAt) {
      for (const l of verified) {
        const failure = checkRevocation(l, kid, committedAt);
        if (failure !== undefined) return failure;
      }
      return undefined;
    },
  };
}
