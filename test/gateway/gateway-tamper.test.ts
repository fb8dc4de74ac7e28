import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENVELOPE_HEADER, SignetError, type SseEvent } from '@signet/core';
import { createVerifyingFetch, type FetchVerification } from '@signet/verify';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { rewriteEvent, startTamperProxy, type TamperProxy } from '../support/tamper-proxy.js';

let gw: TestGateway;
let proxy: TamperProxy;
let results: FetchVerification[];
let client: OpenAI;

beforeAll(async () => {
  gw = await startTestGateway();
  proxy = await startTamperProxy(gw.url);
  client = new OpenAI({
    apiKey: gw.apiKey,
    baseURL: `${proxy.url}/v1`,
    maxRetries: 0,
    fetch: createVerifyingFetch({ trust: gw.jwks, onResult: (r) => results.push(r) }),
  });
});
afterAll(async () => {
  await proxy.close();
  await gw.close();
});
beforeEach(() => {
  results = [];
  proxy.tamper = {};
});

const ask = (content: string) => ({ model: 'local-model', messages: [{ role: 'user' as const, content }] });
const isContent = (ev: SseEvent): boolean => ev.data !== undefined && ev.data.includes('"content":"') && !ev.data.includes('"content":""');

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) void _;
}

/** Passes the first `keep` content events of a stream, then cuts the connection. */
function cutAfter(keep: number) {
  let seen = 0;
  return (events: SseEvent[]) => {
    const send: Uint8Array[] = [];
    for (const ev of events) {
      if (isContent(ev) && ++seen > keep) return { send, cut: true as const };
      send.push(ev.raw);
    }
    return send;
  };
}

function only(): FetchVerification {
  expect(results).toHaveLength(1);
  return results[0] as FetchVerification;
}

