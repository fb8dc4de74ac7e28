import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { SignetError } from '@signet/core';
import { flagKind, UsageError, type FlagKind, type FlagSpec, type ParsedArgs } from './args.js';

/**
 * Settings from a config file and the environment, under the command line. Generic over a
 * command's flag spec: every flag is a config key of the same name (`fail-open = true`,
 * `headers-timeout-ms = 20000`, `passthrough = ["GET /v1/models"]`) and an environment variable
 * `SIGNET_` + its name in upper snake case (`SIGNET_FAIL_OPEN=1`, `SIGNET_HEADERS_TIMEOUT_MS=20000`;
 * lists comma-separated). Precedence: flags, then the environment, then the file, then defaults.
 */

/** The environment variable of a flag: `headers-timeout-ms` -> `SIGNET_HEADERS_TIMEOUT_MS`. */
export function envName(flagName: string): string {
  return `SIGNET_${flagName.toUpperCase().replace(/-/g, '_')}`;
}

type Value = string | boolean | string[];

function fromFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `cannot read the config file ${path}`, { cause });
  }
  try {
    const data: unknown = /\.json$/i.test(path) ? JSON.parse(text) : parseToml(text);
    if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error('not a table');
    return data as Record<string, unknown>;
  } catch (cause) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `${path} is not a valid ${/\.json$/i.test(path) ? 'JSON' : 'TOML'} config file`, {
      cause,
      hint: 'Keys are the flag names without "--", for example upstream = "http://127.0.0.1:8000".',
    });
  }
}

function fileValue(path: string, name: string, kind: FlagKind, v: unknown): Value {
  const bad = (what: string): never => {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `${path}: ${name} must be ${what}`);
  };
  if (kind === 'boolean') return typeof v === 'boolean' ? v : bad('true or false');
  if (kind === 'list') {
    const list = Array.isArray(v) ? v : [v];
    return list.map((x) => (typeof x === 'string' ? x : typeof x === 'number' ? String(x) : bad('a list of strings')));
  }
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return bad('a string or a number');
}

function envValue(name: string, kind: FlagKind, v: string): Value {
  if (kind === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(v)) return true;
    if (/^(0|false|no|off|)$/i.test(v)) return false;
    throw new UsageError(`${envName(name)} must be true or false`);
  }
  if (kind === 'list')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  return v;
}

/**
 * Fills the flags not given on the command line from the environment, then from the config file
 * (`--config FILE`, JSON by its `.json` name, TOML otherwise). Unknown keys in the file are
 * refused (a typo must not silently leave a default in place). `exclude` lists flags that only
 * the command line sets (`config` itself).
 */
export function applyConfig(
  args: ParsedArgs,
  spec: FlagSpec,
  env: Readonly<Record<string, string | undefined>>,
  options: { configFlag?: string; exclude?: readonly string[] } = {},
): ParsedArgs {
  const configFlag = options.configFlag ?? 'config';
  const exclude = new Set([configFlag, ...(options.exclude ?? [])]);
  const given = args.flags[configFlag];
  const path = typeof given === 'string' ? given : env[envName(configFlag)];
  const file = path === undefined || path === '' ? {} : fromFile(path);
  for (const key of Object.keys(file)) {
    if (!(key in spec) || exclude.has(key))
      throw new SignetError('SIGNET_E_CONFIG_INVALID', `${path}: unknown setting "${key.slice(0, 64)}"`, {
        hint: 'Keys are the flag names of the command without "--" (see the configuration table in docs/gateway.md).',
      });
  }
  const flags: Record<string, Value | undefined> = { ...args.flags };
  for (const [name, f] of Object.entries(spec)) {
    const kind = flagKind(f);
    if (exclude.has(name) || flags[name] !== undefined) continue;
    const e = env[envName(name)];
    if (e !== undefined) {
      flags[name] = envValue(name, kind, e);
      continue;
    }
    if (file[name] !== undefined) flags[name] = fileValue(path as string, name, kind, file[name]);
  }
  return { flags, positionals: args.positionals };
}

/**
 * The configuration table of a command, in Markdown: every flag with its config key, environment
 * variable, default and meaning. docs/gateway-operations.md holds the gateway's (a test keeps it current).
 */
export function configTable(spec: FlagSpec, exclude: readonly string[] = ['config']): string {
  const rows = Object.entries(spec)
    .filter(([name]) => !exclude.includes(name))
    .map(([name, f]) => {
      const doc = typeof f === 'string' ? {} : f;
      const kind = flagKind(f);
      const type = kind === 'boolean' ? 'true/false' : kind === 'list' ? `list of ${doc.value ?? 'VALUE'}` : (doc.value ?? 'VALUE');
      const dflt = doc.default ?? (doc.required === true ? '(required)' : kind === 'boolean' ? 'false' : '');
      const cell = (t: string): string => t.replace(/\|/g, '\\|');
      return `| \`${name}\` | \`--${name}\` | \`${envName(name)}\` | ${cell(type)} | ${cell(dflt)} | ${cell(doc.help ?? '')} |`;
    });
  return ['| key | flag | environment | value | default | meaning |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}
