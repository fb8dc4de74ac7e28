import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatResponse, makeProvider, makeText, runCli, tempDir, writeKeysDir } from '../support/auditor-fixtures.js';

/**
 * The HTML report in a real browser (Debian's chromium, headless): it opens from disk with the
 * network unused, its charts render, a screenshot is taken, and every number drawn matches report.json.
 */

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI === 'true') {
    it('has chromium under CI', () => {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    });
  } else console.warn(`report.html browser test skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
}

describe.skipIf(!haveChromium)('report.html in headless Chromium', () => {
  const dir = tempDir('signet-report-');
  const out = join(dir, 'out');
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    const provider = makeProvider();
    const keys = writeKeysDir(provider, join(dir, 'keys'));
    let clock = Date.UTC(2026, 2, 1);
    const signer = provider.signer(undefined, () => clock);
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) {
      clock = Date.UTC(2026, 2, 1) + (i % 4) * 86_400_000;
      const text = makeText(300 + i, 3);
      const sealed = await signer.seal({ account: `acct-${i % 7 === 0 ? 'big' : i % 3}`, response: chatResponse(`c${i}`, text) });
      lines.push(JSON.stringify({ text: i % 11 === 5 ? `${text} (edited)` : text, envelope: sealed.text }));
    }
    lines.push('{broken', '[1,2]');
    writeFileSync(join(dir, 'data.jsonl'), `${lines.join('\n')}\n`);
    const r = runCli(['audit', join(dir, 'data.jsonl'), '--trust', join(keys, 'jwks.json'), '--out', out]);
    expect(r.code).toBe(1);
    profile = mkdtempSync(join(tmpdir(), 'signet-chromium-'));
    // A fresh profile per run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
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
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  it('renders the charts offline and shows the numbers of report.json', async () => {
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith('file:')) requests.push(req.url());
    });
    await page.goto(pathToFileURL(join(out, 'report.html')).href);

    const tiles = await page.evaluate(() =>
      ['total', 'valid', 'invalid'].map((k) => Number(document.querySelector(`#tile-${k} [data-value]`)?.getAttribute('data-value'))),
    );
    expect(tiles).toEqual([report.total, report.valid, report.invalid]);
    const visibleTiles = await page.locator('#tile-invalid .n').innerText();
    expect(visibleTiles.replace(/,/g, '')).toBe(String(report.invalid));

    const chart = async (id: string): Promise<Record<string, number>> =>
      page.evaluate((sel) => {
        const out: Record<string, number> = {};
        for (const g of document.querySelectorAll(`${sel} g.bar`)) {
          const rect = g.querySelector('rect')?.getBoundingClientRect();
          // A bar that does not render (no box) must not count as shown.
          if (rect === undefined || rect.width <= 0 || rect.height <= 0) continue;
          out[g.getAttribute('data-key') ?? ''] = Number(g.querySelector('[data-value]')?.textContent?.replace(/,/g, ''));
        }
        return out;
      }, `#${id}`);
    expect(await chart('chart-verdicts')).toEqual({ valid: report.valid, invalid: report.invalid });
    expect(await chart('chart-failures')).toEqual(report.byCode);
    expect(await chart('chart-accounts')).toEqual(report.byAccount);
    expect(await chart('chart-terms')).toEqual(report.byTerms);
    expect(await chart('chart-days')).toEqual(report.byDay);
    expect(Object.keys(report.byDay)).toHaveLength(4);

    // Longer bars for larger numbers: the drawing agrees with the data, not only the labels.
    const widths = await page.evaluate(() =>
      [...document.querySelectorAll('#chart-verdicts rect')].map((r) => r.getBoundingClientRect().width),
    );
    expect(widths[0]! > widths[1]!).toBe(report.valid > report.invalid);

    const rows = await page.locator('#failures tbody tr').count();
    expect(rows).toBe(report.failures.length);

    const shot = join(out, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    const png = readFileSync(shot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    expect(requests).toEqual([]);
    await page.close();
  }, 60_000);
});
