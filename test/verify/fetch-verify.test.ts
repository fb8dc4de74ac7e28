import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NO_AI_TRAINING, SigningKey, toJwks } from '@signet/core';
import { createSigner, sealEventStream, createResponseSealer } from '@signet/server';
import { createVerifyingFetch, verificationOf, type FetchVerification } from '@signet/verify';
import { wireForms } from '../support/upstream.js';

/**
 * The verifying fetch on its own, over a stub transport (no network): which responses it checks,
 * how it handles request shapes, and stream edge cases the gateway tests do not reach.
 */
const key = new SigningKey(new Uint8Array(32).fill(21));
const signer = createSigner({
  issuer: 'https://api.example.test',
  key,
  accountSecret: new Uint8Array(32).fill(22),
  terms: { id: 't', version: '1', uri: 'https://example.test/t', document: 'terms', usage: NO_AI_TRAINING },
});
const sealer = createResponseSealer({ signer });
const enc = new TextEncoder();
const dec = new TextDecoder();

type Stub = (url: string, body: Record<string, unknown>) => Promise<Response>;

/** A transport that answers like a sealing server, with a hook to alter the sealed bytes. */
function sealingTransport(alter: (sse: string) => string = (s) => s): Stub {
  return async (url, body) => {
    const path = new URL(url).pathname;
    const { whole, chunks } = wireForms(path, body, `id-${Math.random().toString(36).slice(2)}`);
    const kind = path.endsWith('/responses') ? 'response' : path.endsWith('/chat/completions') ? 'chat' : 'completion';
    if (body.stream !== true) return sealer.seal(Response.json(whole), { account: 'a', kind, request: body });
    const text =
      chunks
        .map((c) => (kind === 'response' ? `event: ${String(c.type)}\ndata: ${JSON.stringify(c)}\n\n` : `data: ${JSON.stringify(c)}\n\n`))
        .join('') + (kind === 'response' ? '' : 'data: [DONE]\n\n');
    const sealedBody = sealEventStream(new Response(text).body as ReadableStream<Uint8Array>, signer, {
      account: 'a',
      kind,
      request: body,
    });
    const all = dec.decode(await new Response(sealedBody).arrayBuffer());
    // One network chunk per event, as a server would flush them.
    const pieces = alter(all)
      .split(/(?<=\n\n)/)
      .map((p) => enc.encode(p));
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        const next = pieces.shift();
        if (next === undefined) c.close();
        else c.enqueue(next);
      },
    });
    return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
  };
}

function verifyingOver(stub: Stub, results: FetchVerification[], extra: Partial<Parameters<typeof createVerifyingFetch>[0]> = {}) {
  const transport = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const bodyText = typeof init?.body === 'string' ? init.body : input instanceof Request ? await input.text() : '{}';
    return stub(url, JSON.parse(bodyText || '{}') as Record<string, unknown>);
  }) as typeof fetch;
  return createVerifyingFetch({ trust: toJwks([key]), fetch: transport, onResult: (r) => results.push(r), ...extra });
}

async function readAll(res: Response): Promise<string> {
  return dec.decode(await res.arrayBuffer());
}

const chatBody = (stream: boolean) => JSON.stringify({ model: 'm', stream, messages: [{ role: 'user', content: 'stub' }] });

