import { SignetError } from './errors.js';
import { structuredPart, type StructuredContent } from './content.js';

/**
 * What of an OpenAI-compatible response an envelope seals, for the three response shapes:
 * chat completions (`chat.completion`), legacy completions (`text_completion`) and the Responses
 * API (`response`). Signer and verifier both use this, so they always agree on what was sealed.
 */

/** One sealed choice: its text and, for chat messages, its structured part. */
export interface ChoiceContent {
  readonly text: string;
  readonly structured?: StructuredContent | { output: unknown[] };
}

/** The parts of a response an envelope binds. */
export interface ResponseContent {
  readonly id: string | undefined;
  readonly model: string | undefined;
  readonly choices: ChoiceContent[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function bad(message: string): never {
  throw new SignetError('SIGNET_E_INPUT_INVALID', message, {
    hint: 'Pass the parsed JSON of a chat.completion, text_completion or response object, or plain text.',
  });
}

function messageText(content: unknown): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  // Content parts: concatenate the text parts in order.
  if (Array.isArray(content)) {
    return content.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join('');
  }
  bad('message content must be a string, null or an array of parts');
}

/** Sorted by `index` so the order of choices in the JSON never matters. */
function byIndex(choices: unknown[]): Record<string, unknown>[] {
  const list = choices.map((c, i) => {
    if (!isObject(c)) bad(`choice ${i} is not an object`);
    return c;
  });
  return list.slice().sort((a, b) => Number(a.index ?? 0) - Number(b.index ?? 0));
}

/** Extracts the sealed content of a response object, or wraps plain text as one choice. */
export function extractResponseContent(response: unknown): ResponseContent {
  if (typeof response === 'string') return { id: undefined, model: undefined, choices: [{ text: response }] };
  if (!isObject(response)) bad('a response must be an object or a string');
  const id = typeof response.id === 'string' ? response.id : undefined;
  const model = typeof response.model === 'string' ? response.model : undefined;
  if (response.object === 'response' || Array.isArray(response.output)) {
    // Responses API: one sealed "choice": the output_text parts of message items, in order; every
    // other output item (function calls, reasoning summaries ...) is the structured part.
    const output = Array.isArray(response.output) ? response.output : bad('response.output must be an array');
    let text = '';
    const other: unknown[] = [];
    for (const item of output) {
      if (isObject(item) && item.type === 'message' && Array.isArray(item.content)) {
        for (const part of item.content) {
          if (isObject(part) && part.type === 'output_text' && typeof part.text === 'string') text += part.text;
          else if (isObject(part) && part.type === 'refusal') other.push(part);
        }
      } else other.push(item);
    }
    return { id, model, choices: [other.length === 0 ? { text } : { text, structured: { output: other } }] };
  }
  if (!Array.isArray(response.choices))
    bad('a response needs a choices array (chat.completion or text_completion) or an output array (response)');
  const choices = byIndex(response.choices).map((c): ChoiceContent => {
    if (typeof c.text === 'string' && c.message === undefined) return { text: c.text };
    if (!isObject(c.message)) bad('a chat choice needs a message object');
    const structured = structuredPart(c.message);
    const text = messageText(c.message.content);
    return structured === undefined ? { text } : { text, structured };
  });
  if (choices.length === 0) bad('a response has at least one choice');
  return { id, model, choices };
}
