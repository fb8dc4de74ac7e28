import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applySettings, envName, settingsTable, type SettingDoc, type SettingKind, type SettingValues } from './settings-file.js';

const DOCS: Record<string, SettingDoc> = {
  upstream: { kind: 'string', value: 'URL', required: true, help: 'the upstream' },
  port: { kind: 'string', value: 'N', default: '8787', help: 'listen port' },
  'fail-open': { kind: 'boolean', help: 'pass unsealable answers' },
  cors: { kind: 'list', value: 'ORIGIN', help: 'allowed origins' },
  config: { kind: 'string', value: 'FILE', help: 'config file' },
};
const KINDS: Record<string, SettingKind> = Object.fromEntries(Object.entries(DOCS).map(([n, d]) => [n, d.kind]));
const given = (argv: string[]): SettingValues => {
  const out: SettingValues = {};
  for (let i = 0; i < argv.length; i += 2) out[(argv[i] as string).slice(2)] = argv[i + 1];
  return out;
};
const applyConfig = (values: SettingValues, _spec: unknown, env: Record<string, string>): { flags: SettingValues } => ({
  flags: applySettings(values, KINDS, env),
});
const parseArgs = (argv: string[], _spec: unknown): SettingValues => given(argv);
const SPEC = DOCS;
const dir = mkdtempSync(join(tmpdir(), 'signet-config-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('config files and SIGNET_* variables under the flags', () => {
  it('reads TOML and JSON, with flags over the environment over the file', () => {
    const toml = file(
      'g.toml',
      'upstream = "http://file:1"\nport = 9000\nfail-open = true\ncors = ["https://a.example", "https://b.example"]\n',
    );
    const fromFile = applyConfig(parseArgs(['--config', toml], SPEC), SPEC, {});
    expect(fromFile.flags).toMatchObject({
      upstream: 'http://file:1',
      port: '9000',
      'fail-open': true,
      cors: ['https://a.example', 'https://b.example'],
    });
    const env = { SIGNET_PORT: '9100', SIGNET_CORS: 'https://c.example, https://d.example', SIGNET_FAIL_OPEN: 'false' };
    const withEnv = applyConfig(parseArgs(['--config', toml], SPEC), SPEC, env);
    expect(withEnv.flags).toMatchObject({ port: '9100', cors: ['https://c.example', 'https://d.example'], 'fail-open': false });
    const withFlag = applyConfig(parseArgs(['--config', toml, '--port', '9200'], SPEC), SPEC, env);
    expect(withFlag.flags.port).toBe('9200');
    const json = file('g.json', JSON.stringify({ upstream: 'http://json:1', port: 1 }));
    expect(applyConfig(parseArgs([], SPEC), SPEC, { SIGNET_CONFIG: json }).flags.upstream).toBe('http://json:1');
  });

  it('refuses unknown keys, wrong types and malformed files with a typed error', () => {
    const typo = file('typo.toml', 'upstraem = "http://x"\n');
    expect(() => applyConfig(parseArgs(['--config', typo], SPEC), SPEC, {})).toThrow(/unknown setting "upstraem"/);
    const wrong = file('wrong.toml', 'fail-open = "yes"\n');
    expect(() => applyConfig(parseArgs(['--config', wrong], SPEC), SPEC, {})).toThrow(/fail-open must be true or false/);
    const broken = file('broken.toml', 'upstream = \n');
    expect(() => applyConfig(parseArgs(['--config', broken], SPEC), SPEC, {})).toThrow(
      expect.objectContaining({ code: 'SIGNET_E_CONFIG_INVALID' }),
    );
    expect(() => applyConfig(parseArgs([], SPEC), SPEC, { SIGNET_FAIL_OPEN: 'maybe' })).toThrow(/SIGNET_FAIL_OPEN must be true or false/);
  });

  it('names every flag in the table with its variable and default', () => {
    const table = settingsTable(DOCS);
    expect(envName('keep-alive-timeout-ms')).toBe('SIGNET_KEEP_ALIVE_TIMEOUT_MS');
    expect(table).toContain('| `port` | `--port` | `SIGNET_PORT` | N | 8787 | listen port |');
    expect(table).toContain('| `upstream` | `--upstream` | `SIGNET_UPSTREAM` | URL | (required) | the upstream |');
    expect(table).not.toContain('`config`');
  });
});
