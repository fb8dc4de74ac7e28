import OpenAI from 'openai';
import type { SseEvent } from '@signet/core';
import { createVerifyingFetch, type FetchVerification, type VerificationPolicy } from '@signet/verify';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTamperProxy, type TamperProxy } from '../support/tamper-proxy.js';

/**
 * The adversarial harness: the real `openai` client, with the verifying fetch, talks through a
 * tampering proxy (real HTTP on loopback) to a real gateway in front of the upstream stand-in.
 *
 * A case is judged by what the SDK shows, not by how the verifier works: the harness records the
 * bytes the gateway sent, replays them unchanged through a plain SDK client, and compares that with
 * what the verifying client's SDK returned from the tampered bytes. When the two differ, the
 * verification must be invalid, and a client with `throwOnFailure` must catch an error.
 */

/** The three OpenAI-compatible generation APIs. */
export type Api = 'chat' | 'completion' | 'response';

/** One request shape: which API, streamed or not, and which upstream model. */
export interface Scenario {
  readonly api: Api;
  readonly stream: boolean;
  /** Upstream model (default `local-model`; `annotated` and `audio` add more members). */
  readonly model?: string;
  /** Request members added to the SDK call (tools, stream_options ...). */
  readonly extra?: Record<string, unknown>;
}

/** What an earlier, untampered response of the same scenario looked like on the wire. */
export interface Donor {
  /** The body text (JSON) or the stream's events, decoded. */
  readonly body: string;
  readonly events: string[];
  readonly headers: Headers;
}

/** What the proxy does to one response. */
export interface Tampering {
  readonly name: string;
  /** Rewrites a whole JSON body (and may change its headers). */
  readonly body?: (text: string, headers: Headers, donor: Donor | undefined) => string;
  /** Rewrites the complete list of stream events, each the exact text of one event with its blank line. */
  readonly events?: (events: string[], donor: Donor | undefined) => string[];
  /** Runs the same scenario once untampered first and hands its wire form to the rewrite. */
  readonly donor?: boolean;
  /**
   * Whether the verdict must be invalid even when this SDK shows nothing different: the issue's
   * closed-world rules (a stream ends exactly with its carrier, and `[DONE]` for the completions
   * APIs; the seal covers the exact bytes before the carrier), which other readers rely on.
   */
  readonly always?: boolean;
}

/** The result of one tampered exchange. */
export interface Outcome {
  /** What a plain SDK shows for the bytes the gateway sent. */
  readonly before: unknown;
  /** What the verifying client's SDK shows for the tampered bytes. */
  readonly after: unknown;
  /** The verifying fetch's verdict (undefined when it gave none). */
  readonly verdict: FetchVerification | undefined;
  /** Whether the bytes the client received differ from what the gateway sent. */
  readonly changed: boolean;
  /** What the app saw with `throwOnFailure`: the error it caught, or undefined. */
  readonly strictError: unknown;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const QUESTION = 'Tell me something sealed';

/** The parameters of an SDK call for a scenario. */
function params(s: Scenario): Record<string, unknown> {
  const model = s.model ?? 'local-model';
  const base =
    s.api === 'chat'
      ? { model, messages: [{ role: 'user', content: QUESTION }] }
      : s.api === 'completion'
        ? { model, prompt: QUESTION }
        : { model, input: QUESTION };
  return { ...base, ...(s.extra ?? {}), ...(s.stream ? { stream: true } : {}) };
}

/** Calls the SDK method of a scenario's API. */
function call(client: OpenAI, s: Scenario): Promise<unknown> {
  const p = params(s) as never;
  if (s.api === 'chat') return client.chat.completions.create(p) as Promise<unknown>;
  if (s.api === 'completion') return client.completions.create(p) as Promise<unknown>;
  return client.responses.create(p) as Promise<unknown>;
}

function errorView(e: unknown): { thrown: string } {
  const err = e as { name?: string; message?: string };
  return { thrown: `${err?.name ?? 'Error'}: ${String(err?.message ?? e).slice(0, 200)}` };
}

/**
 * What the SDK shows for a scenario: the returned object, or for a stream every item its iterator
 * yielded, in order. An error the SDK throws is part of what it shows.
 */
export async function sdkView(client: OpenAI, s: Scenario): Promise<unknown> {
  if (!s.stream) {
    try {
      return JSON.parse(JSON.stringify(await call(client, s))) as unknown;
    } catch (e) {
      return errorView(e);
    }
  }
  const items: unknown[] = [];
  try {
    const stream = (await call(client, s)) as AsyncIterable<unknown>;
    for await (const item of stream) items.push(JSON.parse(JSON.stringify(item)) as unknown);
  } catch (e) {
    items.push(errorView(e));
  }
  return items;
}

/** Runs the SDK of a scenario over fixed bytes (no network, no verification): what a plain client shows. */
export function replayView(s: Scenario, body: string, contentType: string): Promise<unknown> {
  const client = new OpenAI({
    apiKey: 'replay',
    baseURL: 'http://replay.invalid/v1',
    maxRetries: 0,
    fetch: (async () => new Response(body, { status: 200, headers: { 'content-type': contentType } })) as typeof fetch,
  });
  return sdkView(client, s);
}

/** A view as `path = value` lines, so that a diff names the members that differ. */
function flatten(v: unknown, path = '', out: string[] = []): string[] {
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) out.push(`${path} = ${Array.isArray(v) ? '[]' : '{}'}`);
    for (const [k, x] of entries) flatten(x, `${path}${Array.isArray(v) ? `[${k}]` : `.${k}`}`, out);
  } else out.push(`${path} = ${JSON.stringify(v)}`);
  return out;
}

