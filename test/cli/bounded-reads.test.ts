import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, toJwks } from '@signet/core';
import { LogKey, RemoteLog } from '@signet/log';
import { createRemoteTrustStore } from '@signet/verify';
import { countingFetch, gzipZeros, serveGzip } from '../support/gzip-bomb.js';

// Bounded reads (issue 9, item 12): every input is read with a byte cap applied while reading, and
// HTTP bodies are capped after decompression.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'packages/cli/dist/bin.js');

/** Runs the built CLI with a small heap, stdin from `stdinFd` (or empty), and a deadline. */
function signet(args: string[], stdinFd?: number): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--max-old-space-size=64', bin, ...args], {
      stdio: [stdinFd ?? 'ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    // The old reader never finishes on /dev/zero: the deadline turns that into a failed test, not a hang.
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stderr, ms: Date.now() - started });
    });
  });
}

let dir: string;
let jwks: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signet-bounded-'));
  jwks = join(dir, 'jwks.json');
  writeFileSync(jwks, JSON.stringify(toJwks([generateSigningKey()])));
  writeFileSync(join(dir, 'answer.txt'), 'hello');
});

describe('CLI reads are capped while reading', () => {
  it('verify --envelope /dev/zero fails at once with SIGNET_E_PARSE_TOO_LARGE (exit 2), in a 64 MB heap', async () => {
    const r = await signet(['verify', '--trust', jwks, '--envelope', '/dev/zero', '--text', join(dir, 'answer.txt')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/SIGNET_E_PARSE_TOO_LARGE/);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('verify --envelope - refuses an endless standard input at the cap', async () => {
    const zero = openSync('/dev/zero', 'r');
    const r = await signet(['verify', '--trust', jwks, '--envelope', '-', '--text', join(dir, 'answer.txt')], zero);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/standard input is larger than 1048576 bytes/);
  });

  it('verify --trust /dev/zero is refused at the JWKS cap', async () => {
    const r = await signet(['verify', '--trust', '/dev/zero', '--envelope', '/dev/null', '--text', join(dir, 'answer.txt')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/trust JWKS .*larger than 1000000 bytes/);
  });
});

describe('HTTP bodies are capped after decompression', () => {
  let bomb: Buffer;
  let served: { url: string; server: Server };
  const INFLATED = 64 * 1024 * 1024;

  beforeAll(async () => {
    bomb = await gzipZeros(INFLATED);
    served = await serveGzip(bomb);
  });
  afterAll(() => served.server.close());

  it('a log whose gzip checkpoint inflates to 64 MiB is refused after at most about 1 MiB is read', async () => {
    expect(bomb.length).toBeLessThan(1 << 20); // small on the wire, under every cap before decompression
    const counter = countingFetch();
    const log = new RemoteLog(served.url, { fetch: counter.fetch });
    await expect(log.checkpoint()).rejects.toMatchObject({ code: 'SIGNET_E_PARSE_TOO_LARGE' });
    expect(counter.delivered()).toBeLessThan(2 * 1024 * 1024);
  });

  it('a log tile that inflates past its size is refused the same way', async () => {
    const counter = countingFetch();
    const log = new RemoteLog(served.url, { fetch: counter.fetch });
    await expect(log.readTiles([{ level: 0, index: 0, width: 256 }])).rejects.toMatchObject({ code: 'SIGNET_E_PARSE_TOO_LARGE' });
    expect(counter.delivered()).toBeLessThan(2 * 1024 * 1024);
  });

  it('signet log verify --url against a log serving a gzip bomb fails with SIGNET_E_PARSE_TOO_LARGE in a 64 MB heap', async () => {
    const key = LogKey.generate('log.example.com/bomb').verifierKey;
    const r = await signet(['log', 'verify', '--url', served.url, '--log-verifier-key', key]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/SIGNET_E_PARSE_TOO_LARGE/);
  });

  it('a JWKS URL serving a gzip bomb is refused (typed) and no more than about the cap is read', async () => {
    const counter = countingFetch();
    const store = createRemoteTrustStore({ url: `${served.url}/jwks.json`, fetch: counter.fetch });
    expect(await store.refresh()).toBe(false);
    expect(store.stats().lastError).toMatch(/^SIGNET_E_PARSE_TOO_LARGE/);
    expect(counter.delivered()).toBeLessThan(2 * 1024 * 1024);
  });
});
