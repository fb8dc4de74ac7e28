import { afterAll, beforeAll, describe, it } from 'vitest';
import { ENVELOPE_HEADER } from '@signet/core';
import { beforeCarrier, editJson, OTHER, replaceAll, startHarness, type Harness, type Scenario, type Tampering } from './harness.js';
import { expectFlagged, expectValid } from './judge.js';

/**
 * Issue 9, breaks 4, 6 and 7 for whole (non-streamed) JSON answers: a man in the middle rewrites
 * the body between a real gateway and the real `openai` client. Whatever changes what the SDK
 * returns must make the verifying fetch report the response invalid.
 */

type Json = Record<string, unknown>;
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const choice0 = (b: Json): Json => (b.choices as Json[])[0] as Json;
const message0 = (b: Json): Json => choice0(b).message as Json;
const outputText0 = (b: Json): Json => (((b.output as Json[])[0] as Json).content as Json[])[0] as Json;

/** Moves the `signet` member (and the header envelope) from a donor body onto this one. */
function envelopeFrom(text: string, headers: Headers, donorBody: string, donorHeaders: Headers, change?: (b: Json) => void): string {
  const donor = JSON.parse(donorBody) as Json;
  headers.set(ENVELOPE_HEADER, donorHeaders.get(ENVELOPE_HEADER) ?? '');
  return editJson(text, (b) => {
    change?.(b);
    b.signet = donor.signet;
  });
}

const chat: Tampering[] = [
  {
    name: 'a chat body whose sealed text moved into an added `output` member, with other text in message.content',
    body: (t) =>
      editJson(t, (b) => {
        const sealed = message0(b).content;
        message0(b).content = OTHER;
        replaceAll(b, beforeCarrier(b, { output: [{ type: 'message', content: [{ type: 'output_text', text: sealed }] }] }));
      }),
  },
  {
    name: 'a chat body whose sealed text moved into an added choices[0].text, with other text in message.content',
    body: (t) =>
      editJson(t, (b) => {
        choice0(b).text = message0(b).content;
        message0(b).content = OTHER;
      }),
  },
  {
    name: 'a chat body relabelled `object: "text_completion"` with the sealed text in choices[0].text',
    body: (t) =>
      editJson(t, (b) => {
        b.object = 'text_completion';
        choice0(b).text = message0(b).content;
        message0(b).content = OTHER;
      }),
  },
  {
    name: 'a chat body relabelled `object: "response"` with the sealed text in an added `output`',
    body: (t) =>
      editJson(t, (b) => {
        b.object = 'response';
        const sealed = message0(b).content;
        message0(b).content = OTHER;
        b.output = [{ type: 'message', content: [{ type: 'output_text', text: sealed }] }];
      }),
  },
  {
    name: 'a chat body with a duplicate `choices` key whose last copy (the one JSON.parse keeps) has other text',
    body: (t) => {
      const b = JSON.parse(t) as Json;
      const forged = structuredClone(b.choices) as Json[];
      ((forged[0] as Json).message as Json).content = OTHER;
      return t.replace(',"signet":', `,"choices":${JSON.stringify(forged)},"signet":`);
    },
  },
  {
    name: 'a chat body with a duplicate `content` key in the message',
    body: (t) => {
      const b = JSON.parse(t) as Json;
      const sealed = JSON.stringify(message0(b).content);
      return t.replace(`"content":${sealed}`, `"content":${sealed},"content":${JSON.stringify(OTHER)}`);
    },
  },
  {
    name: 'a chat body with a member added after the `signet` carrier',
    body: (t) => t.replace(/}$/, `,"output_text":${JSON.stringify(OTHER)}}`),
  },
  {
    name: 'a chat body with an added `audio` member whose transcript is other text',
    body: (t) =>
      editJson(t, (b) => {
        message0(b).audio = { id: 'audio_x', data: 'UklGRg', expires_at: 1_900_000_000, transcript: OTHER };
      }),
  },
  {
    name: 'a chat body with an added URL-citation annotation',
    body: (t) =>
      editJson(t, (b) => {
        message0(b).annotations = [
          { type: 'url_citation', url_citation: { url: 'https://evil.example/', title: 'Trust me', start_index: 0, end_index: 5 } },
        ];
      }),
  },
  {
    name: 'a chat body whose content became an array of parts with an added image part',
    body: (t) =>
      editJson(t, (b) => {
        message0(b).content = [
          { type: 'text', text: message0(b).content },
          { type: 'image_url', image_url: { url: 'https://evil.example/x.png' } },
        ];
      }),
  },
  {
    name: 'a chat body with an added `refusal` next to the sealed content',
    body: (t) =>
      editJson(t, (b) => {
        message0(b).refusal = OTHER;
      }),
  },
  {
    name: 'a chat body with added `tool_calls`',
    body: (t) =>
      editJson(t, (b) => {
        message0(b).tool_calls = [{ id: 'call_evil', type: 'function', function: { name: 'transfer_funds', arguments: '{"to":"evil"}' } }];
      }),
  },
  {
    name: 'a chat body with a second choice added',
    body: (t) =>
      editJson(t, (b) => {
        (b.choices as Json[]).push({ ...structuredClone(choice0(b)), index: 1, message: { role: 'assistant', content: OTHER } });
      }),
  },
  {
    name: 'a chat body with a duplicate choice index (a forged choice 0 first)',
    body: (t) =>
      editJson(t, (b) => {
        const forged = { ...structuredClone(choice0(b)), message: { role: 'assistant', content: OTHER, refusal: null, annotations: [] } };
        (b.choices as Json[]).unshift(forged);
      }),
  },
  {
    name: 'a chat body whose choice index is the string "0"',
    body: (t) =>
      editJson(t, (b) => {
        choice0(b).index = '0';
      }),
  },
  {
    name: 'a chat body with changed `usage`',
    body: (t) =>
      editJson(t, (b) => {
        b.usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
      }),
  },
  {
    name: 'a chat body with a changed `system_fingerprint`',
    body: (t) =>
      editJson(t, (b) => {
        b.system_fingerprint = 'fp_evil';
      }),
  },
  {
    name: 'a chat body with a changed `finish_reason`',
    body: (t) =>
      editJson(t, (b) => {
        choice0(b).finish_reason = 'length';
      }),
  },
  {
    name: 'a chat body with a changed `model`',
    body: (t) =>
      editJson(t, (b) => {
        b.model = 'gpt-evil';
      }),
  },
  {
    name: 'a chat body whose `id` was removed',
    body: (t) =>
      editJson(t, (b) => {
        delete b.id;
      }),
  },
  {
    name: 'a chat body whose `id` was changed',
    body: (t) =>
      editJson(t, (b) => {
        b.id = 'chatcmpl-forged';
      }),
  },
  {
    name: 'a chat body carrying the envelope of another response with the same text',
    donor: true,
    body: (t, headers, d) => envelopeFrom(t, headers, d?.body ?? '', d?.headers ?? new Headers()),
  },
  {
    name: 'a chat body carrying the envelope of another response with the same text, its own `id` removed',
    donor: true,
    body: (t, headers, d) =>
      envelopeFrom(t, headers, d?.body ?? '', d?.headers ?? new Headers(), (b) => {
        delete b.id;
      }),
  },
];

