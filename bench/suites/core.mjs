// Foundation benchmark: sealing and verifying a 2 KiB response, against raw Ed25519 and a plain
// JSON + jose JWS signer doing the same job, on both crypto backends.
import { createPrivateKey, sign as nodeSign, verify as nodeVerify, createPublicKey, randomBytes } from 'node:crypto';
import {
  SigningKey,
  toJwks,
  NO_AI_TRAINING,
  normalizeText,
  canonicalizeJson,
  toBase64url,
  insertCarrierField,
  jsonBodyDigest,
  splitJsonBody,
} from '@signet/core';
import { nodeBackend } from '@signet/core/node';
import { nobleBackend } from '@signet/core/noble';
import { createSigner } from '@signet/server';
import { createVerifier } from '@signet/verify';
import { CompactSign, importJWK } from 'jose';
import * as ed from '@noble/ed25519';

const WORDS = 'the model answers with a careful explanation of how signatures bind content to accounts and terms so that'.split(' ');
function text2k() {
  let s = '';
  let i = 0;
  while (s.length < 2048) {
    s += WORDS[i % WORDS.length] + (i % 17 === 16 ? '.\n\n' : ' ');
    i++;
  }
  return s.slice(0, 2048);
}

/**
 * Measures `fn` against `baseline` in alternating rounds and reports the median of the per-round
 * ratios: load on a shared machine drifts during a run, and pairing keeps the ratio honest.
 */
async function paired(ctx, baseline, fn, batch) {
  const rounds = ctx.quick ? 3 : 7;
  const ratios = [];
  const base = [];
  const vals = [];
  for (let r = 0; r < rounds; r++) {
    const b = await ctx.measure(baseline, { minMs: ctx.quick ? 150 : 500, warmupMs: 50, batch });
    const v = await ctx.measure(fn, { minMs: ctx.quick ? 150 : 500, warmupMs: 50, batch });
    base.push(b);
    vals.push(v);
    ratios.push(v / b);
  }
  const median = (xs) => xs.slice().sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return { baseline: median(base), value: median(vals), ratio: median(ratios) };
}

