import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { ENVELOPE_HEADER, isSignetError, NO_AI_TRAINING, SigningKey, toJwks } from '@signet/core';
import { createSigner, serve, signetExpress, signetHono, toNodeListener, withSignet, type RunningServer } from '@signet/server';
import { createVerifyingFetch, type FetchVerification } from '@signet/verify';
import { wireForms } from '../support/upstream.js';

/**
 * The three adapters (fetch handler, Hono, Node http/Express) on one core: each serves a small
 * OpenAI-compatible model route, streamed and not, and the openai client verifies what it gets.
 */

const key = new SigningKey(new Uint8Array(32).fill(11));
const signer = createSigner({
  issuer: 'https://api.example.test',
  key,
  accountSecret: new Uint8Array(32).fill(12),
  terms: { id: 't', version: '1', uri: 'https://example.test/t', document: 'terms', usage: NO_AI_TRAINING },
});
const jwks = toJwks([key]);
const enc = new TextEncoder();
const accountOf = (authorization: string | null | undefined): string | undefined =>
  authorization === 'Bearer good-key' ? 'acct_42' : undefined;

/** A model route as a fetch handler: the whole answer as JSON, or SSE chunks. */
async function modelRoute(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  const body = (await request.json()) as Record<string, unknown>;
  const { whole, chunks } = wireForms(path, body, `id-${Math.random().toString(36).slice(2)}`);
  if (body.stream !== true) return Response.json(whole);
  const stream = new ReadableStream<Uint8Array>({
    async start(c) {
      for (const chunk of chunks) {
        c.enqueue(
          enc.encode(
            path.endsWith('/responses')
              ? `event: ${String(chunk.type)}\ndata: ${JSON.stringify(chunk)}\n\n`
              : `data: ${JSON.stringify(chunk)}\n\n`,
          ),
        );
        await new Promise((r) => setTimeout(r, 1));
      }
      if (!path.endsWith('/responses')) c.enqueue(enc.encode('data: [DONE]\n\n'));
      c.close();
    },
  });
  return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
}

async function listenNode(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

async function exercise(baseURL: string): Promise<FetchVerification[]> {
  const results: FetchVerification[] = [];
  const client = new OpenAI({
    apiKey: 'good-key',
    baseURL,
    maxRetries: 0,
    fetch: createVerifyingFetch({ trust: jwks, throwOnFailure: true, onResult: (r) => results.push(r) }),
  });
  const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'adapter' }] };
  const { data, response } = await client.chat.completions.create(ask).withResponse();
  expect(response.headers.get(ENVELOPE_HEADER)).not.toBeNull();
  expect(data.choices[0]?.message.content).toContain('adapter');
  for await (const _ of await client.chat.completions.create({ ...ask, stream: true })) void _;
  for await (const _ of await client.responses.create({ model: 'm', input: 'adapter', stream: true })) void _;
  await client.completions.create({ model: 'm', prompt: 'adapter' });
  const stranger = new OpenAI({ apiKey: 'bad-key', baseURL, maxRetries: 0 });
  await expect(stranger.chat.completions.create(ask)).rejects.toMatchObject({ status: 401 });
  // Other routes pass through untouched.
  const health = await fetch(`${baseURL.replace(/\/v1$/, '')}/health`);
  expect(await health.text()).toBe('ok');
  return results;
}

describe('sealing middleware', () => {
  const servers: { close: () => Promise<void> }[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('as a wrapper around a Web-standard fetch handler', async () => {
    const app = async (request: Request): Promise<Response> =>
      new URL(request.url).pathname === '/health' ? new Response('ok') : modelRoute(request);
    const handler = withSignet(app, { signer, account: (req) => accountOf(req.headers.get('authorization')) });
    const running: RunningServer = await serve(handler);
    servers.push(running);
    const results = await exercise(`${running.url}/v1`);
    expect(results.map((r) => [r.valid, r.streamed])).toEqual([
      [true, false],
      [true, true],
      [true, true],
      [true, false],
    ]);
  });

  it('as Hono middleware', async () => {
    const app = new Hono();
    app.use('/v1/*', signetHono({ signer, account: (c) => accountOf(c.req.header('authorization')) }));
    app.post('/v1/*', async (c) => {
      // The route reads the body after the middleware did: Hono's body cache makes that work.
      const body = await c.req.json<Record<string, unknown>>();
      return modelRoute(new Request(c.req.url, { method: 'POST', body: JSON.stringify(body) }));
    });
    app.get('/health', (c) => c.text('ok'));
    const running = await serve((req) => Promise.resolve(app.fetch(req)));
    servers.push(running);
    const results = await exercise(`${running.url}/v1`);
    expect(results.every((r) => r.valid)).toBe(true);
    expect(results).toHaveLength(4);
  });

  it('as Express-style middleware on Node http, with routes that write to res', async () => {
    const mw = signetExpress({ signer, account: (req) => accountOf(req.headers.authorization) });
    // An Express-like route: res.setHeader/res.write/res.end, as res.json and SSE helpers do.
    const route = (req: IncomingMessage & { body?: unknown }, res: ServerResponse): void => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const body = req.body as Record<string, unknown>;
      const { whole, chunks } = wireForms(path, body, `id-${Math.random().toString(36).slice(2)}`);
      if (body.stream !== true) {
        const text = JSON.stringify(whole);
        res.statusCode = 200;
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('Content-Length', Buffer.byteLength(text));
        res.end(text);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      let i = 0;
      const tick = (): void => {
        const c = chunks[i++];
        if (c === undefined) {
          if (!path.endsWith('/responses')) res.write('data: [DONE]\n\n');
          res.end();
          return;
        }
        res.write(
          path.endsWith('/responses') ? `event: ${String(c.type)}\ndata: ${JSON.stringify(c)}\n\n` : `data: ${JSON.stringify(c)}\n\n`,
        );
        setTimeout(tick, 1);
      };
      tick();
    };
    const running = await listenNode((req, res) => {
      if (req.url === '/health') return void res.end('ok');
      mw(req, res, (err?: unknown) => {
        if (err !== undefined) {
          res.statusCode = 500;
          res.end();
          return;
        }
        route(req, res);
      });
    });
    servers.push(running);
    const results = await exercise(`${running.url}/v1`);
    expect(results.map((r) => r.valid)).toEqual([true, true, true, true]);
  });

  it('toNodeListener serves a fetch handler on plain Node http', async () => {
    const running = await listenNode(
      toNodeListener(
        withSignet(async (r) => (new URL(r.url).pathname === '/health' ? new Response('ok') : modelRoute(r)), {
          signer,
          account: (req) => accountOf(req.headers.get('authorization')),
        }),
      ),
    );
    servers.push(running);
    const results = await exercise(`${running.url}/v1`);
    expect(results.every((r) => r.valid)).toBe(true);
  });

  it('checks its configuration when it is created, not per request', () => {
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return isSignetError(e) ? e.code : (e as Error).name;
      }
      return undefined;
    };
    expect(codeOf(() => withSignet(modelRoute, { signer: {} as never, account: () => 'a' }))).toBe('SIGNET_E_CONFIG_INVALID');
    expect(codeOf(() => withSignet(modelRoute, { signer, account: 'acct' as never }))).toBe('SIGNET_E_CONFIG_INVALID');
    expect(codeOf(() => signetHono({ signer, account: () => 'a', failOpen: 'yes' as never }))).toBe('SIGNET_E_CONFIG_INVALID');
    expect(codeOf(() => signetExpress({ signer, account: () => 'a', maxBodyBytes: -1 }))).toBe('SIGNET_E_CONFIG_INVALID');
  });
});
