import { SignetError, type SignetErrorCode } from '@signet/core';
import { openSpool, type Spool } from './spool.js';
import { adoptOrphanSpools, spoolFileOf } from './spool-files.js';
import { withTimeout } from './timeout.js';

/**
 * The machinery behind "nothing acknowledged is lost", for any store (the log, the registry): a
 * write resolves only once the item is durable, either stored by the store itself, or, when the
 * store cannot take it in time, written to a durable local spool (see {@link openSpool}) that is
 * replayed on start and retried until the store has every item. Under policy `fail` nothing is
 * spooled: writes fail and {@link DurableSink.refusal} tells the caller to refuse new work.
 */

/** What to do while a store cannot take writes. */
export type UnavailablePolicy = 'spool' | 'fail';

/** Storing, spooling (store down, policy spool), or failing (store down, policy fail). */
export type DurableState = 'available' | 'spooling' | 'failing';

/** What a readiness check reads. */
export interface DurableHealth {
  /** False only when new work is refused (policy `fail` while the store is down). */
  readonly ok: boolean;
  readonly state: DurableState;
  /** Items waiting in the spool. */
  readonly spooled: number;
  /** One line for an operator. */
  readonly detail: string;
}

/** A refusal of new work while a store is down under policy `fail`. */
export interface DurableRefusal {
  readonly code: SignetErrorCode;
  readonly message: string;
  /** Seconds a client should wait before trying again. */
  readonly retryAfterSeconds: number;
}

/** The tuning every durable store shares. */
export interface DurableOptions {
  /**
   * The spool base: an fsync'd append-only file beside the store. Writer 1 writes this file,
   * writer n `<spoolPath>.w<n>` (see `spoolFileOf`): each file has one owner.
   */
  readonly spoolPath: string;
  /** This writer's number, 1 to `writers` (a gateway worker's index; default 1). */
  readonly writer?: number;
  /** How many writers share the spool base in this run (default 1). Writer 1 adopts the files of higher numbers. */
  readonly writers?: number;
  /** Told about spool takeovers and adoptions (one line each). */
  readonly onNotice?: (line: string) => void;
  /** What to do while the store is down (default `spool`). */
  readonly unavailable?: UnavailablePolicy;
  /** Longest wait for the store to take an item before it is spooled (or refused), ms. Default 5,000. */
  readonly commitTimeoutMs?: number;
  /** Pause between attempts to reach the store again, ms. Default 1,000. */
  readonly retryMs?: number;
  /** Told about outages (never with secrets). */
  readonly onError?: (error: SignetError) => void;
  /** Told when the state changes. */
  readonly onStateChange?: (state: DurableState) => void;
}

/** How a durable sink reaches its store. */
export interface DurableSinkStore<T> {
  /** Name for messages: "log", "registry". */
  readonly name: string;
  /** The code of a refusal (and of a write refused under policy `fail`). */
  readonly unavailableCode: SignetErrorCode;
  /** Stores one item (the store's own group commit batches these). */
  write(item: T): Promise<void>;
  /** Stores spooled items, skipping those the store already has (a crash may come after a commit). */
  replay(items: T[]): Promise<void>;
  /** A write that is rolled back: resolves when the store takes writes. */
  probe(): Promise<void>;
  encode(item: T): string;
  decode(line: string): T | undefined;
  /** The key under which an item is pending (a response id), if any. */
  key(item: T): string | undefined;
}

/** A store behind a durable spool. */
export interface DurableSink<T> {
  readonly state: DurableState;
  readonly policy: UnavailablePolicy;
  /** Resolves once the item is stored or durably spooled; rejects when it is neither. */
  write(item: T): Promise<void>;
  refusal(): DurableRefusal | undefined;
  health(): DurableHealth;
  /** True while an item with this key sits in the spool. */
  isSpooled(key: string): boolean;
  /** Tries now to reach the store and move the spool into it; resolves with the items left. */
  retry(): Promise<number>;
  /** Stops retrying, makes one last attempt to empty the spool, closes it (not the store). */
  close(): Promise<void>;
}

const REPLAY_BATCH = 1000;

/** Checks at start-up that a store takes writes, with a clear refusal when it does not. */
export async function checkWritable(probe: () => Promise<void>, timeoutMs: number, code: SignetErrorCode, what: string): Promise<void> {
  try {
    await withTimeout(probe(), timeoutMs, code, `The ${what} did not answer the write check in ${timeoutMs} ms.`);
  } catch (cause) {
    throw new SignetError(code, `The ${what} cannot be written${cause instanceof SignetError ? `: ${cause.message}` : '.'}`, {
      hint: 'Check that the file and its folder are writable, the disk has space, and the database is up and its user may write.',
      cause,
    });
  }
}

/**
 * Opens this writer's spool (owning it: a spool another live process owns is refused with
 * `SIGNET_E_LOG_SPOOL_IN_USE`), lets writer 1 adopt the files of writers this run does not have,
 * replays what an earlier run left, and returns the sink.
 */
