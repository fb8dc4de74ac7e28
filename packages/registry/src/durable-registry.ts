import { SignetError } from '@signet/core';
import {
  checkWritable,
  openDurableSink,
  type DurableHealth,
  type DurableOptions,
  type DurableRefusal,
  type DurableState,
  type UnavailablePolicy,
} from '@signet/log';
import type { Registry, SealedLike, SealInputLike, UnsealedLike } from './registry.js';
import type { NewSealedRow, NewUnsealedRow } from './store.js';

/**
 * Registry records are never lost: the same durable acknowledgement as the log (see
 * `openDurableLog` in @signet/log). A record resolves once its rows are stored, or, when the store
 * cannot take them in time, written to an fsync'd spool that is replayed on start and retried until
 * the store has them. Sealed rows replay idempotently (the store ignores a row it already has); an
 * unsealed record caught by a crash between its commit and the spool's rewrite may be stored twice.
 */

/** A registry whose records are acknowledged only when durable. */
export interface DurableRegistry {
  readonly registry: Registry;
  readonly state: DurableState;
  readonly policy: UnavailablePolicy;
  /** Records a sealed response (fits the gateway's `onSealed`); resolves once stored or spooled. */
  record(sealed: SealedLike, input: SealInputLike): Promise<void>;
  /** Records an unsealed answer (fits the gateway's `onUnsealed`); resolves once stored or spooled. */
  recordUnsealed(record: UnsealedLike): Promise<void>;
  refusal(): DurableRefusal | undefined;
  health(): DurableHealth;
  retry(): Promise<number>;
  /** Stops retrying, makes a last attempt to empty the spool, closes it (not the registry). */
  close(): Promise<void>;
}

type Item = { readonly sealed: NewSealedRow[] } | { readonly unsealed: NewUnsealedRow };

// Byte columns travel through the spool's JSON as {"$b": base64}.
const encode = (item: Item): string =>
  JSON.stringify(item, (_k, v: unknown) => (v instanceof Uint8Array ? { $b: Buffer.from(v).toString('base64') } : v));

function decode(line: string): Item | undefined {
  try {
    const v = JSON.parse(line, (_k, x: unknown) =>
      x !== null && typeof x === 'object' && typeof (x as { $b?: unknown }).$b === 'string'
        ? new Uint8Array(Buffer.from((x as { $b: string }).$b, 'base64'))
        : x,
    ) as Partial<{ sealed: unknown; unsealed: unknown }>;
    if (Array.isArray(v.sealed)) return { sealed: v.sealed as NewSealedRow[] };
    if (v.unsealed !== null && typeof v.unsealed === 'object') return { unsealed: v.unsealed as NewUnsealedRow };
    return undefined;
  } catch {
    return undefined;
  }
}

/** Checks at start-up that the registry can be written (a test insert that is rolled back). */
export function checkRegistryWritable(registry: Registry, timeoutMs = 10_000): Promise<void> {
  return checkWritable(() => registry.store.probeWrite(), timeoutMs, 'SIGNET_E_REGISTRY_NOT_WRITABLE', 'registry');
}

/** Wraps an open registry with durable acknowledgement and a spool (see {@link DurableRegistry}). */
export async function openDurableRegistry(registry: Registry, options: DurableOptions): Promise<DurableRegistry> {
  await checkRegistryWritable(registry, (options.commitTimeoutMs ?? 5_000) * 2);
  const store = registry.store;
  const put = async (item: Item): Promise<void> => {
    if ('sealed' in item) await store.insert(item.sealed);
    else await store.insertUnsealed(item.unsealed);
  };
  const sink = await openDurableSink<Item>(
    {
      name: 'registry',
      unavailableCode: 'SIGNET_E_REGISTRY_UNAVAILABLE',
      write: put,
      replay: async (items) => {
        for (const item of items) await put(item);
      },
      probe: () => store.probeWrite(),
      encode,
      decode,
      key: () => undefined,
    },
    options,
  );
  const wrap = (cause: unknown): never => {
    if (cause instanceof TypeError || (cause instanceof SignetError && cause.code === 'SIGNET_E_REGISTRY_UNAVAILABLE')) throw cause;
    throw new SignetError('SIGNET_E_REGISTRY_STORAGE', 'The record could be neither stored nor spooled.', { cause });
  };
  return {
    registry,
    get state() {
      return sink.state;
    },
    get policy() {
      return sink.policy;
    },
    record: async (sealed, input) => {
      // Checked before anything is written: a record that does not match its envelope is refused, not spooled.
      const rows = registry.prepare(sealed, input);
      await sink.write({ sealed: rows }).catch(wrap);
    },
    recordUnsealed: async (record) => {
      const row = registry.prepareUnsealed(record);
      await sink.write({ unsealed: row }).catch(wrap);
    },
    refusal: () => sink.refusal(),
    health: () => sink.health(),
    retry: () => sink.retry(),
    close: () => sink.close(),
  };
}
