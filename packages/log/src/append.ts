import { nodeHash, SignetError, type CryptoBackend } from '@signet/core';
import { hashesAtTileLevel, rangeNodes } from './tiled-tree.js';
import { HASH_SIZE, TILE_HEIGHT, TILE_WIDTH } from './tile-path.js';

/**
 * Appending leaves to a tiled tree. Only the rightmost tile of each level changes when leaves are
 * added (the "edge"), and the new root is a fold of perfect subtrees that all lie in those edge
 * tiles: an append reads at most one tile per level and hashes about two times per leaf.
 */

/**
 * A tile to write (full tiles once, the partial edge tile again on every append). Full tiles are
 * written expanded (see {@link expandFullTile}); partial tiles hold only their hashes.
 */
export interface TileWrite {
  readonly level: number;
  readonly index: number;
  readonly data: Uint8Array;
}

/** The edge tiles a tree of `size` has: one partial tile per level with a non-zero remainder. */
export function edgeTiles(size: number): { level: number; index: number; width: number }[] {
  const out: { level: number; index: number; width: number }[] = [];
  for (let level = 0; ; level++) {
    const count = hashesAtTileLevel(size, level);
    if (count === 0) break;
    const width = count % TILE_WIDTH;
    if (width > 0) out.push({ level, index: Math.floor(count / TILE_WIDTH), width });
  }
  return out;
}

/** Bytes of a full tile stored with its interior: 256 + 128 + ... + 1 = 511 hashes. */
export const EXPANDED_TILE_BYTES = (2 * TILE_WIDTH - 1) * HASH_SIZE;

/**
 * Hashes pairs without allocating a concatenation per node: the prefix byte and both children go
 * into one scratch buffer. Appends hash about two nodes per leaf, so this is the hot loop.
 */
class PairHasher {
  readonly #scratch = new Uint8Array(1 + 2 * HASH_SIZE);
  readonly #backend: CryptoBackend;
  constructor(backend: CryptoBackend) {
    this.#backend = backend;
    this.#scratch[0] = 0x01;
  }
  hash(data: Uint8Array, left: number, right: number, out: Uint8Array, at: number): void {
    this.#scratch.set(data.subarray(left, left + HASH_SIZE), 1);
    this.#scratch.set(data.subarray(right, right + HASH_SIZE), 1 + HASH_SIZE);
    out.set(this.#backend.sha256(this.#scratch), at);
  }
}

/**
 * A full tile with its interior levels appended (level 0 first, the tile's root last). Storing the
 * interior lets proofs be read rather than recomputed: a proof then costs a few row reads and no
 * hashing, at the price of 32 more bytes per entry on disk. Served tiles are the first 8,192 bytes.
 */
export function expandFullTile(backend: CryptoBackend, hashes: Uint8Array): Uint8Array {
  const out = new Uint8Array(EXPANDED_TILE_BYTES);
  out.set(hashes.subarray(0, TILE_WIDTH * HASH_SIZE));
  const pairs = new PairHasher(backend);
  let from = 0;
  let to = TILE_WIDTH * HASH_SIZE;
  for (let width = TILE_WIDTH; width > 1; width >>= 1) {
    for (let j = 0; j < width / 2; j++) pairs.hash(out, from + 2 * j * HASH_SIZE, from + (2 * j + 1) * HASH_SIZE, out, to + j * HASH_SIZE);
    from = to;
    to += (width / 2) * HASH_SIZE;
  }
  return out;
}

/** The root of a full tile, from its expanded form. */
function expandedRoot(expanded: Uint8Array): Uint8Array {
  return expanded.slice(EXPANDED_TILE_BYTES - HASH_SIZE);
}

/** Root of `count` (a power of two) consecutive hashes of `data` starting at hash `start`. */
function perfectRoot(backend: CryptoBackend, data: Uint8Array, start: number, count: number): Uint8Array {
  let level: Uint8Array[] = [];
  for (let i = 0; i < count; i++) level.push(data.subarray((start + i) * HASH_SIZE, (start + i + 1) * HASH_SIZE));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHash(backend, level[i] as Uint8Array, level[i + 1] as Uint8Array));
    level = next;
  }
  return level[0] as Uint8Array;
}

