import type { UnavailablePolicy } from '@signet/log';
import { openGatewayRegistry } from '@signet/registry';
import { poolWorkerSlot } from '@signet/server';
import { flag, intFlag, optional, required } from '../args.js';
import { gatewayAccountSecret, type GatewayExtension } from './gateway.js';

/**
 * `signet gateway --registry`: every answer, sealed or not, is on record (stored or durably
 * spooled; one that can be neither fails the seal) before it is released. See docs/durability.md.
 */
export const registryGatewayExtension: GatewayExtension = {
  flags: {
    registry: {
      value: 'DB|URL',
      help: "record every sealed response in the provider's registry (SQLite file or postgres:// URL), for attribution",
    },
    'registry-schema': { value: 'NAME', help: 'the PostgreSQL schema of the registry' },
    'registry-store-text': { help: 'keep the text of sealed responses in the registry too' },
    'registry-unavailable': { value: 'spool|fail', default: 'spool', help: 'while the registry is down: spool records, or refuse (503)' },
    'registry-spool': {
      value: 'FILE',
      default: 'DB.spool, or DIR/registry.spool for PostgreSQL',
      help: 'the durable spool of the registry (worker N > 1 writes FILE.wN; one owner per file)',
    },
  },
  async setup(args, io) {
    const target = optional(args, 'registry') ?? io.env.SIGNET_REGISTRY;
    if (target === undefined) return undefined;
    const { registry, hooks } = await openGatewayRegistry(target, {
      accountSecret: gatewayAccountSecret(args, io),
      storeText: flag(args, 'registry-store-text'),
      schema: optional(args, 'registry-schema'),
      unavailable: optional(args, 'registry-unavailable') as UnavailablePolicy | undefined,
      spoolPath: optional(args, 'registry-spool'),
      spoolFolder: required(args, 'keys'),
      commitTimeoutMs: intFlag(args, 'log-commit-timeout-ms', 5000),
      connectTimeoutMs: intFlag(args, 'pg-connect-timeout-ms', 5000),
      statementTimeoutMs: intFlag(args, 'pg-statement-timeout-ms', 10_000),
      onError: (e) => io.stderr(`signet gateway: ${e.code}: ${e.message}\n`),
      onStateChange: (s) => io.stderr(`signet gateway: registry ${s}\n`),
      onNotice: (line) => io.stderr(`signet gateway: registry: ${line}\n`),
      worker: poolWorkerSlot(), // each worker writes its own spool file under the base
    });
    io.stderr(`signet gateway: recording in the ${registry.kind} registry${flag(args, 'registry-store-text') ? ' (with text)' : ''}\n`);
    return hooks;
  },
};
