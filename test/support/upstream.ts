import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local model server that speaks the OpenAI wire protocol over real HTTP on 127.0.0.1: chat
 * completions (JSON and SSE, tool calls, refusals, n > 1), legacy completions, and the Responses API
 * (JSON and its typed SSE events). Its answers are deterministic, and the same request gets the same
 * content streamed or not, so tests can compare the two.
 *
 * Special models trigger failures: `fail-500` answers 500; `cut-halfway` ends the stream halfway
 * without finishing; `reset-halfway` drops the connection halfway; `slow` waits `slowMs` between
 * chunks; `refuse` answers with a refusal; `not-json` answers 200 text/plain. Hanging upstreams:
 * `hang-headers` never answers; `hang-halfway` streams half and then goes silent (connection open);
 * `slow-headers` sends its headers after `slowMs`.
 *
 * Special models also produce members a client displays besides the text, so tests can check that
 * they are sealed: `annotated` adds a URL citation (chat and Responses API); `audio` adds a chat
 * audio member (its transcript is the text).
 */

export interface UpstreamRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

export interface Upstream {
  readonly url: string;
  readonly requests: UpstreamRequest[];
  /** Streams whose client went away before the end. */
  readonly aborted: number;
  close(): Promise<void>;
}

export interface UpstreamOptions {
  /** Delay between chunks of the `slow` model, ms (default 150). */
  readonly slowMs?: number;
  /** Delay between chunks of every stream, ms (default 0). */
  readonly chunkDelayMs?: number;
  /** Number of words in an answer (default 24). */
  readonly words?: number;
  /** Keep no request log (load tests). */
  readonly quiet?: boolean;
}

type Json = Record<string, unknown>;

const WORDS = [
  'Sealed',
  'answers',
  'travel',
  'with',
  'their',
  'envelope:',
  'café',
  'naïve',
  'déjà-vu,',
  'über',
  '—',
  '日本語',
  'text',
  'and',
  'emoji',
  '🙂',
  'survive',
  'streaming.',
  'Tabs\tand',
  'double  spaces',
  'stay',
  'exact.',
  'Line\nbreaks',
  'too.',
];

function lastUserText(body: Json): string {
  const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : [];
  const last = messages.filter((m) => m.role === 'user').pop();
  if (typeof last?.content === 'string') return last.content;
  if (typeof body.prompt === 'string') return body.prompt;
  if (typeof body.input === 'string') return body.input;
  return '';
}

/** The answer text for a request and choice: deterministic. */
export function answerText(body: Json, choice = 0, words = 24): string {
  const prompt = lastUserText(body).slice(0, 40);
  const out: string[] = [`[${choice}] You said "${prompt}".`];
  for (let i = 0; i < words; i++) out.push(WORDS[(i + choice) % WORDS.length] as string);
  return out.join(' ');
}

/** Cuts text into stream pieces of a few characters, never splitting a surrogate pair. */
export function pieces(text: string, size = 7): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

function wantsTool(body: Json): { name: string } | undefined {
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]) : [];
  const first = tools[0];
  if (first === undefined) return undefined;
  const fn = (first.function as Json | undefined)?.name ?? first.name;
  return typeof fn === 'string' ? { name: fn } : undefined;
}

/** Tool-call ids depend on the question only, so a streamed and a whole answer to it are identical. */
function callId(body: Json): string {
  let h = 2166136261;
  for (const ch of lastUserText(body)) h = Math.imul(h ^ (ch.codePointAt(0) as number), 16777619) >>> 0;
  return h.toString(36);
}

function toolArguments(body: Json): string {
  return JSON.stringify({ location: lastUserText(body).slice(0, 20) || 'Paris', unit: 'celsius', note: 'naïve "quoted" \\ text' });
}

let seq = 0;
const nextId = (prefix: string): string => `${prefix}${(++seq).toString(36).padStart(6, '0')}${Math.random().toString(36).slice(2, 8)}`;

