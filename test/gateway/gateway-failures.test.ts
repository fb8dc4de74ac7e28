import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVELOPE_HEADER, isSignetError, UNSEALED_HEADER } from '@signet/core';
import { createGateway, openAccountStore, createSigner } from '@signet/server';
import { createVerifyingFetch, type FetchVerification } from '@signet/verify';
import { ISSUER, startTestGateway, TEST_TERMS, type TestGateway } from '../support/gateway.js';

const ask = (content: string, model = 'local-model') => ({ model, messages: [{ role: 'user' as const, content }] });

function verifying(gw: TestGateway, results: FetchVerification[], policy = {}) {
  return new OpenAI({
    apiKey: gw.apiKey,
    baseURL: `${gw.url}/v1`,
    maxRetries: 0,
    fetch: createVerifyingFetch({ trust: gw.jwks, policy, onResult: (r) => results.push(r) }),
  });
}

async function firstChunkAndTotal(url: string, apiKey: string, body: unknown): Promise<{ first: number; total: number; text: string }> {
  const start = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let first = -1;
  let text = '';
  const dec = new TextDecoder();
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    if (first < 0) first = performance.now() - start;
    text += dec.decode(r.value, { stream: true });
  }
  return { first, total: performance.now() - start, text };
}

describe('upstream failures, aborts and shutdown', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ upstream: { slowMs: 60 } });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('an upstream error status passes through unsealed, marked Signet-Unsealed', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.apiKey}` },
      body: JSON.stringify(ask('x', 'fail-500')),
    });
    expect(res.status).toBe(500);
    expect(res.headers.get(ENVELOPE_HEADER)).toBeNull();
    // Marked: an answer from a model route that leaves unsealed always says so.
    expect(res.headers.get(UNSEALED_HEADER)).toBe('SIGNET_E_GATEWAY_UNSEALED_STATUS');
    expect(await res.json()).toEqual({ error: { message: 'The model crashed.', type: 'server_error', code: null, param: null } });
  });

  it('a stream that stops halfway gets a partial envelope and an error event', async () => {
    const results: FetchVerification[] = [];
    const client = verifying(gw, results);
    const sealedBefore = gw.sealed.length;
    const stream = await client.chat.completions.create({ ...ask('halfway', 'cut-halfway'), stream: true });
    let text = '';
    const err = await (async () => {
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(text.length).toBeGreaterThan(0);
    expect(err).toMatchObject({ code: 'SIGNET_E_GATEWAY_UPSTREAM' });
    expect(results[0]).toMatchObject({ valid: false, code: 'SIGNET_E_CONTENT_PARTIAL', kind: 'policy' });
    expect(gw.sealed[sealedBefore]?.claims.partial).toBe(true);
    // A verifier that accepts partial answers sees exactly the text that arrived.
    const lenient: FetchVerification[] = [];
    const again = verifying(gw, lenient, { allowPartial: true });
    await (async () => {
      for await (const _ of await again.chat.completions.create({ ...ask('halfway', 'cut-halfway'), stream: true })) void _;
    })().catch(() => undefined);
    expect(lenient[0]).toMatchObject({ valid: true, claims: { partial: true } });
  });

  it('a connection dropped halfway is sealed as partial too', async () => {
    const results: FetchVerification[] = [];
    await (async () => {
      for await (const _ of await verifying(gw, results).chat.completions.create({ ...ask('reset', 'reset-halfway'), stream: true }))
        void _;
    })().catch(() => undefined);
    expect(results[0]).toMatchObject({ valid: false, code: 'SIGNET_E_CONTENT_PARTIAL' });
  });

  it('a slow stream is forwarded chunk by chunk, not buffered', async () => {
    const body = { ...ask('slowly', 'slow'), stream: true };
    const direct = await firstChunkAndTotal(`${gw.upstream.url}/v1/chat/completions`, gw.apiKey, body);
    const through = await firstChunkAndTotal(`${gw.url}/v1/chat/completions`, gw.apiKey, body);
    expect(through.total).toBeGreaterThan(1000);
    // The first chunk arrives long before the stream ends, as it does from the upstream directly.
    expect(through.first).toBeLessThan(through.total / 4);
    expect(through.first).toBeLessThan(direct.first + 100);
    expect(through.text).toContain('"signet":{"envelope"');
  });

  it('a client that aborts cancels the upstream; the delivered part is sealed as partial for the record', async () => {
    const abortedBefore = gw.upstream.aborted;
    const sealedBefore = gw.sealed.length;
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      signal: controller.signal,
      headers: { authorization: `Bearer ${gw.apiKey}` },
      body: JSON.stringify({ ...ask('abort me', 'slow'), stream: true }),
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.read();
    controller.abort();
    await expect.poll(() => gw.upstream.aborted, { timeout: 3000 }).toBe(abortedBefore + 1);
    await expect.poll(() => gw.sealed.length, { timeout: 3000 }).toBe(sealedBefore + 1);
    expect(gw.sealed.at(-1)?.claims.partial).toBe(true);
  });

  it('graceful shutdown lets open streams finish', async () => {
    const local = await startTestGateway({ upstream: { slowMs: 40 } });
    const results: FetchVerification[] = [];
    const client = verifying(local, results);
    const stream = await client.chat.completions.create({ ...ask('finish me', 'slow'), stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const closing = local.gateway.close({ timeoutMs: 10_000 });
    let rest = 0;
    for (;;) {
      const r = await iterator.next();
      if (r.done) break;
      rest++;
    }
    await closing;
    expect(rest).toBeGreaterThan(5);
    expect(results[0]).toMatchObject({ valid: true, streamed: true });
    await expect(fetch(`${local.url}/v1/models`)).rejects.toThrow();
    await local.upstream.close();
  });
});

describe('an unreachable upstream', () => {
  it('answers 502 with a typed error', async () => {
    const gw = await startTestGateway({ upstreamUrl: 'http://127.0.0.1:1' });
    try {
      const client = new OpenAI({ apiKey: gw.apiKey, baseURL: `${gw.url}/v1`, maxRetries: 0 });
      await expect(client.chat.completions.create(ask('anyone?'))).rejects.toMatchObject({
        status: 502,
        code: 'SIGNET_E_GATEWAY_UPSTREAM',
      });
      expect(gw.errors[0]).toMatchObject({ code: 'SIGNET_E_GATEWAY_UPSTREAM' });
    } finally {
      await gw.close();
    }
  });
});

describe('sealing failures fail closed (502), or open when the operator chose so', () => {
  const failing = (gw: TestGateway) =>
    createSigner({
      issuer: ISSUER,
      key: {
        kid: gw.key.kid,
        publicKey: gw.key.publicKey,
        sign: () => {
          throw new Error('HSM offline');
        },
      },
      accountSecret: new Uint8Array(32).fill(9),
      terms: TEST_TERMS,
    });

  it('fail closed: a whole response becomes a 502, a stream ends in an error event without an envelope', async () => {
    const base = await startTestGateway();
    const gw = createGateway({
      upstream: base.upstream.url,
      signer: failing(base),
      accounts: openAccountStore(base.accountsFile),
      jwks: base.jwks,
    });
    const running = await gw.listen();
    try {
      const results: FetchVerification[] = [];
      const client = new OpenAI({
        apiKey: base.apiKey,
        baseURL: `${running.url}/v1`,
        maxRetries: 0,
        fetch: createVerifyingFetch({ trust: base.jwks, onResult: (r) => results.push(r) }),
      });
      const e1 = await client.chat.completions.create(ask('seal me')).catch((e: unknown) => e);
      expect(e1).toMatchObject({ status: 502, code: 'SIGNET_E_GATEWAY_SEAL_FAILED' });
      expect(JSON.stringify(e1)).not.toContain('HSM');
      const e2 = await (async () => {
        for await (const _ of await client.chat.completions.create({ ...ask('seal me'), stream: true })) void _;
      })().catch((e: unknown) => e);
      expect(e2).toMatchObject({ code: 'SIGNET_E_GATEWAY_SEAL_FAILED' });
      expect(results.at(-1)).toMatchObject({ valid: false, code: 'SIGNET_E_ENVELOPE_MISSING' });
      // A 200 that is not JSON cannot be sealed either.
      const e3 = await new OpenAI({ apiKey: base.apiKey, baseURL: `${base.url}/v1`, maxRetries: 0 }).chat.completions
        .create(ask('x', 'not-json'))
        .catch((e: unknown) => e);
      expect(e3).toMatchObject({ status: 502, code: 'SIGNET_E_GATEWAY_SEAL_FAILED' });
    } finally {
      await running.close();
      await base.close();
    }
  });

  it('fail open: the answer passes, marked unsealed, and the verifying fetch reports it', async () => {
    const base = await startTestGateway();
    const gw = createGateway({
      upstream: base.upstream.url,
      signer: failing(base),
      accounts: openAccountStore(base.accountsFile),
      jwks: base.jwks,
      failOpen: true,
    });
    const running = await gw.listen();
    try {
      const res = await fetch(`${running.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${base.apiKey}` },
        body: JSON.stringify(ask('open')),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get(UNSEALED_HEADER)).toBe('SIGNET_E_GATEWAY_SEAL_FAILED');
      const results: FetchVerification[] = [];
      const client = new OpenAI({
        apiKey: base.apiKey,
        baseURL: `${running.url}/v1`,
        maxRetries: 0,
        fetch: createVerifyingFetch({ trust: base.jwks, onResult: (r) => results.push(r) }),
      });
      await client.chat.completions.create(ask('open'));
      for await (const _ of await client.chat.completions.create({ ...ask('open'), stream: true })) void _;
      expect(results.map((r) => r.valid || r.code)).toEqual(['SIGNET_E_ENVELOPE_MISSING', 'SIGNET_E_ENVELOPE_MISSING']);
      expect((results[0] as { message: string }).message).toContain('could not seal');
    } finally {
      await running.close();
      await base.close();
    }
  });
});

describe('configuration is checked when the gateway is created', () => {
  it('rejects a bad upstream, a missing signing key in the JWKS, and a bad accounts file', async () => {
    const base = await startTestGateway();
    try {
      const ok = { upstream: base.upstream.url, signer: base.signer, accounts: openAccountStore(base.accountsFile), jwks: base.jwks };
      const codeOf = (f: () => unknown): string | undefined => {
        try {
          f();
        } catch (e) {
          return isSignetError(e) ? e.code : 'other';
        }
        return undefined;
      };
      expect(codeOf(() => createGateway(ok))).toBeUndefined();
      expect(codeOf(() => createGateway({ ...ok, upstream: 'not a url' }))).toBe('SIGNET_E_CONFIG_INVALID');
      expect(codeOf(() => createGateway({ ...ok, upstream: 'ftp://127.0.0.1/' }))).toBe('SIGNET_E_CONFIG_INVALID');
      expect(codeOf(() => createGateway({ ...ok, jwks: { keys: [] } }))).toBe('SIGNET_E_CONFIG_INVALID');
      expect(codeOf(() => openAccountStore(`${base.accountsFile}.missing`))).toBe('SIGNET_E_CONFIG_INVALID');
    } finally {
      await base.close();
    }
  });
});

describe('request bounds', () => {
  it('answers 413 to a model request body over the limit, with or without a declared length', async () => {
    const gw = await startTestGateway({ gateway: { maxRequestBytes: 1024 } });
    try {
      const big = JSON.stringify({ model: 'local-model', messages: [{ role: 'user', content: 'x'.repeat(4096) }] });
      const declared = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gw.apiKey}` },
        body: big,
      });
      expect(declared.status).toBe(413);
      const chunked = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode(big));
          c.close();
        },
      });
      const undeclared = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gw.apiKey}` },
        body: chunked,
        duplex: 'half',
      } as RequestInit);
      expect(undeclared.status).toBe(413);
      expect(gw.upstream.requests).toHaveLength(0);
    } finally {
      await gw.close();
    }
  });
});

describe('the upstream stays the upstream', () => {
  it('refuses a path that looks like another host (an empty first segment), and forwards nothing', async () => {
    const gw = await startTestGateway({ gateway: { upstreamApiKey: 'upstream-secret' } });
    try {
      const { request } = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          `${gw.url}/`,
          { method: 'GET', path: '//127.0.0.2:9/v1/models', headers: { authorization: `Bearer ${gw.apiKey}` } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
      // `//host/...` has no canonical form: refused before anything is forwarded, to any host.
      expect(status).toBe(400);
      expect(gw.upstream.requests).toHaveLength(0);
    } finally {
      await gw.close();
    }
  });
});
