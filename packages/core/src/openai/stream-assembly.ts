import { isObject } from '../internal/guards.js';

/**
 * Rebuilds the non-streamed response from the events of an OpenAI-compatible stream.
 *
 * The envelope of a streamed response must equal the envelope of the same response sent whole, so
 * the signer (while sealing a stream) and the verifier (while checking one) both rebuild the object
 * {@link extractResponseContent} reads from a non-streamed response: a `chat.completion`, a
 * `text_completion` or a Responses-API `response`. Only what that function reads needs to be exact:
 * message text, tool calls, function call and refusal for chat; text for completions; the output
 * items for the Responses API.
 *
 * The carrier of an envelope in a stream lives here too, so both sides agree on what is content and
 * what is the seal: a chat or completion chunk with empty `choices` and a `signet` member, or a
 * Responses-API event of type {@link RESPONSES_CARRIER_TYPE} with a `signet` member.
 */

/** The response shape a stream belongs to. */
export type StreamKind = 'chat' | 'completion' | 'response';

/** The HTTP header that carries an envelope (base64url) on a non-streamed response. */
export const ENVELOPE_HEADER = 'Signet-Envelope';
/** The header a gateway in fail-open mode sets on a response it could not seal (value: the error code). */
export const UNSEALED_HEADER = 'Signet-Unsealed';
/** The member of a JSON body or stream chunk that carries the envelope. */
export const CARRIER_FIELD = 'signet';
/**
 * The event type of the carrier in a Responses-API stream. `keepalive` is a type every client of
 * that API already accepts and ignores (the official SDKs' accumulators reject unknown types), so
 * the seal rides on it the way usage rides on an empty-choices chunk in chat streams.
 */
export const RESPONSES_CARRIER_TYPE = 'keepalive';

/** What travels in the `signet` member. */
export interface CarrierField {
  /** The COSE envelope as base64url. Absent only when the response is unsealed (fail-open). */
  readonly envelope?: string;
  /** The signing key id (a hint for key lookup; the envelope is authoritative). */
  readonly kid?: string;
  /** Set when the envelope seals a stream that broke off (the envelope says so too, signed). */
  readonly partial?: true;
  /** Set by a gateway in fail-open mode when sealing failed: the error code. */
  readonly unsealed?: string;
}

/** What one stream event turned out to be. */
export type StreamEventKind = 'content' | 'done' | 'carrier' | 'error' | 'other';

/** Streams longer than this many choices or output items are refused (bounded work on untrusted input). */
const MAX_SLOTS = 128;

type Json = Record<string, unknown>;

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Keys whose string values arrive in pieces: concatenated. Every other key keeps its first value. */
const STREAMED_KEYS = new Set(['arguments', 'input', 'content', 'text', 'refusal']);

/** Merges a tool-call delta into the tool call built so far. */
function mergeDelta(target: Json, delta: Json): void {
  for (const [k, v] of Object.entries(delta)) {
    if (v === undefined || v === null) continue;
    const cur = target[k];
    if (typeof v === 'string' && STREAMED_KEYS.has(k)) target[k] = typeof cur === 'string' ? cur + v : v;
    else if (isObject(v)) {
      if (!isObject(cur)) target[k] = {};
      mergeDelta(target[k] as Json, v);
    } else if (cur === undefined) target[k] = clone(v);
  }
}

interface ChatSlot {
  index: number;
  role: string;
  content: string | null;
  refusal: string | null;
  toolCalls: Json[];
  functionCall: Json | undefined;
  finishReason: string | null;
}

/**
 * Rebuilds a response from stream events. Feed it each event's `data` (and `event` name) in order;
 * {@link StreamAssembler.response} returns the non-streamed equivalent at any point.
 */
export class StreamAssembler {
  #kind: StreamKind | undefined;
  #id: string | undefined;
  #model: string | undefined;
  #created: number | undefined;
  #done = false;
  #terminal = false;
  #carrier: CarrierField | undefined;
  #lastSequence: number | undefined;
  readonly #chat = new Map<number, ChatSlot>();
  readonly #completion = new Map<number, { text: string; finishReason: string | null }>();
  #responseBase: Json | undefined;
  readonly #output: (Json | undefined)[] = [];
  /** Output indexes whose final item arrived (`response.output_item.done`). */
  readonly #finalItems = new Set<number>();

  /** @param kind the expected shape; when omitted it is taken from the first content event. */
  constructor(kind?: StreamKind) {
    this.#kind = kind;
  }

