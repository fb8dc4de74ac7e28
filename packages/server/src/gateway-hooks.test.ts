import { describe, expect, it } from 'vitest';
import { combineGatewayHooks, type GatewayHooks } from './gateway-hooks.js';
import type { UnsealedRecord } from './unsealed.js';

describe('combineGatewayHooks', () => {
  it('leaves absent what no hook has, and hands a lone hook on as it is', () => {
    const onSealed = (): void => undefined;
    const combined = combineGatewayHooks([{}, { onSealed }]);
    expect(combined.onSealed).toBe(onSealed);
    expect(combined.onUnsealed).toBeUndefined();
    expect(combined.extraRoutes).toBeUndefined();
    expect(combined.close).toBeUndefined();
  });

  it('runs every unsealed hook and every close in list order; the first route that answers wins', async () => {
    const seen: string[] = [];
    const hook = (name: string, answers: boolean): GatewayHooks => ({
      onUnsealed: () => void seen.push(`unsealed ${name}`),
      extraRoutes: () => (seen.push(`route ${name}`), answers ? new Response(name) : undefined),
      close: () => void seen.push(`close ${name}`),
    });
    const combined = combineGatewayHooks([hook('a', false), hook('b', true), hook('c', true)]);
    await combined.onUnsealed?.({} as UnsealedRecord);
    const reply = await combined.extraRoutes?.(new Request('http://x/'));
    await combined.close?.();
    expect(await reply?.text()).toBe('b');
    expect(seen).toEqual(['unsealed a', 'unsealed b', 'unsealed c', 'route a', 'route b', 'close a', 'close b', 'close c']);
  });

  it('the first refusal wins, and health is ok only when every extension is', () => {
    const refusal = { code: 'SIGNET_E_LOG_UNAVAILABLE', message: 'log down', retryAfterSeconds: 2 };
    const combined = combineGatewayHooks([
      { refusal: () => undefined, health: () => ({ ok: true, detail: 'log available' }) },
      { refusal: () => refusal, health: () => ({ ok: false, detail: 'registry unavailable, refusing new requests' }) },
    ]);
    expect(combined.refusal?.()).toBe(refusal);
    expect(combined.health?.()).toEqual({ ok: false, detail: 'log available; registry unavailable, refusing new requests' });
    expect(combineGatewayHooks([{}]).health).toBeUndefined();
  });

  it('stops at the first failing onUnsealed (the answer is withheld)', async () => {
    const seen: string[] = [];
    const combined = combineGatewayHooks([
      {
        onUnsealed: () => {
          throw new Error('no');
        },
      },
      { onUnsealed: () => void seen.push('second') },
    ]);
    await expect(combined.onUnsealed?.({} as UnsealedRecord)).rejects.toThrow('no');
    expect(seen).toEqual([]);
  });
});
