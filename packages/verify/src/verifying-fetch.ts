import {
  ENVELOPE_HEADER,
  getDefaultBackend,
  jsonBodyDigest,
  SseBinding,
  SseParser,
  splitJsonBody,
  UNSEALED_HEADER,
  type CarrierField,
  type StreamKind,
} from '@signet/core';
import { failingBody, failure, failureOf, toError } from './fetch-failure.js';
import type { VerificationPolicy } from './policy.js';
import type { InvalidResult, VerificationResult } from './result.js';
import { createVerifier, type Verifier, type VerifierOptions } from './verifier.js';

/**
 * A `fetch` that verifies the seals of model responses as they arrive. Whole responses are checked
 * before the caller sees them; streams pass through chunk by chunk and are checked when they end,
 * before the body reports its end to the reader, so no stream ever looks complete while its
 * verification is still open. Plugs into the `openai` client:
 * `new OpenAI({ fetch: createVerifyingFetch({ trust }) })`.
 *
 * What is checked is exactly what the client reads: the envelope's body digest covers every byte of
 * the body (less the carrier) or of the stream before the carrier, the carrier must be in its one
 * canonical form and place, and a stream must end exactly as a sealed stream ends. The shape of a
 * response comes from the route that was called. Matches are exact unless the policy allows
 * normalized ones.
 */

/** The verification of one response. */
export type FetchVerification = VerificationResult & {
  /** Whether the response was a stream. */
  readonly streamed: boolean;
  /** The request URL. */
  readonly url: string;
};

/** Options of {@link createVerifyingFetch}. */
export interface VerifyingFetchOptions {
  /** Trusted keys: a trust store, a JWKS document (object or JSON text), or imported keys. */
  readonly trust: VerifierOptions['trust'];
  /** What to require beyond a sound seal (issuer, account, terms ...). */
  readonly policy?: VerificationPolicy;
  /** Use this verifier instead of building one from `trust` and `policy`. */
  readonly verifier?: Verifier;
  /** Called once per verified response with its result. */
  readonly onResult?: (result: FetchVerification, response: Response) => void;
  /**
   * Turn failures into errors, raised where the body is read: reading a failed whole response
   * (`json()`, `text()`) rejects with the SignetError, and a failed stream errors at its end (the
   * reader's loop throws). `fetch` itself resolves, so a client that retries failed fetches (the
   * `openai` client turns a rejected fetch into a retried `APIConnectionError`) neither retries a
   * failed verification nor hides its code: the application catches the SignetError itself.
   * Default false: failures are only reported.
   */
  readonly throwOnFailure?: boolean;
  /** The fetch to wrap (default: the global `fetch`). */
  readonly fetch?: typeof fetch;
  /**
   * Which requests get model responses, and of which shape. Default: POST to a path ending in
   * `/chat/completions`, `/completions` or `/responses`. Other requests pass through unverified.
   */
  readonly route?: (method: string, pathname: string) => StreamKind | undefined;
  /** Other verifier options (clock, backend, extensions). */
  readonly verifierOptions?: Omit<VerifierOptions, 'trust' | 'policy'>;
  /**
   * Refuse a response this process already accepted (same issuer and response id): an earlier
   * sealed answer replayed in place of a new one (`SIGNET_E_CONTENT_REPLAYED`). A provider never
   * sends the same response twice. The memory is shared by every verifying fetch of the process and
   * holds the last {@link REPLAY_MEMORY} responses. Default true.
   */
  readonly checkReplays?: boolean;
}

/** How many accepted responses the replay check remembers. */
export const REPLAY_MEMORY = 10_000;

// Process-wide and insertion-ordered: the oldest entry is the first one dropped. Shared, so that an
// answer accepted by one client cannot be replayed to another in the same process.
const accepted = new Set<string>();

/** A fetch that verifies. */
export type VerifyingFetch = typeof fetch;

const results = new WeakMap<Response, Promise<FetchVerification>>();

/**
 * The verification of a response returned by a verifying fetch: resolves when it is known (for a
 * stream, once the stream has been read to its end). Undefined for responses that were not checked
 * (not a model request, or an error status).
 */
export function verificationOf(response: Response): Promise<FetchVerification> | undefined {
  return results.get(response);
}

/** The default route: the three OpenAI-compatible generation endpoints (the signer's default too). */
export function defaultModelRoute(method: string, pathname: string): StreamKind | undefined {
  if (method.toUpperCase() !== 'POST') return undefined;
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  if (path.endsWith('/chat/completions')) return 'chat';
  if (path.endsWith('/completions')) return 'completion';
  if (path.endsWith('/responses')) return 'response';
  return undefined;
}

/**
 * The carrier's own members must say what the signed envelope says: a `partial` mark removed or a
 * `kid` swapped is tampering too, even though the envelope itself is intact.
 */
