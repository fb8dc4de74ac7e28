import { ALG_EDDSA, isSignetError } from '@signet/core';
import { fail, type StepContext } from './context.js';

/**
 * Key: the algorithm is pinned by policy (EdDSA), never taken from the envelope. A delegation the
 * envelope carries is checked first: its window and scope then apply even to a node key that is
 * also trusted directly, and no trust-store refresh is spent on node keys, which are in no JWKS.
 */
export async function keyStep({ seal, config, found }: StepContext): Promise<void> {
  if (seal.alg !== ALG_EDDSA) fail('SIGNET_E_HEADER_ALG', `The envelope uses algorithm ${seal.alg}; only EdDSA (-8) is accepted.`);
  const delegation = config.extensions.delegation;
  if (delegation !== undefined && seal.cose !== undefined) {
    let delegated;
    try {
      delegated = await delegation(seal.cose);
    } catch (e) {
      if (isSignetError(e)) fail(e.code, e.message, e.hint);
      throw e;
    }
    if (delegated !== undefined) {
      if (delegated.key.kid !== seal.kid)
        fail('SIGNET_E_KEY_DELEGATION', "The envelope's delegation certifies another key than the one that signed it.");
      found.key = delegated.key;
      found.delegated = delegated;
      return;
    }
  }
  const key = await config.trust.get(seal.kid);
  if (key === undefined)
    fail(
      'SIGNET_E_KEY_UNKNOWN',
      `No trusted key has kid ${seal.kid.slice(0, 64)}.`,
      "Check that the trust JWKS is the issuer's current one.",
    );
  found.key = key;
}
