import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey, toJwks } from '@signet/core';
import { describe, expect, it } from 'vitest';
import { readTrustFiles, readTrustJwks, TrustFileError } from './trust-files.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'signet-trust-files-'));

async function failure(p: Promise<unknown>): Promise<TrustFileError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TrustFileError) return e;
    throw e;
  }
  throw new Error('expected a TrustFileError');
}

describe('trust files', () => {
  it('reads a JWKS file as it is', async () => {
    const path = join(dir(), 'jwks.json');
    const text = JSON.stringify(toJwks([generateSigningKey()]));
    writeFileSync(path, text);
    expect(await readTrustJwks(path)).toBe(text);
  });

  it('names a missing trust file as unusable, in words', async () => {
    const e = await failure(readTrustJwks(join(dir(), 'missing.json')));
    expect(e.reason).toBe('unusable');
    expect(e.message).toMatch(/^the trust JWKS: .*missing\.json does not exist$/);
  });

  it('calls a trust URL that does not answer unreachable, not unusable', async () => {
    const e = await failure(readTrustJwks('http://127.0.0.1:9/jwks.json'));
    expect(e.reason).toBe('unreachable');
  });

  it('assembles no extensions when no file is given', async () => {
    expect(await readTrustFiles(JSON.stringify(toJwks([generateSigningKey()])), {})).toEqual({});
  });

  it('blames the hybrid keys file when it is not a usable JWKS', async () => {
    const path = join(dir(), 'hybrid.json');
    writeFileSync(path, '{"keys": 1}');
    const e = await failure(readTrustFiles(JSON.stringify(toJwks([generateSigningKey()])), { hybridKeys: path }));
    expect(e.reason).toBe('unusable');
    expect(e.message).toContain(`the hybrid keys JWKS ${path} is not usable: SIGNET_E_`);
  });

  it('blames the revocation list when only it was given', async () => {
    const path = join(dir(), 'revoked.cose');
    writeFileSync(path, 'not a list');
    const e = await failure(readTrustFiles(JSON.stringify(toJwks([generateSigningKey()])), { revocations: path }));
    expect(e.message).toMatch(new RegExp(`^the revocation list ${path} is not usable: SIGNET_E_`));
  });
});
