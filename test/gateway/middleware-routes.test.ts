import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ENVELOPE_HEADER, NO_AI_TRAINING, SigningKey } from '@signet/core';
import { createSigner, signetHono, withSignet } from '@signet/server';
import { wireForms } from '../support/upstream.js';

/**
 * The sealing middleware classifies the canonical path too (issue 9, break 1, in-process): a router
 * that decodes paths (Hono does) must not run a model handler for a spelling the middleware reads as
 * another route. And a request the seal could not digest is refused before the handler runs (break 2).
 */

const key = new SigningKey(new Uint8Array(32).fill(21));
const signer = createSigner({
  issuer: 'https://api.example.test',
  key,
  accountSecret: new Uint8Array(32).fill(22),
  terms: { id: 't', version: '1', uri: 'https://example.test/t', document: 'terms', usage: NO_AI_TRAINING },
});
const account = () => 'acct_mw';

function honoApp(calls: string[]): Hono {
  const app = new Hono();
  app.use('*', signetHono({ signer, account }));
  app.post('/v1/chat/completions', async (c) => {
    calls.push(c.req.path);
    const body = await c.req.json<Record<string, unknown>>();
    return c.json(wireForms('/v1/chat/completions', body, 'id-mw').whole);
  });
  return app;
}

const post = (app: { fetch: (r: Request) => Response | Promise<Response> }, path: string, body: string) =>
  app.fetch(new Request(`http://localhost${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }));

const ask = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });

describe('middleware route classification', () => {
  it('a spelling a decoding router sends to the model handler is sealed, not passed through', async () => {
    const calls: string[] = [];
    const app = honoApp(calls);
    const res = await post(app, '/v1/chat/%63ompletions', ask);
    // Hono decoded the path and ran the model handler: the answer must carry its seal.
    expect(calls).toHaveLength(1);
    expect(res.status).toBe(200);
    expect(res.headers.get(ENVELOPE_HEADER)).not.toBeNull();
  });

  it('refuses ambiguous spellings with 400 before any handler runs', async () => {
    const calls: string[] = [];
    const app = honoApp(calls);
    for (const path of ['/v1/chat/completions%2F', '/v1/chat/completions;x', '/v1/chat%2fcompletions', '/v1//chat/completions']) {
      const res = await post(app, path, ask);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(await res.json()).toMatchObject({ error: { code: 'SIGNET_E_GATEWAY_PATH_AMBIGUOUS' } });
    }
    const handler = withSignet(async () => new Response('handled'), { signer, account });
    expect((await post({ fetch: handler }, '/v1/responses%2F', ask)).status).toBe(400);
    expect(calls).toEqual([]);
  });

  it('refuses a request the seal cannot digest (lone surrogate, too deep) before the handler runs', async () => {
    const calls: string[] = [];
    const app = honoApp(calls);
    const lone = ask.replace(/}$/, ',"user":"\\udc00"}');
    const deep = ask.replace(/}$/, `,"metadata":${'['.repeat(80)}${']'.repeat(80)}}`);
    for (const body of [lone, deep, '[]']) {
      const res = await post(app, '/v1/chat/completions', body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'SIGNET_E_GATEWAY_REQUEST_INVALID' } });
    }
    let ran = false;
    const handler = withSignet(
      async () => {
        ran = true;
        return new Response('x');
      },
      { signer, account },
    );
    expect((await post({ fetch: handler }, '/v1/chat/completions', lone)).status).toBe(400);
    expect(ran).toBe(false);
    expect(calls).toEqual([]);
  });
});
