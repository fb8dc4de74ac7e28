/**
 * Typed errors with stable codes.
 *
 * Every failure Signet reports carries a `code` from {@link SignetErrorCode}. Codes are part of the
 * public API: they never change meaning, and new ones are only added. Messages say what to do and
 * never contain key material or secrets.
 *
 * There is one error class, {@link SignetError}, and one code namespace, but each package owns the
 * codes of its own area: core holds the format and verification codes below (they are all a
 * browser verifier can meet), and a package with codes of its own (`@signet/server`: gateway and
 * auth; `@signet/log`: log storage; `@signet/registry`: registry storage) exports its table,
 * defined with {@link defineErrorCodes}, and adds its codes to {@link SignetErrorCodeMap}.
 */

/** The format and verification codes that core and every verifier use, grouped by area. */
export const ERROR_CODES = defineErrorCodes({
  // Parsing untrusted bytes (bounded decoding).
  SIGNET_E_PARSE_TOO_LARGE: 'The input is larger than the configured limit.',
  SIGNET_E_PARSE_MALFORMED: 'The input is not well-formed for its format.',
  SIGNET_E_PARSE_TOO_DEEP: 'The input nests deeper than allowed.',
  SIGNET_E_PARSE_NOT_CANONICAL: 'The input is not in the deterministic encoding the format requires.',
  SIGNET_E_PARSE_WRONG_TYPE: 'A field has the wrong type.',
  SIGNET_E_PARSE_MISSING_FIELD: 'A required field is missing.',
  SIGNET_E_PARSE_UNKNOWN_FIELD: 'An unknown field was found where none is allowed.',
  SIGNET_E_PARSE_UNSUPPORTED_VERSION: 'The format version is not supported.',
  // Protected header checks.
  SIGNET_E_HEADER_ALG: 'The signature algorithm is not the one the policy allows.',
  SIGNET_E_HEADER_CRIT: 'The envelope marks a header critical that this verifier does not understand.',
  SIGNET_E_HEADER_TYPE: 'The envelope type is not a Signet envelope.',
  // Keys.
  SIGNET_E_KEY_UNKNOWN: 'No trusted key has this key id.',
  SIGNET_E_KEY_INVALID: 'The key is malformed or not an Ed25519 key.',
  SIGNET_E_KEY_WEAK: 'The public key is of small order or not canonically encoded.',
  SIGNET_E_KEY_NOT_YET_VALID: 'The envelope was issued before the key became valid.',
  SIGNET_E_KEY_EXPIRED: 'The envelope was issued after the key expired.',
  SIGNET_E_KEY_REVOKED: 'The key was revoked before the envelope was committed.',
  SIGNET_E_KEY_FILE: 'A key file could not be read or written.',
  SIGNET_E_KEY_DELEGATION: 'The key delegation is invalid, expired or out of scope.',
  SIGNET_E_KEY_DUPLICATE: 'A key set lists two keys with the same key id.',
  SIGNET_E_KEY_USE: 'The key is published for another use than verifying signatures.',
  // Signatures.
  SIGNET_E_SIG_INVALID: 'The signature does not verify under the key.',
  SIGNET_E_SIG_FAILED: 'Signing failed.',
  // Time.
  SIGNET_E_TIME_FUTURE: 'The envelope claims a time in the future beyond the allowed clock skew.',
  SIGNET_E_TIME_TOO_OLD: 'The envelope is older than the policy allows.',
  SIGNET_E_TIME_EXPIRED: 'The envelope is past its own expiry time (CWT exp).',
  SIGNET_E_TIME_NOT_YET_VALID: 'The envelope is not valid yet (CWT nbf).',
  // Receipts and the log.
  SIGNET_E_RECEIPT_INVALID: 'The transparency log receipt does not verify.',
  SIGNET_E_RECEIPT_MISSING: 'The policy requires a receipt and none was given.',
  SIGNET_E_LOG_PROOF_INVALID: 'A Merkle inclusion or consistency proof does not verify.',
  SIGNET_E_LOG_CHECKPOINT_INVALID: 'A checkpoint is malformed or its signature does not verify.',
  SIGNET_E_LOG_INCONSISTENT: 'Two views of the log are inconsistent: it was forked or rewritten.',
  SIGNET_E_LOG_WITNESS_QUORUM: 'Fewer trusted witnesses cosigned the checkpoint than the policy requires.',
  // Content binding.
  SIGNET_E_CONTENT_MISMATCH: 'The text does not match the content digests in the envelope.',
  SIGNET_E_CONTENT_MISSING: 'No content was given to check against the envelope.',
  SIGNET_E_CONTENT_CHOICE: 'The choice index is not in the envelope.',
  SIGNET_E_CONTENT_PARTIAL: 'The envelope seals a partial (interrupted) response.',
  SIGNET_E_CONTENT_BODY_MISMATCH: 'The bytes received differ from the bytes the envelope seals.',
  SIGNET_E_CONTENT_BODY_MISSING: 'The envelope does not seal the exact bytes of the response, which this check requires.',
  SIGNET_E_CONTENT_UNSEALED: 'The response has members that its envelope does not seal.',
  SIGNET_E_CONTENT_SHAPE: 'The response does not have the one shape its route or object type calls for.',
  SIGNET_E_CONTENT_RESPONSE_ID: 'The envelope seals another response than this one.',
  SIGNET_E_CONTENT_CARRIER: 'The envelope carrier is not in its one canonical form or place.',
  SIGNET_E_CONTENT_REPLAYED: 'This client already accepted this response once: it was replayed.',
  SIGNET_E_REQUEST_MISMATCH: 'The request does not match the request digest in the envelope.',
  SIGNET_E_EXCERPT_INVALID: 'The excerpt proof does not verify against the envelope.',
  // Policy (the seal is fine, but not what the policy requires).
  SIGNET_E_POLICY_ISSUER: 'The envelope was issued by another issuer than the policy expects.',
  SIGNET_E_POLICY_ACCOUNT: 'The envelope was issued to another account than the policy expects.',
  SIGNET_E_POLICY_TERMS: 'The envelope was served under other terms than the policy expects.',
  SIGNET_E_POLICY_MODEL: 'The envelope names another model than the policy expects.',
  // Streams and carriers.
  SIGNET_E_STREAM_TRUNCATED: 'The stream ended before its envelope arrived.',
  SIGNET_E_STREAM_MALFORMED: 'The stream is not a well-formed event stream.',
  SIGNET_E_ENVELOPE_MISSING: 'The response carries no envelope.',
  // Evidence bundles (the format; storing them is the registry's).
  SIGNET_E_EVIDENCE_INVALID: 'The evidence bundle does not verify.',
  SIGNET_E_EVIDENCE_MISMATCH: 'A field of the evidence bundle contradicts the envelope it carries.',
  SIGNET_E_EVIDENCE_SIGNATURE: 'The signature over the evidence bundle does not verify.',
  SIGNET_E_EVIDENCE_UNSIGNED: 'The evidence bundle is not signed, and unsigned bundles were not allowed.',
  // Configuration and input given by the operator.
  SIGNET_E_CONFIG_INVALID: 'The configuration is invalid.',
  SIGNET_E_INPUT_INVALID: 'The input is invalid.',
});

