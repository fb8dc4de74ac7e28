import { describe, expect, it } from 'vitest';
import { createVerifyingFetch } from '@signet/verify';
import { startTestGateway } from '../support/gateway.js';

/**
 * Bounded load on loopback: 200 concurrent clients stream answers through the gateway for 30 s.
 * Every completed response must verify, none may arrive unsealed, and memory must stay flat (no
 * per-request state left behind).
 */
const CONCURRENCY = 200;
const DURATION_MS = 30_000;
const WARMUP_MS = 8_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

describe('gateway under load', () => {
  it(`${CONCURRENCY} concurrent streamed requests for ${DURATION_MS / 1000} s: all verify, memory flat`, { timeout: 45_000 }, async () => {
    let sealedCount = 0;
    const gw = await startTestGateway({
      upstream: { quiet: true, words: 24 },
      gateway: { onSealed: () => void sealedCount++, onError: () => undefined },
    });
    const counts = { ok: 0, failed: 0, unsealed: 0, errors: 0 };
    const codes = new Map<string, number>();
    const verifyingFetch = createVerifyingFetch({
      trust: gw.jwks,
      onResult: (r) => {
        if (r.valid) counts.ok++;
        else {
          counts.failed++;
          if (r.code === 'SIGNET_E_ENVELOPE_MISSING') counts.unsealed++;
          codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
        }
      },
    });
    const body = JSON.stringify({ model: 'local-model', stream: true, messages: [{ role: 'user', content: 'load' }] });
    const start = Date.now();
    const samples: { t: number; rss: number; heap: number }[] = [];
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      samples.push({ t: Date.now() - start, rss: m.rss, heap: m.heapUsed });
    }, 500);
    const worker = async (): Promise<void> => {
      while (Date.now() - start < DURATION_MS) {
        try {
          const res = await verifyingFetch(`${gw.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
            body,
          });
          if (res.status !== 200) {
            counts.errors++;
            await res.body?.cancel();
            continue;
          }
          const reader = (res.body as ReadableStream<Uint8Array>).getReader();
          for (;;) if ((await reader.read()).done) break;
        } catch {
          counts.errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    clearInterval(sampler);
    await gw.close();

    const completed = counts.ok + counts.failed;
    console.log(
      `load: ${completed} streamed responses in ${((Date.now() - start) / 1000).toFixed(1)} s (${(completed / (DURATION_MS / 1000)).toFixed(0)}/s), sealed ${sealedCount}, failed ${counts.failed}, errors ${counts.errors}`,
    );
    expect(completed).toBeGreaterThan(CONCURRENCY * 5);
    expect(counts.failed, JSON.stringify([...codes])).toBe(0);
    expect(counts.unsealed).toBe(0);
    expect(counts.errors).toBe(0);
    expect(sealedCount).toBeGreaterThanOrEqual(completed);

    // Flat memory: after warm-up, the heap and RSS of the last third stay within a fixed margin
    // of the first third (garbage collection makes single samples noisy, so medians are compared).
    const steady = samples.filter((s) => s.t >= WARMUP_MS);
    const third = Math.max(1, Math.floor(steady.length / 3));
    const early = steady.slice(0, third);
    const late = steady.slice(-third);
    const heapGrowth = median(late.map((s) => s.heap)) - median(early.map((s) => s.heap));
    const rssGrowth = median(late.map((s) => s.rss)) - median(early.map((s) => s.rss));
    console.log(
      `load: heap ${(median(early.map((s) => s.heap)) / 2 ** 20).toFixed(0)} -> ${(median(late.map((s) => s.heap)) / 2 ** 20).toFixed(0)} MiB, rss ${(median(early.map((s) => s.rss)) / 2 ** 20).toFixed(0)} -> ${(median(late.map((s) => s.rss)) / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(heapGrowth).toBeLessThan(64 * 2 ** 20);
    expect(rssGrowth).toBeLessThan(128 * 2 ** 20);
  });
});
