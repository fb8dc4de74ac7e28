import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFetch } from './upstream-client.js';

let server: Server;
let base: string;
let aborted = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      if (req.url === '/echo') {
        res.writeHead(201, { 'content-type': 'application/json', 'x-multi': 'a' });
        res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null }));
      } else if (req.url === '/gzip') {
        const data = gzipSync('compressed hello');
        res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': data.length });
        res.end(data);
      } else if (req.url === '/reset') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        setTimeout(() => res.destroy(), 20);
      } else if (req.url === '/slow') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: first\n\n');
        res.on('close', () => aborted++);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('nodeFetch', () => {
  it('sends method, headers and body; returns status, headers and body', async () => {
    const res = await nodeFetch(new URL(`${base}/echo`), { method: 'POST', headers: { authorization: 'Bearer x' }, body: 'hello' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-multi')).toBe('a');
    expect(await res.json()).toEqual({ method: 'POST', body: 'hello', auth: 'Bearer x' });
  });

  it('streams a request body', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('part1-'));
        c.enqueue(new TextEncoder().encode('part2'));
        c.close();
      },
    });
    const res = await nodeFetch(new URL(`${base}/echo`), { method: 'PUT', body });
    expect(await res.json()).toMatchObject({ method: 'PUT', body: 'part1-part2' });
  });

  it('decodes a compressed body and drops the encoding headers', async () => {
    const res = await nodeFetch(new URL(`${base}/gzip`));
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await res.text()).toBe('compressed hello');
  });

  it('reports a body cut mid-way as an error, not an end', async () => {
    const res = await nodeFetch(new URL(`${base}/reset`));
    await expect(res.text()).rejects.toThrow();
  });

  it('aborts the upstream request when the signal fires', async () => {
    const ac = new AbortController();
    const res = await nodeFetch(new URL(`${base}/slow`), { signal: ac.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: first\n\n');
    ac.abort();
    await expect(reader.read()).rejects.toThrow();
    await expect.poll(() => aborted).toBe(1);
  });

  it('rejects when nothing listens', async () => {
    await expect(nodeFetch(new URL('http://127.0.0.1:1/'))).rejects.toThrow();
  });
});
