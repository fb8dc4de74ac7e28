import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../backend/noble.js';
import { nodeBackend } from '../backend/node.js';
import type { CryptoBackend } from '../backend/types.js';
import { utf8 } from '../primitives/bytes.js';
import { isSignetError } from '../primitives/errors.js';
import { chunkText, CHUNK_SIZE, digestContent, sha256Text } from './content.js';
import { leafHash, rootFromLeafHashes } from '../primitives/merkle.js';
import { normalizeText } from '../primitives/normalize.js';

// digestContent encodes the text once and, for ASCII, folds white space in place on those bytes
// and hashes each chunk's leaf input in place. These tests hold it to the plain definition: the
// UTF-8 of the text and of normalizeText(text), cut by chunkText, hashed with leafHash.
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

// Text built from the pieces normalization and chunking care about: runs of every kind of white
// space (CR/LF, tabs, NBSP, U+2028, ideographic space), U+FEFF (not white space), combining marks
// (NFC composes them), astral characters (4 UTF-8 bytes, two UTF-16 units) and plain ASCII words.
const PIECES = [
  'a',
  'word',
  'Z',
  '.',
  ' ',
  '  ',
  '\n',
  '\r\n',
  '\n\n',
  '\t',
  '\v\f',
  ' \t ',
  '\u00a0',
  '\u1680',
  '\u2003',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
  'e\u0301',
  '\u0301',
  'A\u030a',
  '\u212b',
  'é',
  'ß',
  '中文',
  '\u0958',
  '😀',
  '\ud834\udd1e',
  '\u0000',
  '\u007f',
  '\u0080',
  '\u07ff',
  '\u0800',
  '\uffff',
];
const piecesText = fc.array(fc.constantFrom(...PIECES), { maxLength: 600 }).map((parts) => parts.join(''));
// Long ASCII runs put chunk boundaries (every 1,024 bytes) next to white space and multi-byte characters.
const longText = fc
  .tuple(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), fc.integer({ min: 900, max: 2200 }), fc.constantFrom(' ', 'x', '\n'))
  .map(([parts, n, fill]) => parts.join('') + 'y'.repeat(n) + fill + parts.join('') + 'é'.repeat(n % 300));

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
          piecesText,
          longText,
        ),
        (text) => {
          expect(digestContent(backend, text)).toEqual(reference(backend, text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses a lone surrogate anywhere in the text, ASCII around it or not', () => {
    fc.assert(
      fc.property(piecesText, piecesText, fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\ude00\ud83d'), (a, b, lone) => {
        let code: string | undefined;
        try {
          digestContent(backend, a + lone + b);
        } catch (e) {
          code = isSignetError(e) ? e.code : 'untyped';
        }
        expect(code).toBe('SIGNET_E_INPUT_INVALID');
      }),
      { numRuns: 200 },
    );
  });

  it('a text digested twice gives the same digests (the scratch buffer keeps no state)', () => {
    for (const text of ['a  b\n', 'é  b', 'x'.repeat(30000) + '\n\n', ' lead', 'tail\t']) {
      const first = digestContent(backend, text);
      digestContent(backend, 'other text\r\n\r\nhere');
      expect(digestContent(backend, text)).toEqual(first);
      expect(first).toEqual(reference(backend, text));
    }
  });
});
