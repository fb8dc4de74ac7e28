import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Helpers of the verifier page tests: fill the page as a reader does, and read back what it shows. */

/** What the page shows after a check. */
export interface Shown {
  readonly status: string;
  readonly headline: string;
  readonly summary: string;
  readonly facts: Record<string, string>;
  readonly checks: string[];
  readonly proves: string[];
  readonly doesNotProve: string[];
  readonly raw: string;
}

/** What a reader gives the page. */
export interface Given {
  readonly input?: string;
  /** A file chosen for "What to check", instead of typing. */
  readonly file?: { name: string; bytes: Buffer };
  readonly envelope?: string;
  readonly logKey?: string;
  readonly receipt?: string;
  readonly allowUnsigned?: boolean;
}

/** Fills the form, presses Check, and waits for the verdict. */
export async function checkInPage(page: Page, given: Given): Promise<Shown> {
  if (given.file !== undefined) {
    await page.setInputFiles('#input-file', { name: given.file.name, mimeType: 'application/octet-stream', buffer: given.file.bytes });
    await page.waitForFunction(() => (document.getElementById('input-file-status')?.textContent ?? '').startsWith('Loaded'));
  } else await page.fill('#input', given.input ?? '');
  await page.evaluate(
    ({ envelope, logKey, receipt, allowUnsigned }) => {
      const set = (id: string, v: string) => ((document.getElementById(id) as HTMLInputElement).value = v);
      set('envelope', envelope);
      set('log-key', logKey);
      set('receipt', receipt);
      (document.getElementById('allow-unsigned') as HTMLInputElement).checked = allowUnsigned;
      document.getElementById('verdict')!.dataset.state = '';
    },
    {
      envelope: given.envelope ?? '',
      logKey: given.logKey ?? '',
      receipt: given.receipt ?? '',
      allowUnsigned: given.allowUnsigned === true,
    },
  );
  await page.click('#check');
  await page.waitForSelector('#verdict[data-state="done"]');
  return readVerdict(page);
}

/** Reads the verdict the page shows. */
export async function readVerdict(page: Page): Promise<Shown> {
  return page.evaluate(() => {
    const text = (sel: string) => document.querySelector(sel)?.textContent ?? '';
    const items = (id: string) => [...document.querySelectorAll(`ul[aria-labelledby="${id}"] li`)].map((li) => li.textContent ?? '');
    const facts: Record<string, string> = {};
    for (const dt of document.querySelectorAll('dl.facts dt')) facts[dt.textContent ?? ''] = dt.nextElementSibling?.textContent ?? '';
    return {
      status: (document.querySelector('.banner') as HTMLElement | null)?.dataset.status ?? '',
      headline: text('#verdict-headline').replace(/^[✓✗!?]/, ''),
      summary: text('.banner .summary'),
      facts,
      checks: [...document.querySelectorAll('table.checks tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent).join(' | ')),
      proves: items('proves-title'),
      doesNotProve: items('not-proven-title'),
      raw: text('#raw pre'),
    };
  });
}

/**
 * A loopback server that answers every POST with saved bytes, as the provider would have: the real
 * verifying fetch reads them over real HTTP, so its verdict can be held against the page's.
 */
export async function startReplayServer(): Promise<{
  url: string;
  serve(body: string, type: string): void;
  close(): Promise<void>;
}> {
  let body = '';
  let type = 'application/json';
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve(b, t) {
      body = b;
      type = t;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback server for one JWKS, readable by pages of any origin (as a published JWKS is). */
export async function startJwksServer(jwks: string): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The WCAG contrast ratio of two CSS rgb() colours. */
export function contrast(fg: string, bg: string): number {
  const lum = (css: string) => {
    const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
  };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a! + 0.05) / (b! + 0.05);
}

/** Debian's chromium, as every browser test here uses it. */
export const CHROMIUM = '/usr/bin/chromium';

/** Launches headless Chromium with a fresh profile; `close` removes the profile too. */
export async function launchChromium(): Promise<{ browser: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'signet-chromium-'));
  // A fresh profile per run (playwright passes it as --user-data-dir).
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1200, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
