import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeTileIndex, parseTilePath, tilePath } from './tile-path.js';

describe('tile paths (c2sp.org/tlog-tiles)', () => {
  it('encodes indices in x-prefixed 3-digit groups', () => {
    expect(encodeTileIndex(1234067)).toBe('x001/x234/067');
    expect(encodeTileIndex(0)).toBe('000');
    expect(encodeTileIndex(1000)).toBe('x001/000');
    expect(tilePath({ kind: 'hash', level: 2, index: 5, width: 17 })).toBe('tile/2/005.p/17');
    expect(tilePath({ kind: 'entries', level: 0, index: 1234067 })).toBe('tile/entries/x001/x234/067');
    expect(tilePath({ kind: 'hash', level: 0, index: 1, width: 256 })).toBe('tile/0/001');
  });

  it('round-trips', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 45 }),
        fc.integer({ min: 0, max: 63 }),
        fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined }),
        fc.boolean(),
        (index, level, width, entries) => {
          const t = entries
            ? { kind: 'entries' as const, level: 0, index, ...(width === undefined ? {} : { width }) }
            : { kind: 'hash' as const, level, index, ...(width === undefined ? {} : { width }) };
          expect(parseTilePath(tilePath(t))).toEqual(t);
        },
      ),
    );
  });

  it('refuses every non-canonical or malformed spelling', () => {
    for (const bad of [
      'tile/0/1',
      'tile/0/0001',
      'tile/00/001',
      'tile/64/001',
      'tile/0/x000/001',
      'tile/0/001/002',
      'tile/0/001.p/0',
      'tile/0/001.p/256',
      'tile/0/001.p/017',
      'tile/0/x1/001',
      'tile/entries/001.p/',
      'tile/-1/001',
      'tile/0/001/',
      '/tile/0/001',
      'tile/0/0a1',
      'tile/0/001.p/1/extra',
    ]) {
      expect(parseTilePath(bad), bad).toBeUndefined();
    }
  });
});
