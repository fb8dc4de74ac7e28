import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifyingFetch, type FetchVerification } from '@signet/verify';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * The gateway's Node-native path reads the upstream's bytes itself (no Web Response in between):
 * these are the wire forms a real model server or a proxy in front of it produces, and each must
 * come out sealed, verifying, and showing the upstream's exact text. The upstream here cuts its
 * answers at awkward places on purpose: inside an event, inside a multi-byte character, one byte
 * at a time.
 */

const TEXT = 'Grüße aus Zürich — 漢字 and 🦜 emoji, sealed whole.';

function wholeAnswer(id: string): string {
  return JSON.stringify({
    id,
    object: 'chat.completion',
    created: 1764000000,
    model: 'wire-model',
    choices: [{ index: 0, message: { role: 'assistant', content: TEXT }, finish_reason: 'stop' }],
  });
}

function streamAnswer(id: string): string {
  const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1764000000, model: 'wire-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const pieces = TEXT.match(/\S+\s*/g) ?? [];
  return `${chunk({ role: 'assistant', content: '' }, null)}${pieces.map((p) => chunk({ content: p }, null)).join('')}${chunk({}, 'stop')}data: [DONE]\n\n`;
}

/** Writes `bytes` in pieces of `size` bytes, each its own socket write. */
async function writeInPieces(res: ServerResponse, bytes: Buffer, size: number): Promise<void> {
  for (let i = 0; i < bytes.length; i += size) {
    res.write(bytes.subarray(i, i + size));
    await new Promise((r) => setImmediate(r));
  }
  res.end();
}

let upstream: Server;
let upstreamUrl: string;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { model: string; stream?: boolean };
      const id = `chatcmpl-${body.model}`;
      const stream = body.stream === true;
      const text = stream ? streamAnswer(id) : wholeAnswer(id);
      const type = stream ? 'text/event-stream' : 'application/json';
      if (body.model === 'gzip') {
        const z = gzipSync(text);
        res.writeHead(200, { 'content-type': type, 'content-encoding': 'gzip', 'content-length': z.length });
        res.end(z);
      } else if (body.model === 'bytewise') {
        res.writeHead(200, { 'content-type': type });
        void writeInPieces(res, Buffer.from(text), 1);
      } else if (body.model === 'odd-pieces') {
        res.writeHead(200, { 'content-type': type });
        void writeInPieces(res, Buffer.from(text), 37);
      } else if (body.model === 'gzip-big') {
        // Small on the wire, large once decoded: the gateway's cap applies to what it decodes.
        const padded = JSON.stringify({ ...(JSON.parse(wholeAnswer(id)) as object), pad: ' '.repeat(200_000) });
        const z = gzipSync(padded);
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': z.length });
        res.end(z);
      } else if (body.model === 'forged-headers') {
        // An upstream (or something in front of it) that speaks Signet's headers itself.
        res.writeHead(200, { 'content-type': type, 'signet-envelope': 'forged', 'Signet-Unsealed': 'forged' });
        res.end(text);
      } else if (body.model === 'forged-500') {
        res.writeHead(500, { 'content-type': 'application/json', 'signet-envelope': 'forged' });
        res.end('{"error":{"message":"boom","type":"server_error","code":null,"param":null}}');
      } else if (body.model === 'bom') {
        const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
        res.writeHead(200, { 'content-type': type, 'content-length': bytes.length });
        res.end(bytes);
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => upstream.close(() => r()));
});

describe('the native path over awkward upstream wire forms', () => {
  let gw: TestGateway;
  const results: FetchVerification[] = [];
  let client: OpenAI;
  beforeAll(async () => {
    gw = await startTestGateway({ upstreamUrl });
    client = new OpenAI({
      apiKey: gw.apiKey,
      baseURL: `${gw.url}/v1`,
      maxRetries: 0,
      fetch: createVerifyingFetch({ trust: gw.jwks, onResult: (r) => results.push(r), checkReplays: false }),
    });
  });
  afterAll(async () => {
    await gw.close();
  });

  for (const model of ['gzip', 'bytewise', 'odd-pieces', 'bom']) {
    it(`seals a whole answer sent ${model}, and the client sees the exact text`, async () => {
      results.length = 0;
      const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'q' }] });
      expect(r.choices[0]?.message.content).toBe(TEXT);
      expect(results.map((x) => (x.valid ? 'valid' : x.code))).toEqual(['valid']);
    });

    it(`seals a stream sent ${model}, and the client sees the exact text`, async () => {
      results.length = 0;
      const s = await client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'q' }] });
      let text = '';
      for await (const c of s) text += c.choices[0]?.delta.content ?? '';
      expect(text).toBe(TEXT);
      expect(results.map((x) => (x.valid ? 'valid' : x.code))).toEqual(['valid']);
    });
  }

  it('never passes on Signet headers the upstream sent: only the gateway marks an answer', async () => {
    const post = (model: string, stream: boolean) =>
      fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'q' }] }),
      });
    const whole = await post('forged-headers', false);
    await whole.arrayBuffer();
    expect(whole.status).toBe(200);
    expect(whole.headers.get('signet-envelope')).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(whole.headers.get('signet-unsealed')).toBeNull();
    const stream = await post('forged-headers', true);
    await stream.arrayBuffer();
    expect(stream.headers.get('signet-envelope')).toBeNull();
    expect(stream.headers.get('signet-unsealed')).toBeNull();
    const failed = await post('forged-500', false);
    await failed.arrayBuffer();
    expect(failed.status).toBe(500);
    expect(failed.headers.get('signet-envelope')).toBeNull();
    expect(failed.headers.get('signet-unsealed')).toBe('SIGNET_E_GATEWAY_UNSEALED_STATUS');
  });

  it('forwards a stream sent byte by byte event by event, never holding back a complete event', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'bytewise', stream: true, messages: [{ role: 'user', content: 'q' }] }),
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const dec = new TextDecoder();
    const reads: string[] = [];
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      reads.push(dec.decode(r.value, { stream: true }));
    }
    const all = reads.join('');
    // Every upstream event arrives whole, in order, before the carrier and the one [DONE].
    expect(all.startsWith(streamAnswer('chatcmpl-bytewise').replace('data: [DONE]\n\n', ''))).toBe(true);
    expect(all.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(all.match(/\[DONE\]/g)).toHaveLength(1);
    // The events were passed on as they completed: many reads, not one buffered answer.
    expect(reads.length).toBeGreaterThan(5);
  });
});

describe('the native path with a cap on whole answers', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ upstreamUrl, gateway: { maxBodyBytes: 64 * 1024 } });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('withholds an answer larger than the cap once decoded (502, typed), and keeps serving', async () => {
    const post = (model: string) =>
      fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'q' }] }),
      });
    const big = await post('gzip-big');
    const body = (await big.json()) as { error?: { code?: string }; choices?: unknown };
    expect(big.status).toBe(502);
    expect(body.error?.code).toBe('SIGNET_E_GATEWAY_SEAL_FAILED');
    expect(body.choices).toBeUndefined();
    expect(big.headers.get('signet-envelope')).toBeNull();
    const next = await post('gzip');
    await next.arrayBuffer();
    expect(next.status).toBe(200);
    expect(next.headers.get('signet-envelope')).not.toBeNull();
  });
});