const completion: Tampering[] = [
  {
    name: 'a completion body with other text in choices[0].text and the sealed text in an added message.content',
    body: (t) =>
      editJson(t, (b) => {
        choice0(b).message = { role: 'assistant', content: choice0(b).text };
        choice0(b).text = OTHER;
      }),
  },
  {
    name: 'a completion body relabelled `object: "chat.completion"`',
    body: (t) =>
      editJson(t, (b) => {
        b.object = 'chat.completion';
        choice0(b).message = { role: 'assistant', content: choice0(b).text };
        choice0(b).text = OTHER;
      }),
  },
  {
    name: 'a completion body with the sealed text moved into an added `output`',
    body: (t) =>
      editJson(t, (b) => {
        const sealed = choice0(b).text;
        choice0(b).text = OTHER;
        replaceAll(b, beforeCarrier(b, { output: [{ type: 'message', content: [{ type: 'output_text', text: sealed }] }] }));
      }),
  },
  {
    name: 'a completion body with a duplicate choice index',
    body: (t) =>
      editJson(t, (b) => {
        (b.choices as Json[]).unshift({ ...structuredClone(choice0(b)), text: OTHER });
      }),
  },
  {
    name: 'a completion body with added `logprobs`',
    body: (t) =>
      editJson(t, (b) => {
        choice0(b).logprobs = { tokens: ['evil'], token_logprobs: [0], top_logprobs: null, text_offset: [0] };
      }),
  },
  {
    name: 'a completion body with changed `usage`',
    body: (t) =>
      editJson(t, (b) => {
        b.usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
      }),
  },
  {
    name: 'a completion body whose `id` was removed',
    body: (t) =>
      editJson(t, (b) => {
        delete b.id;
      }),
  },
  {
    name: 'a completion body carrying the envelope of another response with the same text',
    donor: true,
    body: (t, headers, d) => envelopeFrom(t, headers, d?.body ?? '', d?.headers ?? new Headers()),
  },
];

