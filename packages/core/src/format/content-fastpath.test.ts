import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../backend/noble.js';
import { nodeBackend } from '../backend/node.js';
import type { CryptoBackend } from '../backend/types.js';
import { utf8 } from '../primitives/bytes.js';
import { chunkText, CHUNK_SIZE, digestContent, sha256Text } from './content.js';
import { leafHash, rootFromLeafHashes } from '../primitives/merkle.js';
import { normalizeText } from '../primitives/normalize.js';

// digestContent hashes text without byte copies where it can (node's string hashing, and ASCII
// chunks hashed as strings). These tests hold it to the plain definition: hash the UTF-8 bytes.
function reference(backend: CryptoBackend, text: string) {
  const normalized = utf8(normalizeText(text));
  const leaves = chunkText(normalized).map((c) => leafHash(backend, c));
  return {
    exact: backend.sha256(utf8(text)),
    normalized: backend.sha256(normalized),
    chunkRoot: rootFromLeafHashes(backend, leaves),
    chunkCount: leaves.length,
  };
}

const backends: [string, CryptoBackend][] = [
  ['node', nodeBackend],
  ['noble', nobleBackend],
];

describe.each(backends)('content digests without byte copies (%s)', (_, backend) => {
  it('sha256Text equals SHA-256 of the UTF-8, lone surrogates included', () => {
    for (const s of ['', 'abc', 'é', '\ud83d\ude00', 'a\ud800b', '\udc00', '\u0000x'])
      expect(sha256Text(backend, s)).toEqual(backend.sha256(utf8(s)));
  });

  it('ASCII texts around the chunk size give the reference digests', () => {
    for (const n of [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE, 3 * CHUNK_SIZE + 7]) {
      const text = 'ab cd\n'.repeat(Math.ceil(n / 6) + 1).slice(0, n);
      expect(digestContent(backend, text)).toEqual(reference(backend, text));
    }
  });

  it('random texts (ASCII, Unicode, lone surrogates) give the reference digests', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 3000 }),
          fc.string({ unit: 'binary', maxLength: 1500 }),
          fc.string({ unit: 'grapheme', maxLength: 800 }),
        ),
        (text) => {
          expect(digestContent(backend, text)).toEqual(reference(backend, text));
        },
      ),
      { numRuns: 300 },
    );
  });
});
