import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chanceInWords } from '@signet/core';
import { openLog } from '@signet/log';
import { openRegistry } from '@signet/registry';
import { createSigner, KEY_FILES, loadAccountSecret, loadSigningKey } from '@signet/server';
import type { DemoPart } from './context.js';
import { readText } from './files.js';

/** Sentences the demo's model "answers" with: varied enough that every answer is its own text. */
const TOPICS = [
  'gradient descent',
  'hash functions',
  'transformer attention',
  'database indexes',
  'public-key signatures',
  'garbage collection',
  'TCP congestion control',
  'Bloom filters',
];
const OPENERS = ['In short,', 'Put simply,', 'At its core,', 'To see why,', 'In practice,', 'As a rule,', 'Concretely,', 'For example,'];
const CLAIMS = [
  'works by repeating one small step many times until the result stops improving',
  'trades a little extra memory for a large saving in time on every lookup',
  'depends on an invariant that every operation must keep intact',
  'is easiest to understand by following a single request from start to finish',
  'fails in surprising ways when its assumptions about the input are violated',
  'can be tuned with one or two parameters that matter far more than the rest',
  'is often confused with a related idea that solves a different problem',
  'scales well because the expensive part runs once and the cheap part runs often',
  'keeps working when parts of the system fail, at the price of some extra coordination',
  'becomes clearer once you draw the data structure on paper and trace each pointer',
];
const ENDINGS = [
  'which is why it shows up in so many systems',
  'and that is the property worth remembering',
  'so measure before you optimize it',
  'although the details vary between implementations',
  'and the textbook proof makes this precise',
];

