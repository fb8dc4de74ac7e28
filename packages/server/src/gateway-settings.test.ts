import { describe, expect, it } from 'vitest';
import { gatewayWorkers } from './gateway-settings.js';

describe('gatewayWorkers', () => {
  it('runs one worker per core unless told otherwise', () => {
    expect(gatewayWorkers(undefined, 4)).toEqual({ workers: 4 });
    expect(gatewayWorkers(2, 4)).toEqual({ workers: 2 });
  });

  it('runs at least one worker when the core count is unknown', () => {
    expect(gatewayWorkers(undefined, 0)).toEqual({ workers: 1 });
  });

  it('refuses zero workers', () => {
    expect(gatewayWorkers(0, 4).refused).toBe('--workers must be at least 1');
  });
});
