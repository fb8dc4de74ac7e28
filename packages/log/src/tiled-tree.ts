import { nodeHash, SignetError, type CryptoBackend } from '@signet/core';
import { HASH_SIZE, TILE_HEIGHT, TILE_WIDTH } from './tile-path.js';

/**
 * RFC 9162 proofs and roots computed from tlog tiles.
 *
 * A proof is a list of Merkle Tree Hashes of ranges [lo, hi) of leaves. Each range splits into
 * perfect subtrees ("nodes": level h, index i, covering leaves i*2^h .. (i+1)*2^h), and a node at
 * level h lives in the tile at level floor(h/8): it is the root of 2^(h mod 8) consecutive hashes of
 * that tile. So a proof is computed in three steps: list the nodes, fetch the few tiles holding them
 * (all at once, which matters for PostgreSQL and HTTP), then hash inside those tiles.
 *
 * Tiles never change (a partial tile of width W is fixed too), so their expanded form (all hashes
 * of the height-8 subtree) is cached. Storage keeps full tiles expanded already, so a proof from
 * storage is a handful of row reads; tiles fetched over HTTP are expanded here once.
 */

/** A perfect subtree: level h (2^h leaves), index i. */
export interface TreeNode {
  readonly level: number;
  readonly index: number;
}

/** A tile to read, with the width the tree size requires of it. */
export interface TileRequest {
  readonly level: number;
  readonly index: number;
  /** Number of hashes needed (1..256). */
  readonly width: number;
}

/**
 * Where tiles come from: storage or HTTP. Returns, for each request, tile bytes holding at least
 * `width` hashes (more is fine: tiles only grow), or undefined when the tile is missing.
 */
export interface TileReader {
  readTiles(requests: readonly TileRequest[]): Promise<(Uint8Array | undefined)[]>;
}

const pow2 = (n: number): number => 2 ** n;

/** Largest power of two strictly below n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const TWO_32 = 2 ** 32;

/** floor(log2(x)) for an integer 1 <= x < 2^53, exactly (no floating-point log). */
function floorLog2(x: number): number {
  const high = Math.floor(x / TWO_32);
  return high > 0 ? 63 - Math.clz32(high) : 31 - Math.clz32(x);
}

/** The number of trailing zero bits of an integer 1 <= x < 2^53. */
function trailingZeros(x: number): number {
  const low = x % TWO_32;
  const tz32 = (v: number): number => 31 - Math.clz32(v & -v);
  return low !== 0 ? tz32(low) : 32 + tz32(Math.floor(x / TWO_32));
}

/** The perfect subtrees that make up the range [lo, hi), left to right. */
export function rangeNodes(lo: number, hi: number): TreeNode[] {
  const out: TreeNode[] = [];
  while (lo < hi) {
    // The biggest power of two that both fits in what is left and keeps lo aligned.
    const fits = floorLog2(hi - lo);
    const level = lo === 0 ? fits : Math.min(fits, trailingZeros(lo));
    out.push({ level, index: lo / pow2(level) });
    lo += pow2(level);
  }
  return out;
}

/** RFC 9162 section 2.1.3.1: the ranges whose hashes form the inclusion proof of leaf `index` in a tree of `size`. */
export function inclusionRanges(index: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  let lo = 0;
  let hi = size;
  let m = index;
  const stack: [number, number][] = [];
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (m < k) {
      stack.push([lo + k, hi]);
      hi = lo + k;
    } else {
      stack.push([lo, lo + k]);
      lo += k;
      m -= k;
    }
  }
  // The proof lists siblings from the leaf up: the reverse of the descent.
  for (let i = stack.length - 1; i >= 0; i--) out.push(stack[i] as [number, number]);
  return out;
}

/** RFC 9162 section 2.1.4.1: the ranges whose hashes form the consistency proof from `oldSize` to `size`. */
export function consistencyRanges(oldSize: number, size: number): [number, number][] {
  if (oldSize === 0 || oldSize === size) return [];
  const stack: [number, number][] = [];
  let lo = 0;
  let hi = size;
  let m = oldSize;
  let complete = true;
  for (;;) {
    const n = hi - lo;
    if (m === n) {
      if (!complete) stack.push([lo, hi]);
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      stack.push([lo + k, hi]);
      hi = lo + k;
    } else {
      stack.push([lo, lo + k]);
      lo += k;
      m -= k;
      complete = false;
    }
  }
  // SUBPROOF emits its innermost result first, then each level's sibling on the way back up:
  // exactly the descent's stack, reversed.
  return stack.reverse();
}