/** The members that differ between two views, for failure messages. */
export function viewDiff(before: unknown, after: unknown): string {
  const a = flatten(before);
  const b = flatten(after);
  const inA = new Set(a);
  const inB = new Set(b);
  const gone = a.filter((l) => !inB.has(l)).map((l) => `  - ${l.slice(0, 200)}`);
  const added = b.filter((l) => !inA.has(l)).map((l) => `  + ${l.slice(0, 200)}`);
  const lines = [...gone.slice(0, 10), ...added.slice(0, 10)];
  if (gone.length + added.length > lines.length) lines.push(`  ... ${gone.length + added.length - lines.length} more`);
  return lines.length === 0 ? '  (no visible difference)' : lines.join('\n');
}

export function sameView(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Waits (briefly) for the verdict of the last response. */
async function verdictOf(results: FetchVerification[], from: number): Promise<FetchVerification | undefined> {
  for (let i = 0; i < 100 && results.length <= from; i++) await new Promise((r) => setTimeout(r, 20));
  return results[from];
}

export interface Harness {
  readonly gw: TestGateway;
  readonly proxy: TamperProxy;
  /** Runs a scenario through the proxy with a tampering and reports what happened (default policy unless given). */
  run(s: Scenario, t: Tampering, policy?: VerificationPolicy): Promise<Outcome>;
  /** A verifying client with a given policy (for policy-dependent cases). */
  client(options?: { policy?: VerificationPolicy; throwOnFailure?: boolean }): { client: OpenAI; results: FetchVerification[] };
  close(): Promise<void>;
}

/** Starts the gateway, its upstream and the tampering proxy. */
export async function startHarness(): Promise<Harness> {
  const gw = await startTestGateway();
  const proxy = await startTamperProxy(gw.url);

  const makeClient = (options: { policy?: VerificationPolicy; throwOnFailure?: boolean } = {}) => {
    const results: FetchVerification[] = [];
    const client = new OpenAI({
      apiKey: gw.apiKey,
      baseURL: `${proxy.url}/v1`,
      maxRetries: 0,
      fetch: createVerifyingFetch({
        trust: gw.jwks,
        ...(options.policy === undefined ? {} : { policy: options.policy }),
        ...(options.throwOnFailure === true ? { throwOnFailure: true } : {}),
        onResult: (r) => results.push(r),
      }),
    });
    return { client, results };
  };
  const clients = new Map<string, { lenient: ReturnType<typeof makeClient>; strict: ReturnType<typeof makeClient> }>();
  const clientsFor = (policy: VerificationPolicy | undefined) => {
    const key = JSON.stringify(policy ?? null);
    let c = clients.get(key);
    if (c === undefined) {
      c = {
        lenient: makeClient(policy === undefined ? {} : { policy }),
        strict: makeClient({ throwOnFailure: true, ...(policy === undefined ? {} : { policy }) }),
      };
      clients.set(key, c);
    }
    return c;
  };
  const { lenient } = clientsFor(undefined);

  /** Sets the proxy to apply a tampering once and to record the original and sent wire forms. */
  const arm = (t: Tampering, donor: Donor | undefined) => {
    const wire = { original: '', sent: '', type: '', headers: new Headers() };
    let buffered: SseEvent[] = [];
    proxy.tamper = {
      body: (text, headers) => {
        wire.original = text;
        wire.type = headers.get('content-type') ?? 'application/json';
        wire.headers = new Headers(headers);
        wire.sent = t.body === undefined ? text : t.body(text, headers, donor);
        return wire.sent;
      },
      events: (events, end) => {
        // The whole stream is collected and rewritten at its end, so a tampering sees every event.
        buffered = buffered.concat(events);
        if (!end) return [];
        const texts = buffered.map((ev) => decoder.decode(ev.raw));
        wire.original = texts.join('');
        wire.type = 'text/event-stream';
        const out = t.events === undefined ? texts : t.events(texts, donor);
        wire.sent = out.join('');
        return out.map((e) => encoder.encode(e));
      },
    };
    return wire;
  };

  const capture = async (s: Scenario): Promise<Donor> => {
    const wire = arm({ name: 'donor' }, undefined);
    await sdkView(lenient.client, s);
    const events = s.stream ? splitEvents(wire.original) : [];
    return { body: wire.original, events, headers: wire.headers };
  };

  return {
    gw,
    proxy,
    client: makeClient,
    async run(s, t, policy) {
      const { lenient, strict } = clientsFor(policy);
      const donor = t.donor === true ? await capture(s) : undefined;
      const from = lenient.results.length;
      const wire = arm(t, donor);
      const after = await sdkView(lenient.client, s);
      const verdict = await verdictOf(lenient.results, from);
      const before = await replayView(s, wire.original, wire.type);
      const changed = wire.sent !== wire.original;
      // The same tampering against a client that throws on failure (a fresh response).
      const strictDonor = t.donor === true ? await capture(s) : undefined;
      arm(t, strictDonor);
      let strictError: unknown;
      if (!s.stream) await call(strict.client, s).catch((e: unknown) => (strictError = e));
      else
        try {
          for await (const _ of (await call(strict.client, s)) as AsyncIterable<unknown>) void _;
        } catch (e) {
          strictError = e;
        }
      proxy.tamper = {};
      return { before, after, verdict, changed, strictError };
    },
    async close() {
      await proxy.close();
      await gw.close();
    },
  };
}

/** Splits a stream's text into its events, each with the blank line that ends it (LF streams). */
export function splitEvents(text: string): string[] {
  return text.split(/(?<=\n\n)/).filter((e) => e.length > 0);
}

/** The JSON data of an event (`data:` line), or undefined. */
export function dataOf(event: string): Record<string, unknown> | undefined {
  const m = /^data: (.*)$/m.exec(event);
  if (m === null || m[1] === '[DONE]') return undefined;
  try {
    return JSON.parse(m[1] as string) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Rebuilds an event with new data, keeping its `event:` line. */
export function withData(event: string, data: unknown): string {
  const name = /^event: (.*)$/m.exec(event)?.[1];
  return `${name === undefined ? '' : `event: ${name}\n`}data: ${JSON.stringify(data)}\n\n`;
}

/** Whether an event carries the seal. */
export const isCarrier = (event: string): boolean => dataOf(event)?.signet !== undefined;
export const isDone = (event: string): boolean => event.startsWith('data: [DONE]');

/** Index of the n-th event (0-based) matching a test. */
export function nth(events: string[], test: (e: string) => boolean, n = 0): number {
  let seen = 0;
  for (let i = 0; i < events.length; i++) if (test(events[i] as string) && seen++ === n) return i;
  throw new Error('the stream has no such event');
}

/** Changes the data of the event at `i`. */
export function editAt(events: string[], i: number, change: (data: Record<string, unknown>) => unknown): string[] {
  const out = events.slice();
  out[i] = withData(out[i] as string, change(structuredClone(dataOf(out[i] as string) as Record<string, unknown>)));
  return out;
}

/** Inserts events before index `i`. */
export function insertAt(events: string[], i: number, ...added: string[]): string[] {
  return [...events.slice(0, i), ...added, ...events.slice(i)];
}

/** Rewrites a JSON body: parse, change, serialize (member order is kept, new members go last). */
export function editJson(text: string, change: (body: Record<string, unknown>) => void): string {
  const body = JSON.parse(text) as Record<string, unknown>;
  change(body);
  return JSON.stringify(body);
}

/** Puts members before the `signet` carrier, where a gateway-appended carrier would still come last. */
export function beforeCarrier(body: Record<string, unknown>, members: Record<string, unknown>): Record<string, unknown> {
  const { signet, ...rest } = body;
  return { ...rest, ...members, ...(signet === undefined ? {} : { signet }) };
}

/** Replaces a JSON body's members in place (keeping the same object, so editJson sees it). */
export function replaceAll(body: Record<string, unknown>, next: Record<string, unknown>): void {
  for (const k of Object.keys(body)) delete body[k];
  Object.assign(body, next);
}

export const OTHER = 'Send your password to evil.example';
