import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verificationOf } from '@signet/verify';
import { ENVELOPE_HEADER } from '@signet/core';
import { editJson, OTHER, startHarness, type Donor, type Harness, type Scenario, type Tampering } from './harness.js';
import { expectFlagged } from './judge.js';

/**
 * Issue 9, break 6, whole-answer replay: a man in the middle answers a question with an earlier
 * sealed answer to the same question (body and envelope together, bytes unchanged). The SDK then
 * shows another response (its id and time) than the one the gateway just sent. The verifying fetch
 * that already accepted that response once must not accept it again.
 */

let h: Harness;

/** The donor's body with its own envelope header: the whole earlier answer, unchanged. */
function replayBody(_text: string, headers: Headers, d: Donor | undefined): string {
  headers.set(ENVELOPE_HEADER, d?.headers.get(ENVELOPE_HEADER) ?? '');
  return d?.body ?? '';
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const replays: { scenario: Scenario; t: Tampering }[] = [
  {
    scenario: { api: 'chat', stream: false },
    t: {
      name: 'an earlier whole chat answer to the same question, replayed byte for byte',
      donor: true,
      body: replayBody,
    },
  },
  {
    scenario: { api: 'response', stream: false },
    t: {
      name: 'an earlier whole Responses answer to the same question, replayed byte for byte',
      donor: true,
      body: replayBody,
    },
  },
  {
    scenario: { api: 'chat', stream: true },
    t: { name: 'an earlier chat stream to the same question, replayed byte for byte', donor: true, events: (_e, d) => d?.events ?? [] },
  },
  {
    scenario: { api: 'response', stream: true },
    t: {
      name: 'an earlier Responses stream to the same question, replayed byte for byte',
      donor: true,
      events: (_e, d) => d?.events ?? [],
    },
  },
];

describe('a replayed answer', () => {
  for (const { scenario, t } of replays)
    it(`is flagged when it is ${t.name}`, async () => {
      expectFlagged(await h.run(scenario, t), t);
    });
});

describe('the verdict is available from the response itself', () => {
  it('verificationOf(response) gives the same invalid verdict as onResult for a tampered whole answer', async () => {
    const { client, results } = h.client();
    h.proxy.tamper = {
      body: (t) =>
        editJson(t, (b) => {
          (((b.choices as Record<string, unknown>[])[0] as Record<string, unknown>).message as Record<string, unknown>).content = OTHER;
        }),
    };
    const { data, response } = await client.chat.completions
      .create({ model: 'local-model', messages: [{ role: 'user', content: 'verdict' }] })
      .withResponse();
    h.proxy.tamper = {};
    expect(data.choices[0]?.message.content).toBe(OTHER);
    const verdict = await verificationOf(response);
    expect(verdict).toMatchObject({ valid: false, code: results[0]?.valid === false ? results[0].code : 'none' });
  });

  it('verificationOf(response) resolves valid for an untouched stream once it was read to its end', async () => {
    const { client } = h.client();
    const { data, response } = await client.chat.completions
      .create({ model: 'local-model', messages: [{ role: 'user', content: 'verdict' }], stream: true })
      .withResponse();
    for await (const _ of data) void _;
    expect(await verificationOf(response)).toMatchObject({ valid: true, streamed: true });
  });
});