/** The URL citation that the `annotated` model adds to its answers. */
export const CITATION = { url: 'https://example.org/source', title: 'Source', start_index: 0, end_index: 10 };
/** The audio member that the `audio` model adds to its chat answers, without the transcript. */
export const AUDIO = { id: 'audio_local', data: 'UklGRiQAAABXQVZF', expires_at: 1_900_000_000 };

function chatCompletion(body: Json, model: string, id: string, created: number, words: number): Json {
  const n = typeof body.n === 'number' ? body.n : 1;
  const tool = wantsTool(body);
  const choices = [];
  for (let i = 0; i < n; i++) {
    if (model === 'refuse') {
      choices.push({
        index: i,
        message: { role: 'assistant', content: null, refusal: `I can't help with that (${i}).`, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      });
    } else if (tool !== undefined) {
      choices.push({
        index: i,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          annotations: [],
          tool_calls: [
            { id: `call_${callId(body)}_${i}`, type: 'function', function: { name: tool.name, arguments: toolArguments(body) } },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      });
    } else {
      choices.push({
        index: i,
        message: {
          role: 'assistant',
          content: answerText(body, i, words),
          refusal: null,
          annotations: model === 'annotated' ? [{ type: 'url_citation', url_citation: CITATION }] : [],
          ...(model === 'audio' ? { audio: { ...AUDIO, transcript: answerText(body, i, words) } } : {}),
        },
        logprobs: null,
        finish_reason: 'stop',
      });
    }
  }
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    choices,
    usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 },
    service_tier: 'default',
    system_fingerprint: 'fp_local',
  };
}

/** The chunks of a streamed chat completion (as objects), interleaving choices like the real API. */
function chatChunks(body: Json, model: string, id: string, created: number, words: number): Json[] {
  const whole = chatCompletion(body, model, id, created, words);
  const base = { id, object: 'chat.completion.chunk', created, model, service_tier: 'default', system_fingerprint: 'fp_local' };
  const perChoice = (whole.choices as Json[]).map((c) => {
    const m = c.message as Json;
    const index = c.index as number;
    const deltas: Json[] = [];
    if (typeof m.refusal === 'string') {
      deltas.push({ role: 'assistant', content: null, refusal: '' });
      for (const p of pieces(m.refusal)) deltas.push({ refusal: p });
    } else if (Array.isArray(m.tool_calls)) {
      const call = m.tool_calls[0] as Json;
      const fn = call.function as Json;
      deltas.push({
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: fn.name, arguments: '' } }],
      });
      for (const p of pieces(fn.arguments as string, 5)) deltas.push({ tool_calls: [{ index: 0, function: { arguments: p } }] });
    } else {
      deltas.push({ role: 'assistant', content: '', refusal: null });
      for (const p of pieces(m.content as string)) deltas.push({ content: p });
      if (Array.isArray(m.annotations) && m.annotations.length > 0) deltas.push({ annotations: m.annotations });
      if (m.audio !== undefined) deltas.push({ audio: m.audio });
    }
    return deltas
      .map((delta) => ({ index, delta, logprobs: null, finish_reason: null }))
      .concat([{ index, delta: {}, logprobs: null, finish_reason: c.finish_reason as never }]);
  });
  const chunks: Json[] = [];
  const longest = Math.max(...perChoice.map((p) => p.length));
  for (let i = 0; i < longest; i++) for (const p of perChoice) if (p[i] !== undefined) chunks.push({ ...base, choices: [p[i]] });
  const options = body.stream_options as Json | undefined;
  if (options?.include_usage === true) chunks.push({ ...base, choices: [], usage: whole.usage });
  return chunks;
}

function completion(body: Json, model: string, id: string, created: number, words: number): Json {
  const n = typeof body.n === 'number' ? body.n : 1;
  const choices = [];
  for (let i = 0; i < n; i++) choices.push({ text: answerText(body, i, words), index: i, logprobs: null, finish_reason: 'stop' });
  return {
    id,
    object: 'text_completion',
    created,
    model,
    choices,
    usage: { prompt_tokens: 5, completion_tokens: 12, total_tokens: 17 },
    system_fingerprint: 'fp_local',
  };
}

