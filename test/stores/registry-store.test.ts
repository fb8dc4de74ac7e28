import { join } from 'node:path';
import { getDefaultBackend, isSignetError, parseEnvelope, verifyExcerptProof, type ExcerptProof } from '@signet/core';
import { openRegistry, type Registry } from '@signet/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatResponse, makeProvider, makeText, pgUrl, tempDir, uniqueSchema } from '../support/auditor-fixtures.js';

const backend = getDefaultBackend();
const provider = makeProvider();
const url = pgUrl();

type Open = (storeText: boolean) => Promise<Registry>;
const backends: [string, Open | undefined][] = [
  ['sqlite', (storeText) => openRegistry(join(tempDir('signet-registry-'), 'registry.db'), { accountSecret: provider.secret, storeText })],
  [
    'postgres',
    url === undefined
      ? undefined
      : (storeText) => openRegistry(url, { accountSecret: provider.secret, storeText, schema: uniqueSchema('reg') }),
  ],
];

for (const [name, open] of backends) {
  describe.skipIf(open === undefined)(`registry on ${name}`, () => {
    let registry: Registry;
    let withText: Registry;
    const texts = Array.from({ length: 40 }, (_, i) => makeText(1000 + i, 14));

    beforeAll(async () => {
      registry = await open!(false);
      withText = await open!(true);
      const signer = provider.signer(async (sealed, input) => {
        await registry.record(sealed, input);
        await withText.record(sealed, input);
      });
      for (const [i, text] of texts.entries())
        await signer.seal({ account: `acct-${i % 4}`, response: chatResponse(`chatcmpl-${name}-${i}`, text) });
    });
    afterAll(async () => {
      await registry?.close();
      await withText?.close();
    });

    it('records every sealed response, without its text by default', async () => {
      expect(await registry.count()).toBe(40);
      const [row] = await registry.lookup(`chatcmpl-${name}-7`);
      expect(row?.accountId).toBe('acct-3');
      expect(row?.text).toBeNull();
      const [kept] = await withText.lookup(`chatcmpl-${name}-7`);
      expect(kept?.text).toBe(texts[7]);
      expect(parseEnvelope(row!.envelope).claims.responseId).toBe(`chatcmpl-${name}-7`);
    });

    // Regression: reading a registry that did not exist created an empty one, and attribution then
    // reported "no match" for every suspect with exit 0.
    it('never creates a registry when asked to read one, and tells its own keys from foreign ones', async () => {
      const missing =
        name === 'sqlite'
          ? openRegistry(join(tempDir('signet-registry-'), 'nonexist.db'), { accountSecret: provider.secret, mustExist: true })
          : openRegistry(url as string, { accountSecret: provider.secret, schema: uniqueSchema('none'), mustExist: true });
      await expect(missing).rejects.toMatchObject({ code: 'SIGNET_E_REGISTRY_MISSING' });
      await expect(registry.checkKeys([provider.key.kid])).resolves.toBeUndefined();
      await expect(registry.checkKeys(['another-providers-kid'])).rejects.toMatchObject({ code: 'SIGNET_E_REGISTRY_FOREIGN_KEY' });
    });

    it("records idempotently and refuses an envelope whose tag is not the account's", async () => {
      const signer = provider.signer();
      const sealed = await signer.seal({ account: 'acct-x', response: chatResponse(`chatcmpl-${name}-dup`, 'hello there') });
      await registry.record(sealed, { account: 'acct-x', response: chatResponse(`chatcmpl-${name}-dup`, 'hello there') });
      await registry.record(sealed, { account: 'acct-x', response: chatResponse(`chatcmpl-${name}-dup`, 'hello there') });
      expect((await registry.lookup(`chatcmpl-${name}-dup`)).length).toBe(1);
      const err = await registry
        .record(sealed, { account: 'someone-else', response: chatResponse(`chatcmpl-${name}-dup`, 'hello there') })
        .catch((e: unknown) => e);
      expect(isSignetError(err, 'SIGNET_E_CONFIG_INVALID')).toBe(true);
      const other = await signer.seal({ account: 'acct-y', response: 'original', model: 'm' });
      const err2 = await registry.record(other, { account: 'acct-y', response: 'not what was sealed' }).catch((e: unknown) => e);
      expect(isSignetError(err2, 'SIGNET_E_INPUT_INVALID')).toBe(true);
    });

    it('attributes exact and reformatted copies by digest', async () => {
      const [exact] = await registry.attribute(texts[3]!);
      expect(exact?.method).toBe('exact');
      expect(exact?.row.accountId).toBe('acct-3');
      const [norm] = await registry.attribute(`  ${texts[5]!.replace(/ /g, '\n  ')}\n`);
      expect(norm?.method).toBe('normalized');
      expect(norm?.row.responseId).toBe(`chatcmpl-${name}-5`);
    });

    it('attributes an edited excerpt by fingerprint, with a score and the matching span', async () => {
      const words = texts[9]!.split(' ');
      const part = words.slice(40, 100).map((w, i) => (i % 10 === 3 ? 'zebra' : w.toUpperCase()));
      const suspect = `Someone wrote this intro first. ${part.join(' ')}`;
      const matches = await registry.attribute(suspect);
      expect(matches[0]?.method).toBe('fingerprint');
      expect(matches[0]?.row.responseId).toBe(`chatcmpl-${name}-9`);
      expect(matches[0]?.score).toBeGreaterThan(0.3);
      const spans = matches[0]!.spans;
      const [start, end] = [spans[0]![0], spans[spans.length - 1]![1]];
      expect(start).toBeGreaterThanOrEqual('Someone wrote this intro first. '.length - 1);
      expect(end).toBeGreaterThan(suspect.length - 100);
    });

    it('attributes nothing to text that was never sealed', async () => {
      expect(await registry.attribute(makeText(99_999, 14))).toEqual([]);
      expect(await registry.attribute('')).toEqual([]);
      expect(await registry.attribute('short')).toEqual([]);
    });

    it('builds evidence: the text for digest matches, an excerpt proof that verifies for similarity matches', async () => {
      const [m] = await registry.attribute(texts[2]!);
      const bundle = await registry.evidence(m!, texts[2]!, { suspectId: 'line-1' });
      expect(bundle.content).toEqual({ kind: 'text', text: texts[2] });
      expect(bundle.account.id).toBe('acct-2');
      const words = texts[11]!.split(' ');
      const suspect = words
        .slice(20, 90)
        .map((w, i) => (i % 12 === 5 ? 'zebra' : w))
        .join(' ');
      const [fm] = await withText.attribute(suspect);
      const withProof = await withText.evidence(fm!, suspect, { suspectId: '7' });
      expect(withProof.content.kind).toBe('excerpt');
      const proof = (withProof.content as { proof: ExcerptProof }).proof;
      const claims = parseEnvelope(fm!.row.envelope).claims;
      const shown = verifyExcerptProof(backend, claims.content[0]!, proof);
      expect(shown.revealed).toContain(words.slice(30, 40).join(' '));
    });

    it('proves verbatim chunks without keeping text, and stores log positions', async () => {
      const long = Array.from({ length: 6 }, (_, i) => makeText(5000 + i, 14)).join('\n\n');
      const signer = provider.signer(registry.record);
      const sealed = await signer.seal({ account: 'acct-long', response: chatResponse(`chatcmpl-${name}-long`, long) });
      const suspect = long.slice(100, long.length - 100);
      const [m] = await registry.attribute(suspect);
      expect(m?.row.accountId).toBe('acct-long');
      const bundle = await registry.evidence(m!, suspect, { suspectId: 's' });
      expect(bundle.content.kind).toBe('excerpt');
      const proof = (bundle.content as { proof: ExcerptProof }).proof;
      expect(() => verifyExcerptProof(backend, sealed.claims.content[0]!, proof)).not.toThrow();
      await registry.setLog(`chatcmpl-${name}-long`, {
        logIndex: 41,
        receipt: new Uint8Array([1, 2, 3]),
        checkpoint: 'log.example\n42\nAAAA\n',
      });
      const [row] = await registry.lookup(`chatcmpl-${name}-long`);
      expect(row?.logIndex).toBe(41);
      const again = await registry.evidence({ ...m!, row: row! }, suspect, { suspectId: 's' });
      expect(again.log).toEqual({ receipt: 'AQID', checkpoint: 'log.example\n42\nAAAA\n' });
    });
  });
}

describe('openRegistry', () => {
  it('refuses a missing or short account secret and an unreachable database with typed errors', async () => {
    const e1 = await openRegistry(join(tempDir(), 'r.db'), { accountSecret: new Uint8Array(4) }).catch((e: unknown) => e);
    expect(isSignetError(e1, 'SIGNET_E_CONFIG_INVALID')).toBe(true);
    const e2 = await openRegistry('/nonexistent-dir/x/registry.db', { accountSecret: provider.secret }).catch((e: unknown) => e);
    expect(isSignetError(e2, 'SIGNET_E_REGISTRY_STORAGE')).toBe(true);
    const e3 = await openRegistry('postgres://nobody:secretpw@127.0.0.1:1/none', { accountSecret: provider.secret }).catch(
      (e: unknown) => e,
    );
    expect(isSignetError(e3, 'SIGNET_E_REGISTRY_STORAGE')).toBe(true);
    expect(String((e3 as Error).message)).not.toContain('secretpw');
  });
});
