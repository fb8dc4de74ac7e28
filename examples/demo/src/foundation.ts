import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoPart } from './context.js';

const ANSWERS: { account: string; question: string; answer: string }[] = [
  {
    account: 'acct_alice_labs',
    question: 'What is a Merkle tree?',
    answer:
      'A Merkle tree is a hash tree: every leaf holds the hash of a data block,\nand every inner node holds the hash of its children.\n\nIts root commits to all the data at once.',
  },
  {
    account: 'acct_alice_labs',
    question: 'Why sign model outputs?',
    answer: 'Signing an output binds it to the account that received it, the time,\nthe model and the terms it was served under.',
  },
  {
    account: 'acct_bob_research',
    question: 'Explain Ed25519 briefly.',
    answer: 'Ed25519 is a Schnorr-style signature scheme over Curve25519:\nsmall keys, small signatures, fast verification.',
  },
];

/**
 * The foundation story: keys, terms, sealing for two accounts, verifying, and three failures a
 * verifier must catch (tampered text, a key it does not trust, an expired key).
 */
export const foundationDemo: DemoPart = async (ctx) => {
  ctx.step('1. The provider creates its keys');
  const created = await ctx.cli(['keys', 'new', '--out', ctx.keysDir, '--json']);
  ctx.expect(created.code === 0, 'keys new succeeds');
  const { kid } = JSON.parse(created.stdout) as { kid: string };
  ctx.say(`signing key ${kid}: private key and account secret written with mode 0600; jwks.json is public`);

  ctx.step('2. Responses are sealed under no-distillation terms');
  const sealed: { account: string; text: string; envelope: string; file: string; textFile: string }[] = [];
  for (const [i, a] of ANSWERS.entries()) {
    const request = { model: 'demo-model-1', messages: [{ role: 'user', content: a.question }] };
    const requestFile = join(ctx.dir, `request-${i}.json`);
    writeFileSync(requestFile, JSON.stringify(request));
    const response = {
      id: `chatcmpl-demo-${i}`,
      object: 'chat.completion',
      created: 1764000000 + i,
      model: 'demo-model-1',
      choices: [{ index: 0, message: { role: 'assistant', content: a.answer }, finish_reason: 'stop' }],
    };
    const responseFile = join(ctx.dir, `response-${i}.json`);
    writeFileSync(responseFile, JSON.stringify(response));
    const out = await ctx.cli([
      'sign',
      '--key',
      ctx.keysDir,
      '--issuer',
      ctx.issuer,
      '--account',
      a.account,
      '--terms',
      ctx.termsFile,
      '--request',
      requestFile,
      '--response',
      responseFile,
    ]);
    ctx.expect(out.code === 0, `sign succeeds for response ${i}`);
    const envelope = out.stdout.trim();
    const file = join(ctx.dir, `envelope-${i}.txt`);
    writeFileSync(file, envelope);
    const textFile = join(ctx.dir, `text-${i}.txt`);
    writeFileSync(textFile, a.answer);
    sealed.push({ account: a.account, text: a.answer, envelope, file, textFile });
    ctx.say(`sealed chatcmpl-demo-${i} for ${a.account}: ${Math.floor((envelope.length * 3) / 4)}-byte envelope`);
  }
  const inspected = await ctx.cli(['inspect', sealed[0]!.file]);
  const claims = (
    JSON.parse(inspected.stdout) as {
      claims: { signet: { account: { tag: string }; terms: { id: string; version: string; usage: object } } };
    }
  ).claims.signet;
  ctx.say(
    `inspect (decoded, not verified): account tag ${claims.account.tag}, terms ${claims.terms.id} ${claims.terms.version}, usage ${JSON.stringify(claims.terms.usage)}`,
  );
  const tagBob = (
    JSON.parse((await ctx.cli(['inspect', sealed[2]!.file])).stdout) as typeof claims extends never
      ? never
      : { claims: { signet: { account: { tag: string } } } }
  ).claims.signet.account.tag;
  ctx.expect(tagBob !== claims.account.tag, 'two accounts get different tags');
  ctx.say(`the two accounts have different pseudonymous tags (${claims.account.tag} vs ${tagBob}); only the provider can resolve them`);

  ctx.step('3. Anyone with the public JWKS verifies');
  const jwks = join(ctx.keysDir, 'jwks.json');
  for (const s of sealed) {
    const v = await ctx.cli(['verify', '--trust', jwks, '--envelope', s.file, '--text', s.textFile, '--terms', ctx.termsFile, '--json']);
    ctx.expect(v.code === 0, `envelope for ${s.account} verifies`);
    ctx.say(`${s.account}: valid (${(JSON.parse(v.stdout) as { content: { match: string } }).content.match} match)`);
  }
  const reformatted = join(ctx.dir, 'reformatted.txt');
  writeFileSync(reformatted, `  ${sealed[0]!.text.replace(/\n+/g, ' ')}  \r\n`);
  const strict = await ctx.cli(['verify', '--trust', jwks, '--envelope', sealed[0]!.file, '--text', reformatted, '--json']);
  ctx.expect(strict.code === 1, 'by default the reformatted text does not verify: clients match exactly');
  const norm = await ctx.cli([
    'verify',
    '--trust',
    jwks,
    '--envelope',
    sealed[0]!.file,
    '--text',
    reformatted,
    '--allow-normalized',
    '--json',
  ]);
  ctx.expect(
    norm.code === 0 && (JSON.parse(norm.stdout) as { match: string }).match === 'normalized',
    'with --allow-normalized, reformatted text matches the normalized digest and is reported as such',
  );
  ctx.say(
    'the same text with its line breaks and spacing changed fails an exact check, and with --allow-normalized verifies as a normalized match',
  );

  ctx.step('4. What a verifier catches');
  const tampered = join(ctx.dir, 'tampered.txt');
  writeFileSync(tampered, sealed[0]!.text.replace('hash tree', 'hash list'));
  const t = await ctx.cli(['verify', '--trust', jwks, '--envelope', sealed[0]!.file, '--text', tampered, '--json']);
  const tCode = (JSON.parse(t.stdout) as { code: string }).code;
  ctx.expect(t.code === 1 && tCode === 'SIGNET_E_CONTENT_MISMATCH', 'tampered text fails');
  ctx.say(`tampered text (one word changed): exit ${t.code}, ${tCode}`);

  const otherDir = join(ctx.dir, 'other-provider');
  await ctx.cli(['keys', 'new', '--out', otherDir]);
  const w = await ctx.cli([
    'verify',
    '--trust',
    join(otherDir, 'jwks.json'),
    '--envelope',
    sealed[0]!.file,
    '--text',
    sealed[0]!.textFile,
    '--json',
  ]);
  const wCode = (JSON.parse(w.stdout) as { code: string }).code;
  ctx.expect(w.code === 1 && wCode === 'SIGNET_E_KEY_UNKNOWN', 'a key the verifier does not trust fails');
  ctx.say(`verified against another provider's keys: exit ${w.code}, ${wCode}`);

  const expiredDir = join(ctx.dir, 'expired-key');
  await ctx.cli(['keys', 'new', '--out', expiredDir, '--not-before', '2025-01-01T00:00:00Z', '--not-after', '2025-12-31T23:59:59Z']);
  const responseFile = join(ctx.dir, 'response-0.json');
  const late = await ctx.cli([
    'sign',
    '--key',
    expiredDir,
    '--issuer',
    ctx.issuer,
    '--account',
    'acct_alice_labs',
    '--terms',
    ctx.termsFile,
    '--response',
    responseFile,
  ]);
  const lateFile = join(ctx.dir, 'envelope-expired.txt');
  writeFileSync(lateFile, late.stdout.trim());
  const e = await ctx.cli([
    'verify',
    '--trust',
    join(expiredDir, 'jwks.json'),
    '--envelope',
    lateFile,
    '--response',
    responseFile,
    '--json',
  ]);
  const eCode = (JSON.parse(e.stdout) as { code: string }).code;
  ctx.expect(e.code === 1 && eCode === 'SIGNET_E_KEY_EXPIRED', 'an envelope signed after its key expired fails');
  ctx.say(`signed with a key that expired on 2025-12-31: exit ${e.code}, ${eCode}`);
};
