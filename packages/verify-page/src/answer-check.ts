import { ENVELOPE_HEADER, envelopeFromText, HEADER, parseEnvelope, type StreamKind } from '@signet/core';
import {
  assembleTrust,
  createTrustStore,
  createVerifier,
  createVerifyingFetch,
  verificationOf,
  type TrustStore,
  type VerificationResult,
  type Verifier,
  type VerifierExtensions,
  type VerifyInput,
} from '@signet/verify';

/**
 * Checks an answer the way a client does. A saved response body or event stream goes through the
 * verifying fetch itself, fed the saved bytes in place of the network, so the page gives exactly the
 * verdicts the verifying fetch gives (exact bytes, one carrier in its one place, a stream that ends
 * as a sealed stream ends). Plain text with its envelope is checked as an auditor checks a record:
 * a normalized match is accepted and reported as such.
 */

/** The paths the verifying fetch's default route knows, one per response shape. */
const ROUTE_PATHS: Readonly<Record<StreamKind, string>> = {
  chat: '/v1/chat/completions',
  completion: '/v1/completions',
  response: '/v1/responses',
};

/** What the answer checks need besides the answer. */
export interface AnswerContext {
  readonly trust: TrustStore;
  /** The same keys as JWKS text (they may certify delegated node keys). */
  readonly jwks: string;
  /** The log's C2SP verifier key: receipts are checked with it. */
  readonly logKey?: string;
  /** A receipt given beside the answer. */
  readonly receipt?: Uint8Array;
  readonly now?: () => number;
}

/** A verification result, and whether a receipt came that nobody could check. */
export interface AnswerOutcome {
  readonly result: VerificationResult;
  /** A receipt came (given, or carried in the envelope) and no log key was given. */
  readonly receiptUnchecked: boolean;
}

function carriesReceipt(envelope: Uint8Array | string): boolean {
  try {
    const bytes = typeof envelope === 'string' ? envelopeFromText(envelope) : envelope;
    return parseEnvelope(bytes).unprotected.get(HEADER.receipts) !== undefined;
  } catch {
    return false;
  }
}

/**
 * The checks beyond the keys: receipts against the log key, and node keys delegated by a trusted
 * key. A provider whose gateway signs with delegated node keys publishes only its root keys, so the
 * keys the reader trusts are the roots too.
 */
function extensions(ctx: AnswerContext): Promise<VerifierExtensions> {
  return assembleTrust({ trust: ctx.jwks, roots: ctx.jwks, ...(ctx.logKey === undefined ? {} : { logKey: ctx.logKey }) });
}

/**
 * A verifier that adds the given receipt to every check and remembers whether a receipt went
 * unchecked. The verifying fetch takes it in place of its own.
 */
function wrap(inner: Verifier, ctx: AnswerContext, seen: { unchecked: boolean }): Verifier {
  const add = (envelope: Uint8Array | string | undefined, input: VerifyInput | undefined): VerifyInput => {
    if (ctx.logKey === undefined && (ctx.receipt !== undefined || (envelope !== undefined && carriesReceipt(envelope))))
      seen.unchecked = true;
    return { ...(input ?? {}), ...(ctx.receipt === undefined ? {} : { receipt: ctx.receipt }) };
  };
  return {
    policy: inner.policy,
    verify: (envelope, input) => inner.verify(envelope, add(envelope, input)),
    verifyJws: (jws, input) => inner.verifyJws(jws, add(undefined, input)),
  };
}

/**
 * Checks a saved response body (`stream` false) or event stream (`stream` true) as the verifying
 * fetch does. `header` is the envelope of the body's `Signet-Envelope` header, when the reader has it.
 */
export async function checkSavedResponse(
  body: string,
  shape: StreamKind,
  stream: boolean,
  ctx: AnswerContext,
  header?: string,
): Promise<AnswerOutcome> {
  const seen = { unchecked: false };
  const verifier = wrap(
    createVerifier({ trust: ctx.trust, extensions: await extensions(ctx), ...(ctx.now === undefined ? {} : { now: ctx.now }) }),
    ctx,
    seen,
  );
  const headers = new Headers({ 'content-type': stream ? 'text/event-stream' : 'application/json' });
  // An envelope given beside a saved body is the one its `Signet-Envelope` header carried.
  if (header !== undefined && header.trim() !== '') headers.set(ENVELOPE_HEADER, header.trim());
  const saved = async (): Promise<Response> => new Response(body, { status: 200, headers });
  // Each page check is a fresh look at a saved answer, not a client receiving it: no replay memory.
  const verifyingFetch = createVerifyingFetch({ trust: ctx.trust, verifier, fetch: saved, checkReplays: false });
  const response = await verifyingFetch(`https://saved.invalid${ROUTE_PATHS[shape]}`, { method: 'POST' });
  if (stream) await response.arrayBuffer();
  const verification = verificationOf(response);
  if (verification === undefined) throw new Error('the saved answer was not checked');
  return { result: await verification, receiptUnchecked: seen.unchecked };
}

/** Checks plain text against an envelope (COSE base64url or compact JWS), allowing a normalized match. */
export async function checkTextWithEnvelope(
  text: string,
  envelope: string,
  choice: number | undefined,
  ctx: AnswerContext,
): Promise<AnswerOutcome> {
  const seen = { unchecked: false };
  const verifier = wrap(
    createVerifier({
      trust: ctx.trust,
      policy: { allowNormalized: true },
      extensions: await extensions(ctx),
      ...(ctx.now === undefined ? {} : { now: ctx.now }),
    }),
    ctx,
    seen,
  );
  const e = envelope.trim();
  const input: VerifyInput = { text, ...(choice === undefined ? {} : { choice }) };
  const result = e.split('.').length === 3 ? await verifier.verifyJws(e, input) : await verifier.verify(e, input);
  return { result, receiptUnchecked: seen.unchecked };
}

/** A trust store from JWKS text, or a reason it cannot be one. */
export function trustFrom(jwks: string): TrustStore | string {
  try {
    return createTrustStore(jwks);
  } catch (e) {
    return (e as Error).message;
  }
}
