import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SignetError } from '@signet/core';
import { openDurableRegistry, openRegistry, type Registry } from '@signet/registry';
import { describe, expect, it } from 'vitest';
import { chatResponse, makeProvider, tempDir } from '../support/auditor-fixtures.js';

/**
 * Registry records are never lost: while the store cannot take them they go to a durable spool,
 * and they reach the store when it returns (or after a restart). Under policy fail the record is
 * refused, so the seal fails and nothing unrecorded is served sealed.
 */

const provider = makeProvider();

/** A store that fails every write (a full disk) until `heal` is called. */
function breakStore(registry: Registry): () => void {
  const store = registry.store as {
    insert: Registry['store']['insert'];
    insertUnsealed: Registry['store']['insertUnsealed'];
    probeWrite: Registry['store']['probeWrite'];
  };
  const saved = { insert: store.insert, insertUnsealed: store.insertUnsealed, probeWrite: store.probeWrite };
  const full = (): Promise<never> =>
    Promise.reject(new SignetError('SIGNET_E_REGISTRY_STORAGE', 'SQLite registry storage failed (SQLITE_FULL).'));
  store.insert = full;
  store.insertUnsealed = full;
  store.probeWrite = full;
  return () => Object.assign(store, saved);
}

async function sealOne(id: string, text: string) {
  const response = chatResponse(id, text);
  const sealed = await provider.signer().seal({ account: 'acct-spool', response });
  return { sealed, input: { account: 'acct-spool', response } };
}

describe('durable registry (SQLite)', () => {
  it('spools sealed and unsealed records while the store is down and stores them when it returns', async () => {
    const dir = tempDir('signet-durable-reg-');
    const registry = await openRegistry(join(dir, 'registry.db'), { accountSecret: provider.secret });
    const durable = await openDurableRegistry(registry, { spoolPath: join(dir, 'registry.spool'), retryMs: 20 });
    const heal = breakStore(registry);
    const one = await sealOne('chatcmpl-spooled', 'a sealed answer that waited in the spool');
    await durable.record(one.sealed, one.input);
    await durable.recordUnsealed({
      account: 'acct-spool',
      status: 200,
      reason: 'SIGNET_E_GATEWAY_SEAL_FAILED',
      time: Date.now(),
      streamed: true,
      delivered: true,
    });
    expect(durable.health()).toMatchObject({ ok: true, state: 'spooling', spooled: 2 });
    heal();
    await expect.poll(() => durable.state, { timeout: 3000 }).toBe('available');
    expect((await registry.lookup('chatcmpl-spooled')).length).toBe(1);
    expect(await registry.unsealed()).toMatchObject([{ accountId: 'acct-spool', delivered: true, streamed: true }]);
    await durable.close();
    await registry.close();
  });

  it('replays the spool after a restart, idempotently', async () => {
    const dir = tempDir('signet-durable-reg-');
    const path = join(dir, 'registry.db');
    const spoolPath = join(dir, 'registry.spool');
    const registry = await openRegistry(path, { accountSecret: provider.secret });
    const first = await openDurableRegistry(registry, { spoolPath, retryMs: 60_000 });
    const heal = breakStore(registry);
    const one = await sealOne('chatcmpl-replayed', 'an answer recorded only in the spool when the process died');
    await first.record(one.sealed, one.input);
    heal();
    // What the process leaves when it dies: the spool and a lock naming a pid that is gone. The
    // restarted process takes the spool over and replays it.
    const restarted = `${spoolPath}.restarted`;
    copyFileSync(spoolPath, restarted);
    const pid = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(`${restarted}.lock`, JSON.stringify({ pid, host: hostname(), started: Date.now() }));
    const reopened = await openRegistry(path, { accountSecret: provider.secret });
    const second = await openDurableRegistry(reopened, { spoolPath: restarted, retryMs: 60_000 });
    expect(second.state).toBe('available');
    expect((await reopened.lookup('chatcmpl-replayed')).length).toBe(1);
    await second.retry();
    expect((await reopened.lookup('chatcmpl-replayed')).length).toBe(1);
    await second.close();
    await first.close();
    await reopened.close();
    await registry.close();
  });

  it('under policy fail refuses the record, and refuses to start on a store it cannot write', async () => {
    const dir = tempDir('signet-durable-reg-');
    const registry = await openRegistry(join(dir, 'registry.db'), { accountSecret: provider.secret });
    const durable = await openDurableRegistry(registry, { spoolPath: join(dir, 'r.spool'), unavailable: 'fail', retryMs: 20 });
    breakStore(registry);
    const one = await sealOne('chatcmpl-refused', 'an answer the registry could not take');
    await expect(durable.record(one.sealed, one.input)).rejects.toMatchObject({ code: 'SIGNET_E_REGISTRY_UNAVAILABLE' });
    expect(durable.refusal()).toMatchObject({ code: 'SIGNET_E_REGISTRY_UNAVAILABLE' });
    await expect(openDurableRegistry(registry, { spoolPath: join(dir, 'other.spool') })).rejects.toMatchObject({
      code: 'SIGNET_E_REGISTRY_NOT_WRITABLE',
    });
    await durable.close();
    await registry.close();
  });
});
