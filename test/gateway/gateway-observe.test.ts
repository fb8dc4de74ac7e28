import { Writable } from 'node:stream';
import { toBase64url } from '@signet/core';
import { createAccessLog, type GatewayHooks } from '@signet/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/** Operating the gateway: health and readiness, Prometheus metrics, the access log, request ids. */

const CHAT = '/v1/chat/completions';
const body = (model: string, stream = false): string => JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hello' }] });

function metric(text: string, name: string, labels: string): number {
  const prefix = labels === '' ? `${name} ` : `${name}{${labels}}`;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('gateway metrics, access log and request ids', () => {
  let gw: TestGateway;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString('utf8').split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    gw = await startTestGateway({ gateway: { accessLog: createAccessLog(sink) } });
  });
  afterAll(() => gw.close());

  const post = (payload: string, key: string | undefined = gw.apiKey, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${gw.url}${CHAT}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...headers },
      body: payload,
    });

  it('/healthz answers without an API key', async () => {
    const r = await fetch(`${gw.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
  });

  it('counts requests by route and status, and answers by outcome, exactly as sent', async () => {
    const before = await (await fetch(`${gw.url}/metrics`)).text();
    const sealedWhole = 5;
    const sealedStreams = 3;
    for (let i = 0; i < sealedWhole; i++) expect((await post(body('m'))).status).toBe(200);
    for (let i = 0; i < sealedStreams; i++) {
      const r = await post(body('m', true));
      expect(r.status).toBe(200);
      await r.text();
    }
    for (let i = 0; i < 2; i++) expect((await post(body('m'), 'sgk_unknown')).status).toBe(401);
    expect((await post(body('fail-500'))).status).toBe(500);
    const after = await (await fetch(`${gw.url}/metrics`)).text();
    expect(after).toContain('# TYPE signet_gateway_requests_total counter');
    const d = (name: string, labels: string): number => metric(after, name, labels) - metric(before, name, labels);
    expect(d('signet_gateway_requests_total', `route="${CHAT}",status="200"`)).toBe(sealedWhole + sealedStreams);
    expect(d('signet_gateway_requests_total', `route="${CHAT}",status="401"`)).toBe(2);
    expect(d('signet_gateway_requests_total', `route="${CHAT}",status="500"`)).toBe(1);
    expect(d('signet_gateway_answers_total', 'outcome="sealed"')).toBe(sealedWhole + sealedStreams);
    expect(d('signet_gateway_answers_total', 'outcome="unsealed"')).toBe(1);
    expect(d('signet_gateway_answers_total', 'outcome="failed"')).toBe(0);
    // Whole answers are sealed on the Node path, which times each seal.
    expect(d('signet_gateway_seal_seconds_count', '')).toBe(sealedWhole);
    expect(d('signet_gateway_upstream_seconds_count', '')).toBe(sealedWhole + sealedStreams + 1);
    expect(after).toMatch(/signet_gateway_upstream_seconds_bucket/);
    expect(metric(after, 'signet_gateway_active_streams', '')).toBe(0);
    expect(metric(after, 'signet_gateway_log_queue_depth', '')).toBe(0);
  });

  it('returns the request id, sends it upstream, and logs one line per request without the key', async () => {
    const r = await post(body('m'), gw.apiKey, { 'x-request-id': 'req-abc.123' });
    expect(r.headers.get('x-request-id')).toBe('req-abc.123');
    await r.text();
    expect(gw.upstream.requests.at(-1)?.headers['x-request-id']).toBe('req-abc.123');
    const generated = await post(body('m'), gw.apiKey, { 'x-request-id': 'bad id with spaces' });
    const id = generated.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(gw.upstream.requests.at(-1)?.headers['x-request-id']).toBe(id);
    // A passthrough route goes through the fetch handler: the id travels there too.
    const models = await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${gw.apiKey}`, 'x-request-id': 'models-1' } });
    expect(models.headers.get('x-request-id')).toBe('models-1');
    expect(gw.upstream.requests.at(-1)?.headers['x-request-id']).toBe('models-1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const entry = lines.find((l) => l.requestId === 'req-abc.123');
    // The account is named by the tag its envelopes carry, never by its id or key.
    const tag = toBase64url(gw.signer.accountTag('acct_current'));
    expect(entry).toMatchObject({ route: CHAT, status: 200, accountTag: tag, sealed: 'sealed', method: 'POST' });
    expect(JSON.stringify(lines)).not.toContain('acct_current');
    expect(typeof entry?.durationMs).toBe('number');
    expect(lines.find((l) => l.requestId === 'models-1')).toMatchObject({ route: '/v1/models', status: 200 });
    expect(JSON.stringify(lines)).not.toContain(gw.apiKey);
  });
});

describe('gateway readiness', () => {
  it('turns false when the upstream is down, and /readyz names the failing dependency', async () => {
    const gw = await startTestGateway({ gateway: { readinessIntervalMs: 1 } });
    try {
      const up = await fetch(`${gw.url}/readyz`);
      expect(up.status).toBe(200);
      expect(await up.json()).toMatchObject({ status: 'ready', checks: { upstream: { ok: true }, accounts: { ok: true } } });
      await gw.upstream.close();
      const down = await fetch(`${gw.url}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ status: 'not ready', checks: { upstream: { ok: false } } });
      // No upstream: the model request fails closed, nothing unsealed leaves.
      const r = await fetch(`${gw.url}${CHAT}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
        body: body('m'),
      });
      expect(r.status).toBe(502);
      expect(r.headers.get('signet-envelope')).toBeNull();
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      expect(metric(metrics, 'signet_gateway_answers_total', 'outcome="failed"')).toBe(1);
    } finally {
      await gw.close();
    }
  });

  it('turns false when the log is down, and model requests are refused (503) until it is back', async () => {
    let logUp = true;
    // A log that chose to refuse while it is down (the other choice is to spool).
    const log: GatewayHooks = {
      health: () => (logUp ? { ok: true, detail: 'log up' } : { ok: false, detail: 'SIGNET_E_LOG_STORAGE' }),
      refusal: () => (logUp ? undefined : { code: 'SIGNET_E_LOG_UNAVAILABLE', message: 'The log is down.', retryAfterSeconds: 1 }),
    };
    const gw = await startTestGateway({ gateway: { hooks: [log], readinessIntervalMs: 1 } });
    try {
      const ask = (): Promise<Response> =>
        fetch(`${gw.url}${CHAT}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
          body: body('m'),
        });
      expect((await ask()).status).toBe(200);
      logUp = false;
      const ready = await fetch(`${gw.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { log: { ok: false, detail: 'SIGNET_E_LOG_STORAGE' } } });
      const upstreamCalls = gw.upstream.requests.length;
      const refused = await ask();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('SIGNET_E_LOG_UNAVAILABLE');
      expect(gw.upstream.requests.length).toBe(upstreamCalls);
      logUp = true;
      expect((await ask()).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});
