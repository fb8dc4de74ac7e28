import {
  fromBase64,
  getDefaultBackend,
  SignetError,
  toBase64,
  verifyCheckpoint,
  type CheckpointPolicy,
  type CryptoBackend,
  type VerifiedCheckpoint,
} from '@signet/core';
import type { RemoteLog } from './remote.js';
import { extendsTree } from './consistency.js';
import { TiledTree } from './tiled-tree.js';

/**
 * Follows a log's checkpoints and checks that each one extends the last: a consistency proof,
 * computed from the log's own tiles, must lead from the previous root to the new one. It reports
 * the three ways a log can misbehave, each with the two signed checkpoints that prove it:
 *
 * - equivocation: two signed checkpoints with the same size and different roots;
 * - fork (rewrite): a larger checkpoint that does not extend the earlier one;
 * - rollback: a smaller checkpoint that is not a prefix of the one seen before.
 */

/** A checkpoint the monitor accepted, as kept in its state. */
export interface SeenCheckpoint {
  readonly size: number;
  readonly root: string;
  readonly note: string;
}

/** The monitor's state: persisted between runs so a restart still catches a fork. */
export interface MonitorState {
  readonly origin: string;
  readonly latest?: SeenCheckpoint;
}

/** What one poll found. */
export type MonitorEvent =
  | { readonly kind: 'first'; readonly checkpoint: VerifiedCheckpoint }
  | { readonly kind: 'unchanged'; readonly checkpoint: VerifiedCheckpoint }
  | { readonly kind: 'grew'; readonly checkpoint: VerifiedCheckpoint; readonly from: number }
  | { readonly kind: 'stale'; readonly checkpoint: VerifiedCheckpoint; readonly latest: number }
  | { readonly kind: 'equivocation' | 'fork' | 'rollback'; readonly message: string; readonly evidence: readonly string[] }
  | { readonly kind: 'invalid'; readonly message: string; readonly note?: string }
  | { readonly kind: 'unavailable'; readonly message: string };

/** True for the events that prove the log misbehaved. */
export function isMisbehaviour(event: MonitorEvent): boolean {
  return event.kind === 'equivocation' || event.kind === 'fork' || event.kind === 'rollback' || event.kind === 'invalid';
}

/** Options of {@link LogMonitor}. */
export interface LogMonitorOptions {
  readonly policy: CheckpointPolicy;
  readonly state?: MonitorState;
  readonly backend?: CryptoBackend;
}

/** Polls a remote log and checks each checkpoint against everything seen before. */
export class LogMonitor {
  readonly #remote: RemoteLog;
  readonly #policy: CheckpointPolicy;
  readonly #backend: CryptoBackend;
  readonly #tree: TiledTree;
  /** Every (size, root) seen, to catch equivocation at any size, not only the latest. */
  readonly #seen = new Map<number, SeenCheckpoint>();
  #latest: SeenCheckpoint | undefined;
  #origin: string | undefined;

  constructor(remote: RemoteLog, options: LogMonitorOptions) {
    this.#remote = remote;
    this.#policy = options.policy;
    this.#backend = options.backend ?? getDefaultBackend();
    this.#tree = new TiledTree(this.#backend, remote);
    if (options.state?.latest !== undefined) {
      this.#latest = options.state.latest;
      this.#seen.set(options.state.latest.size, options.state.latest);
      this.#origin = options.state.origin;
    }
  }

