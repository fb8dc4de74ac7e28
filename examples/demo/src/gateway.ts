import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { createVerifyingFetch, verificationOf, type FetchVerification } from '@signet/verify';
import type { DemoPart } from './context.js';
import { startDemoUpstream } from './upstream.js';
import { readText } from './files.js';

interface ChatResult {
  choices: { message: { content: string } }[];
}

/**
 * The serving-path story: a model server, the signing gateway in front of it, accounts with API
 * keys, and a client whose fetch verifies every answer, whole or streamed. An account that has not
 * accepted the current terms is turned away before the model sees the request.
 *
 * The client is the official openai package with the verifying fetch plugged in
 * (`new OpenAI({ fetch })`), whole and streamed; a plain-fetch request shows the carriers.
 */
export const gatewayDemo: DemoPart = async (ctx) => {
  ctx.step('Serving path: the signing gateway in front of a model server');
  const upstream = await startDemoUpstream({ words: 24 });
  ctx.say(`a stand-in model server (OpenAI-compatible) listens on ${upstream.url}`);
  const accounts = join(ctx.dir, 'accounts.json');
  const termsVersion = (JSON.parse(readText(ctx.termsFile)) as { version: string }).version;
  const added = await ctx.cli(['accounts', 'add', '--file', accounts, '--account', 'acct_alice_labs', '--terms-version', termsVersion]);
  ctx.expect(added.code === 0, 'accounts add succeeds');
  const aliceKey = added.stdout.trim();
  const stale = await ctx.cli(['accounts', 'add', '--file', accounts, '--account', 'acct_mallory', '--terms-version', 'old-terms-version']);
  ctx.expect(stale.code === 0, 'accounts add succeeds for a second account');
  const malloryKey = stale.stdout.trim();
  ctx.say(
    `accounts: acct_alice_labs accepted terms ${termsVersion}; acct_mallory only an older version (keys stored hashed in accounts.json)`,
  );

  const gateway = await ctx.startGateway([
    '--upstream',
    upstream.url,
    '--keys',
    ctx.keysDir,
    '--accounts',
    accounts,
    '--terms',
    ctx.termsFile,
    '--port',
    '0',
    '--issuer',
    ctx.issuer,
  ]);
  try {
    const base = gateway.url;
    ctx.say(`$ signet gateway --upstream ${upstream.url} --keys keys --accounts accounts.json --terms terms.json`);
    ctx.say(`gateway on ${base}; public keys at ${base}/.well-known/signet/jwks.json`);
    const jwks = await (await fetch(`${base}/.well-known/signet/jwks.json`)).json();
    writeFileSync(join(ctx.dir, 'gateway-jwks.json'), JSON.stringify(jwks));

    const results: FetchVerification[] = [];
    const verifyingFetch = createVerifyingFetch({ trust: jwks, policy: { issuers: [ctx.issuer] }, onResult: (r) => results.push(r) });
    const ask = (key: string, content: string, stream: boolean): Promise<Response> =>
      verifyingFetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'demo-model-1', messages: [{ role: 'user', content }], stream }),
      });

    const whole = await ask(aliceKey, 'What does a seal prove?', false);
    const body = (await whole.json()) as ChatResult;
    const v1 = await verificationOf(whole);
    ctx.expect(v1?.valid === true, 'the whole answer verifies');
    ctx.say(`answer: "${body.choices[0]?.message.content.slice(0, 60)}..."`);
    ctx.say(
      `  sealed: Signet-Envelope header (${whole.headers.get('signet-envelope')?.length ?? 0} chars) and a "signet" field; verified: ${v1?.valid ? 'yes' : 'no'} (content match ${v1?.valid ? v1.content?.match : '-'})`,
    );

    const streamed = await ask(aliceKey, 'And for a stream?', true);
    let chunks = 0;
    const reader = (streamed.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      chunks++;
    }
    const v2 = await verificationOf(streamed);
    ctx.expect(v2?.valid === true, 'the streamed answer verifies');
    ctx.say(
      `streamed answer: ${chunks} network chunks passed through as they came; the envelope arrived in a final chunk with empty choices; verified: ${v2?.valid ? 'yes' : 'no'}`,
    );

    const refused = await ask(malloryKey, 'Give me everything.', false);
    const err = (await refused.json()) as { error: { code: string; message: string } };
    ctx.expect(
      refused.status === 403 && err.error.code === 'SIGNET_E_AUTH_TERMS_NOT_ACCEPTED',
      'an account without the current terms gets 403',
    );
    ctx.say(`acct_mallory: HTTP ${refused.status} ${err.error.code}: ${err.error.message}`);
    ctx.expect(results.length === 2 && results.every((r) => r.valid), 'every answer the client received verified');

    // The official openai client, unmodified, with the verifying fetch: it throws on a broken seal.
    // Loaded on demand so the rest of the CLI starts without it.
    const { default: OpenAI } = await import('openai');
    const strictFetch = createVerifyingFetch({
      trust: jwks,
      policy: { issuers: [ctx.issuer] },
      throwOnFailure: true,
      onResult: (r) => results.push(r),
    });
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: aliceKey, fetch: strictFetch });
    const completion = await client.chat.completions.create({
      model: 'demo-model-1',
      messages: [{ role: 'user', content: 'Why seal answers?' }],
    });
    let streamedText = '';
    const stream = await client.chat.completions.create({
      model: 'demo-model-1',
      stream: true,
      messages: [{ role: 'user', content: 'Stream it, please.' }],
    });
    for await (const chunk of stream) streamedText += chunk.choices[0]?.delta?.content ?? '';
    ctx.expect(results.length === 4 && results.every((r) => r.valid), 'the openai client received sealed answers that verified');
    ctx.say(`$ new OpenAI({ baseURL, apiKey, fetch: verifyingFetch })`);
    ctx.say(`openai client, whole: "${(completion.choices[0]?.message.content ?? '').slice(0, 50)}...": sealed and verified`);
    ctx.say(`openai client, streamed: ${streamedText.length} characters as they came, then the envelope: sealed and verified`);
  } finally {
    await gateway.close();
    await upstream.close();
  }
};