describe('tampering between the gateway and the client is reported with the right code', () => {
  it('an untouched response verifies (the proxy itself changes nothing)', async () => {
    await client.chat.completions.create(ask('untouched'));
    await drain(await client.chat.completions.create({ ...ask('untouched'), stream: true }));
    expect(results.map((r) => r.valid)).toEqual([true, true]);
  });

  it('one character of content altered: whole response', async () => {
    proxy.tamper = { body: (t) => t.replace('You said', 'You saiD') };
    const r = await client.chat.completions.create(ask('alter one'));
    expect(r.choices[0]?.message.content).toContain('You saiD');
    expect(only()).toMatchObject({ valid: false, code: 'SIGNET_E_CONTENT_BODY_MISMATCH', step: 'content' });
  });

  it('one character of content altered: stream', async () => {
    let done = false;
    proxy.tamper = {
      events: (events) =>
        events.map((ev) => {
          if (done || !isContent(ev)) return ev.raw;
          done = true;
          return rewriteEvent(ev, (d) => d.replace(/"content":"(.)/, (_m, c: string) => `"content":"${c === 'X' ? 'Y' : 'X'}`));
        }),
    };
    await drain(await client.chat.completions.create({ ...ask('alter stream'), stream: true }));
    expect(done).toBe(true);
    expect(only()).toMatchObject({ valid: false, code: 'SIGNET_E_CONTENT_BODY_MISMATCH', streamed: true });
  });

  it('a chunk dropped from the stream', async () => {
    let seen = 0;
    proxy.tamper = { events: (events) => events.filter((ev) => !(isContent(ev) && ++seen === 3)).map((ev) => ev.raw) };
    await drain(await client.chat.completions.create({ ...ask('drop one'), stream: true }));
    expect(seen).toBeGreaterThan(3);
    expect(only()).toMatchObject({ valid: false, code: 'SIGNET_E_CONTENT_BODY_MISMATCH', streamed: true });
  });

  it('the stream cut before its end', async () => {
    proxy.tamper = { events: cutAfter(4) };
    let text = '';
    for await (const c of await client.chat.completions.create({ ...ask('cut me'), stream: true }))
      text += c.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    expect(only()).toMatchObject({ valid: false, code: 'SIGNET_E_STREAM_TRUNCATED', streamed: true });
  });

  it('the envelope stripped: whole response and stream', async () => {
    proxy.tamper = {
      body: (t, h) => {
        h.delete(ENVELOPE_HEADER);
        return t.replace(/,"signet":\{[^}]*\}/, '');
      },
      events: (events) => events.filter((ev) => !(ev.data ?? '').includes('"signet"')).map((ev) => ev.raw),
    };
    await client.chat.completions.create(ask('strip'));
    await drain(await client.chat.completions.create({ ...ask('strip'), stream: true }));
    expect(results.map((r) => r.valid === false && r.code)).toEqual(['SIGNET_E_ENVELOPE_MISSING', 'SIGNET_E_ENVELOPE_MISSING']);
  });

  it('envelopes swapped between two responses', async () => {
    const envelopes: string[] = [];
    const grab = (t: string, h: Headers): string => {
      const env = /"signet":\{"envelope":"([^"]+)"/.exec(t)?.[1] as string;
      envelopes.push(env);
      if (envelopes.length === 1) return t;
      const first = envelopes[0] as string;
      h.set(ENVELOPE_HEADER, first);
      return t.replace(env, first);
    };
    // Different questions: the bytes do not match.
    proxy.tamper = { body: grab };
    await client.chat.completions.create(ask('first question'));
    await client.chat.completions.create(ask('second question'));
    expect(results.map((r) => r.valid || r.code)).toEqual([true, 'SIGNET_E_CONTENT_BODY_MISMATCH']);
    // The same question twice: same text, same request, but another response (its id and bytes).
    envelopes.length = 0;
    results = [];
    await client.chat.completions.create(ask('same question'));
    await client.chat.completions.create(ask('same question'));
    expect(results.map((r) => r.valid || r.code)).toEqual([true, 'SIGNET_E_CONTENT_BODY_MISMATCH']);
  });

  it('envelopes swapped between two streams', async () => {
    let first: Uint8Array | undefined;
    let count = 0;
    proxy.tamper = {
      events: (events, end) => {
        const out = events.map((ev) => {
          if (!(ev.data ?? '').includes('"signet"')) return ev.raw;
          if (first === undefined) {
            first = ev.raw;
            return ev.raw;
          }
          return first;
        });
        if (end) count++;
        return out;
      },
    };
    await drain(await client.chat.completions.create({ ...ask('stream one'), stream: true }));
    await drain(await client.chat.completions.create({ ...ask('stream two'), stream: true }));
    expect(count).toBe(2);
    // The carrier event names the stream it ends: moved onto another stream it is out of place.
    expect(results.map((r) => r.valid || r.code)).toEqual([true, 'SIGNET_E_STREAM_MALFORMED']);
  });

  it('a header envelope that disagrees with the body envelope fails', async () => {
    const kept: string[] = [];
    proxy.tamper = {
      body: (t, h) => {
        kept.push(h.get(ENVELOPE_HEADER) as string);
        if (kept.length === 2) h.set(ENVELOPE_HEADER, kept[0] as string);
        return t;
      },
    };
    await client.chat.completions.create(ask('header one'));
    await client.chat.completions.create(ask('header two'));
    expect(results.map((r) => r.valid || r.code)).toEqual([true, 'SIGNET_E_CONTENT_CARRIER']);
  });

  it('throwOnFailure makes a tampered whole response reject and a tampered stream throw', async () => {
    const strict = new OpenAI({
      apiKey: gw.apiKey,
      baseURL: `${proxy.url}/v1`,
      maxRetries: 0,
      fetch: createVerifyingFetch({ trust: gw.jwks, throwOnFailure: true }),
    });
    proxy.tamper = { body: (t) => t.replace('You said', 'You saiD') };
    const e1 = await strict.chat.completions.create(ask('strict')).catch((e: unknown) => e);
    expect(e1).toMatchObject({ code: 'SIGNET_E_CONTENT_BODY_MISMATCH' });
    proxy.tamper = { events: cutAfter(4) };
    const stream = await strict.chat.completions.create({ ...ask('strict stream'), stream: true });
    const e2 = await drain(stream).catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: 'SIGNET_E_STREAM_TRUNCATED' });
  });

  // Regression: a failed verification made fetch reject, which the openai client reported as
  // "APIConnectionError: Connection error." after retrying the request twice more upstream.
  it('a failed verification reaches the application as the SignetError, without a retry', async () => {
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const retrying = new OpenAI({
      apiKey: gw.apiKey,
      baseURL: `${proxy.url}/v1`,
      maxRetries: 2,
      fetch: createVerifyingFetch({ trust: gw.jwks, throwOnFailure: true, fetch: counting }),
    });
    proxy.tamper = { body: (t) => t.replace('You said', 'You saiD') };
    const e = await retrying.chat.completions.create(ask('no retry')).catch((err: unknown) => err);
    expect(calls).toBe(1);
    expect(e).toBeInstanceOf(SignetError);
    expect(e).toMatchObject({ code: 'SIGNET_E_CONTENT_BODY_MISMATCH' });
    expect(String((e as Error).message)).not.toMatch(/Connection error/);
  });
});
