import { CARRIER_FIELD, RESPONSES_CARRIER_TYPE, type CarrierField, type StreamKind } from './stream-assembly.js';

/**
 * The exact bytes of every carrier (see docs/spec.md, "Carriers"). The gateway writes them and the
 * verifying client rebuilds them from what it already checked and compares byte for byte, so a
 * carrier has one form only and nothing can ride along in it.
 */

const encoder = new TextEncoder();

/**
 * The `signet` member's value in its one canonical form: known members only, in a fixed order.
 * Returns undefined when the value is not an object of known members with the right types.
 */
export function canonicalCarrierField(value: unknown): CarrierField | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) if (k !== 'envelope' && k !== 'kid' && k !== 'partial' && k !== 'unsealed') return undefined;
  const { envelope, kid, partial, unsealed } = v;
  if (envelope !== undefined && typeof envelope !== 'string') return undefined;
  if (kid !== undefined && typeof kid !== 'string') return undefined;
  if (partial !== undefined && partial !== true) return undefined;
  if (unsealed !== undefined && typeof unsealed !== 'string') return undefined;
  // Members are added in the fixed order, the order they are written in.
  const out: { -readonly [K in keyof CarrierField]: CarrierField[K] } = {};
  if (envelope !== undefined) out.envelope = envelope;
  if (kid !== undefined) out.kid = kid;
  if (partial === true) out.partial = true;
  if (unsealed !== undefined) out.unsealed = unsealed;
  return out;
}

const QUOTED_FIELD = `"${CARRIER_FIELD}"`;

/**
 * True when an event's data is a JSON object with a `signet` member: a carrier, or something that
 * would be read as one. Signer and verifier use this one test, so they agree on what is content.
 */
export function isCarrierData(data: string): boolean {
  // Most events do not mention the member at all: skip the parse for them.
  if (!data.includes(QUOTED_FIELD)) return false;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return false;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, CARRIER_FIELD);
}

/** The text of the `signet` member as a gateway appends it to a JSON body. */
export function carrierMember(field: CarrierField): string {
  return canonicalMemberText(canonicalCarrierField(field) ?? {});
}

const MEMBER_NAME = `${JSON.stringify(CARRIER_FIELD)}:`;

/**
 * {@link carrierMember} of a field already in canonical form: the text `JSON.stringify` gives for
 * it, written member by member (stringifying the object is several times slower than its strings).
 */
export function canonicalMemberText(field: CarrierField): string {
  let out = `${MEMBER_NAME}{`;
  if (field.envelope !== undefined) out += `"envelope":${JSON.stringify(field.envelope)}`;
  if (field.kid !== undefined) out += `${out.length > MEMBER_NAME.length + 1 ? ',' : ''}"kid":${JSON.stringify(field.kid)}`;
  if (field.partial === true) out += `${out.length > MEMBER_NAME.length + 1 ? ',' : ''}"partial":true`;
  if (field.unsealed !== undefined) out += `${out.length > MEMBER_NAME.length + 1 ? ',' : ''}"unsealed":${JSON.stringify(field.unsealed)}`;
  return `${out}}`;
}

/**
 * Adds the `signet` member to the text of a JSON object as its last member, without re-serializing
 * anything else: every other byte of the upstream body is kept. Returns undefined when the text is
 * not one JSON object.
 */
export function insertCarrierField(json: string, field: CarrierField): string | undefined {
  const end = json.lastIndexOf('}');
  const start = json.indexOf('{');
  // The object must be the whole document, not one nested in an array.
  if (start < 0 || end < start || json.slice(0, start).trim() !== '' || json.slice(end + 1).trim() !== '') return undefined;
  const empty = json.slice(start + 1, end).trim().length === 0;
  return `${json.slice(0, end)}${empty ? '' : ','}${carrierMember(field)}${json.slice(end)}`;
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
  const signet = canonicalCarrierField(field) ?? {};
  if (stream.kind === 'response') {
    return sseEvent(
      {
        type: RESPONSES_CARRIER_TYPE,
        ...(stream.lastSequence === undefined ? {} : { sequence_number: stream.lastSequence + 1 }),
        [CARRIER_FIELD]: signet,
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
    [CARRIER_FIELD]: signet,
  });
}

/** An error event in the stream's own dialect (the openai client raises it as an APIError). */
export function errorEvent(kind: StreamKind | undefined, code: string, message: string): Uint8Array {
  if (kind === 'response') return sseEvent({ type: 'error', code, message, param: null }, 'error');
  return sseEvent({ error: { message, type: 'signet_error', code, param: null } });
}
