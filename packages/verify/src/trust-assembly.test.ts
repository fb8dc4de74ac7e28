import { describe, expect, it } from 'vitest';
import { generateSigningKey, toJwks } from '@signet/core';
import { assembleTrust, TrustInputError } from './trust-assembly.js';

describe('assembleTrust', () => {
  it('builds only what it is given', async () => {
    const trust = JSON.stringify(toJwks([generateSigningKey()]));
    expect(await assembleTrust({ trust })).toEqual({});
    const roots = JSON.stringify(toJwks([generateSigningKey()]));
    const built = await assembleTrust({ trust, roots });
    expect(Object.keys(built)).toEqual(['delegation']);
  });

  it('names the input that is not usable', async () => {
    const trust = JSON.stringify(toJwks([generateSigningKey()]));
    for (const [input, given] of [
      ['hybridKeys', { hybridKeys: '{"keys": 1}' }],
      ['roots', { roots: 'not json' }],
      ['revocations', { revocations: 'not a list' }],
    ] as const) {
      const e = await assembleTrust({ trust, ...given }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TrustInputError);
      expect((e as TrustInputError).input).toBe(input);
      expect((e as TrustInputError).cause.code).toMatch(/^SIGNET_E_/);
    }
  });
});
