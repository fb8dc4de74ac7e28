import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getDefaultBackend, nodeHash, verifyConsistency, verifyInclusion, type CryptoBackend } from '@signet/core';
import { appendLeafHashes, edgeTiles } from './append.js';
import { rangeNodes, TiledTree, type TileReader, type TileRequest } from './tiled-tree.js';

const backend = getDefaultBackend();

// An independent reference: RFC 9162 section 2.1 written as literally as possible (recursive
// split at the largest power of two below n), sharing no code with the tiled implementation.
function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}
function mth(b: CryptoBackend, d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return b.sha256(new Uint8Array(0));
  if (d.length === 1) return d[0] as Uint8Array;
  const s = k(d.length);
  return nodeHash(b, mth(b, d.slice(0, s)), mth(b, d.slice(s)));
}
function refPath(b: CryptoBackend, m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const s = k(d.length);
  return m < s ? [...refPath(b, m, d.slice(0, s)), mth(b, d.slice(s))] : [...refPath(b, m - s, d.slice(s)), mth(b, d.slice(0, s))];
}
function refSubproof(b: CryptoBackend, m: number, d: Uint8Array[], complete: boolean): Uint8Array[] {
  const n = d.length;
  if (m === n) return complete ? [] : [mth(b, d)];
  const s = k(n);
  return m <= s
    ? [...refSubproof(b, m, d.slice(0, s), complete), mth(b, d.slice(s))]
    : [...refSubproof(b, m - s, d.slice(s), false), mth(b, d.slice(0, s))];
}
const refConsistency = (b: CryptoBackend, m: number, d: Uint8Array[]): Uint8Array[] =>
  m === 0 || m === d.length ? [] : refSubproof(b, m, d, true);

function leaves(n: number, salt = 0): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => backend.sha256(Uint8Array.of(0, salt, i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff)));
}

/** Builds tiles in memory with the real append path, in batches of the given sizes. */
function memoryTiles(
  hashes: Uint8Array[],
  batches: number[],
): { reader: TileReader; tiles: Map<string, Uint8Array>; roots: Map<number, Uint8Array> } {
  const tiles = new Map<string, Uint8Array>();
  const roots = new Map<number, Uint8Array>();
  let size = 0;
  let bi = 0;
  while (size < hashes.length) {
    const n = Math.min(batches[bi++ % batches.length] as number, hashes.length - size);
    const edge = new Map<number, Uint8Array>();
    for (const e of edgeTiles(size)) edge.set(e.level, tiles.get(`${e.level}/${e.index}`) as Uint8Array);
    const plan = appendLeafHashes(backend, size, edge, hashes.slice(size, size + n));
    for (const t of plan.tiles) tiles.set(`${t.level}/${t.index}`, t.data);
    size = plan.size;
    roots.set(size, plan.root);
  }
  const reader: TileReader = { readTiles: async (reqs: readonly TileRequest[]) => reqs.map((r) => tiles.get(`${r.level}/${r.index}`)) };
  return { reader, tiles, roots };
}

