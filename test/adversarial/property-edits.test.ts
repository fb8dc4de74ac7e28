import * as fc from 'fast-check';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifyingFetch, type FetchVerification } from '@signet/verify';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { dataOf, OTHER, replayView, sameView, sdkView, splitEvents, viewDiff, withData, type Scenario } from './harness.js';

/**
 * Issue 9, property: random edits of a sealed body or event stream (inserted, deleted, repeated and
 * reordered events, members and bytes; shape changes; whitespace inside strings) never verify unless
 * what the `openai` SDK shows is unchanged. The sealed answers come from a real gateway once; each
 * edited copy is then served to the verifying fetch in process, so many edits run in little time.
 */

type Json = Record<string, unknown>;

interface Sealed {
  readonly scenario: Scenario;
  readonly label: string;
  readonly body: string;
  readonly headers: Headers;
  /** What a plain SDK shows for the unedited bytes. */
  view: unknown;
}

let gw: TestGateway;
const sealed: Sealed[] = [];

const scenarios: { scenario: Scenario; label: string }[] = [
  { scenario: { api: 'chat', stream: false }, label: 'chat JSON' },
  { scenario: { api: 'completion', stream: false }, label: 'completion JSON' },
  { scenario: { api: 'response', stream: false }, label: 'Responses JSON' },
  { scenario: { api: 'chat', stream: true }, label: 'chat SSE' },
  { scenario: { api: 'completion', stream: true }, label: 'completion SSE' },
  { scenario: { api: 'response', stream: true }, label: 'Responses SSE' },
];

beforeAll(async () => {
  gw = await startTestGateway({ upstream: { words: 6 } });
  for (const { scenario, label } of scenarios) {
    // Recorded through the SDK itself, so the edited replays carry the very request it sends.
    let body = '';
    let headers = new Headers();
    const recorder = new OpenAI({
      apiKey: gw.apiKey,
      baseURL: `${gw.url}/v1`,
      maxRetries: 0,
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        const res = await fetch(input, init);
        body = await res.text();
        headers = new Headers(res.headers);
        headers.delete('content-length');
        headers.delete('transfer-encoding');
        return new Response(body, { status: res.status, headers });
      }) as typeof fetch,
    });
    await sdkView(recorder, scenario);
    const contentType = headers.get('content-type') ?? '';
    sealed.push({ scenario, label, body, headers, view: await replayView(scenario, body, contentType) });
  }
});
afterAll(async () => {
  await gw.close();
});

/** Serves fixed bytes to the verifying fetch and the SDK; returns what the SDK shows and the verdict. */
async function judge(s: Sealed, body: string): Promise<{ view: unknown; verdict: FetchVerification | undefined }> {
  const results: FetchVerification[] = [];
  const verifying = createVerifyingFetch({
    trust: gw.jwks,
    onResult: (r) => results.push(r),
    fetch: (async () => new Response(body, { status: 200, headers: s.headers })) as typeof fetch,
  });
  const client = new OpenAI({ apiKey: gw.apiKey, baseURL: `${gw.url}/v1`, maxRetries: 0, fetch: verifying });
  const view = await sdkView(client, s.scenario);
  for (let i = 0; i < 50 && results.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  return { view, verdict: results[0] };
}

// ---- edits ----------------------------------------------------------------------------------------

/** One edit: a kind and numbers that pick where and what (reduced modulo what is there). */
interface Edit {
  readonly kind: string;
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

const BYTES = [' ', '\n', '\r', '\r\n', '"', ',', '}', ']', '{', 'x', '\\', '\uFEFF', 'data: [DONE]\n\n'];
const NAMES = [
  'output',
  'text',
  'message',
  'content',
  'audio',
  'annotations',
  'refusal',
  'tool_calls',
  'usage',
  'id',
  'object',
  'choices',
  'error',
  'type',
  'delta',
  'index',
  'signet',
  'output_text',
  'response',
];
const VALUES: unknown[] = [
  OTHER,
  '',
  null,
  false,
  0,
  1,
  '0',
  [],
  {},
  [{ type: 'output_text', text: OTHER }],
  [{ index: 0, message: { role: 'assistant', content: OTHER }, delta: { content: OTHER }, text: OTHER }],
  { content: OTHER },
  'chat.completion',
  'text_completion',
  'response',
  'chat.completion.chunk',
  'response.output_text.delta',
];
const WHITESPACE: ((s: string) => string)[] = [
  (s) => s.replace(' ', '  '),
  (s) => s.replace('  ', ' '),
  (s) => s.replace(' ', '\n'),
  (s) => s.replace('\n', ' '),
  (s) => s.replace('\t', ' '),
  (s) => s.replace(' ', '\uFEFF'),
  (s) => `${s} `,
  (s) => s.trim(),
  () => OTHER,
  (s) => s.slice(1),
];

/** Every object and array in a JSON value, with a way to reach it. */
function containers(v: unknown, out: (Json | unknown[])[] = []): (Json | unknown[])[] {
  if (v !== null && typeof v === 'object') {
    out.push(v as Json | unknown[]);
    for (const x of Object.values(v as Json)) containers(x, out);
  }
  return out;
}

/** Every (container, key) holding a string. */
function strings(v: unknown, out: [Json | unknown[], string][] = []): [Json | unknown[], string][] {
  if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v as Json)) {
      if (typeof x === 'string') out.push([v as Json, k]);
      else strings(x, out);
    }
  return out;
}

