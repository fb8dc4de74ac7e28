import { parseJwks, toJwks } from '@signet/core';
import { PAGE_CSP, PAGE_HTML, PRELOAD_MARK } from './html.js';

/** The verifier page's HTML, with keys preloaded or not. */

/** Where the gateway serves the page. */
export const VERIFY_PAGE_PATH = '/signet/verify';

/** The Content-Security-Policy the page carries (as a meta element too): inline code by hash only, network for `fetch` only. */
export const VERIFY_PAGE_CSP: string = PAGE_CSP;

/** Options of {@link renderVerifyPage}. */
export interface VerifyPageOptions {
  /**
   * Keys to preload (a JWKS document, or its text), so a reader need not find them: a provider's own
   * keys. They are parsed strictly and only their public members go into the page: a private key
   * throws `SIGNET_E_KEY_INVALID` instead of being published.
   */
  readonly jwks?: unknown;
  /** Who the preloaded keys belong to, as the page names them ("api.example.com"). */
  readonly source?: string;
}

/**
 * The page's HTML. With `jwks`, the keys are preloaded: the page shows them as the trusted keys,
 * and the reader can still replace them.
 */
export function renderVerifyPage(options: VerifyPageOptions = {}): string {
  if (options.jwks === undefined) return PAGE_HTML;
  const jwks = toJwks(parseJwks(options.jwks));
  const data = JSON.stringify({ jwks, ...(options.source === undefined ? {} : { source: options.source }) });
  // Inside a script element, "<" could close it: as \u003c the JSON means the same and cannot.
  const safe = data
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return PAGE_HTML.replace(PRELOAD_MARK, () => safe);
}
