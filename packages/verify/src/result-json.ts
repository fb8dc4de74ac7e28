import { claimsToJson } from '@signet/core';
import type { VerificationResult } from './result.js';

/**
 * A JSON view of a verification result (what `signet verify --json` prints): byte strings as
 * base64url, claims under the same field names as the JSON profile.
 */
export function verificationResultToJson(result: VerificationResult): object {
  if (result.valid) {
    return {
      valid: true,
      kid: result.key.kid,
      claims: claimsToJson(result.claims),
      // The match method at the top level: "exact", or "normalized" (only with allowNormalized).
      ...(result.content === null ? {} : { match: result.content.match }),
      content: result.content,
      requestChecked: result.requestChecked,
      ...(result.receipt === undefined ? {} : { receipt: result.receipt }),
    };
  }
  return {
    valid: false,
    kind: result.kind,
    code: result.code,
    step: result.step,
    message: result.message,
    ...(result.hint === undefined ? {} : { hint: result.hint }),
    ...(result.claims === undefined ? {} : { claims: claimsToJson(result.claims) }),
  };
}
