/**
 * Tile paths of c2sp.org/tlog-tiles: `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, where
 * N is written in 3-digit groups and every group but the last starts with `x`
 * (1234067 becomes `x001/x234/067`), so tiles can sit in a plain file tree.
 */

/** Hashes per full tile (tiles have height 8). */
export const TILE_WIDTH = 256;
/** Tree levels per tile level. */
export const TILE_HEIGHT = 8;
/** Bytes of one hash. */
export const HASH_SIZE = 32;

/** A tile's coordinates; `width` is set for a partial tile (1..255). */
export interface TilePath {
  /** `hash` for Merkle tiles, `entries` for entry bundles. */
  readonly kind: 'hash' | 'entries';
  /** The tile level (0 for entry bundles). */
  readonly level: number;
  readonly index: number;
  readonly width?: number;
}

/** Encodes a tile index as path elements. */
export function encodeTileIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError('tile index must be a non-negative integer');
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** The path of a tile, relative to the log's prefix (no leading slash). */
export function tilePath(tile: TilePath): string {
  const base =
    tile.kind === 'entries' ? `tile/entries/${encodeTileIndex(tile.index)}` : `tile/${tile.level}/${encodeTileIndex(tile.index)}`;
  if (tile.width === undefined || tile.width === TILE_WIDTH) return base;
  if (!Number.isInteger(tile.width) || tile.width < 1 || tile.width > 255) throw new RangeError('partial tile width is 1..255');
  return `${base}.p/${tile.width}`;
}

/**
 * Parses a tile path (relative, no leading slash). Returns undefined for anything that is not a
 * well-formed tile path in the one canonical spelling (no leading zeros, no extra groups).
 */
export function parseTilePath(path: string): TilePath | undefined {
  if (path.length > 128) return undefined;
  const m = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path);
  if (m === null) return undefined;
  const kind = m[1] === 'entries' ? 'entries' : 'hash';
  const level = kind === 'entries' ? 0 : Number(m[1]);
  if (level > 63) return undefined;
  const groups = (m[2] as string).split('/').map((g) => g.replace(/^x/, ''));
  // A leading group of 000 is a non-canonical spelling (except for index 0 itself).
  if (groups.length > 1 && groups[0] === '000') return undefined;
  if (groups.length > 6) return undefined;
  let index = 0;
  for (const g of groups) index = index * 1000 + Number(g);
  if (!Number.isSafeInteger(index)) return undefined;
  const width = m[3] === undefined ? undefined : Number(m[3]);
  if (width !== undefined && width > 255) return undefined;
  return width === undefined ? { kind, level, index } : { kind, level, index, width };
}
