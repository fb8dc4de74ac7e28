import { SignetError } from '../primitives/errors.js';
import { structuredPart, type StructuredContent } from '../format/content.js';
import type { StreamKind } from './stream-assembly.js';
import { isObject } from '../internal/guards.js';

/**
 * What of an OpenAI-compatible response an envelope seals, for the three response shapes:
 * chat completions (`chat.completion`), legacy completions (`text_completion`) and the Responses
 * API (`response`). Signer and verifier both use this, so they always agree on what was sealed.
 *
 * The shape is chosen by the route the response answered or by its `object` member, never by which
 * members happen to be present: an added `output` member cannot turn a chat completion into a
 * Responses-API object. Read strictly (the default for verifiers), a response may hold only the
 * members the content digests cover or that display nothing (ids, usage, finish reasons); any other
 * member (audio, annotations, image parts, citations ...) fails, since a client would show what no
 * digest checked. A verifier that checked the exact body bytes (see `body.ts`) reads leniently.
 */

/** One sealed choice: its text and, for chat messages, its structured part. */
export interface ChoiceContent {
  readonly text: string;
  readonly structured?: StructuredContent | { output: unknown[] };
}

/** The parts of a response an envelope binds. */
export interface ResponseContent {
  readonly kind: StreamKind | undefined;
  readonly id: string | undefined;
  readonly model: string | undefined;
  readonly choices: ChoiceContent[];
}

/** How to read a response. */
export interface ExtractOptions {
  /** The shape the route calls for. When given, an `object` member must agree with it. */
  readonly kind?: StreamKind;
  /**
   * Refuse members the content digests do not cover (default true). Only a reader that verified
   * the exact bytes of the response may turn this off.
   */
  readonly strict?: boolean;
  /**
   * Infer the shape from the members when there is no `object` and no `kind` (default false). For
   * a provider sealing its own upstream's answers, never for a verifier.
   */
  readonly inferShape?: boolean;
}

const OBJECT_KINDS: Record<string, StreamKind> = {
  'chat.completion': 'chat',
  text_completion: 'completion',
  response: 'response',
};

/** Members that display nothing or are covered by the envelope's other claims. */
const CHAT_TOP = new Set(['id', 'object', 'created', 'model', 'choices', 'usage', 'system_fingerprint', 'service_tier', 'signet']);
const CHAT_CHOICE = new Set(['index', 'message', 'finish_reason', 'logprobs']);
const CHAT_MESSAGE = new Set(['role', 'content', 'refusal', 'tool_calls', 'function_call', 'annotations', 'audio']);
const COMPLETION_TOP = new Set(['id', 'object', 'created', 'model', 'choices', 'usage', 'system_fingerprint', 'signet']);
const COMPLETION_CHOICE = new Set(['index', 'text', 'finish_reason', 'logprobs']);
const MESSAGE_ITEM = new Set(['id', 'type', 'role', 'status', 'content']);
const OUTPUT_TEXT = new Set(['type', 'text', 'annotations', 'logprobs']);

function bad(message: string): never {
  throw new SignetError('SIGNET_E_CONTENT_SHAPE', message, {
    step: 'content',
    hint: 'Pass the parsed JSON of a chat.completion, text_completion or response object, or plain text.',
  });
}

function unsealed(message: string): never {
  throw new SignetError('SIGNET_E_CONTENT_UNSEALED', message, {
    step: 'content',
    hint: 'Verify the exact bytes of the response (the verifying fetch does), which the envelope seals whole.',
  });
}

/** A value that shows nothing: absent, null, or an empty array. */
function empty(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

function onlyKnown(o: Record<string, unknown>, known: Set<string>, what: string): void {
  for (const k of Object.keys(o))
    if (!known.has(k)) unsealed(`The ${what} has a member ${JSON.stringify(k.slice(0, 40))} the envelope does not seal.`);
}

function messageText(content: unknown, strict: boolean): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  // Content parts: the text parts, in order. Any other part would be shown unchecked.
  if (Array.isArray(content)) {
    let text = '';
    for (const p of content) {
      if (isObject(p) && p.type === 'text' && typeof p.text === 'string') {
        if (strict) onlyKnown(p, new Set(['type', 'text']), 'content part');
        text += p.text;
      } else if (strict) unsealed('The message has a content part that is not text, which the envelope does not seal.');
    }
    return text;
  }
  return bad('message content must be a string, null or an array of parts');
}

/**
 * The choices in index order. Every choice must carry a distinct whole-number index from 0 to n-1:
 * duplicates or gaps would let two texts claim one slot.
 */
function byIndex(choices: unknown[]): Record<string, unknown>[] {
  const slots: (Record<string, unknown> | undefined)[] = new Array<Record<string, unknown> | undefined>(choices.length);
  choices.forEach((c, i) => {
    if (!isObject(c)) bad(`choice ${i} is not an object`);
    const index = c.index;
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0 || index >= choices.length)
      bad(`choice ${i} needs an index from 0 to ${choices.length - 1}`);
    if (slots[index] !== undefined) bad(`two choices have index ${index}`);
    slots[index] = c;
  });
  return slots as Record<string, unknown>[];
}

