import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openLog } from '@signet/log';
import { openRegistry } from '@signet/registry';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatResponse, makeProvider, makeText, runCli, tempDir, writeKeysDir } from '../support/auditor-fixtures.js';

/**
 * The pages a person reads, in real Chromium: `signet attribute --out DIR` writes DIR/report.html
 * (per-account summary; per suspect the account, the score, the suspect beside the revealed sealed
 * passage with shared spans marked), and `signet evidence verify --html` writes a printable page
 * (verdict, checks, proven and not proven, key fingerprints, log checkpoint). Both open from disk
 * with no script and no network; screenshots at desktop and phone width are kept for a person to
 * look at (their folder is printed).
 */

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI === 'true') {
    it('has chromium under CI', () => {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    });
  } else console.warn(`auditor pages browser test skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
}

const provider = makeProvider();
const dir = tempDir('signet-pages-');
const keys = writeKeysDir(provider, join(dir, 'keys'));
const jwks = join(keys, 'jwks.json');
const db = join(dir, 'registry.db');
const logDb = join(dir, 'log.db');
const out = join(dir, 'attribution');
const shots = join(dir, 'screenshots');
const texts = Array.from({ length: 12 }, (_, i) => makeText(6100 + i, 14));
let logKey: string;
let browser: BrowserContext;
let profile: string;

async function open(file: string, width: number): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.newPage();
  await page.setViewportSize({ width, height: 900 });
  const requests: string[] = [];
  page.on('request', (req) => {
    if (!req.url().startsWith('file:')) requests.push(req.url());
  });
  await page.goto(pathToFileURL(file).href);
  return { page, requests };
}

describe.skipIf(!haveChromium)('pages for auditors and courts', () => {
  beforeAll(async () => {
    const registry = await openRegistry(db, { accountSecret: provider.secret, storeText: true });
    const log = await openLog(logDb, { create: true, origin: 'log.example.com/pages', maxDelayMs: 5 });
    logKey = log.verifierKey;
    const signer = provider.signer(async (sealed, input) => {
      await registry.record(sealed, input);
      await log.appendAndWait(sealed);
    });
    for (const [i, text] of texts.entries())
      await signer.seal({ account: `team-${i % 3}@example.org`, response: chatResponse(`chatcmpl-p${i}`, text) });
    await registry.close();
    await log.close();
    const suspects = [
      { id: 'verbatim', text: texts[0] },
      { id: 'excerpt <b>&', text: `Intro of a blog post. ${texts[4]!.split(' ').slice(10, 70).join(' ')} And some words of my own.` },
      // Markup in a suspect is text to show, never markup to run or fetch.
      { id: 'unrelated', text: `${makeText(999_999, 10)} <img src="http://127.0.0.1:9/x.png"><script>document.title = 'owned'</script>` },
      { id: 'short', text: texts[7]!.split(' ').slice(0, 40).join(' ') },
    ];
    writeFileSync(join(dir, 'suspects.jsonl'), `${suspects.map((s) => JSON.stringify(s)).join('\n')}\n{broken\n`);
    const r = runCli(['attribute', join(dir, 'suspects.jsonl'), '--registry', db, '--keys', keys, '--log', logDb, '--out', out]);
    expect(r.code).toBe(0);
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
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    console.log(`auditor page screenshots in ${shots}`);
  });

  it('attribution report.html: per-account summary and each suspect beside its sealed passage, marked', async () => {
    const file = join(out, 'report.html');
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain("default-src 'none'");
    const summary = JSON.parse(readFileSync(join(out, 'attribution.json'), 'utf8'));
    for (const width of [1200, 390]) {
      const { page, requests } = await open(file, width);
      const accounts = await page.evaluate(() =>
        Object.fromEntries(
          [...document.querySelectorAll('#accounts tbody tr')].map((tr) => [
            tr.getAttribute('data-account'),
            Number(tr.querySelector('td[data-value]')?.getAttribute('data-value')),
          ]),
        ),
      );
      const expected = Object.fromEntries(
        Object.entries(summary.summary.byAccount as Record<string, { suspects: number }>).map(([a, c]) => [a, c.suspects]),
      );
      expect(accounts).toEqual(expected);
      expect(Object.keys(accounts)).toEqual(expect.arrayContaining(['team-0@example.org', 'team-1@example.org']));
      // Each attributed suspect: account, score, suspect and sealed side by side, shared words marked on both.
      const matched = await page.evaluate(() =>
        [...document.querySelectorAll('section.suspect[data-state="matched"] .match[data-rank="1"]')].map((m) => ({
          account: m.getAttribute('data-account'),
          suspectMarks: m.querySelectorAll('[data-side="suspect"] mark').length,
          sealedMarks: m.querySelectorAll('[data-side="sealed"] mark').length,
          sealedText: m.querySelector('[data-side="sealed"]')?.textContent ?? '',
        })),
      );
      expect(matched.length).toBeGreaterThanOrEqual(2);
      for (const m of matched) {
        expect(m.suspectMarks).toBeGreaterThan(0);
        expect(m.sealedMarks).toBeGreaterThan(0);
      }
      expect(matched.find((m) => m.account === 'team-1@example.org')?.sealedText).toContain(texts[4]!.split(' ').slice(20, 30).join(' '));
      // The id with markup is shown as text, never as markup.
      expect(await page.locator('text=excerpt <b>&').count()).toBeGreaterThan(0);
      expect(await page.locator('section.suspect[data-state="error"]').count()).toBe(1);
      expect(await page.locator('img, script').count()).toBe(0);
      expect(await page.title()).not.toBe('owned');
      expect(await page.locator('section.suspect[data-state="none"]').innerText()).toContain('<script>');
      // Nothing wider than the screen but the text boxes themselves.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(1);
      await page.screenshot({ path: join(shots, `attribution-${width}.png`), fullPage: true });
      expect(requests).toEqual([]);
      await page.close();
    }
  }, 60_000);

  it('evidence verify --html: a printable page stating the verdict, checks, proofs, keys and checkpoint', async () => {
    const summary = JSON.parse(readFileSync(join(out, 'attribution.json'), 'utf8'));
    const entry = summary.suspects.find((s: { id: unknown }) => s.id === 'excerpt <b>&');
    const bundle = entry.match.evidence as string;
    const page1 = join(dir, 'evidence.html');
    const r = runCli(['evidence', 'verify', bundle, '--trust', jwks, '--log-verifier-key', logKey, '--html', page1]);
    expect(r.code).toBe(0);
    const text = runCli(['evidence', 'verify', bundle, '--trust', jwks, '--log-verifier-key', logKey]).stdout;
    const report = JSON.parse(runCli(['evidence', 'verify', bundle, '--trust', jwks, '--log-verifier-key', logKey, '--json']).stdout);
    const b = JSON.parse(readFileSync(bundle, 'utf8'));
    for (const width of [1200, 390]) {
      const { page, requests } = await open(page1, width);
      expect(await page.locator('#verdict').innerText()).toMatch(/^VALID/);
      // The same sentences as the terminal output.
      const proves = await page.locator('#proves li').allInnerTexts();
      const notProven = await page.locator('#not-proven li').allInnerTexts();
      expect(proves).toEqual(report.proves);
      expect(notProven).toEqual(report.doesNotProve);
      for (const p of proves) expect(text).toContain(p);
      expect(await page.locator('#checks tbody tr').count()).toBe(report.checks.length);
      const keysText = await page.locator('#keys').innerText();
      expect(keysText).toContain(b.signature.kid);
      expect(keysText).toContain(logKey.split('+').slice(0, 2).join('+'));
      const logText = await page.locator('#log').innerText();
      expect(logText).toContain('log.example.com/pages');
      expect(logText).toContain(b.log.checkpoint.split('\n')[1]);
      // Long hashes and key ids wrap: the page is never wider than the screen.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(1);
      await page.screenshot({ path: join(shots, `evidence-${width}.png`), fullPage: true });
      if (width === 1200) {
        const pdf = await page.pdf({ format: 'A4' });
        expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
      }
      expect(requests).toEqual([]);
      await page.close();
    }

    // A tampered bundle: the page says INVALID with the code, and shows none of the bundle's claims.
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify({ ...b, account: { ...b.account, id: 'someone-else@example.org' } }));
    const page2 = join(dir, 'tampered.html');
    const t = runCli(['evidence', 'verify', tampered, '--trust', jwks, '--log-verifier-key', logKey, '--html', page2]);
    expect(t.code).toBe(1);
    const { page } = await open(page2, 1200);
    expect(await page.locator('#verdict').innerText()).toContain('INVALID');
    expect(await page.locator('#verdict').innerText()).toContain('SIGNET_E_EVIDENCE_SIGNATURE');
    expect(await page.locator('#claims').count()).toBe(0);
    expect(await page.content()).not.toContain('someone-else@example.org');
    await page.screenshot({ path: join(shots, 'evidence-tampered-1200.png'), fullPage: true });
    await page.close();
  }, 60_000);
});
