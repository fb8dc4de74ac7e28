import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * A page in real Chromium calls the gateway with fetch from another origin: the browser's preflight
 * is answered without an API key, the sealed answer arrives, and the page can read Signet-Envelope.
 * A page from an origin not on the list gets no CORS headers, so the browser blocks the call.
 */

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI === 'true') {
    it('has chromium under CI', () => {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    });
  } else console.warn(`gateway CORS browser test skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
}

function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>client</title><p>client</p>');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

describe.skipIf(!haveChromium)('CORS from a real Chromium page', () => {
  let gw: TestGateway;
  let allowed: { server: Server; origin: string };
  let other: { server: Server; origin: string };
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    allowed = await pageServer();
    other = await pageServer();
    gw = await startTestGateway({ gateway: { cors: [allowed.origin] } });
    profile = mkdtempSync(join(tmpdir(), 'signet-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    await gw?.close();
    allowed?.server.close();
    other?.server.close();
  });

  const callFrom = async (origin: string): Promise<unknown> => {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    const out = await page.evaluate(
      async ({ url, key }) => {
        try {
          const r = await fetch(`${url}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'from a browser' }] }),
          });
          const json = (await r.json()) as { signet?: unknown };
          return {
            status: r.status,
            envelope: r.headers.get('signet-envelope'),
            requestId: r.headers.get('x-request-id'),
            member: json.signet !== undefined,
          };
        } catch (e) {
          return { error: String(e) };
        }
      },
      { url: gw.url, key: gw.apiKey },
    );
    await page.close();
    return out;
  };

  it('answers the preflight without an API key and exposes Signet-Envelope to the page', async () => {
    const before = gw.upstream.requests.length;
    const out = (await callFrom(allowed.origin)) as { status: number; envelope: string | null; requestId: string | null; member: boolean };
    expect(out.status).toBe(200);
    expect(out.envelope).toMatch(/^[A-Za-z0-9_-]+/);
    expect(out.requestId).not.toBeNull();
    expect(out.member).toBe(true);
    expect(gw.upstream.requests.length).toBe(before + 1);
    // The preflight itself, as the browser sends it: 204, no key needed, nothing forwarded.
    const pre = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: allowed.origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(allowed.origin);
    expect(gw.upstream.requests.length).toBe(before + 1);
  }, 30_000);

  it('a page from an origin not on the list is blocked by the browser', async () => {
    const before = gw.upstream.requests.length;
    const out = (await callFrom(other.origin)) as { error?: string };
    expect(out.error).toMatch(/TypeError|Failed to fetch/);
    expect(gw.upstream.requests.length).toBe(before);
  }, 30_000);
});
