import {
  ENVELOPE_HEADER,
  getDefaultBackend,
  insertCarrierField,
  jsonBodyDigest,
  isSignetError,
  SignetError,
  UNSEALED_HEADER,
  type StreamKind,
  type TermsClaim,
} from '@signet/core';
import { carrierField } from './carriers.js';
import type { SealInput, Sealed, Signer } from './signer.js';
import { createEventStreamSealing, sealingToWebStream, type EventStreamSealing } from './sse-sealer.js';
import type { UnsealedRecorder } from './unsealed.js';

/**
 * The one core every adapter (fetch handler, Hono, Node http/Express, the gateway) shares: given the
 * upstream's Response to a model request, return the sealed Response.
 */

/** Options shared by every sealing adapter. Checked when the adapter is created. */
export interface SealingOptions {
  /** The signer (see `createSigner`). */
  readonly signer: Signer;
  /**
   * Pass responses that cannot be sealed through unsealed, marked with the `Signet-Unsealed` header
   * (streams: an `unsealed` carrier). Off by default: the client gets a 502 instead.
   */
  readonly failOpen?: boolean;
  /** Called after each seal (a transparency log, a registry). Errors fail the seal. */
  readonly onSealed?: (sealed: Sealed, input: SealInput) => void | Promise<void>;
  /**
   * Records every model-route answer that is not sealed: an error status passed on (marked with
   * `Signet-Unsealed`), a fail-open answer, a seal that failed. A whole answer waits for the record;
   * if recording fails, the answer is withheld (502).
   */
  readonly onUnsealed?: UnsealedRecorder;
  /** Told about sealing failures and broken upstream streams; the message never holds key material. */
  readonly onError?: (error: SignetError) => void;
  /** Largest non-streamed response body sealed, in bytes (default 32 MiB). */
  readonly maxBodyBytes?: number;
  /** Largest streamed answer passed on and sealed, in bytes (default 16 MiB); longer ones end with a partial seal. */
  readonly maxStreamBytes?: number | undefined;
}

/** What is known about the request a response answers. */
export interface SealContext {
  readonly account: string;
  /** The parsed request body, when it was JSON. */
  readonly request?: unknown;
  /** The request digest, computed up front (see `SealInput.requestDigest`). */
  readonly requestDigest?: Uint8Array;
  readonly kind: StreamKind;
  readonly terms?: TermsClaim;
  /** The canonical route, for the record of an unsealed answer. */
  readonly route?: string;
  /** Told whether this answer left sealed or unsealed (an access log, metrics). */
  readonly onOutcome?: (outcome: 'sealed' | 'unsealed') => void;
}

/** Response headers as a plain record: names in lower case, `set-cookie` as a list. */
export type HeaderRecord = Record<string, string | string[]>;

/** A response whose body is already in memory: what {@link ResponseSealer.sealText} takes and gives. */
export interface TextResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: HeaderRecord;
  readonly body: string;
}

/** Seals upstream responses. */
export interface ResponseSealer {
  /**
   * Seals a response. Error statuses (not 2xx) pass through unsealed, marked with `Signet-Unsealed`
   * and recorded. A 2xx response that cannot be sealed becomes a 502 (or, fail-open, is marked), and
   * is recorded either way.
   */
  seal(response: Response, context: SealContext): Promise<Response>;
  /**
   * Seals a whole 2xx JSON answer already read into memory (the Node-native gateway path reads the
   * upstream body itself). The same steps as {@link ResponseSealer.seal}, without a Web Response.
   */
  sealText(response: TextResponse, context: SealContext): Promise<TextResponse>;
  /**
   * Starts sealing a 2xx event stream pushed chunk by chunk (the Node-native gateway path drives it
   * from the upstream socket); {@link ResponseSealer.seal} drives the same core from a Web stream.
   */
  sealStream(status: number, context: SealContext): EventStreamSealing;
}

/** Response headers a sealed stream adds: proxies must not buffer it, the first token has to arrive as fast as without one. */
export const STREAM_HEADERS: Readonly<Record<string, string>> = { 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };

function textError(status: number, code: string, message: string, extraHeaders: Record<string, string> = {}): TextResponse {
  const headers = { 'content-type': 'application/json', ...extraHeaders };
  return { status, statusText: '', headers, body: JSON.stringify({ error: { message, type: 'signet_error', code, param: null } }) };
}

function toResponse(r: TextResponse): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(r.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else for (const v of value) headers.append(name, v);
  }
  return new Response(r.body, { status: r.status, statusText: r.statusText, headers });
}

/** A Web Headers object as a {@link HeaderRecord}. */
export function headerRecord(h: Headers): HeaderRecord {
  const out: HeaderRecord = {};
  h.forEach((v, k) => {
    if (k !== 'set-cookie') out[k] = v;
  });
  const cookies = h.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies;
  return out;
}

const DEFAULT_MAX_BODY = 32 * 1024 * 1024;

