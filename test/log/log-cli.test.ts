import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDefaultBackend } from '@signet/core';
import { LogKey, openLog, serveHandler, type Log, type LogHandler, type RunningServer } from '@signet/log';
import { main } from 'signet';

// The log commands run in process, against real HTTP servers. A "lying" server switches between
// two logs signed with the same key, which is what equivocation and forks look like to a monitor.

const backend = getDefaultBackend();
const dir = mkdtempSync(join(tmpdir(), 'signet-log-cli-'));
const key = LogKey.generate('cli.example/log');
const entry = (s: string) => backend.sha256(new TextEncoder().encode(s));

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    stdin: async () => new Uint8Array(0),
    env: {},
  });
  return { code, stdout, stderr };
}

async function makeLog(name: string, entries: string[]): Promise<Log> {
  const log = await openLog(join(dir, `${name}.db`), { key, create: true, maxDelayMs: 1 });
  for (const e of entries) await log.appendEntry({ entry: entry(e), responseId: e });
  return log;
}

/** Serves `views[i]` for the i-th checkpoint fetch (the last one after that); tiles follow the current view. */
async function switching(views: Log[]): Promise<RunningServer> {
  let served = -1;
  const handler: LogHandler = async (req) => {
    if (new URL(req.url).pathname === '/checkpoint') served++;
    const view = views[Math.min(Math.max(served, 0), views.length - 1)] as Log;
    return view.handler(req);
  };
  return serveHandler(handler);
}

let honest: Log;
let twin: Log; // same size as honest, other entries
let forked: Log; // longer, and its prefix differs from honest
let grown: Log; // honest plus more
const servers: RunningServer[] = [];

beforeAll(async () => {
  honest = await makeLog('honest', ['a', 'b', 'c']);
  twin = await makeLog('twin', ['a', 'B', 'c']);
  forked = await makeLog('forked', ['a', 'x', 'c', 'd', 'e']);
  grown = await makeLog('grown', ['a', 'b', 'c', 'd', 'e']);
});
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const l of [honest, twin, forked, grown]) await l?.close();
  rmSync(dir, { recursive: true, force: true });
});

const serve = async (views: Log[]) => {
  const s = await switching(views);
  servers.push(s);
  return s.url;
};

