import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logGatewayExtension, parseArgs } from 'signet';
import { ENVELOPE_HEADER, envelopeFromText, getDefaultBackend, parseEnvelope, verifyCheckpoint } from '@signet/core';
import { createReceiptCheck, createVerifier } from '@signet/verify';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

// The gateway with `--log`: every sealed answer is appended without delaying it, and the gateway
// serves its receipt at /v1/signet/receipts/{responseId} and the log's tiles under /v1/signet/log/.

const dir = mkdtempSync(join(tmpdir(), 'signet-log-gw-'));
let gw: TestGateway;
let close: (() => Promise<void> | void) | undefined;
let logKey: string;

beforeAll(async () => {
  const logPath = join(dir, 'gw-log.db');
  let stderr = '';
  const hooks = await logGatewayExtension.setup(parseArgs(['--log', logPath, '--log-delay-ms', '100'], logGatewayExtension.flags), {
    stdout: () => undefined,
    stderr: (t) => (stderr += t),
    stdin: async () => new Uint8Array(0),
    env: {},
  });
  expect(hooks).toBeDefined();
  logKey = /verifier key (\S+)\)/.exec(stderr)![1]!;
  close = hooks!.close;
  gw = await startTestGateway({ gateway: { onSealed: hooks!.onSealed!, extraRoutes: hooks!.extraRoutes! } });
});
afterAll(async () => {
  await gw?.close();
  await close?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('signet gateway --log', () => {
  it('answers at once, then serves a receipt that verifies with only the log key', async () => {
    const started = performance.now();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'local-model', messages: [{ role: 'user', content: 'log me' }] }),
    });
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(2000);
    const envelope = envelopeFromText(res.headers.get(ENVELOPE_HEADER)!);
    const responseId = parseEnvelope(envelope).claims.responseId;
    const url = `${gw.url}/v1/signet/receipts/${encodeURIComponent(responseId)}`;
    // Right after the answer the batch (100 ms) has usually not committed: 202 with Retry-After.
    const early = await fetch(url);
    expect([200, 202]).toContain(early.status);
    if (early.status === 202) expect(early.headers.get('retry-after')).toBe('1');
    await early.arrayBuffer();
    let receipt: Uint8Array | undefined;
    for (let i = 0; i < 50 && receipt === undefined; i++) {
      const r = await fetch(url);
      if (r.status === 200) receipt = new Uint8Array(await r.arrayBuffer());
      else {
        await r.arrayBuffer();
        await new Promise((t) => setTimeout(t, 50));
      }
    }
    expect(receipt).toBeDefined();
    const verifier = createVerifier({
      trust: gw.jwks,
      policy: { requireReceipt: true },
      extensions: { receipt: createReceiptCheck({ logKey }) },
    });
    const result = await verifier.verify(envelope, { text: body.choices[0]!.message.content, receipt: receipt! });
    expect(result).toMatchObject({ valid: true, receipt: { detail: { index: 0 } } });
  });

  it('serves the log tiles under /v1/signet/log/ and 404s unknown receipts', async () => {
    const cp = await fetch(`${gw.url}/v1/signet/log/checkpoint`);
    expect(cp.status).toBe(200);
    expect(verifyCheckpoint(getDefaultBackend(), await cp.text(), { log: logKey }).size).toBeGreaterThanOrEqual(1);
    const tile = await fetch(`${gw.url}/v1/signet/log/tile/0/000.p/1`);
    expect(tile.status).toBe(200);
    expect((await tile.arrayBuffer()).byteLength).toBe(32);
    const none = await fetch(`${gw.url}/v1/signet/receipts/chatcmpl-nope`);
    expect(none.status).toBe(404);
    await none.arrayBuffer();
  });
});