function shapeOf(response: Record<string, unknown>, options: ExtractOptions): StreamKind {
  const object = response.object;
  const fromObject = typeof object === 'string' ? OBJECT_KINDS[object] : undefined;
  if (object !== undefined && fromObject === undefined)
    bad(`the response object type ${JSON.stringify(String(object).slice(0, 40))} is not one Signet seals`);
  if (options.kind !== undefined && fromObject !== undefined && fromObject !== options.kind)
    bad(`the response says it is a ${String(object)}, but its route answers with another shape`);
  const kind = options.kind ?? fromObject;
  if (kind !== undefined) return kind;
  if (options.inferShape === true) {
    if (Array.isArray(response.output)) return 'response';
    if (
      Array.isArray(response.choices) &&
      response.choices.every((c) => isObject(c) && typeof c.text === 'string' && c.message === undefined)
    )
      return 'completion';
    return 'chat';
  }
  return bad('the response names no object type (chat.completion, text_completion or response) and no route gives one');
}

function responsesContent(response: Record<string, unknown>, strict: boolean): ChoiceContent {
  // Responses API: one sealed "choice": the output_text parts of message items, in order; every
  // other output item (function calls, reasoning summaries ...) is the structured part.
  const output = Array.isArray(response.output) ? response.output : bad('response.output must be an array');
  let text = '';
  const other: unknown[] = [];
  for (const item of output) {
    if (isObject(item) && item.type === 'message') {
      if (!Array.isArray(item.content)) bad('a message item needs a content array');
      if (strict) onlyKnown(item, MESSAGE_ITEM, 'message item');
      for (const part of item.content) {
        if (isObject(part) && part.type === 'output_text' && typeof part.text === 'string') {
          if (strict) {
            onlyKnown(part, OUTPUT_TEXT, 'output text');
            if (!empty(part.annotations)) unsealed('The output text has annotations (citations), which the envelope does not seal.');
            if (!empty(part.logprobs)) unsealed('The output text has log probabilities, which the envelope does not seal.');
          }
          text += part.text;
        } else if (isObject(part) && part.type === 'refusal') other.push(part);
        else if (strict) unsealed('A message item has a content part the envelope does not seal.');
      }
    } else other.push(item);
  }
  // Some servers add the SDK's convenience member; it must say what the items say.
  if (response.output_text !== undefined && response.output_text !== text)
    unsealed('The response output_text differs from its sealed output items.');
  return other.length === 0 ? { text } : { text, structured: { output: other } };
}

/** Extracts the sealed content of a response object, or wraps plain text as one choice. */
export function extractResponseContent(response: unknown, options: ExtractOptions = {}): ResponseContent {
  if (typeof response === 'string') return { kind: undefined, id: undefined, model: undefined, choices: [{ text: response }] };
  if (!isObject(response)) bad('a response must be an object or a string');
  const strict = options.strict !== false;
  const kind = shapeOf(response, options);
  const id = typeof response.id === 'string' ? response.id : undefined;
  const model = typeof response.model === 'string' ? response.model : undefined;
  if (kind === 'response') return { kind, id, model, choices: [responsesContent(response, strict)] };
  if (!Array.isArray(response.choices)) bad(`a ${kind === 'chat' ? 'chat.completion' : 'text_completion'} needs a choices array`);
  if (strict) onlyKnown(response, kind === 'chat' ? CHAT_TOP : COMPLETION_TOP, 'response');
  const choices = byIndex(response.choices).map((c): ChoiceContent => {
    if (kind === 'completion') {
      if (typeof c.text !== 'string') bad('a completion choice needs a text string');
      if (strict) {
        onlyKnown(c, COMPLETION_CHOICE, 'choice');
        if (!empty(c.logprobs)) unsealed('The choice has log probabilities, which the envelope does not seal.');
      }
      return { text: c.text };
    }
    if (!isObject(c.message)) bad('a chat choice needs a message object');
    if (strict) {
      onlyKnown(c, CHAT_CHOICE, 'choice');
      onlyKnown(c.message, CHAT_MESSAGE, 'message');
      if (!empty(c.logprobs)) unsealed('The choice has log probabilities, which the envelope does not seal.');
      if (!empty(c.message.annotations)) unsealed('The message has annotations (citations), which the envelope does not seal.');
      if (!empty(c.message.audio)) unsealed('The message has audio, which the envelope does not seal.');
    }
    const structured = structuredPart(c.message);
    const text = messageText(c.message.content, strict);
    return structured === undefined ? { text } : { text, structured };
  });
  if (choices.length === 0) bad('a response has at least one choice');
  return { kind, id, model, choices };
}
