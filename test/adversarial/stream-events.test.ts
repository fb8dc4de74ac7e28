import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  dataOf,
  editAt,
  insertAt,
  isCarrier,
  isDone,
  nth,
  OTHER,
  startHarness,
  withData,
  type Donor,
  type Harness,
  type Scenario,
  type Tampering,
} from './harness.js';
import { expectFlagged, expectValid } from './judge.js';

/**
 * Issue 9, breaks 5, 6 and 7 for streamed answers: a man in the middle injects, drops, repeats,
 * reorders or rewrites events between a real gateway and the real `openai` client. A stream is valid
 * only if it is complete and ends exactly with its carrier (and `data: [DONE]` for the completions
 * APIs); whatever changes what the SDK yields must make the verifying fetch report it invalid.
 */

type Json = Record<string, unknown>;
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const DONE = 'data: [DONE]\n\n';
const choice0 = (d: Json): Json => (d.choices as Json[])[0] as Json;

/** A chat chunk with text. */
const isChatText = (e: string): boolean => {
  const d = dataOf(e);
  const c = d?.choices as Json[] | undefined;
  const delta = c?.[0]?.delta as Json | undefined;
  return typeof delta?.content === 'string' && delta.content.length > 0;
};
/** A legacy completion chunk with text. */
const isCompletionText = (e: string): boolean => {
  const c = dataOf(e)?.choices as Json[] | undefined;
  const text = c?.[0]?.text;
  return typeof text === 'string' && text.length > 0;
};
/** The chunk that ends choice 0 (its finish_reason). */
const isFinish = (e: string): boolean => {
  const c = dataOf(e)?.choices as Json[] | undefined;
  return typeof c?.[0]?.finish_reason === 'string';
};
const isType =
  (type: string) =>
  (e: string): boolean =>
    dataOf(e)?.type === type;
const isDelta = isType('response.output_text.delta');

/** The carrier event of a donor stream. */
const donorCarrier = (d: Donor | undefined): string => (d?.events ?? []).find(isCarrier) ?? '';

