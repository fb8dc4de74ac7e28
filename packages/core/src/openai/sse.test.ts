import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from './sse.js';

const enc = new TextEncoder();

function parseAll(chunks: Uint8Array[]): SseEvent[] {
  const p = new SseParser();
  const out: SseEvent[] = [];
  for (const c of chunks) out.push(...p.push(c));
  out.push(...p.end());
  return out;
}

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

describe('SseParser', () => {
  it('parses data, event names, multi-line data and comments', () => {
    const events = parseAll([
      enc.encode(': keep-alive\n\nevent: response.created\ndata: {"a":1}\n\ndata: line one\ndata:line two\n\ndata: [DONE]\n\n'),
    ]);
    expect(events.map((e) => [e.event, e.data])).toEqual([
      [undefined, undefined],
      ['response.created', '{"a":1}'],
      [undefined, 'line one\nline two'],
      [undefined, '[DONE]'],
    ]);
  });

  it('accepts CRLF and CR line endings, including a CR at a chunk boundary', () => {
    const text = 'data: a\r\n\r\ndata: b\r\rdata: c\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const bytes = enc.encode(text);
      expect(parseAll([bytes.subarray(0, cut), bytes.subarray(cut)]).map((e) => e.data)).toEqual(['a', 'b', 'c']);
    }
  });

  it('keeps every byte: the raw blocks concatenate to the input', () => {
    const text = 'data: x\n\n\n\ndata: y\r\n\r\n: c\n\n';
    const events = parseAll([enc.encode(text)]);
    expect(new TextDecoder().decode(Buffer.concat(events.map((e) => e.raw)))).toBe(text);
  });

  it('returns a final event that lacks its blank line at the end', () => {
    expect(parseAll([enc.encode('data: a\n\ndata: last')]).map((e) => e.data)).toEqual(['a', 'last']);
  });

  it('refuses an event larger than the bound', () => {
    const p = new SseParser(64);
    expect(() => p.push(enc.encode(`data: ${'x'.repeat(100)}`))).toThrow(expect.objectContaining({ code: 'SIGNET_E_STREAM_MALFORMED' }));
  });

  it('gives the same events however the bytes are split (multi-byte characters included)', () => {
    const line = fc.stringMatching(/^[^\r\n]{0,20}$/);
    const event = fc.record({
      name: fc.option(fc.constantFrom('message', 'response.output_text.delta'), { nil: undefined }),
      data: fc.array(fc.oneof(line, fc.constantFrom('café 日本 🙂', '{"k":"v"}')), { minLength: 1, maxLength: 3 }),
      eol: fc.constantFrom('\n', '\r\n', '\r'),
    });
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (events, cuts) => {
        const text = events
          .map(
            (e) => `${e.name === undefined ? '' : `event: ${e.name}${e.eol}`}${e.data.map((d) => `data: ${d}${e.eol}`).join('')}${e.eol}`,
          )
          .join('');
        const bytes = enc.encode(text);
        const whole = parseAll([bytes]);
        const split = parseAll(splitAt(bytes, cuts));
        expect(split.map((e) => [e.event, e.data])).toEqual(whole.map((e) => [e.event, e.data]));
        expect(whole.map((e) => e.data)).toEqual(events.map((e) => e.data.join('\n')));
        expect(Buffer.concat(split.map((e) => e.raw)).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
