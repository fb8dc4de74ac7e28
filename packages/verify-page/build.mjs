// Builds the verifier page: bundles src/main.ts for browsers (from the workspace packages' sources,
// with the portable crypto backend), inlines it and the styles into src/page.html, and writes
// dist/verify.html and dist/html.js (the page as a string, for the gateway and the CLI).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const PRELOAD_MARK = '/*PRELOADED*/';

const bundled = await build({
  entryPoints: [join(here, 'src', 'main.ts')],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  // `source` maps the workspace packages to their TypeScript sources; the browser platform leaves
  // out the `node` condition, so core's default backend is the portable one.
  conditions: ['source'],
  minify: true,
  legalComments: 'none',
  write: false,
  logLevel: 'warning',
});
// Inside an inline script, "</script" would end it early.
const script = bundled.outputFiles[0].text.replace(/<\/(script)/gi, '<\\/$1');
const style = readFileSync(join(here, 'src', 'page.css'), 'utf8');
const hash = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const csp = [
  "default-src 'none'",
  `script-src ${hash(script)}`,
  `style-src ${hash(style)}`,
  // The one request the page makes: a JWKS at a URL the reader typed.
  'connect-src https: http:',
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const template = readFileSync(join(here, 'src', 'page.html'), 'utf8');
const CHARSET = '<meta charset="utf-8" />';
for (const mark of ['/*STYLE*/', '/*SCRIPT*/', PRELOAD_MARK, CHARSET])
  if (template.split(mark).length !== 2) throw new Error(`page.html must hold ${mark} exactly once`);
const html = template
  .replace(CHARSET, () => `${CHARSET}\n    <meta http-equiv="Content-Security-Policy" content="${csp}" />`)
  // The whole element is replaced, so its text is exactly what the policy's hash covers.
  .replace(/<style>\s*\/\*STYLE\*\/\s*<\/style>/, () => `<style>${style}</style>`)
  .replace(/<script>\s*\/\*SCRIPT\*\/\s*<\/script>/, () => `<script>${script}</script>`);
if (html.includes('/*STYLE*/') || html.includes('/*SCRIPT*/'))
  throw new Error('page.html must hold <style>/*STYLE*/</style> and <script>/*SCRIPT*/</script>');

const dist = join(here, 'dist');
mkdirSync(dist, { recursive: true });
writeFileSync(join(dist, 'verify.html'), html);
writeFileSync(
  join(dist, 'html.js'),
  `export const PAGE_HTML = ${JSON.stringify(html)};\nexport const PRELOAD_MARK = ${JSON.stringify(PRELOAD_MARK)};\nexport const PAGE_CSP = ${JSON.stringify(csp)};\n`,
);
writeFileSync(join(dist, 'html.d.ts'), readFileSync(join(here, 'src', 'html.d.ts'), 'utf8'));
