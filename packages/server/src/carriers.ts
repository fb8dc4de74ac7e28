import { CARRIER_FIELD, RESPONSES_CARRIER_TYPE, type CarrierField, type StreamKind } from '@signet/core';
import type { Sealed } from './signer.js';

/**
 * Where an envelope travels with a response (see docs/spec.md, "Carriers"): the `Signet-Envelope`
 * header and a `signet` member of the JSON body for whole responses; a final event for streams.
 */

const encoder = new TextEncoder();

/** The `signet` member for a sealed response. */
export function carrierField(sealed: Sealed): CarrierField {
  return { envelope: sealed.text, kid: sealed.kid, ...(sealed.claims.partial === true ? { partial: true as const } : {}) };
}

/**
 * Adds the `signet` member to the text of a JSON object without re-serializing it, so every other
 * byte of the upstream body is kept as it was. Returns undefined when the text is not an object.
 */
export function insertCarrierField(json: string, field: CarrierField): string | undefined {
  const end = json.lastIndexOf('}');
  const start = json.indexOf('{');
  // The object must be the whole document, not one nested in an array.
  if (start < 0 || end < start || json.slice(0, start).trim() !== '' || json.slice(end + 1).trim() !== '') return undefined;
  const member = `${JSON.stringify(CARRIER_FIELD)}:${JSON.stringify(field)}`;
  const empty = json.slice(start + 1, end).trim().length === 0;
  return `${json.slice(0, end)}${empty ? '' : ','}${member}${json.slice(end)}`;
}

/** Encodes one SSE event carrying JSON data. */
export function sseEvent(data: unknown, event?: string): Uint8Array {
  return encoder.encode(`${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`);
}

/** The `data: [DONE]` event that ends chat and completion streams. */
export const SSE_DONE: Uint8Array = encoder.encode('data: [DONE]\n\n');

/** What a carrier event copies from the stream so that clients see it as one more chunk of it. */
export interface StreamIdentity {
  readonly kind: StreamKind;
  readonly id: string | undefined;
  readonly model: string | undefined;
  readonly created: number | undefined;
  readonly lastSequence: number | undefined;
}

/**
 * The final event of a sealed stream. Chat and completion streams get one more chunk with empty
 * `choices` (the way OpenAI sends usage, so unmodified clients accept it); Responses-API streams
 * get a `keepalive` event (a type their clients already ignore) with the `signet` member.
 */
export function carrierEvent(stream: StreamIdentity, field: CarrierField): Uint8Array {
  if (stream.kind === 'response') {
    return sseEvent(
      {
        type: RESPONSES_CARRIER_TYPE,
        ...(stream.lastSequence === undefined ? {} : { sequence_number: stream.lastSequence + 1 }),
        [CARRIER_FIELD]: field,
      },
      RESPONSES_CARRIER_TYPE,
    );
  }
  return sseEvent({
    id: stream.id,
    object: stream.kind === 'completion' ? 'text_completion' : 'chat.completion.chunk',
    created: stream.created ?? 0,
    model: stream.model,
    choices: [],
    [CARRIER_FIELD]: field,
  });
}

/** An error event in the stream's own dialect (the openai client raises it as an APIError). */
export function errorEvent(kind: StreamKind | undefined, code: string, message: string): Uint8Array {
  if (kind === 'response') return sseEvent({ type: 'error', code, message, param: null }, 'error');
  return sseEvent({ error: { message, type: 'signet_error', code, param: null } });
}