/** Where a node lives: the tile, and which hashes of it (at tile-internal level k, position p). */
function locate(node: TreeNode): { tileLevel: number; tileIndex: number; k: number; pos: number } {
  const tileLevel = Math.floor(node.level / TILE_HEIGHT);
  const k = node.level - tileLevel * TILE_HEIGHT;
  const perTile = pow2(TILE_HEIGHT - k);
  return { tileLevel, tileIndex: Math.floor(node.index / perTile), k, pos: node.index % perTile };
}

/** The number of hashes at tile level L in a tree of `size` leaves. */
export function hashesAtTileLevel(size: number, tileLevel: number): number {
  return Math.floor(size / pow2(TILE_HEIGHT * tileLevel));
}

/** The width (hash count) tile (L, N) has in a tree of `size` leaves: 0 when it does not exist yet. */
export function tileWidthAt(size: number, tileLevel: number, tileIndex: number): number {
  const count = hashesAtTileLevel(size, tileLevel) - tileIndex * TILE_WIDTH;
  return Math.max(0, Math.min(TILE_WIDTH, count));
}

/** A tile with its internal levels: levels[k] holds the level-k hashes (concatenated). */
class ExpandedTile {
  readonly levels: Uint8Array[];
  constructor(backend: CryptoBackend, data: Uint8Array, width: number) {
    if (width === TILE_WIDTH && data.length === (2 * TILE_WIDTH - 1) * HASH_SIZE) {
      // Stored with its interior: slice the levels, hash nothing.
      this.levels = [];
      let at = 0;
      for (let w = TILE_WIDTH; w >= 1; w >>= 1) {
        this.levels.push(data.subarray(at, at + w * HASH_SIZE));
        at += w * HASH_SIZE;
      }
      return;
    }
    this.levels = [data.subarray(0, width * HASH_SIZE)];
    let prev = this.levels[0] as Uint8Array;
    let w = width;
    for (let k = 1; k <= TILE_HEIGHT && w >= 2; k++) {
      const nw = Math.floor(w / 2);
      const next = new Uint8Array(nw * HASH_SIZE);
      for (let j = 0; j < nw; j++) {
        next.set(
          nodeHash(
            backend,
            prev.subarray(2 * j * HASH_SIZE, (2 * j + 1) * HASH_SIZE),
            prev.subarray((2 * j + 1) * HASH_SIZE, (2 * j + 2) * HASH_SIZE),
          ),
          j * HASH_SIZE,
        );
      }
      this.levels.push(next);
      prev = next;
      w = nw;
    }
  }
  node(k: number, pos: number): Uint8Array | undefined {
    const level = this.levels[k];
    if (level === undefined || (pos + 1) * HASH_SIZE > level.length) return undefined;
    return level.subarray(pos * HASH_SIZE, (pos + 1) * HASH_SIZE);
  }
}

/** Options of {@link TiledTree}. */
export interface TiledTreeOptions {
  /** How many expanded tiles to keep (at most 16 KiB each; 0 disables the cache). Default 1024. */
  readonly cacheTiles?: number;
}

/**
 * Computes roots and RFC 9162 proofs for any tree size from tiles. Stateless apart from a cache of
 * full tiles, which are immutable, so one instance can serve every tree size of a log.
 */
export class TiledTree {
  readonly #backend: CryptoBackend;
  readonly #reader: TileReader;
  readonly #cache = new Map<string, ExpandedTile>();
  readonly #cacheLimit: number;

  constructor(backend: CryptoBackend, reader: TileReader, options: TiledTreeOptions = {}) {
    this.#backend = backend;
    this.#reader = reader;
    this.#cacheLimit = options.cacheTiles ?? 1024;
  }

  /** Drops cached tiles (a benchmark uses it to measure cold proofs). */
  clearCache(): void {
    this.#cache.clear();
  }

