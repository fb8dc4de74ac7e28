import { DATASET_ERROR_CODES } from '@signet/audit';
import { ERROR_CODES, SignetError } from '@signet/core';
import { LOG_ERROR_CODES } from '@signet/log';
import { REGISTRY_ERROR_CODES } from '@signet/registry';
import { SERVER_ERROR_CODES } from '@signet/server';
import { describe, expect, it } from 'vitest';

// Each package owns the codes of its area; together they form one namespace of stable codes.
const tables = {
  core: ERROR_CODES,
  server: SERVER_ERROR_CODES,
  log: LOG_ERROR_CODES,
  registry: REGISTRY_ERROR_CODES,
  audit: DATASET_ERROR_CODES,
};

describe('error codes across the packages', () => {
  it('are spelled SIGNET_E_<AREA>_<REASON>, each with a meaning', () => {
    for (const table of Object.values(tables))
      for (const [code, meaning] of Object.entries(table)) {
        expect(code).toMatch(/^SIGNET_E_[A-Z]+(_[A-Z0-9]+)+$/);
        expect(meaning.length).toBeGreaterThan(10);
      }
  });

  it('are owned by exactly one package', () => {
    const owners = new Map<string, string>();
    for (const [pkg, table] of Object.entries(tables))
      for (const code of Object.keys(table)) {
        expect(owners.get(code), `${code} is defined by ${owners.get(code)} and ${pkg}`).toBeUndefined();
        owners.set(code, pkg);
      }
  });

  it('keep a verifier to core codes: the storage and serving areas live outside core', () => {
    const core = Object.keys(ERROR_CODES);
    expect(core.filter((c) => /^SIGNET_E_(GATEWAY|AUTH|REGISTRY|DATASET)_/.test(c))).toEqual([]);
    expect(core).not.toContain('SIGNET_E_LOG_STORAGE');
    expect(core).toContain('SIGNET_E_LOG_INCONSISTENT');
  });

  it('a package code travels in the one SignetError class', () => {
    const e = new SignetError('SIGNET_E_LOG_STORAGE', 'disk full');
    expect(e).toBeInstanceOf(SignetError);
    expect(e.toJSON()).toEqual({ code: 'SIGNET_E_LOG_STORAGE', message: 'disk full' });
    expect(new SignetError('SIGNET_E_KEY_UNKNOWN').message).toBe(ERROR_CODES.SIGNET_E_KEY_UNKNOWN);
  });
});
