import { SignetError } from '@signet/core';
import type { AccountStore } from './accounts.js';
import { openGatewayFiles } from './gateway-files.js';
import type { GatewayHooks } from './gateway-hooks.js';
import type { GatewayServiceOptions } from './gateway-service.js';
import type { SettingDoc, SettingValues } from './settings-file.js';

/**
 * The settings of `signet gateway`, defined once: each is a flag, a config-file key and a SIGNET_*
 * variable (see `applySettings`), documented in one table (docs/gateway-operations.md).
 */
export const GATEWAY_SETTINGS: Readonly<Record<string, SettingDoc>> = {
  upstream: { kind: 'string', value: 'URL', required: true, help: 'the OpenAI-compatible server to seal answers from' },
  keys: { kind: 'string', value: 'DIR', required: true, help: 'the keys directory (or one key file) to sign with' },
  accounts: {
    kind: 'string',
    value: 'DB|URL',
    required: true,
    help: 'the accounts store (SQLite file or postgres:// URL) or a .json file',
  },
  'accounts-schema': { kind: 'string', value: 'NAME', help: 'PostgreSQL schema of the accounts store' },
  'accounts-refresh-ms': {
    kind: 'string',
    value: 'N',
    default: '1000',
    help: 'accounts store re-read interval: bounds how late a revocation acts',
  },
  'accounts-max-stale-ms': {
    kind: 'string',
    value: 'N',
    default: '10000',
    help: 'refuse every request (503) after this long without the store',
  },
  terms: { kind: 'string', value: 'FILE', required: true, help: 'the terms file: the terms version accounts must have accepted' },
  port: { kind: 'string', value: 'N', default: '8787', help: 'listen port' },
  host: { kind: 'string', value: 'ADDR', default: '127.0.0.1', help: 'listen address' },
  issuer: { kind: 'string', value: 'ISS', default: 'SIGNET_ISSUER, else http://HOST:PORT', help: 'the issuer named in envelopes' },
  'fail-open': { kind: 'boolean', help: 'pass responses that cannot be sealed, marked "Signet-Unsealed" (default: 502)' },
  'account-secret-file': {
    kind: 'string',
    value: 'FILE',
    default: 'SIGNET_ACCOUNT_SECRET, else DIR/account-secret',
    help: 'account-tag secret',
  },
  passthrough: {
    kind: 'list',
    value: '"METHOD PATH"',
    help: 'forward this route unsealed (a path ending in /* covers everything below it); giving it replaces the default "GET /v1/models"',
  },
  'headers-timeout-ms': { kind: 'string', value: 'N', default: '20000', help: 'time to send the request headers' },
  'request-timeout-ms': { kind: 'string', value: 'N', default: '120000', help: 'time to send the whole request' },
  'keep-alive-timeout-ms': { kind: 'string', value: 'N', default: '5000', help: 'idle keep-alive connections close after N ms' },
  'max-connections': { kind: 'string', value: 'N', default: '1024', help: 'connections open at once' },
  'upstream-connect-timeout-ms': {
    kind: 'string',
    value: 'MS',
    default: '10000',
    help: 'longest wait to connect to the upstream (then 504)',
  },
  'upstream-headers-timeout-ms': {
    kind: 'string',
    value: 'MS',
    default: '300000',
    help: "longest wait for the upstream's response headers (then 504)",
  },
  'upstream-idle-timeout-ms': {
    kind: 'string',
    value: 'MS',
    default: '120000',
    help: 'longest upstream silence mid-answer (a stream ends partial)',
  },
  'max-stream-bytes': {
    kind: 'string',
    value: 'N',
    default: '16777216',
    help: 'largest streamed answer; a longer one is cut and sealed partial',
  },
  'max-request-bytes': { kind: 'string', value: 'N', default: '16777216', help: 'largest model request body accepted' },
  'max-body-bytes': { kind: 'string', value: 'N', default: '33554432', help: 'largest whole model answer sealed' },
  workers: { kind: 'string', value: 'N', default: 'the number of CPUs', help: 'worker processes sharing the port (1: a single process)' },
  cors: { kind: 'list', value: 'ORIGIN', help: 'let browser pages from ORIGIN call the gateway ("*": any origin)' },
  'access-log': { kind: 'boolean', help: 'write a JSON access log line per request to stdout' },
  'readiness-interval-ms': { kind: 'string', value: 'N', default: '1000', help: 'how long a /readyz verdict is reused' },
  'readiness-timeout-ms': { kind: 'string', value: 'N', default: '2000', help: 'how long each readiness check may take' },
  config: { kind: 'string', value: 'FILE', help: 'read settings from a TOML or JSON file (flags and SIGNET_* variables win)' },
};

/** Environment variables, by name (for example `process.env`). */
export type Env = Readonly<Record<string, string | undefined>>;

