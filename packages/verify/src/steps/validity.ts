import { fail, type StepContext } from './context.js';

/**
 * Validity: the key's window, the envelope's own CWT window (exp, nbf), the clock, revocation of the
 * key (and of the root that delegated it), and the delegation's own window and scope. A revoked key
 * is judged at the log's commitment time from a valid receipt, never at the envelope's own claim.
 */
export function validityStep({ seal, config, found }: StepContext): void {
  const key = found.key;
  if (key === undefined) return fail('SIGNET_E_KEY_UNKNOWN', 'No key was resolved.');
  const claims = seal.claims;
  const t = claims.issuedAt;
  const skew = config.policy.clockSkewSeconds ?? 300;
  const nowSeconds = Math.floor(config.now() / 1000);
  if (key.validity.notBefore !== undefined && t < key.validity.notBefore)
    fail('SIGNET_E_KEY_NOT_YET_VALID', 'The envelope was issued before its key became valid.');
  if (key.validity.notAfter !== undefined && t > key.validity.notAfter)
    fail('SIGNET_E_KEY_EXPIRED', 'The envelope was issued after its key expired.', 'Envelopes signed with an expired key are not trusted.');
  if (t > nowSeconds + skew) fail('SIGNET_E_TIME_FUTURE', 'The envelope claims a time in the future.');
  if (claims.expiresAt !== undefined && nowSeconds >= claims.expiresAt + skew)
    fail('SIGNET_E_TIME_EXPIRED', 'The envelope is past its own expiry time (exp).');
  if (claims.notBefore !== undefined && nowSeconds + skew < claims.notBefore)
    fail('SIGNET_E_TIME_NOT_YET_VALID', 'The envelope is not valid yet (nbf).');
  const committedAt = found.receipt?.ok === true ? found.receipt.time : undefined;
  const revocation = config.extensions.revocation;
  const revoked = revocation?.(key.kid, t, committedAt);
  if (revoked !== undefined) fail(revoked.code, revoked.message);
  const delegated = found.delegated;
  if (delegated !== undefined) {
    const rootRevoked = revocation?.(delegated.rootKid, t, committedAt);
    if (rootRevoked !== undefined) fail(rootRevoked.code, `The root key that delegated this key is revoked: ${rootRevoked.message}`);
    const outside = delegated.check(claims, committedAt);
    if (outside !== undefined) fail(outside.code, outside.message);
  }
}