/**
 * Response headers never passed on from the upstream: those that describe its body framing (which
 * sealing changes), and Signet's own, which only the sealer writes (an upstream cannot mark its
 * answer sealed or unsealed).
 */
const DROPPED = new Set([
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'signet-envelope',
  'signet-unsealed',
]);

function copyHeaders(from: Headers): Headers {
  const h = new Headers(from);
  for (const name of DROPPED) h.delete(name);
  return h;
}

/** Header records hold names in lower case, so what the sealer sets replaces, never joins, a given one. */
function copyRecord(from: HeaderRecord, name: string, value: string): HeaderRecord {
  const out: HeaderRecord = {};
  for (const k in from) if (!DROPPED.has(k)) out[k] = from[k] as string | string[];
  out[name.toLowerCase()] = value;
  return out;
}

/** A JSON error body in the OpenAI error shape, so clients raise it as an APIError. */
export function jsonError(status: number, code: string, message: string, extraHeaders: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error: { message, type: 'signet_error', code, param: null } }), {
    status,
    headers: { 'content-type': 'application/json', ...extraHeaders },
  });
}

/** Checks sealing options (once, at creation). */
export function checkSealingOptions(options: SealingOptions, who: string): void {
  if (options === null || typeof options !== 'object') throw new TypeError(`${who} needs an options object`);
  const s = options.signer as Partial<Signer> | undefined;
  if (s === null || typeof s !== 'object' || typeof s.seal !== 'function' || typeof s.kid !== 'string') {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `${who}: signer must be a Signer`, {
      hint: 'Create one with createSigner({ issuer, key, accountSecret, terms }).',
    });
  }
  for (const name of ['onSealed', 'onError', 'onUnsealed'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function')
      throw new SignetError('SIGNET_E_CONFIG_INVALID', `${who}: ${name} must be a function`);
  }
  if (options.failOpen !== undefined && typeof options.failOpen !== 'boolean')
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `${who}: failOpen must be a boolean`);
  if (options.maxBodyBytes !== undefined && (!Number.isSafeInteger(options.maxBodyBytes) || options.maxBodyBytes <= 0)) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `${who}: maxBodyBytes must be a positive whole number`);
  }
  if (options.maxStreamBytes !== undefined && (!Number.isSafeInteger(options.maxStreamBytes) || options.maxStreamBytes <= 0)) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `${who}: maxStreamBytes must be a positive whole number`);
  }
}

async function readBounded(response: Response, max: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > max) throw new SignetError('SIGNET_E_GATEWAY_SEAL_FAILED', `The response body is larger than ${max} bytes.`);
  if (response.body === null) return '';
  // With a declared length in bounds, the runtime's own reader is the fast path.
  if (Number.isSafeInteger(declared) && declared >= 0) return response.text();
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    size += r.value.length;
    if (size > max) {
      reader.cancel().catch(() => {});
      throw new SignetError('SIGNET_E_GATEWAY_SEAL_FAILED', `The response body is larger than ${max} bytes.`);
    }
    parts.push(r.value);
  }
  const decoder = new TextDecoder();
  let text = '';
  for (const p of parts) text += decoder.decode(p, { stream: true });
  return text + decoder.decode();
}

