import { join } from 'node:path';
import { SignetError } from '@signet/core';
import type { DurableHealth, DurableRefusal, DurableState, UnavailablePolicy } from '@signet/log';
import { openDurableRegistry, type DurableRegistry } from './durable-registry.js';
import { openRegistry, type Registry, type SealedLike, type SealInputLike, type UnsealedLike } from './registry.js';

/**
 * The registry as a gateway extension, in one call: opened, checked writable, wrapped in a durable
 * spool, and the hooks the gateway plugs in (structurally the gateway's `GatewayHooks`).
 * `signet gateway --registry` is this plus flags.
 */

/** Options of {@link openGatewayRegistry}. */
export interface GatewayRegistryOptions {
  /** The signer's account secret (see `RegistryOptions`). */
  readonly accountSecret: Uint8Array;
  /** Keep the sealed text too (off by default). */
  readonly storeText?: boolean | undefined;
  /** PostgreSQL schema. */
  readonly schema?: string | undefined;
  /** PostgreSQL connect and statement timeouts, ms (defaults 5,000 and 10,000). */
  readonly connectTimeoutMs?: number | undefined;
  readonly statementTimeoutMs?: number | undefined;
  /** While the registry is down: spool (default) or refuse. */
  readonly unavailable?: UnavailablePolicy | undefined;
  /** The spool base (default `<db>.spool` for SQLite, `<spoolFolder>/registry.spool` for PostgreSQL); worker n of n > 1 writes `<base>.w<n>`. */
  readonly spoolPath?: string | undefined;
  /** This gateway worker's number and how many workers run (default `{ index: 1, count: 1 }`: a single process). */
  readonly worker?: { readonly index: number; readonly count: number } | undefined;
  /** Where a PostgreSQL registry's spool goes when `spoolPath` is not given. */
  readonly spoolFolder?: string | undefined;
  /** Longest wait for a write before the record is spooled or refused, ms (default 5,000). */
  readonly commitTimeoutMs?: number | undefined;
  readonly onError?: (error: SignetError) => void;
  readonly onStateChange?: (state: DurableState) => void;
  /** Told about spool takeovers and adoptions. */
  readonly onNotice?: (line: string) => void;
}

/** The hooks a gateway takes from the registry. */
export interface GatewayRegistryHooks {
  onSealed(sealed: SealedLike, input: SealInputLike): Promise<void>;
  onUnsealed(record: UnsealedLike): Promise<void>;
  refusal(): DurableRefusal | undefined;
  health(): DurableHealth;
  close(): Promise<void>;
}

/** An open gateway registry. */
export interface GatewayRegistry {
  readonly registry: Registry;
  readonly durable: DurableRegistry;
  readonly hooks: GatewayRegistryHooks;
}

const PG_URL = /^postgres(ql)?:\/\//i;

/** Opens a registry for a gateway. Refuses to start when it cannot be written. */
export async function openGatewayRegistry(target: string, options: GatewayRegistryOptions): Promise<GatewayRegistry> {
  const pg = PG_URL.test(target);
  const spoolPath =
    options.spoolPath ??
    (pg ? (options.spoolFolder === undefined ? undefined : join(options.spoolFolder, 'registry.spool')) : `${target}.spool`);
  if (spoolPath === undefined)
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'A PostgreSQL registry needs a spool file.', { hint: 'Pass --registry-spool FILE.' });
  const registry = await openRegistry(target, {
    accountSecret: options.accountSecret,
    storeText: options.storeText === true,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    ...(options.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: options.statementTimeoutMs }),
  });
  let durable: DurableRegistry;
  try {
    durable = await openDurableRegistry(registry, {
      spoolPath,
      ...(options.unavailable === undefined ? {} : { unavailable: options.unavailable }),
      ...(options.commitTimeoutMs === undefined ? {} : { commitTimeoutMs: options.commitTimeoutMs }),
      ...(options.onError === undefined ? {} : { onError: options.onError }),
      ...(options.onStateChange === undefined ? {} : { onStateChange: options.onStateChange }),
      ...(options.onNotice === undefined ? {} : { onNotice: options.onNotice }),
      ...(options.worker === undefined ? {} : { writer: options.worker.index, writers: options.worker.count }),
    });
  } catch (e) {
    await registry.close();
    throw e;
  }
  // A record that can be neither stored nor spooled fails the seal (fail closed), with a clear code.
  const wrap =
    (what: string) =>
    (cause: unknown): never => {
      throw cause instanceof SignetError && cause.code === 'SIGNET_E_REGISTRY_UNAVAILABLE'
        ? cause
        : new SignetError('SIGNET_E_REGISTRY_STORAGE', `The ${what} could not be recorded in the registry.`, { cause });
    };
  return {
    registry,
    durable,
    hooks: {
      onSealed: (sealed, input) => durable.record(sealed, input).catch(wrap('sealed response')),
      onUnsealed: (record) => durable.recordUnsealed(record).catch(wrap('unsealed answer')),
      refusal: () => durable.refusal(),
      health: () => durable.health(),
      close: async () => {
        try {
          await durable.close();
        } finally {
          await registry.close();
        }
      },
    },
  };
}
