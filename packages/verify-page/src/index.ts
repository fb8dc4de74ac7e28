/**
 * @signet/verify-page: the verifier page as one self-contained HTML file. It checks answers (a
 * response JSON as received, a saved event stream, a record, plain text with its envelope),
 * evidence bundles and log receipts in the browser with `@signet/verify`, and explains the verdict
 * to a reader who is not an engineer. It needs no server of its own; its only network request is
 * fetching a JWKS from a URL the reader types, which its Content-Security-Policy allows and
 * nothing else.
 *
 * @packageDocumentation
 */
export { renderVerifyPage, VERIFY_PAGE_CSP, VERIFY_PAGE_PATH, type VerifyPageOptions } from './page.js';
export { createVerifyPageRoute, type VerifyPageRouteOptions } from './route.js';