function rand(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function answerText(seed: number): string {
  const r = rand(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const topic = pick(TOPICS);
  const paragraphs: string[] = [`## ${topic[0]?.toUpperCase()}${topic.slice(1)}`];
  for (let p = 0; p < 3; p++) {
    const sentences = Array.from(
      { length: 3 + Math.floor(r() * 2) },
      () => `${pick(OPENERS)} ${topic} ${pick(CLAIMS)}, ${pick(ENDINGS)} (note ${Math.floor(r() * 1000)}).`,
    );
    paragraphs.push(
      p === 1 ? sentences.map((s) => `- **${s.split(' ')[0]}** ${s.split(' ').slice(1).join(' ')}`).join('\n') : sentences.join(' '),
    );
  }
  return paragraphs.join('\n\n');
}

/** What a dataset builder does to harvested answers: strip markdown, reflow, lowercase, cut, edit. */
function launder(text: string, i: number): string {
  const r = rand(900 + i);
  let t = text
    .replace(/^#+\s*/gm, '')
    .replace(/\*\*/g, '')
    .replace(/^- /gm, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (i % 3 === 0) t = t.toLowerCase();
  if (i % 2 === 1) {
    const words = t.split(' ');
    const start = Math.floor(words.length * 0.2);
    t = words.slice(start, start + Math.ceil(words.length * 0.5)).join(' ');
  }
  if (i % 4 === 2)
    t = t
      .split(' ')
      .map((w) => (r() < 0.08 ? 'basically' : w))
      .join(' ');
  return t;
}

/**
 * The auditor's side: a provider's registry and log fill up as it serves; a dataset turns up that
 * was harvested through one account, stripped of its seals and reformatted; the provider audits a
 * sealed dataset, attributes the stripped one to the account that received it, and hands over an
 * evidence bundle that a third party verifies offline.
 */
export const auditorDemo: DemoPart = async (ctx) => {
  ctx.step('1. The provider keeps a registry and a transparency log of what it seals');
  if (!existsSync(join(ctx.keysDir, KEY_FILES.signingKey))) {
    ctx.expect((await ctx.cli(['keys', 'new', '--out', ctx.keysDir])).code === 0, 'keys new succeeds');
  }
  const jwks = join(ctx.keysDir, KEY_FILES.jwks);
  const accountSecret = loadAccountSecret(join(ctx.keysDir, KEY_FILES.accountSecret));
  const registryPath = join(ctx.dir, 'registry.db');
  const logPath = join(ctx.dir, 'auditor-log.db');
  // Text storage is off by default; this provider opts in so that its bundles can carry excerpt
  // proofs revealing the sealed passage (without it, only verbatim chunks can be proven).
  const registry = await openRegistry(registryPath, { accountSecret, storeText: true });
  const log = await openLog(logPath, { create: true, origin: 'log.example.com/signet', maxDelayMs: 5 });
  const logKeyFile = join(ctx.dir, 'auditor-log.pub');
  writeFileSync(logKeyFile, `${log.verifierKey}\n`);
  const signer = createSigner({
    issuer: ctx.issuer,
    key: loadSigningKey(ctx.keysDir),
    accountSecret,
    terms: ctx.readTermsFile(ctx.termsFile),
    onSealed: async (sealed, input) => {
      await registry.record(sealed, input);
      await log.appendAndWait(sealed);
    },
  });
  const accounts = ['acct_alice_labs', 'acct_bob_research', 'acct_carol_tools', 'acct_mallory_distill'];
  const served: { account: string; text: string; envelope: string }[] = [];
  for (let i = 0; i < 80; i++) {
    // The harvesting account asks far more than anyone else.
    const account = i % 2 === 0 ? 'acct_mallory_distill' : (accounts[(i >> 1) % 3] as string);
    const text = answerText(i);
    const response = {
      id: `chatcmpl-aud-${i}`,
      object: 'chat.completion',
      created: 1764000000 + i,
      model: 'demo-model-1',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    };
    const sealed = await signer.seal({ account, response });
    served.push({ account, text, envelope: sealed.text });
  }
  await log.close();
  ctx.say(
    `sealed ${served.length} responses for ${accounts.length} accounts; registry ${registryPath} holds ${await registry.count()} entries (digests, chunk hashes, fingerprints, and the text: opted in)`,
  );
  await registry.close();

  ctx.step('2. Auditing a dataset that still carries its seals');
  const sealedSet = join(ctx.dir, 'sealed-dataset.jsonl');
  const lines = served
    .slice(0, 30)
    .map((s, i) => JSON.stringify({ id: `r${i}`, text: i === 7 ? s.text.replace('works', 'worked') : s.text, envelope: s.envelope }));
  lines.splice(12, 0, '{"text": "this line was cut off');
  writeFileSync(sealedSet, `${lines.join('\n')}\n`);
  const reportDir = join(ctx.dir, 'audit-report');
  const audited = await ctx.cli(['audit', sealedSet, '--trust', jwks, '--out', reportDir, '--json']);
  ctx.expect(audited.code === 1, 'audit reports the bad records');
  const report = JSON.parse(audited.stdout) as {
    total: number;
    valid: number;
    invalid: number;
    failures: { line: number; code: string }[];
    byAccount: Record<string, number>;
  };
  ctx.expect(report.valid === 29 && report.invalid === 2, 'audit finds 29 valid records and 2 bad ones');
  ctx.say(
    `${report.total} records: ${report.valid} valid, ${report.invalid} invalid: ${report.failures.map((f) => `line ${f.line} ${f.code}`).join(', ')}`,
  );
  ctx.say(`${Object.keys(report.byAccount).length} account tags; report: ${join(reportDir, 'report.json')}`);
  const html = join(reportDir, 'report.html');
  ctx.expect(readText(html).includes('<svg'), 'the HTML report has its charts');
  ctx.say(`open the report from disk (no network needed): ${pathToFileURL(html).href}`);

  ctx.step('3. A leaked dataset: seals stripped, markdown removed, reflowed, cut, edited');
  const leaked = served.filter((s) => s.account === 'acct_mallory_distill').slice(0, 16);
  const leakLines = leaked.map((s, i) =>
    JSON.stringify({
      id: `leak-${i}`,
      messages: [
        { role: 'user', content: 'Explain.' },
        { role: 'assistant', content: launder(s.text, i) },
      ],
    }),
  );
  leakLines.push(
    JSON.stringify({
      id: 'leak-unrelated',
      messages: [
        {
          role: 'assistant',
          content:
            'A completely different answer about cooking pasta: salt the water well, stir early, and taste a minute before the package says it is done.',
        },
      ],
    }),
  );
  const leakFile = join(ctx.dir, 'leaked-dataset.jsonl');
  writeFileSync(leakFile, `${leakLines.join('\n')}\n`);
  ctx.say(`${leakLines.length} records, for example: "${launder(leaked[1]!.text, 1).slice(0, 90)}..."`);
  const evidenceDir = join(ctx.dir, 'attribution');
  const attributed = await ctx.cli([
    'attribute',
    leakFile,
    '--registry',
    registryPath,
    '--keys',
    ctx.keysDir,
    '--log',
    logPath,
    '--out',
    evidenceDir,
    '--json',
  ]);
  ctx.expect(attributed.code === 0, 'attribute succeeds');
  const results = attributed.stdout
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          id: string;
          verdict: string;
          match: { account: string; score: number; chance: number; responseId: string; evidence: string } | null;
        },
    );
  const toMallory = results.filter((r) => r.match?.account === 'acct_mallory_distill');
  // An attribution is an accusation: a record is named only when an unrelated answer of this
  // registry would rarely show as much overlap. These answers are built from a few stock sentences,
  // so a heavily edited copy may carry too little evidence, and is then left unnamed, never misnamed.
  ctx.expect(
    results.every((r) => r.match === null || r.match.account === 'acct_mallory_distill'),
    'no record is attributed to an account that did not receive it',
  );
  ctx.expect(toMallory.length >= leaked.length - 4, 'nearly every leaked record is attributed to the harvesting account');
  ctx.expect(results.find((r) => r.id === 'leak-unrelated')?.match === null, 'the unrelated record is attributed to nobody');
  const unnamed = leaked.length - toMallory.length;
  ctx.say(
    `${toMallory.length} of ${leaked.length} leaked records attributed to acct_mallory_distill (scores ${Math.min(...toMallory.map((r) => r.match!.score)).toFixed(2)} to ${Math.max(...toMallory.map((r) => r.match!.score)).toFixed(2)}; the weakest: ${chanceInWords(Math.max(...toMallory.map((r) => r.match!.chance)))})${unnamed === 0 ? '' : `; ${unnamed} too heavily edited to name anyone`}; the unrelated record to nobody`,
  );

  ctx.step('4. A third party checks a bundle offline: public keys only, no registry');
  // A laundered excerpt: its bundle carries an excerpt proof rather than the text itself.
  const bundle = toMallory.find((r) => r.match!.score < 1)?.match?.evidence ?? toMallory[0]!.match!.evidence;
  ctx.expect(
    (JSON.parse(readText(bundle)) as { content: { kind: string } }).content.kind === 'excerpt',
    'the bundle of an edited excerpt carries an excerpt proof',
  );
  const verified = await ctx.cli(['evidence', 'verify', bundle, '--trust', jwks, '--log-verifier-key', logKeyFile]);
  ctx.expect(verified.code === 0, 'the evidence bundle verifies offline');
  for (const line of verified.stdout.trim().split('\n')) ctx.say(line);
  const forged = JSON.parse(readText(bundle)) as { account: { id: string } };
  forged.account.id = 'acct_alice_labs';
  const forgedFile = join(ctx.dir, 'forged-bundle.json');
  writeFileSync(forgedFile, JSON.stringify(forged));
  const rejected = await ctx.cli(['evidence', 'verify', forgedFile, '--trust', jwks, '--log-verifier-key', logKeyFile, '--json']);
  const code = (JSON.parse(rejected.stdout) as { code: string }).code;
  ctx.expect(rejected.code === 1 && code === 'SIGNET_E_EVIDENCE_SIGNATURE', 'a bundle blaming another account fails');
  ctx.say(`the same bundle edited to blame acct_alice_labs: exit ${rejected.code}, ${code}`);
};