/** Creates the sealing core. */
export function createResponseSealer(options: SealingOptions): ResponseSealer {
  checkSealingOptions(options, 'createResponseSealer');
  const { signer, failOpen = false } = options;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const backend = getDefaultBackend();
  const report = (e: SignetError): void => {
    try {
      options.onError?.(e);
    } catch {
      // Reporting must never change the response.
    }
  };
  const sealFailure = (e: unknown): SignetError =>
    isSignetError(e, 'SIGNET_E_GATEWAY_SEAL_FAILED')
      ? e
      : new SignetError('SIGNET_E_GATEWAY_SEAL_FAILED', `The response could not be sealed${isSignetError(e) ? `: ${e.message}` : '.'}`, {
          cause: e,
        });

  /** Records an unsealed answer; false when the record could not be made (reported). */
  const record = async (
    context: SealContext,
    status: number,
    reason: string,
    extra: { streamed: boolean; delivered: boolean; responseId?: string | undefined },
  ): Promise<boolean> => {
    context.onOutcome?.('unsealed');
    if (options.onUnsealed === undefined) return true;
    try {
      await options.onUnsealed({
        account: context.account,
        ...(context.route === undefined ? {} : { route: context.route }),
        status,
        reason,
        time: Date.now(),
        ...(extra.responseId === undefined ? {} : { responseId: extra.responseId }),
        streamed: extra.streamed,
        delivered: extra.delivered,
      });
      return true;
    } catch (cause) {
      report(new SignetError('SIGNET_E_GATEWAY_SEAL_FAILED', 'An unsealed answer could not be recorded.', { cause }));
      return false;
    }
  };
  const unrecorded = (response: Response): Response => {
    if (response.body !== null && !response.bodyUsed) response.body.cancel().catch(() => {});
    return jsonError(502, 'SIGNET_E_GATEWAY_SEAL_FAILED', 'The response could not be sealed or recorded, so it was withheld.');
  };

  const sealText = async (response: TextResponse, context: SealContext): Promise<TextResponse> => {
    const text = response.body;
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new SignetError('SIGNET_E_GATEWAY_SEAL_FAILED', 'The upstream response is not valid JSON.');
      }
      const input: SealInput = {
        account: context.account,
        response: parsed,
        // The client receives exactly this text plus the carrier member: seal its bytes.
        body: jsonBodyDigest(backend, text),
        ...(context.request === undefined ? {} : { request: context.request }),
        ...(context.requestDigest === undefined ? {} : { requestDigest: context.requestDigest }),
        ...(context.terms === undefined ? {} : { terms: context.terms }),
      };
      const sealed = await signer.seal(input);
      if (options.onSealed !== undefined) await options.onSealed(sealed, input);
      const body = insertCarrierField(text, carrierField(sealed));
      if (body === undefined) throw new SignetError('SIGNET_E_GATEWAY_SEAL_FAILED', 'The upstream response is not a JSON object.');
      context.onOutcome?.('sealed');
      return {
        status: response.status,
        statusText: response.statusText,
        headers: copyRecord(response.headers, ENVELOPE_HEADER, sealed.text),
        body,
      };
    } catch (e) {
      const err = sealFailure(e);
      report(err);
      const delivered = failOpen;
      if (!(await record(context, delivered ? response.status : 502, err.code, { streamed: false, delivered })))
        return textError(502, 'SIGNET_E_GATEWAY_SEAL_FAILED', 'The response could not be sealed or recorded, so it was withheld.');
      if (delivered)
        return {
          status: response.status,
          statusText: response.statusText,
          headers: copyRecord(response.headers, UNSEALED_HEADER, err.code),
          body: text,
        };
      return textError(
        502,
        err.code,
        'The response could not be sealed, so it was withheld.',
        failOpen ? { [UNSEALED_HEADER]: err.code } : {},
      );
    }
  };

  const sealStream = (status: number, context: SealContext): EventStreamSealing =>
    createEventStreamSealing(signer, {
      account: context.account,
      kind: context.kind,
      ...(context.request === undefined ? {} : { request: context.request }),
      ...(context.requestDigest === undefined ? {} : { requestDigest: context.requestDigest }),
      ...(context.terms === undefined ? {} : { terms: context.terms }),
      ...(options.onSealed === undefined && context.onOutcome === undefined
        ? {}
        : {
            onSealed: async (sealed: Sealed, input: SealInput) => {
              await options.onSealed?.(sealed, input);
              context.onOutcome?.('sealed');
            },
          }),
      onError: report,
      onUnsealed: async (reason, responseId, delivered) => {
        await record(context, status, reason, { streamed: true, delivered: delivered || failOpen, responseId });
      },
      failOpen,
      ...(options.maxStreamBytes === undefined ? {} : { maxStreamBytes: options.maxStreamBytes }),
    });

  return {
    sealText,
    sealStream,
    async seal(response, context) {
      if (response.status < 200 || response.status > 299) {
        // No model output, but still an answer from a model route: marked and recorded, like every unsealed one.
        const reason = 'SIGNET_E_GATEWAY_UNSEALED_STATUS';
        if (!(await record(context, response.status, reason, { streamed: false, delivered: false }))) return unrecorded(response);
        const headers = new Headers(response.headers);
        headers.delete(ENVELOPE_HEADER);
        headers.set(UNSEALED_HEADER, reason);
        const noBody = response.status === 204 || response.status === 304 || response.body === null;
        return new Response(noBody ? null : response.body, { status: response.status, statusText: response.statusText, headers });
      }
      const type = response.headers.get('content-type') ?? '';
      if (type.includes('text/event-stream')) {
        if (response.body === null) return response;
        const body = sealingToWebStream(response.body, sealStream(response.status, context));
        const headers = copyHeaders(response.headers);
        for (const [name, value] of Object.entries(STREAM_HEADERS)) headers.set(name, value);
        return new Response(body, { status: response.status, statusText: response.statusText, headers });
      }
      let text: string;
      try {
        if (!type.includes('json'))
          throw new SignetError(
            'SIGNET_E_GATEWAY_SEAL_FAILED',
            `A model response of type ${JSON.stringify(type.slice(0, 80))} cannot be sealed.`,
          );
        text = await readBounded(response, maxBody);
      } catch (e) {
        const err = sealFailure(e);
        report(err);
        if (!(await record(context, 502, err.code, { streamed: false, delivered: false }))) return unrecorded(response);
        if (response.body !== null && !response.bodyUsed) response.body.cancel().catch(() => {});
        return jsonError(
          502,
          err.code,
          'The response could not be sealed, so it was withheld.',
          failOpen ? { [UNSEALED_HEADER]: err.code } : {},
        );
      }
      return toResponse(
        await sealText(
          { status: response.status, statusText: response.statusText, headers: headerRecord(response.headers), body: text },
          context,
        ),
      );
    },
  };
}