/** A code from core's own table ({@link ERROR_CODES}). */
export type CoreErrorCode = keyof typeof ERROR_CODES;

/**
 * The error codes known to a program: core's, plus those of every Signet package it loads. A
 * package adds its own codes by augmenting this interface (as Hono's `ContextVariableMap` is
 * augmented), so that `new SignetError(code)` accepts them wherever that package is in use:
 *
 * ```ts
 * declare module '@signet/core' {
 *   interface SignetErrorCodeMap extends Record<LogErrorCode, true> {}
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by augmentation
export interface SignetErrorCodeMap extends Record<CoreErrorCode, true> {}

/** A stable error code: `SIGNET_E_<AREA>_<REASON>`. */
export type SignetErrorCode = keyof SignetErrorCodeMap;

/**
 * Checks a package's table of codes and their meanings at compile time (every key spelled
 * `SIGNET_E_<AREA>_<REASON>`) and returns it unchanged, with its literal keys.
 */
export function defineErrorCodes<const T extends Readonly<Record<`SIGNET_E_${string}`, string>>>(table: T): T {
  return table;
}

/** The verification step a failure belongs to, in the order a verifier runs them. */
export type VerificationStep = 'parse' | 'key' | 'signature' | 'validity' | 'receipt' | 'content' | 'policy';

/** Options for {@link SignetError}. */
export interface SignetErrorOptions {
  /** What the user can do about it. */
  hint?: string;
  /** The verification step, when the error comes from verification. */
  step?: VerificationStep;
  /** The underlying error; never one that carries secrets. */
  cause?: unknown;
}

/** The one error class Signet throws for bad input and failed checks. */
export class SignetError extends Error {
  override readonly name = 'SignetError';
  readonly code: SignetErrorCode;
  readonly hint: string | undefined;
  readonly step: VerificationStep | undefined;

  constructor(code: SignetErrorCode, message?: string, options: SignetErrorOptions = {}) {
    super(
      message ?? (ERROR_CODES as Readonly<Record<string, string>>)[code] ?? code,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.hint = options.hint;
    this.step = options.step;
  }

  /** A JSON form for logs and reports: code, message, hint, step. Never the cause's internals. */
  toJSON(): { code: SignetErrorCode; message: string; hint?: string; step?: VerificationStep } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.step === undefined ? {} : { step: this.step }),
    };
  }
}

/** True when `value` is a {@link SignetError}, optionally with the given code. */
export function isSignetError(value: unknown, code?: SignetErrorCode): value is SignetError {
  return value instanceof SignetError && (code === undefined || value.code === code);
}
