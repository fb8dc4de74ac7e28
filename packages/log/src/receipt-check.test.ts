import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519NoteVerifier, encodeCoseSign1, envelopeLogEntry, getDefaultBackend } from '@signet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogKey } from './log-key.js';
import { openLog, type Log } from './log.js';
import { checkEnvelopeReceipt } from './receipt-check.js';

const backend = getDefaultBackend();
const envelope = (n: number): Uint8Array =>
  encodeCoseSign1({
    protectedBytes: new Uint8Array([0xa0]),
    unprotected: new Map(),
    payload: new TextEncoder().encode(`payload ${n}`),
    signature: new Uint8Array(64).fill(n),
  });

describe('checkEnvelopeReceipt', () => {
  const key = LogKey.generate('test.example/receipts');
  const verifier = ed25519NoteVerifier(backend, key.name, key.publicKey);
  let log: Log;
  beforeAll(async () => {
    log = await openLog(join(mkdtempSync(join(tmpdir(), 'signet-receipt-check-')), 'log.db'), { key, create: true, maxDelayMs: 1 });
    for (const n of [1, 2, 3]) await log.appendEntry({ entry: envelopeLogEntry(backend, envelope(n)), responseId: `r${n}` });
  });
  afterAll(async () => log?.close());

  it('verifies the receipt of the envelope it was issued for, offline', async () => {
    const receipt = (await log.receiptFor('r2'))!;
    const r = await checkEnvelopeReceipt(envelope(2), receipt, verifier);
    expect(r).toMatchObject({ origin: 'test.example/receipts', index: 1 });
    expect(r.checkpointSize).toBeUndefined();
  });

  it('refuses the receipt for another envelope', async () => {
    const receipt = (await log.receiptFor('r2'))!;
    await expect(checkEnvelopeReceipt(envelope(3), receipt, verifier)).rejects.toMatchObject({ code: 'SIGNET_E_RECEIPT_INVALID' });
  });
});
