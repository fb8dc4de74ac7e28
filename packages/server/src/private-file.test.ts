import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, toJwks } from '@signet/core';
import { createKeysDirectory, KEY_FILES, loadSigningKey } from './keyfile.js';
import { type MovedAside, writePrivateFiles } from './private-file.js';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'signet-private-'));

describe('writePrivateFiles', () => {
  it('refuses to overwrite an existing file and leaves every file as it was', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'b.jwk'), 'old b', { mode: 0o600 });
    expect(() =>
      writePrivateFiles([
        { path: join(dir, 'a.jwk'), data: 'new a' },
        { path: join(dir, 'b.jwk'), data: 'new b' },
      ]),
    ).toThrow(expect.objectContaining({ code: 'SIGNET_E_KEY_FILE', message: expect.stringContaining('refusing to overwrite') }));
    expect(existsSync(join(dir, 'a.jwk'))).toBe(false);
    expect(readFileSync(join(dir, 'b.jwk'), 'utf8')).toBe('old b');
  });

  it('with force moves the old file aside under a timestamped name and says where', () => {
    const dir = fresh();
    const path = join(dir, 'secret');
    writeFileSync(path, 'old', { mode: 0o600 });
    const moved = writePrivateFiles([{ path, data: 'new' }], { force: true, now: () => new Date('2026-01-02T03:04:05.678Z') });
    expect(moved).toEqual([{ path, movedTo: `${path}.replaced-2026-01-02T03-04-05-678Z` }]);
    expect(readFileSync(moved[0]?.movedTo as string, 'utf8')).toBe('old');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // A second replacement in the same instant keeps the first old file too.
    const again = writePrivateFiles([{ path, data: 'newer' }], { force: true, now: () => new Date('2026-01-02T03:04:05.678Z') });
    expect(again[0]?.movedTo).not.toBe(moved[0]?.movedTo);
    expect(readFileSync(again[0]?.movedTo as string, 'utf8')).toBe('new');
  });
});

// Regression: `keys new --force` replaced account-secret, so past account tags could no longer be resolved.
describe('createKeysDirectory', () => {
  it('refuses an existing account secret even when the signing key is gone', () => {
    const dir = fresh();
    writeFileSync(join(dir, KEY_FILES.accountSecret), 'c2VjcmV0LXNlY3JldC1zZWNyZXQ\n', { mode: 0o600 });
    expect(() => createKeysDirectory(dir)).toThrow(expect.objectContaining({ code: 'SIGNET_E_KEY_FILE' }));
    expect(readFileSync(join(dir, KEY_FILES.accountSecret), 'utf8')).toBe('c2VjcmV0LXNlY3JldC1zZWNyZXQ\n');
  });

  it('with overwrite keeps the old key and secret beside the new ones', () => {
    const dir = fresh();
    const first = createKeysDirectory(dir);
    const oldSecret = readFileSync(join(dir, KEY_FILES.accountSecret), 'utf8');
    const moved: MovedAside[] = [];
    const second = createKeysDirectory(dir, {}, { overwrite: true, onMovedAside: (m) => moved.push(m) });
    expect(second.kid).not.toBe(first.kid);
    expect(moved.map((m) => m.path)).toEqual([join(dir, KEY_FILES.signingKey), join(dir, KEY_FILES.accountSecret)]);
    const keptSecret = moved.find((m) => m.path.endsWith(KEY_FILES.accountSecret))?.movedTo as string;
    expect(readFileSync(keptSecret, 'utf8')).toBe(oldSecret);
    const keptKey = moved.find((m) => m.path.endsWith(KEY_FILES.signingKey))?.movedTo as string;
    expect(loadSigningKey(keptKey).kid).toBe(first.kid);
  });
});

describe('loadSigningKey says what is wrong', () => {
  it('refuses a private key file other users can read (mode 0644)', () => {
    const dir = fresh();
    createKeysDirectory(dir);
    chmodSync(join(dir, KEY_FILES.signingKey), 0o644);
    expect(() => loadSigningKey(dir)).toThrow(
      expect.objectContaining({ code: 'SIGNET_E_KEY_FILE', message: expect.stringContaining('mode 0644') }),
    );
  });

  it('names a JWKS and a public key for what they are', () => {
    const dir = fresh();
    const key = generateSigningKey();
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify(toJwks([key])), { mode: 0o600 });
    writeFileSync(join(dir, 'public.jwk'), JSON.stringify(key.toPublicJwk()), { mode: 0o600 });
    expect(() => loadSigningKey(join(dir, 'jwks.json'))).toThrow(/is a JWKS/);
    expect(() => loadSigningKey(join(dir, 'public.jwk'))).toThrow(/is a public key/);
    expect(() => loadSigningKey(join(dir, 'nope'))).toThrow(/no signing key or keys directory at/);
  });
});
