import { EVIDENCE_TYPE, type StreamKind } from '@signet/core';

/**
 * What the reader gave the page, told apart by its content alone (never by a file name): a saved
 * response body, a saved event stream, a dataset record holding text and envelope, an evidence
 * bundle, a bare envelope, a log receipt, or plain text (checked against a separate envelope).
 */
export type Classified =
  | { readonly kind: 'response'; readonly shape: StreamKind }
  | { readonly kind: 'stream'; readonly shape: StreamKind }
  | { readonly kind: 'record'; readonly text: string; readonly envelope: string; readonly choice?: number }
  | { readonly kind: 'bundle'; readonly value: unknown }
  | { readonly kind: 'envelope'; readonly envelope: string }
  | { readonly kind: 'receipt'; readonly bytes: Uint8Array }
  | { readonly kind: 'text' }
  | { readonly kind: 'unknown'; readonly reason: string };

const OBJECT_SHAPES: Readonly<Record<string, StreamKind>> = {
  'chat.completion': 'chat',
  text_completion: 'completion',
  response: 'response',
};

const CHUNK_SHAPES: Readonly<Record<string, StreamKind>> = {
  'chat.completion.chunk': 'chat',
  text_completion: 'completion',
};

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The shape of a saved stream, from its first event that has JSON data. */
function streamShape(text: string): StreamKind | undefined {
  for (const line of text.split('\n', 200)) {
    if (line.startsWith('event: response.') || line.startsWith('event:response.')) return 'response';
    if (!line.startsWith('data:')) continue;
    const value = parse(line.slice(5).trim());
    if (!isObject(value)) continue;
    if (typeof value.type === 'string' && value.type.startsWith('response.')) return 'response';
    if (typeof value.object === 'string') return CHUNK_SHAPES[value.object];
  }
  return undefined;
}

const BASE64 = /^[A-Za-z0-9+/_=-]+$/;

/** Standard or url-safe base64, padded or not, to bytes (undefined when it is not base64). */
export function decodeBase64Any(text: string): Uint8Array | undefined {
  const t = text.trim().replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (t.length === 0 || t.length % 4 === 1 || !/^[A-Za-z0-9+/]+$/.test(t)) return undefined;
  try {
    const bin = atob(t + '='.repeat((4 - (t.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** Whether bytes look like a COSE_Sign1 (tagged, or a bare four-element array). */
function looksCose(bytes: Uint8Array): boolean {
  return bytes[0] === 0xd2 || bytes[0] === 0x84;
}

/**
 * Classifies an input. `isReceipt` tells a receipt from an envelope (both are COSE_Sign1); the
 * caller passes the core decoder, so this module stays free of CBOR.
 */
export function classifyInput(text: string, isReceipt: (bytes: Uint8Array) => boolean): Classified {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'unknown', reason: 'Nothing was given to check.' };
  if (trimmed.startsWith('{')) {
    const value = parse(trimmed);
    if (!isObject(value)) return { kind: 'unknown', reason: 'This looks like JSON but does not parse.' };
    if (value.type === EVIDENCE_TYPE) return { kind: 'bundle', value };
    if (typeof value.text === 'string' && typeof value.envelope === 'string')
      return {
        kind: 'record',
        text: value.text,
        envelope: value.envelope,
        ...(typeof value.choice === 'number' ? { choice: value.choice } : {}),
      };
    const shape = typeof value.object === 'string' ? OBJECT_SHAPES[value.object] : undefined;
    if (shape !== undefined) return { kind: 'response', shape };
    if (Object.prototype.hasOwnProperty.call(value, 'signet') || Array.isArray(value.choices))
      return { kind: 'unknown', reason: 'This looks like a model response, but its "object" member does not say which kind.' };
    return {
      kind: 'unknown',
      reason: 'This JSON is neither a model response, an evidence bundle, nor a record with "text" and "envelope".',
    };
  }
  if (/^(data|event|id|retry):/.test(trimmed) || trimmed.startsWith(':')) {
    const shape = streamShape(text);
    if (shape === undefined) return { kind: 'unknown', reason: 'This looks like an event stream, but not one of a model response.' };
    return { kind: 'stream', shape };
  }
  if (!/\s/.test(trimmed)) {
    if (trimmed.split('.').length === 3 && /^[A-Za-z0-9_.-]+$/.test(trimmed)) return { kind: 'envelope', envelope: trimmed };
    if (BASE64.test(trimmed)) {
      const bytes = decodeBase64Any(trimmed);
      if (bytes !== undefined && looksCose(bytes)) {
        if (isReceipt(bytes)) return { kind: 'receipt', bytes };
        return { kind: 'envelope', envelope: trimmed };
      }
    }
  }
  return { kind: 'text' };
}
