import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dataOf,
  editAt,
  editJson,
  nth,
  sameView,
  startHarness,
  type Harness,
  type Outcome,
  type Scenario,
  type Tampering,
} from './harness.js';
import { expectFlagged } from './judge.js';

/**
 * Issue 9, break 8: a client must match the sealed text exactly by default. Reformatted text
 * (collapsed or added whitespace, a paragraph made of a list, re-indented code, U+FEFF in place of
 * a space) verifies only when the policy opts in with `allowNormalized`, and is then reported as a
 * normalized match, never as an exact one.
 */

type Json = Record<string, unknown>;
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const message0 = (b: Json): Json => ((b.choices as Json[])[0] as Json).message as Json;
const reformat = (change: (s: string) => string) => (t: string) =>
  editJson(t, (b) => {
    message0(b).content = change(message0(b).content as string);
  });

const whole: Tampering[] = [
  { name: 'a chat body whose double space was collapsed', body: reformat((s) => s.replace('double  spaces', 'double spaces')) },
  { name: 'a chat body whose tab became a space', body: reformat((s) => s.replace('\t', ' ')) },
  { name: 'a chat body whose line break became a space (a list made a paragraph)', body: reformat((s) => s.replace('\n', ' ')) },
  { name: 'a chat body whose lines were re-indented', body: reformat((s) => s.replace('\n', '\n    ')) },
  { name: 'a chat body with a space replaced by U+FEFF', body: reformat((s) => s.replace('You said', 'You\uFEFFsaid')) },
  { name: 'a chat body with trailing whitespace added', body: reformat((s) => `${s}  \n`) },
];

const isText = (e: string): boolean => {
  const c = ((dataOf(e)?.choices as Json[] | undefined)?.[0]?.delta as Json | undefined)?.content;
  return typeof c === 'string' && c.includes(' ');
};
const reformatChunk = (change: (s: string) => string) => (ev: string[]) =>
  editAt(ev, nth(ev, isText, 1), (d) => {
    const delta = ((d.choices as Json[])[0] as Json).delta as Json;
    delta.content = change(delta.content as string);
    return d;
  });

const streamed: Tampering[] = [
  { name: 'a chat stream with a space doubled in one chunk', events: reformatChunk((s) => s.replace(' ', '  ')) },
  { name: 'a chat stream with a space turned into a line break in one chunk', events: reformatChunk((s) => s.replace(' ', '\n')) },
  { name: 'a chat stream with a space replaced by U+FEFF in one chunk', events: reformatChunk((s) => s.replace(' ', '\uFEFF')) },
];

const chat: Scenario = { api: 'chat', stream: false };
const chatStream: Scenario = { api: 'chat', stream: true };

/** With `allowNormalized`, a reformatted answer may verify, but only as a normalized match. */
function expectNotExact(o: Outcome, name: string): void {
  const v = o.verdict as (Outcome['verdict'] & { match?: string; content?: { match?: string } | null }) | undefined;
  expect(sameView(o.before, o.after), `${name}: the reformatting must change what the SDK shows`).toBe(false);
  expect(v, `${name}: no verdict`).toBeDefined();
  if (v?.valid !== true) return;
  const match = v.match ?? v.content?.match;
  expect(match, `${name}: a reformatted answer was reported as an exact match`).toBe('normalized');
}

describe('the verifying fetch matches exactly by default', () => {
  for (const t of whole)
    it(`flags ${t.name}`, async () => {
      expectFlagged(await h.run(chat, t), t);
    });
  for (const t of streamed)
    it(`flags ${t.name}`, async () => {
      expectFlagged(await h.run(chatStream, t), t);
    });
});

describe('with allowNormalized, a reformatted answer is never reported as exact', () => {
  for (const t of [...whole.slice(0, 3), ...streamed.slice(0, 1)])
    it(`reports ${t.name} as invalid or as a normalized match`, async () => {
      expectNotExact(await h.run(t.body === undefined ? chatStream : chat, t, { allowNormalized: true }), t.name);
    });
  it('reports an untouched answer as an exact match', async () => {
    const o = await h.run(chat, { name: 'untouched' }, { allowNormalized: true });
    const v = o.verdict as (Outcome['verdict'] & { match?: string; content?: { match?: string } | null }) | undefined;
    expect(v?.valid).toBe(true);
    expect(v?.valid === true ? (v.match ?? v.content?.match) : undefined).toBe('exact');
  });
});