/** Cases shared by the two completions APIs (chat and legacy), which end with `[DONE]`. */
function completionsCases(api: 'chat' | 'completion'): Tampering[] {
  const isText = api === 'chat' ? isChatText : isCompletionText;
  /** A copy of the first text chunk whose text is `text`. */
  const forged = (events: string[], text: string, extra: Json = {}): string => {
    const d = structuredClone(dataOf(events[nth(events, isText)] as string) as Json);
    const c = choice0(d);
    if (api === 'chat') c.delta = { content: text };
    else c.text = text;
    return `data: ${JSON.stringify({ ...d, ...extra })}\n\n`;
  };
  const what = api === 'chat' ? 'chat stream' : 'completion stream';
  return [
    {
      name: `a ${what} with an injected text chunk that has a foreign \`type\``,
      events: (ev) => insertAt(ev, nth(ev, isFinish), forged(ev, OTHER, { type: 'response.output_text.delta' })),
    },
    {
      name: `a ${what} with an injected text chunk under an \`event:\` line`,
      events: (ev) => insertAt(ev, nth(ev, isFinish), `event: ping\n${forged(ev, OTHER)}`),
    },
    {
      name: `a ${what} with an injected text chunk that says \`"error": false\``,
      events: (ev) => insertAt(ev, nth(ev, isFinish), forged(ev, OTHER, { error: false })),
    },
    {
      name: `a ${what} with an injected text chunk after the choice finished`,
      events: (ev) => insertAt(ev, nth(ev, isFinish) + 1, forged(ev, OTHER)),
    },
    {
      name: `a ${what} with an injected text chunk between the carrier and [DONE]`,
      events: (ev) => insertAt(ev, nth(ev, isCarrier) + 1, forged(ev, OTHER)),
    },
    {
      name: `a ${what} with the carrier repeated`,
      events: (ev) => insertAt(ev, nth(ev, isCarrier), ev[nth(ev, isCarrier)] as string),
    },
    {
      name: `a ${what} with a second carrier from another stream after its own`,
      donor: true,
      events: (ev, d) => insertAt(ev, nth(ev, isCarrier) + 1, donorCarrier(d)),
    },
    {
      name: `a ${what} whose carrier gained text in \`choices\``,
      events: (ev) =>
        editAt(ev, nth(ev, isCarrier), (d) => ({
          ...d,
          choices: [api === 'chat' ? { index: 0, delta: { content: OTHER } } : { index: 0, text: OTHER }],
        })),
    },
    {
      name: `a ${what} whose carrier gained \`usage\``,
      events: (ev) => editAt(ev, nth(ev, isCarrier), (d) => ({ ...d, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })),
    },
    {
      name: `a ${what} with an early \`data: [DONE]\` (the SDK stops reading there)`,
      events: (ev) => insertAt(ev, nth(ev, isText, 2), DONE),
    },
    {
      name: `a ${what} with a text chunk after [DONE] (the stream must end with the carrier and [DONE])`,
      always: true,
      events: (ev) => [...ev, forged(ev, OTHER)],
    },
    {
      name: `a ${what} with a second [DONE] (the stream must end with exactly one)`,
      always: true,
      events: (ev) => [...ev, DONE],
    },
    {
      name: `a ${what} without its final [DONE]`,
      always: true,
      events: (ev) => ev.filter((e) => !isDone(e)),
    },
    {
      name: `a ${what} with CRLF line endings (the seal covers the exact bytes)`,
      always: true,
      events: (ev) => ev.map((e) => e.replace(/\n/g, '\r\n')),
    },
    {
      name: `a ${what} with CR line endings before the carrier`,
      always: true,
      events: (ev) => ev.map((e) => (isCarrier(e) || isDone(e) ? e : e.replace(/\n/g, '\r'))),
    },
    {
      name: `a ${what} with a text chunk whose data is cut in two by a bare CR`,
      events: (ev) => {
        const i = nth(ev, isText, 1);
        const e = ev[i] as string;
        const at = e.indexOf('"choices"');
        return [...ev.slice(0, i), `${e.slice(0, at)}\r${e.slice(at)}`, ...ev.slice(i + 1)];
      },
    },
    {
      name: `a ${what} with a text chunk duplicated`,
      events: (ev) => insertAt(ev, nth(ev, isText, 1), ev[nth(ev, isText, 1)] as string),
    },
    {
      name: `a ${what} with two text chunks swapped`,
      events: (ev) => {
        const i = nth(ev, isText, 1);
        const j = nth(ev, isText, 2);
        const out = ev.slice();
        out[i] = ev[j] as string;
        out[j] = ev[i] as string;
        return out;
      },
    },
    {
      name: `a ${what} with a text chunk dropped`,
      events: (ev) => ev.filter((_, i) => i !== nth(ev, isText, 2)),
    },
    {
      name: `a ${what} with a duplicate JSON key in a text chunk`,
      events: (ev) => {
        const i = nth(ev, isText, 1);
        const key = api === 'chat' ? 'content' : 'text';
        const out = ev.slice();
        // JSON.parse keeps the last of two equal keys: the SDK shows the forged text.
        out[i] = (ev[i] as string).replace(new RegExp(`("${key}":"(?:[^"\\\\]|\\\\.)*")`), `$1,"${key}":${JSON.stringify(OTHER)}`);
        return out;
      },
    },
    {
      name: `a ${what} with a text chunk for an added choice index 1`,
      events: (ev) => {
        const d = dataOf(forged(ev, OTHER)) as Json;
        choice0(d).index = 1;
        return insertAt(ev, nth(ev, isFinish), `data: ${JSON.stringify(d)}\n\n`);
      },
    },
    {
      name: `a ${what} whose finish_reason was changed`,
      events: (ev) =>
        editAt(ev, nth(ev, isFinish), (d) => {
          choice0(d).finish_reason = 'length';
          return d;
        }),
    },
    {
      name: `a ${what} whose chunks lost their \`id\``,
      events: (ev) =>
        ev.map((e) => {
          const d = dataOf(e);
          if (d === undefined || isCarrier(e)) return e;
          delete d.id;
          return withData(e, d);
        }),
    },
    {
      name: `a ${what} with one chunk's \`id\` changed`,
      events: (ev) => editAt(ev, nth(ev, isText, 1), (d) => ({ ...d, id: 'forged-id' })),
    },
    {
      name: `a ${what} carrying the carrier of another stream with the same text`,
      donor: true,
      events: (ev, d) => ev.map((e) => (isCarrier(e) ? donorCarrier(d) : e)),
    },
    {
      name: `a ${what} whose chunks lost their \`id\` and carry the carrier of another stream with the same text`,
      donor: true,
      events: (ev, donor) =>
        ev.map((e) => {
          if (isCarrier(e)) return donorCarrier(donor);
          const d = dataOf(e);
          if (d === undefined) return e;
          delete d.id;
          return withData(e, d);
        }),
    },
    {
      name: `a ${what} with a changed \`system_fingerprint\` or \`model\` in one chunk`,
      events: (ev) => editAt(ev, nth(ev, isText, 1), (d) => ({ ...d, model: 'gpt-evil', system_fingerprint: 'fp_evil' })),
    },
    {
      name: `a ${what} with \`logprobs\` added to a text chunk`,
      events: (ev) =>
        editAt(ev, nth(ev, isText, 1), (d) => {
          choice0(d).logprobs =
            api === 'chat' ? { content: [{ token: 'evil', logprob: 0, bytes: null, top_logprobs: [] }] } : { tokens: ['evil'] };
          return d;
        }),
    },
  ];
}

