import { claimsToJson, type EnvelopeClaims } from '@signet/core';
import type { VerificationResult } from '@signet/verify';

/** A JSON view of claims: byte strings as base64url, the same field names as the JSON profile. */
export function describeClaims(claims: EnvelopeClaims): object {
  return claimsToJson(claims);
}

/** A JSON view of a verification result for `--json` output and reports. */
export function describeResult(result: VerificationResult): object {
  if (result.valid) {
    return {
      valid: true,
      kid: result.key.kid,
      claims: describeClaims(result.claims),
      // The match method at the top level: "exact", or "normalized" (only with --allow-normalized).
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
    ...(result.claims === undefined ? {} : { claims: describeClaims(result.claims) }),
  };
}
