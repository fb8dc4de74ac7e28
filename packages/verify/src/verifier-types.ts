import type { ContentInput, CryptoBackend, EnvelopeClaims, ParsedEnvelope, SignetErrorCode, TrustedKey } from '@signet/core';
import type { VerificationPolicy } from './policy.js';
import type { VerificationResult } from './result.js';
import type { createTrustStore, TrustStore } from './trust.js';

/** The public types of a verifier: its input, options and the extension points other packages fill. */

/** What the envelope is checked against (see `ContentInput` in `@signet/core` for the content members). */
export interface VerifyInput extends ContentInput {
  /** The terms document, checked against the terms digest. */
  readonly termsDocument?: string | Uint8Array;
  /** A transparency-log receipt for the envelope, when it does not carry one. */
  readonly receipt?: Uint8Array;
}

/** The outcome of a receipt check, from a receipt verifier (see `@signet/log`). */
export type ReceiptOutcome =
  | { readonly ok: true; /** The log's commitment time, seconds. */ readonly time: number; readonly detail?: unknown }
  | { readonly ok: false; readonly code: SignetErrorCode; readonly message: string };

/** Optional steps supplied by other packages: receipts (the log) and revocation (key management). */
export interface VerifierExtensions {
  /** Checks the envelope's receipt (carried in its unprotected header, or given). Returns undefined when there is none. */
  readonly receipt?: (
    envelope: ParsedEnvelope,
    given: Uint8Array | undefined,
  ) => ReceiptOutcome | undefined | Promise<ReceiptOutcome | undefined>;
  /**
   * Decides whether a key was revoked for this envelope. `committedAt` is the log's time from a valid
   * receipt (the envelope's own time claim proves nothing for a revoked key). Returns a failure or undefined.
   */
  readonly revocation?: (
    kid: string,
    issuedAt: number,
    committedAt: number | undefined,
  ) => { code: SignetErrorCode; message: string } | undefined;
  /**
   * Resolves the key of an envelope signed by a delegated node key (see `createDelegationCheck`).
   * Consulted before the trust store. Returns undefined when the envelope carries (and the caller
   * supplied) no delegation; throws a `SignetError` (SIGNET_E_KEY_DELEGATION) when it is invalid.
   */
  readonly delegation?: (envelope: ParsedEnvelope) => DelegatedKey | undefined | Promise<DelegatedKey | undefined>;
  /**
   * Further signatures over the same bytes (the hybrid post-quantum seal, see `createHybridCheck`),
   * checked in the signature step once Ed25519 verified. `envelope` is undefined for the JWS profile.
   */
  readonly signature?: (envelope: ParsedEnvelope | undefined) => ExtensionFailure | undefined | Promise<ExtensionFailure | undefined>;
}

/** A failure reported by a verifier extension. */
export interface ExtensionFailure {
  readonly code: SignetErrorCode;
  readonly message: string;
}

/** A node key a trusted root certified for this envelope (see {@link VerifierExtensions.delegation}). */
export interface DelegatedKey {
  readonly key: TrustedKey;
  /** The root that certified the key: a revocation of the root applies to the envelope too. */
  readonly rootKid: string;
  /** Checks issuer, window and scope. `committedAt` is the log's time from a valid receipt. */
  check(claims: EnvelopeClaims, committedAt: number | undefined): ExtensionFailure | undefined;
}

/** Options of {@link createVerifier}. */
export interface VerifierOptions {
  /** Trusted keys: a trust store, a JWKS document (object or JSON text), or imported keys. */
  readonly trust: TrustStore | Parameters<typeof createTrustStore>[0];
  readonly policy?: VerificationPolicy;
  /** Clock in milliseconds (default `Date.now`). */
  readonly now?: () => number;
  readonly backend?: CryptoBackend;
  readonly extensions?: VerifierExtensions;
}

/** A verifier. */
export interface Verifier {
  /** Verifies a COSE envelope (bytes or base64url text). Never throws for bad input: the result says what failed. */
  verify(envelope: Uint8Array | string, input?: VerifyInput): Promise<VerificationResult>;
  /** Verifies a JSON-profile envelope (compact JWS). */
  verifyJws(jws: string, input?: VerifyInput): Promise<VerificationResult>;
  readonly policy: VerificationPolicy;
}
