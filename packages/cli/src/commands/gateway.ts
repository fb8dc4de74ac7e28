import { availableParallelism } from 'node:os';
import { openAccounts } from '@signet/registry';
import {
  checkGatewaySettings,
  GATEWAY_SETTINGS,
  gatewayServiceOptions,
  gatewayWorkers,
  resolveAccountSecret,
  runGatewayProcess,
  startGatewayService,
  type GatewayFiles,
  type GatewayHooks,
  type GatewayService,
} from '@signet/server';
import { createVerifyPageRoute } from '@signet/verify-page';
import { intFlag, optional, required, UsageError, type FlagSpec, type ParsedArgs } from '../args.js';
import { applyConfig } from '../config-file.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import type { CommandIO } from '../io.js';

/**
 * An extension of `signet gateway`: extra flags, and what they plug into the gateway. This is how
 * the transparency log (`--log DB|URL`: `onSealed` appends each envelope, `extraRoutes` serves
 * `GET /v1/signet/receipts/{id}`) and the registry (`--registry DB|URL`: `onSealed` records what
 * was sealed) join the gateway without the gateway knowing them.
 */
export interface GatewayExtension {
  /** Flags this extension adds (merged with the gateway's own). */
  readonly flags: FlagSpec;
  /**
   * Called once at startup with the parsed arguments. Return undefined when the extension's flags
   * were not given. Errors stop the gateway from starting (configuration is checked up front).
   */
  setup(args: ParsedArgs, io: CommandIO): Promise<GatewayHooks | undefined> | GatewayHooks | undefined;
}

/** The flags of `signet gateway` itself (extensions add theirs): its settings, as flags. */
export const GATEWAY_FLAGS: FlagSpec = Object.fromEntries(
  Object.entries(GATEWAY_SETTINGS).map(([name, { kind, ...doc }]) => [name, kind === 'list' ? { ...doc, repeatable: true } : doc]),
);

/** A gateway started from command-line arguments. */
export interface StartedGateway extends GatewayService {
  readonly issuer: string;
}

/**
 * The account-tag secret of a gateway: --account-secret-file, else SIGNET_ACCOUNT_SECRET, else the
 * keys directory's account-secret. Extensions that need it (the registry) resolve it the same way.
 */
export function gatewayAccountSecret(args: ParsedArgs, io: CommandIO): Uint8Array {
  return resolveAccountSecret(optional(args, 'account-secret-file'), io.env.SIGNET_ACCOUNT_SECRET, required(args, 'keys'));
}

/** Starts a gateway from parsed arguments (what `signet gateway` does before waiting for a signal). */
export async function startGatewayFromArgs(
  args: ParsedArgs,
  io: CommandIO,
  extensions: readonly GatewayExtension[] = [],
): Promise<StartedGateway> {
  const say = (line: string): void => io.stderr(`signet gateway: ${line}\n`);
  const [target, schema] = [required(args, 'accounts'), optional(args, 'accounts-schema')];
  // An accounts .json file is the format of earlier releases; anything else is a shared store.
  const shared = /\.json$/i.test(target)
    ? undefined
    : await openAccounts(target, {
        refreshMs: intFlag(args, 'accounts-refresh-ms', 1000) || 1000,
        maxStaleMs: intFlag(args, 'accounts-max-stale-ms', 10_000) || 10_000,
        ...(schema === undefined ? {} : { schema }),
        onRefreshError: (e) => say(`${e.code}: ${e.message} (keeping the accounts read before)`),
      });
  const hooks: GatewayHooks[] = shared === undefined ? [] : [{ close: () => shared.close() }];
  for (const ext of extensions) {
    const h = await ext.setup(args, io);
    if (h !== undefined) hooks.push(h);
  }
  const options = gatewayServiceOptions(args.flags, { env: io.env, hooks, say, ...(shared === undefined ? {} : { accounts: shared }) });
  // The verifier page, with these keys preloaded.
  const withFiles = (f: GatewayFiles): GatewayHooks[] => [{ extraRoutes: createVerifyPageRoute({ jwks: f.jwks, source: options.issuer }) }];
  return { ...(await startGatewayService({ ...options, withFiles })), issuer: options.issuer };
}

/** The whole flag spec of `signet gateway` with these extensions (each flag is also a config key). */
export function gatewayFlagSpec(extensions: readonly GatewayExtension[] = []): FlagSpec {
  return Object.assign({}, GATEWAY_FLAGS, ...extensions.map((e) => e.flags)) as FlagSpec;
}

/**
 * Builds the `signet gateway` command with the given extensions. `gateway` below has none; the
 * CLI can register `createGatewayCommand([logExtension, registryExtension])` instead.
 */
export function createGatewayCommand(extensions: readonly GatewayExtension[] = []): Command {
  return defineCommand({
    name: ['gateway'],
    summary: 'run the signing gateway in front of an OpenAI-compatible server',
    flags: gatewayFlagSpec(extensions),
    text: `A reverse proxy that seals every model response (POST /v1/chat/completions, /v1/completions,
/v1/responses, streamed or not). It forwards only those and the --passthrough routes (default
"GET /v1/models"); other routes get 404, ambiguous path spellings (encoded "/", "." or "%", ";"
parameters, dot or empty segments) get 400, and model routes take no query string. Every model
answer is sealed or, when it cannot be (an error status, --fail-open), marked "Signet-Unsealed"
and recorded (a line on stderr; a registry row with --registry). Clients authenticate with keys
from the accounts file (see "signet accounts add"): unknown keys get 401, accounts that have not
accepted the terms version in --terms get 403, before anything reaches the upstream.
Public keys are served at /.well-known/signet/jwks.json (DIR/jwks.json), the verifier page at /signet/verify.
The upstream's own API key, if it needs one, is read from SIGNET_UPSTREAM_API_KEY.
SIGINT/SIGTERM stop it gracefully: open streams finish first.`,
    async run(parsed, io) {
      const args = applyConfig(parsed, gatewayFlagSpec(extensions), io.env);
      const given = optional(args, 'workers');
      const { workers, refused } = gatewayWorkers(given === undefined ? undefined : intFlag(args, 'workers', 1), availableParallelism());
      if (refused !== undefined) throw new UsageError(refused);
      await runGatewayProcess({
        workers,
        start: () => startGatewayFromArgs(args, io, extensions),
        check: () => checkGatewaySettings(args.flags, io.env),
        describe: `upstream ${required(args, 'upstream')}`,
        say: (line) => io.stderr(`signet gateway: ${line}\n`),
      });
      return 0;
    },
  });
}