  get kind(): StreamKind | undefined {
    return this.#kind;
  }
  /** The response id seen in the stream. */
  get id(): string | undefined {
    return this.#id;
  }
  get model(): string | undefined {
    return this.#model;
  }
  /** The `created` time of the chunks (chat and completions), to stamp the carrier chunk. */
  get created(): number | undefined {
    return this.#created;
  }
  /** The last `sequence_number` of a Responses-API stream. */
  get lastSequence(): number | undefined {
    return this.#lastSequence;
  }
  /** The carrier the stream delivered, if any. */
  get carrier(): CarrierField | undefined {
    return this.#carrier;
  }
  /** True once the stream said it finished: `[DONE]`, or a terminal Responses-API event. */
  get finished(): boolean {
    return this.#done || this.#terminal;
  }

  /**
   * True when the response is whole: the stream said it finished, or (for servers that omit
   * `[DONE]`) every choice has a finish reason.
   */
  get complete(): boolean {
    if (this.finished) return true;
    if (this.#kind === 'chat') return this.#chat.size > 0 && [...this.#chat.values()].every((c) => c.finishReason !== null);
    if (this.#kind === 'completion')
      return this.#completion.size > 0 && [...this.#completion.values()].every((c) => c.finishReason !== null);
    return false;
  }

  /** True once any content (a choice or an output item) was seen. */
  get hasContent(): boolean {
    return this.#chat.size > 0 || this.#completion.size > 0 || this.#output.length > 0;
  }

  /**
   * Adds one event. `data` is the event's data text; `event` its event name. Returns what the event
   * was. Malformed JSON data is reported as `other` and contributes nothing.
   */
  push(data: string, event?: string): StreamEventKind {
    if (data === '[DONE]') {
      this.#done = true;
      return 'done';
    }
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return 'other';
    }
    return this.pushValue(value, event);
  }

  /** Like {@link push}, for data already parsed. */
  pushValue(value: unknown, event?: string): StreamEventKind {
    if (!isObject(value)) return 'other';
    const type = typeof value.type === 'string' ? value.type : event;
    if (
      value[CARRIER_FIELD] !== undefined &&
      (type === RESPONSES_CARRIER_TYPE || (Array.isArray(value.choices) && value.choices.length === 0))
    ) {
      const field = value[CARRIER_FIELD];
      if (isObject(field)) this.#carrier = field as CarrierField;
      return 'carrier';
    }
    if (value.error !== undefined && value.error !== null && type !== 'response.failed') return 'error';
    if (typeof type === 'string' && type.startsWith('response.')) {
      this.#kind ??= 'response';
      if (this.#kind !== 'response') return 'other';
      this.#pushResponseEvent(type, value);
      return 'content';
    }
    if (type === 'error') return 'error';
    if (!Array.isArray(value.choices)) return 'other';
    const object = value.object;
    this.#kind ??= object === 'text_completion' ? 'completion' : 'chat';
    if (typeof value.id === 'string') this.#id ??= value.id;
    if (typeof value.model === 'string') this.#model ??= value.model;
    if (typeof value.created === 'number') this.#created ??= value.created;
    for (const c of value.choices) {
      if (!isObject(c)) continue;
      const index = typeof c.index === 'number' && Number.isSafeInteger(c.index) && c.index >= 0 ? c.index : 0;
      if (this.#kind === 'completion') this.#pushCompletion(index, c);
      else this.#pushChat(index, c);
    }
    return 'content';
  }

  #slotLimit(size: number, has: boolean): boolean {
    return has || size < MAX_SLOTS;
  }

  #pushCompletion(index: number, c: Json): void {
    if (!this.#slotLimit(this.#completion.size, this.#completion.has(index))) return;
    let slot = this.#completion.get(index);
    if (slot === undefined) this.#completion.set(index, (slot = { text: '', finishReason: null }));
    if (typeof c.text === 'string') slot.text += c.text;
    if (typeof c.finish_reason === 'string') slot.finishReason = c.finish_reason;
  }

  #pushChat(index: number, c: Json): void {
    if (!this.#slotLimit(this.#chat.size, this.#chat.has(index))) return;
    let slot = this.#chat.get(index);
    if (slot === undefined) {
      slot = { index, role: 'assistant', content: null, refusal: null, toolCalls: [], functionCall: undefined, finishReason: null };
      this.#chat.set(index, slot);
    }
    if (typeof c.finish_reason === 'string') slot.finishReason = c.finish_reason;
    const d = c.delta;
    if (!isObject(d)) return;
    if (typeof d.role === 'string') slot.role = d.role;
    if (typeof d.content === 'string') slot.content = (slot.content ?? '') + d.content;
    if (typeof d.refusal === 'string') slot.refusal = (slot.refusal ?? '') + d.refusal;
    if (isObject(d.function_call)) mergeDelta((slot.functionCall ??= {}), d.function_call);
    if (Array.isArray(d.tool_calls)) {
      d.tool_calls.forEach((tc, position) => {
        if (!isObject(tc)) return;
        const { index: tcIndex, ...rest } = tc;
        const i = typeof tcIndex === 'number' && Number.isSafeInteger(tcIndex) && tcIndex >= 0 && tcIndex < MAX_SLOTS ? tcIndex : position;
        const call = (slot.toolCalls[i] ??= {});
        mergeDelta(call, rest);
      });
    }
  }

  #item(index: unknown): Json | undefined {
    return typeof index === 'number' && Number.isSafeInteger(index) && index >= 0 && index < MAX_SLOTS ? this.#output[index] : undefined;
  }

  #pushResponseEvent(type: string, e: Json): void {
    if (typeof e.sequence_number === 'number') this.#lastSequence = e.sequence_number;
    const oi = e.output_index;
    const validIndex = typeof oi === 'number' && Number.isSafeInteger(oi) && oi >= 0 && oi < MAX_SLOTS;
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed': {
        if (isObject(e.response)) {
          const { output: _output, ...base } = e.response;
          this.#responseBase = base;
          if (typeof base.id === 'string') this.#id ??= base.id;
          if (typeof base.model === 'string') this.#model ??= base.model;
        }
        if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') this.#terminal = true;
        return;
      }
      case 'response.output_item.added':
        if (validIndex && isObject(e.item) && !this.#finalItems.has(oi)) this.#output[oi] = clone(e.item);
        return;
      case 'response.output_item.done': {
        if (!validIndex || !isObject(e.item)) return;
        const built = this.#output[oi];
        // A message's text is what the deltas delivered (that is what a client shows); any other
        // item (function call, reasoning ...) is sealed as its final form, which is the form the
        // non-streamed response carries.
        if (e.item.type === 'message' && built !== undefined && built.type === 'message') {
          const { content: _content, ...rest } = e.item;
          this.#output[oi] = { ...rest, content: built.content };
        } else this.#output[oi] = clone(e.item);
        this.#finalItems.add(oi);
        return;
      }
      case 'response.content_part.added': {
        const item = this.#item(oi);
        const ci = e.content_index;
        if (item === undefined || !isObject(e.part) || typeof ci !== 'number' || !Number.isSafeInteger(ci) || ci < 0 || ci >= MAX_SLOTS)
          return;
        if (!Array.isArray(item.content)) item.content = [];
        (item.content as unknown[])[ci] ??= clone(e.part);
        return;
      }
      case 'response.output_text.delta':
      case 'response.refusal.delta': {
        const item = this.#item(oi);
        const ci = e.content_index;
        if (
          item === undefined ||
          this.#finalItems.has(oi as number) ||
          typeof e.delta !== 'string' ||
          typeof ci !== 'number' ||
          !Number.isSafeInteger(ci) ||
          ci < 0 ||
          ci >= MAX_SLOTS
        )
          return;
        if (!Array.isArray(item.content)) item.content = [];
        const parts = item.content as unknown[];
        const key = type === 'response.output_text.delta' ? 'text' : 'refusal';
        const found = parts[ci];
        const part: Json = isObject(found) ? found : key === 'text' ? { type: 'output_text', text: '' } : { type: 'refusal', refusal: '' };
        parts[ci] = part;
        part[key] = (typeof part[key] === 'string' ? part[key] : '') + e.delta;
        return;
      }
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta': {
        const item = this.#item(oi);
        if (item === undefined || this.#finalItems.has(oi as number) || typeof e.delta !== 'string') return;
        const key = type === 'response.function_call_arguments.delta' ? 'arguments' : 'input';
        item[key] = (typeof item[key] === 'string' ? item[key] : '') + e.delta;
        return;
      }
      default:
        return;
    }
  }

  /** The non-streamed response with the content received so far. */
  response(): Record<string, unknown> {
    if (this.#kind === 'response') {
      return {
        ...(this.#responseBase ?? {}),
        id: this.#id,
        object: 'response',
        model: this.#model,
        output: this.#output.filter((o) => o !== undefined),
      };
    }
    if (this.#kind === 'completion') {
      const choices = [...this.#completion.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([index, c]) => ({ index, text: c.text, finish_reason: c.finishReason }));
      return { id: this.#id, object: 'text_completion', created: this.#created, model: this.#model, choices };
    }
    const choices = [...this.#chat.values()]
      .sort((a, b) => a.index - b.index)
      .map((c) => {
        const message: Json = { role: c.role, content: c.content, refusal: c.refusal };
        const calls = c.toolCalls.filter((t) => t !== undefined);
        if (calls.length > 0) message.tool_calls = calls;
        if (c.functionCall !== undefined) message.function_call = c.functionCall;
        return { index: c.index, message, finish_reason: c.finishReason };
      });
    return { id: this.#id, object: 'chat.completion', created: this.#created, model: this.#model, choices };
  }
}
