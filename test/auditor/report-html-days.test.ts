import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ReportBuilder, renderReportHtml, type AuditReport } from '@signet/audit';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The per-day chart of report.html never draws one label over another, however many days and
 * however large the counts: checked on the rendered boxes in Chromium at desktop and phone width,
 * with a screenshot of each case kept for a person to look at.
 */

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI === 'true') {
    it('has chromium under CI', () => {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    });
  } else console.warn(`report.html day chart test skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
}

function reportWithDays(days: number, scale: number): AuditReport {
  const b = new ReportBuilder();
  const base = Date.UTC(2026, 0, 1);
  for (let d = 0; d < days; d++) {
    const day = new Date(base + d * 86_400_000).toISOString().slice(0, 10);
    const n = 1 + ((d * 7919) % 13);
    b.add(Array.from({ length: n }, (_, k) => ({ line: d * 100 + k + 1, valid: true, day, tag: `t${d % 3}`, terms: 'x@1' })));
  }
  const r = b.build({ dataset: `days-${days}.jsonl`, durationMs: 10, threads: 1 });
  // Large counts are what overlapped: scale them up without building millions of verdicts.
  return { ...r, byDay: Object.fromEntries(Object.entries(r.byDay).map(([k, v]) => [k, v * scale])) };
}

describe.skipIf(!haveChromium)('report.html per-day chart labels', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-days-'));
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), 'signet-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  it.each([
    [1, 1],
    [4, 100_000],
    [31, 1_000],
    [45, 10],
    [400, 1_000_000],
  ])(
    'draws %i days (counts x%i) with no overlapping labels',
    async (days, scale) => {
      const report = reportWithDays(days, scale);
      const file = join(dir, `days-${days}.html`);
      writeFileSync(file, renderReportHtml(report));
      for (const width of [1200, 390]) {
        const page = await browser.newPage();
        await page.setViewportSize({ width, height: 900 });
        await page.goto(pathToFileURL(file).href);
        const boxes = await page.evaluate(() =>
          [...document.querySelectorAll('#chart-days svg text')]
            .filter((t) => getComputedStyle(t).visibility !== 'hidden')
            .map((t) => {
              const r = t.getBoundingClientRect();
              return { text: t.textContent ?? '', x: r.x, y: r.y, w: r.width, h: r.height };
            }),
        );
        const overlaps: string[] = [];
        for (let i = 0; i < boxes.length; i++)
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i]!;
            const b = boxes[j]!;
            if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) overlaps.push(`${a.text} / ${b.text}`);
          }
        expect(overlaps).toEqual([]);
        // The first and the last days are named, and at least one date label for every ~80 px.
        const dates = boxes.filter((b) => /^\d{4}-\d{2}-\d{2}$/.test(b.text)).map((b) => b.text);
        expect(dates[0]).toBe(Object.keys(report.byDay)[0]);
        expect(dates.length).toBeGreaterThanOrEqual(Math.min(days, 5));
        // Every count is still in the page, visible or in the column's tooltip.
        const values = await page.evaluate(() =>
          [...document.querySelectorAll('#chart-days [data-value]')].map((e) => Number(e.getAttribute('data-value'))),
        );
        expect(values).toEqual(Object.values(report.byDay));
        await page.locator('#chart-days').screenshot({ path: join(dir, `days-${days}-${width}.png`) });
        await page.close();
      }
    },
    60_000,
  );

  afterAll(() => {
    console.log(`day chart screenshots in ${dir}`);
  });
});
