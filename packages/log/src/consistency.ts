import {
  getDefaultBackend,
  SignetError,
  verifyCheckpoint,
  verifyConsistency,
  type CheckpointPolicy,
  type CryptoBackend,
  type VerifiedCheckpoint,
} from '@signet/core';
import type { RemoteLog } from './remote.js';
import { TiledTree } from './tiled-tree.js';

/** A tree the log committed to: its size and root hash. */
export interface CommittedTree {
  readonly size: number;
  readonly root: Uint8Array;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Whether `small` is a prefix of `big`: the consistency proof, built from the log's own tiles,
 * must lead from one root to the other. The empty tree is a prefix of every tree whose root is
 * right; equal sizes need equal roots. Throws only when the tiles cannot be read.
 */
export async function extendsTree(backend: CryptoBackend, tree: TiledTree, small: CommittedTree, big: CommittedTree): Promise<boolean> {
  if (small.size > big.size) return false;
  if (small.size === 0) return sameBytes(small.root, backend.sha256(new Uint8Array(0)));
  if (small.size === big.size) return sameBytes(small.root, big.root);
  const proof = await tree.consistencyProof(small.size, big.size);
  return verifyConsistency(backend, small.size, big.size, small.root, big.root, proof);
}

/** Options of {@link checkAgainstLog}. */
export interface CheckAgainstLogOptions extends CheckpointPolicy {
  readonly backend?: CryptoBackend;
}

/**
 * Checks a tree the log once committed to (a receipt's tree, say) against the log's current
 * checkpoint: the checkpoint must verify, be at least as large, and extend the tree. Otherwise the
 * log forked or rolled back: SIGNET_E_LOG_INCONSISTENT. Returns the verified checkpoint.
 */
export async function checkAgainstLog(
  remote: RemoteLog,
  committed: CommittedTree,
  options: CheckAgainstLogOptions,
): Promise<VerifiedCheckpoint> {
  const backend = options.backend ?? getDefaultBackend();
  const cp = verifyCheckpoint(backend, await remote.checkpoint(), options);
  if (cp.size < committed.size) {
    throw new SignetError(
      'SIGNET_E_LOG_INCONSISTENT',
      `The log's checkpoint (size ${cp.size}) is older than the receipt (size ${committed.size}).`,
    );
  }
  if (!(await extendsTree(backend, new TiledTree(backend, remote), committed, cp))) {
    throw new SignetError(
      'SIGNET_E_LOG_INCONSISTENT',
      `The receipt's tree (size ${committed.size}) is not a prefix of the log's checkpoint (size ${cp.size}): the log forked.`,
    );
  }
  return cp;
}
