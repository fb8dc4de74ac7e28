import { createHash } from 'node:crypto';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../backend/noble.js';
import { nodeBackend } from '../backend/node.js';
import { fromUtf8, toHex, utf8 } from '../primitives/bytes.js';
import { CHUNK_SIZE, chunkText, digestContent, digestRequest } from './content.js';

const sha256 = (b: Uint8Array | string): Buffer => createHash('sha256').update(b).digest();

/** RFC 9162 section 2.1.1 Merkle tree hash, written out recursively from the RFC's definition. */
function mth(leaves: Uint8Array[]): Buffer {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  if (leaves.length === 1) return sha256(Buffer.concat([Buffer.of(0), leaves[0]!]));
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Buffer.concat([Buffer.of(1), mth(leaves.slice(0, k)), mth(leaves.slice(k))]));
}

// Text long enough to need several chunks, with multi-byte characters near the cuts.
const longText = fc
  .array(fc.constantFrom('a', 'é', '€', '😀', ' ', 'word ', '\u0301'), { minLength: 0, maxLength: 2500 })
  .map((parts) => parts.join(''));

describe('content digests (spec section 3)', () => {
  it('chunks are 1 KiB at most, never split a character, are each the longest possible, and rebuild the text', () => {
    expect(CHUNK_SIZE).toBe(1024);
    fc.assert(
      fc.property(longText, (t) => {
        const bytes = utf8(t);
        const chunks = chunkText(bytes);
        expect(Buffer.concat(chunks).equals(Buffer.from(bytes))).toBe(true);
        chunks.forEach((c, i) => {
          expect(c.length).toBeGreaterThan(0);
          expect(c.length).toBeLessThanOrEqual(CHUNK_SIZE);
          expect(() => fromUtf8(c)).not.toThrow();
          const next = chunks[i + 1];
          if (next !== undefined) {
            // The next character would not have fitted.
            const firstChar = utf8(String.fromCodePoint(fromUtf8(next).codePointAt(0)!));
            expect(c.length + firstChar.length).toBeGreaterThan(CHUNK_SIZE);
          }
        });
        if (bytes.length === 0) expect(chunks).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('digests are what the spec defines, and identical on both backends', () => {
    fc.assert(
      fc.property(fc.oneof(longText, fc.string({ unit: 'grapheme', maxLength: 100 })), (t) => {
        const normalized = t.normalize('NFC').replace(/\s+/gu, ' ').trim();
        const d = digestContent(nodeBackend, t);
        expect(toHex(d.exact)).toBe(sha256(utf8(t)).toString('hex'));
        expect(toHex(d.normalized)).toBe(sha256(utf8(normalized)).toString('hex'));
        const chunks = chunkText(utf8(normalized));
        expect(d.chunkCount).toBe(chunks.length);
        expect(toHex(d.chunkRoot)).toBe(mth(chunks).toString('hex'));
        const n = digestContent(nobleBackend, t);
        expect([toHex(n.exact), toHex(n.normalized), toHex(n.chunkRoot), n.chunkCount]).toEqual([
          toHex(d.exact),
          toHex(d.normalized),
          toHex(d.chunkRoot),
          d.chunkCount,
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('structured and request digests hash the RFC 8785 form', () => {
    const calls = { tool_calls: [{ type: 'function', id: 'c', function: { name: 'f', arguments: '{}' } }] };
    expect(toHex(digestContent(nodeBackend, '', calls).structured!)).toBe(
      sha256('{"tool_calls":[{"function":{"arguments":"{}","name":"f"},"id":"c","type":"function"}]}').toString('hex'),
    );
    expect(digestContent(nodeBackend, 'x').structured).toBeUndefined();
    expect(toHex(digestRequest(nobleBackend, { b: [1, 2.5], a: 'x' }))).toBe(sha256('{"a":"x","b":[1,2.5]}').toString('hex'));
  });
});