/** Cases only the chat API has: members of a delta besides the text. */
const chatOnly: Tampering[] = [
  ...(['refusal', 'annotations', 'audio', 'tool_calls'] as const).map((member): Tampering => ({
    name: `a chat stream with an injected \`${member}\` delta`,
    events: (ev) => {
      const value = {
        refusal: OTHER,
        annotations: [{ type: 'url_citation', url_citation: { url: 'https://evil.example/', title: 'x', start_index: 0, end_index: 3 } }],
        audio: { id: 'audio_evil', data: 'RVZJTA', expires_at: 1_900_000_000, transcript: OTHER },
        tool_calls: [{ index: 0, id: 'call_evil', type: 'function', function: { name: 'transfer_funds', arguments: '{}' } }],
      }[member];
      const d = structuredClone(dataOf(ev[nth(ev, isChatText)] as string) as Json);
      choice0(d).delta = { [member]: value };
      return insertAt(ev, nth(ev, isFinish), `data: ${JSON.stringify(d)}\n\n`);
    },
  })),
  {
    name: 'a chat stream with an injected usage chunk before the carrier',
    events: (ev) => {
      const d = structuredClone(dataOf(ev[nth(ev, isChatText)] as string) as Json);
      return insertAt(
        ev,
        nth(ev, isCarrier),
        `data: ${JSON.stringify({ ...d, choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })}\n\n`,
      );
    },
  },
];

