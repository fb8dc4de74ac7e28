import type {
  ContentBinding,
  CryptoBackend,
  EnvelopeClaims,
  ParsedEnvelope,
  SignetErrorCode,
  TrustedKey,
  VerificationStep,
} from '@signet/core';
import type { VerificationPolicy } from '../policy.js';
import type { TrustStore } from '../trust.js';
import type { DelegatedKey, ReceiptOutcome, VerifierExtensions, VerifyInput } from '../verifier-types.js';

/**
 * What every verification step works on: the neutral envelope (one shape for the COSE and the JWS
 * profile), what the caller gave, the verifier's fixed configuration, and what earlier steps found.
 */

/** An envelope of either profile, parsed and not yet verified. */
export interface Seal {
  readonly profile: 'cose' | 'jws';
  readonly kid: string;
  /** The COSE algorithm (the JWS `alg` mapped onto it). */
  readonly alg: number;
  readonly claims: EnvelopeClaims;
  readonly signature: Uint8Array;
  /** The bytes the signature covers (Sig_structure, or the JWS signing input). */
  readonly signedBytes: Uint8Array;
  /** The COSE envelope, for the extensions that read its unprotected header. */
  readonly cose?: ParsedEnvelope;
}

/** The verifier's configuration, fixed when it was created. */
export interface VerifierConfig {
  readonly backend: CryptoBackend;
  readonly trust: TrustStore;
  readonly policy: VerificationPolicy;
  readonly now: () => number;
  readonly extensions: VerifierExtensions;
  readonly policyTags: readonly Uint8Array[] | undefined;
  readonly policyTermsDigest: Uint8Array | undefined;
}

/** What the steps found so far. */
export interface Findings {
  key?: TrustedKey;
  delegated?: DelegatedKey;
  receipt?: ReceiptOutcome;
  content?: ContentBinding | null;
  requestChecked?: boolean;
}

/** A step's view of one verification. */
export interface StepContext {
  readonly seal: Seal;
  readonly input: VerifyInput;
  readonly config: VerifierConfig;
  readonly found: Findings;
}

/** A failed step: the code, and what to tell the user. The step's name comes from the pipeline. */
export class StepFailure extends Error {
  constructor(
    readonly code: SignetErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Fails the running step. */
export function fail(code: SignetErrorCode, message: string, hint?: string): never {
  throw new StepFailure(code, message, hint);
}

/** One named step of the pipeline. */
export interface Step {
  readonly name: VerificationStep;
  run(ctx: StepContext): void | Promise<void>;
}
