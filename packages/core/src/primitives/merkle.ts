import type { CryptoBackend } from '../backend/types.js';
import { concatBytes, equalBytes } from './bytes.js';
import { SignetError } from './errors.js';

/**
 * Merkle trees as RFC 9162 section 2.1 defines them (the hashing of RFC 6962): leaves are hashed as
 * SHA-256(0x00 || data), interior nodes as SHA-256(0x01 || left || right), and a tree of n leaves
 * splits at the largest power of two below n. The same code serves the envelope's chunk root and
 * the transparency log.
 */

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** RFC 9162 leaf hash: SHA-256(0x00 || data). */
export function leafHash(backend: CryptoBackend, data: Uint8Array): Uint8Array {
  return backend.sha256(concatBytes(LEAF_PREFIX, data));
}

// The 65-byte input of a node hash of two 32-byte children, reused: hashing is synchronous, and a
// typed array over 64 bytes costs more to allocate than the hash itself.
const nodeInput = new Uint8Array(65);
nodeInput[0] = 0x01;

/** RFC 9162 interior node hash: SHA-256(0x01 || left || right). */
export function nodeHash(backend: CryptoBackend, left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== 32 || right.length !== 32) return backend.sha256(concatBytes(NODE_PREFIX, left, right));
  nodeInput.set(left, 1);
  nodeInput.set(right, 33);
  return backend.sha256(nodeInput);
}

/** The Merkle Tree Hash (MTH) of a list of leaf hashes; the empty tree hashes to SHA-256(""). */
export function rootFromLeafHashes(backend: CryptoBackend, leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return backend.sha256(new Uint8Array(0));
  // Fold level by level: an odd node at the end is promoted unchanged, which yields the same tree
  // as RFC 9162's recursive split at the largest power of two.
  let level: Uint8Array[] = leaves.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(backend, level[i] as Uint8Array, level[i + 1] as Uint8Array));
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
    level = next;
  }
  return level[0] as Uint8Array;
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** RFC 9162 section 2.1.3.1: the inclusion proof (audit path) of leaf `index` in a tree of these leaves. */
export function inclusionProof(backend: CryptoBackend, index: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) throw new RangeError('leaf index out of range');
  const path: Uint8Array[] = [];
  const walk = (m: number, lo: number, hi: number): void => {
    const n = hi - lo;
    if (n <= 1) return;
    const k = largestPowerOfTwoBelow(n);
    if (m < k) {
      walk(m, lo, lo + k);
      path.push(rootFromLeafHashes(backend, leaves.slice(lo + k, hi)));
    } else {
      walk(m - k, lo + k, hi);
      path.push(rootFromLeafHashes(backend, leaves.slice(lo, lo + k)));
    }
  };
  walk(index, 0, leaves.length);
  return path;
}

/**
 * RFC 9162 section 2.1.3.2: the root an inclusion proof leads to, or an error when the proof has
 * the wrong length for (index, size). Compare the result with a trusted root.
 */
export function rootFromInclusionProof(
  backend: CryptoBackend,
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Uint8Array {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new SignetError('SIGNET_E_LOG_PROOF_INVALID', 'The leaf index is not inside the tree.');
  }
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (p.length !== 32) throw new SignetError('SIGNET_E_LOG_PROOF_INVALID', 'A proof hash is not 32 bytes.');
    if (sn === 0) throw new SignetError('SIGNET_E_LOG_PROOF_INVALID', 'The inclusion proof is too long.');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(backend, p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(backend, r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new SignetError('SIGNET_E_LOG_PROOF_INVALID', 'The inclusion proof is too short.');
  return r;
}

/** Verifies an inclusion proof against a trusted root. Returns false instead of throwing. */
export function verifyInclusion(
  backend: CryptoBackend,
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  // Hashes are exactly 32 bytes: an empty or truncated leaf and root must never compare equal.
  if (leaf.length !== 32 || root.length !== 32) return false;
  try {
    return equalBytes(rootFromInclusionProof(backend, index, size, leaf, proof), root);
  } catch {
    return false;
  }
}

/** RFC 9162 section 2.1.4.1: the consistency proof between the first `oldSize` leaves and all of them. */
export function consistencyProof(backend: CryptoBackend, oldSize: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  const n = leaves.length;
  if (!Number.isInteger(oldSize) || oldSize < 0 || oldSize > n) throw new RangeError('old size out of range');
  if (oldSize === 0 || oldSize === n) return [];
  const proof: Uint8Array[] = [];
  const subproof = (m: number, lo: number, hi: number, complete: boolean): void => {
    const size = hi - lo;
    if (m === size) {
      if (!complete) proof.push(rootFromLeafHashes(backend, leaves.slice(lo, hi)));
      return;
    }
    const k = largestPowerOfTwoBelow(size);
    if (m <= k) {
      subproof(m, lo, lo + k, complete);
      proof.push(rootFromLeafHashes(backend, leaves.slice(lo + k, hi)));
    } else {
      subproof(m - k, lo + k, hi, false);
      proof.push(rootFromLeafHashes(backend, leaves.slice(lo, lo + k)));
    }
  };
  subproof(oldSize, 0, n, true);
  return proof;
}

/**
 * RFC 9162 section 2.1.4.2: verifies that the tree of `oldSize` leaves with `oldRoot` is a prefix of
 * the tree of `newSize` leaves with `newRoot`. Returns false instead of throwing.
 */
export function verifyConsistency(
  backend: CryptoBackend,
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) return false;
  // A proof from the empty tree proves nothing (RFC 9162 section 2.1.4.2 starts from 0 < first), so
  // it is refused, as the transparency-dev vectors require; callers that hold an empty old tree
  // compare its root with SHA-256("") themselves.
  if (oldSize === 0) return false;
  if (oldSize === newSize) return proof.length === 0 && equalBytes(oldRoot, newRoot);
  if (oldRoot.length !== 32 || newRoot.length !== 32) return false;
  if (proof.some((p) => p.length !== 32)) return false;
  if (proof.length === 0) return false;
  let path = proof.slice();
  // If oldSize is a power of two, the old root is the first node of the path.
  if ((oldSize & (oldSize - 1)) === 0) path = [oldRoot, ...path];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Uint8Array;
  let sr = path[0] as Uint8Array;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(backend, c, fr);
      sr = nodeHash(backend, c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(backend, sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(fr, oldRoot) && equalBytes(sr, newRoot);
}
