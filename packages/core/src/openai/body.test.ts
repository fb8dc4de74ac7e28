import { describe, expect, it } from 'vitest';
import { nodeBackend } from '../backend/node.js';
import { nobleBackend } from '../backend/noble.js';
import { jsonBodyDigest, SseBinding, splitJsonBody } from './body.js';
import { concatBytes, toBase64url as bytesToHex, utf8 } from '../primitives/bytes.js';
import { carrierEvent, insertCarrierField, SSE_DONE, sseEvent } from './carrier.js';
import { isSignetError } from '../primitives/errors.js';
import { SseParser } from './sse.js';

const FIELD = { envelope: 'ZW52', kid: 'kid-1' };

describe('splitJsonBody: the JSON body less its carrier, in its one form', () => {
  const upstream = '{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"}}]}\n';

  it('gives back exactly the upstream bytes the gateway sealed', () => {
    const sent = insertCarrierField(upstream, FIELD) as string;
    const split = splitJsonBody(sent);
    expect(split.sealed).toBe(upstream);
    expect(split.field).toEqual(FIELD);
    expect(bytesToHex(jsonBodyDigest(nodeBackend, split.sealed).digest)).toBe(bytesToHex(nodeBackend.sha256(utf8(upstream))));
  });

  it('handles an empty object and a body with no carrier (header carrier: the whole body)', () => {
    expect(splitJsonBody(insertCarrierField(' { } ', FIELD) as string).sealed).toBe(' { } ');
    expect(splitJsonBody(upstream)).toMatchObject({ sealed: upstream, field: undefined });
  });

  const refuse = (text: string): string => {
    try {
      splitJsonBody(text);
    } catch (e) {
      if (isSignetError(e)) return e.code;
      throw e;
    }
    return 'accepted';
  };

  it('refuses a carrier that is not the last member, not canonical, or carries more', () => {
    const sent = insertCarrierField(upstream, FIELD) as string;
    expect(refuse(sent.replace('"signet":{"envelope":"ZW52","kid":"kid-1"}', '"signet":{"kid":"kid-1","envelope":"ZW52"}'))).toBe(
      'SIGNET_E_CONTENT_CARRIER',
    );
    expect(refuse(sent.replace('"kid":"kid-1"}', '"kid":"kid-1","choices":[]}'))).toBe('SIGNET_E_CONTENT_CARRIER');
    expect(refuse(sent.replace('"signet":{', '"signet" : {'))).toBe('SIGNET_E_CONTENT_CARRIER');
    // A member added after the carrier: the carrier is no longer last.
    expect(refuse(sent.replace(/}\n$/, ',"output":[]}\n'))).toBe('SIGNET_E_CONTENT_CARRIER');
    expect(refuse(`${sent} x`)).toBe('SIGNET_E_CONTENT_SHAPE');
    expect(refuse('[1]')).toBe('SIGNET_E_CONTENT_SHAPE');
  });
});

/** A sealed chat stream as a gateway writes it. */
function chatStream(contents: string[], tail: Uint8Array[] = [SSE_DONE]): { bytes: Uint8Array; sealed: Uint8Array } {
  const chunks = contents.map((c, i) =>
    sseEvent({
      id: 'c1',
      object: 'chat.completion.chunk',
      created: 5,
      model: 'm',
      choices: [{ index: 0, delta: { content: c }, finish_reason: i === contents.length - 1 ? 'stop' : null }],
    }),
  );
  const sealed = concatBytes(...chunks);
  const carrier = carrierEvent({ kind: 'chat', id: 'c1', model: 'm', created: 5, lastSequence: undefined }, FIELD);
  return { bytes: concatBytes(sealed, carrier, ...tail), sealed };
}

function check(bytes: Uint8Array, split = 7) {
  const parser = new SseParser();
  const binding = new SseBinding(nodeBackend, 'chat');
  for (let i = 0; i < bytes.length; i += split) for (const ev of parser.push(bytes.subarray(i, i + split))) binding.push(ev);
  for (const ev of parser.end()) binding.push(ev);
  return binding.end();
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isSignetError(e)) return e.code;
    throw e;
  }
  return 'accepted';
}

