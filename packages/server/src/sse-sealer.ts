import {
  carrierEvent,
  concatBytes,
  errorEvent,
  getDefaultBackend,
  isCarrierData,
  isSignetError,
  SignetError,
  SSE_DONE,
  SseParser,
  type BodyDigest,
  type StreamKind,
} from '@signet/core';
import { carrierField } from './carriers.js';
import type { Signer } from './signer.js';
import { createStreamingSeal, type StreamSealInput } from './streaming-signer.js';

/** Options of {@link sealEventStream}. */
export interface EventStreamSealOptions extends StreamSealInput {
  /** When sealing fails, end the stream with an `unsealed` carrier instead of an error event. */
  readonly failOpen?: boolean;
  /** Told about every sealing failure and broken upstream (never with key material). */
  readonly onError?: (error: SignetError) => void;
  /**
   * Records a stream that ends without its seal (awaited before the error event or unsealed
   * carrier). `delivered` is true when content events already reached the reader.
   */
  readonly onUnsealed?: (reason: string, responseId: string | undefined, delivered: boolean) => Promise<void>;
  /**
   * Largest stream passed on and sealed, in bytes (default 16 MiB). A longer one is cut there:
   * the upstream is cancelled and what was passed on is sealed as partial, then an error event.
   */
  readonly maxStreamBytes?: number;
}

/** How many forwarded bytes wait, at most, to be hashed in one call. */
const HASH_BATCH_BYTES = 64 * 1024;

/** Default cap on a streamed answer, bytes. */
export const DEFAULT_MAX_STREAM_BYTES = 16 * 1024 * 1024;

function toSignetError(e: unknown, code: 'SIGNET_E_GATEWAY_SEAL_FAILED' | 'SIGNET_E_GATEWAY_UPSTREAM', message: string): SignetError {
  // A timeout keeps its own code: the operator tunes a different knob for it.
  if (isSignetError(e, 'SIGNET_E_GATEWAY_UPSTREAM_TIMEOUT')) return e;
  return isSignetError(e) && code === 'SIGNET_E_GATEWAY_SEAL_FAILED'
    ? new SignetError(code, `${message}: ${e.message}`, { cause: e })
    : new SignetError(code, message, { cause: e });
}

/** What one pushed chunk gives: the bytes to forward now, and whether the stream must stop here. */
export interface EventStreamStep {
  /** Complete events to pass on, byte for byte (undefined: none completed yet). */
  readonly forward: Uint8Array | undefined;
  /** Set when the stream cannot go on (too large, malformed): stop reading, then call `end(stop)`. */
  readonly stop?: SignetError;
}

/**
 * One event stream being sealed, driven by pushes: the one sealing logic behind both the Web stream
 * ({@link sealEventStream}) and the gateway's Node-native path. Each event is forwarded the moment
 * its last byte arrives, byte for byte; the stream's content is rebuilt alongside and every
 * forwarded byte is hashed. At the end the envelope follows as one more event (see docs/spec.md,
 * "Carriers"), then the held-back `[DONE]`.
 */
export interface EventStreamSealing {
  /** Feeds bytes from the upstream. */
  push(chunk: Uint8Array): EventStreamStep;
  /**
   * The upstream ended (`broken`: it broke off, timed out or was cut). Returns the closing bytes:
   * the last events, the carrier and `[DONE]`, or an error event. Call it once.
   */
  end(broken?: SignetError): Promise<Uint8Array[]>;
  /**
   * The reader went away: the delivered part is sealed (partial unless whole) for the record, and
   * nothing else is sent or reported.
   */
  cancel(): void;
}

/** The error a broken upstream body gives (a timeout keeps its own code). */
export function upstreamStreamError(e: unknown): SignetError {
  return toSignetError(e, 'SIGNET_E_GATEWAY_UPSTREAM', 'The upstream stream failed');
}