/** The result of an append: tiles to write, the new size and root, and the new edge. */
export interface AppendPlan {
  readonly tiles: TileWrite[];
  readonly size: number;
  readonly root: Uint8Array;
  /** Edge tiles of the new tree, by level. */
  readonly edge: Map<number, Uint8Array>;
}

/**
 * Appends leaf hashes to a tree of `size` leaves whose edge tiles are `edge` (by level, exactly the
 * widths {@link edgeTiles} gives). Pure: storage applies the returned writes in one transaction.
 */
export function appendLeafHashes(
  backend: CryptoBackend,
  size: number,
  edge: ReadonlyMap<number, Uint8Array>,
  leafHashes: readonly Uint8Array[],
): AppendPlan {
  const expected = edgeTiles(size);
  for (const e of expected) {
    const data = edge.get(e.level);
    if (data === undefined || data.length !== e.width * HASH_SIZE) {
      throw new SignetError('SIGNET_E_LOG_STORAGE', `The stored edge tile at level ${e.level} does not match the tree size ${size}.`, {
        hint: 'The log database is damaged: restore it from a backup or a mirror.',
      });
    }
  }
  const newEdge = new Map(edge);
  const tiles: TileWrite[] = [];
  let incoming: Uint8Array[] = leafHashes.slice();
  for (let level = 0; incoming.length > 0; level++) {
    const count = hashesAtTileLevel(size, level);
    let index = Math.floor(count / TILE_WIDTH);
    let width = count % TILE_WIDTH;
    let buf = new Uint8Array(TILE_WIDTH * HASH_SIZE);
    if (width > 0) buf.set(edge.get(level) as Uint8Array);
    const up: Uint8Array[] = [];
    for (const h of incoming) {
      if (h.length !== HASH_SIZE) throw new TypeError('a leaf hash is 32 bytes');
      buf.set(h, width * HASH_SIZE);
      width++;
      if (width === TILE_WIDTH) {
        const expanded = expandFullTile(backend, buf);
        tiles.push({ level, index, data: expanded });
        up.push(expandedRoot(expanded));
        index++;
        buf = new Uint8Array(TILE_WIDTH * HASH_SIZE);
        width = 0;
      }
    }
    if (width > 0) {
      const data = buf.slice(0, width * HASH_SIZE);
      tiles.push({ level, index, data });
      newEdge.set(level, data);
    } else newEdge.delete(level);
    incoming = up;
  }
  const newSize = size + leafHashes.length;
  return { tiles, size: newSize, root: edgeRoot(backend, newSize, newEdge), edge: newEdge };
}

/** The root of a tree of `size` leaves from its edge tiles alone. */
export function edgeRoot(backend: CryptoBackend, size: number, edge: ReadonlyMap<number, Uint8Array>): Uint8Array {
  if (size === 0) return backend.sha256(new Uint8Array(0));
  const nodes = rangeNodes(0, size).map((node) => {
    const tileLevel = Math.floor(node.level / TILE_HEIGHT);
    const k = node.level - tileLevel * TILE_HEIGHT;
    const data = edge.get(tileLevel);
    if (data === undefined) throw new SignetError('SIGNET_E_LOG_STORAGE', `Edge tile at level ${tileLevel} is missing.`);
    const span = 2 ** k;
    // Position of the node's first hash inside the edge tile.
    const start = (node.index * span) % TILE_WIDTH;
    return perfectRoot(backend, data, start, span);
  });
  let h = nodes[nodes.length - 1] as Uint8Array;
  for (let i = nodes.length - 2; i >= 0; i--) h = nodeHash(backend, nodes[i] as Uint8Array, h);
  return h;
}