function text(s: SettingValues, name: string): string | undefined {
  const v = s[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function need(s: SettingValues, name: string): string {
  const v = text(s, name);
  if (v === undefined)
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `--${name} is required`, {
      hint: `Give --${name}, ${name} in the config file, or SIGNET_${name.toUpperCase()}.`,
    });
  return v;
}

/** A whole-number setting, or `fallback` when absent. */
export function intSetting(s: SettingValues, name: string, fallback: number): number {
  const v = text(s, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new SignetError('SIGNET_E_CONFIG_INVALID', `--${name} must be a whole number`);
  return n;
}

function num<K extends string>(s: SettingValues, name: string, option: K): Partial<Record<K, number>> {
  return text(s, name) === undefined ? {} : ({ [option]: intSetting(s, name, 0) } as Record<K, number>);
}

function list(s: SettingValues, name: string): string[] | undefined {
  const v = s[name];
  return Array.isArray(v) ? v : undefined;
}

function secretOptions(s: SettingValues, env: Env): { accountSecretFile?: string; accountSecretText?: string } {
  const file = text(s, 'account-secret-file');
  return {
    ...(file === undefined ? {} : { accountSecretFile: file }),
    ...(env.SIGNET_ACCOUNT_SECRET === undefined ? {} : { accountSecretText: env.SIGNET_ACCOUNT_SECRET }),
  };
}

/** The issuer a gateway names: the setting, else SIGNET_ISSUER, else its own listen URL. */
export function gatewayIssuer(s: SettingValues, env: Env): string {
  return text(s, 'issuer') ?? env.SIGNET_ISSUER ?? `http://${text(s, 'host') ?? '127.0.0.1'}:${intSetting(s, 'port', 8787)}`;
}

/** The options of `startGatewayService` from settings. `accounts` is an opened store (else the setting is a .json file). */
export function gatewayServiceOptions(
  s: SettingValues,
  o: { env: Env; accounts?: AccountStore; hooks: readonly GatewayHooks[]; say: (line: string) => void },
): GatewayServiceOptions {
  const [passthrough, cors, upstreamApiKey] = [list(s, 'passthrough'), list(s, 'cors'), o.env.SIGNET_UPSTREAM_API_KEY];
  return {
    upstream: need(s, 'upstream'),
    keys: need(s, 'keys'),
    terms: need(s, 'terms'),
    accounts: o.accounts ?? need(s, 'accounts'),
    issuer: gatewayIssuer(s, o.env),
    ...secretOptions(s, o.env),
    failOpen: s['fail-open'] === true,
    ...(passthrough === undefined ? {} : { passthrough }),
    ...(cors === undefined ? {} : { cors }),
    ...(upstreamApiKey ? { upstreamApiKey } : {}),
    accessLog: s['access-log'] === true,
    upstreamTimeouts: {
      connectMs: intSetting(s, 'upstream-connect-timeout-ms', 10_000),
      headersMs: intSetting(s, 'upstream-headers-timeout-ms', 300_000),
      idleMs: intSetting(s, 'upstream-idle-timeout-ms', 120_000),
    },
    maxStreamBytes: intSetting(s, 'max-stream-bytes', 16 * 1024 * 1024),
    ...num(s, 'max-request-bytes', 'maxRequestBytes'),
    ...num(s, 'max-body-bytes', 'maxBodyBytes'),
    ...num(s, 'readiness-interval-ms', 'readinessIntervalMs'),
    ...num(s, 'readiness-timeout-ms', 'readinessTimeoutMs'),
    hooks: o.hooks,
    listen: {
      port: intSetting(s, 'port', 8787),
      host: text(s, 'host') ?? '127.0.0.1',
      ...num(s, 'headers-timeout-ms', 'headersTimeoutMs'),
      ...num(s, 'request-timeout-ms', 'requestTimeoutMs'),
      ...num(s, 'keep-alive-timeout-ms', 'keepAliveTimeoutMs'),
      ...num(s, 'max-connections', 'maxConnections'),
    },
    say: o.say,
  };
}

/**
 * Checks a gateway's settings and files without starting anything: what the primary of a worker
 * pool does before forking, so a mistake is one error, not one per worker.
 */
export function checkGatewaySettings(s: SettingValues, env: Env): void {
  const upstream = need(s, 'upstream');
  if (!URL.canParse(upstream) || !/^https?:$/.test(new URL(upstream).protocol))
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'the upstream must be an absolute http(s) URL', {
      hint: 'For example --upstream http://127.0.0.1:8000',
    });
  const accounts = need(s, 'accounts');
  openGatewayFiles({
    keys: need(s, 'keys'),
    terms: need(s, 'terms'),
    // A store is opened by the workers; a .json file is read here.
    accounts: /\.json$/i.test(accounts) ? accounts : { lookup: () => undefined, size: 0 },
    issuer: gatewayIssuer(s, env),
    ...secretOptions(s, env),
  });
}

/**
 * How many worker processes a gateway runs: `requested`, else one per core. Workers share the log
 * and the registry; each keeps its own spool file under the spool base (one writer per file: see
 * `spoolFileOf` in @signet/log), so a local spool does not limit the count. `refused` says why a
 * count is refused (fewer than one).
 */
export function gatewayWorkers(requested: number | undefined, cores: number): { readonly workers: number; readonly refused?: string } {
  const workers = requested ?? Math.max(1, cores);
  if (workers < 1) return { workers, refused: '--workers must be at least 1' };
  return { workers };
}
