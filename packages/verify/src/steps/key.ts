import { ALG_EDDSA, isSignetError, type ParsedEnvelope, type TrustedKey } from '@signet/core';
import type { VerifierExtensions } from '../verifier-types.js';
import { fail, type StepContext } from './context.js';

/**
 * Key: the algorithm is pinned by policy (EdDSA), never taken from the envelope. A delegation the
 * envelope carries is checked first: its window and scope then apply even to a node key that is
 * also trusted directly, and no trust-store refresh is spent on node keys, which are in no JWKS.
 */
export function keyStep(ctx: StepContext): void | Promise<void> {
  const { seal, config } = ctx;
  if (seal.alg !== ALG_EDDSA) fail('SIGNET_E_HEADER_ALG', `The envelope uses algorithm ${seal.alg}; only EdDSA (-8) is accepted.`);
  if (config.extensions.delegation !== undefined && seal.cose !== undefined)
    return delegatedKey(ctx, config.extensions.delegation, seal.cose);
  return trustedKey(ctx);
}

// The trust store answers synchronously unless it has to fetch: only then is there a promise to wait for.
function trustedKey({ seal, config, found }: StepContext): void | Promise<void> {
  const key = config.trust.get(seal.kid);
  if (isThenable(key)) return Promise.resolve(key).then((k) => useTrustedKey(seal.kid, k, found));
  useTrustedKey(seal.kid, key, found);
}

function isThenable(v: unknown): v is PromiseLike<TrustedKey | undefined> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

function useTrustedKey(kid: string, key: TrustedKey | undefined, found: StepContext['found']): void {
  if (key === undefined)
    fail('SIGNET_E_KEY_UNKNOWN', `No trusted key has kid ${kid.slice(0, 64)}.`, "Check that the trust JWKS is the issuer's current one.");
  found.key = key;
}

async function delegatedKey(
  ctx: StepContext,
  delegation: NonNullable<VerifierExtensions['delegation']>,
  cose: ParsedEnvelope,
): Promise<void> {
  const { seal, found } = ctx;
  let delegated;
  try {
    delegated = await delegation(cose);
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
  await trustedKey(ctx);
}