/** Starts sealing one event stream (see {@link EventStreamSealing}). */
export function createEventStreamSealing(signer: Signer, options: EventStreamSealOptions): EventStreamSealing {
  const seal = createStreamingSeal(signer, options);
  const parser = new SseParser();
  const maxBytes = options.maxStreamBytes ?? DEFAULT_MAX_STREAM_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw new RangeError('maxStreamBytes must be a positive whole number');
  let received = 0;
  let closed = false;
  const report = (e: SignetError): void => {
    try {
      options.onError?.(e);
    } catch {
      // A failing error hook must not break the stream.
    }
  };

  // Every byte forwarded before the carrier is hashed: the envelope seals exactly what the client reads.
  // The pieces are hashed in batches: one hash call per token event is a visible share of a stream,
  // one copy of a few kilobytes is not. What waits is bounded by HASH_BATCH_BYTES.
  const hasher = getDefaultBackend().sha256Hasher();
  const unhashed: Uint8Array[] = [];
  let unhashedBytes = 0;
  const hashPending = (): void => {
    if (unhashed.length === 0) return;
    hasher.update(unhashed.length === 1 ? (unhashed[0] as Uint8Array) : concatBytes(...unhashed));
    unhashed.length = 0;
    unhashedBytes = 0;
  };
  const hashLater = (bytes: Uint8Array): void => {
    unhashed.push(bytes);
    unhashedBytes += bytes.byteLength;
    if (unhashedBytes >= HASH_BATCH_BYTES) hashPending();
  };
  let sealedBody: BodyDigest | undefined;
  const bodyDigest = (): BodyDigest => {
    if (sealedBody === undefined) {
      hashPending();
      sealedBody = { media: 'sse', digest: hasher.digest() };
    }
    return sealedBody;
  };

  const forward = (events: ReturnType<SseParser['push']>, out: Uint8Array[]): void => {
    for (const ev of events) {
      if (ev.data !== undefined) {
        // `[DONE]` must come after the envelope, so it is held back.
        if (ev.data === '[DONE]') {
          seal.pushData(ev.data, ev.event);
          continue;
        }
        // An envelope the upstream claims to carry is not ours to pass on, nor to seal.
        if (isCarrierData(ev.data)) continue;
        seal.pushData(ev.data, ev.event);
      }
      out.push(ev.raw);
    }
  };
  // What one push forwards, as one piece, hashed once (the envelope seals exactly these bytes):
  // events that sit side by side in the parser's buffer (the usual case) are passed on as one view
  // of it, without a copy.
  const joined = (out: Uint8Array[]): Uint8Array | undefined => {
    if (out.length === 0) return undefined;
    const first = out[0] as Uint8Array;
    let bytes = first;
    if (out.length > 1) {
      let contiguous = true;
      let total = first.byteLength;
      for (let i = 1; i < out.length; i++) {
        const prev = out[i - 1] as Uint8Array;
        const o = out[i] as Uint8Array;
        contiguous &&= o.buffer === first.buffer && o.byteOffset === prev.byteOffset + prev.byteLength;
        total += o.byteLength;
      }
      bytes = contiguous ? new Uint8Array(first.buffer, first.byteOffset, total) : concatBytes(...out);
    }
    hashLater(bytes);
    return bytes;
  };

  const finish = async (broken: SignetError | undefined, tail: Uint8Array[]): Promise<Uint8Array[]> => {
    if (closed) return tail;
    closed = true;
    const kind: StreamKind | undefined = seal.assembled.kind ?? options.kind;
    const partial = !seal.assembled.complete;
    if (broken !== undefined || partial)
      report(broken ?? new SignetError('SIGNET_E_GATEWAY_UPSTREAM', 'The upstream stream ended before the response was complete.'));
    if (!seal.assembled.hasContent) {
      // Nothing to seal, yet events were passed on: the stream still ends marked (an error event)
      // and on record, never as a plain answer without its seal.
      const reason = broken?.code ?? (partial ? 'SIGNET_E_GATEWAY_UPSTREAM' : 'SIGNET_E_GATEWAY_SEAL_FAILED');
      await options.onUnsealed?.(reason, seal.assembled.id, false).catch(() => {});
      if (!partial) {
        report(new SignetError('SIGNET_E_GATEWAY_SEAL_FAILED', 'The stream carried no content to seal.'));
        tail.push(errorEvent(kind, 'SIGNET_E_GATEWAY_SEAL_FAILED', 'The stream carried no content to seal.'));
        return tail;
      }
    }
    if (seal.assembled.hasContent) {
      try {
        const sealed = await seal.finish({ partial, body: bodyDigest() });
        tail.push(carrierEvent(identity(seal.assembled, kind), carrierField(sealed)));
      } catch (e) {
        const err = toSignetError(e, 'SIGNET_E_GATEWAY_SEAL_FAILED', 'The response could not be sealed');
        report(err);
        // Never silently: the failure is on record (with the account) before the stream ends. The
        // content already went out, so it is on record as delivered unsealed.
        await options.onUnsealed?.(err.code, seal.assembled.id, true).catch(() => {});
        if (options.failOpen === true) {
          tail.push(carrierEvent(identity(seal.assembled, kind), { unsealed: err.code }));
        } else {
          // Fail closed: the reader gets an error, never an answer that merely lacks its seal.
          tail.push(errorEvent(kind, err.code, 'The response could not be sealed.'));
          return tail;
        }
      }
    }
    // One ending only (see `body.ts` in core): a partial stream ends with an error event, a whole chat
    // or completion stream with `[DONE]` (even when the upstream omitted it), a Responses-API stream
    // with its carrier.
    if (partial) {
      const code =
        broken?.code === 'SIGNET_E_GATEWAY_UPSTREAM_TIMEOUT' || broken?.code === 'SIGNET_E_GATEWAY_STREAM_TOO_LARGE'
          ? broken.code
          : 'SIGNET_E_GATEWAY_UPSTREAM';
      const message =
        code === 'SIGNET_E_GATEWAY_STREAM_TOO_LARGE'
          ? `The response grew past ${maxBytes} bytes and was cut off.`
          : code === 'SIGNET_E_GATEWAY_UPSTREAM_TIMEOUT'
            ? 'The upstream stopped sending before the response was complete.'
            : 'The upstream stream broke off before the response was complete.';
      tail.push(errorEvent(kind, code, message));
    } else if (kind !== 'response') tail.push(SSE_DONE);
    return tail;
  };

  return {
    push(chunk) {
      if (closed) return { forward: undefined };
      received += chunk.byteLength;
      if (received > maxBytes) {
        // Events that completed within the cap are passed on; the rest is dropped.
        const out: Uint8Array[] = [];
        try {
          forward(parser.push(chunk.subarray(0, chunk.byteLength - (received - maxBytes))), out);
        } catch {
          // A malformed tail is cut off anyway.
        }
        return {
          forward: joined(out),
          stop: new SignetError('SIGNET_E_GATEWAY_STREAM_TOO_LARGE', `The streamed response is larger than ${maxBytes} bytes.`),
        };
      }
      const out: Uint8Array[] = [];
      try {
        forward(parser.push(chunk), out);
      } catch (e) {
        return { forward: joined(out), stop: toSignetError(e, 'SIGNET_E_GATEWAY_UPSTREAM', 'The upstream sent a malformed event stream') };
      }
      return { forward: joined(out) };
    },
    async end(broken) {
      if (broken !== undefined || closed) return finish(broken, []);
      const out: Uint8Array[] = [];
      let broke: SignetError | undefined;
      try {
        forward(parser.end(), out);
      } catch (e) {
        broke = toSignetError(e, 'SIGNET_E_GATEWAY_UPSTREAM', 'The upstream sent a malformed event stream');
      }
      const last = joined(out);
      return finish(broke, last === undefined ? [] : [last]);
    },
    cancel() {
      if (closed || !seal.assembled.hasContent) {
        closed = true;
        return;
      }
      closed = true;
      // The reader left: seal what was delivered (marked partial unless it was whole) for the record.
      seal.finish({ partial: !seal.assembled.complete, body: bodyDigest() }).catch(async (e: unknown) => {
        const err = toSignetError(e, 'SIGNET_E_GATEWAY_SEAL_FAILED', 'The aborted response could not be sealed');
        report(err);
        // What the reader got before leaving is on record, as delivered unsealed.
        await options.onUnsealed?.(err.code, seal.assembled.id, true).catch(() => {});
      });
    },
  };
}

