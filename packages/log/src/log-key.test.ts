import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLogKey, LogKey, saveLogKey } from './log-key.js';
import { openLog } from './log.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-log-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the log key', () => {
  it('round-trips through a 0600 file and never prints the seed', () => {
    const key = LogKey.generate('keys.example/log');
    const path = join(dir, 'a.key');
    saveLogKey(path, key);
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/^PRIVATE\+KEY\+keys\.example\/log\+[0-9a-f]{8}\+/);
    const back = loadLogKey(path);
    expect(back.verifierKey).toBe(key.verifierKey);
    const secret = text.trim().split('+').slice(4).join('+');
    expect(JSON.stringify(back)).not.toContain(secret);
    expect(String(back)).not.toContain(secret);
    expect(() => saveLogKey(path, key)).toThrow(/refusing to overwrite/);
  });

  it('refuses key files others can read, and malformed ones without echoing them', () => {
    const key = LogKey.generate('keys.example/log');
    const path = join(dir, 'b.key');
    saveLogKey(path, key);
    chmodSync(path, 0o644);
    expect(() => loadLogKey(path)).toThrow(expect.objectContaining({ code: 'SIGNET_E_KEY_FILE' }));
    const secretish = 'PRIVATE+KEY+x.example/y+00000000+AAAAsecretAAAA';
    try {
      LogKey.parse(secretish);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain('secret');
      expect(e).toMatchObject({ code: 'SIGNET_E_KEY_INVALID' });
    }
    // A key ID that does not match the key is refused.
    const good = key.toSignerKey();
    const parts = good.split('+');
    parts[3] = parts[3] === '00000000' ? '00000001' : '00000000';
    expect(() => LogKey.parse(parts.join('+'))).toThrow(expect.objectContaining({ code: 'SIGNET_E_KEY_INVALID' }));
    expect(() => LogKey.generate('has space')).toThrow(expect.objectContaining({ code: 'SIGNET_E_CONFIG_INVALID' }));
  });

  it('never makes a new key for an existing log whose key file is missing', async () => {
    const db = join(dir, 'c.db');
    const log = await openLog(db, { create: true, origin: 'keys.example/log' });
    const original = log.verifierKey;
    await log.close();
    renameSync(`${db}.key`, join(dir, 'c.key.moved'));
    await expect(openLog(db, { create: true })).rejects.toMatchObject({ code: 'SIGNET_E_KEY_FILE' });
    expect(existsSync(`${db}.key`)).toBe(false);
    const again = await openLog(db, { key: join(dir, 'c.key.moved') });
    expect(again.verifierKey).toBe(original);
    await again.close();
  });
});
