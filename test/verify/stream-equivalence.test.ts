import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeFromText, NO_AI_TRAINING, SigningKey, SseParser, StreamAssembler, toJwks } from '@signet/core';
import { createSigner, createStreamingSeal, sealEventStream } from '@signet/server';
import { createVerifier } from '@signet/verify';
import { pieces, wireForms } from '../support/upstream.js';

const key = new SigningKey(new Uint8Array(32).fill(3));
const signer = createSigner({
  issuer: 'https://api.example.test',
  key,
  accountSecret: new Uint8Array(32).fill(5),
  terms: { id: 't', version: '1', uri: 'https://example.test/t', document: 'terms', usage: NO_AI_TRAINING },
});
const verifier = createVerifier({ trust: toJwks([key]) });
const tools = [{ type: 'function', function: { name: 'lookup', parameters: {} } }];

const CASES: [string, string, Record<string, unknown>][] = [
  ['chat text', '/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] }],
  ['chat n=3', '/v1/chat/completions', { model: 'm', n: 3, messages: [{ role: 'user', content: 'three' }] }],
  ['chat tool call', '/v1/chat/completions', { model: 'm', tools, messages: [{ role: 'user', content: 'weather' }] }],
  ['chat tool calls n=2', '/v1/chat/completions', { model: 'm', n: 2, tools, messages: [{ role: 'user', content: 'weather' }] }],
  ['chat refusal', '/v1/chat/completions', { model: 'refuse', messages: [{ role: 'user', content: 'no' }] }],
  [
    'chat with usage chunk',
    '/v1/chat/completions',
    { model: 'm', stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'u' }] },
  ],
  ['completion', '/v1/completions', { model: 'm', prompt: 'once upon' }],
  ['completion n=2', '/v1/completions', { model: 'm', n: 2, prompt: 'twice' }],
  ['responses text', '/v1/responses', { model: 'm', input: 'respond' }],
  [
    'responses function call',
    '/v1/responses',
    { model: 'm', input: 'call', tools: [{ type: 'function', name: 'lookup', parameters: {} }] },
  ],
];

describe('a streamed response seals to the same digests as the same response sent whole', () => {
  for (const [name, path, body] of CASES) {
    it(name, async () => {
      const { whole, chunks } = wireForms(path, body);
      const seal = createStreamingSeal(signer, { account: 'acct', request: body });
      for (const c of chunks) seal.push(c);
      if (!path.endsWith('/responses')) seal.pushData('[DONE]');
      expect(seal.assembled.complete).toBe(true);
      const streamed = await seal.finish();
      const direct = signer.claimsFor({ account: 'acct', response: whole, request: body });
      expect(streamed.claims.content).toEqual(direct.content);
      expect(streamed.claims.responseId).toBe(direct.responseId);
      expect(streamed.claims.model).toBe(direct.model);
      expect(streamed.claims.partial).toBeUndefined();
      // And the whole response verifies against the streamed envelope.
      expect(await verifier.verify(streamed.envelope, { response: whole, request: body })).toMatchObject({ valid: true });
    });
  }

  it('holds for any text cut into any deltas (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.array(fc.nat({ max: 300 }), { maxLength: 12 }),
        async (text, cuts) => {
          const chars = Array.from(text);
          const points = [...new Set(cuts.map((c) => c % (chars.length + 1)))].sort((a, b) => a - b);
          const parts: string[] = [];
          let prev = 0;
          for (const p of [...points, chars.length]) {
            parts.push(chars.slice(prev, p).join(''));
            prev = p;
          }
          const a = new StreamAssembler();
          a.pushValue({
            id: 'c1',
            object: 'chat.completion.chunk',
            created: 1,
            model: 'm',
            choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
          });
          for (const p of parts)
            a.pushValue({
              id: 'c1',
              object: 'chat.completion.chunk',
              created: 1,
              model: 'm',
              choices: [{ index: 0, delta: { content: p }, finish_reason: null }],
            });
          a.pushValue({
            id: 'c1',
            object: 'chat.completion.chunk',
            created: 1,
            model: 'm',
            choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
          });
          const whole = {
            id: 'c1',
            object: 'chat.completion',
            model: 'm',
            choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          };
          expect(signer.claimsFor({ account: 'a', response: a.response() }).content).toEqual(
            signer.claimsFor({ account: 'a', response: whole }).content,
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a broken-off stream is sealed partial and does not verify as the whole answer', async () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'cut' }] };
    const { whole, chunks } = wireForms('/v1/chat/completions', body);
    const seal = createStreamingSeal(signer, { account: 'acct', request: body });
    for (const c of chunks.slice(0, Math.floor(chunks.length / 2))) seal.push(c);
    const sealed = await seal.finish();
    expect(sealed.claims.partial).toBe(true);
    expect(await verifier.verify(sealed.envelope, { response: seal.assembled.response() })).toMatchObject({
      valid: false,
      code: 'SIGNET_E_CONTENT_PARTIAL',
    });
    expect(await verifier.verify(sealed.envelope, { response: whole })).toMatchObject({ valid: false });
    // Finishing twice gives the one envelope.
    expect(await seal.finish()).toBe(sealed);
  });
});

describe('sealEventStream over bytes', () => {
  const enc = new TextEncoder();
  const dec = new TextDecoder();

  async function run(bytes: Uint8Array, cuts: number[]): Promise<string> {
    const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    const parts: Uint8Array[] = [];
    let prev = 0;
    for (const p of [...points, bytes.length]) {
      parts.push(bytes.slice(prev, p));
      prev = p;
    }
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(p);
        c.close();
      },
    });
    const out = sealEventStream(source, signer, { account: 'acct', kind: 'chat' });
    let text = '';
    for await (const chunk of out as unknown as AsyncIterable<Uint8Array>) text += dec.decode(chunk, { stream: true });
    return text;
  }

  it('forwards every upstream byte, then the carrier, then [DONE], however the bytes are split', async () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'bytes 日本 🙂' }] };
    const { whole, chunks } = wireForms('/v1/chat/completions', body);
    const upstream = `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`;
    const bytes = enc.encode(upstream);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 10 }), async (cuts) => {
        const text = await run(bytes, cuts);
        const withoutDone = upstream.slice(0, -'data: [DONE]\n\n'.length);
        expect(text.startsWith(withoutDone)).toBe(true);
        expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
        const carrier = text.slice(withoutDone.length, -'data: [DONE]\n\n'.length);
        const events = new SseParser().push(enc.encode(carrier));
        expect(events).toHaveLength(1);
        const data = JSON.parse(events[0]?.data as string) as { choices: unknown[]; signet: { envelope: string } };
        expect(data.choices).toEqual([]);
        expect(await verifier.verify(envelopeFromText(data.signet.envelope), { response: whole })).toMatchObject({ valid: true });
      }),
      { numRuns: 40 },
    );
  });

  it('drops an envelope the upstream tries to pass off as its own', async () => {
    const { chunks } = wireForms('/v1/chat/completions', { model: 'm', messages: [] });
    const forged = { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], signet: { envelope: 'forged' } };
    const upstream = `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: ${JSON.stringify(forged)}\n\ndata: [DONE]\n\n`;
    const text = await run(enc.encode(upstream), []);
    expect(text).not.toContain('forged');
    expect(text.match(/"signet"/g)).toHaveLength(1);
  });

  it('splits deltas in pieces that never cut a character', () => {
    expect(pieces('a🙂b', 1)).toEqual(['a', '🙂', 'b']);
  });
});
