import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_AI_TRAINING, SigningKey, toJwks, utf8 } from '@signet/core';
import { nodeBackend } from '@signet/core/node';
import { createSigner } from '@signet/server';
import type * as VerifyModule from '@signet/verify';
import { repoRoot } from '../support/vectors.js';

// @signet/verify must ship to browsers: bundled for the browser it must pull in no Node built-ins,
// no database driver and no signing code, must use the portable (noble) backend, and must work.

const here = dirname(fileURLToPath(import.meta.url));

async function bundle(minify: boolean) {
  // The unminified build keeps identifiers (so names can be searched for) but drops comments.
  return build({
    stdin: { contents: "export * from '@signet/verify';", resolveDir: here, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // `source` maps the workspace packages to their TypeScript sources (no build needed); the
    // browser platform leaves out the `node` condition, so '#default-backend' resolves to noble.
    conditions: ['source'],
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers: minify,
    legalComments: 'none',
    treeShaking: true,
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
}

let text = '';
let metafile: Metafile;
let minifiedBytes = 0;
let gzippedBytes = 0;
const dir = mkdtempSync(join(tmpdir(), 'signet-bundle-'));

beforeAll(async () => {
  const plain = await bundle(false);
  text = plain.outputFiles[0]!.text;
  metafile = plain.metafile;
  const min = await bundle(true);
  minifiedBytes = min.outputFiles[0]!.contents.length;
  gzippedBytes = gzipSync(min.outputFiles[0]!.contents).length;
  writeFileSync(join(dir, 'verify.browser.mjs'), min.outputFiles[0]!.contents);
  console.log(
    `@signet/verify browser bundle: ${minifiedBytes} bytes minified, ${gzippedBytes} bytes gzipped, ${Object.keys(metafile.inputs).length} modules`,
  );
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const inputs = (): string[] => Object.keys(metafile.inputs).map((p) => relative(repoRoot, join(repoRoot, p)).split('\\').join('/'));

describe('@signet/verify browser bundle', () => {
  it('has no Node built-ins', () => {
    expect(
      inputs().filter(
        (p) => p.startsWith('node:') || /^(crypto|fs|path|os|child_process|net|http|https|zlib|stream|buffer|worker_threads)$/.test(p),
      ),
    ).toEqual([]);
    for (const output of Object.values(metafile.outputs)) expect(output.imports.filter((i) => i.external)).toEqual([]);
    expect(text).not.toMatch(/\bfrom\s*["']node:/);
    expect(text).not.toMatch(/\bimport\(\s*["']node:/);
    expect(text).not.toMatch(/\brequire\(\s*["'](node:)?(crypto|fs|path|os|child_process)["']\)/);
  });

  it('has no storage drivers and no server or signing code', () => {
    const files = inputs();
    expect(files.filter((p) => /better-sqlite3|node_modules\/(\.pnpm\/)?pg[@/]|\/pg\//.test(p))).toEqual([]);
    expect(
      files.filter(
        (p) =>
          p.includes('packages/server/') || p.includes('packages/log/') || p.includes('packages/registry/') || p.includes('packages/cli/'),
      ),
    ).toEqual([]);
    expect(text).not.toContain('better-sqlite3');
    expect(text).not.toMatch(/\bcreateSigner\b/);
    expect(text).not.toMatch(/\bCompactSign\b/);
    expect(text).not.toMatch(/\bsignEnvelope\b/);
    expect(text).not.toMatch(/\bgenerateSigningKey\b/);
    // No signing key class either: a verifier never holds a private key.
    expect(text).not.toMatch(/\btoPrivateJwk\b/);
    const shipped = Object.values(metafile.outputs).flatMap((o) =>
      Object.entries(o.inputs)
        .filter(([, v]) => v.bytesInOutput > 0)
        .map(([p]) => p),
    );
    expect(shipped.some((p) => p.includes('packages/core/src/keys/signing-key'))).toBe(false);
    expect(shipped.some((p) => p.includes('packages/core/src/keys/hybrid-key'))).toBe(false);
  });

  it('decodes CBOR with the bounded decoder of core, not a general CBOR library', () => {
    expect(inputs().filter((p) => p.includes('cbor-x'))).toEqual([]);
    expect(inputs().some((p) => p.includes('packages/core/src/format/cbor-decode'))).toBe(true);
  });

  it('uses the noble backend, not node:crypto', () => {
    const files = inputs();
    expect(files.some((p) => p.includes('packages/core/src/backend/noble'))).toBe(true);
    expect(files.some((p) => p.includes('packages/core/src/backend/node'))).toBe(false);
    expect(files.some((p) => p.includes('@noble/ed25519') || p.includes('@noble+ed25519'))).toBe(true);
  });

  it('reports its size and stays small', () => {
    expect(minifiedBytes).toBeGreaterThan(1000);
    // A budget, not a benchmark: the verifier and its crypto should stay well under this.
    expect(gzippedBytes).toBeLessThan(150 * 1024);
  });

  it('works: the bundle verifies a sealed envelope and rejects a tampered one', async () => {
    const verify = (await import(pathToFileURL(join(dir, 'verify.browser.mjs')).href)) as typeof VerifyModule;
    const key = new SigningKey(nodeBackend.sha256(utf8('bundle key')), {}, nodeBackend);
    const signer = createSigner({
      issuer: 'https://api.example.com',
      key,
      accountSecret: new Uint8Array(32).fill(5),
      terms: { id: 't', version: '1', uri: 'https://example.com/t', document: 'd', usage: NO_AI_TRAINING },
    });
    const sealed = await signer.seal({ account: 'acct', response: 'Bundled and verified.', model: 'm', request: { q: 1 } });
    const verifier = verify.createVerifier({ trust: toJwks([key]) });
    expect(await verifier.verify(sealed.text, { text: 'Bundled and verified.', request: { q: 1 } })).toMatchObject({
      valid: true,
      content: { match: 'exact' },
      requestChecked: true,
    });
    expect(await verifier.verify(sealed.text, { text: 'Bundled and altered.' })).toMatchObject({
      valid: false,
      code: 'SIGNET_E_CONTENT_MISMATCH',
    });
    const tampered = Uint8Array.from(sealed.envelope);
    tampered[tampered.length - 1]! ^= 1;
    expect(await verifier.verify(tampered, { text: 'Bundled and verified.' })).toMatchObject({
      valid: false,
      code: 'SIGNET_E_SIG_INVALID',
    });
    const { jws } = await signer.sealJws({ account: 'acct', response: 'JSON profile.', model: 'm' });
    expect(await verifier.verifyJws(jws, { text: 'JSON profile.' })).toMatchObject({ valid: true });
  });
});
