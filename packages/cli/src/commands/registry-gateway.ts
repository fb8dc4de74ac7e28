import { SignetError } from '@signet/core';
import { openRegistry } from '@signet/registry';
import { flag, optional } from '../args.js';
import { gatewayAccountSecret, type GatewayExtension } from './gateway.js';

/**
 * The registry as a `signet gateway` extension: `--registry DB|URL` records every sealed response
 * (digests, chunk hashes, similarity fingerprints, the account id and its tag; the text itself only
 * with `--registry-store-text`) before the answer is released, so attribution can later trace
 * stripped text back to the account. A recording failure fails the seal (fail closed): a response
 * the provider cannot attribute is not served sealed.
 */
export const registryGatewayExtension: GatewayExtension = {
  flags: {
    registry: {
      value: 'DB|URL',
      help: "record every sealed response in the provider's registry (SQLite file or postgres:// URL), for attribution",
    },
    'registry-schema': { value: 'NAME', help: 'the PostgreSQL schema of the registry' },
    'registry-store-text': { help: 'keep the text of sealed responses in the registry too' },
  },
  async setup(args, io) {
    const target = optional(args, 'registry') ?? io.env.SIGNET_REGISTRY;
    if (target === undefined) return undefined;
    const schema = optional(args, 'registry-schema');
    const registry = await openRegistry(target, {
      accountSecret: gatewayAccountSecret(args, io),
      storeText: flag(args, 'registry-store-text'),
      ...(schema === undefined ? {} : { schema }),
    });
    io.stderr(
      `signet gateway: recording sealed responses in the ${registry.kind} registry${flag(args, 'registry-store-text') ? ' (with text)' : ''}\n`,
    );
    return {
      onSealed: async (sealed, input) => {
        try {
          await registry.record(sealed, input);
        } catch (cause) {
          throw new SignetError('SIGNET_E_REGISTRY_STORAGE', 'The sealed response could not be recorded in the registry.', { cause });
        }
      },
      // Unsealed answers are on record too, with their account: a failed record withholds a whole answer.
      onUnsealed: async (record) => {
        try {
          await registry.recordUnsealed(record);
        } catch (cause) {
          throw new SignetError('SIGNET_E_REGISTRY_STORAGE', 'The unsealed answer could not be recorded in the registry.', { cause });
        }
      },
      close: () => registry.close(),
    };
  },
};
