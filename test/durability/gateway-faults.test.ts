import { Agent, request } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifyingFetch, type FetchVerification } from '@signet/verify';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * Every dependency has a timeout and every size a cap: hanging upstreams (before their headers,
 * mid-stream), an oversized stream, and clients that leave mid-stream without false alarms.
 */

const ask = (content: string, model: string) => ({ model, messages: [{ role: 'user' as const, content }] });

async function post(gw: TestGateway, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });
}

/** The `data:` payloads of an event stream. */
function dataOf(text: string): string[] {
  return text
    .split('\n\n')
    .map((ev) =>
      ev
        .split('\n')
        .find((l) => l.startsWith('data: '))
        ?.slice(6),
    )
    .filter((d): d is string => d !== undefined);
}

describe('upstream timeouts', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ gateway: { upstreamTimeouts: { headersMs: 400, idleMs: 400 } } });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('an upstream that never sends its headers gets 504 SIGNET_E_GATEWAY_UPSTREAM_TIMEOUT, not a hung client', async () => {
    const started = performance.now();
    const res = await post(gw, { ...ask('hang', 'hang-headers'), stream: true });
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('SIGNET_E_GATEWAY_UPSTREAM_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('an upstream that goes silent mid-stream ends with a partial seal and a timeout error event', async () => {
    const sealedBefore = gw.sealed.length;
    const results: FetchVerification[] = [];
    const client = new OpenAI({
      apiKey: gw.apiKey,
      baseURL: `${gw.url}/v1`,
      maxRetries: 0,
      fetch: createVerifyingFetch({ trust: gw.jwks, policy: { allowPartial: true }, onResult: (r) => results.push(r) }),
    });
    let text = '';
    const err = await (async () => {
      for await (const c of await client.chat.completions.create({ ...ask('go quiet', 'hang-halfway'), stream: true }))
        text += c.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(text.length).toBeGreaterThan(0);
    expect(err).toMatchObject({ code: 'SIGNET_E_GATEWAY_UPSTREAM_TIMEOUT' });
    // The part that arrived is sealed, marked partial, and verifies for a reader that accepts partial answers.
    expect(results[0]).toMatchObject({ valid: true, claims: { partial: true } });
    expect(gw.sealed.length).toBe(sealedBefore + 1);
    expect(gw.sealed.at(-1)?.claims.partial).toBe(true);
  });
});

describe('the stream cap', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ upstream: { words: 400 }, gateway: { maxStreamBytes: 4096 } });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('a stream larger than maxStreamBytes is cut there, sealed as partial, and ends with an error event', async () => {
    const sealedBefore = gw.sealed.length;
    const res = await post(gw, { ...ask('long answer', 'local-model'), stream: true });
    const body = await res.text();
    // The cap, plus the envelope and the error event.
    expect(Buffer.byteLength(body)).toBeLessThan(4096 + 3000);
    const data = dataOf(body);
    const last = JSON.parse(data.at(-1) as string) as { error: { code: string } };
    expect(last.error.code).toBe('SIGNET_E_GATEWAY_STREAM_TOO_LARGE');
    expect(data.some((d) => d.includes('"signet"'))).toBe(true);
    expect(gw.sealed.length).toBe(sealedBefore + 1);
    expect(gw.sealed.at(-1)?.claims.partial).toBe(true);
    expect(gw.errors.some((e) => (e as { code?: string }).code === 'SIGNET_E_GATEWAY_STREAM_TOO_LARGE')).toBe(true);
  });
});

describe('client aborts', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ upstream: { slowMs: 30 } });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('20 clients leaving mid-stream give 20 partial seals and exactly 0 error lines', async () => {
    const sealedBefore = gw.sealed.length;
    const abortedBefore = gw.upstream.aborted;
    const errorsBefore = gw.errors.length;
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const controller = new AbortController();
        const res = await post(gw, { ...ask(`leave ${i}`, 'slow'), stream: true }, controller.signal);
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        await reader.read();
        await reader.read();
        // The upstream is still sending when the client leaves.
        controller.abort();
      }),
    );
    await expect.poll(() => gw.upstream.aborted, { timeout: 5000 }).toBe(abortedBefore + 20);
    await expect.poll(() => gw.sealed.length, { timeout: 5000 }).toBe(sealedBefore + 20);
    // Give a late false alarm time to show up.
    await new Promise((r) => setTimeout(r, 300));
    expect(gw.sealed.slice(sealedBefore).every((s) => s.claims.partial)).toBe(true);
    expect(gw.errors.slice(errorsBefore)).toEqual([]);
  });

  it('a broken upstream still gives exactly one error line per stream', async () => {
    const errorsBefore = gw.errors.length;
    await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const res = await post(gw, { ...ask(`reset ${i}`, 'reset-halfway'), stream: true });
        await res.text().catch(() => undefined);
      }),
    );
    const codes = gw.errors.slice(errorsBefore).map((e) => (e as { code?: string }).code);
    expect(codes).toEqual(Array.from({ length: 5 }, () => 'SIGNET_E_GATEWAY_UPSTREAM'));
  });
});

