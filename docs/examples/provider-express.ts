import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signetExpress } from '@signet/server';
import { accountOf, exampleSigner } from './provider-signer.js';

/**
 * Sealing an Express (or any Connect-style, or plain Node `http`) app. With Express it is
 *
 *     app.use(express.json(), signetExpress({ signer, account: (req) => accountOf(req.headers.authorization) }));
 *
 * and your routes stay as they are. This example uses plain `node:http` with the same
 * `(req, res, next)` middleware, so it runs without Express installed.
 */
export async function startExpressProvider(keysDir: string): Promise<{ url: string; close(): Promise<void> }> {
  const seal = signetExpress({ signer: exampleSigner(keysDir), account: (req) => accountOf(req.headers.authorization) });

  // A route written the Express way: it writes to `res`, streamed or not.
  const chatRoute = (
    req: IncomingMessage & { body?: { stream?: boolean; model?: string; messages?: { content: string }[] } },
    res: ServerResponse,
  ): void => {
    const question = req.body?.messages?.at(-1)?.content ?? '';
    const base = { id: `chatcmpl-${Date.now()}`, created: Math.floor(Date.now() / 1000), model: req.body?.model ?? 'example-model' };
    if (req.body?.stream !== true) {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content: `You asked: ${question}.` }, finish_reason: 'stop' }],
        }),
      );
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
  };

  const server = createServer((req, res) => {
    seal(req, res, (error?: unknown) => {
      if (error !== undefined) {
        res.statusCode = 500;
        res.end();
        return;
      }
      if (req.method === 'POST' && req.url === '/v1/chat/completions') chatRoute(req, res);
      else {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
