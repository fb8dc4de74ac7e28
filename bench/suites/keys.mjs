// Keys benchmark: sealing with the private key in a separate signer process (Unix socket, batched)
// against the in-process signer, and the opt-in hybrid Ed25519 + ML-DSA-44 seal against Ed25519
// alone (size, seal rate, verify rate). Ratios are measured in this one run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePqSigningKey, NO_AI_TRAINING, toJwks } from '@signet/core';
import { connectExternalSigner, createKeysDirectory, createSigner, loadSigningKey, spawnSignerWorker } from '@signet/server';
import { createHybridCheck, createVerifier } from '@signet/verify';

const WORDS = 'the model answers with a careful explanation of how signatures bind content to accounts and terms so that'.split(' ');
function text2k() {
  let s = '';
  for (let i = 0; s.length < 2048; i++) s += WORDS[i % WORDS.length] + (i % 17 === 16 ? '.\n\n' : ' ');
  return s.slice(0, 2048);
}

export default async function run(ctx) {
  const results = [];
  const push = (r) => results.push(r);
  const response = {
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: text2k() }, finish_reason: 'stop' }],
  };
  const terms = {
    id: 'example-api-terms',
    version: '2026-01',
    uri: 'https://api.example.com/terms/2026-01',
    document: 'No distillation.',
    usage: NO_AI_TRAINING,
  };
  const accountSecret = new Uint8Array(32).fill(3);
  const input = { account: 'acct_7f3a9c', response };
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-keys-'));
  const keysDir = join(dir, 'keys');
  createKeysDirectory(keysDir);
  const key = loadSigningKey(keysDir);

  // A serving process handles many requests at once: both signers are measured with 64 seals
  // always in flight (a new one starts as soon as one finishes), so this is throughput under load.
  const CONCURRENCY = 64;
  const steady = async (signer, ms) => {
    let done = 0;
    const end = performance.now() + ms;
    const lane = async () => {
      while (performance.now() < end) {
        await signer.seal(input);
        done++;
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    return (done / (performance.now() - start)) * 1000;
  };
  const inProcess = createSigner({ issuer: 'https://api.example.com', key, accountSecret, terms });

  const socketPath = join(dir, 'signer.sock');
  const child = await spawnSignerWorker({ keyPath: keysDir, socketPath });
  let external;
  try {
    external = await connectExternalSigner({ socketPath, publicKey: key.publicKey });
    const extSigner = createSigner({ issuer: 'https://api.example.com', key: external, accountSecret, terms });
    const check = await createVerifier({ trust: toJwks([key]) }).verify((await extSigner.seal(input)).envelope, { response });
    if (!check.valid) throw new Error(`external signer envelope does not verify: ${check.code}`);
    // Load on a shared machine drifts: measure the two signers in alternating rounds and report the
    // median of the per-round ratios (and the median rates).
    const rounds = ctx.quick ? 3 : 7;
    const roundMs = ctx.quick ? 150 : 600;
    await steady(inProcess, 200);
    await steady(extSigner, 200);
    const ins = [];
    const exts = [];
    for (let i = 0; i < rounds; i++) {
      globalThis.gc?.();
      ins.push(await steady(inProcess, roundMs));
      globalThis.gc?.();
      exts.push(await steady(extSigner, roundMs));
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const inRate = median(ins);
    const extRate = median(exts);
    const ratio = median(ins.map((v, i) => exts[i] / v));
    push({ name: 'seal, in-process key (64 in flight)', value: inRate, unit: 'seals/s' });
    const stats = external.stats();
    push({
      name: 'seal, key in a signer process (batched, 64 in flight)',
      value: extRate,
      unit: 'seals/s',
      ratio,
      baseline: 'in-process key',
      target: '>= 0.8',
    });
    push({ name: 'external signer: mean batch size', value: stats.signed / stats.batches, unit: 'signatures/frame' });
    // CPU per seal (this process plus the signer process), which load on the machine does not skew.
    const childTicks = () => {
      try {
        const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return (Number(f[11]) + Number(f[12])) * (1e6 / 100);
      } catch {
        return undefined;
      }
    };
    const cpuPerSeal = async (signer, withChild) => {
      const n = ctx.quick ? 2000 : 10_000;
      const c0 = process.cpuUsage();
      const w0 = withChild ? childTicks() : 0;
      let started = 0;
      const lane = async () => {
        while (started < n) {
          started++;
          await signer.seal(input);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, lane));
      const c = process.cpuUsage(c0);
      const w1 = withChild ? childTicks() : 0;
      if (w0 === undefined || w1 === undefined) return undefined;
      return (c.user + c.system + (w1 - w0)) / n;
    };
    const cpuIn = await cpuPerSeal(inProcess, false);
    const cpuExt = await cpuPerSeal(extSigner, true);
    if (cpuIn !== undefined && cpuExt !== undefined) {
      push({ name: 'CPU per seal, in-process key', value: cpuIn, unit: 'us' });
      push({
        name: 'CPU per seal, signer process (both processes)',
        value: cpuExt,
        unit: 'us',
        ratio: cpuIn / cpuExt,
        baseline: 'in-process CPU (higher is better)',
        target: '>= 0.8',
      });
    }
  } finally {
    external?.close();
    child.kill('SIGTERM');
  }

  // Hybrid seal: sequential seals and verifications of the same response.
  const pq = generatePqSigningKey();
  const plain = createSigner({ issuer: 'https://api.example.com', key, accountSecret, terms });
  const hybrid = createSigner({ issuer: 'https://api.example.com', key, accountSecret, terms, hybrid: pq });
  const plainSealed = await plain.seal(input);
  const hybridSealed = await hybrid.seal(input);
  push({ name: 'envelope size, Ed25519', value: plainSealed.envelope.length, unit: 'bytes' });
  push({
    name: 'envelope size, hybrid Ed25519 + ML-DSA-44',
    value: hybridSealed.envelope.length,
    unit: 'bytes',
    ratio: hybridSealed.envelope.length / plainSealed.envelope.length,
    baseline: 'Ed25519 envelope',
  });
  const plainSeal = await ctx.measure(() => plain.seal(input), { batch: 16 });
  const hybridSeal = await ctx.measure(() => hybrid.seal(input), { batch: 4 });
  push({ name: 'seal, Ed25519', value: plainSeal, unit: 'seals/s' });
  push({
    name: 'seal, hybrid Ed25519 + ML-DSA-44',
    value: hybridSeal,
    unit: 'seals/s',
    ratio: hybridSeal / plainSeal,
    baseline: 'Ed25519 seal',
  });
  const plainVerifier = createVerifier({ trust: toJwks([key]) });
  const hybridVerifier = createVerifier({
    trust: toJwks([key]),
    extensions: { signature: createHybridCheck({ keys: { keys: [pq.toPublicJwk()] }, require: true }) },
  });
  const hv = await hybridVerifier.verify(hybridSealed.envelope, { response });
  if (!hv.valid) throw new Error(`hybrid envelope does not verify: ${hv.code}`);
  const plainVerify = await ctx.measure(() => plainVerifier.verify(plainSealed.envelope, { response }), { batch: 16 });
  const hybridVerify = await ctx.measure(() => hybridVerifier.verify(hybridSealed.envelope, { response }), { batch: 4 });
  push({ name: 'verify, Ed25519', value: plainVerify, unit: 'verifies/s' });
  push({
    name: 'verify, hybrid (both required)',
    value: hybridVerify,
    unit: 'verifies/s',
    ratio: hybridVerify / plainVerify,
    baseline: 'Ed25519 verify',
  });
  rmSync(dir, { recursive: true, force: true });
  return { suite: 'keys', results };
}