  /** Hashes of the nodes, read from as few tiles as possible in one request. */
  async nodes(nodes: readonly TreeNode[], size: number): Promise<Uint8Array[]> {
    const tiles = new Map<string, ExpandedTile | undefined>();
    const want: TileRequest[] = [];
    const keys: string[] = [];
    for (const node of nodes) {
      const { tileLevel, tileIndex } = locate(node);
      const key = `${tileLevel}/${tileIndex}`;
      if (tiles.has(key)) continue;
      const width = tileWidthAt(size, tileLevel, tileIndex);
      // A partial tile of a given width never changes either: cache it under its width.
      const cacheKey = width === TILE_WIDTH ? key : `${key}.p/${width}`;
      const cached = this.#cache.get(cacheKey);
      if (cached !== undefined) {
        // Refresh the entry's position: the map's insertion order is the LRU order.
        this.#cache.delete(cacheKey);
        this.#cache.set(cacheKey, cached);
        tiles.set(key, cached);
        continue;
      }
      tiles.set(key, undefined);
      if (width === 0) throw new RangeError('node outside the tree');
      want.push({ level: tileLevel, index: tileIndex, width });
      keys.push(key);
    }
    if (want.length > 0) {
      const got = await this.#reader.readTiles(want);
      for (let i = 0; i < want.length; i++) {
        const req = want[i] as TileRequest;
        const data = got[i];
        if (data === undefined || data.length < req.width * HASH_SIZE || data.length % HASH_SIZE !== 0) {
          throw new SignetError('SIGNET_E_LOG_NOT_FOUND', `Tile ${req.level}/${req.index} (width ${req.width}) is missing or too short.`);
        }
        const tile = new ExpandedTile(this.#backend, data, req.width);
        tiles.set(keys[i] as string, tile);
        if (this.#cacheLimit > 0) {
          this.#cache.set(req.width === TILE_WIDTH ? (keys[i] as string) : `${keys[i]}.p/${req.width}`, tile);
          if (this.#cache.size > this.#cacheLimit) this.#cache.delete(this.#cache.keys().next().value as string);
        }
      }
    }
    return nodes.map((node) => {
      const { tileLevel, tileIndex, k, pos } = locate(node);
      const hash = tiles.get(`${tileLevel}/${tileIndex}`)?.node(k, pos);
      if (hash === undefined)
        throw new SignetError('SIGNET_E_LOG_NOT_FOUND', `Tile ${tileLevel}/${tileIndex} does not hold node ${node.level}/${node.index}.`);
      return hash;
    });
  }

  /** Merkle Tree Hashes of several ranges, with one tile fetch for all of them. */
  async rangeHashes(ranges: readonly (readonly [number, number])[], size: number): Promise<Uint8Array[]> {
    const perRange = ranges.map(([lo, hi]) => rangeNodes(lo, hi));
    const hashes = await this.nodes(perRange.flat(), size);
    let at = 0;
    return perRange.map((nodes) => {
      const own = hashes.slice(at, at + nodes.length);
      at += nodes.length;
      // Fold right: MTH of a right-edge range is hash(first, MTH(rest)).
      let h = own[own.length - 1] as Uint8Array;
      for (let i = own.length - 2; i >= 0; i--) h = nodeHash(this.#backend, own[i] as Uint8Array, h);
      return h;
    });
  }

  /** The root hash of the first `size` leaves. */
  async root(size: number): Promise<Uint8Array> {
    checkSize(size);
    if (size === 0) return this.#backend.sha256(new Uint8Array(0));
    return (await this.rangeHashes([[0, size]], size))[0] as Uint8Array;
  }

  /** The inclusion proof of leaf `index` in the tree of `size` leaves. */
  async inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
    checkSize(size);
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError('leaf index outside the tree');
    return this.rangeHashes(inclusionRanges(index, size), size);
  }

  /** The consistency proof between the trees of `oldSize` and `size` leaves. */
  async consistencyProof(oldSize: number, size: number): Promise<Uint8Array[]> {
    checkSize(size);
    if (!Number.isSafeInteger(oldSize) || oldSize < 0 || oldSize > size) throw new RangeError('old size outside the tree');
    return this.rangeHashes(consistencyRanges(oldSize, size), size);
  }
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError('tree size must be a non-negative integer');
}
