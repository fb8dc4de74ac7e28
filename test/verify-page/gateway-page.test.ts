import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandIO, main, parseArgs, type StartedGateway, startGatewayFromArgs } from 'signet';
import { repoRoot } from '../support/vectors.js';
import { startUpstream, type Upstream } from '../support/upstream.js';
import { CHROMIUM, checkInPage, launchChromium } from './page-fixtures.js';

/**
 * The page where readers find it: served by `signet gateway` at /signet/verify with the gateway's
 * own keys preloaded (no API key needed), and written by `signet verify-page --out DIR` for static
 * hosting. Both are opened in Chromium and check an answer of that gateway with no keys given.
 */

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI === 'true') {
    it('has chromium under CI', () => {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    });
  } else console.warn(`verifier page browser test skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
}

function captureIO(): CommandIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), stdin: async () => new Uint8Array(), env: {} };
}

describe.skipIf(!haveChromium)('the verifier page, served by the gateway and written for static hosting', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-gwpage-'));
  const keys = join(dir, 'keys');
  let upstream: Upstream;
  let started: StartedGateway;
  let chrome: Awaited<ReturnType<typeof launchChromium>>;
  let answer = '';

  beforeAll(async () => {
    upstream = await startUpstream();
    expect(await main(['keys', 'new', '--out', keys], captureIO())).toBe(0);
    const terms = join(dir, 'terms.json');
    writeFileSync(
      terms,
      JSON.stringify({ id: 'page-terms', version: '1', uri: 'https://api.example.test/terms/1', document: 'No training.' }),
    );
    const accounts = join(dir, 'accounts.json');
    const add = captureIO();
    expect(await main(['accounts', 'add', '--file', accounts, '--account', 'acct_page', '--terms-version', '1'], add)).toBe(0);
    const apiKey = add.out.join('').trim();
    const argv = ['--upstream', upstream.url, '--keys', keys, '--accounts', accounts, '--terms', terms, '--port', '0'];
    started = await startGatewayFromArgs(
      parseArgs([...argv, '--issuer', 'https://api.example.test'], {
        upstream: 'string',
        keys: 'string',
        accounts: 'string',
        terms: 'string',
        port: 'string',
        issuer: 'string',
      }),
      captureIO(),
    );
    const r = await fetch(`${started.server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'local-model', messages: [{ role: 'user', content: 'a link to check this' }] }),
    });
    expect(r.status).toBe(200);
    answer = await r.text();
    chrome = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await chrome?.close();
    await started?.close();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the gateway serves the page at /signet/verify without an API key, its keys preloaded', async () => {
    const head = await fetch(`${started.server.url}/signet/verify`);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(head.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    await head.arrayBuffer();
    const kid = JSON.parse(readFileSync(join(keys, 'jwks.json'), 'utf8')).keys[0].kid as string;

    const page = await chrome.browser.newPage();
    const requests: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    await page.goto(`${started.server.url}/signet/verify`);
    expect(await page.textContent('#keys-status')).toBe(`1 trusted key from https://api.example.test: ${kid}`);
    const shown = await checkInPage(page, { input: answer });
    expect(shown).toMatchObject({ status: 'valid', headline: 'VALID' });
    expect(shown.facts['Sealed by']).toBe(`https://api.example.test (key ${kid})`);
    const tampered = await checkInPage(page, { input: answer.replace('"content":"', '"content":"Not ') });
    expect(tampered.headline).toBe('INVALID: SIGNET_E_CONTENT_BODY_MISMATCH');
    // The page itself, nothing more: the check runs in the browser.
    expect(requests).toEqual([`${started.server.url}/signet/verify`]);
    await page.close();
  }, 30_000);

  it('signet verify-page --out DIR writes the page, with the keys of --jwks preloaded', async () => {
    const plain = captureIO();
    expect(await main(['verify-page', '--out', join(dir, 'site')], plain)).toBe(0);
    const site = join(dir, 'site', 'index.html');
    expect(statSync(site).mode & 0o777).toBe(0o644);
    expect(plain.err.join('')).toMatch(/^wrote .*index\.html\n$/);

    const io = captureIO();
    const code = await main(
      ['verify-page', '--out', join(dir, 'preloaded'), '--jwks', join(keys, 'jwks.json'), '--source', 'api.example.test'],
      io,
    );
    expect(code).toBe(0);
    expect(io.err.join('')).toMatch(/^wrote .*index\.html\n$/);
    const page = await chrome.browser.newPage();
    const requests: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith('file:')) requests.push(req.url());
    });
    await page.goto(pathToFileURL(join(dir, 'preloaded', 'index.html')).href);
    expect(await page.textContent('#keys-status')).toMatch(/^1 trusted key from api\.example\.test: /);
    expect((await checkInPage(page, { input: answer })).headline).toBe('VALID');
    expect(requests).toEqual([]);
    await page.close();

    // The private key never goes into a public page, even if given by mistake.
    const privateJwks = join(dir, 'private-jwks.json');
    writeFileSync(privateJwks, JSON.stringify({ keys: [JSON.parse(readFileSync(join(keys, 'signing-key.jwk'), 'utf8'))] }));
    const bad = captureIO();
    expect(await main(['verify-page', '--out', join(dir, 'bad'), '--jwks', privateJwks], bad)).toBe(2);
    expect(bad.err.join('')).toMatch(/^signet verify-page: SIGNET_E_KEY_INVALID: A private key was given/);
    expect(existsSync(join(dir, 'bad', 'index.html'))).toBe(false);
    expect(await main(['verify-page'], captureIO())).toBe(2);
    const missing = captureIO();
    expect(await main(['verify-page', '--out', join(dir, 'bad'), '--jwks', join(dir, 'no-such.json')], missing)).toBe(2);
    expect(missing.err.join('')).toMatch(/^signet verify-page: SIGNET_E_INPUT_INVALID: Cannot read the JWKS file /);
  }, 30_000);

  it('the command of docs/client-guide.md runs as written', async () => {
    const guide = readFileSync(join(repoRoot, 'docs', 'client-guide.md'), 'utf8');
    const line = guide.split('\n').find((l) => l.startsWith('signet verify-page '));
    expect(line).toBeDefined();
    // The guide's relative folders, here in a temp folder.
    const argv = line!
      .split(' ')
      .slice(1)
      .map((a) => (a === 'site' ? join(dir, 'guide-site') : a === 'keys/jwks.json' ? join(keys, 'jwks.json') : a));
    expect(await main(argv, captureIO())).toBe(0);
    expect(readFileSync(join(dir, 'guide-site', 'index.html'), 'utf8')).toContain('"source":"api.example.com"');
  });
});
