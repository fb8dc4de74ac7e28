import type { SignetErrorCode } from '@signet/core';
// The SIGNET_E_DATASET_* codes thrown here are defined, and typed, in ./errors.ts.
import type {} from './errors.js';

/**
 * Dataset layouts: how a record carries envelopes and the content they seal. Three are read, the
 * ones datasets are actually built from:
 *
 * - `response`: an OpenAI-compatible response (chat completion, completion, Responses API) with its
 *   envelope in a `signet` field (a string, or an object with an `envelope` string);
 * - `chat`: a `{ messages: [...] }` transcript, one envelope per assistant turn (in the turn's
 *   `signet` or `envelope` field);
 * - `text`: `{ text, envelope }`.
 */

/** A layout name. */
export type Layout = 'response' | 'chat' | 'text';

/** One sealed item of a record: an envelope and what it must match. */
export type Item =
  | { readonly kind: 'response'; readonly envelope: string; readonly response: unknown }
  | { readonly kind: 'text'; readonly envelope: string; readonly text: string; readonly turn?: number }
  | { readonly kind: 'missing'; readonly turn: number };

/** A record's items, or why it has none. */
export type Parsed = { readonly layout: Layout; readonly items: Item[] } | { readonly error: SignetErrorCode; readonly message: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function envelopeOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.envelope === 'string') return v.envelope;
  return undefined;
}

function messageText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join('');
  return content === null ? '' : undefined;
}

/**
 * Which fields of a `text` record hold the text and the envelope (default `text` and `envelope`).
 * A dotted name (`meta.envelope`) reaches into nested objects.
 */
export interface RecordFields {
  readonly textField?: string | undefined;
  readonly envelopeField?: string | undefined;
}

/** The value at a field name, or at a dotted path when no field has the whole name. */
export function fieldOf(value: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(value, name)) return value[name];
  let at: unknown = value;
  for (const part of name.split('.')) {
    if (!isObject(at) || !Object.hasOwn(at, part)) return undefined;
    at = at[part];
  }
  return at;
}

/** Decodes and classifies one record. Never throws: a bad record becomes an error code. */
export function parseRecord(bytes: Uint8Array, fields: RecordFields = {}): Parsed {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { error: 'SIGNET_E_DATASET_ENCODING', message: 'The record is not valid UTF-8.' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'SIGNET_E_DATASET_MALFORMED', message: 'The record is not valid JSON.' };
  }
  if (!isObject(value)) return { error: 'SIGNET_E_DATASET_LAYOUT', message: 'The record is not a JSON object.' };
  if (Array.isArray(value.messages)) {
    const items: Item[] = [];
    value.messages.forEach((m, turn) => {
      if (!isObject(m) || m.role !== 'assistant') return;
      const envelope = envelopeOf(m.signet) ?? envelopeOf(m.envelope);
      const content = messageText(m.content);
      if (envelope === undefined || content === undefined) items.push({ kind: 'missing', turn });
      else items.push({ kind: 'text', envelope, text: content, turn });
    });
    if (items.length === 0) return { error: 'SIGNET_E_DATASET_LAYOUT', message: 'The transcript has no assistant turn.' };
    return { layout: 'chat', items };
  }
  const envelopeField = fields.envelopeField ?? 'envelope';
  const carried = fields.envelopeField === undefined ? value.signet : (fieldOf(value, envelopeField) ?? value.signet);
  if (carried !== undefined && (Array.isArray(value.choices) || Array.isArray(value.output))) {
    const envelope = envelopeOf(carried);
    if (envelope === undefined) return { error: 'SIGNET_E_ENVELOPE_MISSING', message: 'The signet field holds no envelope.' };
    const { signet: _carrier, ...response } = value;
    if (fields.envelopeField !== undefined) delete response[fields.envelopeField];
    return { layout: 'response', items: [{ kind: 'response', envelope, response }] };
  }
  const textValue = fieldOf(value, fields.textField ?? 'text');
  if (typeof textValue === 'string') {
    const envelope = envelopeOf(fieldOf(value, envelopeField)) ?? envelopeOf(value.signet);
    if (envelope === undefined) return { error: 'SIGNET_E_ENVELOPE_MISSING', message: 'The record has text but no envelope.' };
    return { layout: 'text', items: [{ kind: 'text', envelope, text: textValue }] };
  }
  if (Array.isArray(value.choices) || Array.isArray(value.output))
    return { error: 'SIGNET_E_ENVELOPE_MISSING', message: 'The response carries no signet field.' };
  return {
    error: 'SIGNET_E_DATASET_LAYOUT',
    message: `The record has none of the known layouts (response with signet, messages, ${fields.textField ?? 'text'} with ${envelopeField}).`,
  };
}
