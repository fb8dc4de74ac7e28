import type {
  ContentBinding,
  ContentMatch as CoreContentMatch,
  EnvelopeClaims,
  PublicJwk,
  SignetErrorCode,
  VerificationStep,
} from '@signet/core';

/** Which content digest matched. */
export type ContentMatch = CoreContentMatch;

/** The outcome of the content-binding step (see `checkContentBinding` in `@signet/core`). */
export type ContentResult = ContentBinding;

/** A valid envelope. */
export interface ValidResult {
  readonly valid: true;
  readonly claims: EnvelopeClaims;
  readonly key: { kid: string; jwk: PublicJwk };
  /** Null only when the caller explicitly allowed verifying without content. */
  readonly content: ContentResult | null;
  /** Whether a request was checked against the request digest. */
  readonly requestChecked: boolean;
  /** Receipt details, when a receipt was checked. */
  readonly receipt?: unknown;
}

/** A failed verification. `kind` keeps broken seals apart from seals that fail a policy. */
export interface InvalidResult {
  readonly valid: false;
  /** `verification`: the seal is broken or untrusted. `policy`: the seal is fine but not what the policy requires. */
  readonly kind: 'verification' | 'policy';
  readonly code: SignetErrorCode;
  readonly step: VerificationStep;
  readonly message: string;
  readonly hint?: string;
  /** Present once parsing succeeded: the claims as the envelope states them (authentic only if the signature step passed). */
  readonly claims?: EnvelopeClaims;
  readonly key?: { kid: string; jwk: PublicJwk };
}

/** The result of verifying an envelope. */
export type VerificationResult = ValidResult | InvalidResult;
