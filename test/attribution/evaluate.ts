import { generateSigningKey, NO_AI_TRAINING, type SigningKey } from '@signet/core';
import type { AttributionOptions, Registry } from '@signet/registry';
import { createSigner } from '@signet/server';
import { FAMILIES, FOREIGN, makeAnswer, seeded, shuffle, textOf, unrelated, type Answer, type Family } from './corpus.js';

/**
 * The attribution evaluation: seals a seeded corpus into a real registry, builds labelled suspects
 * from it, runs an attributor over them and tabulates, per suspect family, how often the right
 * account is named, an innocent account is named, or nobody is.
 */

/** The suspect families, in table order. */
export const SUSPECT_FAMILIES = [
  'verbatim',
  'markdown-stripped',
  'sentence-shuffled',
  'excerpt-30',
  'excerpt-15',
  'sentences-1-2',
  'blog-whole',
  'blog-passage-30-50',
  'edits-10',
  'edits-25',
  'code-renamed',
  'joined-two',
  'never-sealed-same-template',
  'unrelated',
] as const;
export type SuspectFamily = (typeof SUSPECT_FAMILIES)[number];

export interface Suspect {
  readonly family: SuspectFamily;
  readonly text: string;
  /** The accounts that received the source answers; empty for texts that were never sealed. */
  readonly truth: readonly string[];
}

export interface SealedAnswer {
  readonly id: string;
  readonly account: string;
  readonly answer: Answer;
}

export interface CorpusOptions {
  readonly seed: number;
  /** Sealed answers. */
  readonly answers: number;
  readonly accounts: number;
  /** Suspects per family. */
  readonly perFamily: number;
}

export interface Corpus {
  readonly sealed: SealedAnswer[];
  readonly suspects: Suspect[];
}

const words = (t: string): string[] => t.split(/(\s+)/);

/** A contiguous run of about `share` of the text's words. */
function excerpt(r: () => number, text: string, share: number): string {
  const ws = text.split(/\s+/).filter((w) => w.length > 0);
  const n = Math.max(1, Math.round(ws.length * share));
  const start = Math.floor(r() * (ws.length - n + 1));
  return ws.slice(start, start + n).join(' ');
}

