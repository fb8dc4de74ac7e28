import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getDefaultBackend, verifyConsistency, verifyInclusion } from '@signet/core';
import { nobleBackend as noble } from '@signet/core/noble';

// The transparency-dev Merkle vectors live next to the repository: ../shared/vectors/merkle.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const folder = resolve(repoRoot, '..', 'shared', 'vectors', 'merkle');
const present = existsSync(folder);
if (!present && process.env.CI === 'true') throw new Error(`Merkle test vectors missing: ${folder}`);
if (!present) console.warn(`skipping Merkle vectors: folder ${folder} not found`);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : name.endsWith('.json') ? [p] : [];
  });
}

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const backends = [getDefaultBackend(), noble];

describe.skipIf(!present)('RFC 9162 vectors (transparency-dev/merkle)', () => {
  const inclusion = present ? files(join(folder, 'inclusion')) : [];
  const consistency = present ? files(join(folder, 'consistency')) : [];

  it('finds the vector files', () => {
    expect(inclusion.length).toBeGreaterThan(50);
    expect(consistency.length).toBeGreaterThan(50);
  });

  for (const backend of backends) {
    it(`every inclusion case gives its verdict (${backend.name})`, () => {
      let checked = 0;
      for (const f of inclusion) {
        const v = JSON.parse(readFileSync(f, 'utf8')) as {
          leafIdx: number;
          treeSize: number;
          root: string;
          leafHash: string;
          proof: string[] | null;
          wantErr: boolean;
          desc: string;
        };
        const ok = verifyInclusion(backend, v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root));
        expect(ok, `${f.slice(folder.length)}: ${v.desc}`).toBe(!v.wantErr);
        checked++;
      }
      expect(checked).toBe(inclusion.length);
    });

    it(`every consistency case gives its verdict (${backend.name})`, () => {
      for (const f of consistency) {
        const v = JSON.parse(readFileSync(f, 'utf8')) as {
          size1: number;
          size2: number;
          root1: string;
          root2: string;
          proof: string[] | null;
          wantErr: boolean;
          desc: string;
        };
        const ok = verifyConsistency(backend, v.size1, v.size2, b64(v.root1), b64(v.root2), (v.proof ?? []).map(b64));
        expect(ok, `${f.slice(folder.length)}: ${v.desc}`).toBe(!v.wantErr);
      }
    });
  }
});
