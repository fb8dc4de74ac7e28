import type { CarrierField } from '@signet/core';
import type { Sealed } from './signer.js';

/**
 * Where an envelope travels with a response (see docs/spec.md, "Carriers"): the `Signet-Envelope`
 * header and a `signet` member of the JSON body for whole responses; a final event for streams.
 * The bytes of each carrier are defined in `@signet/core` (`carrier.ts`), where the verifier
 * rebuilds them too.
 */

/** The `signet` member for a sealed response. */
export function carrierField(sealed: Sealed): CarrierField {
  return { envelope: sealed.text, kid: sealed.kid, ...(sealed.claims.partial === true ? { partial: true as const } : {}) };
}

export { carrierEvent, errorEvent, insertCarrierField, sseEvent, SSE_DONE, type StreamIdentity } from '@signet/core';