describe('SseBinding: a sealed stream, byte for byte', () => {
  it('digests every byte before the carrier, on both backends, however the bytes are cut', () => {
    const { bytes, sealed } = chatStream(['Hel', 'lo']);
    for (const split of [1, 3, 64, 4096]) {
      const out = check(bytes, split);
      expect(out.ended).toBe(true);
      expect(out.field).toEqual(FIELD);
      expect(bytesToHex(out.body?.digest as Uint8Array)).toBe(bytesToHex(nodeBackend.sha256(sealed)));
    }
    const noble = new SseBinding(nobleBackend, 'chat');
    const parser = new SseParser();
    for (const ev of parser.push(bytes)) noble.push(ev);
    expect(bytesToHex(noble.end().body?.digest as Uint8Array)).toBe(bytesToHex(nodeBackend.sha256(sealed)));
  });

  it('refuses anything but [DONE] after the carrier, and anything after [DONE]', () => {
    const extra = sseEvent({
      id: 'c1',
      object: 'chat.completion.chunk',
      created: 5,
      model: 'm',
      choices: [{ index: 0, delta: { content: '!' } }],
    });
    expect(code(() => check(chatStream(['a'], [extra, SSE_DONE]).bytes))).toBe('SIGNET_E_STREAM_MALFORMED');
    expect(code(() => check(chatStream(['a'], [SSE_DONE, extra]).bytes))).toBe('SIGNET_E_STREAM_MALFORMED');
    expect(code(() => check(chatStream(['a'], [SSE_DONE, SSE_DONE]).bytes))).toBe('SIGNET_E_STREAM_MALFORMED');
    expect(code(() => check(chatStream(['a'], [utf8(': ping\n\n'), SSE_DONE]).bytes))).toBe('SIGNET_E_STREAM_MALFORMED');
    // No [DONE] at all: not ended.
    expect(check(chatStream(['a'], []).bytes).ended).toBe(false);
  });

  it('refuses a carrier out of its one form: members added, reordered, or naming another stream', () => {
    const { sealed } = chatStream(['a']);
    const forms = [
      `data: {"id":"c1","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"content":"x"}}],"signet":{"envelope":"ZW52","kid":"kid-1"}}\n\n`,
      `data: {"id":"c1","object":"chat.completion.chunk","created":5,"model":"m","choices":[],"usage":{"total_tokens":1},"signet":{"envelope":"ZW52","kid":"kid-1"}}\n\n`,
      `data: {"id":"c2","object":"chat.completion.chunk","created":5,"model":"m","choices":[],"signet":{"envelope":"ZW52","kid":"kid-1"}}\n\n`,
      `event: keepalive\ndata: {"id":"c1","object":"chat.completion.chunk","created":5,"model":"m","choices":[],"signet":{"envelope":"ZW52","kid":"kid-1"}}\n\n`,
      `data: {"id":"c1","object":"chat.completion.chunk","created":5,"model":"m","choices":[],"signet":{"envelope":"ZW52","kid":"kid-1"}}\r\n\r\n`,
    ];
    for (const form of forms) expect(code(() => check(concatBytes(sealed, utf8(form), SSE_DONE)))).toBe('SIGNET_E_STREAM_MALFORMED');
  });

  it('ends at an early [DONE] without a carrier, and refuses events after it', () => {
    const early = concatBytes(chatStream(['a']).sealed, SSE_DONE);
    expect(check(early)).toMatchObject({ field: undefined, ended: false });
    expect(code(() => check(chatStream(['a']).bytes.slice(0)))).toBe('accepted');
    expect(code(() => check(concatBytes(chatStream(['a']).sealed, SSE_DONE, chatStream(['b']).bytes)))).toBe('SIGNET_E_STREAM_MALFORMED');
  });
});
