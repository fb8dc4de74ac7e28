import { SignetError } from '../primitives/errors.js';

/**
 * An incremental parser for `text/event-stream` (the WHATWG server-sent events format), working on
 * bytes so that a proxy can forward each event's exact bytes while it reads them. Signer and verifier
 * share it, so both cut a stream into the same events.
 */

/** One block of a stream: the lines up to and including the blank line that ends it. */
export interface SseEvent {
  /** The `event:` field, if any. */
  readonly event: string | undefined;
  /** The `data:` lines joined with `\n`; undefined when the block has no data (comments, keep-alives). */
  readonly data: string | undefined;
  /** The exact bytes of the block, terminator included. */
  readonly raw: Uint8Array;
}

/** Largest event accepted (bytes): a stream of one endless event must not exhaust memory. */
export const MAX_SSE_EVENT_BYTES = 8 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const decoder = new TextDecoder('utf-8');

function parseLine(line: string, acc: { event: string | undefined; data: string | undefined }): void {
  if (line.length === 0 || line.charCodeAt(0) === 0x3a) return;
  const colon = line.indexOf(':');
  const field = colon < 0 ? line : line.slice(0, colon);
  let value = colon < 0 ? '' : line.slice(colon + 1);
  if (value.charCodeAt(0) === 0x20) value = value.slice(1);
  if (field === 'data') acc.data = acc.data === undefined ? value : `${acc.data}\n${value}`;
  else if (field === 'event') acc.event = value;
}

function parseBlock(raw: Uint8Array): SseEvent {
  const text = decoder.decode(raw);
  // Fast path for the usual token event, `data: <json>\n\n`: one line, no other fields.
  if (text.startsWith('data: ') && text.endsWith('\n\n')) {
    const nl = text.indexOf('\n');
    if (nl === text.length - 2 && text.indexOf('\r') < 0) return { event: undefined, data: text.slice(6, nl), raw };
  }
  const acc: { event: string | undefined; data: string | undefined } = { event: undefined, data: undefined };
  if (text.indexOf('\r') < 0) {
    // The common case (LF only) without a regular expression: this runs once per streamed token.
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      parseLine(text.slice(start, nl), acc);
      start = nl + 1;
    }
    if (start < text.length) parseLine(text.slice(start), acc);
  } else for (const line of text.split(/\r\n|\r|\n/)) parseLine(line, acc);
  return { event: acc.event, data: acc.data, raw };
}

/** Incremental SSE parser: feed it chunks, it returns the events each chunk completes. */
export class SseParser {
  #pending: Uint8Array = new Uint8Array(0);
  /** Where to resume scanning `#pending` (bytes before it hold no event boundary). */
  #scan = 0;
  /** Index in `#pending` where the current line started. */
  #lineStart = 0;
  #first = true;
  readonly #maxEventBytes: number;

  constructor(maxEventBytes: number = MAX_SSE_EVENT_BYTES) {
    this.#maxEventBytes = maxEventBytes;
  }

  /** Bytes received that do not yet form a complete event. */
  get pendingBytes(): number {
    return this.#pending.length;
  }

  /** Adds a chunk; returns the events it completes, in order. */
  push(chunk: Uint8Array): SseEvent[] {
    if (chunk.length === 0) return [];
    let buf: Uint8Array;
    if (this.#pending.length === 0) buf = chunk;
    else {
      buf = new Uint8Array(this.#pending.length + chunk.length);
      buf.set(this.#pending, 0);
      buf.set(chunk, this.#pending.length);
    }
    if (this.#first) {
      this.#first = false;
      // A UTF-8 byte order mark at the very start is not part of the first line.
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    const events: SseEvent[] = [];
    let eventStart = 0;
    let lineStart = this.#lineStart;
    let i = this.#scan;
    // Line ends are found with indexOf (native) rather than byte by byte; the next CR is looked up
    // once and reused, since most streams have none.
    let nextCr = buf.indexOf(CR, i);
    while (i < buf.length) {
      if (nextCr >= 0 && nextCr < i) nextCr = buf.indexOf(CR, i);
      const nextLf = buf.indexOf(LF, i);
      const at = nextLf < 0 ? nextCr : nextCr < 0 ? nextLf : Math.min(nextLf, nextCr);
      if (at < 0) {
        i = buf.length;
        break;
      }
      const b = buf[at] as number;
      let end = at + 1;
      if (b === CR) {
        // A CR at the end of the buffer may be the first half of CRLF: wait for the next byte.
        if (at + 1 >= buf.length) {
          i = at;
          break;
        }
        if (buf[at + 1] === LF) end = at + 2;
      }
      const empty = at === lineStart;
      i = end;
      lineStart = end;
      if (empty) {
        // A blank line ends the block. Every byte belongs to exactly one block, so a proxy that
        // forwards each block's raw bytes forwards the stream unchanged.
        events.push(parseBlock(buf.subarray(eventStart, end)));
        eventStart = end;
      }
    }
    this.#pending = eventStart >= buf.length ? new Uint8Array(0) : buf.slice(eventStart);
    this.#scan = Math.max(0, i - eventStart);
    this.#lineStart = lineStart - eventStart;
    if (this.#pending.length > this.#maxEventBytes) {
      throw new SignetError('SIGNET_E_STREAM_MALFORMED', `An event of the stream is larger than ${this.#maxEventBytes} bytes.`, {
        hint: 'The stream is not a sequence of normal server-sent events.',
      });
    }
    return events;
  }

  /** Ends the stream: returns a last event that lacked its blank line (servers may omit it), if any. */
  end(): SseEvent[] {
    const rest = this.#pending;
    this.#pending = new Uint8Array(0);
    this.#scan = 0;
    this.#lineStart = 0;
    if (rest.length === 0) return [];
    const ev = parseBlock(rest);
    return ev.data === undefined && ev.event === undefined ? [] : [ev];
  }
}
