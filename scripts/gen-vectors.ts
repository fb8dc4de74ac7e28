/**
 * Writes the generated test vectors to docs/vectors/. Run from the repository root:
 *
 *   node --import tsx scripts/gen-vectors.ts          # write the files
 *   node --import tsx scripts/gen-vectors.ts --check  # exit 1 if the committed files differ
 *
 * The packages are loaded from their TypeScript sources (the `source` export condition), so no build
 * is needed: without that condition the script starts itself again with it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Vectors from './vectors-generate.js';

type VectorsModule = typeof Vectors;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'docs', 'vectors');

if (!process.execArgv.includes('--conditions=source')) {
  const r = spawnSync(
    process.execPath,
    ['--conditions=source', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  process.exit(r.status ?? 1);
}

const { generateVectors } = (await import(pathToFileURL(join(root, 'scripts', 'vectors-generate.ts')).href)) as VectorsModule;
const files = await generateVectors();
const check = process.argv.includes('--check');
let stale = 0;
mkdirSync(outDir, { recursive: true });
for (const [name, text] of files) {
  const path = join(outDir, name);
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) {
    console.log(`unchanged ${join('docs', 'vectors', name)}`);
    continue;
  }
  stale++;
  if (check) console.error(`differs   ${join('docs', 'vectors', name)}`);
  else {
    writeFileSync(path, text);
    console.log(`wrote     ${join('docs', 'vectors', name)} (${JSON.parse(text).cases.length} cases)`);
  }
}
if (check && stale > 0) {
  console.error(
    'The committed vectors differ from what the generator writes: run `node --import tsx scripts/gen-vectors.ts` and review the diff.',
  );
  process.exit(1);
}
