import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVELOPE_HEADER, UNSEALED_HEADER } from '@signet/core';
import { createGateway, createSigner, openAccountStore, type RunningServer, type UnsealedRecord } from '@signet/server';
import { rawRequest, startDecodingUpstream, type DecodingUpstream } from '../support/decoding-upstream.js';
import { ISSUER, startTestGateway, TEST_TERMS, type TestGateway } from '../support/gateway.js';

/**
 * Issue 9, breaks 2 and 3: a model request that cannot be digested is refused before anything is
 * forwarded, and every answer from a model route is either sealed, or marked and recorded.
 */

const chat = (extra: Record<string, unknown> = {}) => ({ model: 'local-model', messages: [{ role: 'user', content: 'hi' }], ...extra });

describe('model requests are checked and digested before anything is forwarded', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  const post = (body: string | Uint8Array<ArrayBuffer>, path = '/v1/chat/completions') =>
    fetch(`${gw.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
      body,
    });

  it('refuses a lone surrogate in `user` with 400, streamed or not, and never calls the upstream', async () => {
    const before = gw.upstream.requests.length;
    for (const stream of [false, true]) {
      // The escape stays in the JSON text: JSON.parse turns it into a lone UTF-16 surrogate.
      const text = JSON.stringify(chat({ stream })).replace(/}$/, ',"user":"\\ud800"}');
      const res = await post(text);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'SIGNET_E_GATEWAY_REQUEST_INVALID' } });
    }
    expect(gw.upstream.requests.length).toBe(before);
  });

  it('refuses JSON nested deeper than the digest allows with 400, and never calls the upstream', async () => {
    const before = gw.upstream.requests.length;
    const deep = `${'['.repeat(100)}1${']'.repeat(100)}`;
    const res = await post(JSON.stringify(chat({ stream: true })).replace(/}$/, `,"metadata":{"x":${deep}}}`));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('SIGNET_E_GATEWAY_REQUEST_INVALID');
    expect(body.error.message).toContain('deep');
    expect(gw.upstream.requests.length).toBe(before);
  });

  it('refuses a body that is not one JSON object in UTF-8 (array, text, invalid UTF-8) with 400', async () => {
    const before = gw.upstream.requests.length;
    for (const body of ['[]', '"x"', 'not json', '', new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'SIGNET_E_GATEWAY_REQUEST_INVALID' } });
    }
    expect(gw.upstream.requests.length).toBe(before);
  });

  it('a valid request is sealed with the digest of exactly the request the upstream received', async () => {
    const client = new OpenAI({ apiKey: gw.apiKey, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    await client.chat.completions.create(chat({ user: 'u-1' }) as never);
    const sealed = gw.sealed.at(-1);
    expect(sealed?.claims.requestDigest).toBeInstanceOf(Uint8Array);
    const { createHash } = await import('node:crypto');
    const { canonicalizeJson } = await import('@signet/core');
    const seen = gw.upstream.requests.at(-1)?.body;
    expect(Buffer.from(sealed?.claims.requestDigest as Uint8Array).toString('hex')).toBe(
      createHash('sha256').update(canonicalizeJson(seen)).digest('hex'),
    );
  });
});

describe('every model-route answer is sealed, or marked and recorded', () => {
  let base: TestGateway;
  let upstream: DecodingUpstream;
  let running: RunningServer;
  const records: UnsealedRecord[] = [];
  let gateway: ReturnType<typeof createGateway>;
  beforeAll(async () => {
    base = await startTestGateway();
    upstream = await startDecodingUpstream();
    gateway = createGateway({
      upstream: upstream.url,
      signer: base.signer,
      accounts: openAccountStore(base.accountsFile),
      jwks: base.jwks,
      onUnsealed: (r) => {
        records.push(r);
      },
    });
    running = await gateway.listen();
  });
  afterAll(async () => {
    await running.close({ timeoutMs: 1000 });
    await upstream.close();
    await base.close();
  });

  const post = (model: string) =>
    rawRequest(
      running.url,
      'POST',
      '/v1/chat/completions',
      { authorization: `Bearer ${base.apiKey}` },
      JSON.stringify({ model, messages: [] }),
    );

  it('a 4xx from a model route is marked Signet-Unsealed and recorded with its account', async () => {
    const res = await post('reject-400');
    expect(res.status).toBe(400);
    expect(res.headers[UNSEALED_HEADER.toLowerCase()]).toBe('SIGNET_E_GATEWAY_UNSEALED_STATUS');
    expect(records.at(-1)).toMatchObject({
      account: 'acct_current',
      route: '/v1/chat/completions',
      status: 400,
      reason: 'SIGNET_E_GATEWAY_UNSEALED_STATUS',
      streamed: false,
      delivered: false,
    });
  });

  it('a 3xx from a model route (whose body could carry anything) is marked and recorded too', async () => {
    const count = records.length;
    const res = await post('redirect-302');
    expect(res.status).toBe(302);
    expect(res.headers[ENVELOPE_HEADER.toLowerCase()]).toBeUndefined();
    expect(res.headers[UNSEALED_HEADER.toLowerCase()]).toBe('SIGNET_E_GATEWAY_UNSEALED_STATUS');
    expect(records.length).toBe(count + 1);
    expect(records.at(-1)).toMatchObject({ status: 302, account: 'acct_current' });
    expect(gateway.unsealedCount).toBe(records.length);
  });

  it('a stream with events but nothing to seal ends with an error event, not [DONE], and is recorded', async () => {
    const count = records.length;
    const res = await rawRequest(
      running.url,
      'POST',
      '/v1/chat/completions',
      { authorization: `Bearer ${base.apiKey}` },
      JSON.stringify({ model: 'no-content', messages: [], stream: true }),
    );
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/SIGNET_E_GATEWAY_(SEAL_FAILED|UPSTREAM)/);
    expect(res.text).not.toContain('[DONE]');
    expect(records.length).toBe(count + 1);
    expect(records.at(-1)).toMatchObject({ account: 'acct_current', streamed: true, status: 200 });
  });

  it('a sealed answer is not recorded as unsealed', async () => {
    const count = records.length;
    const res = await post('local-model');
    expect(res.status).toBe(200);
    expect(typeof res.headers[ENVELOPE_HEADER.toLowerCase()]).toBe('string');
    expect(records.length).toBe(count);
  });
});

describe('failed seals are recorded, never silent', () => {
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

  it('a seal that fails mid-stream ends the stream with an error event and is recorded with the account', async () => {
    const base = await startTestGateway();
    const records: UnsealedRecord[] = [];
    const gw = createGateway({
      upstream: base.upstream.url,
      signer: failing(base),
      accounts: openAccountStore(base.accountsFile),
      jwks: base.jwks,
      onUnsealed: (r) => {
        records.push(r);
      },
    });
    const running = await gw.listen();
    try {
      const res = await rawRequest(
        running.url,
        'POST',
        '/v1/chat/completions',
        { authorization: `Bearer ${base.apiKey}` },
        JSON.stringify(chat({ stream: true })),
      );
      expect(res.status).toBe(200);
      expect(res.text).toContain('SIGNET_E_GATEWAY_SEAL_FAILED');
      expect(res.text).not.toContain('[DONE]');
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        account: 'acct_current',
        route: '/v1/chat/completions',
        status: 200,
        reason: 'SIGNET_E_GATEWAY_SEAL_FAILED',
        streamed: true,
        // The content went out before the seal failed: on record as delivered unsealed.
        delivered: true,
      });
      expect(records[0]?.responseId).toMatch(/^chatcmpl-/);
    } finally {
      await running.close();
      await base.close();
    }
  });

  it('fail-open answers, whole and streamed, are recorded as delivered unsealed', async () => {
    const base = await startTestGateway();
    const records: UnsealedRecord[] = [];
    const gw = createGateway({
      upstream: base.upstream.url,
      signer: failing(base),
      accounts: openAccountStore(base.accountsFile),
      jwks: base.jwks,
      failOpen: true,
      onUnsealed: (r) => {
        records.push(r);
      },
    });
    const running = await gw.listen();
    try {
      const whole = await rawRequest(
        running.url,
        'POST',
        '/v1/chat/completions',
        { authorization: `Bearer ${base.apiKey}` },
        JSON.stringify(chat()),
      );
      expect(whole.status).toBe(200);
      expect(whole.headers[UNSEALED_HEADER.toLowerCase()]).toBe('SIGNET_E_GATEWAY_SEAL_FAILED');
      await rawRequest(
        running.url,
        'POST',
        '/v1/responses',
        { authorization: `Bearer ${base.apiKey}` },
        JSON.stringify({ model: 'local-model', input: 'x', stream: true }),
      );
      expect(records.map((r) => [r.route, r.streamed, r.delivered, r.account])).toEqual([
        ['/v1/chat/completions', false, true, 'acct_current'],
        ['/v1/responses', true, true, 'acct_current'],
      ]);
    } finally {
      await running.close();
      await base.close();
    }
  });

  it('an answer whose unsealed record cannot be made is withheld (502)', async () => {
    const base = await startTestGateway();
    const errors: Error[] = [];
    const gw = createGateway({
      upstream: base.upstream.url,
      signer: base.signer,
      accounts: openAccountStore(base.accountsFile),
      jwks: base.jwks,
      onUnsealed: () => {
        throw new Error('registry down');
      },
      onError: (e) => errors.push(e),
    });
    const running = await gw.listen();
    try {
      const res = await rawRequest(
        running.url,
        'POST',
        '/v1/chat/completions',
        { authorization: `Bearer ${base.apiKey}` },
        JSON.stringify(chat({ model: 'fail-500' })),
      );
      expect(res.status).toBe(502);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'SIGNET_E_GATEWAY_SEAL_FAILED' } });
      expect(res.text).not.toContain('The model crashed');
      expect(errors.map((e) => (e as { code?: string }).code)).toContain('SIGNET_E_GATEWAY_SEAL_FAILED');
    } finally {
      await running.close();
      await base.close();
    }
  });
});
