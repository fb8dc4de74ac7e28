import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toHex } from '@signet/core';
import { openLog, serveHandler } from '@signet/log';
import { createSigner, KEY_FILES, loadAccountSecret, loadSigningKey } from '@signet/server';
import { createReceiptCheck, createVerifier } from '@signet/verify';
import type { DemoPart } from './context.js';
import { readText } from './files.js';

/**
 * The transparency log: a signer wired to a SQLite log seals answers without waiting for it, the
 * answers land in the log in batches, and a receipt is verified offline with nothing but the
 * log's public key. Then the log is served as tiles, audited end to end, and monitored.
 */
export const logDemo: DemoPart = async (ctx) => {
  ctx.step('1. A transparency log, and a signer that appends every envelope to it');
  const logPath = join(ctx.dir, 'log.db');
  const init = await ctx.cli(['log', 'init', '--log', logPath, '--origin', 'log.demo.example/signet']);
  ctx.expect(init.code === 0, 'log init succeeds');
  const logKey = init.stdout.trim();
  const logKeyFile = join(ctx.dir, 'log.pub');
  writeFileSync(logKeyFile, `${logKey}\n`);
  ctx.say(`log ${logPath}; its verifier key (publish it): ${logKey}`);
  ctx.say(`the private key is ${logPath}.key (mode 0600)`);

  const log = await openLog(logPath, { maxDelayMs: 50, maxBatch: 1000 });
  const signer = createSigner({
    issuer: ctx.issuer,
    key: loadSigningKey(ctx.keysDir),
    accountSecret: loadAccountSecret(join(ctx.keysDir, KEY_FILES.accountSecret)),
    terms: ctx.readTermsFile(ctx.termsFile),
    // Non-blocking: the seal goes back to the client now; the entry commits with its batch.
    onSealed: (sealed) => log.append(sealed),
  });
  const answers = [
    'The capital of France is Paris.',
    'Water boils at 100 degrees Celsius at sea level.',
    'A byte has eight bits.',
    'Light takes about eight minutes to reach Earth from the Sun.',
    'SHA-256 digests are 32 bytes long.',
  ];
  const started = performance.now();
  const sealed = [];
  for (const [i, text] of answers.entries())
    sealed.push(
      await signer.seal({
        account: `acct_demo_${i % 2}`,
        response: {
          id: `chatcmpl-log-${i}`,
          object: 'chat.completion',
          model: 'demo-model-1',
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        },
      }),
    );
  const sealMs = performance.now() - started;
  const pending = sealed.filter((s) => log.isPending(s.claims.responseId)).length;
  ctx.say(
    `sealed ${sealed.length} answers in ${sealMs.toFixed(1)} ms; ${pending} still waiting for their batch (group commit, at most 50 ms)`,
  );

  ctx.step('2. The answers land in the log; each gets a receipt');
  const receipts = await Promise.all(sealed.map((s) => log.waitForReceipt(s.claims.responseId)));
  const head = await log.head();
  ctx.expect(head.size >= sealed.length, 'every answer is in the log');
  ctx.say(`the log holds ${head.size} entries in ${log.sequencer?.stats.batches ?? 0} batch(es); root ${toHex(head.root).slice(0, 16)}...`);
  ctx.say(`checkpoint (C2SP signed note):\n${(await log.checkpoint()).trimEnd().replace(/^/gm, '    ')}`);
  ctx.say(
    `receipt of ${sealed[2]!.claims.responseId}: ${receipts[2]!.length} bytes (RFC 9942 COSE receipt, RFC9162_SHA256 inclusion proof)`,
  );

  ctx.step('3. Anyone verifies a receipt offline, with only the log key');
  const envFile = join(ctx.dir, 'log-envelope.txt');
  const receiptFile = join(ctx.dir, 'log-receipt.cose');
  writeFileSync(envFile, sealed[2]!.text);
  writeFileSync(receiptFile, receipts[2]!);
  const offline = await ctx.cli(['log', 'verify', '--log-verifier-key', logKeyFile, '--receipt', receiptFile, '--envelope', envFile]);
  ctx.expect(offline.code === 0, 'the receipt verifies offline');
  ctx.say(`signet log verify --receipt: ${offline.stdout.trim()}`);
  const verifier = createVerifier({
    trust: readJwks(ctx),
    extensions: { receipt: createReceiptCheck({ logKey }) },
    policy: { requireReceipt: true },
  });
  const result = await verifier.verify(sealed[2]!.envelope, { text: answers[2]!, receipt: receipts[2]! });
  ctx.expect(result.valid, '@signet/verify accepts the envelope with its receipt');
  ctx.say(
    `@signet/verify with createReceiptCheck({ logKey }): valid, committed at ${new Date((result as { receipt: { time: number } }).receipt.time * 1000).toISOString()}`,
  );
  const forged = Uint8Array.from(receipts[2]!);
  forged[forged.length - 10]! ^= 1;
  // Beside the good receipt, which stays in the folder for readers to verify themselves.
  const forgedFile = join(ctx.dir, 'log-receipt-forged.cose');
  writeFileSync(forgedFile, forged);
  const refused = await ctx.cli(['log', 'verify', '--log-verifier-key', logKeyFile, '--receipt', forgedFile, '--envelope', envFile]);
  ctx.expect(refused.code === 1, 'a tampered receipt is refused');
  ctx.say(`a receipt with one flipped bit: exit ${refused.code}, ${refused.stderr.trim().split('\n')[0]}`);

  ctx.step('4. The log over HTTP as C2SP tiles: audited end to end, monitored for forks');
  const server = await serveHandler(log.handler);
  try {
    const audit = await ctx.cli(['log', 'verify', '--log-verifier-key', logKeyFile, '--url', server.url]);
    ctx.expect(audit.code === 0, 'the whole log verifies from its tiles');
    ctx.say(`signet log verify --url ${server.url}: ${audit.stdout.trim()}`);
    const state = join(ctx.dir, 'monitor-state.json');
    const first = await ctx.cli(['log', 'monitor', server.url, '--log-verifier-key', logKeyFile, '--once', '--state', state]);
    for (let i = 0; i < 3; i++) await signer.seal({ account: 'acct_demo_0', response: `Later answer ${i}.`, model: 'demo-model-1' });
    await log.sequencer?.flush();
    const second = await ctx.cli(['log', 'monitor', server.url, '--log-verifier-key', logKeyFile, '--once', '--state', state]);
    ctx.expect(first.code === 0 && second.code === 0, 'the monitor sees a consistent log');
    ctx.say(`signet log monitor: ${first.stdout.trim()}, then ${second.stdout.trim()}`);
  } finally {
    await server.close();
    await log.close();
  }
};

/** The public JWKS the foundation part wrote next to the signing key. */
function readJwks(ctx: Parameters<DemoPart>[0]): string {
  return readText(join(ctx.keysDir, KEY_FILES.jwks));
}
