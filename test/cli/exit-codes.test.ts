import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLog } from '@signet/log';
import { openRegistry } from '@signet/registry';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeProvider, runCli, tempDir, writeKeysDir } from '../support/auditor-fixtures.js';

/**
 * Exit codes and messages that do not mislead (issue 13, items 5, 6 and 8): 1 is "checked, and
 * invalid" and nothing else; what could not be checked is 2 (the input) or 3 (nothing answered);
 * each message names the actual problem.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const provider = makeProvider();
const dir = tempDir('signet-exit-codes-');
const keys = writeKeysDir(provider, join(dir, 'keys'));
const terms = join(dir, 'terms.json');
const logDb = join(dir, 'log.db');
let verifierKey: string;

beforeAll(async () => {
  writeFileSync(terms, JSON.stringify({ id: 't', version: '1', uri: 'https://example.com/t', document: 'text', usage: {} }));
  const log = await openLog(logDb, { create: true, origin: 'log.example.com/exit' });
  verifierKey = log.verifierKey;
  await log.close();
});

const signArgs = (key: string) => [
  'sign',
  '--key',
  key,
  '--issuer',
  'https://api.example.com',
  '--account',
  'a',
  '--terms',
  terms,
  '--model',
  'm',
];

describe('exit codes', () => {
  // Was: an unreachable log printed "INVALID" and exited 1, as if the receipt were forged.
  it('log verify --url on an unreachable host exits 3 and never says INVALID', () => {
    const r = runCli(['log', 'verify', '--log-verifier-key', verifierKey, '--url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(3);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/INVALID/);
    expect(r.stderr).toContain('SIGNET_E_LOG_UNREACHABLE');
  });

  it('a usage error, an unreadable input and a wrong key type are 2, never 1', () => {
    expect(runCli(['verify', '--trust']).code).toBe(2);
    expect(runCli(['verify', '--trust', join(dir, 'nope.json'), '--envelope', '-', '--text', join(dir, 'nope.txt')]).code).toBe(2);
    const jwksAsKey = runCli(signArgs(join(keys, 'jwks.json')), 'hi');
    expect(jwksAsKey.code).toBe(2);
  });

  // Was: `signet keys --help` was an unknown command.
  it('every command group answers --help', () => {
    const r = runCli(['keys', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/signet keys new/);
    expect(r.stdout).toMatch(/signet keys auditor/);
    expect(runCli(['log', '--help']).stdout).toMatch(/signet log verify/);
  });

  // Was: `demo --only nope` ran nothing and said all parts succeeded.
  it('demo --only with an unknown part is a usage error', () => {
    const r = runCli(['demo', '--only', 'nope', '--dir', join(dir, 'demo')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown demo part nope/);
    expect(r.stdout).not.toMatch(/succeeded/);
  });

  // Was: `log init` over an existing log with another origin exited 0 and kept the old origin.
  it('log init refuses an existing log with another origin, and accepts the same one', () => {
    const other = runCli(['log', 'init', '--log', logDb, '--origin', 'log.example.com/other']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/log\.example\.com\/exit/);
    const same = runCli(['log', 'init', '--log', logDb, '--origin', 'log.example.com/exit', '--json']);
    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ origin: 'log.example.com/exit', verifierKey, created: false });
  });
});

describe('messages name the actual problem', () => {
  // Was: `--key nope` complained about the account secret.
  it('a missing signing key is reported as such', () => {
    const r = runCli(signArgs(join(dir, 'nope')), 'hi');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no signing key or keys directory at/);
    expect(r.stderr).not.toMatch(/account secret/);
  });

  // Was: a JWKS given as the signing key said "only Ed25519".
  it('a JWKS given as a signing key is called a JWKS', () => {
    const r = runCli(signArgs(join(keys, 'jwks.json')), 'hi');
    expect(r.stderr).toMatch(/is a JWKS/);
    expect(r.stderr).not.toMatch(/only Ed25519/);
  });

  // Was: "the key ID is not 8 hex digits".
  it('a private log key given as the verifier key is named, and not echoed', () => {
    const secret = readFileSync(`${logDb}.key`, 'utf8').trim();
    const r = runCli(['log', 'verify', '--log-verifier-key', secret, '--url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/private signer key, not its verifier key/);
    // The key material is the longest part of the encoded key (the others are its name and hash).
    const material = secret.split('+').reduce((a, b) => (b.length > a.length ? b : a), '');
    expect(material.length).toBeGreaterThan(20);
    expect(r.stderr).not.toContain(material);
  });

  // Was: --log-key meant a private key in the gateway and a verifier key in verify.
  it('the verifier key option has its own name', () => {
    const r = runCli(['log', 'verify', '--log-key', verifierKey, '--url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--log-verifier-key/);
  });

  // Was: "cannot read x: ENOENT", "EEXIST ... mkdir".
  it('no raw errno text reaches the user', () => {
    const missing = runCli(['audit', join(dir, 'missing.jsonl'), '--trust', join(keys, 'jwks.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
    expect(missing.stderr).not.toMatch(/ENOENT|EEXIST|errno/);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const onFile = runCli(['keys', 'new', '--out', join(file, 'keys')]);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).not.toMatch(/ENOENT|EEXIST|ENOTDIR|mkdir/);
  });

  // Was: a flag took the next flag as its value (`--out --json` wrote to a folder named --json).
  it('a flag never swallows the next flag', () => {
    const r = runCli(['keys', 'new', '--out', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out needs a value/);
  });

  // Was: `attribute --json | head` crashed with EPIPE.
  it('output into a closed pipe ends quietly', async () => {
    mkdirSync(join(dir, 'pipe'), { recursive: true });
    const db = join(dir, 'pipe', 'registry.db');
    await (await openRegistry(db, { accountSecret: provider.secret })).close();
    const suspects = join(dir, 'pipe', 'suspects.jsonl');
    writeFileSync(
      suspects,
      Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: `s${i}`, text: `suspect number ${i}` })).join('\n'),
    );
    const bin = join(root, 'packages', 'cli', 'dist', 'bin.js');
    const r = spawnSync(
      'bash',
      [
        '-o',
        'pipefail',
        '-c',
        `"${process.execPath}" "${bin}" attribute "${suspects}" --registry "${db}" --keys "${keys}" --json | head -n 1`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toMatch(/^\{"id":"s0"/);
    expect(r.stderr).not.toMatch(/EPIPE|Error|unexpected/);
  });
});

describe('--json where it was missing', () => {
  it('sign --json prints the envelope and its ids as JSON', () => {
    const r = runCli([...signArgs(keys), '--json'], 'hi');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { envelope: string; responseId: string; kid: string };
    expect(out.kid).toBe(provider.key.kid);
    expect(out.envelope.length).toBeGreaterThan(100);
  });
});

describe('docs/cli.md', () => {
  it('has a row in the exit code table for every command', async () => {
    const { COMMANDS } = await import('signet');
    const doc = readFileSync(join(root, 'docs', 'cli.md'), 'utf8');
    const rows = doc.split('\n').filter((l) => l.startsWith('| `'));
    for (const c of COMMANDS) {
      const name = c.name.join(' ');
      expect(
        rows.some((r) => r.includes(`\`${name}\``)),
        `docs/cli.md has no exit code row for ${name}`,
      ).toBe(true);
    }
  });
});
