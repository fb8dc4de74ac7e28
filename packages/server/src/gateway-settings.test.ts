import { describe, expect, it } from 'vitest';
import { gatewayWorkers } from './gateway-settings.js';

describe('gatewayWorkers', () => {
  it('runs one worker per core unless told otherwise', () => {
    expect(gatewayWorkers({}, undefined, 4)).toEqual({ workers: 4 });
    expect(gatewayWorkers({}, 2, 4)).toEqual({ workers: 2 });
  });

  it('runs one worker by default with a local spool, and refuses more: a spool file has one writer', () => {
    expect(gatewayWorkers({ log: 'log.db' }, undefined, 4)).toEqual({ workers: 1 });
    expect(gatewayWorkers({ registry: 'reg.db' }, 3, 4).refused).toMatch(/a spool file has one writer$/);
  });

  it('allows many workers when every store refuses instead of spooling', () => {
    expect(gatewayWorkers({ log: 'log.db', 'log-unavailable': 'fail' }, undefined, 4)).toEqual({ workers: 4 });
    expect(gatewayWorkers({ log: 'a', 'log-unavailable': 'fail', registry: 'b' }, 2, 4).refused).toBeDefined();
  });

  it('refuses zero workers', () => {
    expect(gatewayWorkers({}, 0, 4).refused).toBe('--workers must be at least 1');
  });
});
