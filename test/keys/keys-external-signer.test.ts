import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKey, toJwks } from '@signet/core';
import {
  connectExternalSigner,
  createKeysDirectory,
  createSigner,
  spawnSignerWorker,
  startSignerWorker,
  type SocketSigner,
} from '@signet/server';
import { createVerifier } from '@signet/verify';
import { ISSUER, SECRET, sealInput, TERMS, TEXT } from '../support/keys-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-ext-'));
const children: { kill(sig?: NodeJS.Signals): boolean }[] = [];
const clients: SocketSigner[] = [];
afterAll(() => {
  for (const c of clients) c.close();
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('external signer in a separate process', () => {
  it('seals with a key that never enters this process, and survives the signer process being restarted', async () => {
    const keyDir = join(dir, 'keys');
    const key = createKeysDirectory(keyDir);
    const socketPath = join(dir, 's.sock');
    const first = await spawnSignerWorker({ keyPath: keyDir, socketPath });
    children.push(first);
    expect(first.kid).toBe(key.kid);
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);

    const ext = await connectExternalSigner({ socketPath, publicKey: key.publicKey, timeoutMs: 15_000 });
    clients.push(ext);
    const signer = createSigner({ issuer: ISSUER, key: ext, accountSecret: SECRET, terms: TERMS });
    const verifier = createVerifier({ trust: toJwks([key]) });

    // Concurrent seals share frames.
    const batch = await Promise.all(Array.from({ length: 200 }, (_, i) => signer.seal(sealInput(`acct_${i}`))));
    for (const s of batch.slice(0, 5)) expect(await verifier.verify(s.envelope, { text: TEXT })).toMatchObject({ valid: true });
    expect(ext.stats().batches).toBeLessThan(20);

    // Kill the signer process hard, with seals waiting on it.
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const waiting = Array.from({ length: 50 }, (_, i) => signer.seal(sealInput(`acct_w${i}`)));
    await new Promise((r) => setTimeout(r, 150));
    const second = await spawnSignerWorker({ keyPath: keyDir, socketPath });
    children.push(second);
    const done = await Promise.all(waiting);
    for (const s of done) expect(await verifier.verify(s.envelope, { text: TEXT })).toMatchObject({ valid: true });
    expect(ext.stats().reconnects).toBeGreaterThanOrEqual(1);
    second.kill('SIGTERM');
  }, 30_000);

  it('fails closed when the restarted signer holds another key', async () => {
    const goodDir = join(dir, 'good');
    const otherDir = join(dir, 'other');
    const good = createKeysDirectory(goodDir);
    createKeysDirectory(otherDir);
    const socketPath = join(dir, 'w.sock');
    const a = await spawnSignerWorker({ keyPath: goodDir, socketPath });
    children.push(a);
    const ext = await connectExternalSigner({ socketPath, publicKey: good.publicKey, timeoutMs: 5000 });
    clients.push(ext);
    const signer = createSigner({ issuer: ISSUER, key: ext, accountSecret: SECRET, terms: TERMS });
    expect((await signer.seal(sealInput())).kid).toBe(good.kid);
    a.kill('SIGKILL');
    await new Promise((r) => a.once('exit', r));
    const pending = signer.seal(sealInput());
    const b = await spawnSignerWorker({ keyPath: otherDir, socketPath });
    children.push(b);
    await expect(pending).rejects.toMatchObject({ code: 'SIGNET_E_SIG_FAILED' });
    await expect(signer.seal(sealInput())).rejects.toMatchObject({ code: 'SIGNET_E_SIG_FAILED' });
    b.kill('SIGTERM');
  });

  it('refuses to start against a signer with an unexpected key, and refuses non-Signet messages', async () => {
    const socketPath = join(dir, 'x.sock');
    const server = await startSignerWorker({ key: generateSigningKey(), socketPath });
    try {
      await expect(connectExternalSigner({ socketPath, publicKey: generateSigningKey().publicKey, timeoutMs: 3000 })).rejects.toMatchObject(
        { code: 'SIGNET_E_SIG_FAILED' },
      );
      const ext = await connectExternalSigner({ socketPath, timeoutMs: 3000 });
      clients.push(ext);
      await expect(ext.sign(new TextEncoder().encode('transfer $1000 to mallory'))).rejects.toMatchObject({ code: 'SIGNET_E_SIG_FAILED' });
      // The connection stays usable after a refusal.
      expect((await ext.sign(new TextEncoder().encode('eyJhIjoxfQ.eyJiIjoyfQ'))).length).toBe(64);
    } finally {
      server.close();
    }
  });

  it('times out with a typed error when no signer is there', async () => {
    writeFileSync(join(dir, 'not-a-socket'), '');
    await expect(connectExternalSigner({ socketPath: join(dir, 'nothing.sock'), timeoutMs: 300 })).rejects.toMatchObject({
      code: 'SIGNET_E_SIG_FAILED',
    });
  });
});