const response: Tampering[] = [
  {
    name: 'a Responses body with other output text and the sealed text in an added `choices`',
    body: (t) =>
      editJson(t, (b) => {
        const sealed = outputText0(b).text;
        outputText0(b).text = OTHER;
        replaceAll(b, beforeCarrier(b, { choices: [{ index: 0, message: { role: 'assistant', content: sealed }, text: sealed }] }));
      }),
  },
  {
    name: 'a Responses body relabelled `object: "chat.completion"` with the sealed text in `choices`',
    body: (t) =>
      editJson(t, (b) => {
        b.object = 'chat.completion';
        const sealed = outputText0(b).text;
        outputText0(b).text = OTHER;
        b.choices = [{ index: 0, message: { role: 'assistant', content: sealed } }];
      }),
  },
  {
    name: 'a Responses body with a second output message added',
    body: (t) =>
      editJson(t, (b) => {
        (b.output as Json[]).push({
          type: 'message',
          id: 'msg_evil',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: OTHER, annotations: [], logprobs: [] }],
        });
      }),
  },
  {
    name: 'a Responses body with a second output_text part added',
    body: (t) =>
      editJson(t, (b) => {
        ((b.output as Json[])[0] as { content: Json[] }).content.push({ type: 'output_text', text: OTHER, annotations: [] });
      }),
  },
  {
    name: 'a Responses body with a refusal part added',
    body: (t) =>
      editJson(t, (b) => {
        ((b.output as Json[])[0] as { content: Json[] }).content.push({ type: 'refusal', refusal: OTHER });
      }),
  },
  {
    name: 'a Responses body with an added citation annotation',
    body: (t) =>
      editJson(t, (b) => {
        outputText0(b).annotations = [
          { type: 'url_citation', url: 'https://evil.example/', title: 'Trust me', start_index: 0, end_index: 5 },
        ];
      }),
  },
  {
    name: 'a Responses body with an added function_call output item',
    body: (t) =>
      editJson(t, (b) => {
        (b.output as Json[]).push({
          type: 'function_call',
          id: 'fc_evil',
          call_id: 'call_evil',
          name: 'transfer_funds',
          arguments: '{"to":"evil"}',
          status: 'completed',
        });
      }),
  },
  {
    name: 'a Responses body whose output item type was changed to `reasoning`',
    body: (t) =>
      editJson(t, (b) => {
        ((b.output as Json[])[0] as Json).type = 'reasoning';
      }),
  },
  {
    name: 'a Responses body with `status: "incomplete"`',
    body: (t) =>
      editJson(t, (b) => {
        b.status = 'incomplete';
        b.incomplete_details = { reason: 'max_output_tokens' };
      }),
  },
  {
    name: 'a Responses body with changed `usage`',
    body: (t) =>
      editJson(t, (b) => {
        (b.usage as Json).output_tokens = 1;
      }),
  },
  {
    name: 'a Responses body with a duplicate `output` key whose last copy has other text',
    body: (t) => {
      const b = JSON.parse(t) as Json;
      const forged = structuredClone(b.output) as Json[];
      (((forged[0] as Json).content as Json[])[0] as Json as Json).text = OTHER;
      return t.replace(',"signet":', `,"output":${JSON.stringify(forged)},"signet":`);
    },
  },
  {
    name: 'a Responses body whose `id` was removed',
    body: (t) =>
      editJson(t, (b) => {
        delete b.id;
      }),
  },
  {
    name: 'a Responses body carrying the envelope of another response with the same text',
    donor: true,
    body: (t, headers, d) => envelopeFrom(t, headers, d?.body ?? '', d?.headers ?? new Headers()),
  },
];

/** Legitimate answers with extra members: a tampering of those members must be caught too. */
const annotatedChat: Tampering[] = [
  {
    name: 'a chat body whose URL citation points elsewhere',
    body: (t) =>
      editJson(t, (b) => {
        ((message0(b).annotations as Json[])[0] as { url_citation: Json }).url_citation.url = 'https://evil.example/';
      }),
  },
  {
    name: 'a chat body whose URL citation was removed',
    body: (t) =>
      editJson(t, (b) => {
        message0(b).annotations = [];
      }),
  },
];
const audioChat: Tampering[] = [
  {
    name: 'a chat body whose audio transcript was changed',
    body: (t) =>
      editJson(t, (b) => {
        (message0(b).audio as Json).transcript = OTHER;
      }),
  },
  {
    name: 'a chat body whose audio data was changed',
    body: (t) =>
      editJson(t, (b) => {
        (message0(b).audio as Json).data = 'RVZJTA';
      }),
  },
];
const annotatedResponse: Tampering[] = [
  {
    name: 'a Responses body whose citation points elsewhere',
    body: (t) =>
      editJson(t, (b) => {
        ((outputText0(b).annotations as Json[])[0] as Json).url = 'https://evil.example/';
      }),
  },
];