const responses: Tampering[] = [
  {
    name: 'a Responses stream with a text delta after its item is done',
    events: (ev) => insertAt(ev, nth(ev, isType('response.output_item.done')) + 1, ev[nth(ev, isDelta)] as string),
  },
  {
    name: 'a Responses stream with an injected event of a foreign `type` carrying text',
    events: (ev) =>
      insertAt(
        ev,
        nth(ev, isType('response.output_text.done')),
        withData(ev[nth(ev, isDelta)] as string, {
          ...(dataOf(ev[nth(ev, isDelta)] as string) as Json),
          type: 'response.refusal.delta',
          delta: OTHER,
        }),
      ),
  },
  {
    name: 'a Responses stream with a text delta under a `thread.` event line (the SDK yields it wrapped)',
    events: (ev) => {
      const i = nth(ev, isDelta, 1);
      const out = ev.slice();
      out[i] = (ev[i] as string).replace(/^event: .*$/m, 'event: thread.message.delta');
      return out;
    },
  },
  {
    name: 'a Responses stream with an injected text delta that says `"error": false`',
    events: (ev) =>
      insertAt(
        ev,
        nth(ev, isType('response.output_text.done')),
        withData(ev[nth(ev, isDelta)] as string, { ...(dataOf(ev[nth(ev, isDelta)] as string) as Json), delta: OTHER, error: false }),
      ),
  },
  {
    name: 'a Responses stream with the carrier repeated',
    events: (ev) => insertAt(ev, nth(ev, isCarrier), ev[nth(ev, isCarrier)] as string),
  },
  {
    name: 'a Responses stream with an event after the carrier',
    events: (ev) => [...ev, ev[nth(ev, isDelta)] as string],
  },
  {
    name: 'a Responses stream with a `data: [DONE]` after the carrier (the stream must end with the carrier)',
    always: true,
    events: (ev) => [...ev, DONE],
  },
  {
    name: 'a Responses stream with an early `data: [DONE]` (the SDK stops reading there)',
    events: (ev) => insertAt(ev, nth(ev, isDelta, 2), DONE),
  },
  {
    name: 'a Responses stream whose carrier gained a `delta`',
    events: (ev) => editAt(ev, nth(ev, isCarrier), (d) => ({ ...d, delta: OTHER })),
  },
  {
    name: 'a Responses stream whose completed response has other text',
    events: (ev) =>
      editAt(ev, nth(ev, isType('response.completed')), (d) => {
        const r = d.response as { output: { content: Json[] }[] };
        (r.output[0]?.content[0] as Json).text = OTHER;
        return d;
      }),
  },
  {
    name: 'a Responses stream whose completed response gained a citation',
    events: (ev) =>
      editAt(ev, nth(ev, isType('response.completed')), (d) => {
        const r = d.response as { output: { content: Json[] }[] };
        (r.output[0]?.content[0] as Json).annotations = [
          { type: 'url_citation', url: 'https://evil.example/', title: 'x', start_index: 0, end_index: 3 },
        ];
        return d;
      }),
  },
  {
    name: 'a Responses stream with an injected annotation event',
    events: (ev) => {
      const base = dataOf(ev[nth(ev, isDelta)] as string) as Json;
      return insertAt(
        ev,
        nth(ev, isType('response.output_text.done')),
        withData('event: response.output_text.annotation.added\n', {
          type: 'response.output_text.annotation.added',
          item_id: base.item_id,
          output_index: 0,
          content_index: 0,
          annotation_index: 0,
          annotation: { type: 'url_citation', url: 'https://evil.example/', title: 'x', start_index: 0, end_index: 3 },
          sequence_number: base.sequence_number,
        }),
      );
    },
  },
  {
    name: 'a Responses stream whose completed response has other `usage`',
    events: (ev) =>
      editAt(ev, nth(ev, isType('response.completed')), (d) => {
        ((d.response as Json).usage as Json).output_tokens = 1;
        return d;
      }),
  },
  {
    name: 'a Responses stream with an added output item carrying other text',
    events: (ev) => {
      const at = nth(ev, isType('response.completed'));
      const item = { type: 'message', id: 'msg_evil', status: 'completed', role: 'assistant', content: [] as Json[] };
      const part = { type: 'output_text', text: OTHER, annotations: [], logprobs: [] };
      const ev2 = (type: string, extra: Json): string => withData(`event: ${type}\n`, { type, output_index: 1, ...extra });
      return insertAt(
        ev,
        at,
        ev2('response.output_item.added', { item }),
        ev2('response.content_part.added', { item_id: 'msg_evil', content_index: 0, part: { ...part, text: '' } }),
        ev2('response.output_text.delta', { item_id: 'msg_evil', content_index: 0, delta: OTHER, logprobs: [] }),
        ev2('response.output_text.done', { item_id: 'msg_evil', content_index: 0, text: OTHER, logprobs: [] }),
        ev2('response.content_part.done', { item_id: 'msg_evil', content_index: 0, part }),
        ev2('response.output_item.done', { item: { ...item, content: [part] } }),
      );
    },
  },
  {
    name: 'a Responses stream with a text delta duplicated',
    events: (ev) => insertAt(ev, nth(ev, isDelta, 1), ev[nth(ev, isDelta, 1)] as string),
  },
  {
    name: 'a Responses stream with two text deltas swapped',
    events: (ev) => {
      const i = nth(ev, isDelta, 1);
      const j = nth(ev, isDelta, 2);
      const out = ev.slice();
      out[i] = ev[j] as string;
      out[j] = ev[i] as string;
      return out;
    },
  },
  {
    name: 'a Responses stream with a text delta dropped',
    events: (ev) => ev.filter((_, i) => i !== nth(ev, isDelta, 2)),
  },
  {
    name: 'a Responses stream with a changed `sequence_number`',
    events: (ev) => editAt(ev, nth(ev, isDelta, 1), (d) => ({ ...d, sequence_number: 99 })),
  },
  {
    name: 'a Responses stream whose response `id` was changed in the completed event',
    events: (ev) =>
      editAt(ev, nth(ev, isType('response.completed')), (d) => {
        (d.response as Json).id = 'resp_forged';
        return d;
      }),
  },
  {
    name: 'a Responses stream whose response `id` was removed everywhere',
    events: (ev) =>
      ev.map((e) => {
        const d = dataOf(e);
        if (d === undefined || typeof d.response !== 'object') return e;
        delete (d.response as Json).id;
        return withData(e, d);
      }),
  },
  {
    name: 'a Responses stream carrying the carrier of another stream with the same text',
    donor: true,
    events: (ev, d) => ev.map((e) => (isCarrier(e) ? donorCarrier(d) : e)),
  },
  {
    name: 'a Responses stream with CRLF line endings (the seal covers the exact bytes)',
    always: true,
    events: (ev) => ev.map((e) => e.replace(/\n/g, '\r\n')),
  },
  {
    name: 'a Responses stream whose `event:` lines were removed (the seal covers the exact bytes)',
    always: true,
    events: (ev) => ev.map((e) => e.replace(/^event: .*\n/m, '')),
  },
];

