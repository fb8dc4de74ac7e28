import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny OpenAI-compatible chat server for the demo and the benchmark: `POST /v1/chat/completions`,
 * whole or streamed (SSE), with a canned answer. It stands in for the provider's model server, so
 * the gateway can be shown (and measured) without one.
 */

export interface DemoUpstream {
  readonly url: string;
  close(): Promise<void>;
}

export interface DemoUpstreamOptions {
  /** Words in each answer (default 40). */
  readonly words?: number;
  /** Delay between streamed chunks in ms (default 0). */
  readonly chunkDelayMs?: number;
}

const WORDS = 'A sealed answer carries a signed envelope that binds its text to the account, the terms and the time it was served'.split(
  ' ',
);

function answer(question: string, words: number): string {
  const out = [`You asked: ${question.slice(0, 60)}.`];
  for (let i = 0; i < words; i++) out.push(WORDS[i % WORDS.length] as string);
  return out.join(' ');
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

let counter = 0;

/** Starts the demo upstream on 127.0.0.1 (any free port). */
export async function startDemoUpstream(options: DemoUpstreamOptions = {}): Promise<DemoUpstream> {
  const words = options.words ?? 40;
  const delay = options.chunkDelayMs ?? 0;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readJson(req);
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions')
        return send(res, 404, { error: { message: 'not found', type: 'invalid_request_error', code: null, param: null } });
      const messages = Array.isArray(body.messages) ? (body.messages as { content?: unknown }[]) : [];
      const question = String(messages.at(-1)?.content ?? '');
      const model = typeof body.model === 'string' ? body.model : 'demo-model';
      const id = `chatcmpl-demo${(++counter).toString(36)}`;
      const created = Math.floor(Date.now() / 1000);
      const text = answer(question, words);
      if (body.stream !== true) {
        return send(res, 200, {
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: 8, completion_tokens: words, total_tokens: 8 + words },
        });
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: 'assistant', content: '' }, null));
      const pieces = text.match(/\S+\s*/g) ?? [];
      for (const p of pieces) {
        if (res.destroyed) return;
        res.write(chunk({ content: p }, null));
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      }
      res.write(chunk({}, 'stop'));
      res.end('data: [DONE]\n\n');
    })().catch(() => res.destroy());
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