function checkCarrier(result: VerificationResult, field: CarrierField | undefined): VerificationResult {
  if (!result.valid || field === undefined) return result;
  // The gateway writes exactly {envelope, kid, partial?}: a member dropped or added is tampering.
  if (field.unsealed !== undefined || (field.partial === true) !== (result.claims.partial === true) || field.kid !== result.key.kid)
    return failure(
      'SIGNET_E_CONTENT_CARRIER',
      'The carrier contradicts the envelope it carries.',
      'The response was changed on its way from the provider.',
    );
  return result;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Headers that described the encoded body; the body handed on is decoded. */
function passHeaders(from: Headers): Headers {
  const h = new Headers(from);
  h.delete('content-encoding');
  h.delete('content-length');
  return h;
}

/** Creates a verifying fetch. Configuration errors throw now. */
export function createVerifyingFetch(options: VerifyingFetchOptions): VerifyingFetch {
  if (options === null || typeof options !== 'object') throw new TypeError('createVerifyingFetch needs an options object');
  const verifier =
    options.verifier ??
    createVerifier({
      trust: options.trust,
      ...(options.policy === undefined ? {} : { policy: options.policy }),
      ...(options.verifierOptions ?? {}),
    });
  const backend = options.verifierOptions?.backend ?? getDefaultBackend();
  const inner = options.fetch ?? globalThis.fetch.bind(globalThis);
  if (typeof inner !== 'function') throw new TypeError('no fetch function is available; pass options.fetch');
  const route = options.route ?? defaultModelRoute;
  const throwOnFailure = options.throwOnFailure === true;
  const checkReplays = options.checkReplays !== false;
  const rememberOnce = (result: VerificationResult): VerificationResult => {
    if (!result.valid || !checkReplays) return result;
    const id = `${result.claims.issuer}\n${result.claims.responseId}`;
    if (accepted.has(id))
      return failure(
        'SIGNET_E_CONTENT_REPLAYED',
        `Response ${result.claims.responseId.slice(0, 80)} was already accepted once: this answer is a replay.`,
        'An earlier answer was sent again in place of a new one.',
      );
    accepted.add(id);
    if (accepted.size > REPLAY_MEMORY) accepted.delete(accepted.values().next().value as string);
    return result;
  };

  const report = (result: FetchVerification, response: Response): void => {
    try {
      options.onResult?.(result, response);
    } catch {
      // A failing callback must not change what the caller receives.
    }
  };

  const verifyWhole = async (
    text: string,
    header: string | null,
    unsealed: string | null,
    kind: StreamKind,
    request: unknown,
  ): Promise<VerificationResult> => {
    let body;
    try {
      body = splitJsonBody(text);
    } catch (e) {
      return failureOf(e);
    }
    const field = body.field;
    if (field !== undefined && field.envelope === undefined && field.unsealed === undefined)
      return failure(
        'SIGNET_E_CONTENT_CARRIER',
        'The signet member carries no envelope.',
        'The response was changed on its way from the provider.',
      );
    const envelope = field?.envelope ?? header;
    if (envelope === null || envelope === undefined) {
      const why = field?.unsealed ?? unsealed;
      return failure(
        'SIGNET_E_ENVELOPE_MISSING',
        why === null || why === undefined
          ? 'The response carries no envelope.'
          : `The server could not seal this response (${why.slice(0, 64)}).`,
        'The response did not come through a sealing server, or its seal was removed.',
      );
    }
    // Two carriers must agree: a header swapped in from another response is tampering too.
    if (field?.envelope !== undefined && header !== null && header !== field.envelope)
      return failure('SIGNET_E_CONTENT_CARRIER', 'The envelope header and the signet member carry different envelopes.');
    const result = await verifier.verify(envelope, {
      response: body.value,
      kind,
      body: jsonBodyDigest(backend, body.sealed),
      ...(request === undefined ? {} : { request }),
    });
    return rememberOnce(checkCarrier(result, field));
  };

  const verifyStream = (
    source: ReadableStream<Uint8Array>,
    kind: StreamKind,
    request: unknown,
    settle: (r: VerificationResult) => void,
  ): ReadableStream<Uint8Array> => {
    const reader = source.getReader();
    const parser = new SseParser();
    const binding = new SseBinding(backend, kind);
    let broken: InvalidResult | undefined;
    let settled = false;
    const done = (r: VerificationResult): VerificationResult => {
      if (!settled) {
        settled = true;
        settle(r);
      }
      return r;
    };
    // One conclusion per stream, whoever asks first (the end of the stream or the reader leaving):
    // concluding twice would count the response twice.
    let concluded: Promise<VerificationResult> | undefined;
    const conclude = (readerLeft: boolean): Promise<VerificationResult> => (concluded ??= concludeOnce(readerLeft));
    const concludeOnce = async (readerLeft: boolean): Promise<VerificationResult> => {
      const outcome = binding.end();
      const field = outcome.field;
      const assembler = outcome.assembler;
      if (field === undefined) {
        if (outcome.serverError !== undefined)
          return failure('SIGNET_E_ENVELOPE_MISSING', `The server ended the stream with ${outcome.serverError} instead of an envelope.`);
        if (readerLeft) return failure('SIGNET_E_STREAM_TRUNCATED', 'The reader stopped before the stream ended, so it was not verified.');
        if (!assembler.finished)
          return failure(
            'SIGNET_E_STREAM_TRUNCATED',
            'The stream ended before its envelope arrived.',
            'The connection was cut or the stream was shortened on the way.',
          );
        return failure(
          'SIGNET_E_ENVELOPE_MISSING',
          'The stream carries no envelope.',
          'The response did not come through a sealing server, or its seal was removed.',
        );
      }
      if (field.envelope === undefined)
        return failure(
          'SIGNET_E_ENVELOPE_MISSING',
          `The server could not seal this response (${String(field.unsealed ?? 'unsealed').slice(0, 64)}).`,
        );
      // A reader that left after the carrier (at the error event of a partial stream, say) still gets
      // a verdict on what arrived; one that read to the end must have seen the stream's one ending.
      if (!readerLeft && !outcome.ended)
        return failure(
          'SIGNET_E_STREAM_TRUNCATED',
          'The stream ended without the end a sealed stream has.',
          'The stream was shortened on the way.',
        );
      if (!assembler.hasContent) return failure('SIGNET_E_STREAM_TRUNCATED', 'The stream carried an envelope but no content.');
      const result = await verifier.verify(field.envelope, {
        response: assembler.response(),
        kind,
        ...(outcome.body === undefined ? {} : { body: outcome.body }),
        ...(request === undefined ? {} : { request }),
      });
      return rememberOnce(checkCarrier(result, field));
    };
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (e) {
          done(failure('SIGNET_E_STREAM_TRUNCATED', 'The stream broke off before its envelope arrived.'));
          controller.error(e);
          return;
        }
        if (!r.done) {
          try {
            for (const ev of parser.push(r.value)) binding.push(ev);
          } catch (e) {
            // Out of place: what this chunk holds is not passed on.
            broken = failureOf(e);
            const res = done(broken);
            reader.cancel().catch(() => {});
            if (throwOnFailure) controller.error(toError(res));
            else controller.close();
            return;
          }
          controller.enqueue(r.value);
          return;
        }
        let result: VerificationResult;
        try {
          for (const ev of parser.end()) binding.push(ev);
          result = await conclude(false);
        } catch (e) {
          result = failureOf(e);
        }
        done(result);
        if (!result.valid && throwOnFailure) controller.error(toError(result));
        else controller.close();
      },
      async cancel(reason) {
        reader.cancel(reason).catch(() => {});
        if (broken !== undefined) return;
        done(await conclude(true).catch((e: unknown) => failureOf(e)));
      },
    });
  };

  const verifyingFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    let kind: StreamKind | undefined;
    try {
      kind = route(method, new URL(url, 'http://localhost').pathname);
    } catch {
      kind = undefined;
    }
    if (kind === undefined) return inner(input, init);
    let requestText: string | undefined;
    if (typeof init?.body === 'string') requestText = init.body;
    else if (init?.body instanceof Uint8Array || init?.body instanceof ArrayBuffer) requestText = new TextDecoder().decode(init.body);
    else if (init?.body === undefined && input instanceof Request && input.body !== null) requestText = await input.clone().text();
    const request = requestText === undefined ? undefined : parseJson(requestText);
    const response = await inner(input, init);
    if (response.status < 200 || response.status > 299) return response;
    const type = response.headers.get('content-type') ?? '';

    if (type.includes('text/event-stream') && response.body !== null) {
      let settle!: (r: VerificationResult) => void;
      const promise = new Promise<FetchVerification>((resolve) => {
        settle = (r) => resolve({ ...r, streamed: true, url });
      });
      const body = verifyStream(response.body, kind, request, settle);
      const out = new Response(body, { status: response.status, statusText: response.statusText, headers: passHeaders(response.headers) });
      results.set(out, promise);
      promise.then((r) => report(r, out)).catch(() => {});
      return out;
    }

    // The client reads exactly the text checked here: it is handed on as it was verified.
    const text = await response.text();
    const result = await verifyWhole(text, response.headers.get(ENVELOPE_HEADER), response.headers.get(UNSEALED_HEADER), kind, request);
    const failed = !result.valid && throwOnFailure ? toError(result) : undefined;
    const out = new Response(failed === undefined ? text : failingBody(failed), {
      status: response.status,
      statusText: response.statusText,
      headers: passHeaders(response.headers),
    });
    const full: FetchVerification = { ...result, streamed: false, url };
    results.set(out, Promise.resolve(full));
    report(full, out);
    return out;
  };
  return verifyingFetch as VerifyingFetch;
}
