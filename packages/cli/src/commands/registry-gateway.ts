import type { UnavailablePolicy } from '@signet/log';
import { openGatewayRegistry } from '@signet/registry';
import { flag, msFlag, optional, required } from '../args.js';
import { gatewayAccountSecret, type GatewayExtension } from './gateway.js';

/**
 * The registry as a `signet gateway` extension: `--registry DB|URL` records every sealed response
 * (digests, chunk hashes, similarity fingerprints, the account id and its tag; the text itself only
 * with `--registry-store-text`) before the answer is released, so attribution can later trace
 * stripped text back to the account. Records are stored or durably spooled, never lost; one that
 * can be neither fails the seal (fail closed). See docs/durability.md.
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
      help: 'the durable spool of the registry',
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
      commitTimeoutMs: msFlag(args, 'log-commit-timeout-ms'),
      connectTimeoutMs: msFlag(args, 'pg-connect-timeout-ms'),
      statementTimeoutMs: msFlag(args, 'pg-statement-timeout-ms'),
      onError: (e) => io.stderr(`signet gateway: ${e.code}: ${e.message}\n`),
      onStateChange: (s) => io.stderr(`signet gateway: registry ${s}\n`),
    });
    io.stderr(
      `signet gateway: recording sealed responses in the ${registry.kind} registry${flag(args, 'registry-store-text') ? ' (with text)' : ''}\n`,
    );
    return hooks;
  },
};