/** Applies a structural edit to a JSON text; returns undefined when it does not apply. */
function editJsonText(text: string, e: Edit): string | undefined {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return undefined;
  }
  const nodes = containers(root);
  const node = nodes[e.a % nodes.length] as Json | unknown[];
  const keys = Object.keys(node);
  switch (e.kind) {
    case 'delete-member': {
      if (keys.length === 0) return undefined;
      const k = keys[e.b % keys.length] as string;
      if (Array.isArray(node)) node.splice(Number(k), 1);
      else delete node[k];
      return JSON.stringify(root);
    }
    case 'add-member': {
      const value = structuredClone(VALUES[e.c % VALUES.length]);
      if (Array.isArray(node)) node.splice(e.b % (node.length + 1), 0, value);
      else node[NAMES[e.b % NAMES.length] as string] = value;
      return JSON.stringify(root);
    }
    case 'reorder-members': {
      if (keys.length < 2) return undefined;
      if (Array.isArray(node)) {
        const i = e.b % node.length;
        const j = e.c % node.length;
        [node[i], node[j]] = [node[j], node[i]];
      } else {
        const k = keys[e.b % keys.length] as string;
        const v = node[k];
        delete node[k];
        node[k] = v;
      }
      return JSON.stringify(root);
    }
    case 'duplicate-member': {
      // A repeated key, spelled in the text (JSON.parse keeps the last one).
      const all = strings(root);
      if (all.length === 0) return undefined;
      const [, k] = all[e.b % all.length] as [Json, string];
      if (/^\d+$/.test(k)) return undefined;
      const at = text.indexOf(`"${k}":`);
      if (at < 0) return undefined;
      return `${text.slice(0, at)}"${k}":${JSON.stringify(VALUES[e.c % VALUES.length])},${text.slice(at)}`;
    }
    case 'string': {
      const all = strings(root);
      if (all.length === 0) return undefined;
      const [holder, k] = all[e.b % all.length] as [Json, string];
      holder[k] = (WHITESPACE[e.c % WHITESPACE.length] as (s: string) => string)(holder[k] as string);
      return JSON.stringify(root);
    }
    case 'shape': {
      if (Array.isArray(root) || root === null || typeof root !== 'object') return undefined;
      const r = root as Json;
      const shapes = ['chat.completion', 'text_completion', 'response', 'chat.completion.chunk'];
      if (typeof r.type === 'string') r.type = ['response.output_text.delta', 'response.refusal.delta', 'keepalive', 'error'][e.c % 4];
      else r.object = shapes[e.c % shapes.length];
      return JSON.stringify(root);
    }
    default:
      return undefined;
  }
}

function editBytes(text: string, e: Edit): string {
  const at = e.a % (text.length + 1);
  if (e.kind === 'insert-bytes') return text.slice(0, at) + (BYTES[e.b % BYTES.length] as string) + text.slice(at);
  const len = 1 + (e.b % 4);
  if (e.kind === 'delete-bytes') return text.slice(0, at) + text.slice(at + len);
  return text.slice(0, at + len) + text.slice(at, at + len) + text.slice(at + len); // duplicate-bytes
}