function stripMarkdown(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^\s*\|?\s*-{3}/.test(l) && !l.startsWith('```'))
    .map((l) =>
      l
        .replace(/^#+\s*/, '')
        .replace(/^\s*(\d+\.|[-*])\s+/, '')
        .replace(/\*\*|`/g, '')
        .replace(/\s*\|\s*/g, ' ')
        .trim(),
    )
    .join('\n');
}

const FILLERS = ['really', 'also', 'usually', 'quite', 'often', 'very', 'just'];
const SUBSTITUTES = ['thing', 'part', 'amount', 'kind', 'area', 'piece', 'element', 'item', 'way', 'point', 'unit', 'aspect'];

/** Edits about `rate` of the words: substitutions, deletions and insertions in equal parts. */
function edit(r: () => number, text: string, rate: number): string {
  const out: string[] = [];
  for (const token of words(text)) {
    if (/^\s*$/.test(token) || r() >= rate) {
      out.push(token);
      continue;
    }
    const k = r();
    if (k < 1 / 3) out.push(SUBSTITUTES[Math.floor(r() * SUBSTITUTES.length)] as string);
    else if (k < 2 / 3) out.push('');
    else out.push(`${FILLERS[Math.floor(r() * FILLERS.length)] as string} ${token}`);
  }
  return out.join('').replace(/ {2,}/g, ' ');
}

function rename(r: () => number, answer: Answer): string {
  let text = textOf(answer);
  for (const id of answer.idents) {
    const fresh = `${FOREIGN[Math.floor(r() * FOREIGN.length)]!.replace(/-/g, '')}${Math.floor(r() * 90 + 10)}`;
    text = text.replace(new RegExp(`\\b${id}\\b`, 'g'), fresh);
  }
  return text;
}

function blog(r: () => number, body: string): string {
  return `${unrelated(r, 3)}\n\n${body}\n\n${unrelated(r, 2)}`;
}

/** Builds the sealed answers and the labelled suspects of one seeded corpus. */
export function buildCorpus(o: CorpusOptions): Corpus {
  const r = seeded(o.seed);
  const sealed: SealedAnswer[] = [];
  const seen = new Set<string>();
  const norm = (t: string): string => t.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ');
  while (sealed.length < o.answers) {
    const answer = makeAnswer(r, FAMILIES[sealed.length % FAMILIES.length] as Family);
    const key = norm(textOf(answer));
    if (seen.has(key)) continue;
    seen.add(key);
    sealed.push({ id: `chatcmpl-eval-${sealed.length}`, account: `acct-${Math.floor(r() * o.accounts)}`, answer });
  }
  const any = (): SealedAnswer => sealed[Math.floor(r() * sealed.length)] as SealedAnswer;
  // Excerpts and sentence picks come from answers long enough to have them.
  const long = sealed.filter((s) => s.answer.family !== 'fact');
  const longOne = (): SealedAnswer => long[Math.floor(r() * long.length)] as SealedAnswer;
  const code = sealed.filter((s) => s.answer.family === 'code');
  const suspects: Suspect[] = [];
  const add = (family: SuspectFamily, text: string, truth: readonly string[]): void => void suspects.push({ family, text, truth });
  for (let i = 0; i < o.perFamily; i++) {
    let s = any();
    add('verbatim', textOf(s.answer), [s.account]);
    s = any();
    add('markdown-stripped', stripMarkdown(textOf(s.answer)), [s.account]);
    s = longOne();
    add('sentence-shuffled', shuffle(r, [...s.answer.units]).join(s.answer.joiner), [s.account]);
    s = longOne();
    add('excerpt-30', excerpt(r, textOf(s.answer), 0.3), [s.account]);
    s = longOne();
    add('excerpt-15', excerpt(r, textOf(s.answer), 0.15), [s.account]);
    s = longOne();
    const units = s.answer.units.filter((u) => u.split(/\s+/).length >= 6);
    const n = 1 + Math.floor(r() * 2);
    const at = Math.floor(r() * Math.max(1, units.length - n + 1));
    add('sentences-1-2', units.slice(at, at + n).join(' '), [s.account]);
    s = any();
    add('blog-whole', blog(r, textOf(s.answer)), [s.account]);
    s = longOne();
    add('blog-passage-30-50', blog(r, excerpt(r, textOf(s.answer), 0.3 + r() * 0.2)), [s.account]);
    s = any();
    add('edits-10', edit(r, textOf(s.answer), 0.1), [s.account]);
    s = any();
    add('edits-25', edit(r, textOf(s.answer), 0.25), [s.account]);
    s = code[Math.floor(r() * code.length)] as SealedAnswer;
    add('code-renamed', rename(r, s.answer), [s.account]);
    s = longOne();
    let t = longOne();
    while (t.account === s.account) t = longOne();
    add('joined-two', `${excerpt(r, textOf(s.answer), 0.4 + r() * 0.3)}\n\n${excerpt(r, textOf(t.answer), 0.4 + r() * 0.3)}`, [
      s.account,
      t.account,
    ]);
    let fresh = makeAnswer(r, FAMILIES[i % FAMILIES.length] as Family);
    while (seen.has(norm(textOf(fresh)))) fresh = makeAnswer(r, FAMILIES[i % FAMILIES.length] as Family);
    add('never-sealed-same-template', textOf(fresh), []);
    add('unrelated', unrelated(r), []);
  }
  return { sealed, suspects };
}

/** Seals every answer of the corpus with a fresh provider key and records it in `registry`. */
export async function sealInto(registry: Registry, corpus: Corpus, accountSecret: Uint8Array): Promise<void> {
  await sealTexts(
    registry,
    corpus.sealed.map((s) => ({ id: s.id, account: s.account, text: textOf(s.answer) })),
    accountSecret,
  );
}

/** Seals texts as chat completions for their accounts and records them in `registry`, in order. */
export async function sealTexts(
  registry: Registry,
  items: readonly { id: string; account: string; text: string }[],
  accountSecret: Uint8Array,
  key: SigningKey = generateSigningKey(),
): Promise<void> {
  const signer = createSigner({
    issuer: 'https://api.example.com',
    key,
    accountSecret,
    terms: { id: 'example-terms', version: '2026-01', uri: 'https://api.example.com/terms', document: 'terms', usage: NO_AI_TRAINING },
  });
  const batch: Parameters<Registry['recordMany']>[0][number][] = [];
  for (const s of items) {
    const response = {
      id: s.id,
      object: 'chat.completion',
      created: 1_760_000_000,
      model: 'example-model-1',
      choices: [{ index: 0, message: { role: 'assistant', content: s.text }, finish_reason: 'stop' }],
    };
    const sealed = await signer.seal({ account: s.account, response });
    batch.push({ sealed, input: { account: s.account, response } });
  }
  await registry.recordMany(batch);
}

/** What an attributor says about one suspect: the accounts it names (none when it names nobody). */
export interface Said {
  readonly accounts: readonly string[];
  /** It declined because the text is too short to carry evidence. */
  readonly tooShort?: boolean;
}

export interface Row {
  readonly family: SuspectFamily;
  readonly total: number;
  /** Only accounts that received the text were named (for joined texts: all of them). */
  readonly right: number;
  /** Joined texts only: one of the two accounts named, nobody else. */
  readonly partial: number;
  /** An account that never received the text was named. */
  readonly wrong: number;
  readonly none: number;
  /** Of `none`: declined as too short. */
  readonly tooShort: number;
}

/** What the registry says: every account it names, tied ones included (naming them is accusing them). */
export async function said(registry: Registry, text: string, options: AttributionOptions = {}): Promise<Said> {
  const a = await registry.assess(text, options);
  return { accounts: a.accounts.map((x) => x.accountId), tooShort: a.kind === 'too-short' };
}

/** Runs the attributor over every suspect and tabulates by family. */
export async function evaluate(corpus: Corpus, attribute: (text: string) => Promise<Said>): Promise<Row[]> {
  const rows = new Map<SuspectFamily, { total: number; right: number; partial: number; wrong: number; none: number; tooShort: number }>();
  for (const f of SUSPECT_FAMILIES) rows.set(f, { total: 0, right: 0, partial: 0, wrong: 0, none: 0, tooShort: 0 });
  for (const s of corpus.suspects) {
    const row = rows.get(s.family)!;
    const said = await attribute(s.text);
    row.total++;
    const named = new Set(said.accounts);
    if (named.size === 0) {
      row.none++;
      if (said.tooShort === true) row.tooShort++;
    } else if ([...named].some((a) => !s.truth.includes(a))) row.wrong++;
    else if (s.truth.every((a) => named.has(a))) row.right++;
    else row.partial++;
  }
  return SUSPECT_FAMILIES.map((family) => ({ family, ...rows.get(family)! }));
}

const pct = (n: number, total: number): string => (total === 0 ? '-' : `${((100 * n) / total).toFixed(1)}%`);

/** The table as markdown: per family, right, wrong and no attribution as shares of its suspects. */
export function formatTable(rows: readonly Row[]): string {
  const lines = [
    '| Suspect family | n | Right account | Wrong account | No attribution (too short) |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const negative = r.family === 'never-sealed-same-template' || r.family === 'unrelated';
    const right = negative ? '-' : `${pct(r.right, r.total)}${r.partial > 0 ? ` (+${pct(r.partial, r.total)} one of two)` : ''}`;
    lines.push(
      `| ${r.family} | ${r.total} | ${right} | ${pct(r.wrong, r.total)} | ${pct(r.none, r.total)} (${pct(r.tooShort, r.total)}) |`,
    );
  }
  return lines.join('\n');
}
