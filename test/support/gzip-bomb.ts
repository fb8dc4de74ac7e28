import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGzip } from 'node:zlib';

/** A gzip body of `size` zero bytes: a few hundred KiB on the wire, `size` bytes once inflated. */
export async function gzipZeros(size: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
  });
  const block = Buffer.alloc(1 << 20);
  for (let sent = 0; sent < size; sent += block.length) {
    if (!gz.write(block.subarray(0, Math.min(block.length, size - sent)))) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return Buffer.concat(out);
}

/** A loopback HTTP server that answers every request with the gzip body (Content-Encoding: gzip). */
export async function serveGzip(body: Buffer, contentType = 'application/octet-stream'): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': contentType, 'content-encoding': 'gzip', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/**
 * The global fetch, counting the bytes each response body delivers to its reader (after
 * decompression): what a client pulled into memory.
 */
export function countingFetch(): { fetch: typeof fetch; delivered: () => number } {
  let delivered = 0;
  const wrapped = (async (input: string | URL | Request, init?: RequestInit) => {
    const res = await fetch(input, init);
    if (res.body === null) return res;
    const counted = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          delivered += chunk.length;
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
  }) as typeof fetch;
  return { fetch: wrapped, delivered: () => delivered };
}
