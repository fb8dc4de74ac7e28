import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ed25519NoteVerifier,
  envelopeFromText,
  envelopeLogEntry,
  getDefaultBackend,
  parseEnvelope,
  parseVerifierKey,
  verifyReceipt,
} from '@signet/core';
import { main, type CommandIO } from 'signet';

/**
 * The fault tests' common parts: a real `signet gateway` process (the built CLI), streaming clients
 * that keep every envelope they receive, and receipt checks with only the log key.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(root, 'packages', 'cli', 'dist', 'bin.js');
const backend = getDefaultBackend();

export function quietIO(out: string[] = [], err: string[] = []): CommandIO {
  return { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), stdin: async () => new Uint8Array(), env: {} };
}

/** Keys, an account and terms in a fresh folder. */
export async function gatewayFiles(): Promise<{ dir: string; keys: string; accounts: string; terms: string; apiKey: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-durable-'));
  const keys = join(dir, 'keys');
  const accounts = join(dir, 'accounts.json');
  const terms = join(dir, 'terms.json');
  if ((await main(['keys', 'new', '--out', keys], quietIO())) !== 0) throw new Error('keys new failed');
  writeFileSync(
    terms,
    JSON.stringify({ id: 'fault-terms', version: '1', uri: 'https://api.example.test/terms/1', document: 'No training.' }),
  );
  const out: string[] = [];
  if ((await main(['accounts', 'add', '--file', accounts, '--account', 'acct_fault', '--terms-version', '1'], quietIO(out))) !== 0)
    throw new Error('accounts add failed');
  return { dir, keys, accounts, terms, apiKey: (out[0] as string).trim() };
}

/**
 * Mounts a tmpfs of `size` at `dir` when this machine allows it (root with mount rights): a small
 * disk of the test's own, to fill. Returns false when the mount is refused.
 */
export function tryMount(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The process that owns a spool file, from its lock file (undefined when nobody does). */
export function spoolOwnerPid(spool: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(`${spool}.lock`, 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

/** How many records a spool file holds now (0 when it does not exist). */
export function spoolRecords(spool: string): number {
  return existsSync(spool) ? readFileSync(spool, 'utf8').split('\n').filter(Boolean).length : 0;
}

/** Polls `check` every 100 ms until it holds; throws after `timeoutMs`, naming `what`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A running `signet gateway` process. */
export interface GatewayProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Signals the whole process group: the gateway and its workers (kill -9 takes them all). */
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the exit code or signal once it has ended. */
  readonly exited: Promise<number | string>;
}

/** Starts `signet gateway ARGS` and waits for its "listening on" line. */
export function startGatewayProcess(args: string[], env: Record<string, string> = {}): Promise<GatewayProcess> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, 'gateway', '--port', '0', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
      detached: true,
    });
    const kill = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-(child.pid as number), signal);
      } catch {
        // Already gone.
      }
    };
    let err = '';
    const exited = new Promise<number | string>((r) => child.once('exit', (code, signal) => r(code ?? signal ?? 'unknown')));
    const timer = setTimeout(() => {
      kill('SIGKILL');
      reject(new Error(`the gateway did not start:\n${err}`));
    }, 20_000);
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /listening on (http:\/\/\S+),/.exec(err);
      if (m !== null && timer !== undefined) {
        clearTimeout(timer);
        resolvePromise({ url: m[1] as string, child, stderr: () => err, exited, kill });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      if (!/listening on/.test(err)) reject(new Error(`the gateway exited (${code}) before listening:\n${err}`));
    });
  });
}

/** The same, but expects the gateway to refuse to start: resolves with its exit code and stderr. */
export function refusedStart(args: string[]): Promise<{ code: number | string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [BIN, 'gateway', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      if (/listening on/.test(err)) child.kill('SIGKILL');
    });
    child.once('exit', (code, signal) => resolvePromise({ code: code ?? signal ?? 'unknown', stderr: err }));
  });
}

/** An envelope a client received: its text form and response id. */
export interface Received {
  readonly responseId: string;
  readonly envelope: Uint8Array;
}

/** The envelope in a streamed answer's carrier event, if it has one. */
export function envelopeOfStream(body: string): Received | undefined {
  for (const ev of body.split('\n\n')) {
    const data = ev
      .split('\n')
      .find((l) => l.startsWith('data: '))
      ?.slice(6);
    if (data === undefined || !data.includes('"signet"')) continue;
    const field = (JSON.parse(data) as { signet?: { envelope?: string } }).signet;
    if (field?.envelope === undefined) continue;
    const envelope = envelopeFromText(field.envelope);
    return { envelope, responseId: parseEnvelope(envelope).claims.responseId };
  }
  return undefined;
}

/**
 * `clients` loops that each ask for streamed answers one after another until `stop()`, keeping
 * every envelope that arrived whole. Requests that fail (the gateway was killed) are counted, and
 * so are requests that take longer than `requestTimeoutMs` (when given): a connection the cluster
 * primary was handing to a worker at the moment that worker was killed is never answered.
 */
export function streamingLoad(url: string, apiKey: string, clients: number, model = 'local-model', requestTimeoutMs?: number) {
  const received: Received[] = [];
  const statuses = new Map<number, number>();
  let failed = 0;
  let running = true;
  const loop = async (i: number): Promise<void> => {
    for (let n = 0; running; n++) {
      try {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: `client ${i} question ${n}` }] }),
          ...(requestTimeoutMs === undefined ? {} : { signal: AbortSignal.timeout(requestTimeoutMs) }),
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const body = await res.text();
        const got = res.status === 200 ? envelopeOfStream(body) : undefined;
        if (got !== undefined) received.push(got);
      } catch {
        failed++;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const loops = Array.from({ length: clients }, (_, i) => loop(i));
  return {
    received,
    statuses,
    get failed() {
      return failed;
    },
    async stop(): Promise<void> {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Fetches the receipt of every envelope (polling briefly while 202) and verifies it with the log key. */
export async function checkReceipts(url: string, logKey: string, received: readonly Received[]): Promise<string[]> {
  const vk = parseVerifierKey(backend, logKey);
  const verifier = ed25519NoteVerifier(backend, vk.name, vk.publicKey);
  const problems: string[] = [];
  const queue = [...received];
  const worker = async (): Promise<void> => {
    for (let r = queue.pop(); r !== undefined; r = queue.pop()) {
      let status = 0;
      for (let attempt = 0; attempt < 100; attempt++) {
        const res = await fetch(`${url}/v1/signet/receipts/${encodeURIComponent(r.responseId)}`);
        status = res.status;
        if (status === 200) {
          try {
            verifyReceipt(backend, new Uint8Array(await res.arrayBuffer()), envelopeLogEntry(backend, r.envelope), verifier);
          } catch (e) {
            problems.push(`${r.responseId}: ${(e as Error).message}`);
          }
          break;
        }
        await res.arrayBuffer();
        if (status !== 202) break;
        await new Promise((t) => setTimeout(t, 50));
      }
      if (status !== 200) problems.push(`${r.responseId}: status ${status}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return problems;
}