describe('drain', () => {
  it('once draining starts, every response says Connection: close', async () => {
    const gw = await startTestGateway({ upstream: { slowMs: 400 } });
    try {
      const url = new URL(`${gw.url}/v1/chat/completions`);
      const answered = new Promise<{ connection: string | undefined; status: number }>((resolve, reject) => {
        const req = request(
          url,
          { method: 'POST', agent: new Agent({ keepAlive: true }), headers: { authorization: `Bearer ${gw.apiKey}` } },
          (res) => {
            res.resume();
            resolve({ connection: res.headers.connection, status: res.statusCode ?? 0 });
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(ask('drain', 'slow-headers')));
      });
      // The request is in flight (its upstream holds the headers back) when draining starts.
      await new Promise((r) => setTimeout(r, 150));
      const closing = gw.gateway.close({ timeoutMs: 5000 });
      const got = await answered;
      expect(got.status).toBe(200);
      expect(got.connection).toBe('close');
      await closing;
    } finally {
      await gw.close();
    }
  });
});

describe('drain with keep-alive clients', () => {
  it('clients reusing keep-alive connections while open streams drain meet no reset', async () => {
    const gw = await startTestGateway({ upstream: { slowMs: 100 } });
    try {
      const url = new URL(`${gw.url}/v1/chat/completions`);
      // A slow stream keeps the drain going for a while.
      const slow = post(gw, { ...ask('keep draining', 'slow'), stream: true }).then((r) => r.text());
      const agents = Array.from({ length: 8 }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
      const once = (agent: Agent) =>
        new Promise<{ status: number; connection: string | undefined } | { error: string }>((resolve) => {
          const req = request(url, { method: 'POST', agent, headers: { authorization: `Bearer ${gw.apiKey}` } }, (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
          });
          req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? 'error' }));
          req.end(JSON.stringify(ask('quick', 'local-model')));
        });
      // Every client holds a kept-alive connection when draining starts.
      for (const a of agents) expect(await once(a)).toMatchObject({ status: 200 });
      const closing = gw.gateway.close({ timeoutMs: 10_000 });
      const after = await Promise.all(agents.map((a) => once(a)));
      // Served on the connection they held, told to drop it: no reset.
      expect(after).toEqual(agents.map(() => ({ status: 200, connection: 'close' })));
      await slow;
      await closing;
      for (const a of agents) a.destroy();
    } finally {
      await gw.close();
    }
  });
});

describe('a seal that fails after the content was delivered', () => {
  it('is recorded as delivered unsealed, with its account, and the stream ends with an error event', async () => {
    const records: { account: string; delivered: boolean; streamed: boolean; reason: string }[] = [];
    const gw = await startTestGateway({
      gateway: {
        onSealed: () => {
          throw new Error('the log refused');
        },
        onUnsealed: (r) => {
          records.push(r);
        },
      },
    });
    try {
      const res = await post(gw, { ...ask('deliver then fail', 'local-model'), stream: true });
      const data = dataOf(await res.text());
      expect(data.length).toBeGreaterThan(3);
      expect((JSON.parse(data.at(-1) as string) as { error: { code: string } }).error.code).toBe('SIGNET_E_GATEWAY_SEAL_FAILED');
      expect(records).toMatchObject([{ account: 'acct_current', delivered: true, streamed: true, reason: 'SIGNET_E_GATEWAY_SEAL_FAILED' }]);
    } finally {
      await gw.close();
    }
  });
});

describe('a refusal hook (a dependency down under policy fail)', () => {
  it('answers model requests 503 with Retry-After before anything reaches the upstream; the keys stay served', async () => {
    let down = true;
    const gw = await startTestGateway({
      gateway: {
        hooks: [
          {
            refusal: () =>
              down
                ? { code: 'SIGNET_E_LOG_UNAVAILABLE', message: 'The transparency log is unavailable.', retryAfterSeconds: 1 }
                : undefined,
            health: () => ({ ok: !down, detail: down ? 'log unavailable' : 'log available' }),
          },
        ],
      },
    });
    try {
      const before = gw.upstream.requests.length;
      const res = await post(gw, ask('anyone?', 'local-model'));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('SIGNET_E_LOG_UNAVAILABLE');
      expect(gw.upstream.requests.length).toBe(before);
      expect((await fetch(`${gw.url}/.well-known/signet/jwks.json`)).status).toBe(200);
      down = false;
      expect((await post(gw, ask('now?', 'local-model'))).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});
