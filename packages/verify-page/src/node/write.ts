import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SignetError } from '@signet/core';
import { renderVerifyPage } from '../page.js';

/** The largest JWKS file read. */
const MAX_JWKS_BYTES = 1_000_000;

function readJwks(path: string): string {
  try {
    if (statSync(path).size > MAX_JWKS_BYTES) throw new SignetError('SIGNET_E_PARSE_TOO_LARGE', `${path} is larger than 1 MB.`);
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof SignetError) throw e;
    throw new SignetError('SIGNET_E_INPUT_INVALID', `Cannot read the JWKS file ${path}.`, { cause: e });
  }
}

/**
 * Writes the verifier page for static hosting as `DIR/index.html` (mode 0644). With `jwksFile`, its
 * public keys are preloaded (a private key is refused), named by `source` (default: the file's
 * name). Returns the path written. Node only.
 */
export function writeVerifyPage(dir: string, jwksFile?: string, source?: string): string {
  const html = renderVerifyPage(jwksFile === undefined ? {} : { jwks: readJwks(jwksFile), source: source ?? basename(jwksFile) });
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'index.html');
  writeFileSync(out, html, { mode: 0o644 });
  return out;
}