const annotatedChat: Tampering[] = [
  {
    name: 'a chat stream whose citation delta points elsewhere',
    events: (ev) =>
      editAt(
        ev,
        nth(ev, (e) => e.includes('"annotations":[{')),
        (d) => {
          const a = ((choice0(d).delta as Json).annotations as Json[])[0] as { url_citation: Json };
          a.url_citation.url = 'https://evil.example/';
          return d;
        },
      ),
  },
];
const audioChat: Tampering[] = [
  {
    name: 'a chat stream whose audio transcript was changed',
    events: (ev) =>
      editAt(
        ev,
        nth(ev, (e) => e.includes('"audio":{')),
        (d) => {
          ((choice0(d).delta as Json).audio as Json).transcript = OTHER;
          return d;
        },
      ),
  },
];
const annotatedResponses: Tampering[] = [
  {
    name: 'a Responses stream whose annotation event points elsewhere',
    events: (ev) =>
      editAt(ev, nth(ev, isType('response.output_text.annotation.added')), (d) => {
        (d.annotation as Json).url = 'https://evil.example/';
        return d;
      }),
  },
  {
    name: 'a Responses stream whose annotation event was dropped',
    events: (ev) => ev.filter((e) => !isType('response.output_text.annotation.added')(e)),
  },
];

