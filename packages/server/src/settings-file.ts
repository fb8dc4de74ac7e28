import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { SignetError } from '@signet/core';

/**
 * Settings from a config file and the environment, under the command line, generic over a list of
 * named settings: every setting is a config key of its own name (`fail-open = true`,
 * `headers-timeout-ms = 20000`, `passthrough = ["GET /v1/models"]`) and an environment variable
 * `SIGNET_` + its name in upper snake case (`SIGNET_FAIL_OPEN=1`; lists comma-separated).
 * Precedence: given values (the flags), then the environment, then the file, then defaults.
 */

/** How a setting is read: text, true/false, or a list of texts. */
export type SettingKind = 'string' | 'boolean' | 'list';

/** A documented setting, for {@link settingsTable}. */
export interface SettingDoc {
  readonly kind: SettingKind;
  readonly value?: string;
  readonly help?: string;
  readonly default?: string;
  readonly required?: boolean;
}

/** Setting values: what a command line parser gives. */
export type SettingValues = Record<string, string | boolean | string[] | undefined>;

/** The environment variable of a setting: `headers-timeout-ms` -> `SIGNET_HEADERS_TIMEOUT_MS`. */
export function envName(name: string): string {
  return `SIGNET_${name.toUpperCase().replace(/-/g, '_')}`;
}

function invalid(message: string, cause?: unknown): SignetError {
  return new SignetError('SIGNET_E_CONFIG_INVALID', message, {
    ...(cause === undefined ? {} : { cause }),
    hint: 'Keys are the flag names without "--", for example upstream = "http://127.0.0.1:8000" (see docs/gateway-operations.md).',
  });
}

function readSettingsFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw invalid(`cannot read the config file ${path}`, cause);
  }
  const json = /\.json$/i.test(path);
  try {
    const data: unknown = json ? JSON.parse(text) : parseToml(text);
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) return data as Record<string, unknown>;
  } catch (cause) {
    throw invalid(`${path} is not a valid ${json ? 'JSON' : 'TOML'} config file`, cause);
  }
  throw invalid(`${path} is not a table of settings`);
}

function fromFile(path: string, name: string, kind: SettingKind, v: unknown): string | boolean | string[] {
  const text = (x: unknown): string => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number' && Number.isFinite(x)) return String(x);
    throw invalid(`${path}: ${name} must be ${kind === 'list' ? 'a list of strings' : 'a string or a number'}`);
  };
  if (kind === 'list') return (Array.isArray(v) ? v : [v]).map(text);
  if (kind === 'string') return text(v);
  if (typeof v !== 'boolean') throw invalid(`${path}: ${name} must be true or false`);
  return v;
}

function fromEnv(name: string, kind: SettingKind, v: string): string | boolean | string[] {
  if (kind === 'list')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  if (kind === 'string') return v;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off|)$/i.test(v)) return false;
  throw invalid(`${envName(name)} must be true or false`);
}

/**
 * Fills the settings not given from the environment, then from the config file named by the
 * `config` setting (or SIGNET_CONFIG): JSON for a `.json` name, TOML otherwise. Unknown keys in the
 * file are refused: a typo must not silently leave a default in place.
 */
export function applySettings(
  given: SettingValues,
  kinds: Readonly<Record<string, SettingKind>>,
  env: Readonly<Record<string, string | undefined>>,
  configName = 'config',
): SettingValues {
  const named = given[configName];
  const path = typeof named === 'string' ? named : env[envName(configName)];
  const file = path === undefined || path === '' ? {} : readSettingsFile(path);
  for (const key of Object.keys(file))
    if (!(key in kinds) || key === configName) throw invalid(`${path}: unknown setting "${key.slice(0, 64)}"`);
  const out: SettingValues = { ...given };
  for (const [name, kind] of Object.entries(kinds)) {
    if (name === configName || out[name] !== undefined) continue;
    const e = env[envName(name)];
    if (e !== undefined) out[name] = fromEnv(name, kind, e);
    else if (file[name] !== undefined) out[name] = fromFile(path as string, name, kind, file[name]);
  }
  return out;
}

/** The settings as a Markdown table: key, flag, environment variable, value, default, meaning. */
export function settingsTable(docs: Readonly<Record<string, SettingDoc>>, exclude: readonly string[] = ['config']): string {
  const cell = (t: string): string => t.replace(/\|/g, '\\|');
  const rows = Object.entries(docs)
    .filter(([name]) => !exclude.includes(name))
    .map(([name, d]) => {
      const value = d.kind === 'boolean' ? 'true/false' : d.kind === 'list' ? `list of ${d.value ?? 'VALUE'}` : (d.value ?? 'VALUE');
      const dflt = d.default ?? (d.required === true ? '(required)' : d.kind === 'boolean' ? 'false' : '');
      return `| \`${name}\` | \`--${name}\` | \`${envName(name)}\` | ${cell(value)} | ${cell(dflt)} | ${cell(d.help ?? '')} |`;
    });
  return ['| key | flag | environment | value | default | meaning |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}
