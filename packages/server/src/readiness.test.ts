import { describe, expect, it } from 'vitest';
import { createReadiness } from './readiness.js';

describe('readiness', () => {
  it('is ready only when every check passes, and names the failing one with its code', async () => {
    let up = true;
    const r = createReadiness(
      { a: async () => ({ ok: true }), b: async () => (up ? { ok: true } : { ok: false, detail: 'ECONNREFUSED' }) },
      { intervalMs: 1 },
    );
    expect((await r.check()).ready).toBe(true);
    up = false;
    await new Promise((res) => setTimeout(res, 5));
    expect(await r.check()).toEqual({ ready: false, checks: { a: { ok: true }, b: { ok: false, detail: 'ECONNREFUSED' } } });
  });

  it('counts a check that throws or hangs as failed, and reuses a verdict within the interval', async () => {
    let calls = 0;
    const r = createReadiness(
      {
        thrown: async () => {
          calls++;
          throw Object.assign(new Error('secret://user:pw@host'), { code: 'SIGNET_E_LOG_STORAGE' });
        },
        hung: () => new Promise(() => undefined),
      },
      { intervalMs: 60_000, timeoutMs: 20 },
    );
    const first = await r.check();
    expect(first.checks).toEqual({ thrown: { ok: false, detail: 'SIGNET_E_LOG_STORAGE' }, hung: { ok: false, detail: 'timeout' } });
    expect(JSON.stringify(first)).not.toContain('secret');
    await r.check();
    expect(calls).toBe(1);
    expect(r.lastKnownReady()).toBe(false);
  });
});
