import { Hono } from 'hono';
import { serve, signetHono, type RunningServer } from '@signet/server';
import { chatCompletion, chatStream } from './model.js';
import { accountOf, exampleSigner } from './provider-signer.js';

/** Sealing a Hono app: one middleware in front of the model routes. */
export async function startHonoProvider(keysDir: string): Promise<RunningServer> {
  const app = new Hono();
  app.use('/v1/*', signetHono({ signer: exampleSigner(keysDir), account: (c) => accountOf(c.req.header('authorization')) }));
  app.post('/v1/chat/completions', async (c) => {
    const body = await c.req.json();
    return body.stream === true ? chatStream(body) : chatCompletion(body);
  });
  return serve(async (request) => app.fetch(request));
}