function completionChunks(body: Json, model: string, id: string, created: number, words: number): Json[] {
  const whole = completion(body, model, id, created, words);
  const chunks: Json[] = [];
  for (const c of whole.choices as Json[]) {
    for (const p of pieces(c.text as string))
      chunks.push({
        id,
        object: 'text_completion',
        created,
        model,
        choices: [{ text: p, index: c.index, logprobs: null, finish_reason: null }],
      });
    chunks.push({
      id,
      object: 'text_completion',
      created,
      model,
      choices: [{ text: '', index: c.index, logprobs: null, finish_reason: 'stop' }],
    });
  }
  return chunks;
}

function responseObject(body: Json, model: string, id: string, created: number, words: number, status: 'in_progress' | 'completed'): Json {
  const tool = wantsTool(body);
  const output: Json[] = [];
  if (status === 'completed') {
    if (tool !== undefined)
      output.push({
        type: 'function_call',
        id: `fc_${callId(body)}`,
        call_id: `call_${callId(body)}`,
        name: tool.name,
        arguments: toolArguments(body),
        status: 'completed',
      });
    else
      output.push({
        type: 'message',
        id: `msg_${id}`,
        status: 'completed',
        role: 'assistant',
        content: [
          {
            type: 'output_text',
            text: answerText(body, 0, words),
            annotations: model === 'annotated' ? [{ type: 'url_citation', ...CITATION }] : [],
            logprobs: [],
          },
        ],
      });
  }
  return {
    id,
    object: 'response',
    created_at: created,
    status,
    error: null,
    incomplete_details: null,
    instructions: null,
    model,
    output,
    parallel_tool_calls: true,
    temperature: 1,
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    usage:
      status === 'completed'
        ? {
            input_tokens: 8,
            output_tokens: 12,
            total_tokens: 20,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens_details: { reasoning_tokens: 0 },
          }
        : null,
    metadata: {},
  };
}

