import type { CryptoBackend, Sha256Hasher } from '../backend/types.js';
import { equalBytes } from '../primitives/bytes.js';
import type { BodyDigest } from '../format/claims.js';
import { canonicalCarrierField, canonicalMemberText, carrierEvent, SSE_DONE } from './carrier.js';
import { sha256Text } from '../format/content.js';
import { SignetError } from '../primitives/errors.js';
import type { SseEvent } from './sse.js';
import { CARRIER_FIELD, StreamAssembler, type CarrierField, type StreamKind } from './stream-assembly.js';
import { isObject } from '../internal/guards.js';

/**
 * The body binding: an envelope sealed on the way to a client also carries the SHA-256 of the exact
 * bytes that client receives, so a verifying client checks everything it could display, not only
 * the text an auditor would extract. The bytes are:
 *
 * - `json`: the whole response body, less the `signet` member the gateway appends as its last
 *   member (see {@link insertCarrierField}); a body carried by the header alone is hashed whole.
 * - `sse`: every byte of the event stream before the carrier event.
 *
 * What may follow the sealed bytes has exactly one form, rebuilt and compared byte for byte: the
 * carrier member or event, then `data: [DONE]` for chat and completion streams (or, for a stream
 * the envelope marks partial, one error event). Anything else, anywhere, fails.
 */

function carrierFailure(message: string): never {
  throw new SignetError('SIGNET_E_CONTENT_CARRIER', message, {
    step: 'content',
    hint: 'The response was changed on its way from the provider.',
  });
}

/** A received JSON body split into the text the provider sealed and its carrier member. */
export interface JsonBody {
  /** The body as sealed: the received text less the carrier member. */
  readonly sealed: string;
  /** The parsed body (what a JSON client works with). */
  readonly value: Record<string, unknown>;
  /** The carrier member, when the body has one. */
  readonly field: CarrierField | undefined;
}

/**
 * Splits a received JSON body into the sealed text and the `signet` member. The member must be the
 * last one of the top-level object, in its canonical form, exactly where a gateway puts it; a body
 * with no `signet` member (header carrier) is sealed whole. Throws SIGNET_E_CONTENT_CARRIER or
 * SIGNET_E_CONTENT_SHAPE (the body is not one JSON object).
 */
export function splitJsonBody(text: string): JsonBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SignetError('SIGNET_E_CONTENT_SHAPE', 'The response body is not JSON.', { step: 'content' });
  }
  if (!isObject(value)) throw new SignetError('SIGNET_E_CONTENT_SHAPE', 'The response body is not a JSON object.', { step: 'content' });
  if (!Object.prototype.hasOwnProperty.call(value, CARRIER_FIELD)) return { sealed: text, value, field: undefined };
  const field = canonicalCarrierField(value[CARRIER_FIELD]);
  if (field === undefined) carrierFailure('The signet member of the body has unknown or mistyped members.');
  const member = canonicalMemberText(field);
  const end = text.lastIndexOf('}');
  if (end < 0 || text.slice(end + 1).trim() !== '') carrierFailure('The body does not end with its object.');
  const at = end - member.length;
  // A slice of a string shares its characters (nothing is copied), and comparing it with === is a
  // block comparison; startsWith with an offset compares character by character, several times slower.
  if (at < 1 || text.slice(at, end) !== member)
    carrierFailure('The signet member is not the last member of the body in its canonical form.');
  let sealed: string;
  if (text.charCodeAt(at - 1) === 0x2c) sealed = text.slice(0, at - 1) + text.slice(end);
  else if (text.slice(0, at).trim() === '{') sealed = text.slice(0, at) + text.slice(end);
  else return carrierFailure('The signet member is not where a gateway puts it.');
  return { sealed, value, field };
}

/** The body digest of a received JSON body (its sealed text, see {@link splitJsonBody}). */
export function jsonBodyDigest(backend: CryptoBackend, sealedText: string): BodyDigest {
  return { media: 'json', digest: sha256Text(backend, sealedText) };
}

/** Compares a body digest computed from what was received with the one an envelope carries. */
export function bodyDigestsEqual(a: BodyDigest, b: BodyDigest): boolean {
  return a.media === b.media && equalBytes(a.digest, b.digest);
}