export default async function run(ctx) {
  const text = text2k();
  const response = {
    id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
    object: 'chat.completion',
    created: 1764000000,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  };
  const request = {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Explain envelopes.' },
    ],
    temperature: 0.2,
  };
  const terms = {
    id: 'example-api-terms',
    version: '2026-01',
    uri: 'https://api.example.com/terms/2026-01',
    document: 'No distillation.',
    usage: NO_AI_TRAINING,
  };
  const seed = new Uint8Array(32).fill(9);
  const accountSecret = new Uint8Array(32).fill(3);
  const results = [];
  const push = (r) => results.push(r);

  // Raw node:crypto Ed25519 over a message the size of an envelope's Sig_structure.
  const msg = randomBytes(480);
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seed)]);
  const nodeKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const nodePub = createPublicKey(nodeKey);
  const rawSig = nodeSign(null, msg, nodeKey);
  const rawSignNode = await ctx.measure(() => nodeSign(null, msg, nodeKey));
  const rawVerifyNode = await ctx.measure(() => nodeVerify(null, msg, nodePub, rawSig));
  const nobleSig = ed.sign(msg, seed);
  const noblePub = ed.getPublicKey(seed);
  const rawSignNoble = await ctx.measure(() => ed.sign(msg, seed), { batch: 8 });
  const rawVerifyNoble = await ctx.measure(() => ed.verify(nobleSig, msg, noblePub, { zip215: false }), { batch: 8 });
  push({ name: 'raw Ed25519 sign (node:crypto)', value: rawSignNode, unit: 'ops/s' });
  push({ name: 'raw Ed25519 verify (node:crypto)', value: rawVerifyNode, unit: 'ops/s' });
  push({ name: 'raw Ed25519 sign (noble)', value: rawSignNoble, unit: 'ops/s' });
  push({ name: 'raw Ed25519 verify (noble)', value: rawVerifyNoble, unit: 'ops/s' });

  let sizeCose = 0;
  let sizeJws = 0;
  let sizeBody = 0;
  const raw = {
    node: { sign: () => nodeSign(null, msg, nodeKey), verify: () => nodeVerify(null, msg, nodePub, rawSig) },
    noble: { sign: () => ed.sign(msg, seed), verify: () => ed.verify(nobleSig, msg, noblePub, { zip215: false }) },
  };
  for (const backend of [nodeBackend, nobleBackend]) {
    const batch = backend === nobleBackend ? 8 : 64;
    const key = new SigningKey(seed, {}, backend);
    const signer = createSigner({ issuer: 'https://api.example.com', key, accountSecret, terms, backend });
    const input = { account: 'acct_7f3a9c', response, request };
    const sealed = await signer.seal(input);
    sizeCose = sealed.envelope.length;
    sizeJws = (await signer.sealJws(input)).jws.length;
    const seals = await paired(ctx, raw[backend.name].sign, () => signer.seal(input), batch);
    push({
      name: `seal 2 KiB response (${backend.name})`,
      value: seals.value,
      unit: 'seals/s',
      ratio: seals.ratio,
      baseline: `raw ${backend.name} Ed25519 sign (paired rounds, median)`,
      target: '>= 0.8',
    });
    const verifier = createVerifier({ trust: toJwks([key]), backend });
    const check = await verifier.verify(sealed.envelope, { response, request });
    if (!check.valid) throw new Error(`bench envelope does not verify: ${check.code}`);
    const verifies = await paired(ctx, raw[backend.name].verify, () => verifier.verify(sealed.envelope, { response, request }), batch);
    push({
      name: `verify 2 KiB response (${backend.name})`,
      value: verifies.value,
      unit: 'verifies/s',
      ratio: verifies.ratio,
      baseline: `raw ${backend.name} Ed25519 verify (paired rounds, median)`,
      target: '>= 0.8',
    });

    // What a verifying client does with a body sealed by the gateway: find the carrier, hash the
    // exact bytes received, and verify everything (body digest, shape, response id, content, request).
    const upstreamText = JSON.stringify(response);
    const bodySealed = await signer.seal({ ...input, body: jsonBodyDigest(backend, upstreamText) });
    sizeBody = bodySealed.envelope.length;
    const sent = insertCarrierField(upstreamText, { envelope: bodySealed.text, kid: bodySealed.kid });
    const clientVerify = () => {
      const split = splitJsonBody(sent);
      return verifier.verify(split.field.envelope, {
        response: split.value,
        kind: 'chat',
        body: jsonBodyDigest(backend, split.sealed),
        request,
      });
    };
    const clientCheck = await clientVerify();
    if (!clientCheck.valid || clientCheck.content?.body !== true) throw new Error(`bench body does not verify: ${clientCheck.code}`);
    const exact = await paired(ctx, raw[backend.name].verify, clientVerify, batch);
    push({
      name: `verify 2 KiB response with its exact bytes, as a client does (${backend.name})`,
      value: exact.value,
      unit: 'verifies/s',
      ratio: exact.ratio,
      baseline: `raw ${backend.name} Ed25519 verify (paired rounds, median)`,
      target: '>= 0.8',
    });
  }

  // A plain JSON + jose JWS signer doing the same job: hash the content (exact and normalized) and
  // the canonical request, build JSON claims, sign with jose.
  const joseKey = await importJWK(new SigningKey(seed).toPrivateJwk(), 'EdDSA');
  const enc = new TextEncoder();
  const joseSeal = async () => {
    const h = (s) => toBase64url(nodeBackend.sha256(enc.encode(s)));
    const claims = {
      iss: 'https://api.example.com',
      sub: response.id,
      iat: Math.floor(Date.now() / 1000),
      model: response.model,
      account: toBase64url(nodeBackend.hmacSha256(accountSecret, enc.encode('acct_7f3a9c')).subarray(0, 16)),
      terms: { id: terms.id, version: terms.version, digest: h(terms.document), uri: terms.uri, usage: terms.usage },
      request: h(canonicalizeJson(request)),
      content: [{ exact: h(text), normalized: h(normalizeText(text)) }],
    };
    return new CompactSign(enc.encode(JSON.stringify(claims))).setProtectedHeader({ alg: 'EdDSA', kid: 'k', typ: 'jwt' }).sign(joseKey);
  };
  const joseRate = await ctx.measure(joseSeal);
  const nodeSeal = results.find((r) => r.name === 'seal 2 KiB response (node)').value;
  push({ name: 'plain JSON + jose JWS signer', value: joseRate, unit: 'seals/s' });
  push({
    name: 'seal (node) vs JSON + jose signer',
    value: nodeSeal,
    unit: 'seals/s',
    ratio: nodeSeal / joseRate,
    baseline: 'JSON + jose',
    target: '>= 2',
  });
  push({ name: 'envelope size, COSE (single choice, with request digest)', value: sizeCose, unit: 'bytes', target: '< 512' });
  push({ name: 'envelope size, JWS profile', value: sizeJws, unit: 'bytes' });
  push({ name: 'envelope size, COSE with the body digest', value: sizeBody, unit: 'bytes' });
  push({ name: 'bytes the body digest adds to an envelope', value: sizeBody - sizeCose, unit: 'bytes' });
  return { suite: 'core', results };
}
