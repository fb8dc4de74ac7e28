import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chanceInWords, generateSigningKey, signDelegation, toJwks, type EvidenceBundle } from '@signet/core';
import { attachDelegation, createSigner } from '@signet/server';
import { openLog, type Log } from '@signet/log';
import { logEvidenceSource, openRegistry, type Registry } from '@signet/registry';
import { createVerifyingFetch, verificationOf, verifyEvidence, type FetchVerification } from '@signet/verify';
import { renderVerifyPage } from '@signet/verify-page';
import { chatResponse, makeProvider, makeText, TERMS } from '../support/auditor-fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { CHROMIUM, checkInPage, contrast, launchChromium, readVerdict, startJwksServer, startReplayServer } from './page-fixtures.js';

/**
 * The verifier page in a real browser (Debian's chromium, headless), opened from disk as a reader
 * would open a saved copy: answers from a real gateway (whole and streamed), the same answers
 * tampered with, cut short or never sealed, text with its envelope, and evidence bundles from a
 * real registry and log. The page's verdicts must be the verifying fetch's, its wording that of
 * `verifyEvidence`, and it must make no request but the JWKS fetch a reader asks for.
 * Screenshots at desktop and phone width are written for a person to look at
 * (SIGNET_SCREENSHOT_DIR keeps them).
 */

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI === 'true') {
    it('has chromium under CI', () => {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    });
  } else console.warn(`verifier page browser test skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
}

describe.skipIf(!haveChromium)('the verifier page in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-verify-page-'));
  const shots = process.env.SIGNET_SCREENSHOT_DIR ?? join(dir, 'shots');
  let gw: TestGateway;
  let chrome: Awaited<ReturnType<typeof launchChromium>>;
  let browser: BrowserContext;
  let pageUrl: string;
  let replay: Awaited<ReturnType<typeof startReplayServer>>;
  let jwksFile: string;
  let providerJwksFile: string;
  const saved = { json: '', sse: '', unsealed: '', text: '', envelope: '' };
  const provider = makeProvider();
  let log: Log;
  let registry: Registry;
  let bundle: EvidenceBundle;
  let excerptBundle: EvidenceBundle;
  let unsignedBundle: EvidenceBundle;
  const logged = { text: '', envelope: '', receipt: '' };

  const post = async (base: string, body: unknown): Promise<string> => {
    const r = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(r.status).toBe(200);
    return r.text();
  };
  const ask = { model: 'local-model', messages: [{ role: 'user', content: 'Where do sealed answers travel?' }] };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    gw = await startTestGateway();
    replay = await startReplayServer();
    saved.json = await post(gw.url, ask);
    saved.sse = await post(gw.url, { ...ask, stream: true });
    saved.unsealed = await post(gw.upstream.url, ask);
    const parsed = JSON.parse(saved.json) as { choices: { message: { content: string } }[]; signet: { envelope: string } };
    saved.text = parsed.choices[0]!.message.content;
    saved.envelope = parsed.signet.envelope;
    jwksFile = join(dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(gw.jwks));
    providerJwksFile = join(dir, 'provider-jwks.json');
    writeFileSync(providerJwksFile, provider.jwks);

    // Evidence bundles from a real registry and log, under another provider's keys.
    log = await openLog(join(dir, 'log.db'), { create: true, origin: 'log.example.com/signet', maxDelayMs: 5 });
    registry = await openRegistry(join(dir, 'registry.db'), { accountSecret: provider.secret, storeText: true });
    const signer = provider.signer(async (sealed, input) => {
      await registry.record(sealed, input);
      await log.appendAndWait(sealed);
    });
    const texts = Array.from({ length: 4 }, (_, i) => Array.from({ length: 4 }, (_, p) => makeText(900 + i * 10 + p, 8)).join('\n\n'));
    for (const [i, text] of texts.entries()) {
      const sealed = await signer.seal({ account: `customer-${i}`, response: chatResponse(`chatcmpl-page${i}`, text) });
      if (i === 3) Object.assign(logged, { text, envelope: sealed.text });
    }
    logged.receipt = Buffer.from((await log.receiptFor('chatcmpl-page3'))!).toString('base64');
    const source = logEvidenceSource(log);
    const [exact] = await registry.attribute(texts[1]!);
    bundle = await registry.evidence(exact!, texts[1]!, { suspectId: 'row-7', signer: provider.key, log: source });
    unsignedBundle = await registry.evidence(exact!, texts[1]!, { suspectId: 'row-7', log: source });
    const suspect = texts[2]!.split(' ').slice(20, 100).join(' ');
    const [m] = await registry.attribute(suspect);
    excerptBundle = await registry.evidence(m!, suspect, { suspectId: 'row-9', signer: provider.key, log: source });

    const html = join(dir, 'verify.html');
    writeFileSync(html, renderVerifyPage());
    pageUrl = pathToFileURL(html).href;
    chrome = await launchChromium();
    browser = chrome.browser;
  }, 60_000);

  afterAll(async () => {
    await chrome?.close();
    await registry?.close();
    await log?.close();
    await replay?.close();
    await gw?.close();
    if (process.env.SIGNET_SCREENSHOT_DIR === undefined) rmSync(dir, { recursive: true, force: true });
    else console.log(`verifier page screenshots in ${shots}`);
  });

  /** Opens the page with the gateway's JWKS chosen as a file, and records every request it makes. */
  async function open(url = pageUrl, keys: string | null = jwksFile): Promise<{ page: Page; requests: string[] }> {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith('file:')) requests.push(req.url());
    });
    await page.goto(url);
    if (keys !== null) {
      await page.setInputFiles('#jwks-file', keys);
      await page.waitForFunction(() => /trusted key/.test(document.getElementById('keys-status')?.textContent ?? ''));
    }
    return { page, requests };
  }

  /** The verifying fetch's verdict on the same bytes, read over real HTTP. */
  async function fetchVerdict(body: string, stream: boolean): Promise<FetchVerification> {
    replay.serve(body, stream ? 'text/event-stream' : 'application/json');
    const f = createVerifyingFetch({ trust: gw.jwks, checkReplays: false });
    const r = await f(`${replay.url}/v1/chat/completions`, { method: 'POST' });
    await r.arrayBuffer();
    return (await verificationOf(r))!;
  }

  const tamperedJson = () => {
    expect(saved.json).toContain('travel');
    return saved.json.replace('travel', 'trave1');
  };
  const truncatedSse = () => {
    const carrier = saved.sse.indexOf('"signet"');
    expect(carrier).toBeGreaterThan(0);
    return saved.sse.slice(0, saved.sse.lastIndexOf('data: ', carrier));
  };

  it('gives the verifying fetch verdict on answers: valid, tampered, unsealed and cut-short, whole and streamed', async () => {
    const { page, requests } = await open();
    const cases: { name: string; body: string; stream: boolean; status: string; headline: RegExp }[] = [
      { name: 'valid response JSON', body: saved.json, stream: false, status: 'valid', headline: /^VALID$/ },
      { name: 'valid saved stream', body: saved.sse, stream: true, status: 'valid', headline: /^VALID$/ },
      {
        name: 'tampered response JSON',
        body: tamperedJson(),
        stream: false,
        status: 'invalid',
        headline: /^INVALID: SIGNET_E_CONTENT_BODY_MISMATCH$/,
      },
      {
        name: 'tampered stream',
        body: saved.sse.replace('travel', 'trave1'),
        stream: true,
        status: 'invalid',
        headline: /^INVALID: SIGNET_E_CONTENT_BODY_MISMATCH$/,
      },
      {
        name: 'unsealed answer',
        body: saved.unsealed,
        stream: false,
        status: 'unsealed',
        headline: /^NOT SEALED: SIGNET_E_ENVELOPE_MISSING$/,
      },
      { name: 'truncated stream', body: truncatedSse(), stream: true, status: 'invalid', headline: /^INVALID: SIGNET_E_STREAM_TRUNCATED$/ },
    ];
    for (const c of cases) {
      const shown = await checkInPage(page, { input: c.body });
      const fetched = await fetchVerdict(c.body, c.stream);
      expect({ name: c.name, status: shown.status }).toEqual({ name: c.name, status: c.status });
      expect(shown.headline).toMatch(c.headline);
      // The same verdict, code for code, as the verifying fetch on the same bytes.
      expect(shown.headline).toBe(fetched.valid ? 'VALID' : `${c.status === 'unsealed' ? 'NOT SEALED' : 'INVALID'}: ${fetched.code}`);
      if (fetched.valid) {
        expect(shown.facts['Sealed by']).toContain('https://api.example.test');
        expect(shown.facts['Account tag']).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect(shown.facts['Terms']).toContain('local-terms version 2026-02');
        expect(shown.facts['Match']).toBe('exact, every byte');
        expect(shown.facts['Log inclusion']).toMatch(/no log receipt/);
        expect(shown.proves[0]).toMatch(/^https:\/\/api\.example\.test sealed response /);
        expect(shown.doesNotProve.join('\n')).toMatch(/not that what it says is right/);
        expect(JSON.parse(shown.raw)).toMatchObject({ issuer: 'https://api.example.test', model: 'local-model' });
      } else expect(shown.proves).toEqual([]);
    }
    expect(requests).toEqual([]);
    await page.close();
  }, 60_000);

  it('checks a saved answer chosen or dropped as a file, byte for byte: CR LF line ends are not the sealed bytes', async () => {
    const { page } = await open();
    const ok = await checkInPage(page, { file: { name: 'answer.sse', bytes: Buffer.from(saved.sse) } });
    expect(ok.headline).toBe('VALID');
    // Dropped on the input area, as a reader drags a saved file from their desktop.
    await page.fill('#input', '');
    await page.evaluate((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'answer.json', { type: 'application/json' }));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, saved.json);
    await page.waitForFunction(() => (document.getElementById('input-file-status')?.textContent ?? '').startsWith('Loaded answer.json'));
    await page.evaluate(() => (document.getElementById('verdict')!.dataset.state = ''));
    await page.click('#check');
    await page.waitForSelector('#verdict[data-state="done"]');
    expect((await readVerdict(page)).headline).toBe('VALID');
    const crlf = saved.sse.replace(/\n/g, '\r\n');
    const shown = await checkInPage(page, { file: { name: 'answer-crlf.sse', bytes: Buffer.from(crlf) } });
    const fetched = await fetchVerdict(crlf, true);
    expect(fetched.valid).toBe(false);
    expect(shown.headline).toBe(`INVALID: ${(fetched as { code: string }).code}`);
    await page.close();
  }, 30_000);

  it('checks plain text with its envelope, and names a normalized match as such', async () => {
    const { page } = await open();
    // A body saved without its signet member, with the envelope its Signet-Envelope header carried.
    const at = saved.json.lastIndexOf(',"signet":');
    const bare = saved.json.slice(0, at) + saved.json.slice(saved.json.lastIndexOf('}'));
    expect(JSON.parse(bare).signet).toBeUndefined();
    expect((await checkInPage(page, { input: bare, envelope: saved.envelope })).headline).toBe('VALID');
    expect((await checkInPage(page, { input: bare })).headline).toBe('NOT SEALED: SIGNET_E_ENVELOPE_MISSING');

    const exact = await checkInPage(page, { input: saved.text, envelope: saved.envelope });
    expect(exact).toMatchObject({ status: 'valid', headline: 'VALID' });
    expect(exact.facts['Match']).toBe('exact');
    const reflowed = await checkInPage(page, { input: `  ${saved.text.replace(/ /g, '\n')}  `, envelope: saved.envelope });
    expect(reflowed).toMatchObject({ status: 'normalized', headline: 'VALID, NORMALIZED MATCH ONLY' });
    expect(reflowed.doesNotProve.join('\n')).toContain('matches the seal only after normalization');
    const other = await checkInPage(page, { input: `${saved.text} (edited)`, envelope: saved.envelope });
    expect(other).toMatchObject({ status: 'invalid', headline: 'INVALID: SIGNET_E_CONTENT_MISMATCH' });
    const record = await checkInPage(page, { input: JSON.stringify({ text: saved.text, envelope: saved.envelope }) });
    expect(record.headline).toBe('VALID');
    const noEnvelope = await checkInPage(page, { input: saved.text });
    expect(noEnvelope).toMatchObject({ status: 'incomplete', headline: 'NO ENVELOPE' });
    await page.close();
  }, 30_000);

  it("shows an evidence bundle's verdict in the words of verifyEvidence, with the log checked", async () => {
    const page = (await open(pageUrl, providerJwksFile)).page;
    expect(excerptBundle.suspect.method).toBe('fingerprint');
    expect(excerptBundle.suspect.chance).toBeGreaterThan(0);
    for (const b of [bundle, excerptBundle]) {
      const shown = await checkInPage(page, { input: JSON.stringify(b), logKey: log.verifierKey });
      const report = await verifyEvidence(JSON.stringify(b), { trust: provider.jwks, logKey: log.verifierKey });
      expect(report.valid).toBe(true);
      expect(shown).toMatchObject({ status: 'valid', headline: 'VALID' });
      expect(shown.proves).toEqual(report.proves);
      expect(shown.doesNotProve).toEqual(report.doesNotProve);
      expect(shown.checks.map((c) => c.split(' | ')[1])).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
      expect(shown.facts['Log inclusion']).toMatch(/^receipt of log log\.example\.com\/signet: entry \d+ of \d+/);
      expect(shown.facts['Account (disclosed)']).toMatch(/^customer-\d$/);
      if (b.suspect.chance !== undefined) expect(shown.facts['Match']).toContain(chanceInWords(b.suspect.chance));
    }
    const edited = JSON.parse(JSON.stringify(bundle)) as { account: { id: string } };
    edited.account.id = 'customer-3';
    const forged = await checkInPage(page, { input: JSON.stringify(edited), logKey: log.verifierKey });
    expect(forged).toMatchObject({ status: 'invalid', headline: 'INVALID: SIGNET_E_EVIDENCE_SIGNATURE' });
    expect(forged.checks.at(-1)).toMatch(/^signature \| failed \| /);
    // Whatever a bundle holds is shown as text: markup in it adds nothing to the page.
    const marked = JSON.parse(JSON.stringify(bundle)) as { suspect: { id: string } };
    marked.suspect.id = '<img src=x onerror="window.pwned=1">';
    const markedShown = await checkInPage(page, { input: JSON.stringify(marked), logKey: log.verifierKey });
    expect(markedShown.checks[0]).toContain('<img src=x onerror=');
    expect(await page.evaluate(() => [document.querySelectorAll('img').length, (window as { pwned?: number }).pwned])).toEqual([
      0,
      undefined,
    ]);
    const unsigned = await checkInPage(page, { input: JSON.stringify(unsignedBundle) });
    expect(unsigned.headline).toBe('INVALID: SIGNET_E_EVIDENCE_UNSIGNED');
    const allowed = await checkInPage(page, { input: JSON.stringify(unsignedBundle), allowUnsigned: true });
    expect(allowed).toMatchObject({ status: 'unsigned', headline: 'VALID (UNSIGNED)' });
    expect(allowed.facts['Log inclusion']).toMatch(/^not checked/);
    await page.close();
  }, 30_000);

  it('checks a log receipt with its answer and the log key, and asks for the answer when given a receipt alone', async () => {
    const { page } = await open(pageUrl, providerJwksFile);
    const record = JSON.stringify({ text: logged.text, envelope: logged.envelope });
    const checked = await checkInPage(page, { input: record, receipt: logged.receipt, logKey: log.verifierKey });
    expect(checked.headline).toBe('VALID');
    expect(checked.facts['Log inclusion']).toMatch(/^entry 3 of 4 in log log\.example\.com\/signet, committed by /);
    expect(checked.proves.join('\n')).toMatch(/The log log\.example\.com\/signet included the envelope as entry 3/);
    const unchecked = await checkInPage(page, { input: record, receipt: logged.receipt });
    expect(unchecked.facts['Log inclusion']).toBe('not checked: a receipt came, but no log key was given');
    expect(unchecked.doesNotProve[0]).toBe('When the envelope was committed: the receipt was not checked because no log key was given.');
    // A receipt for another envelope fails the check: it is not this answer's.
    const other = Buffer.from((await log.receiptFor('chatcmpl-page2'))!).toString('base64');
    const wrong = await checkInPage(page, { input: record, receipt: other, logKey: log.verifierKey });
    expect(wrong).toMatchObject({ status: 'invalid', headline: 'INVALID: SIGNET_E_RECEIPT_INVALID' });
    const alone = await checkInPage(page, { input: logged.receipt });
    expect(alone).toMatchObject({ status: 'incomplete', headline: 'A LOG RECEIPT: CHECK IT WITH ITS ANSWER' });
    expect(alone.summary).toMatch(/log log\.example\.com\/signet holds entry 3 of a tree of 4/);
    // Chosen as a file of raw COSE bytes, it is read the same way.
    const file = await checkInPage(page, { file: { name: 'receipt.cose', bytes: Buffer.from(logged.receipt, 'base64') } });
    expect(file.headline).toBe('A LOG RECEIPT: CHECK IT WITH ITS ANSWER');
    await page.close();
  }, 30_000);

  it('accepts an answer sealed with a node key that a trusted key delegated, and no other node key', async () => {
    const root = generateSigningKey();
    const node = generateSigningKey();
    const now = Math.floor(Date.now() / 1000);
    const delegate = { issuer: provider.issuer, publicKey: node.publicKey, notBefore: now - 3600, notAfter: now + 3600 };
    attachDelegation(node, signDelegation(root, delegate));
    const stranger = generateSigningKey();
    const rogue = generateSigningKey();
    attachDelegation(rogue, signDelegation(stranger, { ...delegate, publicKey: rogue.publicKey }));
    const text = 'Sealed on a node of the fleet.';
    const seal = (key: typeof node) =>
      createSigner({ issuer: provider.issuer, key, accountSecret: provider.secret, terms: TERMS }).seal({
        account: 'customer-9',
        response: chatResponse('chatcmpl-node', text),
      });
    const rootJwks = join(dir, 'root-jwks.json');
    writeFileSync(rootJwks, JSON.stringify(toJwks([root])));
    const { page } = await open(pageUrl, rootJwks);
    const ok = await checkInPage(page, { input: text, envelope: (await seal(node)).text });
    expect(ok).toMatchObject({ status: 'valid', headline: 'VALID' });
    const refused = await checkInPage(page, { input: text, envelope: (await seal(rogue)).text });
    expect(refused.status).toBe('invalid');
    await page.close();
  }, 30_000);

  it('fetches keys only from a URL the reader gives, and preloads the keys a server put in the page', async () => {
    const server = await startJwksServer(JSON.stringify(gw.jwks));
    try {
      const { page, requests } = await open(pageUrl, null);
      await page.fill('#jwks-url', server.url);
      await page.click('#jwks-fetch');
      await page.waitForFunction(() => /trusted key/.test(document.getElementById('keys-status')?.textContent ?? ''));
      expect((await checkInPage(page, { input: saved.json })).headline).toBe('VALID');
      expect(requests).toEqual([server.url]);
      expect(server.hits()).toBe(1);
      await page.close();
    } finally {
      await server.close();
    }
    const preloaded = join(dir, 'preloaded.html');
    writeFileSync(preloaded, renderVerifyPage({ jwks: gw.jwks, source: 'api.example.test</script><b>' }));
    const { page, requests } = await open(pathToFileURL(preloaded).href, null);
    const status = await page.textContent('#keys-status');
    expect(status).toContain(`from api.example.test</script><b>: ${gw.key.kid}`);
    expect(await page.locator('b').count()).toBe(0);
    expect((await checkInPage(page, { input: saved.sse })).headline).toBe('VALID');
    expect(requests).toEqual([]);
    await page.close();
  }, 30_000);

  it('is usable by keyboard, labels every field, and keeps text contrast at WCAG AA', async () => {
    const { page } = await open();
    await page.fill('#input', saved.json);
    await page.focus('#input');
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.id === 'check');
    }
    expect(reached).toBe(true);
    // The focus shows: an outline that stands out from the page (WCAG non-text contrast, 3:1).
    const ring = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement!);
      return {
        style: style.outlineStyle,
        width: parseFloat(style.outlineWidth),
        color: style.outlineColor,
        page: getComputedStyle(document.body).backgroundColor,
      };
    });
    expect(ring).toMatchObject({ style: 'solid' });
    expect(ring.width).toBeGreaterThanOrEqual(2);
    expect(contrast(ring.color, ring.page)).toBeGreaterThanOrEqual(3);
    await page.evaluate(() => (document.getElementById('verdict')!.dataset.state = ''));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#verdict[data-state="done"]');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('verdict');
    expect((await readVerdict(page)).headline).toBe('VALID');

    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, textarea, select, button')]
        .filter((e) => {
          const labels = (e as HTMLInputElement).labels;
          return (labels === null || labels.length === 0) && (e.textContent ?? '').trim() === '' && !e.getAttribute('aria-label');
        })
        .map((e) => e.id),
    );
    expect(unlabelled).toEqual([]);

    const pairs: [string, string][] = [];
    for (const input of [saved.json, tamperedJson()]) {
      await checkInPage(page, { input });
      pairs.push(
        ...(await page.evaluate(() =>
          ['.banner .headline', '.banner .summary', 'dl.facts dt', 'dl.facts dd', 'ul.claims li', '.help', 'label', 'footer p'].flatMap(
            (sel) => {
              const e = document.querySelector(sel);
              if (e === null) return [];
              let bgEl: Element | null = e;
              let bg = 'rgba(0, 0, 0, 0)';
              while (bgEl !== null && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
                bg = getComputedStyle(bgEl).backgroundColor;
                bgEl = bgEl.parentElement;
              }
              return [[getComputedStyle(e).color, bg] as [string, string]];
            },
          ),
        )),
      );
    }
    for (const [fg, bg] of pairs) expect(contrast(fg, bg), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    await page.close();
  }, 30_000);

  it('fits a phone-width screen and is captured at desktop and phone width', async () => {
    for (const [name, width, height] of [
      ['desktop', 1200, 900],
      ['phone', 390, 844],
    ] as const) {
      for (const [what, input] of [
        ['valid', saved.json],
        ['tampered', tamperedJson()],
        ['unsealed', saved.unsealed],
        ['truncated', truncatedSse()],
        ['bundle', JSON.stringify(bundle)],
      ] as const) {
        const { page } = await open(pageUrl, what === 'bundle' ? providerJwksFile : jwksFile);
        await page.setViewportSize({ width, height });
        await checkInPage(page, { input, ...(what === 'bundle' ? { logKey: log.verifierKey } : {}) });
        await page.evaluate(() => document.querySelector<HTMLDetailsElement>('#raw')?.setAttribute('open', ''));
        // Anything wider than the screen, elements or the text in them, is named.
        const wide = await page.evaluate(() => {
          const out: string[] = [];
          const name = (e: Element | null) =>
            e === null ? '?' : `${e.tagName.toLowerCase()}${e.id === '' ? '' : `#${e.id}`}.${e.className}`;
          for (const e of document.querySelectorAll('body *'))
            if (e.getBoundingClientRect().right > window.innerWidth + 0.5) out.push(name(e));
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
            const range = document.createRange();
            range.selectNodeContents(n);
            if (range.getBoundingClientRect().right > window.innerWidth + 0.5) out.push(`text in ${name(n.parentElement)}`);
          }
          if (document.documentElement.scrollWidth > window.innerWidth) out.push(`page ${document.documentElement.scrollWidth}px wide`);
          return out;
        });
        expect(wide, `${name} ${what}`).toEqual([]);
        const shot = join(shots, `verify-page-${what}-${name}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
        await page.close();
      }
    }
  }, 60_000);
});
