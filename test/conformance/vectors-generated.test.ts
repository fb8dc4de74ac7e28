import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type CryptoBackend } from '@signet/core';
import { nobleBackend } from '@signet/core/noble';
import { nodeBackend } from '@signet/core/node';
import { createVerifier, type VerificationPolicy, type VerificationResult } from '@signet/verify';
import { generateVectors, VECTORS_FORMAT, type VectorCase, type VectorFile } from '../../scripts/vectors-generate.js';
import { repoRoot } from '../support/vectors.js';

// The committed vectors in docs/vectors/ must be exactly what the generator writes today, and every
// vector must get its stated verdict from the verifier, on both crypto backends.

const dir = join(repoRoot, 'docs', 'vectors');
const generated = await generateVectors();
const committed = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const files = committed.map((name) => [name, JSON.parse(readFileSync(join(dir, name), 'utf8')) as VectorFile] as const);

const REQUIRED_FAMILIES = [
  'valid',
  'bit-flip',
  'truncation',
  'trailing-bytes',
  'swapped-account',
  'swapped-terms',
  'wrong-key',
  'expired-key',
  'wrong-request',
  'normalized-text',
];

function policyOf(c: VectorCase): VerificationPolicy {
  return { ...(c.policy ?? {}) } as VerificationPolicy;
}

async function run(file: VectorFile, c: VectorCase, backend: CryptoBackend): Promise<VerificationResult> {
  const jwks = file.jwks[c.trust];
  expect(jwks, `JWKS ${c.trust}`).toBeDefined();
  const verifier = createVerifier({ trust: jwks!, now: () => c.now * 1000, policy: policyOf(c), backend });
  const input = {
    ...(c.text === undefined ? {} : { text: c.text }),
    ...(c.choice === undefined ? {} : { choice: c.choice }),
    ...(c.response === undefined ? {} : { response: c.response }),
    ...(c.request === undefined ? {} : { request: c.request }),
    ...(c.termsDocument === undefined ? {} : { termsDocument: c.termsDocument }),
  };
  return file.profile === 'jws' ? verifier.verifyJws(c.envelope, input) : verifier.verify(c.envelope, input);
}

describe('generated vectors (docs/vectors)', () => {
  it('the committed files are exactly what scripts/gen-vectors.ts generates', () => {
    expect(committed).toEqual([...generated.keys()].sort());
    for (const [name, text] of generated) {
      // Compare as text: any change in bytes, order or formatting counts.
      expect(readFileSync(join(dir, name), 'utf8'), `docs/vectors/${name} is stale: run node --import tsx scripts/gen-vectors.ts`).toBe(
        text,
      );
    }
  });

  it('generation is deterministic', async () => {
    const again = await generateVectors();
    for (const [name, text] of generated) expect(again.get(name)).toBe(text);
  });

  it('every file has the format, valid and invalid cases, and every mutation family', () => {
    const families = new Set<string>();
    for (const [, file] of files) {
      expect(file.format).toBe(VECTORS_FORMAT);
      for (const c of file.cases) {
        families.add(c.family);
        expect(typeof c.desc).toBe('string');
        // Exactly one of want / wantErr, and a stable code with every wantErr.
        expect((c.want === undefined) !== (c.wantErr === undefined)).toBe(true);
        if (c.wantErr === true) expect(c.code !== undefined && c.code in ERROR_CODES).toBe(true);
      }
      expect(file.cases.some((c) => c.want !== undefined)).toBe(true);
      expect(file.cases.some((c) => c.wantErr === true)).toBe(true);
    }
    for (const f of REQUIRED_FAMILIES) expect([...families]).toContain(f);
  });

  for (const [name, file] of files) {
    for (const backend of [nodeBackend, nobleBackend]) {
      it(`${name}: every vector gets its verdict and code (${backend.name} backend)`, async () => {
        const wrong: string[] = [];
        for (const c of file.cases) {
          const r = await run(file, c, backend);
          const got = r.valid
            ? { valid: true, match: r.content?.match, requestChecked: r.requestChecked }
            : { valid: false, code: r.code, step: r.step };
          const want =
            c.want !== undefined
              ? { valid: true, match: c.want.match, requestChecked: c.want.requestChecked }
              : { valid: false, code: c.code, step: c.step };
          if (JSON.stringify(got) !== JSON.stringify(want))
            wrong.push(`${c.family}: ${c.desc}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
        }
        expect(wrong).toEqual([]);
      });
    }
  }
});
