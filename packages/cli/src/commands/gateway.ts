import { SignetError } from '@signet/core';
import {
  createGateway,
  openGatewayFiles,
  resolveAccountSecret,
  type GatewayHooks,
  type RunningServer,
  type ServeOptions,
} from '@signet/server';
import { createVerifyPageRoute } from '@signet/verify-page';
import { flag, intFlag, optional, required, type FlagSpec, type ParsedArgs } from '../args.js';
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

/** The flags of `signet gateway` itself (extensions add theirs). */
export const GATEWAY_FLAGS: FlagSpec = {
  upstream: { value: 'URL', required: true, help: 'the OpenAI-compatible server to seal answers from' },
  keys: { value: 'DIR', required: true, help: 'the keys directory (or one key file) to sign with' },
  accounts: { value: 'FILE', required: true, help: 'the accounts file (see "signet accounts add")' },
  terms: { value: 'FILE', required: true, help: 'the terms file: the terms version accounts must have accepted' },
  port: { value: 'N', default: '8787', help: 'listen port' },
  host: { value: 'ADDR', default: '127.0.0.1', help: 'listen address' },
  issuer: { value: 'ISS', default: 'SIGNET_ISSUER, else http://HOST:PORT', help: 'the issuer named in envelopes' },
  'fail-open': { help: 'pass responses that cannot be sealed, marked "Signet-Unsealed" (default: 502)' },
  'account-secret-file': { value: 'FILE', default: 'SIGNET_ACCOUNT_SECRET, else DIR/account-secret', help: 'account-tag secret' },
  passthrough: {
    value: '"METHOD PATH"',
    repeatable: true,
    help: 'forward this route unsealed (a path ending in /* covers everything below it); giving it replaces the default "GET /v1/models"',
  },
  'headers-timeout-ms': { value: 'N', default: '20000', help: 'time to send the request headers' },
  'request-timeout-ms': { value: 'N', default: '120000', help: 'time to send the whole request' },
  'keep-alive-timeout-ms': { value: 'N', default: '5000', help: 'idle keep-alive connections close after N ms' },
  'max-connections': { value: 'N', default: '1024', help: 'connections open at once' },
  'upstream-connect-timeout-ms': { value: 'MS', default: '10000', help: 'longest wait to connect to the upstream (then 504)' },
  'upstream-headers-timeout-ms': { value: 'MS', default: '300000', help: "longest wait for the upstream's response headers (then 504)" },
  'upstream-idle-timeout-ms': { value: 'MS', default: '120000', help: 'longest upstream silence mid-answer (a stream ends partial)' },
  'max-stream-bytes': { value: 'N', default: '16777216', help: 'largest streamed answer; a longer one is cut and sealed partial' },
};

/** A gateway started from command-line arguments. */
export interface StartedGateway {
  readonly server: RunningServer;
  readonly issuer: string;
  /** Stops it gracefully (open streams finish), then closes the extensions. */
  close(): Promise<void>;
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
  const keys = required(args, 'keys');
  const terms = required(args, 'terms');
  const accountsFile = required(args, 'accounts');
  const port = intFlag(args, 'port', 8787);
  const host = optional(args, 'host') ?? '127.0.0.1';
  const issuer = optional(args, 'issuer') ?? io.env.SIGNET_ISSUER ?? `http://${host}:${port}`;
  const secretFile = optional(args, 'account-secret-file');
  const files = openGatewayFiles({
    keys,
    terms,
    accounts: accountsFile,
    issuer,
    ...(secretFile === undefined ? {} : { accountSecretFile: secretFile }),
    ...(io.env.SIGNET_ACCOUNT_SECRET === undefined ? {} : { accountSecretText: io.env.SIGNET_ACCOUNT_SECRET }),
    onKeyReloadError: () => io.stderr('signet gateway: the rotated key could not be loaded; still signing with the previous one\n'),
    onAccountsReloadError: (e) => io.stderr(`signet gateway: ${e.code}: ${e.message} (keeping the previous accounts)\n`),
  });
  const hooks: GatewayHooks[] = [];
  for (const ext of extensions) {
    const h = await ext.setup(args, io);
    if (h !== undefined) hooks.push(h);
  }
  // Every unsealed answer leaves a line on stderr at least; extensions (the registry) keep a row too.
  hooks.push({
    onUnsealed: (r) =>
      io.stderr(
        `signet gateway: unsealed answer: ${r.reason} status ${r.status} account ${JSON.stringify(r.account)} route ${r.route ?? '-'}${
          r.responseId === undefined ? '' : ` response ${JSON.stringify(r.responseId)}`
        }${r.delivered ? ' (delivered)' : ''}\n`,
      ),
  });
  const passthrough = args.flags.passthrough;
  const upstreamApiKey = io.env.SIGNET_UPSTREAM_API_KEY;
  hooks.push({ extraRoutes: createVerifyPageRoute({ jwks: files.jwks, source: issuer }) }); // the verifier page, these keys preloaded
  const gateway = createGateway({
    ...files,
    upstream: required(args, 'upstream'),
    failOpen: flag(args, 'fail-open'),
    upstreamConnectTimeoutMs: intFlag(args, 'upstream-connect-timeout-ms', 10_000),
    upstreamHeadersTimeoutMs: intFlag(args, 'upstream-headers-timeout-ms', 300_000),
    upstreamIdleTimeoutMs: intFlag(args, 'upstream-idle-timeout-ms', 120_000),
    maxStreamBytes: intFlag(args, 'max-stream-bytes', 16 * 1024 * 1024),
    ...(Array.isArray(passthrough) ? { passthrough } : {}),
    ...(upstreamApiKey ? { upstreamApiKey } : {}),
    hooks,
    // One line per failure, with its code; never key material (errors carry none).
    onError: (e) => io.stderr(`signet gateway: ${e.code}: ${e.message}\n`),
  });
  type Limit = 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'maxConnections';
  const limit = (name: string, option: Limit): Partial<Pick<ServeOptions, Limit>> =>
    optional(args, name) === undefined ? {} : { [option]: intFlag(args, name, 0) };
  const limits = {
    ...limit('headers-timeout-ms', 'headersTimeoutMs'),
    ...limit('request-timeout-ms', 'requestTimeoutMs'),
    ...limit('keep-alive-timeout-ms', 'keepAliveTimeoutMs'),
    ...limit('max-connections', 'maxConnections'),
  };
  let server: RunningServer;
  try {
    server = await gateway.listen({ port, host, ...limits });
  } catch (cause) {
    throw new SignetError(
      'SIGNET_E_CONFIG_INVALID',
      `cannot listen on ${host}:${port}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause },
    );
  }
  return {
    server,
    issuer,
    async close() {
      await server.close();
      await gateway.close();
    },
  };
}

/**
 * Builds the `signet gateway` command with the given extensions. `gateway` below has none; the
 * CLI can register `createGatewayCommand([logExtension, registryExtension])` instead.
 */
export function createGatewayCommand(extensions: readonly GatewayExtension[] = []): Command {
  return defineCommand({
    name: ['gateway'],
    summary: 'run the signing gateway in front of an OpenAI-compatible server',
    flags: Object.assign({}, GATEWAY_FLAGS, ...extensions.map((e) => e.flags)) as FlagSpec,
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
    async run(args, io) {
      const started = await startGatewayFromArgs(args, io, extensions);
      io.stderr(`signet gateway: listening on ${started.server.url}, issuer ${started.issuer}, upstream ${required(args, 'upstream')}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          io.stderr('signet gateway: shutting down, letting open streams finish\n');
          started.close().then(resolve, resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return 0;
    },
  });
}
