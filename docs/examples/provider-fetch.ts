import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createJwksHandler, serve, withSignet, type RunningServer } from '@signet/server';
import { modelApi } from './model.js';
import { accountOf, exampleSigner } from './provider-signer.js';

/**
 * Sealing a Web-standard fetch handler (the shape of Deno.serve, Bun.serve, Cloudflare Workers and
 * Hono's app.fetch): wrap it once, and every model response it returns leaves sealed. The public
 * keys are published next to it, where clients look for them.
 */
export async function startFetchProvider(keysDir: string): Promise<RunningServer> {
  const sealed = withSignet(modelApi, {
    signer: exampleSigner(keysDir),
    account: (request) => accountOf(request.headers.get('authorization')),
  });
  const jwks = createJwksHandler(JSON.parse(readFileSync(join(keysDir, 'jwks.json'), 'utf8')));
  const handler = async (request: Request): Promise<Response> =>
    new URL(request.url).pathname === '/.well-known/signet/jwks.json' ? jwks(request) : sealed(request);
  // On Deno or Bun you would pass `handler` to Deno.serve / Bun.serve; on Node, `serve` does it.
  return serve(handler, { port: 0 });
}
