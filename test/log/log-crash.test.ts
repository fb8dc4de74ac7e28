import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { equalBytes, getDefaultBackend, leafHash, rootFromLeafHashes, verifyCheckpoint, verifyConsistency } from '@signet/core';
import { LogKey, openLog, saveLogKey } from '@signet/log';

/**
 * Crash safety: a real process appends as fast as it can and prints each index once its batch is
 * committed ("acknowledged") and each checkpoint it sees; it is killed with SIGKILL at a random
 * moment, many times. After every kill the log must hold every acknowledged entry at its index,
 * its tiles must hash to its signed root, and every checkpoint seen before must be consistent with
 * the new one. Runs on SQLite, and on PostgreSQL when SIGNET_TEST_PG_URL is set.
 */

const testDir = dirname(fileURLToPath(import.meta.url));
const pgUrl = process.env.SIGNET_TEST_PG_URL;
if (pgUrl === undefined && process.env.CI === 'true')
  throw new Error('SIGNET_TEST_PG_URL is not set: the PostgreSQL crash test cannot run');
if (pgUrl === undefined) console.warn('skipping the PostgreSQL crash test: set SIGNET_TEST_PG_URL');

const backend = getDefaultBackend();
const dir = mkdtempSync(join(tmpdir(), 'signet-log-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The appending process. Runs the TypeScript sources through tsx, resolved from the test package.
const CHILD = `
import { createHash } from 'node:crypto';
import { openLog } from '@signet/log';
const [target, keyFile, schema, run] = process.argv.slice(1);
const log = await openLog(target, { key: keyFile, maxDelayMs: 2, maxBatch: 64, ...(schema ? { schema } : {}) });
const out = (line) => process.stdout.write(line + '\\n');
let n = 0;
let nextCheckpoint = 0;
const ack = (index, id) => {
  out('ack ' + index + ' ' + id);
  // Every hundred entries or so, note the checkpoint this process can see (a client would).
  if (index >= nextCheckpoint) {
    nextCheckpoint = index + 100;
    log.checkpoint().then((note) => out('cp ' + Buffer.from(note).toString('base64')));
  }
};
out('ready');
for (;;) {
  // Keep a few hundred appends in flight, so kills land inside batches and inside commits.
  if (log.sequencer.pending < 300) {
    const id = run + '-' + n++;
    const entry = createHash('sha256').update(id).digest();
    log.appendEntry({ entry, responseId: id }).then((index) => ack(index, id));
  } else await new Promise((r) => setImmediate(r));
}
`;

interface Observed {
  acks: Map<number, string>;
  checkpoints: string[];
}

function runAndKill(args: string[], killAfterMs: number): Promise<Observed> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', CHILD, ...args],
      { cwd: testDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const seen: Observed = { acks: new Map(), checkpoints: [] };
    let buffer = '';
    let stderr = '';
    let timer: ReturnType<typeof setTimeout> | undefined;
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line === 'ready') timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        else if (line.startsWith('ack ')) {
          const [, index, id] = line.split(' ');
          seen.acks.set(Number(index), id as string);
        } else if (line.startsWith('cp ')) seen.checkpoints.push(Buffer.from(line.slice(3), 'base64').toString());
      }
    });
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`appender exited with ${code}: ${stderr.slice(0, 2000)}`));
      else resolve(seen);
    });
  });
}

const sha = (s: string) => backend.sha256(new TextEncoder().encode(s));

async function checkAfterCrash(
  target: string,
  key: LogKey,
  schema: string | undefined,
  allAcks: Map<number, string>,
  allCheckpoints: string[],
): Promise<number> {
  const log = await openLog(target, { key, ...(schema ? { schema } : {}) });
  try {
    const head = await log.head();
    const entries = await log.storage.readEntries(0, head.size);
    expect(entries.length).toBe(head.size);
    // Every acknowledged entry survived, at the index that was acknowledged.
    for (const [index, id] of allAcks) {
      expect(index).toBeLessThan(head.size);
      expect(equalBytes(entries[index]!, sha(id)), `entry ${index} (${id})`).toBe(true);
    }
    // The stored tree is sound: tiles give the signed root, which is the root of the entries.
    const root = rootFromLeafHashes(
      backend,
      entries.map((e) => leafHash(backend, e)),
    );
    expect(head.root).toEqual(root);
    expect(await log.tree.root(head.size)).toEqual(root);
    // Every checkpoint seen before the kill is a prefix of the log as it is now.
    for (const note of allCheckpoints) {
      const cp = verifyCheckpoint(backend, note, { log: key.verifierKey });
      if (cp.size === 0) continue;
      const proof = await log.tree.consistencyProof(cp.size, head.size);
      expect(verifyConsistency(backend, cp.size, head.size, cp.root, head.root, proof), `checkpoint ${cp.size} -> ${head.size}`).toBe(true);
    }
    return head.size;
  } finally {
    await log.close();
  }
}

const targets: { name: string; target: () => string; schema?: string; rounds: number }[] = [
  { name: 'sqlite', target: () => join(dir, 'crash.db'), rounds: 10 },
];
if (pgUrl !== undefined)
  targets.push({ name: 'postgres', target: () => pgUrl, schema: `crash_${process.pid}_${Date.now() % 1e8}`, rounds: 4 });

describe.each(targets)('kill -9 while appending ($name)', ({ target, schema, rounds }) => {
  it(`loses no acknowledged entry and stays consistent over ${rounds} kills`, async () => {
    const key = LogKey.generate('crash.example/log');
    const keyFile = join(dir, `${schema ?? 'sqlite'}.key`);
    saveLogKey(keyFile, key);
    const t = target();
    await (await openLog(t, { key, create: true, ...(schema ? { schema } : {}) })).close();
    const acks = new Map<number, string>();
    const checkpoints: string[] = [];
    let size = 0;
    let totalAcks = 0;
    for (let round = 0; round < rounds; round++) {
      const seen = await runAndKill([t, keyFile, schema ?? '', `r${round}`], 100 + Math.floor(Math.random() * 400));
      for (const [i, id] of seen.acks) {
        // An index is acknowledged once, ever: a restart never reuses it.
        expect(acks.has(i), `index ${i} acknowledged twice`).toBe(false);
        acks.set(i, id);
      }
      totalAcks += seen.acks.size;
      checkpoints.push(...seen.checkpoints.filter((_, j) => j % 3 === 0 || j === seen.checkpoints.length - 1));
      const started = performance.now();
      const newSize = await checkAfterCrash(t, key, schema, acks, checkpoints);
      if (process.env.SIGNET_TEST_VERBOSE)
        console.log(
          `round ${round}: ${seen.acks.size} acks, size ${newSize}, ${checkpoints.length} checkpoints, check ${Math.round(performance.now() - started)} ms`,
        );
      expect(newSize).toBeGreaterThanOrEqual(size);
      size = newSize;
    }
    expect(totalAcks).toBeGreaterThan(rounds * 10);
    expect(size).toBeGreaterThanOrEqual(totalAcks);
  }, 120_000);
});
