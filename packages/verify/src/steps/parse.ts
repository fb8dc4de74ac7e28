import { envelopeFromText, parseEnvelope, parseJws } from '@signet/core';
import type { Seal } from './context.js';

/**
 * Parse: bounded, strict decoding of either profile into the one neutral {@link Seal}. Nothing here
 * is trusted yet. Throws a parse-step `SignetError`.
 */
export function parseCoseSeal(envelope: Uint8Array | string): Seal {
  const bytes = typeof envelope === 'string' ? envelopeFromText(envelope) : envelope;
  const cose = parseEnvelope(bytes);
  return {
    profile: 'cose',
    kid: cose.kid,
    alg: cose.alg,
    claims: cose.claims,
    signature: cose.signature,
    signedBytes: cose.toBeSigned,
    cose,
  };
}

/** Parses a compact JWS (the JSON profile) into the neutral {@link Seal}. */
export function parseJwsSeal(jws: string): Seal {
  const p = parseJws(jws);
  return { profile: 'jws', kid: p.kid, alg: p.alg, claims: p.claims, signature: p.signature, signedBytes: p.signingInput };
}
