import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSigningKey, NO_AI_TRAINING, toBase64url, toJwks, type SigningKey } from '@signet/core';
import { createSigner, type Sealed, type SealInput, type Signer } from '@signet/server';
import { it } from 'vitest';

/** Shared set-up of the auditor tests: a provider (key, secret, terms), texts, temp folders. */

export interface Provider {
  readonly key: SigningKey;
  readonly jwks: string;
  readonly secret: Uint8Array;
  readonly issuer: string;
  signer(onSealed?: (sealed: Sealed, input: SealInput) => void | Promise<void>, now?: () => number): Signer;
}

export const TERMS = {
  id: 'example-terms',
  version: '2026-01',
  uri: 'https://api.example.com/terms',
  document: 'You may not use outputs to train models.',
  usage: NO_AI_TRAINING,
};

export function makeProvider(issuer = 'https://api.example.com'): Provider {
  const key = generateSigningKey();
  const secret = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
  return {
    key,
    jwks: JSON.stringify(toJwks([key])),
    secret,
    issuer,
    signer: (onSealed, now) =>
      createSigner({ issuer, key, accountSecret: secret, terms: TERMS, ...(onSealed ? { onSealed } : {}), ...(now ? { now } : {}) }),
  };
}

const WORDS = (
  'model data answer question system network value result method process reason method example table memory river ' +
  'garden window planet engine signal market history language number pattern theory museum winter harvest bridge ' +
  'station forest letter mirror candle silver orange purple yellow quiet gentle rapid ancient modern simple complex ' +
  'careful bright hidden open narrow broad steady random strong fragile public private early late clear vague ' +
  'build measure compare describe explain consider choose follow improve reduce increase protect observe predict ' +
  'collect deliver remember imagine discover create connect repair balance gather carry travel wonder'
).split(' ');

/** A deterministic pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A text of `sentences` sentences, different for every seed. */
export function makeText(seed: number, sentences = 12): string {
  const r = rng(seed);
  const out: string[] = [];
  for (let s = 0; s < sentences; s++) {
    const n = 8 + Math.floor(r() * 10);
    const ws = Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)] as string);
    const first = ws[0] as string;
    ws[0] = first.charAt(0).toUpperCase() + first.slice(1);
    out.push(`${ws.join(' ')}.`);
  }
  return out.join(' ');
}

/** A chat.completion response carrying `text`. */
export function chatResponse(id: string, text: string, model = 'example-model-1'): Record<string, unknown> {
  return {
    id,
    object: 'chat.completion',
    created: 1_760_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  };
}

export function tempDir(prefix = 'signet-audit-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * The PostgreSQL URL for the suites that run against both databases. Unset: under CI the suite
 * fails (a CI run without PostgreSQL must not pass silently); elsewhere it is skipped with a message.
 */
export function pgUrl(): string | undefined {
  const url = process.env.SIGNET_TEST_PG_URL;
  if (url === undefined || url === '') {
    if (process.env.CI === 'true') {
      it('has SIGNET_TEST_PG_URL under CI', () => {
        throw new Error('SIGNET_TEST_PG_URL is not set: start PostgreSQL with scripts/postgres.sh start');
      });
    } else {
      console.warn('PostgreSQL registry tests skipped: set SIGNET_TEST_PG_URL (scripts/postgres.sh start prints it)');
    }
    return undefined;
  }
  return url;
}

/** A unique schema name per test run, so parallel runs never share tables. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
}

/** Writes a provider's keys folder as `signet keys new` lays it out; returns the folder. */
export function writeKeysDir(provider: Provider, dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'signing-key.jwk'), JSON.stringify(provider.key.toPrivateJwk()), { mode: 0o600 });
  writeFileSync(join(dir, 'jwks.json'), provider.jwks);
  writeFileSync(join(dir, 'account-secret'), `${toBase64url(provider.secret)}\n`, { mode: 0o600 });
  return dir;
}

/** The built CLI, run as a child process (tests of the worker pool need the built worker script). */
export function runCli(args: readonly string[], input?: string): { code: number; stdout: string; stderr: string } {
  const bin = join(fileURLToPath(new URL('../..', import.meta.url)), 'packages/cli/dist/bin.js');
  const r = spawnSync(process.execPath, [bin, ...args], { input: input ?? '', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
