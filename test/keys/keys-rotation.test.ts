import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '@signet/core';
import {
  createKeyRing,
  createKeysDirectory,
  createKeysDirectorySource,
  createNodeJwksListener,
  createSigner,
  KEY_FILES,
  loadSigningKey,
  rotateKeysDirectory,
} from '@signet/server';
import { createRemoteTrustStore, createVerifier } from '@signet/verify';
import { ISSUER, SECRET, TERMS } from '../support/keys-fixture.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('rotation across a running server', () => {
  it('keeps every verification passing while keys rotate', async () => {
    const ring = createKeyRing({ keys: [generateSigningKey()], graceSeconds: 60 });
    const signer = createSigner({ issuer: ISSUER, key: ring, accountSecret: SECRET, terms: TERMS });
    const jwks = createNodeJwksListener(ring, { maxAgeSeconds: 1 });
    let jwksHits = 0;
    const server: Server = createServer((req, res) => {
      if (req.url === '/.well-known/jwks.json') {
        jwksHits++;
        jwks(req, res);
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        signer.seal({ account: 'acct_1', response: text, model: 'm' }).then(
          (s) => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ text, envelope: s.text, kid: s.kid }));
          },
          () => {
            res.writeHead(500);
            res.end();
          },
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      // The client follows the published JWKS; its cache (1 s) is shorter than the rotation lead.
      const trust = createRemoteTrustStore({ url: `${base}/.well-known/jwks.json`, minMaxAgeSeconds: 1 });
      const verifier = createVerifier({ trust });
      const failures: string[] = [];
      const kids = new Set<string>();
      let verified = 0;
      let stop = false;
      const client = async (id: number): Promise<void> => {
        for (let i = 0; !stop; i++) {
          const text = `response ${id}/${i}`;
          const res = await fetch(`${base}/seal`, { method: 'POST', body: text });
          if (res.status !== 200) {
            failures.push(`HTTP ${res.status}`);
            continue;
          }
          const body = (await res.json()) as { text: string; envelope: string; kid: string };
          const r = await verifier.verify(body.envelope, { text: body.text });
          kids.add(body.kid);
          if (r.valid) verified++;
          else failures.push(`${r.code}: ${r.message}`);
        }
      };
      const clients = [0, 1, 2].map(client);
      for (let i = 0; i < 3; i++) {
        await ring.rotate({ leadMs: 1300 });
        await new Promise((r) => setTimeout(r, 1400));
      }
      stop = true;
      await Promise.all(clients);
      expect(failures).toEqual([]);
      expect(kids.size).toBeGreaterThanOrEqual(3);
      expect(verified).toBeGreaterThan(30);
      // Published ahead of use: no unknown-kid refreshes were needed, only max-age revalidations.
      expect(jwksHits).toBeLessThan(20);
      // Retired keys stay published with an exp; the newest has none.
      const published = ring.jwks().keys;
      expect(published.length).toBe(4);
      expect(published.filter((k) => k.exp === undefined)).toHaveLength(1);
    } finally {
      server.close();
    }
  }, 20_000);
});

describe('rotation of a keys directory', () => {
  it('makes loadSigningKey(DIR) return the active key and keeps old envelopes verifiable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-rotate-'));
    dirs.push(dir);
    const first = createKeysDirectory(dir);
    const source = createKeysDirectorySource(dir, { checkIntervalMs: 0 });
    const before = createSigner({ issuer: ISSUER, key: loadSigningKey(dir), accountSecret: SECRET, terms: TERMS });
    const old = await before.seal({ account: 'a', response: 'old', model: 'm' });

    const result = rotateKeysDirectory(dir, { graceSeconds: 3600 });
    expect(result.previousKid).toBe(first.kid);
    const active = loadSigningKey(dir);
    expect(active.kid).toBe(result.kid);
    expect(active.kid).not.toBe(first.kid);
    expect(statSync(join(dir, KEY_FILES.signingKey)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, KEY_FILES.signingKey), 'utf8')).not.toContain(first.toPrivateJwk().d);
    // A running signer that follows the directory switches without a restart.
    expect(source.current().kid).toBe(result.kid);

    const jwks = readFileSync(join(dir, KEY_FILES.jwks), 'utf8');
    const verifier = createVerifier({ trust: jwks });
    const after = createSigner({ issuer: ISSUER, key: source, accountSecret: SECRET, terms: TERMS });
    const fresh = await after.seal({ account: 'a', response: 'new', model: 'm' });
    expect(fresh.kid).toBe(result.kid);
    expect(await verifier.verify(old.envelope, { text: 'old' })).toMatchObject({ valid: true, key: { kid: first.kid } });
    expect(await verifier.verify(fresh.envelope, { text: 'new' })).toMatchObject({ valid: true, key: { kid: result.kid } });

    // After the grace, the retired key no longer vouches for new envelopes.
    const late = createSigner({
      issuer: ISSUER,
      key: first,
      accountSecret: SECRET,
      terms: TERMS,
      now: () => (result.previousNotAfter + 10) * 1000,
    });
    const v2 = createVerifier({ trust: jwks, now: () => (result.previousNotAfter + 10) * 1000 });
    expect(await v2.verify((await late.seal({ account: 'a', response: 'late', model: 'm' })).envelope, { text: 'late' })).toMatchObject({
      valid: false,
      code: 'SIGNET_E_KEY_EXPIRED',
    });

    // Rotating twice keeps every key published.
    rotateKeysDirectory(dir);
    expect(JSON.parse(readFileSync(join(dir, KEY_FILES.jwks), 'utf8')).keys).toHaveLength(3);
  });
});
