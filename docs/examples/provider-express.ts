import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { signetExpress } from '@signet/server';
import { accountOf, exampleSigner } from './provider-signer.js';

/**
 * Sealing an Express app: one middleware after `express.json()`, and the routes stay as they are,
 * whether they answer with `res.json()` or stream server-sent events with `res.write()`.
 */
export async function startExpressProvider(keysDir: string): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(express.json(), signetExpress({ signer: exampleSigner(keysDir), account: (req) => accountOf(req.headers.authorization) }));

  app.post('/v1/chat/completions', (req, res) => {
    const body = req.body as { stream?: boolean; model?: string; messages?: { content: string }[] };
    const question = body.messages?.at(-1)?.content ?? '';
    const base = { id: `chatcmpl-${Date.now()}`, created: Math.floor(Date.now() / 1000), model: body.model ?? 'example-model' };
    if (body.stream !== true) {
      res.json({
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: `You asked: ${question}.` }, finish_reason: 'stop' }],
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const piece of ['You ', 'asked: ', `${question}.`]) {
      res.write(
        `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`,
      );
    }
    res.write(
      `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
    );
    res.end('data: [DONE]\n\n');
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