  /** The state to persist. */
  get state(): MonitorState | undefined {
    return this.#origin === undefined
      ? undefined
      : { origin: this.#origin, ...(this.#latest === undefined ? {} : { latest: this.#latest }) };
  }

  /** Fetches the current checkpoint and checks it. Never throws: the event says what happened. */
  async poll(): Promise<MonitorEvent> {
    let note: string;
    try {
      note = await this.#remote.checkpoint();
    } catch (e) {
      return { kind: 'unavailable', message: (e as Error).message };
    }
    let cp: VerifiedCheckpoint;
    try {
      cp = verifyCheckpoint(this.#backend, note, this.#policy);
    } catch (e) {
      return { kind: 'invalid', message: `The log serves a checkpoint that does not verify: ${(e as Error).message}`, note };
    }
    this.#origin ??= cp.origin;
    const seen: SeenCheckpoint = { size: cp.size, root: toBase64(cp.root), note: cp.note };
    const same = this.#seen.get(cp.size);
    if (same !== undefined && same.root !== seen.root) {
      return {
        kind: 'equivocation',
        message: `EQUIVOCATION: the log signed two different trees of size ${cp.size}.`,
        evidence: [same.note, cp.note],
      };
    }
    const last = this.#latest;
    if (last === undefined) {
      this.#remember(seen, true);
      return { kind: 'first', checkpoint: cp };
    }
    if (cp.size === last.size) return { kind: 'unchanged', checkpoint: cp };
    const [small, big] = cp.size < last.size ? [seen, last] : [last, seen];
    if (small.size === 0) {
      // The empty tree is a prefix of every tree: only its root needs checking.
      const emptyOk = small.root === toBase64(this.#backend.sha256(new Uint8Array(0)));
      if (!emptyOk) return { kind: 'fork', message: `FORK: the log signed an empty tree with a wrong root.`, evidence: [small.note] };
      if (cp.size < last.size) return { kind: 'stale', checkpoint: cp, latest: last.size };
      this.#remember(seen, true);
      return { kind: 'grew', checkpoint: cp, from: last.size };
    }
    let ok: boolean;
    try {
      const head = (c: SeenCheckpoint) => ({ size: c.size, root: fromBase64(c.root) });
      ok = await extendsTree(this.#backend, this.#tree, head(small), head(big));
    } catch (e) {
      if (cp.size < last.size) return { kind: 'stale', checkpoint: cp, latest: last.size };
      return { kind: 'unavailable', message: `Cannot build a consistency proof from the log's tiles: ${(e as Error).message}` };
    }
    if (!ok) {
      if (cp.size > last.size) {
        return {
          kind: 'fork',
          message: `FORK: the checkpoint of size ${cp.size} does not extend the one of size ${last.size}: the log rewrote its history.`,
          evidence: [last.note, cp.note],
        };
      }
      return {
        kind: 'rollback',
        message: `ROLLBACK: the log now serves size ${cp.size}, which is not a prefix of the size ${last.size} it served before.`,
        evidence: [last.note, cp.note],
      };
    }
    if (cp.size < last.size) {
      this.#remember(seen, false);
      return { kind: 'stale', checkpoint: cp, latest: last.size };
    }
    this.#remember(seen, true);
    return { kind: 'grew', checkpoint: cp, from: last.size };
  }

  #remember(seen: SeenCheckpoint, latest: boolean): void {
    this.#seen.set(seen.size, seen);
    // Bounded memory: keep the newest few thousand sizes.
    if (this.#seen.size > 10_000) this.#seen.delete(this.#seen.keys().next().value as number);
    if (latest) this.#latest = seen;
  }
}

/** Parses a persisted monitor state (JSON), refusing anything malformed. */
export function parseMonitorState(text: string): MonitorState {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new SignetError('SIGNET_E_INPUT_INVALID', 'The monitor state file is not JSON.');
  }
  const o = v as { origin?: unknown; latest?: { size?: unknown; root?: unknown; note?: unknown } };
  if (typeof o?.origin !== 'string') throw new SignetError('SIGNET_E_INPUT_INVALID', 'The monitor state has no origin.');
  if (o.latest === undefined) return { origin: o.origin };
  const { size, root, note } = o.latest;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || typeof root !== 'string' || typeof note !== 'string')
    throw new SignetError('SIGNET_E_INPUT_INVALID', 'The monitor state is malformed.');
  try {
    if (fromBase64(root).length !== 32) throw new Error('root');
  } catch {
    throw new SignetError('SIGNET_E_INPUT_INVALID', 'The monitor state root is malformed.');
  }
  return { origin: o.origin, latest: { size, root, note } };
}
