// Written by build.mjs into dist/html.js: the page as one HTML file, scripts and styles inline.

/** The verifier page, with a placeholder where a server may preload its keys. */
export declare const PAGE_HTML: string;
/** The placeholder in {@link PAGE_HTML} that {@link renderVerifyPage} fills. */
export declare const PRELOAD_MARK: string;
/** The page's Content-Security-Policy (also in the page as a meta element). */
export declare const PAGE_CSP: string;
