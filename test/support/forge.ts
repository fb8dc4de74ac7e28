import {
  ALG_EDDSA,
  claimsToPayload,
  digestContent,
  digestRequest,
  encodeCbor,
  encodeCoseSign1,
  ENVELOPE_TYPE,
  HEADER,
  kidToBytes,
  NO_AI_TRAINING,
  sigStructure,
  SigningKey,
  type EnvelopeClaims,
} from '@signet/core';
import { nodeBackend } from '@signet/core/node';

/**
 * Builds envelopes by hand, including ones no honest signer makes (odd headers, extra fields,
 * non-canonical encodings), signed with a real key so that a verifier must find the problem in the
 * structure, not in the signature.
 */

/** Fixed test keys: seeds derived from a label so runs are reproducible. */
export function testKey(label: string, validity: { notBefore?: number; notAfter?: number } = {}): SigningKey {
  return new SigningKey(nodeBackend.sha256(new TextEncoder().encode(`signet test key/${label}`)), validity, nodeBackend);
}

export const ISSUED_AT = 1_767_225_600; // 2026-01-01T00:00:00Z
export const TEXT = 'The capital of France is Paris.\nIt has been since 508 AD.';
export const REQUEST = { model: 'gpt-test', messages: [{ role: 'user', content: 'What is the capital of France?' }] };
export const TERMS_DOCUMENT = 'Outputs may not be used to train competing models.';

/** Claims of a typical single-choice response. */
export function sampleClaims(overrides: Partial<EnvelopeClaims> = {}): EnvelopeClaims {
  return {
    issuer: 'https://api.example.com',
    responseId: 'chatcmpl-test-0001',
    issuedAt: ISSUED_AT,
    model: 'gpt-test',
    account: { mode: 'linkable', tag: nodeBackend.sha256(new TextEncoder().encode('account')).subarray(0, 16) },
    terms: {
      id: 'example-terms',
      version: '2026-01',
      digest: nodeBackend.sha256(new TextEncoder().encode(TERMS_DOCUMENT)),
      uri: 'https://example.com/terms',
      usage: NO_AI_TRAINING,
    },
    requestDigest: digestRequest(nodeBackend, REQUEST),
    content: [digestContent(nodeBackend, TEXT)],
    ...overrides,
  };
}

/** The protected header map an honest signer writes. */
export function honestHeader(kid: string, claims: EnvelopeClaims): Map<number, unknown> {
  return new Map<number, unknown>([
    [HEADER.alg, ALG_EDDSA],
    [HEADER.kid, kidToBytes(kid)],
    [
      HEADER.cwtClaims,
      new Map<number, unknown>([
        [1, claims.issuer],
        [2, claims.responseId],
        [6, claims.issuedAt],
      ]),
    ],
    [HEADER.typ, ENVELOPE_TYPE],
  ]);
}

export interface ForgeOptions {
  readonly key?: SigningKey;
  readonly claims?: EnvelopeClaims;
  /** Edits the protected header map before encoding. */
  readonly header?: (h: Map<number, unknown>) => void;
  /** Edits the payload map before encoding. */
  readonly payload?: (p: Map<number, unknown>) => void;
  /** Replaces the encoded protected header bytes. */
  readonly protectedBytes?: Uint8Array;
  /** Replaces the encoded payload bytes. */
  readonly payloadBytes?: Uint8Array;
  readonly unprotected?: Map<unknown, unknown>;
}

/** A signed COSE_Sign1 envelope built from parts. */
export function forgeEnvelope(options: ForgeOptions = {}): Uint8Array {
  const key = options.key ?? testKey('main');
  const claims = options.claims ?? sampleClaims();
  const header = honestHeader(key.kid, claims);
  options.header?.(header);
  const payload = claimsToPayload(claims);
  options.payload?.(payload);
  const protectedBytes = options.protectedBytes ?? encodeCbor(header);
  const payloadBytes = options.payloadBytes ?? encodeCbor(payload);
  const signature = key.sign(sigStructure(protectedBytes, payloadBytes));
  return encodeCoseSign1({ protectedBytes, unprotected: options.unprotected ?? new Map(), payload: payloadBytes, signature });
}