/** The typed events of a streamed Responses-API answer, as [event name, data] pairs. */
function responseEvents(body: Json, model: string, id: string, created: number, words: number): Json[] {
  const done = responseObject(body, model, id, created, words, 'completed');
  const events: Json[] = [];
  const add = (e: Json): void => {
    events.push({ ...e, sequence_number: events.length });
  };
  add({ type: 'response.created', response: responseObject(body, model, id, created, words, 'in_progress') });
  add({ type: 'response.in_progress', response: responseObject(body, model, id, created, words, 'in_progress') });
  const item = (done.output as Json[])[0] as Json;
  if (item.type === 'function_call') {
    add({ type: 'response.output_item.added', output_index: 0, item: { ...item, arguments: '', status: 'in_progress' } });
    for (const p of pieces(item.arguments as string, 5))
      add({ type: 'response.function_call_arguments.delta', item_id: item.id, output_index: 0, delta: p });
    add({ type: 'response.function_call_arguments.done', item_id: item.id, output_index: 0, arguments: item.arguments });
    add({ type: 'response.output_item.done', output_index: 0, item });
  } else {
    const part = (item.content as Json[])[0] as Json;
    add({ type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', content: [] } });
    add({
      type: 'response.content_part.added',
      item_id: item.id,
      output_index: 0,
      content_index: 0,
      part: { ...part, text: '', annotations: [] },
    });
    for (const p of pieces(part.text as string))
      add({ type: 'response.output_text.delta', item_id: item.id, output_index: 0, content_index: 0, delta: p, logprobs: [] });
    (part.annotations as Json[]).forEach((annotation, annotation_index) => {
      add({
        type: 'response.output_text.annotation.added',
        item_id: item.id,
        output_index: 0,
        content_index: 0,
        annotation_index,
        annotation,
      });
    });
    add({ type: 'response.output_text.done', item_id: item.id, output_index: 0, content_index: 0, text: part.text, logprobs: [] });
    add({ type: 'response.content_part.done', item_id: item.id, output_index: 0, content_index: 0, part });
    add({ type: 'response.output_item.done', output_index: 0, item });
  }
  add({ type: 'response.completed', response: done });
  return events;
}

/** The non-streamed and streamed forms of an answer, for tests that compare them directly. */
export function wireForms(path: string, body: Json, id = 'test-id', created = 1_760_000_000, words = 24): { whole: Json; chunks: Json[] } {
  const model = typeof body.model === 'string' ? body.model : 'local-model';
  if (path.endsWith('/chat/completions'))
    return { whole: chatCompletion(body, model, id, created, words), chunks: chatChunks(body, model, id, created, words) };
  if (path.endsWith('/responses'))
    return { whole: responseObject(body, model, id, created, words, 'completed'), chunks: responseEvents(body, model, id, created, words) };
  return { whole: completion(body, model, id, created, words), chunks: completionChunks(body, model, id, created, words) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, data: unknown): void {
  const text = JSON.stringify(data);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-request-id': 'req_local' });
  res.end(text);
}

/** Starts the upstream on 127.0.0.1 (any free port). */
export async function startUpstream(options: UpstreamOptions = {}): Promise<Upstream> {
  const requests: UpstreamRequest[] = [];
  let aborted = 0;
  const words = options.words ?? 24;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      const path = new URL(`http://localhost${req.url ?? '/'}`).pathname;
      let body: Json = {};
      try {
        body = text.length > 0 ? (JSON.parse(text) as Json) : {};
      } catch {
        return sendJson(res, 400, { error: { message: 'invalid JSON', type: 'invalid_request_error', code: null, param: null } });
      }
      if (options.quiet !== true) requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
      if (req.method === 'GET' && path === '/v1/models')
        return sendJson(res, 200, { object: 'list', data: [{ id: 'local-model', object: 'model', created: 0, owned_by: 'local' }] });
      const isModel = req.method === 'POST' && (path === '/v1/chat/completions' || path === '/v1/completions' || path === '/v1/responses');
      if (!isModel)
        return sendJson(res, 404, {
          error: { message: `no route ${path}`, type: 'invalid_request_error', code: 'not_found', param: null },
        });
      const model = typeof body.model === 'string' ? body.model : 'local-model';
      if (model === 'fail-500')
        return sendJson(res, 500, { error: { message: 'The model crashed.', type: 'server_error', code: null, param: null } });
      if (model === 'hang-headers') return; // holds the connection open, says nothing
      if (model === 'slow-headers') await sleep(options.slowMs ?? 150);
      if (model === 'not-json') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('plain text');
      }
      const id = path.endsWith('/responses') ? nextId('resp_') : path.endsWith('/chat/completions') ? nextId('chatcmpl-') : nextId('cmpl-');
      const created = Math.floor(Date.now() / 1000);
      const forms = wireForms(path, body, id, created, words);
      if (body.stream !== true) return sendJson(res, 200, forms.whole);
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.flushHeaders();
      let closed = false;
      res.on('close', () => {
        if (!res.writableFinished) {
          closed = true;
          aborted++;
        }
      });
      const isResponses = path.endsWith('/responses');
      const delay = model === 'slow' ? (options.slowMs ?? 150) : (options.chunkDelayMs ?? 0);
      const half = Math.floor(forms.chunks.length / 2);
      for (let i = 0; i < forms.chunks.length; i++) {
        if (closed) return;
        if (i === half && model === 'cut-halfway') return res.end();
        if (i === half && model === 'reset-halfway') return res.destroy();
        if (i === half && model === 'hang-halfway') return; // silent, connection held open
        const c = forms.chunks[i] as Json;
        res.write(isResponses ? `event: ${String(c.type)}\ndata: ${JSON.stringify(c)}\n\n` : `data: ${JSON.stringify(c)}\n\n`);
        if (delay > 0) await sleep(delay);
        else if (i % 8 === 7) await new Promise((r) => setImmediate(r));
      }
      if (!isResponses) res.write('data: [DONE]\n\n');
      res.end();
    })().catch(() => res.destroy());
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get aborted() {
      return aborted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