/**
 * Seals a `text/event-stream` body on the fly, as a Web stream (see {@link EventStreamSealing} for
 * what is forwarded and what ends the stream).
 *
 * A stream that breaks off (upstream error or early end) gets an envelope marked partial, then an
 * error event, so neither a verifier nor an ordinary client mistakes it for a whole answer. When the
 * reader goes away, the partial response is still sealed (and given to `onSealed`, for the record)
 * and the upstream is cancelled.
 */
export function sealEventStream(
  body: ReadableStream<Uint8Array>,
  signer: Signer,
  options: EventStreamSealOptions,
): ReadableStream<Uint8Array> {
  return sealingToWebStream(body, createEventStreamSealing(signer, options));
}

/** Drives an {@link EventStreamSealing} from a Web stream, as a Web stream. */
export function sealingToWebStream(body: ReadableStream<Uint8Array>, sealing: EventStreamSealing): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  // The reader went away (cancel): the partial answer is sealed there, and nothing else is reported.
  let cancelled = false;
  const close = async (controller: ReadableStreamDefaultController<Uint8Array>, broken: SignetError | undefined): Promise<void> => {
    for (const c of await sealing.end(broken)) controller.enqueue(c);
    controller.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (e) {
          if (cancelled) return;
          await close(controller, upstreamStreamError(e));
          return;
        }
        // The reader left while this read was waiting: `cancel` has sealed and recorded already.
        if (cancelled) return;
        if (r.done) {
          await close(controller, undefined);
          return;
        }
        const step = sealing.push(r.value);
        if (step.forward !== undefined) controller.enqueue(step.forward);
        if (step.stop !== undefined) {
          reader.cancel(step.stop).catch(() => {});
          await close(controller, step.stop);
          return;
        }
        if (step.forward !== undefined) return;
      }
    },
    cancel(reason) {
      cancelled = true;
      reader.cancel(reason).catch(() => {});
      sealing.cancel();
    },
  });
}

function identity(a: ReturnType<typeof createStreamingSeal>['assembled'], kind: StreamKind | undefined) {
  return { kind: kind ?? 'chat', id: a.id, model: a.model, created: a.created, lastSequence: a.lastSequence } as const;
}