const TOOLS = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
const RESPONSE_TOOLS = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} }, strict: false }];

const toolChat: Tampering[] = [
  {
    name: 'a chat body whose tool call arguments were changed',
    body: (t) =>
      editJson(t, (b) => {
        (((message0(b).tool_calls as Json[])[0] as Json).function as Json).arguments = '{"location":"evil"}';
      }),
  },
  {
    name: 'a chat body whose tool call names another function',
    body: (t) =>
      editJson(t, (b) => {
        (((message0(b).tool_calls as Json[])[0] as Json).function as Json).name = 'transfer_funds';
      }),
  },
  {
    name: 'a chat body with text content added next to its tool call',
    body: (t) =>
      editJson(t, (b) => {
        message0(b).content = OTHER;
      }),
  },
];
const twoChoices: Tampering[] = [
  {
    name: 'a chat body whose two choices were reordered (indexes kept)',
    body: (t) =>
      editJson(t, (b) => {
        (b.choices as Json[]).reverse();
      }),
  },
  {
    name: 'a chat body whose second choice was dropped',
    body: (t) =>
      editJson(t, (b) => {
        (b.choices as Json[]).pop();
      }),
  },
  {
    name: 'a chat body whose two choices swapped their texts',
    body: (t) =>
      editJson(t, (b) => {
        const [a, c] = b.choices as [Json, Json];
        const m = (a.message as Json).content;
        (a.message as Json).content = (c.message as Json).content;
        (c.message as Json).content = m;
      }),
  },
];
const toolResponse: Tampering[] = [
  {
    name: 'a Responses body whose function call arguments were changed',
    body: (t) =>
      editJson(t, (b) => {
        ((b.output as Json[])[0] as Json).arguments = '{"location":"evil"}';
      }),
  },
];

const groups: { scenario: Scenario; label: string; cases: Tampering[] }[] = [
  { scenario: { api: 'chat', stream: false }, label: 'chat completions', cases: chat },
  { scenario: { api: 'completion', stream: false }, label: 'legacy completions', cases: completion },
  { scenario: { api: 'response', stream: false }, label: 'Responses API', cases: response },
  { scenario: { api: 'chat', stream: false, model: 'annotated' }, label: 'chat completions with a citation', cases: annotatedChat },
  { scenario: { api: 'chat', stream: false, model: 'audio' }, label: 'chat completions with audio', cases: audioChat },
  { scenario: { api: 'response', stream: false, model: 'annotated' }, label: 'Responses API with a citation', cases: annotatedResponse },
  { scenario: { api: 'chat', stream: false, extra: { tools: TOOLS } }, label: 'chat completions with a tool call', cases: toolChat },
  { scenario: { api: 'chat', stream: false, extra: { n: 2 } }, label: 'chat completions with two choices', cases: twoChoices },
  {
    scenario: { api: 'response', stream: false, extra: { tools: RESPONSE_TOOLS } },
    label: 'Responses API with a function call',
    cases: toolResponse,
  },
  {
    scenario: { api: 'chat', stream: false, model: 'refuse' },
    label: 'chat completions with a refusal',
    cases: [
      {
        name: 'a chat body whose refusal text was changed',
        body: (t) =>
          editJson(t, (b) => {
            message0(b).refusal = OTHER;
          }),
      },
      {
        name: 'a chat body whose refusal became content',
        body: (t) =>
          editJson(t, (b) => {
            message0(b).content = message0(b).refusal;
            message0(b).refusal = null;
          }),
      },
    ],
  },
];

for (const g of groups) {
  describe(`a whole ${g.label} answer`, () => {
    it('verifies when nothing was changed', async () => {
      expectValid(await h.run(g.scenario, { name: 'untouched' }), `untouched ${g.label}`);
    });
    it('verifies when re-serialized to the same bytes (the harness changes nothing by itself)', async () => {
      expectValid(await h.run(g.scenario, { name: 'reserialized', body: (t) => editJson(t, () => {}) }), `reserialized ${g.label}`);
    });
    for (const t of g.cases)
      it(`is flagged when it is ${t.name}`, async () => {
        expectFlagged(await h.run(g.scenario, t), t);
      });
  });
}
