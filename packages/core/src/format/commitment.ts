import { ACCOUNT_TAG_LENGTH, accountTag } from './account.js';
import type { CryptoBackend } from '../backend/types.js';
import { concatBytes, equalBytes, utf8 } from '../primitives/bytes.js';

/**
 * Unlinkable account commitments.
 *
 * In `commitment` mode an envelope carries C = SHA-256("signet/account-commitment/v1" 0x00 || salt ||
 * account id), a fresh 32-byte commitment per response. The salt is 32 pseudorandom bytes the
 * provider derives from its secret and the envelope's own response id and time:
 * salt = HMAC-SHA-256(K, "signet/account-salt/v1" 0x00 || u64be(iat) || response id), with
 * K = HMAC-SHA-256(account secret, "signet/commitment-key/v1"). So:
 *
 * - hiding: without the secret, C reveals nothing about the account and two envelopes of the same
 *   account share nothing (the salt differs with every response id);
 * - binding: once the provider reveals (account id, salt), anyone can recompute C, and SHA-256
 *   collision resistance stops the provider from opening it to another account;
 * - no storage: the provider re-derives the salt from the envelope, so it can open any commitment
 *   it ever made against its list of accounts (or the registry's mapping).
 */

/** Length of a commitment in bytes (a linkable tag is 16). */
export const COMMITMENT_LENGTH = 32;

const COMMIT_DOMAIN = utf8('signet/account-commitment/v1\u0000');
const SALT_DOMAIN = utf8('signet/account-salt/v1\u0000');
const KEY_DOMAIN = utf8('signet/commitment-key/v1');

/** Derives the commitment key from the account secret (kept apart from the linkable-tag key). */
export function commitmentKey(backend: CryptoBackend, secret: Uint8Array): Uint8Array {
  if (secret.length < 16) throw new RangeError('the account secret must be at least 16 bytes');
  return backend.hmacSha256(secret, KEY_DOMAIN);
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** The salt of the commitment in the envelope with this response id and issue time. */
export function commitmentSalt(backend: CryptoBackend, key: Uint8Array, responseId: string, issuedAt: number): Uint8Array {
  if (!Number.isSafeInteger(issuedAt) || issuedAt < 0) throw new RangeError('issuedAt must be whole seconds');
  return backend.hmacSha256(key, concatBytes(SALT_DOMAIN, u64(issuedAt), utf8(responseId)));
}

/** C = SHA-256(domain || salt || account id). */
export function commitAccount(backend: CryptoBackend, salt: Uint8Array, accountId: string): Uint8Array {
  if (salt.length !== 32) throw new RangeError('a commitment salt is 32 bytes');
  return backend.sha256(concatBytes(COMMIT_DOMAIN, salt, utf8(accountId)));
}

/** Anyone can check an opening the provider reveals: true when C commits to `accountId` with `salt`. */
export function verifyCommitmentOpening(backend: CryptoBackend, commitment: Uint8Array, accountId: string, salt: Uint8Array): boolean {
  if (commitment.length !== COMMITMENT_LENGTH || salt.length !== 32) return false;
  return equalBytes(commitAccount(backend, salt, accountId), commitment);
}

/** An account resolved from an envelope's tag or commitment. */
export interface AccountOpening {
  readonly accountId: string;
  readonly mode: 'linkable' | 'commitment';
  /** For a commitment: the salt that opens it (reveal it with the account id as proof). */
  readonly salt?: Uint8Array;
}

/**
 * Provider side: finds which of `candidates` an envelope's account claim belongs to. Linkable tags
 * and commitments both resolve. Cost is one HMAC (tags) or one SHA-256 (commitments) per candidate.
 */
export function openAccount(
  backend: CryptoBackend,
  secret: Uint8Array,
  claim: { readonly tag: Uint8Array; readonly responseId: string; readonly issuedAt: number },
  candidates: Iterable<string>,
): AccountOpening | undefined {
  if (claim.tag.length === ACCOUNT_TAG_LENGTH) {
    for (const id of candidates) if (equalBytes(accountTag(backend, secret, id), claim.tag)) return { accountId: id, mode: 'linkable' };
    return undefined;
  }
  if (claim.tag.length !== COMMITMENT_LENGTH) return undefined;
  const salt = commitmentSalt(backend, commitmentKey(backend, secret), claim.responseId, claim.issuedAt);
  for (const id of candidates)
    if (equalBytes(commitAccount(backend, salt, id), claim.tag)) return { accountId: id, mode: 'commitment', salt };
  return undefined;
}
