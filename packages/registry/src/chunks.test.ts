import { chunkText, getDefaultBackend, leafHash, normalizeText, utf8 } from '@signet/core';
import { describe, expect, it } from 'vitest';
import { decodeLengths, encodeLengths, findVerbatimChunks } from './chunks.js';

const backend = getDefaultBackend();

describe('verbatim chunks', () => {
  const text = Array.from(
    { length: 60 },
    (_, i) => `Sentence number ${i} talks about topic ${(i * 13) % 7}, with some more words to fill it.`,
  ).join('\n');
  const normalized = utf8(normalizeText(text));
  const chunks = chunkText(normalized);
  const leaves = chunks.map((c) => leafHash(backend, c));
  const lengths = chunks.map((c) => c.length);

  it('encodes chunk lengths', () => {
    expect(decodeLengths(encodeLengths([0, 1, 255, 256, 1024, 65535]))).toEqual([0, 1, 255, 256, 1024, 65535]);
  });

  it('finds the longest run of sealed chunks inside a suspect, from hashes and lengths only', () => {
    expect(chunks.length).toBeGreaterThan(3);
    const from = lengths[0]! - 10;
    const to = lengths[0]! + lengths[1]! + lengths[2]! + 5;
    const suspect = utf8(`prefix ${new TextDecoder().decode(normalized.subarray(from, to))} suffix`);
    const found = findVerbatimChunks(backend, suspect, leaves, lengths);
    expect(found?.start).toBe(1);
    expect(found?.chunks.length).toBe(2);
    expect(findVerbatimChunks(backend, utf8('nothing sealed here'), leaves, lengths)).toBeUndefined();
  });
});
