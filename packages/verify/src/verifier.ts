import {
  ALG_EDDSA,
  digestStructured,
  sha256Text,
  digestRequest,
  envelopeFromText,
  equalBytes,
  extractResponseContent,
  fromBase64url,
  getDefaultBackend,
  isSignetError,
  jsonToClaims,
  normalizeText,
  parseEnvelope,
  SignetError,
  utf8,
  type ChoiceDigests,
  type CryptoBackend,
  type EnvelopeClaims,
  type ParsedEnvelope,
  type SignetErrorCode,
  type TrustedKey,
  type VerificationStep,
} from '@signet/core';
import type { VerificationPolicy } from './policy.js';
import type { ContentMatch, ContentResult, InvalidResult, ValidResult, VerificationResult } from './result.js';
import { createTrustStore, type TrustStore } from './trust.js';
import type { Uint8ArrayLike } from './types.js';

/** What the envelope is checked against. */
export interface VerifyInput {
  /** The text of one choice (what an auditor holding only the text has). */
  readonly text?: string;
  /** With `text`: the choice it belongs to. Without it, any choice may match. */
  readonly choice?: number;
  /** The whole response object (chat.completion, text_completion, response): every choice must match. */
  readonly response?: unknown;
  /** The request body, checked against the request digest. */
  readonly request?: unknown;
  /** The terms document, checked against the terms digest. */
  readonly termsDocument?: string | Uint8Array;
  /** A transparency-log receipt for the envelope, when it does not carry one. */
  readonly receipt?: Uint8Array;
  /** Verify the seal without any content. Off by default: a seal proves nothing about text nobody checked. */
  readonly allowMissingContent?: boolean;
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

class StepFailure extends Error {
  constructor(
    readonly code: SignetErrorCode,
    readonly step: VerificationStep,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

function toBytes(v: Uint8ArrayLike): Uint8Array {
  return typeof v === 'string' ? fromBase64url(v) : v;
}

function isTrustStore(v: unknown): v is TrustStore {
  return v !== null && typeof v === 'object' && typeof (v as TrustStore).get === 'function' && typeof (v as TrustStore).keys === 'function';
}

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

/** Creates a verifier. Configuration errors throw at once (typed). */
export function createVerifier(options: VerifierOptions): Verifier {
  if (options === null || typeof options !== 'object') throw new TypeError('createVerifier needs an options object');
  const backend = options.backend ?? getDefaultBackend();
  const trust = isTrustStore(options.trust) ? options.trust : createTrustStore(options.trust, backend);
  const policy: VerificationPolicy = { ...(options.policy ?? {}) };
  const now = options.now ?? Date.now;
  const ext = options.extensions ?? {};
  const skew = policy.clockSkewSeconds ?? 300;
  const allowNormalized = policy.allowNormalized ?? true;
  const policyTags = policy.accountTags?.map(toBytes);
  const policyTermsDigest = policy.terms?.digest === undefined ? undefined : toBytes(policy.terms.digest);

  const fail = (code: SignetErrorCode, step: VerificationStep, message: string, hint?: string): never => {
    throw new StepFailure(code, step, message, hint);
  };

  const lookupKey = async (kid: string, alg: number, envelope?: ParsedEnvelope): Promise<TrustedKey> => {
    // The algorithm is pinned by policy (EdDSA), never taken from the envelope.
    if (alg !== ALG_EDDSA) fail('SIGNET_E_HEADER_ALG', 'key', `The envelope uses algorithm ${alg}; only EdDSA (-8) is accepted.`);
    // A delegation the envelope carries (or the caller supplied) is checked first: its window and
    // scope then apply even to a node key that is also trusted directly, and no trust-store refresh
    // is spent on node keys that are, by design, in no JWKS.
    if (ext.delegation !== undefined && envelope !== undefined) {
      let delegated: DelegatedKey | undefined;
      try {
        delegated = await ext.delegation(envelope);
      } catch (e) {
        if (isSignetError(e)) fail(e.code, 'key', e.message, e.hint);
        throw e;
      }
      if (delegated !== undefined) {
        if (delegated.key.kid !== kid)
          fail('SIGNET_E_KEY_DELEGATION', 'key', "The envelope's delegation certifies another key than the one that signed it.");
        delegatedKeys.set(delegated.key, delegated);
        return delegated.key;
      }
    }
    const key = await trust.get(kid);
    if (key === undefined)
      fail(
        'SIGNET_E_KEY_UNKNOWN',
        'key',
        `No trusted key has kid ${kid.slice(0, 64)}.`,
        "Check that the trust JWKS is the issuer's current one.",
      );
    return key as TrustedKey;
  };

  // Keys resolved through a delegation, so the validity step can apply the delegation's own checks.
  const delegatedKeys = new WeakMap<TrustedKey, DelegatedKey>();

  const checkValidity = (key: TrustedKey, claims: EnvelopeClaims, committedAt: number | undefined): void => {
    const t = claims.issuedAt;
    if (key.validity.notBefore !== undefined && t < key.validity.notBefore)
      fail('SIGNET_E_KEY_NOT_YET_VALID', 'validity', 'The envelope was issued before its key became valid.');
    if (key.validity.notAfter !== undefined && t > key.validity.notAfter)
      fail(
        'SIGNET_E_KEY_EXPIRED',
        'validity',
        'The envelope was issued after its key expired.',
        'Envelopes signed with an expired key are not trusted.',
      );
    const nowSeconds = Math.floor(now() / 1000);
    if (t > nowSeconds + skew) fail('SIGNET_E_TIME_FUTURE', 'validity', 'The envelope claims a time in the future.');
    const revoked = ext.revocation?.(key.kid, t, committedAt);
    if (revoked !== undefined) fail(revoked.code, 'validity', revoked.message);
    const delegated = delegatedKeys.get(key);
    if (delegated !== undefined) {
      const rootRevoked = ext.revocation?.(delegated.rootKid, t, committedAt);
      if (rootRevoked !== undefined)
        fail(rootRevoked.code, 'validity', `The root key that delegated this key is revoked: ${rootRevoked.message}`);
      const outside = delegated.check(claims, committedAt);
      if (outside !== undefined) fail(outside.code, 'validity', outside.message);
    }
  };

  /** Digests of a candidate text, the normalized one computed only if the exact one fails. */
  const textDigests = (text: string): { exact: Uint8Array; normalized: () => Uint8Array } => {
    let normalized: Uint8Array | undefined;
    return { exact: sha256Text(backend, text), normalized: () => (normalized ??= sha256Text(backend, normalizeText(text))) };
  };
  const matchChoice = (d: ChoiceDigests, digests: ReturnType<typeof textDigests>): ContentMatch | undefined => {
    if (equalBytes(digests.exact, d.exact)) return 'exact';
    if (allowNormalized && equalBytes(digests.normalized(), d.normalized)) return 'normalized';
    return undefined;
  };

  const checkContent = (claims: EnvelopeClaims, input: VerifyInput): ContentResult | null => {
    if (claims.partial === true && policy.allowPartial !== true) {
      fail(
        'SIGNET_E_CONTENT_PARTIAL',
        'content',
        'The envelope seals a partial response (the stream was cut off).',
        'Set policy.allowPartial to accept partial responses.',
      );
    }
    if (input.response !== undefined) {
      let extracted;
      try {
        extracted = extractResponseContent(input.response);
      } catch (e) {
        fail('SIGNET_E_CONTENT_MISMATCH', 'content', `The response cannot be read: ${(e as Error).message}`);
      }
      if (extracted!.choices.length !== claims.content.length) {
        fail(
          'SIGNET_E_CONTENT_MISMATCH',
          'content',
          `The response has ${extracted!.choices.length} choices; the envelope seals ${claims.content.length}.`,
        );
      }
      const choices = extracted!.choices.map((c, index) => {
        const d = claims.content[index] as ChoiceDigests;
        const match = matchChoice(d, textDigests(c.text));
        if (match === undefined) fail('SIGNET_E_CONTENT_MISMATCH', 'content', `Choice ${index}'s text does not match the envelope.`);
        const computed = c.structured === undefined ? undefined : digestStructured(backend, c.structured);
        const both = computed !== undefined && d.structured !== undefined;
        if ((computed === undefined) !== (d.structured === undefined) || (both && !equalBytes(computed, d.structured as Uint8Array))) {
          fail('SIGNET_E_CONTENT_MISMATCH', 'content', `Choice ${index}'s tool calls or refusal do not match the envelope.`);
        }
        return { index, match: match as ContentMatch, structured: d.structured !== undefined };
      });
      return { choices, match: choices.some((c) => c.match === 'normalized') ? 'normalized' : 'exact' };
    }
    if (input.text !== undefined) {
      if (typeof input.text !== 'string') fail('SIGNET_E_CONTENT_MISMATCH', 'content', 'The text must be a string.');
      const digests = textDigests(input.text);
      const indexes = input.choice === undefined ? claims.content.map((_, i) => i) : [input.choice];
      if (input.choice !== undefined && (input.choice < 0 || input.choice >= claims.content.length || !Number.isInteger(input.choice))) {
        fail('SIGNET_E_CONTENT_CHOICE', 'content', `The envelope has no choice ${input.choice}.`);
      }
      let normalizedHit: number | undefined;
      for (const i of indexes) {
        const m = matchChoice(claims.content[i] as ChoiceDigests, digests);
        if (m === 'exact') return { choices: [{ index: i, match: 'exact', structured: false }], match: 'exact' };
        if (m === 'normalized' && normalizedHit === undefined) normalizedHit = i;
      }
      if (normalizedHit !== undefined)
        return { choices: [{ index: normalizedHit, match: 'normalized', structured: false }], match: 'normalized' };
      fail(
        'SIGNET_E_CONTENT_MISMATCH',
        'content',
        'The text does not match the envelope (neither exactly nor after normalization).',
        'The text was changed after it was sealed, or it belongs to another envelope.',
      );
    }
    if (input.allowMissingContent === true) return null;
    return fail(
      'SIGNET_E_CONTENT_MISSING',
      'content',
      'No text or response was given to check against the envelope.',
      'Pass the text (or response) the envelope is meant to seal.',
    );
  };

  const checkRequestAndTerms = (claims: EnvelopeClaims, input: VerifyInput): boolean => {
    if (input.termsDocument !== undefined) {
      const doc = typeof input.termsDocument === 'string' ? utf8(input.termsDocument) : input.termsDocument;
      if (!equalBytes(backend.sha256(doc), claims.terms.digest))
        fail('SIGNET_E_POLICY_TERMS', 'policy', 'The envelope was served under another terms document than the one given.');
    }
    if (input.request === undefined) return false;
    if (claims.requestDigest === undefined)
      fail('SIGNET_E_REQUEST_MISMATCH', 'content', 'The envelope has no request digest to check the request against.');
    let digest: Uint8Array;
    try {
      digest = digestRequest(backend, input.request);
    } catch {
      return fail('SIGNET_E_REQUEST_MISMATCH', 'content', 'The request is not canonicalizable JSON.');
    }
    if (!equalBytes(digest, claims.requestDigest as Uint8Array))
      fail('SIGNET_E_REQUEST_MISMATCH', 'content', "The request does not match the envelope's request digest.");
    return true;
  };

  const checkPolicy = (claims: EnvelopeClaims): void => {
    if (policy.issuers !== undefined && !policy.issuers.includes(claims.issuer))
      fail('SIGNET_E_POLICY_ISSUER', 'policy', `The envelope was issued by ${claims.issuer}, which the policy does not accept.`);
    if (policyTags !== undefined && !policyTags.some((t) => equalBytes(t, claims.account.tag)))
      fail('SIGNET_E_POLICY_ACCOUNT', 'policy', 'The envelope was issued to another account than the policy expects.');
    const t = policy.terms;
    if (t !== undefined) {
      if (t.id !== undefined && t.id !== claims.terms.id)
        fail('SIGNET_E_POLICY_TERMS', 'policy', `The envelope was served under terms ${claims.terms.id}, not ${t.id}.`);
      if (t.version !== undefined && t.version !== claims.terms.version)
        fail('SIGNET_E_POLICY_TERMS', 'policy', `The envelope was served under terms version ${claims.terms.version}, not ${t.version}.`);
      if (policyTermsDigest !== undefined && !equalBytes(policyTermsDigest, claims.terms.digest))
        fail('SIGNET_E_POLICY_TERMS', 'policy', 'The envelope was served under another terms document.');
    }
    if (policy.models !== undefined && !policy.models.includes(claims.model))
      fail('SIGNET_E_POLICY_MODEL', 'policy', `The envelope names model ${claims.model}, which the policy does not accept.`);
    if (policy.maxAgeSeconds !== undefined && Math.floor(now() / 1000) - claims.issuedAt > policy.maxAgeSeconds)
      fail('SIGNET_E_TIME_TOO_OLD', 'policy', 'The envelope is older than the policy allows.');
  };

  const finish = async (
    parse: () => {
      kid: string;
      alg: number;
      claims: EnvelopeClaims;
      verifySignature: (key: TrustedKey) => boolean;
      parsed?: ParsedEnvelope;
    },
    input: VerifyInput,
  ): Promise<VerificationResult> => {
    let claims: EnvelopeClaims | undefined;
    let keyInfo: ValidResult['key'] | undefined;
    // The step running now, so that an unexpected error (a trust store or an extension that throws)
    // is still reported at the step where it happened.
    let step: VerificationStep = 'parse';
    try {
      let parsed;
      try {
        parsed = parse();
      } catch (e) {
        if (isSignetError(e)) fail(e.code, 'parse', e.message, e.hint);
        throw e;
      }
      claims = parsed.claims;
      step = 'key';
      const key = await lookupKey(parsed.kid, parsed.alg, parsed.parsed);
      keyInfo = { kid: key.kid, jwk: key.jwk };
      step = 'signature';
      if (!parsed.verifySignature(key))
        fail('SIGNET_E_SIG_INVALID', 'signature', 'The signature does not verify: the envelope was altered or signed by another key.');
      if (ext.signature !== undefined) {
        const extra = await ext.signature(parsed.parsed);
        if (extra !== undefined) fail(extra.code, 'signature', extra.message);
      }
      let receipt: ReceiptOutcome | undefined;
      step = 'receipt';
      if (ext.receipt !== undefined && parsed.parsed !== undefined) receipt = await ext.receipt(parsed.parsed, input.receipt);
      step = 'validity';
      if (receipt !== undefined && !receipt.ok) {
        checkValidity(key, claims, undefined);
        fail(receipt.code, 'receipt', receipt.message);
      }
      checkValidity(key, claims, receipt?.ok === true ? receipt.time : undefined);
      if (receipt === undefined && policy.requireReceipt === true)
        fail('SIGNET_E_RECEIPT_MISSING', 'receipt', 'The policy requires a transparency-log receipt and the envelope has none.');
      step = 'content';
      const content = checkContent(claims, input);
      const requestChecked = checkRequestAndTerms(claims, input);
      step = 'policy';
      checkPolicy(claims);
      return {
        valid: true,
        claims,
        key: keyInfo,
        content,
        requestChecked,
        ...(receipt?.ok === true ? { receipt: { time: receipt.time, detail: receipt.detail } } : {}),
      };
    } catch (e) {
      if (!(e instanceof StepFailure)) {
        // Anything unexpected still fails closed, with a stable code, at the step that was running.
        const code = isSignetError(e) ? e.code : UNEXPECTED_FAILURE[step];
        return {
          valid: false,
          kind: 'verification',
          code,
          step,
          message: (e as Error)?.message ?? 'verification failed',
          ...(claims ? { claims } : {}),
          ...(keyInfo === undefined ? {} : { key: keyInfo }),
        };
      }
      const result: InvalidResult = {
        valid: false,
        kind: POLICY_CODES.has(e.code) || e.step === 'policy' ? 'policy' : 'verification',
        code: e.code,
        step: e.step,
        message: e.message,
        ...(e.hint === undefined ? {} : { hint: e.hint }),
        ...(claims === undefined ? {} : { claims }),
        ...(keyInfo === undefined ? {} : { key: keyInfo }),
      };
      return result;
    }
  };

  return {
    policy,
    verify(envelope, input = {}) {
      return finish(() => {
        const bytes = typeof envelope === 'string' ? envelopeFromText(envelope) : envelope;
        const parsed = parseEnvelope(bytes);
        return {
          kid: parsed.kid,
          alg: parsed.alg,
          claims: parsed.claims,
          parsed,
          verifySignature: (key) => key.verify(parsed.signature, parsed.toBeSigned),
        };
      }, input);
    },
    verifyJws(jws, input = {}) {
      return finish(() => parseJws(jws), input);
    },
  };
}

const JWS_MAX = 16384;

function parseJws(jws: string): { kid: string; alg: number; claims: EnvelopeClaims; verifySignature: (key: TrustedKey) => boolean } {
  const pfail = (message: string): never => {
    throw new SignetError('SIGNET_E_PARSE_MALFORMED', message, { step: 'parse' });
  };
  if (typeof jws !== 'string') pfail('A JWS must be a string.');
  if (jws.length > JWS_MAX)
    throw new SignetError('SIGNET_E_PARSE_TOO_LARGE', `The JWS is longer than ${JWS_MAX} characters.`, { step: 'parse' });
  const parts = jws.trim().split('.');
  if (parts.length !== 3) pfail('A compact JWS has three dot-separated parts.');
  const [h, p, s] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let payload: unknown;
  let signature: Uint8Array;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64url(h)));
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64url(p)));
    signature = fromBase64url(s);
  } catch {
    return pfail('The JWS parts are not base64url JSON.');
  }
  if (header === null || typeof header !== 'object') pfail('The JWS header must be an object.');
  if (header.crit !== undefined)
    throw new SignetError('SIGNET_E_HEADER_CRIT', 'The JWS marks headers critical that this verifier does not understand.', {
      step: 'parse',
    });
  if (header.typ !== 'signet+jws') throw new SignetError('SIGNET_E_HEADER_TYPE', 'The JWS type is not signet+jws.', { step: 'parse' });
  if (typeof header.kid !== 'string')
    throw new SignetError('SIGNET_E_PARSE_MISSING_FIELD', 'The JWS header has no kid.', { step: 'parse' });
  const claims = jsonToClaims(payload);
  const signingInput = utf8(`${h}.${p}`);
  return {
    kid: header.kid,
    // Map the JOSE name onto the one pinned algorithm; anything else fails the alg check.
    alg: header.alg === 'EdDSA' || header.alg === 'Ed25519' ? ALG_EDDSA : 0,
    claims,
    verifySignature: (key) => key.verify(signature, signingInput),
  };
}