describe('createVerifyingFetch', () => {
  it('checks only model requests with a success status', async () => {
    const results: FetchVerification[] = [];
    const f = verifyingOver(
      async (url) => (url.endsWith('/models') ? Response.json({ data: [] }) : Response.json({ error: { message: 'no' } }, { status: 429 })),
      results,
    );
    expect((await f('http://127.0.0.1/v1/models')).status).toBe(200);
    const limited = await f('http://127.0.0.1/v1/chat/completions', { method: 'POST', body: chatBody(false) });
    expect(limited.status).toBe(429);
    expect(verificationOf(limited)).toBeUndefined();
    expect(results).toEqual([]);
  });

  it('accepts a Request object as input and checks its body against the request digest', async () => {
    const results: FetchVerification[] = [];
    const f = verifyingOver(sealingTransport(), results);
    const res = await f(new Request('http://127.0.0.1/v1/chat/completions', { method: 'POST', body: chatBody(false) }));
    expect(await verificationOf(res)).toMatchObject({ valid: true, requestChecked: true });
  });

  it('reports a request that is not the one sealed', async () => {
    const results: FetchVerification[] = [];
    // The server seals another request than the client sent (a proxy rewrote the prompt).
    const f = verifyingOver(async (url, body) => sealingTransport()(url, { ...body, temperature: 2 }), results);
    await readAll(await f('http://127.0.0.1/v1/chat/completions', { method: 'POST', body: chatBody(false) }));
    expect(results[0]).toMatchObject({ valid: false, code: 'SIGNET_E_REQUEST_MISMATCH' });
  });

  it('verifies streams of every dialect, and the result resolves once the stream is read', async () => {
    const results: FetchVerification[] = [];
    const f = verifyingOver(sealingTransport(), results);
    for (const [path, body] of [
      ['/v1/chat/completions', chatBody(true)],
      ['/v1/completions', JSON.stringify({ model: 'm', prompt: 'p', stream: true, n: 2 })],
      ['/v1/responses', JSON.stringify({ model: 'm', input: 'i', stream: true })],
    ] as const) {
      const res = await f(`http://127.0.0.1${path}`, { method: 'POST', body });
      const pending = verificationOf(res);
      await readAll(res);
      expect(await pending).toMatchObject({ valid: true, streamed: true });
    }
  });

  it('catches the Responses API completed event altered while the deltas are intact', async () => {
    const results: FetchVerification[] = [];
    const f = verifyingOver(
      sealingTransport((sse) => sse.replace(/("type":"response\.completed".*?)You said/, '$1Yoo said')),
      results,
    );
    const text = await readAll(
      await f('http://127.0.0.1/v1/responses', { method: 'POST', body: JSON.stringify({ model: 'm', input: 'x', stream: true }) }),
    );
    expect(text).toContain('Yoo said');
    expect(results[0]).toMatchObject({ valid: false, code: 'SIGNET_E_CONTENT_BODY_MISMATCH' });
  });

  it('catches content appended after the envelope', async () => {
    const results: FetchVerification[] = [];
    const extra = `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: ' (and more)' }, finish_reason: null }] })}\n\n`;
    const f = verifyingOver(
      sealingTransport((sse) => sse.replace('data: [DONE]', `${extra}data: [DONE]`)),
      results,
    );
    await readAll(await f('http://127.0.0.1/v1/chat/completions', { method: 'POST', body: chatBody(true) }));
    // Only `[DONE]` may follow the carrier: anything else is out of place at once.
    expect(results[0]).toMatchObject({ valid: false, code: 'SIGNET_E_STREAM_MALFORMED' });
  });

  it('reports a reader that stops before the envelope as truncated, and a malformed stream as malformed', async () => {
    const results: FetchVerification[] = [];
    const f = verifyingOver(sealingTransport(), results);
    const res = await f('http://127.0.0.1/v1/chat/completions', { method: 'POST', body: chatBody(true) });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    expect(await verificationOf(res)).toMatchObject({ valid: false, code: 'SIGNET_E_STREAM_TRUNCATED' });
    const huge = verifyingOver(
      async () => new Response(`data: ${'x'.repeat(9 * 1024 * 1024)}`, { headers: { 'content-type': 'text/event-stream' } }),
      results,
      { throwOnFailure: true },
    );
    const r2 = await huge('http://127.0.0.1/v1/chat/completions', { method: 'POST', body: chatBody(true) });
    await expect(readAll(r2)).rejects.toMatchObject({ code: 'SIGNET_E_STREAM_MALFORMED' });
  });

  it('stays browser-safe: no node: imports and nothing from @signet/server in @signet/verify', () => {
    const src = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'verify', 'src');
    for (const f of readdirSync(src).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      const text = readFileSync(join(src, f), 'utf8');
      expect(text, f).not.toMatch(/from ['"]node:/);
      expect(text, f).not.toMatch(/@signet\/server/);
    }
    const core = resolve(src, '..', '..', 'core', 'src');
    for (const f of ['openai/sse.ts', 'openai/stream-assembly.ts'])
      expect(readFileSync(join(core, f), 'utf8')).not.toMatch(/from ['"]node:/);
  });
});
