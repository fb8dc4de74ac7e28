import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { wireForms } from './upstream.js';

/**
 * A model server that reads paths as loosely as common Python servers and frameworks do: it
 * percent-decodes (twice, `%2F` included), turns `\` into `/`, strips `;` parameters, resolves dot
 * segments, ignores empty segments and a trailing slash, and ignores case. Whatever spelling it
 * reads as a model route gets a real OpenAI-shaped answer (JSON or SSE). It also has an admin route
 * (`/admin/...`) that must never be reachable through a gateway by default.
 *
 * A gateway in front of it must either refuse a spelling or seal the answer: this server would
 * otherwise hand out model output for spellings the gateway reads as something else.
 */

export interface DecodingUpstream {
  readonly url: string;
  /** Raw request targets received, in order. */
  readonly targets: string[];
  /** Model answers given. */
  readonly answers: number;
  /** Admin route hits. */
  readonly adminHits: number;
  close(): Promise<void>;
}

function percentDecode(s: string): string {
  // Bytes, then UTF-8 with replacement: never throws, like a lenient server.
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const hex = s.slice(i + 1, i + 3);
    if (s[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else for (const b of Buffer.from(s[i] as string, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The path as this server understands it. */
export function looseRoute(target: string): string {
  let p = target.split('?')[0]?.split('#')[0] ?? '';
  p = percentDecode(percentDecode(p));
  p = p.replace(/\\/g, '/');
  const out: string[] = [];
  for (const raw of p.split('/')) {
    const seg = raw.split(';')[0] ?? '';
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg.toLowerCase());
  }
  return `/${out.join('/')}`;
}

const MODEL = new Set(['/v1/chat/completions', '/v1/completions', '/v1/responses']);

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

export async function startDecodingUpstream(): Promise<DecodingUpstream> {
  const targets: string[] = [];
  let answers = 0;
  let adminHits = 0;
  let n = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      targets.push(req.url ?? '');
      const route = looseRoute(req.url ?? '/');
      const json = (status: number, body: unknown): void => {
        const t = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(t) });
        res.end(t);
      };
      if (route.startsWith('/admin')) {
        adminHits++;
        return json(200, { admin: true, route });
      }
      if (route === '/v1/models')
        return json(200, { object: 'list', data: [{ id: 'local-model', object: 'model', created: 0, owned_by: 'x' }] });
      if (!MODEL.has(route)) return json(404, { error: { message: 'not found', type: 'invalid_request_error', code: null, param: null } });
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return json(400, { error: { message: 'bad json', type: 'invalid_request_error', code: null, param: null } });
      }
      if (body.model === 'reject-400')
        return json(400, { error: { message: 'rejected', type: 'invalid_request_error', code: null, param: null } });
      if (body.model === 'redirect-302') {
        res.writeHead(302, { location: '/v1/elsewhere', 'content-type': 'application/json' });
        return res.end(JSON.stringify({ moved: 'The answer you asked for, unsealed.' }));
      }
      if (body.model === 'no-content') {
        // A stream that carries events but no choice: nothing the seal could cover.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } })}\n\n`);
        res.write('data: [DONE]\n\n');
        return res.end();
      }
      answers++;
      const forms = wireForms(route, body, `id-${++n}`, 1_760_000_000, 8);
      if (body.stream !== true) return json(200, forms.whole);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const responses = route === '/v1/responses';
      for (const c of forms.chunks)
        res.write(responses ? `event: ${String(c.type)}\ndata: ${JSON.stringify(c)}\n\n` : `data: ${JSON.stringify(c)}\n\n`);
      if (!responses) res.write('data: [DONE]\n\n');
      res.end();
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    get answers() {
      return answers;
    },
    get adminHits() {
      return adminHits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Sends a request with the path exactly as given (fetch would normalize it first). */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: IncomingMessage['headers']; text: string }> {
  return import('node:http').then(
    ({ request }) =>
      new Promise((resolve, reject) => {
        const req = request(`${base}/`, { method, path, headers: { ...headers, connection: 'close' } }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      }),
  );
}
