import { join } from 'node:path';
import { chanceInWords, generateSigningKey, isSignetError, toJwks } from '@signet/core';
import { openRegistry, type Registry } from '@signet/registry';
import { verifyEvidence } from '@signet/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeText, tempDir } from '../support/auditor-fixtures.js';
import { textOf } from './corpus.js';
import { buildCorpus, sealTexts } from './evaluate.js';

/**
 * The breaks of the previous scorer, each against a real registry: a background of templated
 * answers (for a realistic null) and the cases that used to accuse the wrong account.
 */

const secret = new Uint8Array(32).map((_, i) => (i * 29 + 3) & 0xff);
const key = generateSigningKey();
const sentences = (t: string): string[] => t.match(/[^.]+\./g)!.map((s) => s.trim());

const source = makeText(7001, 24);
// A short answer that is a passage of the source, served to another account.
const inside = sentences(source).slice(6, 9).join(' ');
const shared = makeText(7002, 2);
const left = `${makeText(7003, 12)} ${shared}`;
const right = `${shared} ${makeText(7004, 12)}`;
const first = makeText(7005, 16);
const second = makeText(7006, 16);
const tiny = 'The meeting is at noon.';

let registry: Registry;

beforeAll(async () => {
  registry = await openRegistry(join(tempDir('signet-attr-'), 'registry.db'), { accountSecret: secret });
  const background = buildCorpus({ seed: 5, answers: 400, accounts: 8, perFamily: 0 });
  await sealTexts(
    registry,
    [
      ...background.sealed.map((s) => ({ id: s.id, account: s.account, text: textOf(s.answer) })),
      { id: 'chatcmpl-source', account: 'acct-source', text: source },
      { id: 'chatcmpl-inside', account: 'acct-inside', text: inside },
      { id: 'chatcmpl-left', account: 'acct-left', text: left },
      { id: 'chatcmpl-right', account: 'acct-right', text: right },
      { id: 'chatcmpl-first', account: 'acct-first', text: first },
      { id: 'chatcmpl-second', account: 'acct-second', text: second },
      { id: 'chatcmpl-tiny', account: 'acct-tiny', text: tiny },
    ],
    secret,
    key,
  );
}, 60_000);
afterAll(async () => {
  await registry?.close();
});

describe('attribution by evidence', () => {
  it('names the source that shares almost all fingerprints, not a short answer lying wholly inside the suspect', async () => {
    const suspect = source.replace(/\w+\.$/, 'afterwards.');
    const matches = await registry.attribute(suspect);
    expect(matches[0]?.row.accountId).toBe('acct-source');
    expect(matches.map((m) => m.row.accountId)).not.toContain('acct-inside');
  });

  it('never lets storage order pick one of two accounts whose answers hold the same passage', async () => {
    const verdict = await registry.assess(shared);
    expect(verdict.kind).not.toBe('attributed');
    if (verdict.kind === 'ambiguous') expect(verdict.accounts.map((a) => a.accountId).sort()).toEqual(['acct-left', 'acct-right']);
  });

  it('names both accounts of a suspect joined from two answers, each with its own spans', async () => {
    const a = first.slice(0, Math.floor(first.length * 0.6));
    const b = second.slice(Math.floor(second.length * 0.4));
    const suspect = `${a}\n\n${b}`;
    const verdict = await registry.assess(suspect);
    expect(verdict.kind).toBe('attributed');
    expect(verdict.accounts.map((x) => x.accountId).sort()).toEqual(['acct-first', 'acct-second']);
    const spanOf = (id: string): [number, number][] => verdict.accounts.find((x) => x.accountId === id)!.matches[0]!.spans;
    expect(spanOf('acct-first').every(([, end]) => end <= a.length)).toBe(true);
    expect(spanOf('acct-second').every(([start]) => start >= a.length)).toBe(true);
  });

  it('says too short to attribute for a sealed answer too short to carry evidence, even verbatim', async () => {
    expect(await registry.attribute(tiny)).toEqual([]);
    const verdict = await registry.assess(tiny);
    expect(verdict.kind).toBe('too-short');
    expect(verdict.capacity.chance).toBeGreaterThan(verdict.maxChance);
  });

  it('reports the chance with each match and states it in words in a signed evidence bundle', async () => {
    const suspect = sentences(first).slice(2, 12).join(' ').toUpperCase();
    const [match] = await registry.attribute(suspect);
    expect(match?.row.accountId).toBe('acct-first');
    expect(match!.chance).toBeLessThan(0.001);
    const bundle = await registry.evidence(match!, suspect, { suspectId: 's-1', signer: key });
    expect(bundle.suspect.chance).toBe(match!.chance);
    expect(bundle.suspect.chanceStatement).toMatch(
      /^this overlap would arise by chance in fewer than 1 in [\d,]+ unrelated texts of this registry$/,
    );
    const report = await verifyEvidence(JSON.stringify(bundle), { trust: JSON.stringify(toJwks([key])) });
    expect(report.valid).toBe(true);
    expect(report.proves.join('\n')).toMatch(
      /this overlap would arise by chance in fewer than 1 in [\d,]+ unrelated texts of this registry/,
    );
    // The chance is part of what the provider signed.
    const edited = { ...bundle, suspect: { ...bundle.suspect, chance: 1e-12, chanceStatement: chanceInWords(1e-12) } };
    const refused = await verifyEvidence(JSON.stringify(edited), { trust: JSON.stringify(toJwks([key])) });
    expect(refused.code).toBe('SIGNET_E_EVIDENCE_SIGNATURE');
  });

  it('rejects a bundle whose chance is not a probability, or whose wording is not the wording of its chance', async () => {
    const [match] = await registry.attribute(first);
    const bundle = await registry.evidence(match!, first, { suspectId: 's-2', signer: key });
    const trust = JSON.stringify(toJwks([key]));
    const notProbability = await verifyEvidence(JSON.stringify({ ...bundle, suspect: { ...bundle.suspect, chance: 2 } }), { trust });
    expect(notProbability.code).toBe('SIGNET_E_EVIDENCE_INVALID');
    const overstated = {
      ...bundle.suspect,
      chanceStatement: bundle.suspect.chanceStatement!.replace(/1 in [\d,]+/, '1 in 1,000,000,000,000'),
    };
    const reworded = await verifyEvidence(JSON.stringify({ ...bundle, suspect: overstated }), { trust });
    expect(reworded.code).toBe('SIGNET_E_EVIDENCE_INVALID');
  });

  it('refuses attribution options that would make the decision meaningless, with a typed error', async () => {
    for (const options of [
      { maxChance: 0 },
      { maxChance: Number.NaN },
      { maxChance: 2 },
      { minScore: -1 },
      { limit: 0 },
      { maxPosting: 1.5 },
    ]) {
      const err = await registry.assess(first, options).catch((e: unknown) => e);
      expect(isSignetError(err, 'SIGNET_E_CONFIG_INVALID'), JSON.stringify(options)).toBe(true);
    }
  });
});
