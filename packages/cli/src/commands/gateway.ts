import { availableParallelism } from 'node:os';
import { SignetError } from '@signet/core';
import { openAccounts, type SharedAccounts } from '@signet/registry';
import {
  createAccessLog,
  createGateway,
  isPoolWorker,
  openGatewayFiles,
  poolMetrics,
  resolveAccountSecret,
  startWorkerPool,
  workerDone,
  workerReady,
  type Gateway,
  type GatewayFilesOptions,
  type GatewayHooks,
  type RunningServer,
  type ServeOptions,
} from '@signet/server';
import { flag, intFlag, optional, required, UsageError, type FlagSpec, type ParsedArgs } from '../args.js';
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

/** The flags of `signet gateway` itself (extensions add theirs). */
export const GATEWAY_FLAGS: FlagSpec = {
  upstream: { value: 'URL', required: true, help: 'the OpenAI-compatible server to seal answers from' },
  keys: { value: 'DIR', required: true, help: 'the keys directory (or one key file) to sign with' },
  accounts: {
    value: 'DB|URL',
    required: true,
    help: 'the accounts store: a SQLite file, a postgres:// URL, or an accounts .json file (see "signet accounts add")',
  },
  'accounts-schema': { value: 'NAME', help: 'PostgreSQL schema of the accounts store' },
  'accounts-refresh-ms': {
    value: 'N',
    default: '1000',
    help: 'how often the accounts store is checked for changes: a revoked key stops working within this bound',
  },
  'accounts-max-stale-ms': {
    value: 'N',
    default: '10000',
    help: 'after this long without reading the accounts store every request is refused (503)',
  },
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
  'max-request-bytes': { value: 'N', default: '16777216', help: 'largest model request body accepted' },
  'max-body-bytes': { value: 'N', default: '33554432', help: 'largest whole model answer sealed' },
  workers: { value: 'N', default: 'the number of CPUs', help: 'worker processes sharing the port (1: a single process)' },
  cors: { value: 'ORIGIN', repeatable: true, help: 'let browser pages from ORIGIN call the gateway ("*": any origin)' },
  'access-log': { help: 'write a JSON access log line per request to stdout' },
  'readiness-interval-ms': { value: 'N', default: '1000', help: 'how long a /readyz verdict is reused' },
  'readiness-timeout-ms': { value: 'N', default: '2000', help: 'how long each readiness check may take' },
  config: { value: 'FILE', help: 'read settings from a TOML or JSON file (flags and SIGNET_* variables win)' },
};

