import { toBase64url } from '@signet/core';
import { trustFrom } from './answer-check.js';
import { check } from './check.js';
import { renderVerdict } from './render.js';

/**
 * The page's wiring: reads what the reader gives (typed, pasted, chosen or dropped), fetches a JWKS
 * only from a URL the reader typed, runs the check and shows the verdict. Runs in the browser.
 */

const MAX_INPUT_BYTES = 8 * 1024 * 1024;
const MAX_JWKS_BYTES = 1024 * 1024;
const JWKS_TIMEOUT_MS = 10_000;

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node as T;
}

const form = byId<HTMLFormElement>('form');
const input = byId<HTMLTextAreaElement>('input');
const inputFile = byId<HTMLInputElement>('input-file');
const inputStatus = byId<HTMLElement>('input-file-status');
const drop = byId<HTMLElement>('drop');
const envelope = byId<HTMLTextAreaElement>('envelope');
const jwks = byId<HTMLTextAreaElement>('jwks');
const jwksFile = byId<HTMLInputElement>('jwks-file');
const jwksUrl = byId<HTMLInputElement>('jwks-url');
const jwksFetch = byId<HTMLButtonElement>('jwks-fetch');
const keysStatus = byId<HTMLElement>('keys-status');
const logKey = byId<HTMLInputElement>('log-key');
const receipt = byId<HTMLTextAreaElement>('receipt');
const allowUnsigned = byId<HTMLInputElement>('allow-unsigned');
const checkButton = byId<HTMLButtonElement>('check');
const verdictSection = byId<HTMLElement>('verdict');
const verdictBody = byId<HTMLElement>('verdict-body');

/**
 * A file's text exactly as read. A textarea turns CR LF into LF, so the check uses the file's own
 * text for as long as the reader has not edited the field: the bytes checked are the bytes saved.
 */
let loaded: string | undefined;

function describeKeys(text: string, from: string): void {
  const trust = trustFrom(text);
  if (typeof trust === 'string') {
    keysStatus.textContent = `The keys from ${from} are not a usable JWKS: ${trust}`;
    return;
  }
  const kids = trust.keys().map((k) => k.kid);
  keysStatus.textContent = `${kids.length} trusted key${kids.length === 1 ? '' : 's'} from ${from}: ${kids.join(', ')}`;
}

async function readFile(file: File): Promise<string> {
  if (file.size > MAX_INPUT_BYTES) throw new Error(`${file.name} is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  // Receipts and envelopes saved as raw COSE bytes are shown as base64url text.
  if (bytes[0] === 0xd2 || bytes[0] === 0x84) return toBase64url(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new Error(`${file.name} is neither UTF-8 text nor a COSE object`);
  }
}

async function loadInput(file: File): Promise<void> {
  try {
    const text = await readFile(file);
    input.value = text;
    loaded = text;
    inputStatus.textContent = `Loaded ${file.name} (${file.size} bytes).`;
  } catch (e) {
    loaded = undefined;
    inputStatus.textContent = `Could not read the file: ${(e as Error).message}.`;
  }
}

input.addEventListener('input', () => {
  loaded = undefined;
  inputStatus.textContent = '';
});
inputFile.addEventListener('change', () => {
  const file = inputFile.files?.[0];
  if (file !== undefined) void loadInput(file);
});
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer?.files[0];
  if (file !== undefined) void loadInput(file);
  else {
    const text = e.dataTransfer?.getData('text/plain');
    if (text !== undefined && text !== '') {
      input.value = text;
      loaded = text;
      inputStatus.textContent = 'Dropped text.';
    }
  }
});

jwksFile.addEventListener('change', () => {
  const file = jwksFile.files?.[0];
  if (file === undefined) return;
  if (file.size > MAX_JWKS_BYTES) {
    keysStatus.textContent = `${file.name} is too large to be a JWKS.`;
    return;
  }
  void file.text().then((text) => {
    jwks.value = text;
    describeKeys(text, file.name);
  });
});
jwks.addEventListener('input', () => describeKeys(jwks.value, 'the pasted JWKS'));

/** The one network request the page makes: the JWKS at a URL the reader typed, without credentials. */
async function fetchKeys(): Promise<void> {
  const raw = jwksUrl.value.trim();
  let url: URL;
  try {
    url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http');
  } catch {
    keysStatus.textContent = 'Give the JWKS as an http or https URL.';
    jwksUrl.focus();
    return;
  }
  keysStatus.textContent = `Fetching keys from ${url.href}…`;
  jwksFetch.disabled = true;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), JWKS_TIMEOUT_MS);
  try {
    const response = await fetch(url, { credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer', signal: abort.signal });
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_JWKS_BYTES) throw new Error('the document is too large to be a JWKS');
    jwks.value = text;
    describeKeys(text, url.host);
  } catch (e) {
    const why = abort.signal.aborted ? 'it took too long' : (e as Error).message;
    keysStatus.textContent = `The keys could not be fetched from ${url.href} (${why}). The server may not let other pages read it: download the JWKS and choose the file instead.`;
  } finally {
    clearTimeout(timer);
    jwksFetch.disabled = false;
  }
}
jwksFetch.addEventListener('click', () => void fetchKeys());
jwksUrl.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    void fetchKeys();
  }
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void (async () => {
    checkButton.disabled = true;
    verdictSection.hidden = false;
    verdictBody.textContent = 'Checking…';
    verdictSection.dataset.state = 'checking';
    try {
      const verdict = await check({
        input: loaded ?? input.value,
        envelope: envelope.value,
        jwks: jwks.value,
        logKey: logKey.value,
        receipt: receipt.value,
        allowUnsigned: allowUnsigned.checked,
      });
      renderVerdict(verdictBody, verdict);
    } catch (err) {
      verdictBody.textContent = `The check could not run: ${(err as Error).message}`;
    } finally {
      verdictSection.dataset.state = 'done';
      checkButton.disabled = false;
      verdictSection.focus();
    }
  })();
});

/** Keys a server put into the page it serves (the gateway preloads its own JWKS). */
function preload(): void {
  const node = document.getElementById('signet-preloaded');
  const text = node?.textContent?.trim() ?? '';
  if (text === '' || text.startsWith('/*')) return;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const { jwks: keys, source } = value as { jwks?: unknown; source?: unknown };
  if (keys === undefined) return;
  jwks.value = JSON.stringify(keys, null, 2);
  describeKeys(jwks.value, typeof source === 'string' && source !== '' ? source : 'this server');
}
preload();