const isToolDelta = (e: string): boolean => e.includes('"arguments":"') && !e.includes('"arguments":""');
const toolChat: Tampering[] = [
  {
    name: 'a chat stream with a tool call arguments chunk changed',
    events: (ev) =>
      editAt(ev, nth(ev, isToolDelta, 1), (d) => {
        const call = (((choice0(d).delta as Json).tool_calls as Json[])[0] as Json).function as Json;
        call.arguments = `${call.arguments as string}x`;
        return d;
      }),
  },
  {
    name: 'a chat stream with a tool call arguments chunk dropped',
    events: (ev) => ev.filter((_, i) => i !== nth(ev, isToolDelta, 1)),
  },
];
const usageChat: Tampering[] = [
  {
    name: 'a chat stream whose usage chunk was changed',
    events: (ev) =>
      editAt(
        ev,
        nth(ev, (e) => e.includes('"usage":{') && !isCarrier(e)),
        (d) => ({ ...d, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }),
      ),
  },
  {
    name: 'a chat stream whose usage chunk was dropped',
    events: (ev) => ev.filter((e) => !(e.includes('"usage":{') && !isCarrier(e))),
  },
];
const twoChoices: Tampering[] = [
  {
    name: 'a chat stream whose text chunks of two choices were swapped in order',
    events: (ev) => {
      const i = nth(ev, (e) => isChatText(e) && choice0(dataOf(e) as Json).index === 0, 1);
      const j = nth(ev, (e) => isChatText(e) && choice0(dataOf(e) as Json).index === 1, 1);
      const out = ev.slice();
      out[i] = ev[j] as string;
      out[j] = ev[i] as string;
      return out;
    },
  },
  {
    name: 'a chat stream whose text chunk moved from choice 1 to choice 0',
    events: (ev) =>
      editAt(
        ev,
        nth(ev, (e) => isChatText(e) && choice0(dataOf(e) as Json).index === 1, 1),
        (d) => {
          choice0(d).index = 0;
          return d;
        },
      ),
  },
];
const TOOLS = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];

const groups: { scenario: Scenario; label: string; cases: Tampering[] }[] = [
  { scenario: { api: 'chat', stream: true }, label: 'chat completions', cases: [...completionsCases('chat'), ...chatOnly] },
  { scenario: { api: 'completion', stream: true }, label: 'legacy completions', cases: completionsCases('completion') },
  { scenario: { api: 'response', stream: true }, label: 'Responses API', cases: responses },
  { scenario: { api: 'chat', stream: true, model: 'annotated' }, label: 'chat completions with a citation', cases: annotatedChat },
  { scenario: { api: 'chat', stream: true, model: 'audio' }, label: 'chat completions with audio', cases: audioChat },
  { scenario: { api: 'response', stream: true, model: 'annotated' }, label: 'Responses API with a citation', cases: annotatedResponses },
  { scenario: { api: 'chat', stream: true, extra: { tools: TOOLS } }, label: 'chat completions with a tool call', cases: toolChat },
  {
    scenario: { api: 'chat', stream: true, extra: { stream_options: { include_usage: true } } },
    label: 'chat completions with usage',
    cases: usageChat,
  },
  { scenario: { api: 'chat', stream: true, extra: { n: 2 } }, label: 'chat completions with two choices', cases: twoChoices },
];

for (const g of groups) {
  describe(`a streamed ${g.label} answer`, () => {
    it('verifies when nothing was changed', async () => {
      expectValid(await h.run(g.scenario, { name: 'untouched' }), `untouched ${g.label} stream`);
    });
    it('verifies when its events are passed on one by one unchanged (the harness changes nothing by itself)', async () => {
      expectValid(await h.run(g.scenario, { name: 'identity', events: (ev) => ev.slice() }), `identity ${g.label} stream`);
    });
    for (const t of g.cases)
      it(`is flagged when it is ${t.name}`, async () => {
        expectFlagged(await h.run(g.scenario, t), t);
      });
  });
}
