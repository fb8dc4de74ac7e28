import {
  getDefaultBackend,
  isSignetError,
  verifyExcerptProof,
  type CryptoBackend,
  type EnvelopeClaims,
  type ExcerptProof,
  type ExcerptVerification,
  type SignetErrorCode,
} from '@signet/core';
import type { Verifier } from './verifier.js';

/** The outcome of {@link verifyExcerpt}. */
export type ExcerptCheckResult =
  | { readonly valid: true; readonly claims: EnvelopeClaims; readonly excerpt: ExcerptVerification }
  | { readonly valid: false; readonly code: SignetErrorCode; readonly message: string; readonly claims?: EnvelopeClaims };

/**
 * Verifies that an excerpt belongs to a sealed response: first the envelope (signature, key,
 * validity, policy: everything but the content, which the caller does not have in full), then the
 * excerpt proof against the chunk root of the proof's choice. Never throws for bad input.
 */
export async function verifyExcerpt(
  verifier: Verifier,
  envelope: Uint8Array | string,
  proof: ExcerptProof,
  excerpt?: string,
  backend: CryptoBackend = getDefaultBackend(),
): Promise<ExcerptCheckResult> {
  const result = await verifier.verify(envelope, { allowMissingContent: true });
  if (!result.valid)
    return { valid: false, code: result.code, message: result.message, ...(result.claims === undefined ? {} : { claims: result.claims }) };
  const choice = result.claims.content[typeof proof?.choice === 'number' ? proof.choice : -1];
  if (choice === undefined)
    return {
      valid: false,
      code: 'SIGNET_E_EXCERPT_INVALID',
      message: 'The excerpt proof names a choice the envelope does not have.',
      claims: result.claims,
    };
  try {
    return { valid: true, claims: result.claims, excerpt: verifyExcerptProof(backend, choice, proof, excerpt) };
  } catch (e) {
    return {
      valid: false,
      code: isSignetError(e) ? e.code : 'SIGNET_E_EXCERPT_INVALID',
      message: (e as Error).message,
      claims: result.claims,
    };
  }
}