describe('signet log monitor', () => {
  it('follows a log that grows consistently (exit 0)', async () => {
    const url = await serve([honest, honest, grown]);
    const r = await cli(['log', 'monitor', url, '--log-verifier-key', key.verifierKey, '--interval', '0', '--polls', '3']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('consistent: 3 -> 5');
    expect(r.code).toBe(0);
  });

  it('detects equivocation: two signed checkpoints of one size (exit 1, with evidence)', async () => {
    const url = await serve([honest, twin]);
    const r = await cli(['log', 'monitor', url, '--log-verifier-key', key.verifierKey, '--interval', '0', '--polls', '5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('EQUIVOCATION');
    expect(r.stderr).toContain(await honest.checkpoint());
    expect(r.stderr).toContain(await twin.checkpoint());
  });

  it('detects a fork (history rewritten) and a rollback', async () => {
    const fork = await cli([
      'log',
      'monitor',
      await serve([honest, forked]),
      '--log-verifier-key',
      key.verifierKey,
      '--interval',
      '0',
      '--polls',
      '3',
    ]);
    expect(fork.code).toBe(1);
    expect(fork.stderr).toContain('FORK');
    // Rollback: after size 5 the log serves an older checkpoint that is not a prefix of it (its
    // tiles still describe the size-5 tree, so the monitor can prove the mismatch).
    let n = 0;
    const rollback = await serveHandler(async (req) =>
      new URL(req.url).pathname === '/checkpoint' ? (n++ === 0 ? forked : twin).handler(req) : forked.handler(req),
    );
    servers.push(rollback);
    const back = await cli(['log', 'monitor', rollback.url, '--log-verifier-key', key.verifierKey, '--interval', '0', '--polls', '3']);
    expect(back.code).toBe(1);
    expect(back.stderr).toContain('ROLLBACK');
  });

  it('remembers across runs with --state, and refuses checkpoints signed by another key', async () => {
    const state = join(dir, 'monitor.json');
    expect(
      (await cli(['log', 'monitor', await serve([honest]), '--log-verifier-key', key.verifierKey, '--once', '--state', state])).code,
    ).toBe(0);
    const later = await cli(['log', 'monitor', await serve([twin]), '--log-verifier-key', key.verifierKey, '--once', '--state', state]);
    expect(later.code).toBe(1);
    expect(later.stderr).toContain('EQUIVOCATION');
    const other = LogKey.generate('cli.example/log');
    const wrong = await cli(['log', 'monitor', await serve([honest]), '--log-verifier-key', other.verifierKey, '--once']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('INVALID CHECKPOINT');
    expect((await cli(['log', 'monitor', 'http://127.0.0.1:9', '--log-verifier-key', 'nonsense', '--once'])).code).toBe(2);
    const unreachable = await cli(['log', 'monitor', 'http://127.0.0.1:9', '--log-verifier-key', key.verifierKey, '--once']);
    // Nothing answered: "could not check" (3), apart from a usage error (2) and misbehaviour (1).
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain('warning');
  });
});

describe('signet log monitor with witnesses', () => {
  it('requires K of N witness cosignatures', async () => {
    const { addNoteSignature, cosigner, formatVerifierKey, NOTE_SIG_COSIGNATURE_V1 } = await import('@signet/core');
    const witnesses = [1, 2, 3].map((i) => cosigner(backend, `w${i}.example`, new Uint8Array(32).fill(40 + i)));
    const keys = witnesses.map((w) => formatVerifierKey(backend, w.name, NOTE_SIG_COSIGNATURE_V1, w.publicKey));
    const cosigned = async (count: number): Promise<string> => {
      let note = await honest.checkpoint();
      for (const w of witnesses.slice(0, count)) note = addNoteSignature(note, w);
      return note;
    };
    const serveNote = async (note: string) => {
      const s = await serveHandler(async (req) =>
        new URL(req.url).pathname === '/checkpoint'
          ? new Response(note, { headers: { 'content-type': 'text/plain; charset=utf-8' } })
          : honest.handler(req),
      );
      servers.push(s);
      return s.url;
    };
    const args = (url: string) => [
      'log',
      'monitor',
      url,
      '--log-verifier-key',
      key.verifierKey,
      '--witness',
      keys[0]!,
      '--witness',
      keys[1]!,
      '--witness',
      keys[2]!,
      '--quorum',
      '2',
      '--once',
    ];
    const two = await cli(args(await serveNote(await cosigned(2))));
    expect(two.code).toBe(0);
    const one = await cli(args(await serveNote(await cosigned(1))));
    expect(one.code).toBe(1);
    expect(one.stderr).toContain('1 of the required 2 trusted witnesses');
    expect((await cli([...args('http://127.0.0.1:9').slice(0, -3), '--quorum', '4', '--once'])).code).toBe(2);
  });
});

describe('signet log verify', () => {
  it('verifies a receipt offline and against the live log; refuses tampering and other keys', async () => {
    const { createSigner } = await import('@signet/server');
    const { SigningKey, NO_AI_TRAINING } = await import('@signet/core');
    const signer = createSigner({
      issuer: 'https://api.example.com',
      key: new SigningKey(new Uint8Array(32).fill(5)),
      accountSecret: new Uint8Array(32).fill(1),
      terms: { id: 't', version: '1', uri: 'https://example.com/t', document: 'd', usage: NO_AI_TRAINING },
    });
    const sealed = await signer.seal({ account: 'a', response: 'hello', model: 'm' });
    await grown.appendAndWait(sealed);
    const receipt = await grown.waitForReceipt(sealed.claims.responseId);
    const envFile = join(dir, 'env.txt');
    const rFile = join(dir, 'receipt.cose');
    writeFileSync(envFile, sealed.text);
    writeFileSync(rFile, receipt);
    const ok = await cli(['log', 'verify', '--log-verifier-key', key.verifierKey, '--receipt', rFile, '--envelope', envFile]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/VALID: entry 5 of log cli.example\/log/);
    const url = await serve([grown]);
    const live = await cli([
      'log',
      'verify',
      '--log-verifier-key',
      key.verifierKey,
      '--receipt',
      rFile,
      '--envelope',
      envFile,
      '--url',
      url,
      '--json',
    ]);
    expect(JSON.parse(live.stdout)).toMatchObject({ valid: true, index: 5, checkpointSize: 6 });
    const bad = Uint8Array.from(receipt);
    bad[bad.length - 3]! ^= 1;
    writeFileSync(rFile, bad);
    const tampered = await cli(['log', 'verify', '--log-verifier-key', key.verifierKey, '--receipt', rFile, '--envelope', envFile]);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain('SIGNET_E_RECEIPT_INVALID');
    writeFileSync(rFile, receipt);
    expect(
      (
        await cli([
          'log',
          'verify',
          '--log-verifier-key',
          LogKey.generate('cli.example/log').verifierKey,
          '--receipt',
          rFile,
          '--envelope',
          envFile,
        ])
      ).code,
    ).toBe(1);
    // The receipt's tree is not a prefix of a forked log's checkpoint.
    const forkUrl = await serve([forked]);
    const vsFork = await cli([
      'log',
      'verify',
      '--log-verifier-key',
      key.verifierKey,
      '--receipt',
      rFile,
      '--envelope',
      envFile,
      '--url',
      forkUrl,
    ]);
    expect(vsFork.code).toBe(1);
  });

  it('audits a whole log from its tiles, and catches a log serving tiles it did not sign', async () => {
    const url = await serve([grown]);
    const r = await cli(['log', 'verify', '--log-verifier-key', key.verifierKey, '--url', url]);
    expect(r.stdout).toContain('VALID');
    expect(r.code).toBe(0);
    // Checkpoint of one log, tiles and entries of another of the same size.
    const liar: LogHandler = async (req) => (new URL(req.url).pathname === '/checkpoint' ? honest.handler(req) : twin.handler(req));
    const s = await serveHandler(liar);
    servers.push(s);
    const caught = await cli(['log', 'verify', '--log-verifier-key', key.verifierKey, '--url', s.url]);
    expect(caught.code).toBe(1);
    expect(caught.stderr).toContain('SIGNET_E_LOG_INCONSISTENT');
  });

  it('prints the verifier key and refuses bad usage', async () => {
    expect((await cli(['log', 'key', '--log', join(dir, 'honest.db')])).stdout.trim()).toBe(key.verifierKey);
    expect((await cli(['log', 'key'])).code).toBe(2);
    expect((await cli(['log', 'verify', '--log-verifier-key', key.verifierKey])).code).toBe(2);
    expect((await cli(['log', 'key', '--log', join(dir, 'absent.db')])).code).toBe(2);
  });
});
