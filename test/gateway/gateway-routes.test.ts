import fc from 'fast-check';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVELOPE_HEADER } from '@signet/core';
import { createGateway, openAccountStore, type RunningServer } from '@signet/server';
import { createVerifyingFetch, type FetchVerification } from '@signet/verify';
import { looseRoute, rawRequest, startDecodingUpstream, type DecodingUpstream } from '../support/decoding-upstream.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * Issue 9, break 1: route spellings must not bypass the seal. The gateway classifies the one
 * canonical form of a path, refuses ambiguous spellings, forwards only an allowlist, and sends the
 * upstream the canonical path. The upstream here decodes and normalises paths as loosely as common
 * Python servers do, so any spelling that slipped through unclassified would come back unsealed.
 */

const MODEL_PATHS = ['/v1/chat/completions', '/v1/completions', '/v1/responses'] as const;

const body = (stream: boolean) =>
  JSON.stringify({ model: 'local-model', messages: [{ role: 'user', content: 'hi' }], prompt: 'hi', input: 'hi', stream });

/** Whether a 2xx answer carries its seal (the header for JSON, the carrier event for a stream). */
function sealed(res: { headers: Record<string, unknown>; text: string }): boolean {
  const type = String(res.headers['content-type'] ?? '');
  if (type.includes('text/event-stream')) return /"signet":\{"envelope":"[A-Za-z0-9_-]+"/.test(res.text);
  return typeof res.headers[ENVELOPE_HEADER.toLowerCase()] === 'string';
}

describe('route spellings cannot bypass the seal', () => {
  let base: TestGateway;
  let upstream: DecodingUpstream;
  let running: RunningServer;
  beforeAll(async () => {
    base = await startTestGateway();
    upstream = await startDecodingUpstream();
    const gw = createGateway({
      upstream: upstream.url,
      signer: base.signer,
      accounts: openAccountStore(base.accountsFile),
      jwks: base.jwks,
    });
    running = await gw.listen();
  });
  afterAll(async () => {
    await running.close({ timeoutMs: 1000 });
    await upstream.close();
    await base.close();
  });

  const post = (path: string, apiKey = base.apiKey, stream = false) =>
    rawRequest(running.url, 'POST', path, { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body(stream));

  it('refuses the spellings of the issue with 400 and forwards nothing', async () => {
    const before = upstream.targets.length;
    for (const path of [
      '/v1/chat/completions%2F',
      '/v1/chat/completions;x',
      '/v1/responses%2f',
      '/v1/chat%2Fcompletions',
      '/v1/chat/completions/',
      '/v1//chat/completions',
      '/v1/./chat/completions',
      '/v1/x/../chat/completions',
      '/v1/%2e/chat/completions',
      '/v1/chat\\completions',
      '/v1/chat/%2563ompletions',
      '/v1/chat/completions%00',
    ]) {
      const res = await post(path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'SIGNET_E_GATEWAY_PATH_AMBIGUOUS' } });
    }
    expect(upstream.targets.length).toBe(before);
  });

  it('decodes a harmless percent-encoding to the canonical route, seals it, and forwards the canonical path', async () => {
    const res = await post('/v1/chat/%63ompletions');
    expect(res.status).toBe(200);
    expect(sealed(res)).toBe(true);
    expect(upstream.targets.at(-1)).toBe('/v1/chat/completions');
    const streamed = await post('/v1/re%73ponses', base.apiKey, true);
    expect(streamed.status).toBe(200);
    expect(sealed(streamed)).toBe(true);
    expect(upstream.targets.at(-1)).toBe('/v1/responses');
  });

  it('an account refused on the plain path is refused on every spelling of it', async () => {
    expect((await post('/v1/chat/completions', base.oldTermsKey)).status).toBe(403);
    for (const path of [
      '/v1/chat/%63ompletions',
      '/v1/chat/completions%2F',
      '/v1/chat/completions;x',
      '/v1/responses%2f',
      '/V1/chat/completions',
    ]) {
      const res = await post(path, base.oldTermsKey);
      expect([400, 403, 404]).toContain(res.status);
    }
  });

  it('refuses routes outside the allowlist (404), so no upstream admin route is reachable', async () => {
    const before = upstream.adminHits;
    for (const [method, path] of [
      ['GET', '/admin/status'],
      ['POST', '/admin/reset'],
      ['POST', '/v1/embeddings'],
      ['GET', '/v1/chat/completions'],
      ['POST', '/V1/chat/completions'],
      ['DELETE', '/v1/models'],
    ] as const) {
      const res = await rawRequest(
        running.url,
        method,
        path,
        { authorization: `Bearer ${base.apiKey}` },
        method === 'POST' ? '{}' : undefined,
      );
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'SIGNET_E_GATEWAY_ROUTE_UNKNOWN' } });
    }
    expect(upstream.adminHits).toBe(before);
    // The default passthrough: the model list, which the OpenAI client reads.
    const client = new OpenAI({ apiKey: base.apiKey, baseURL: `${running.url}/v1`, maxRetries: 0 });
    expect((await client.models.list()).data[0]?.id).toBe('local-model');
  });

  it('refuses a query string on a model route (it is not in the request digest)', async () => {
    const before = upstream.targets.length;
    const res = await post('/v1/chat/completions?stream=true');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'SIGNET_E_GATEWAY_QUERY_REFUSED' } });
    expect(upstream.targets.length).toBe(before);
  });

  it('the real openai client with the verifying fetch still gets sealed, valid answers', async () => {
    const results: FetchVerification[] = [];
    const client = new OpenAI({
      apiKey: base.apiKey,
      baseURL: `${running.url}/v1`,
      maxRetries: 0,
      fetch: createVerifyingFetch({ trust: base.jwks, onResult: (r) => results.push(r) }),
    });
    await client.chat.completions.create({ model: 'local-model', messages: [{ role: 'user', content: 'a' }] });
    await client.responses.create({ model: 'local-model', input: 'b' });
    expect(results.map((r) => r.valid)).toEqual([true, true]);
  });

  it('fuzzing: no spelling of a model path gets a 2xx model answer unsealed', async () => {
    // A canonical path with up to four edits: a character percent-encoded (harmless, lower-case hex,
    // twice), upper-cased, a separator respelled, or something appended.
    const hex = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`;
    const separator = fc.constantFrom('//', '/./', '/x/../', '%2F', '%2f', '\\', ';p=1/', '/%2e/', '/%2E%2E/v1/', '%5C', '%252F');
    const tail = fc.constantFrom('/', ';x', '%2F', '/.', '/..', '%00', '%20', '?a=1', '%3Fa', '#f', '%23', '%2e', '.', '~');
    const edit = fc.oneof(
      fc.record({ op: fc.constantFrom('encode', 'lower', 'double', 'upper'), at: fc.nat() }),
      fc.record({ op: fc.constant('sep'), at: fc.nat(), sep: separator }),
      fc.record({ op: fc.constant('tail'), tail }),
    );
    const apply = (path: string, e: { op: string; at?: number; sep?: string; tail?: string }): string => {
      if (e.op === 'tail') return path + (e.tail as string);
      const slashes = [...path].flatMap((c, i) => (c === '/' ? [i] : []));
      const chars = [...path].flatMap((c, i) => (/[a-z0-9]/.test(c) ? [i] : []));
      if (e.op === 'sep') {
        const i = slashes[(e.at as number) % slashes.length] as number;
        return path.slice(0, i) + (i === 0 ? '/' : (e.sep as string)) + path.slice(i + 1);
      }
      if (chars.length === 0) return path;
      const i = chars[(e.at as number) % chars.length] as number;
      const c = path[i] as string;
      const spelled =
        e.op === 'encode'
          ? hex(c)
          : e.op === 'lower'
            ? hex(c).toLowerCase()
            : e.op === 'double'
              ? `%25${hex(c).slice(1)}`
              : c.toUpperCase();
      return path.slice(0, i) + spelled + path.slice(i + 1);
    };
    const spelling = fc
      .record({ canonical: fc.constantFrom(...MODEL_PATHS, '/admin/reset'), edits: fc.array(edit, { maxLength: 4 }), stream: fc.boolean() })
      .map(({ canonical, edits, stream }) => ({ path: edits.reduce(apply, canonical), canonical, stream }));
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(spelling, async ({ path, stream }) => {
        const before = upstream.targets.length;
        const res = await post(path, base.apiKey, stream);
        const forwarded = upstream.targets.slice(before);
        if (res.status >= 200 && res.status <= 299) {
          accepted++;
          // A model answer (the loose upstream answers model routes only) is sealed, and the
          // upstream saw nothing but a canonical model path.
          expect(sealed(res)).toBe(true);
          for (const t of forwarded) expect(MODEL_PATHS as readonly string[]).toContain(t);
        } else {
          refused++;
          expect([400, 404]).toContain(res.status);
          expect(forwarded).toEqual([]);
        }
        // Whatever was forwarded, the loose reading and the gateway's reading agree.
        for (const t of forwarded) expect(looseRoute(t)).toBe(t);
      }),
      { numRuns: 300 },
    );
    // The generator reaches both outcomes (otherwise the property says little).
    expect(accepted).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(10);
    expect(upstream.adminHits).toBe(0);
  });
});

describe('operator passthrough routes', () => {
  it('forwards exactly the listed routes (canonical), unsealed, and refuses the default model list once replaced', async () => {
    const base = await startTestGateway();
    const upstream = await startDecodingUpstream();
    const gw = createGateway({
      upstream: upstream.url,
      signer: base.signer,
      accounts: openAccountStore(base.accountsFile),
      jwks: base.jwks,
      passthrough: ['GET /admin/status', 'GET /admin/jobs/*'],
    });
    const running = await gw.listen();
    try {
      const get = (path: string) => rawRequest(running.url, 'GET', path, { authorization: `Bearer ${base.apiKey}` });
      expect((await get('/admin/status')).status).toBe(200);
      expect((await get('/admin/jobs/42')).status).toBe(200);
      expect((await get('/admin/st%61tus')).status).toBe(200);
      expect(upstream.targets.slice(-1)).toEqual(['/admin/status']);
      expect((await get('/admin/reset')).status).toBe(404);
      expect((await get('/admin/jobs')).status).toBe(200);
      expect((await get('/admin/jobsx')).status).toBe(404);
      expect((await get('/v1/models')).status).toBe(404);
      // A passthrough GET of a model path is still not a way around the seal.
      expect((await get('/v1/chat/completions')).status).toBe(404);
    } finally {
      await running.close({ timeoutMs: 1000 });
      await upstream.close();
      await base.close();
    }
  });

  it('rejects passthrough entries that are not canonical or that name a model route', () => {
    const base = { signer: undefined as never };
    void base;
    for (const bad of [
      'GET v1/models',
      'get /v1/models',
      'GET /v1/%6dodels',
      'GET /v1//models',
      'POST /v1/chat/completions',
      'GET /a;b',
      'GET',
    ]) {
      expect(() =>
        createGateway({
          upstream: 'http://127.0.0.1:9',
          signer: { kid: 'k', seal: async () => undefined } as never,
          accounts: { lookup: () => undefined } as never,
          jwks: { keys: [{ kid: 'k' }] } as never,
          passthrough: [bad],
        }),
      ).toThrow(expect.objectContaining({ code: 'SIGNET_E_CONFIG_INVALID' }) as Error);
    }
  });
});