export async function openDurableSink<T>(store: DurableSinkStore<T>, options: DurableOptions): Promise<DurableSink<T>> {
  const policy = options.unavailable ?? 'spool';
  if (policy !== 'spool' && policy !== 'fail')
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `The ${store.name}-unavailable policy must be "spool" or "fail".`);
  const commitTimeout = options.commitTimeoutMs ?? 5_000;
  const retryMs = options.retryMs ?? 1_000;
  if (!(commitTimeout > 0) || !(retryMs > 0))
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `The ${store.name}'s commit timeout and retry pause must be positive.`);
  const [writer, writers] = [options.writer ?? 1, options.writers ?? 1];
  if (!Number.isSafeInteger(writer) || !Number.isSafeInteger(writers) || writer < 1 || writer > writers)
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `The ${store.name}'s spool writer must be a number from 1 to the number of writers.`);
  const notice = (line: string): void => {
    try {
      options.onNotice?.(line);
    } catch {
      // Reporting never changes the outcome.
    }
  };
  const spool: Spool = await openSpool(spoolFileOf(options.spoolPath, writer), { onTakeover: notice });
  try {
    // Files of writers this run does not have would otherwise never be drained.
    if (writer === 1) await adoptOrphanSpools(spool, options.spoolPath, writers, notice);
  } catch (e) {
    await spool.close();
    throw e;
  }
  const spooled = new Map<string, number>();
  const hold = (k: string | undefined): void => {
    if (k !== undefined) spooled.set(k, (spooled.get(k) ?? 0) + 1);
  };
  const drop = (k: string | undefined): void => {
    if (k === undefined) return;
    const n = (spooled.get(k) ?? 1) - 1;
    if (n <= 0) spooled.delete(k);
    else spooled.set(k, n);
  };
  for (const line of await spool.read()) {
    const item = store.decode(line);
    if (item !== undefined) hold(store.key(item));
  }
  let state: DurableState = 'available';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let retrying: Promise<number> | undefined;
  let closed = false;
  const report = (e: SignetError): void => {
    try {
      options.onError?.(e);
    } catch {
      // Reporting never changes the outcome.
    }
  };
  const setState = (next: DurableState): void => {
    if (next === state) return;
    state = next;
    try {
      options.onStateChange?.(next);
    } catch {
      // As above.
    }
  };
  const message = `The ${store.name} is unavailable, so nothing can be sealed right now.`;
  const refusalError = (cause?: unknown): SignetError =>
    new SignetError(store.unavailableCode, message, {
      hint: `Retry later; the gateway refuses while its ${store.name} is down.`,
      ...(cause === undefined ? {} : { cause }),
    });

  const moveToStore = async (lines: string[]): Promise<void> => {
    const items = lines.map((l) => store.decode(l)).filter((x): x is T => x !== undefined);
    for (let i = 0; i < items.length; i += REPLAY_BATCH) {
      await withTimeout(
        store.replay(items.slice(i, i + REPLAY_BATCH)),
        commitTimeout * 4,
        store.unavailableCode,
        `The ${store.name} did not take the spooled items in time.`,
      );
    }
    for (const item of items) drop(store.key(item));
  };

  const attempt = async (): Promise<number> => {
    await withTimeout(store.probe(), commitTimeout, store.unavailableCode, `The ${store.name} did not answer.`);
    return spool.drain(moveToStore, () => setState('available'));
  };

  const retry = (): Promise<number> => {
    retrying ??= attempt()
      .catch((e: unknown) => {
        report(
          e instanceof SignetError ? e : new SignetError(store.unavailableCode, `The ${store.name} is still unavailable.`, { cause: e }),
        );
        return spool.size;
      })
      .finally(() => {
        retrying = undefined;
      });
    return retrying;
  };

  const schedule = (): void => {
    if (closed || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void retry().then(() => {
        if (state !== 'available') schedule();
      });
    }, retryMs);
    timer.unref();
  };

  const unavailable = (cause: unknown): void => {
    if (state === 'available') {
      report(
        new SignetError(
          store.unavailableCode,
          policy === 'spool'
            ? `The ${store.name} is unavailable; spooling until it returns.`
            : `The ${store.name} is unavailable; refusing new requests until it returns.`,
          { cause },
        ),
      );
    }
    setState(policy === 'spool' ? 'spooling' : 'failing');
    schedule();
  };

  const toSpool = async (item: T): Promise<void> => {
    const k = store.key(item);
    hold(k);
    try {
      await spool.append(store.encode(item));
    } catch (e) {
      drop(k);
      throw e;
    }
    schedule();
  };

  if (spool.size > 0) {
    setState(policy === 'spool' ? 'spooling' : 'failing');
    // Catch up with what an earlier run spooled before anything new is taken.
    await retry();
    if (state !== 'available') schedule();
  }

  return {
    policy,
    get state() {
      return state;
    },
    async write(item) {
      if (closed) throw new SignetError(store.unavailableCode, `The ${store.name} is closed.`);
      if (state === 'failing') throw refusalError();
      // While spooling, new items queue behind the spooled ones, so the store keeps their order.
      if (state === 'spooling') return toSpool(item);
      try {
        await withTimeout(store.write(item), commitTimeout, store.unavailableCode, `The ${store.name} did not commit in time.`);
      } catch (cause) {
        // Misuse is not an outage.
        if (cause instanceof TypeError || cause instanceof RangeError) throw cause;
        unavailable(cause);
        if (policy === 'fail') throw refusalError(cause);
        await toSpool(item);
      }
    },
    refusal() {
      if (state !== 'failing') return undefined;
      return { code: store.unavailableCode, message, retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)) };
    },
    health() {
      const n = spool.size;
      return {
        ok: state !== 'failing',
        state,
        spooled: n,
        detail:
          state === 'available'
            ? `${store.name} available`
            : state === 'spooling'
              ? `${store.name} unavailable, ${n} spooled`
              : `${store.name} unavailable, refusing new requests`,
      };
    },
    isSpooled: (k) => spooled.has(k),
    retry,
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (retrying !== undefined) await retrying;
      if (spool.size > 0) await retry();
      await spool.close();
    },
  };
}