describe('tiled tree vs a naive RFC 9162 reference', () => {
  it('roots, inclusion and consistency proofs match for random sizes and batchings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1300 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.nat(),
        async (n, batches, a, b) => {
          const d = leaves(n);
          const { reader, roots } = memoryTiles(d, batches);
          const tree = new TiledTree(backend, reader);
          // Every root the append path produced equals the reference root of that prefix.
          for (const [size, root] of roots) expect(root).toEqual(mth(backend, d.slice(0, size)));
          const size = 1 + (a % n);
          const prefix = d.slice(0, size);
          const root = mth(backend, prefix);
          expect(await tree.root(size)).toEqual(root);
          const index = b % size;
          const proof = await tree.inclusionProof(index, size);
          expect(proof).toEqual(refPath(backend, index, prefix));
          expect(verifyInclusion(backend, index, size, d[index] as Uint8Array, proof, root)).toBe(true);
          const old = 1 + (b % size);
          const cproof = await tree.consistencyProof(old, size);
          expect(cproof).toEqual(refConsistency(backend, old, prefix));
          expect(verifyConsistency(backend, old, size, mth(backend, d.slice(0, old)), root, cproof)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('any changed proof byte, index or size fails', async () => {
    const d = leaves(700, 1);
    const { reader } = memoryTiles(d, [97]);
    const tree = new TiledTree(backend, reader);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 700 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        async (size, ia, ib, bit) => {
          const root = mth(backend, d.slice(0, size));
          const index = ia % size;
          const proof = await tree.inclusionProof(index, size);
          const leaf = d[index] as Uint8Array;
          if (proof.length > 0) {
            const j = ib % proof.length;
            const bad = proof.map((p) => Uint8Array.from(p));
            (bad[j] as Uint8Array)[bit % 32]! ^= 1 << (bit % 8);
            expect(verifyInclusion(backend, index, size, leaf, bad, root)).toBe(false);
            expect(verifyInclusion(backend, index, size, leaf, proof.slice(0, -1), root)).toBe(false);
            expect(verifyInclusion(backend, index, size, leaf, [...proof, proof[0] as Uint8Array], root)).toBe(false);
          }
          expect(verifyInclusion(backend, (index + 1) % size, size, leaf, proof, root)).toBe(false);
          // A proof for one size never proves inclusion in the tree of another size.
          if (size < 700) expect(verifyInclusion(backend, index, size + 1, leaf, proof, mth(backend, d.slice(0, size + 1)))).toBe(false);
          expect(verifyInclusion(backend, index, size - 1, leaf, proof, mth(backend, d.slice(0, size - 1)))).toBe(false);
          const old = 1 + (ib % (size - 1));
          const oldRoot = mth(backend, d.slice(0, old));
          const cp = await tree.consistencyProof(old, size);
          expect(verifyConsistency(backend, old, size, oldRoot, root, cp)).toBe(true);
          const badC = cp.map((p) => Uint8Array.from(p));
          (badC[bit % badC.length] as Uint8Array)[bit % 32]! ^= 1;
          expect(verifyConsistency(backend, old, size, oldRoot, root, badC)).toBe(false);
          expect(verifyConsistency(backend, old, size, oldRoot, root, cp.slice(1))).toBe(false);
          if (old + 1 < size) expect(verifyConsistency(backend, old + 1, size, mth(backend, d.slice(0, old + 1)), root, cp)).toBe(false);
          expect(verifyConsistency(backend, old, size, root, oldRoot, cp)).toBe(false);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('tiles match the C2SP layout on a tree of 70,000 leaves', async () => {
    const d = leaves(70_000, 2);
    const { reader, tiles, roots } = memoryTiles(d, [1000, 333]);
    // The spec's own example: 273 full level-0 tiles plus one of width 112, one full and one
    // width-17 level-1 tile, one width-1 level-2 tile.
    expect((tiles.get('0/273') as Uint8Array).length).toBe(112 * 32);
    expect((tiles.get('0/272') as Uint8Array).length).toBe(511 * 32); // stored with its interior
    expect((tiles.get('1/0') as Uint8Array).length).toBe(511 * 32);
    expect((tiles.get('1/1') as Uint8Array).length).toBe(17 * 32);
    expect((tiles.get('2/0') as Uint8Array).length).toBe(32);
    // Level-1 hashes are the roots of full level-0 tiles.
    expect((tiles.get('1/0') as Uint8Array).subarray(5 * 32, 6 * 32)).toEqual(mth(backend, d.slice(5 * 256, 6 * 256)));
    const tree = new TiledTree(backend, reader);
    expect(await tree.root(70_000)).toEqual(roots.get(70_000));
    expect(await tree.root(70_000)).toEqual(mth(backend, d));
    expect(await tree.root(65_536)).toEqual(mth(backend, d.slice(0, 65_536)));
    const p = await tree.inclusionProof(65_535, 70_000);
    expect(verifyInclusion(backend, 65_535, 70_000, d[65_535] as Uint8Array, p, mth(backend, d))).toBe(true);
  });

  it('refuses missing or short tiles with a typed error', async () => {
    const d = leaves(300);
    const { tiles } = memoryTiles(d, [300]);
    const short: TileReader = {
      readTiles: async (reqs) => reqs.map((r) => (tiles.get(`${r.level}/${r.index}`) ?? new Uint8Array(0)).subarray(0, 32)),
    };
    await expect(new TiledTree(backend, short).root(300)).rejects.toMatchObject({ code: 'SIGNET_E_LOG_NOT_FOUND' });
    await expect(new TiledTree(backend, { readTiles: async (r) => r.map(() => undefined) }).inclusionProof(3, 300)).rejects.toMatchObject({
      code: 'SIGNET_E_LOG_NOT_FOUND',
    });
    await expect(new TiledTree(backend, short).inclusionProof(300, 300)).rejects.toThrow(RangeError);
  });

  it('splits ranges into aligned perfect subtrees, exactly, up to 2^53', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 53 - 2 }), fc.integer({ min: 1, max: 2 ** 53 - 1 }), (a, b) => {
        const lo = Math.min(a, b - 1);
        const hi = Math.max(b, lo + 1);
        let at = lo;
        const nodes = rangeNodes(lo, hi);
        for (const n of nodes) {
          expect(n.index * 2 ** n.level).toBe(at); // aligned and contiguous
          at += 2 ** n.level;
        }
        expect(at).toBe(hi);
        // Greedy: no two neighbours could merge into one bigger aligned node.
        for (let i = 1; i < nodes.length; i++) expect(nodes[i]!.level === nodes[i - 1]!.level && nodes[i - 1]!.index % 2 === 0).toBe(false);
      }),
    );
    expect(rangeNodes(0, 2 ** 53 - 1)).toHaveLength(53);
    expect(rangeNodes(2 ** 40, 2 ** 41)).toEqual([{ level: 40, index: 1 }]);
  });

  it('append refuses an edge tile that does not match the size', () => {
    const d = leaves(10);
    expect(() => appendLeafHashes(backend, 10, new Map([[0, new Uint8Array(9 * 32)]]), d)).toThrow(/edge tile/);
  });
});
