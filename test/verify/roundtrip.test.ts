import { describe, expect, it } from 'vitest';
import { generateSigningKey, toJwks, NO_AI_TRAINING, SigningKey } from '@signet/core';
import { createSigner } from '@signet/server';
import { createVerifier } from '@signet/verify';

const key = new SigningKey(new Uint8Array(32).fill(7));
const signer = createSigner({
  issuer: 'https://api.example.com',
  key,
  accountSecret: new Uint8Array(32).fill(1),
  terms: {
    id: 'example-api-terms',
    version: '2026-01',
    uri: 'https://example.com/terms/2026-01',
    document: 'No distillation.',
    usage: NO_AI_TRAINING,
  },
});
const response = {
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  object: 'chat.completion',
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello   world.\nThis is sealed.' }, finish_reason: 'stop' }],
};
const request = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

describe('seal and verify', () => {
  it('round-trips a chat completion', async () => {
    const sealed = await signer.seal({ account: 'acct_1', response, request });
    const verifier = createVerifier({ trust: toJwks([key]) });
    const r = await verifier.verify(sealed.envelope, { response, request });
    expect(r).toMatchObject({ valid: true, content: { match: 'exact' }, requestChecked: true });
    const n = await verifier.verify(sealed.text, { text: 'Hello world. This is sealed.' });
    expect(n).toMatchObject({ valid: false, code: 'SIGNET_E_CONTENT_MISMATCH' });
    const auditor = createVerifier({ trust: toJwks([key]), policy: { allowNormalized: true } });
    expect(await auditor.verify(sealed.text, { text: 'Hello world. This is sealed.' })).toMatchObject({
      valid: true,
      content: { match: 'normalized' },
    });
    const bad = await verifier.verify(sealed.text, { text: 'Hello world. This is sealed!' });
    expect(bad).toMatchObject({ valid: false, code: 'SIGNET_E_CONTENT_MISMATCH', step: 'content' });
    const other = await createVerifier({ trust: toJwks([generateSigningKey()]) }).verify(sealed.envelope, { response });
    expect(other).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_UNKNOWN' });
    console.log('envelope bytes', sealed.envelope.length);
    const jws = await signer.sealJws({ account: 'acct_1', response, request });
    expect(await verifier.verifyJws(jws.jws, { response })).toMatchObject({ valid: true });
  });
});
