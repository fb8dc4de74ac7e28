import {
  CARRIER_FIELD,
  ENVELOPE_HEADER,
  SignetError,
  SseParser,
  StreamAssembler,
  UNSEALED_HEADER,
  type SignetErrorCode,
  type StreamKind,
} from '@signet/core';
import type { VerificationPolicy } from './policy.js';
import type { InvalidResult, VerificationResult } from './result.js';
import { createVerifier, type Verifier, type VerifierOptions } from './verifier.js';

/**
 * A `fetch` that verifies the seals of model responses as they arrive. Whole responses are checked
 * before the caller sees them; streams pass through chunk by chunk and are checked when they end,
 * before the body reports its end to the reader, so no stream ever looks complete while its
 * verification is still open. Plugs into the `openai` client:
 * `new OpenAI({ fetch: createVerifyingFetch({ trust }) })`.
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
   * Turn failures into errors: a whole response makes `fetch` reject with a SignetError; a stream
   * errors at its end (the reader's loop throws). Default false: failures are only reported.
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
}

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

function failure(code: SignetErrorCode, message: string, hint?: string): InvalidResult {
  return {
    valid: false,
    kind: 'verification',
    code,
    step: code === 'SIGNET_E_STREAM_TRUNCATED' || code === 'SIGNET_E_ENVELOPE_MISSING' ? 'parse' : 'content',
    message,
    ...(hint === undefined ? {} : { hint }),
  };
}

function toError(result: VerificationResult): SignetError {
  if (result.valid) throw new TypeError('not a failure');
  return new SignetError(result.code, result.message, { ...(result.hint === undefined ? {} : { hint: result.hint }), step: result.step });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * An envelope names the response it seals (`responseId`). A valid envelope moved onto another
 * response with the same text (same question asked twice) would otherwise pass: refuse it.
 */
