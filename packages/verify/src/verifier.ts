import { fromBase64url, getDefaultBackend, isSignetError, type SignetErrorCode, type VerificationStep } from '@signet/core';
import type { VerificationPolicy } from './policy.js';
import type { InvalidResult, VerificationResult } from './result.js';
import { StepFailure, type Findings, type Seal, type Step, type StepContext, type VerifierConfig } from './steps/context.js';
import { contentStep } from './steps/content.js';
import { keyStep } from './steps/key.js';
import { parseCoseSeal, parseJwsSeal } from './steps/parse.js';
import { policyStep } from './steps/policy.js';
import { judgeReceipt, readReceipt } from './steps/receipt.js';
import { signatureStep } from './steps/signature.js';
import { validityStep } from './steps/validity.js';
import { createTrustStore, type TrustStore } from './trust.js';
import type { Uint8ArrayLike } from './types.js';
import type { Verifier, VerifierOptions, VerifyInput } from './verifier-types.js';

export type * from './verifier-types.js';

/**
 * The verifier: a fixed list of named steps over one neutral envelope (see `steps/`). Parsing
 * comes first and is not in the list (it makes the envelope the steps work on); the receipt is read
 * before validity, which needs the log's time, and judged after it.
 */
const PIPELINE: readonly Step[] = [
  { name: 'key', run: keyStep },
  { name: 'signature', run: signatureStep },
  { name: 'receipt', run: readReceipt },
  { name: 'validity', run: validityStep },
  { name: 'receipt', run: judgeReceipt },
  { name: 'content', run: contentStep },
  { name: 'policy', run: policyStep },
];

/** Codes that say "the seal is fine but not what the policy requires". */
const POLICY_CODES = new Set<SignetErrorCode>([
  'SIGNET_E_POLICY_ISSUER',
  'SIGNET_E_POLICY_ACCOUNT',
  'SIGNET_E_POLICY_TERMS',
  'SIGNET_E_POLICY_MODEL',
  'SIGNET_E_TIME_TOO_OLD',
  'SIGNET_E_CONTENT_PARTIAL',
  'SIGNET_E_RECEIPT_MISSING',
]);

/** The code of an unexpected (untyped) error at each step: the failure that step reports. */
const UNEXPECTED_FAILURE: Record<VerificationStep, SignetErrorCode> = {
  parse: 'SIGNET_E_PARSE_MALFORMED',
  key: 'SIGNET_E_KEY_UNKNOWN',
  signature: 'SIGNET_E_SIG_INVALID',
  validity: 'SIGNET_E_KEY_REVOKED',
  receipt: 'SIGNET_E_RECEIPT_INVALID',
  content: 'SIGNET_E_CONTENT_MISMATCH',
  policy: 'SIGNET_E_INPUT_INVALID',
};

function toBytes(v: Uint8ArrayLike): Uint8Array {
  return typeof v === 'string' ? fromBase64url(v) : v;
}

function isTrustStore(v: unknown): v is TrustStore {
  return v !== null && typeof v === 'object' && typeof (v as TrustStore).get === 'function' && typeof (v as TrustStore).keys === 'function';
}

function invalid(
  code: SignetErrorCode,
  step: VerificationStep,
  message: string,
  hint: string | undefined,
  seal: Seal | undefined,
  found: Findings,
  signed: boolean,
): InvalidResult {
  return {
    valid: false,
    kind: POLICY_CODES.has(code) || step === 'policy' ? 'policy' : 'verification',
    code,
    step,
    message,
    ...(hint === undefined ? {} : { hint }),
    // Claims are reported only once the signature vouched for them: unverified claims in a failed
    // result would invite a caller to show them.
    ...(seal !== undefined && signed ? { claims: seal.claims } : {}),
    ...(found.key === undefined ? {} : { key: { kid: found.key.kid, jwk: found.key.jwk } }),
  };
}

async function run(config: VerifierConfig, parse: () => Seal, input: VerifyInput): Promise<VerificationResult> {
  const found: Findings = {};
  let seal: Seal;
  try {
    seal = parse();
  } catch (e) {
    const code = isSignetError(e) ? e.code : 'SIGNET_E_PARSE_MALFORMED';
    return invalid(
      code,
      'parse',
      (e as Error)?.message ?? 'The envelope cannot be parsed.',
      isSignetError(e) ? e.hint : undefined,
      undefined,
      found,
      false,
    );
  }
  const ctx: StepContext = { seal, input, config, found };
  let signed = false;
  for (const step of PIPELINE) {
    try {
      // Most steps finish synchronously; awaiting only a returned promise spares each of them a
      // turn of the microtask queue, which is a visible share of a verification.
      const pending = step.run(ctx);
      if (pending !== undefined) await pending;
    } catch (e) {
      // Anything unexpected (a trust store or an extension that throws) still fails closed, with a
      // stable code, at the step that was running.
      if (e instanceof StepFailure) return invalid(e.code, step.name, e.message, e.hint, seal, found, signed);
      const code = isSignetError(e) ? e.code : UNEXPECTED_FAILURE[step.name];
      return invalid(code, step.name, (e as Error)?.message ?? 'verification failed', undefined, seal, found, signed);
    }
    if (step.name === 'signature') signed = true;
  }
  const key = found.key;
  if (key === undefined) return invalid('SIGNET_E_KEY_UNKNOWN', 'key', 'No key was resolved.', undefined, seal, found, false);
  return {
    valid: true,
    claims: seal.claims,
    key: { kid: key.kid, jwk: key.jwk },
    content: found.content ?? null,
    requestChecked: found.requestChecked === true,
    ...(found.receipt?.ok === true ? { receipt: { time: found.receipt.time, detail: found.receipt.detail } } : {}),
  };
}

/** Creates a verifier. Configuration errors throw at once (typed). */
export function createVerifier(options: VerifierOptions): Verifier {
  if (options === null || typeof options !== 'object') throw new TypeError('createVerifier needs an options object');
  const backend = options.backend ?? getDefaultBackend();
  const policy: VerificationPolicy = { ...(options.policy ?? {}) };
  const config: VerifierConfig = {
    backend,
    trust: isTrustStore(options.trust) ? options.trust : createTrustStore(options.trust, backend),
    policy,
    now: options.now ?? Date.now,
    extensions: options.extensions ?? {},
    policyTags: policy.accountTags?.map(toBytes),
    policyTermsDigest: policy.terms?.digest === undefined ? undefined : toBytes(policy.terms.digest),
  };
  return {
    policy,
    verify: (envelope, input = {}) => run(config, () => parseCoseSeal(envelope), input),
    verifyJws: (jws, input = {}) => run(config, () => parseJwsSeal(jws), input),
  };
}
