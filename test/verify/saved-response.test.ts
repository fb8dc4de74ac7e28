import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, savedAnswerEnvelope, savedResponseKind, verifySavedResponse } from '@signet/verify';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.close();
});

const ask = (content: string, stream = false) => ({
  model: 'local-model',
  messages: [{ role: 'user', content }],
  ...(stream ? { stream: true } : {}),
});

async function save(body: unknown): Promise<Uint8Array> {
  const r = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return new Uint8Array(await r.arrayBuffer());
}

describe('verifySavedResponse: what users hold', () => {
  it('verifies a saved JSON answer and a saved stream capture, envelope taken from the carrier', async () => {
    const verifier = createVerifier({ trust: gw.jwks });
    const whole = await save(ask('saved whole'));
    expect(savedResponseKind(new TextDecoder().decode(whole))).toBe('chat');
    expect(await verifySavedResponse(whole, { verifier, request: ask('saved whole') })).toMatchObject({ valid: true, streamed: false });
    const capture = await save(ask('saved stream', true));
    expect(await verifySavedResponse(capture, { verifier })).toMatchObject({ valid: true, streamed: true });
  });

  it('fails a changed byte, a cut stream and the wrong request', async () => {
    const verifier = createVerifier({ trust: gw.jwks });
    const whole = new TextDecoder().decode(await save(ask('tampered whole')));
    const changed = new TextEncoder().encode(whole.replace('You said', 'You saiD'));
    expect(await verifySavedResponse(changed, { verifier })).toMatchObject({ valid: false, code: 'SIGNET_E_CONTENT_BODY_MISMATCH' });
    const capture = new TextDecoder().decode(await save(ask('cut stream', true)));
    const cut = new TextEncoder().encode(capture.slice(0, capture.indexOf('\n\n') + 2));
    expect(await verifySavedResponse(cut, { verifier })).toMatchObject({ valid: false, code: 'SIGNET_E_STREAM_TRUNCATED' });
    const other = await save(ask('one question'));
    expect(await verifySavedResponse(other, { verifier, request: ask('another question') })).toMatchObject({
      valid: false,
      code: 'SIGNET_E_REQUEST_MISMATCH',
    });
  });

  it('finds the envelope in a saved JSON answer and in a stream capture', async () => {
    const whole = new TextDecoder().decode(await save(ask('carrier whole')));
    const capture = new TextDecoder().decode(await save(ask('carrier stream', true)));
    expect(savedAnswerEnvelope(whole)).toMatch(/^[A-Za-z0-9_-]{100,}$/);
    expect(savedAnswerEnvelope(capture)).toMatch(/^[A-Za-z0-9_-]{100,}$/);
    expect(savedAnswerEnvelope('{"id":"x"}')).toBeUndefined();
  });
});
