import type { Uint8ArrayLike } from './types.js';

/**
 * What a verifier requires beyond a sound seal. Everything matches exactly: no patterns, no defaults
 * that widen what is accepted. Unset fields are not checked.
 */
export interface VerificationPolicy {
  /** Accepted issuers. */
  readonly issuers?: readonly string[];
  /** Accepted account tags (16-byte linkable tags), raw or base64url. */
  readonly accountTags?: readonly Uint8ArrayLike[];
  /** Required terms: any given field must match. `digest` is the SHA-256 of the terms document. */
  readonly terms?: { readonly id?: string; readonly version?: string; readonly digest?: Uint8ArrayLike };
  /** Accepted models. */
  readonly models?: readonly string[];
  /** Allowed clock skew for envelopes from the future, in seconds (default 300). */
  readonly clockSkewSeconds?: number;
  /** Refuse envelopes older than this many seconds. */
  readonly maxAgeSeconds?: number;
  /** Accept envelopes marked partial (interrupted streams). Default false. */
  readonly allowPartial?: boolean;
  /**
   * Accept matches of the normalized digest only (reformatted text). Default false: a client shows
   * exactly what was sealed or nothing. Auditors matching records copied into datasets turn it on,
   * and a normalized match is then reported as such (`content.match`).
   */
  readonly allowNormalized?: boolean;
  /**
   * Require the exact bytes of the response to be checked against the envelope's body digest
   * (`input.body`). The verifying fetch always requires it. Default false.
   */
  readonly requireBody?: boolean;
  /** Require a transparency-log receipt. Default false. */
  readonly requireReceipt?: boolean;
}