function editEvents(events: string[], e: Edit): string[] {
  const n = events.length;
  const i = e.a % n;
  const j = e.b % n;
  const out = events.slice();
  switch (e.kind) {
    case 'delete-event':
      out.splice(i, 1);
      return out;
    case 'duplicate-event':
      out.splice(i, 0, events[i] as string);
      return out;
    case 'reorder-events':
      out[i] = events[j] as string;
      out[j] = events[i] as string;
      return out;
    case 'insert-event': {
      const base = dataOf(events[j] as string) ?? {};
      const foreign = [
        'data: [DONE]\n\n',
        `event: ping\n${withData('', base)}`,
        withData(events[j] as string, { ...base, type: 'response.output_text.delta', delta: OTHER }),
        withData(events[j] as string, { ...base, error: false }),
        ': keep-alive\n\n',
        `data: ${JSON.stringify(base)}\r\n\r\n`,
      ];
      out.splice(i, 0, foreign[e.c % foreign.length] as string);
      return out;
    }
    case 'line-endings':
      out[i] = (events[i] as string).replace(/\n/g, ['\r\n', '\r', '\n\n'][e.c % 3] as string);
      return out;
    default: {
      // A member or string edit inside the data of one event.
      const data = /^data: (.*)$/m.exec(events[i] as string)?.[1];
      if (data === undefined || data === '[DONE]') return out;
      const edited = editJsonText(data, e);
      if (edited === undefined) return out;
      out[i] = (events[i] as string).replace(data, () => edited);
      return out;
    }
  }
}

const JSON_KINDS = ['delete-member', 'add-member', 'reorder-members', 'duplicate-member', 'string', 'shape'];
const BYTE_KINDS = ['insert-bytes', 'delete-bytes', 'duplicate-bytes'];
const EVENT_KINDS = ['delete-event', 'duplicate-event', 'reorder-events', 'insert-event', 'line-endings'];

const edit = (kinds: string[]): fc.Arbitrary<Edit> =>
  fc.record({ kind: fc.constantFrom(...kinds), a: fc.nat(10_000), b: fc.nat(10_000), c: fc.nat(10_000) });

function applyEdits(s: Sealed, edits: Edit[]): string {
  if (!s.scenario.stream) {
    let text = s.body;
    for (const e of edits) text = BYTE_KINDS.includes(e.kind) ? editBytes(text, e) : (editJsonText(text, e) ?? text);
    return text;
  }
  let events = splitEvents(s.body);
  for (const e of edits) {
    if (BYTE_KINDS.includes(e.kind)) events = splitEvents(editBytes(events.join(''), e));
    else events = editEvents(events, e);
    if (events.length === 0) events = [''];
  }
  return events.join('');
}

describe('random edits of sealed answers', () => {
  it('every recorded answer verifies unedited (so the property below is not vacuous)', async () => {
    for (const s of sealed) {
      const { view, verdict } = await judge(s, s.body);
      expect(verdict?.valid, `${s.label}: ${verdict?.valid === false ? verdict.message : 'no verdict'}`).toBe(true);
      expect(sameView(view, s.view), s.label).toBe(true);
    }
  });

  it('never verify unless what the SDK shows is unchanged', async () => {
    const kinds = { json: [...JSON_KINDS, ...BYTE_KINDS], sse: [...JSON_KINDS, ...BYTE_KINDS, ...EVENT_KINDS] };
    let invalid = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(scenarios.length - 1), fc.array(edit(kinds.sse), { minLength: 1, maxLength: 3 }), async (which, edits) => {
        const s = sealed[which] as Sealed;
        const usable = s.scenario.stream ? edits : edits.filter((e) => kinds.json.includes(e.kind));
        const body = applyEdits(s, usable);
        const { view, verdict } = await judge(s, body);
        runs++;
        if (verdict?.valid !== true) invalid++;
        if (verdict?.valid === true && !sameView(view, s.view))
          throw new Error(
            `${s.label}: edits ${JSON.stringify(usable)} changed what the SDK shows and still verified\n${viewDiff(s.view, view)}`,
          );
      }),
      { numRuns: 500, seed: 9 },
    );
    // Most random edits change something visible: nearly all of them must have been refused.
    expect(invalid / runs).toBeGreaterThan(0.5);
  }, 60_000);
});