/** A gateway started from command-line arguments. */
export interface StartedGateway {
  readonly server: RunningServer;
  readonly issuer: string;
  /** Reads the terms file and signing key again and serves with them (what SIGHUP does). Throws if they are bad. */
  reload(): { kid: string; terms: string };
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
  const accountsTarget = required(args, 'accounts');
  const port = intFlag(args, 'port', 8787);
  const host = optional(args, 'host') ?? '127.0.0.1';
  const issuer = optional(args, 'issuer') ?? io.env.SIGNET_ISSUER ?? `http://${host}:${port}`;
  const secretFile = optional(args, 'account-secret-file');
  // An accounts .json file is the format of earlier releases; anything else is a store.
  const shared: SharedAccounts | undefined = /\.json$/i.test(accountsTarget)
    ? undefined
    : await openAccounts(accountsTarget, {
        refreshMs: intFlag(args, 'accounts-refresh-ms', 1000) || 1000,
        maxStaleMs: intFlag(args, 'accounts-max-stale-ms', 10_000) || 10_000,
        ...(optional(args, 'accounts-schema') === undefined ? {} : { schema: optional(args, 'accounts-schema') as string }),
        onRefreshError: (e) => io.stderr(`signet gateway: ${e.code}: ${e.message} (keeping the accounts read before)\n`),
      });
  const filesOptions: GatewayFilesOptions = {
    keys,
    terms,
    accounts: shared ?? accountsTarget,
    issuer,
    ...(secretFile === undefined ? {} : { accountSecretFile: secretFile }),
    ...(io.env.SIGNET_ACCOUNT_SECRET === undefined ? {} : { accountSecretText: io.env.SIGNET_ACCOUNT_SECRET }),
    onKeyReloadError: () => io.stderr('signet gateway: the rotated key could not be loaded; still signing with the previous one\n'),
    onAccountsReloadError: (e) => io.stderr(`signet gateway: ${e.code}: ${e.message} (keeping the previous accounts)\n`),
  };
  const files = openGatewayFiles(filesOptions);
  const hooks: GatewayHooks[] = [];
  if (shared !== undefined) hooks.push({ health: () => shared.health(), close: () => shared.close() });
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
        }${r.delivered ? ' (delivered, fail-open)' : ''}\n`,
      ),
  });
  const passthrough = args.flags.passthrough;
  const cors = args.flags.cors;
  const upstreamApiKey = io.env.SIGNET_UPSTREAM_API_KEY;
  const sized = (name: string, option: 'maxRequestBytes' | 'maxBodyBytes' | 'readinessIntervalMs' | 'readinessTimeoutMs') =>
    optional(args, name) === undefined ? {} : { [option]: intFlag(args, name, 0) };
  // A worker of a pool serves the metrics of all workers (known once the gateway exists).
  let poolSource: (() => Promise<string>) | undefined;
  const gateway: Gateway = createGateway({
    ...files,
    upstream: required(args, 'upstream'),
    failOpen: flag(args, 'fail-open'),
    ...(Array.isArray(passthrough) ? { passthrough } : {}),
    ...(Array.isArray(cors) ? { cors } : {}),
    ...(upstreamApiKey ? { upstreamApiKey } : {}),
    ...(flag(args, 'access-log') ? { accessLog: createAccessLog() } : {}),
    ...sized('max-request-bytes', 'maxRequestBytes'),
    ...sized('max-body-bytes', 'maxBodyBytes'),
    ...sized('readiness-interval-ms', 'readinessIntervalMs'),
    ...sized('readiness-timeout-ms', 'readinessTimeoutMs'),
    readinessChecks: { keys: async () => ({ ok: files.signer.kid.length > 0 }) },
    ...(isPoolWorker() ? { metricsSource: () => (poolSource as () => Promise<string>)() } : {}),
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
  if (isPoolWorker()) poolSource = poolMetrics(gateway.metrics.registry);
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
    reload() {
      // Terms and keys read again; the accounts store and the extensions stay as they are.
      const fresh = openGatewayFiles({ ...filesOptions, accounts: files.accounts });
      gateway.setSigner(fresh.signer);
      return { kid: fresh.signer.kid, terms: `${fresh.signer.terms.id} ${fresh.signer.terms.version}` };
    },
    async close() {
      await server.close();
      await gateway.close();
    },
  };
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
Public keys are served at /.well-known/signet/jwks.json (DIR/jwks.json).
The upstream's own API key, if it needs one, is read from SIGNET_UPSTREAM_API_KEY.
SIGINT/SIGTERM stop it gracefully: open streams finish first.`,
    async run(parsed, io) {
      const args = applyConfig(parsed, gatewayFlagSpec(extensions), io.env);
      const workers = optional(args, 'workers') === undefined ? availableParallelism() : intFlag(args, 'workers', 1);
      if (workers < 1) throw new UsageError('--workers must be at least 1');
      if (workers > 1 && !isPoolWorker()) return runPool(args, io, workers);
      const started = await startGatewayFromArgs(args, io, extensions);
      if (isPoolWorker()) workerReady(started.server.url);
      else
        io.stderr(`signet gateway: listening on ${started.server.url}, issuer ${started.issuer}, upstream ${required(args, 'upstream')}\n`);
      const onHup = (): void => {
        try {
          const r = started.reload();
          io.stderr(`signet gateway: reloaded: key ${r.kid}, terms ${r.terms}\n`);
        } catch (e) {
          io.stderr(
            `signet gateway: reload failed, keeping the previous terms and keys: ${e instanceof SignetError ? `${e.code}: ${e.message}` : 'error'}\n`,
          );
        }
      };
      process.on('SIGHUP', onHup);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.off('SIGHUP', onHup);
          if (!isPoolWorker()) io.stderr('signet gateway: shutting down, letting open streams finish\n');
          started.close().finally(workerDone).then(resolve, resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return 0;
    },
  });
}

/** The primary of `--workers N`: forks the workers, replaces dead ones, passes signals on. */
async function runPool(args: ParsedArgs, io: CommandIO, workers: number): Promise<number> {
  // Checked here, once, before any worker exists: a missing flag or a bad file is one error, not N
  // worker failures (the accounts store and the extensions are opened by the workers).
  for (const name of ['upstream', 'keys', 'accounts', 'terms']) required(args, name);
  const upstream = URL.canParse(required(args, 'upstream')) ? new URL(required(args, 'upstream')) : undefined;
  if (upstream === undefined || (upstream.protocol !== 'http:' && upstream.protocol !== 'https:'))
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'the upstream must be an absolute http(s) URL', {
      hint: 'For example --upstream http://127.0.0.1:8000',
    });
  const accounts = required(args, 'accounts');
  const secretFile = optional(args, 'account-secret-file');
  openGatewayFiles({
    keys: required(args, 'keys'),
    terms: required(args, 'terms'),
    accounts: /\.json$/i.test(accounts) ? accounts : { lookup: () => undefined, size: 0 },
    issuer: 'https://check.invalid',
    ...(secretFile === undefined ? {} : { accountSecretFile: secretFile }),
    ...(io.env.SIGNET_ACCOUNT_SECRET === undefined ? {} : { accountSecretText: io.env.SIGNET_ACCOUNT_SECRET }),
  });
  let pool;
  try {
    pool = await startWorkerPool({ workers, onEvent: (m) => io.stderr(`signet gateway: ${m}\n`) });
  } catch (e) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `the gateway workers could not start: ${(e as Error).message}`, {
      hint: 'The workers printed the cause above.',
    });
  }
  io.stderr(`signet gateway: listening on ${pool.url}, ${workers} workers, upstream ${required(args, 'upstream')}\n`);
  const onHup = (): void => pool.reload();
  process.on('SIGHUP', onHup);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.off('SIGHUP', onHup);
      io.stderr('signet gateway: shutting down the workers, letting open streams finish\n');
      pool.stop().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