function checkResponseId(result: VerificationResult, id: unknown): VerificationResult {
  if (!result.valid || typeof id !== 'string' || id === result.claims.responseId) return result;
  return {
    ...failure(
      'SIGNET_E_CONTENT_MISMATCH',
      `The envelope seals response ${result.claims.responseId.slice(0, 80)}, not ${id.slice(0, 80)}.`,
      'The envelope was moved here from another response.',
    ),
    claims: result.claims,
    key: result.key,
  };
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
  const inner = options.fetch ?? globalThis.fetch.bind(globalThis);
  if (typeof inner !== 'function') throw new TypeError('no fetch function is available; pass options.fetch');
  const route = options.route ?? defaultModelRoute;
  const throwOnFailure = options.throwOnFailure === true;

  const report = (result: FetchVerification, response: Response): void => {
    try {
      options.onResult?.(result, response);
    } catch {
      // A failing callback must not change what the caller receives.
    }
  };

  const verifyWhole = async (envelope: string, header: string | null, response: unknown, request: unknown): Promise<VerificationResult> => {
    const input = { response, ...(request === undefined ? {} : { request }) };
    const result = checkResponseId(await verifier.verify(envelope, input), isObject(response) ? response.id : undefined);
    // Two carriers must agree: a header swapped in from another response is tampering too.
    if (result.valid && header !== null && header !== envelope) {
      const other = checkResponseId(await verifier.verify(header, input), isObject(response) ? response.id : undefined);
      if (!other.valid) return other;
    }
    return result;
  };

  const verifyStream = (
    body: ReadableStream<Uint8Array>,
    kind: StreamKind,
    request: unknown,
    settle: (r: VerificationResult) => void,
  ): ReadableStream<Uint8Array> => {
    const reader = body.getReader();
    const parser = new SseParser();
    const assembler = new StreamAssembler(kind);
    let completed: unknown;
    let serverError: string | undefined;
    let settled = false;
    const done = (r: VerificationResult): VerificationResult => {
      if (!settled) {
        settled = true;
        settle(r);
      }
      return r;
    };
    const take = (events: ReturnType<SseParser['push']>): void => {
      for (const ev of events) {
        if (ev.data === undefined) continue;
        if (assembler.push(ev.data, ev.event) === 'error') {
          const v = parseJson(ev.data);
          const err = isObject(v) && isObject(v.error) ? v.error : v;
          serverError = isObject(err) && typeof err.code === 'string' ? err.code.slice(0, 64) : 'an error';
        }
        if (kind === 'response' && ev.data.includes('"response.completed"')) {
          const v = parseJson(ev.data);
          if (isObject(v) && v.type === 'response.completed' && isObject(v.response)) completed = v.response;
        }
      }
    };
    const conclude = async (): Promise<VerificationResult> => {
      const carrier = assembler.carrier;
      if (carrier?.envelope === undefined) {
        if (carrier?.unsealed !== undefined)
          return failure(
            'SIGNET_E_ENVELOPE_MISSING',
            `The server could not seal this response (${String(carrier.unsealed).slice(0, 64)}).`,
          );
        if (serverError !== undefined)
          return failure('SIGNET_E_ENVELOPE_MISSING', `The server ended the stream with ${serverError} instead of an envelope.`);
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
      if (!assembler.hasContent) return failure('SIGNET_E_STREAM_TRUNCATED', 'The stream carried an envelope but no content.');
      const result = checkResponseId(
        await verifier.verify(carrier.envelope, { response: assembler.response(), ...(request === undefined ? {} : { request }) }),
        assembler.id,
      );
      // The Responses API repeats the whole answer in its completed event: a reader may use either copy.
      if (result.valid && completed !== undefined) {
        const second = await verifier.verify(carrier.envelope, { response: completed });
        if (!second.valid) return second;
      }
      return result;
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
            take(parser.push(r.value));
          } catch (e) {
            const res = done(failure('SIGNET_E_STREAM_MALFORMED', (e as Error).message));
            reader.cancel().catch(() => {});
            controller.enqueue(r.value);
            if (throwOnFailure) controller.error(toError(res));
            else controller.close();
            return;
          }
          controller.enqueue(r.value);
          return;
        }
        let result: VerificationResult;
        try {
          take(parser.end());
          result = await conclude();
        } catch (e) {
          result = failure('SIGNET_E_STREAM_MALFORMED', (e as Error).message);
        }
        done(result);
        if (!result.valid && throwOnFailure) controller.error(toError(result));
        else controller.close();
      },
      async cancel(reason) {
        reader.cancel(reason).catch(() => {});
        // A reader may stop at an error event that follows the envelope (a stream the server marked
        // partial): what arrived is still verified. Without an envelope, it stays unverified.
        if (assembler.carrier !== undefined || serverError !== undefined) {
          done(await conclude().catch((e: unknown) => failure('SIGNET_E_STREAM_MALFORMED', (e as Error).message)));
        } else done(failure('SIGNET_E_STREAM_TRUNCATED', 'The reader stopped before the stream ended, so it was not verified.'));
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

    const text = await response.text();
    const parsed = parseJson(text);
    const header = response.headers.get(ENVELOPE_HEADER);
    const field =
      isObject(parsed) && isObject(parsed[CARRIER_FIELD]) ? (parsed[CARRIER_FIELD] as Record<string, unknown>).envelope : undefined;
    let result: VerificationResult;
    if (!isObject(parsed)) result = failure('SIGNET_E_CONTENT_MISMATCH', 'The response body is not a JSON object.');
    else if (typeof field !== 'string' && header === null) {
      const unsealed = response.headers.get(UNSEALED_HEADER);
      result = failure(
        'SIGNET_E_ENVELOPE_MISSING',
        unsealed === null ? 'The response carries no envelope.' : `The server could not seal this response (${unsealed.slice(0, 64)}).`,
        'The response did not come through a sealing server, or its seal was removed.',
      );
    } else
      result = await verifyWhole(
        typeof field === 'string' ? field : (header as string),
        typeof field === 'string' ? header : null,
        parsed,
        request,
      );
    const out = new Response(text, { status: response.status, statusText: response.statusText, headers: passHeaders(response.headers) });
    const full: FetchVerification = { ...result, streamed: false, url };
    results.set(out, Promise.resolve(full));
    report(full, out);
    if (!result.valid && throwOnFailure) throw toError(result);
    return out;
  };
  return verifyingFetch as VerifyingFetch;
}
