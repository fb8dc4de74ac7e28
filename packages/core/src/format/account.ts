import type { CryptoBackend } from '../backend/types.js';
import { concatBytes, equalBytes, utf8 } from '../primitives/bytes.js';

/**
 * Pseudonymous account tags.
 *
 * A linkable tag is HMAC-SHA-256(secret, "signet/account/v1" || 0x00 || account id), truncated to
 * 16 bytes. The public cannot invert it; the provider, holding the secret, recomputes it to resolve
 * a tag to an account. 128 bits keep collisions out of reach for any realistic number of accounts
 * while saving 16 bytes in every envelope.
 */

/** Length of an account tag in bytes. */
export const ACCOUNT_TAG_LENGTH = 16;

const DOMAIN = utf8('signet/account/v1\u0000');

/** Computes the linkable account tag of `accountId` under the provider's secret. */
export function accountTag(backend: CryptoBackend, secret: Uint8Array, accountId: string): Uint8Array {
  if (secret.length < 16) throw new RangeError('the account secret must be at least 16 bytes');
  return backend.hmacSha256(secret, concatBytes(DOMAIN, utf8(accountId))).subarray(0, ACCOUNT_TAG_LENGTH);
}

/** True when `tag` is the tag of `accountId` under `secret` (constant-time comparison). */
export function matchesAccountTag(backend: CryptoBackend, secret: Uint8Array, accountId: string, tag: Uint8Array): boolean {
  return equalBytes(accountTag(backend, secret, accountId), tag);
}
