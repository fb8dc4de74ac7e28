import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifyingFetch, verificationOf, type FetchVerification } from '@signet/verify';
import { ENVELOPE_HEADER } from '@signet/core';
import { startTestGateway, ISSUER, TEST_TERMS, type TestGateway } from '../support/gateway.js';
import { answerText } from '../support/upstream.js';

let gw: TestGateway;
let results: FetchVerification[];
let client: OpenAI;

beforeAll(async () => {
  gw = await startTestGateway();
  results = [];
  const verifyingFetch = createVerifyingFetch({
    trust: gw.jwks,
    policy: { issuers: [ISSUER], terms: { id: TEST_TERMS.id, version: TEST_TERMS.version } },
    onResult: (r) => results.push(r),
    throwOnFailure: true,
  });
  client = new OpenAI({ apiKey: gw.apiKey, baseURL: `${gw.url}/v1`, fetch: verifyingFetch, maxRetries: 0 });
});
afterAll(async () => {
  await gw.close();
});

const tools = [
  {
    type: 'function' as const,
    function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } },
  },
];

function lastResult(): FetchVerification {
  const r = results.at(-1);
  if (r === undefined) throw new Error('no verification result');
  return r;
}

describe('the openai client through the signing gateway, verified by the verifying fetch', () => {
  it('chat completion, not streamed: sealed in header and body, verified', async () => {
    const before = results.length;
    const { data, response } = await client.chat.completions
      .create({ model: 'local-model', messages: [{ role: 'user', content: 'hello there' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(answerText({ messages: [{ role: 'user', content: 'hello there' }] }));
    expect(response.headers.get(ENVELOPE_HEADER)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect((data as unknown as { signet: { envelope: string } }).signet.envelope).toBe(response.headers.get(ENVELOPE_HEADER));
    expect(results.length).toBe(before + 1);
    expect(lastResult()).toMatchObject({ valid: true, streamed: false, requestChecked: true, content: { match: 'exact' } });
    const v = await verificationOf(response);
    expect(v?.valid).toBe(true);
  });

  it('chat completion, streamed: chunks arrive, the envelope verifies at the end', async () => {
    const stream = await client.chat.completions.create({
      model: 'local-model',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let carrier: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if ((chunk as unknown as { signet?: unknown }).signet !== undefined) carrier = (chunk as unknown as { signet: unknown }).signet;
    }
    expect(text).toBe(answerText({ messages: [{ role: 'user', content: 'stream please' }] }));
    expect(carrier).toMatchObject({ envelope: expect.any(String), kid: gw.key.kid });
    expect(lastResult()).toMatchObject({ valid: true, streamed: true, requestChecked: true });
    // The streamed envelope seals the same digests as the whole response would get.
    const whole = await client.chat.completions.create({ model: 'local-model', messages: [{ role: 'user', content: 'stream please' }] });
    const a = gw.sealed.at(-2);
    const b = gw.sealed.at(-1);
    expect(a?.claims.content).toEqual(b?.claims.content);
    expect(whole.choices[0]?.message.content).toBe(text);
  });

  it('the stream helper (chat.completions.stream) works with the carrier chunk', async () => {
    const runner = client.chat.completions.stream({ model: 'local-model', messages: [{ role: 'user', content: 'helper' }] });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe(answerText({ messages: [{ role: 'user', content: 'helper' }] }));
    expect(lastResult()).toMatchObject({ valid: true, streamed: true });
  });

  it('tool calls, streamed and not', async () => {
    const req = { model: 'local-model', messages: [{ role: 'user' as const, content: 'weather in Paris' }], tools };
    const whole = await client.chat.completions.create(req);
    expect(whole.choices[0]?.message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(lastResult()).toMatchObject({ valid: true, content: { choices: [{ structured: true }] } });
    const stream = await client.chat.completions.create({ ...req, stream: true });
    let args = '';
    for await (const chunk of stream) args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
    expect(args).toBe((whole.choices[0]?.message.tool_calls?.[0] as { function: { arguments: string } }).function.arguments);
    expect(lastResult()).toMatchObject({ valid: true, streamed: true });
    expect(gw.sealed.at(-1)?.claims.content).toEqual(gw.sealed.at(-2)?.claims.content);
  });

  it('n > 1, streamed and not', async () => {
    const req = { model: 'local-model', messages: [{ role: 'user' as const, content: 'three ways' }], n: 3 };
    const whole = await client.chat.completions.create(req);
    expect(whole.choices).toHaveLength(3);
    expect(lastResult()).toMatchObject({ valid: true });
    const stream = await client.chat.completions.create({ ...req, stream: true });
    const texts = ['', '', ''];
    for await (const chunk of stream) for (const c of chunk.choices) texts[c.index] += c.delta.content ?? '';
    expect(texts).toEqual(whole.choices.map((c) => c.message.content));
    expect(lastResult()).toMatchObject({ valid: true, streamed: true });
    expect(gw.sealed.at(-1)?.claims.content).toHaveLength(3);
    expect(gw.sealed.at(-1)?.claims.content).toEqual(gw.sealed.at(-2)?.claims.content);
  });

  it('refusals, streamed and not', async () => {
    const req = { model: 'refuse', messages: [{ role: 'user' as const, content: 'bad idea' }] };
    const whole = await client.chat.completions.create(req);
    expect(whole.choices[0]?.message.refusal).toContain("can't help");
    const stream = await client.chat.completions.create({ ...req, stream: true });
    for await (const _ of stream) void _;
    expect(lastResult()).toMatchObject({ valid: true, streamed: true });
    expect(gw.sealed.at(-1)?.claims.content).toEqual(gw.sealed.at(-2)?.claims.content);
  });

  it('legacy completions, streamed and not', async () => {
    const whole = await client.completions.create({ model: 'local-model', prompt: 'complete me' });
    expect(lastResult()).toMatchObject({ valid: true, streamed: false });
    const stream = await client.completions.create({ model: 'local-model', prompt: 'complete me', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(whole.choices[0]?.text);
    expect(lastResult()).toMatchObject({ valid: true, streamed: true });
    expect(gw.sealed.at(-1)?.claims.content).toEqual(gw.sealed.at(-2)?.claims.content);
  });

  it('the Responses API, streamed and not, text and function calls', async () => {
    const whole = await client.responses.create({ model: 'local-model', input: 'respond' });
    expect(whole.output_text).toBe(answerText({ input: 'respond' }));
    expect(lastResult()).toMatchObject({ valid: true, streamed: false });
    const stream = await client.responses.create({ model: 'local-model', input: 'respond', stream: true });
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    expect(text).toBe(whole.output_text);
    expect(lastResult()).toMatchObject({ valid: true, streamed: true });
    expect(gw.sealed.at(-1)?.claims.content).toEqual(gw.sealed.at(-2)?.claims.content);

    const fnTools = [{ type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: {} }, strict: false }];
    await client.responses.create({ model: 'local-model', input: 'weather', tools: fnTools });
    const s2 = await client.responses.create({ model: 'local-model', input: 'weather', tools: fnTools, stream: true });
    for await (const _ of s2) void _;
    expect(lastResult()).toMatchObject({ valid: true, streamed: true, content: { choices: [{ structured: true }] } });
    expect(gw.sealed.at(-1)?.claims.content).toEqual(gw.sealed.at(-2)?.claims.content);
  });

  it('the Responses stream helper (responses.stream) accepts the carrier event', async () => {
    const runner = client.responses.stream({ model: 'local-model', input: 'helper' });
    const final = await runner.finalResponse();
    expect(final.output_text).toBe(answerText({ input: 'helper' }));
    expect(lastResult()).toMatchObject({ valid: true, streamed: true });
  });

  it('other paths pass through (authenticated, unsealed, unverified)', async () => {
    const before = results.length;
    const models = await client.models.list();
    expect(models.data[0]?.id).toBe('local-model');
    expect(results.length).toBe(before);
    expect(gw.upstream.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('publishes the JWKS with cache headers', async () => {
    const res = await fetch(`${gw.url}/.well-known/signet/jwks.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('max-age=300');
    const body = (await res.json()) as { keys: { kid: string }[] };
    expect(body.keys.map((k) => k.kid)).toEqual([gw.key.kid]);
    const again = await fetch(`${gw.url}/.well-known/signet/jwks.json`, { headers: { 'if-none-match': res.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
  });

  it('401 for an unknown key and 403 for terms not accepted, before reaching the upstream', async () => {
    const count = gw.upstream.requests.length;
    const stranger = new OpenAI({ apiKey: 'sgk_not-a-real-key', baseURL: `${gw.url}/v1`, maxRetries: 0 });
    await expect(
      stranger.chat.completions.create({ model: 'local-model', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 401, code: 'SIGNET_E_AUTH_UNKNOWN_KEY' });
    const old = new OpenAI({ apiKey: gw.oldTermsKey, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const err = await old.chat.completions
      .create({ model: 'local-model', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 403, code: 'SIGNET_E_AUTH_TERMS_NOT_ACCEPTED' });
    expect((err as Error).message).toContain(TEST_TERMS.version);
    const noKey = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(noKey.status).toBe(401);
    expect(gw.upstream.requests.length).toBe(count);
  });
});