/** What a checked event stream turned out to hold. */
export interface SseOutcome {
  /** The carrier, once it arrived. */
  readonly field: CarrierField | undefined;
  /** The digest of every byte before the carrier (defined once the carrier arrived). */
  readonly body: BodyDigest | undefined;
  /** The response rebuilt from the events before the carrier. */
  readonly assembler: StreamAssembler;
  /** The code of an error event the server sent before any carrier, if it did. */
  readonly serverError: string | undefined;
  /** True when the stream ended exactly as a sealed stream must. */
  readonly ended: boolean;
}

type Phase = 'body' | 'tail' | 'end';

function malformed(message: string): never {
  throw new SignetError('SIGNET_E_STREAM_MALFORMED', message, {
    step: 'content',
    hint: 'Events were added, removed or changed on the way from the provider.',
  });
}

function parseData(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Checks a sealed event stream event by event, as a verifying client reads it: hashes the bytes
 * before the carrier, rebuilds the response, and holds every event after the carrier to the one
 * form a gateway writes. Feed it the events of an {@link SseParser} in order; errors are thrown at
 * the first event out of place.
 */
export class SseBinding {
  readonly #kind: StreamKind;
  readonly #hasher: Sha256Hasher;
  readonly #assembler: StreamAssembler;
  #phase: Phase = 'body';
  #field: CarrierField | undefined;
  #body: BodyDigest | undefined;
  #serverError: string | undefined;

  constructor(backend: CryptoBackend, kind: StreamKind) {
    this.#kind = kind;
    this.#hasher = backend.sha256Hasher();
    this.#assembler = new StreamAssembler(kind);
  }

  /** Adds the next event. */
  push(ev: SseEvent): void {
    if (this.#phase === 'end') malformed('An event follows the end of the sealed stream.');
    if (this.#phase === 'tail') return this.#tail(ev);
    const value = ev.data === undefined ? undefined : parseData(ev.data);
    if (isObject(value) && Object.prototype.hasOwnProperty.call(value, CARRIER_FIELD)) return this.#carrier(ev, value);
    if (ev.data === '[DONE]') {
      // A reader stops here, so nothing may follow; without a carrier before it the stream is unsealed.
      this.#assembler.push(ev.data, ev.event);
      this.#phase = 'end';
      return;
    }
    this.#hasher.update(ev.raw);
    if (ev.data === undefined) return;
    const kind = this.#assembler.pushValue(value, ev.event);
    if (kind === 'error' && this.#serverError === undefined) {
      const err = isObject(value) && isObject(value.error) ? value.error : value;
      this.#serverError = isObject(err) && typeof err.code === 'string' ? err.code.slice(0, 64) : 'an error';
    }
  }

  #carrier(ev: SseEvent, value: Record<string, unknown>): void {
    const field = canonicalCarrierField(value[CARRIER_FIELD]);
    if (field === undefined) malformed('The carrier event has unknown or mistyped members.');
    const a = this.#assembler;
    const expected = carrierEvent({ kind: this.#kind, id: a.id, model: a.model, created: a.created, lastSequence: a.lastSequence }, field);
    if (!equalBytes(expected, ev.raw)) malformed('The carrier event is not in the one form a gateway writes.');
    this.#field = field;
    this.#body = { media: 'sse', digest: this.#hasher.digest() };
    this.#phase = 'tail';
  }

  #tail(ev: SseEvent): void {
    if (this.#kind !== 'response' && this.#field?.partial !== true && equalBytes(ev.raw, SSE_DONE)) {
      this.#phase = 'end';
      return;
    }
    // A stream the envelope marks partial (or a fail-open one) ends with the gateway's error event.
    if ((this.#field?.partial === true || this.#field?.envelope === undefined) && ev.data !== undefined) {
      const v = parseData(ev.data);
      if (isObject(v) && (v.error !== undefined || v.type === 'error')) {
        this.#phase = 'end';
        return;
      }
    }
    malformed('An event follows the envelope where only the end of the stream may.');
  }

  /** Ends the stream and reports what it held. */
  end(): SseOutcome {
    const tailDone =
      this.#field !== undefined &&
      (this.#phase === 'end' || (this.#phase === 'tail' && (this.#kind === 'response' || this.#field.partial === true)));
    return {
      field: this.#field,
      body: this.#body,
      assembler: this.#assembler,
      serverError: this.#serverError,
      ended: tailDone,
    };
  }
}
