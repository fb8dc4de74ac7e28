import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../support/upstream.js';
import type * as DurableExample from '../../docs/examples/provider-durable.js';
import { envelopeOfStream, gatewayFiles } from './harness.js';

/** docs/durability.md's example, run: the receipt exists the moment the answer has arrived. */

const examples = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'docs', 'examples');
let upstream: Upstream;
let files: Awaited<ReturnType<typeof gatewayFiles>>;
beforeAll(async () => {
  upstream = await startUpstream();
  files = await gatewayFiles();
});
afterAll(async () => {
  await upstream?.close();
  if (files !== undefined) rmSync(files.dir, { recursive: true, force: true });
});

describe('docs/examples/provider-durable.ts', () => {
  it('every streamed answer that arrived has its receipt at once (200, never 202)', async () => {
    const { startDurableGateway } = (await import(join(examples, 'provider-durable.ts'))) as typeof DurableExample;
    const gw = await startDurableGateway({ ...files, upstream: upstream.url, logFile: join(files.dir, 'log.db') });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${gw.server.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${files.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'local-model', stream: true, messages: [{ role: 'user', content: `durable ${i}` }] }),
        });
        const got = envelopeOfStream(await res.text());
        expect(got).toBeDefined();
        const receipt = await fetch(`${gw.server.url}/v1/signet/receipts/${encodeURIComponent(got!.responseId)}`);
        expect(receipt.status).toBe(200);
        expect((await receipt.arrayBuffer()).byteLength).toBeGreaterThan(100);
      }
    } finally {
      await gw.close();
    }
  });
});
