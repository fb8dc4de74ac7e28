import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getDefaultBackend } from '../primitives/crypto.js';
import { digestContent } from './content.js';
import { isSignetError } from '../primitives/errors.js';
import { createExcerptProof, verifyExcerptProof, type ExcerptProof } from './excerpt.js';

const backend = getDefaultBackend();
const paragraph = (i: number): string =>
  `Paragraph ${i}: the quick brown fox jumps over the lazy dog, and then it naps in the warm afternoon sun while the farmer counts sheep number ${i * 7}. `;
const text = Array.from({ length: 40 }, (_, i) => paragraph(i)).join('\n\n');
const digests = digestContent(backend, text);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isSignetError(e) ? e.code : 'other';
  }
  return undefined;
}

describe('excerpt proofs', () => {
  it('proves a paragraph while revealing only the chunks that cover it', () => {
    const excerpt = `  ${paragraph(5)}  `;
    const proof = createExcerptProof(backend, text, excerpt);
    expect(proof.chunkCount).toBe(digests.chunkCount);
    expect(proof.chunks.length).toBeLessThan(digests.chunkCount);
    const result = verifyExcerptProof(backend, digests, proof, excerpt);
    expect(result.revealed).toContain(paragraph(5).trim());
    expect(result.revealed.length).toBeLessThan(text.length);
    expect(result.offset).toBeGreaterThanOrEqual(0);
  });

  it('refuses an excerpt that is not in the text', () => {
    expect(code(() => createExcerptProof(backend, text, 'a sentence that was never written'))).toBe('SIGNET_E_EXCERPT_INVALID');
  });

  it('fails on a tampered chunk, a wrong path, a wrong count, a shifted start, or another excerpt', () => {
    const proof = createExcerptProof(backend, text, paragraph(3));
    const tamper = (p: Partial<ExcerptProof>): ExcerptProof => ({ ...proof, ...p });
    expect(
      code(() =>
        verifyExcerptProof(backend, digests, tamper({ chunks: [proof.chunks[0]!.replace('fox', 'cat'), ...proof.chunks.slice(1)] })),
      ),
    ).toBe('SIGNET_E_EXCERPT_INVALID');
    const path0 = proof.paths[0]!;
    const flipped = path0[0]!.startsWith('A') ? `B${path0[0]!.slice(1)}` : `A${path0[0]!.slice(1)}`;
    expect(
      code(() => verifyExcerptProof(backend, digests, tamper({ paths: [[flipped, ...path0.slice(1)], ...proof.paths.slice(1)] }))),
    ).toBe('SIGNET_E_EXCERPT_INVALID');
    expect(code(() => verifyExcerptProof(backend, digests, tamper({ chunkCount: proof.chunkCount + 1 })))).toBe('SIGNET_E_EXCERPT_INVALID');
    expect(code(() => verifyExcerptProof(backend, digests, tamper({ start: proof.start + 1 })))).toBe('SIGNET_E_EXCERPT_INVALID');
    expect(code(() => verifyExcerptProof(backend, digests, proof, paragraph(9)))).toBe('SIGNET_E_EXCERPT_INVALID');
    const other = digestContent(backend, `${text} and one more line`);
    expect(code(() => verifyExcerptProof(backend, other, proof))).toBe('SIGNET_E_EXCERPT_INVALID');
    expect(code(() => verifyExcerptProof(backend, digests, { nonsense: true } as unknown as ExcerptProof))).toBe(
      'SIGNET_E_EXCERPT_INVALID',
    );
  });

  it('any substring of any text has a proof that verifies (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1500 }), fc.nat(), fc.nat(), (s, a, b) => {
        const words = s.split(/\s+/).filter((w) => w.length > 0);
        if (words.length === 0) return;
        const i = a % words.length;
        const j = i + 1 + (b % (words.length - i));
        const excerpt = words.slice(i, j).join(' ');
        const d = digestContent(backend, s);
        const proof = createExcerptProof(backend, s, excerpt);
        expect(verifyExcerptProof(backend, d, proof, excerpt).offset).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 150 },
    );
  });
});
