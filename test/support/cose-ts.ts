import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type * as Ed25519 from '@ldclabs/cose-ts/ed25519';
import type * as Header from '@ldclabs/cose-ts/header';
import type * as Sign1 from '@ldclabs/cose-ts/sign1';
import type * as Utils from '@ldclabs/cose-ts/utils';

/**
 * Loads @ldclabs/cose-ts. Its published ESM uses extensionless relative imports, which Node's
 * loader refuses, so it is bundled once with esbuild (resolved from the test package) and the
 * bundle imported. The library code itself is used unchanged.
 */
export type CoseTs = typeof Ed25519 & typeof Header & typeof Sign1 & typeof Utils;

let loaded: Promise<CoseTs> | undefined;

export function loadCoseTs(): Promise<CoseTs> {
  loaded ??= (async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const result = await build({
      stdin: {
        contents: [
          "export { Ed25519Key } from '@ldclabs/cose-ts/ed25519';",
          "export { Header } from '@ldclabs/cose-ts/header';",
          "export { Sign1Message } from '@ldclabs/cose-ts/sign1';",
          "export * from '@ldclabs/cose-ts/utils';",
        ].join('\n'),
        resolveDir: here,
        loader: 'js',
      },
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      write: false,
      logLevel: 'silent',
    });
    const dir = mkdtempSync(join(tmpdir(), 'signet-cose-ts-'));
    try {
      const file = join(dir, 'cose-ts.mjs');
      writeFileSync(file, result.outputFiles[0]!.contents);
      return (await import(pathToFileURL(file).href)) as CoseTs;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return loaded;
}
