import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSignetError, SignetError, type StreamKind } from '@signet/core';
import type { AccessLog } from './access-log.js';
import type { AccountStore } from './accounts.js';
import { canonicalPath, splitTarget } from './canonical-path.js';
import type { Cors } from './cors.js';
import type { FetchHandler } from './fetch-middleware.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { AMBIGUOUS, bearerOfHeaders, cleanResponse, DROP_REQUEST } from './gateway-parts.js';
import { checkModelRequest } from './model-request.js';
import { requestFromNode, writeToNode } from './node-http.js';
import type { Readiness } from './readiness.js';
import { answerHeaders, contentType, ownRecordId, pipeAnswer, pumpSealedStream, readAnswerText } from './native-answer.js';
import { STREAM_HEADERS, type ResponseSealer, type SealContext, type TextResponse } from './response-sealer.js';
import type { RouteAllowlist } from './route-allowlist.js';
import { answerToResponse, type UpstreamAnswer, type UpstreamCall, type UpstreamRequest } from './upstream-client.js';

/**
 * The gateway's Node-native request path: `node:http` in, the pooled keep-alive upstream client
 * out. A whole model answer never becomes a Web Request or Response: its body is read once into a
 * buffer, parsed once, sealed by the same `sealText` step the fetch handler's sealer uses, and
 * written with one `end`. Streams, passthrough routes, the JWKS and extension routes take the fetch
 * handler (the one flow every adapter shares); the operational routes (`/healthz`, `/readyz`,
 * `/metrics`, CORS preflights) are answered here without an API key.
 */

/** What the gateway knows about one request while it runs (for the access log and metrics). */
export interface RequestState {
  readonly id: string;
  route: string;
  account?: string;
  outcome?: 'sealed' | 'unsealed';
  failed?: boolean;
}

/** The sealer (undefined: sealing off) and the terms a gateway serves under. */
export interface Serving {
  readonly sealer: ResponseSealer | undefined;
  readonly termsVersion: string;
  readonly termsRef: string;
  /** The account's tag as envelopes carry it (base64url): what the access log names. */
  readonly accountTag: (account: string) => string;
}

/** The pieces of a gateway its Node listener needs. */
export interface NodeGatewayParts {
  readonly handler: FetchHandler;
  /** Per-request state, keyed by the Web Request the fetch handler receives. */
  readonly states: WeakMap<Request, RequestState>;
  readonly routes: RouteAllowlist;
  readonly accounts: AccountStore;
  /**
   * The Node-native upstream call (the gateway's own client). Undefined when a custom upstream
   * `fetch` was given: every request then takes the fetch handler.
   */
  readonly upstreamRequest: ((url: URL, init: UpstreamRequest) => UpstreamCall) | undefined;
  /** The sealer and terms served now (swapped on reload). */
  readonly current: () => Serving;
  readonly metrics: GatewayMetrics;
  readonly metricsText: () => Promise<string>;
  readonly readiness: Readiness;
  readonly cors: Cors | undefined;
  readonly accessLog: AccessLog | undefined;
  readonly upstream: URL;
  readonly basePath: string;
  readonly upstreamApiKey: string | undefined;
  readonly maxRequestBytes: number;
  readonly maxBodyBytes: number;
  readonly onError: ((e: SignetError) => void) | undefined;
  /** Authenticates a model request: the key's entry, or the refusal (401, 503). */
  readonly admit: (key: string | undefined, state: RequestState) => { account: string; termsVersion: string } | Response;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const JSON_HEAD = { 'content-type': 'application/json' };

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, headers);
  res.end(body);
}

function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { message, type: 'signet_error', code, param: null } });
}

/** Reads a Node request body up to `max` bytes; undefined when it is larger. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let over = false;
    let ended = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > max) {
        over = true;
        resolve(undefined);
        return;
      }
      parts.push(c);
    });
    req.once('end', () => {
      ended = true;
      if (!over) resolve(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size));
    });
    req.once('error', reject);
    // A connection that closes before the end of its body is a broken body, not a finished one.
    req.once('close', () => {
      if (!ended && !over) reject(new Error('the connection closed mid-body'));
    });
  });
}

/**
 * The client gets the gateway's request id (the one it sent, or a new one); an id the upstream chose
 * for itself is kept as `x-upstream-request-id`.
 */
function ownRequestId(h: Headers, id: string): Headers {
  const theirs = h.get('x-request-id');
  if (theirs !== null && theirs !== id) h.set('x-upstream-request-id', theirs);
  h.set('x-request-id', id);
  return h;
}

function withRequestId(r: Response, id: string): Response {
  try {
    ownRequestId(r.headers, id);
    return r;
  } catch {
    // Immutable headers (a Response straight from fetch): copy them.
    return new Response(r.body, { status: r.status, statusText: r.statusText, headers: ownRequestId(new Headers(r.headers), id) });
  }
}

/** Builds the Node request listener of a gateway. */
export function createGatewayListener(p: NodeGatewayParts): (req: IncomingMessage, res: ServerResponse) => void {
  const upstreamRequest = p.upstreamRequest;
  // One upstream URL per model route, made once: the path is the canonical one, never the client's spelling.
  const targets = new Map<string, URL>();
  const targetOf = (path: string): URL => {
    let t = targets.get(path);
    if (t === undefined) {
      t = new URL(p.upstream.href);
      t.pathname = `${p.basePath}${path}`;
      t.search = '';
      targets.set(path, t);
    }
    return t;
  };
  const operational = async (path: string, res: ServerResponse): Promise<boolean> => {
    if (path === '/healthz') {
      send(res, 200, { ...JSON_HEAD, 'cache-control': 'no-store' }, '{"status":"ok"}');
      return true;
    }
    if (path === '/readyz') {
      const r = await p.readiness.check();
      send(
        res,
        r.ready ? 200 : 503,
        { ...JSON_HEAD, 'cache-control': 'no-store' },
        JSON.stringify({ status: r.ready ? 'ready' : 'not ready', checks: r.checks }),
      );
      return true;
    }
    if (path === '/metrics') {
      send(res, 200, { 'content-type': p.metrics.contentType }, await p.metricsText());
      return true;
    }
    return false;
  };

  /** The whole-answer path: forwards the checked body, reads the answer, seals its text. */
  const model = async (
    req: IncomingMessage,
    res: ServerResponse,
    st: RequestState,
    path: string,
    kind: StreamKind,
    upstreamRequest: (url: URL, init: UpstreamRequest) => UpstreamCall,
  ): Promise<void> => {
    const { sealer, termsVersion, termsRef } = p.current();
    const admitted = p.admit(bearerOfHeaders(req.headers.authorization, req.headers['api-key']), st);
    if (admitted instanceof Response) return writeToNode(admitted, res);
    const refuse = (status: number, code: string, message: string, extra: Record<string, string> = {}): void =>
      send(res, status, { ...JSON_HEAD, connection: 'close', ...extra }, errorBody(code, message));
    if ((req.url ?? '').includes('?'))
      return refuse(400, 'SIGNET_E_GATEWAY_QUERY_REFUSED', `${path} takes no query string; send every parameter in the body.`);
    if (admitted.termsVersion !== termsVersion)
      return refuse(
        403,
        'SIGNET_E_AUTH_TERMS_NOT_ACCEPTED',
        `Account ${admitted.account} has accepted terms version ${admitted.termsVersion}, but responses are served under ${termsRef}. Accept the current terms to continue.`,
      );
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > p.maxRequestBytes)
      return refuse(413, 'SIGNET_E_INPUT_INVALID', `The request body is larger than ${p.maxRequestBytes} bytes.`);
    const bytes = await readBody(req, p.maxRequestBytes);
    if (bytes === undefined) return refuse(413, 'SIGNET_E_INPUT_INVALID', `The request body is larger than ${p.maxRequestBytes} bytes.`);
    let checked: ReturnType<typeof checkModelRequest>;
    try {
      checked = checkModelRequest(bytes);
    } catch (e) {
      if (!isSignetError(e)) throw e;
      return send(res, 400, JSON_HEAD, errorBody(e.code, e.message));
    }
    const headers: Record<string, string> = {};
    const raw = req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = (raw[i] as string).toLowerCase();
      if (!DROP_REQUEST.has(name)) headers[name] = raw[i + 1] as string;
    }
    if (p.upstreamApiKey !== undefined) headers.authorization = `Bearer ${p.upstreamApiKey}`;
    headers['x-request-id'] = st.id;
    headers['content-length'] = String(bytes.length);
    const context: SealContext = {
      account: admitted.account,
      kind,
      request: checked.request,
      requestDigest: checked.requestDigest,
      route: path,
      onOutcome: (o) => (st.outcome = o),
    };
    const started = performance.now();
    // The gateway's upstream client (pooled keep-alive node:http, with its connect, head and idle
    // timeouts); abandoned when the client goes away.
    const call = upstreamRequest(targetOf(path), { method: 'POST', headers, body: bytes });
    const onClientGone = (): void => {
      if (!res.writableFinished) call.abort(new Error('the client closed the connection'));
    };
    res.once('close', onClientGone);
    let answer: UpstreamAnswer;
    try {
      answer = await call.answer;
    } catch (cause) {
      res.off('close', onClientGone);
      if (res.destroyed) return;
      const err =
        cause instanceof SignetError
          ? cause
          : new SignetError('SIGNET_E_GATEWAY_UPSTREAM', 'The upstream could not be reached.', { cause });
      p.onError?.(err);
      st.failed = true;
      // An upstream that did not answer in time is a gateway timeout (504), told as such.
      if (err.code === 'SIGNET_E_GATEWAY_UPSTREAM_TIMEOUT') return send(res, 504, JSON_HEAD, errorBody(err.code, err.message));
      return send(res, 502, JSON_HEAD, errorBody(err.code, 'The model server could not be reached.'));
    }
    res.off('close', onClientGone);
    p.metrics.upstreamSeconds((performance.now() - started) / 1000);
    const status = answer.status;
    const ok = status >= 200 && status <= 299;
    if (sealer === undefined) return pipeAnswer(answer, res, ownRecordId(answerHeaders(answer), st.id));
    const type = contentType(answer.rawHeaders);
    // Classified as the shared sealer classifies: an event stream first, then JSON.
    if (ok && !answer.empty && type.includes('text/event-stream')) {
      const sealing = sealer.sealStream(status, context);
      res.writeHead(status, answer.statusText, ownRecordId(Object.assign(answerHeaders(answer), STREAM_HEADERS), st.id));
      p.metrics.streams(1);
      try {
        await pumpSealedStream(answer, sealing, res);
      } finally {
        p.metrics.streams(-1);
      }
      return;
    }
    if (ok && !answer.empty && type.includes('json')) {
      // Read once, as text; too large or broken goes to the shared sealer, which records and answers it.
      const text = await readAnswerText(answer, p.maxBodyBytes);
      if (text === undefined) {
        const failed = await sealer.seal(new Response(null, { status, headers: { 'content-type': 'text/plain' } }), context);
        return writeToNode(failed, res);
      }
      const t = performance.now();
      const sealed: TextResponse = await sealer.sealText(
        { status, statusText: answer.statusText, headers: answerHeaders(answer), body: text },
        context,
      );
      p.metrics.sealSeconds((performance.now() - t) / 1000);
      const out = Buffer.from(sealed.body);
      const h = ownRecordId(sealed.headers, st.id);
      h['content-length'] = String(out.length);
      res.writeHead(sealed.status, sealed.statusText, h);
      res.end(out);
      return;
    }
    // Everything else (an error status, a type that cannot be sealed) is rare: the shared sealer
    // marks, records and answers it.
    const web = answerToResponse(answer);
    await writeToNode(withRequestId(await sealer.seal(ok ? web : cleanResponse(web), context), st.id), res);
  };

  const viaHandler = async (req: IncomingMessage, res: ServerResponse, st: RequestState): Promise<void> => {
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort(new Error('the client closed the connection'));
    });
    const request = requestFromNode(req, abort.signal);
    // The request id goes upstream with the request (the handler forwards the client's headers).
    request.headers.set('x-request-id', st.id);
    p.states.set(request, st);
    let response: Response;
    try {
      response = await p.handler(request);
    } catch (e) {
      p.onError?.(
        e instanceof SignetError
          ? e
          : new SignetError('SIGNET_E_GATEWAY_UPSTREAM', 'The gateway failed to answer a request.', { cause: e }),
      );
      response = new Response(errorBody('internal_error', 'The server failed to handle the request.'), { status: 500, headers: JSON_HEAD });
    }
    const stream = (response.headers.get('content-type') ?? '').includes('text/event-stream');
    if (stream) p.metrics.streams(1);
    try {
      await writeToNode(withRequestId(response, st.id), res);
    } finally {
      if (stream) p.metrics.streams(-1);
    }
  };

  return (req, res) => {
    const started = performance.now();
    const given = req.headers['x-request-id'];
    const st: RequestState = { id: typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID(), route: 'other' };
    res.setHeader('x-request-id', st.id);
    const originHeader = req.headers.origin;
    if (p.cors !== undefined && originHeader !== undefined) {
      for (const [k, v] of Object.entries(p.cors.actual(originHeader))) res.setHeader(k, v);
    }
    res.once('close', () => {
      const status = res.statusCode;
      p.metrics.request(st.route, status);
      const modelRoute =
        st.outcome !== undefined ||
        st.failed === true ||
        (st.account !== undefined && p.routes.decide(req.method ?? '', st.route).action === 'seal');
      if (st.outcome !== undefined) p.metrics.answer(st.outcome);
      else if (modelRoute && status >= 500) p.metrics.answer('failed');
      p.accessLog?.({
        requestId: st.id,
        method: req.method ?? '',
        route: st.route,
        status,
        ...(st.account === undefined ? {} : { accountTag: p.current().accountTag(st.account) }),
        ...(st.outcome === undefined ? {} : { sealed: st.outcome }),
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      });
    });
    const run = async (): Promise<void> => {
      // The raw target, before any URL parser resolves dot segments and backslashes in it.
      const c = canonicalPath(splitTarget(req.url ?? '').path);
      if (!c.ok)
        return send(res, 400, { ...JSON_HEAD, connection: 'close' }, errorBody('SIGNET_E_GATEWAY_PATH_AMBIGUOUS', AMBIGUOUS[c.reason]));
      const path = c.path;
      const method = req.method ?? 'GET';
      if (method === 'GET' && (path === '/healthz' || path === '/readyz' || path === '/metrics')) {
        st.route = path;
        await operational(path, res);
        return;
      }
      if (method === 'OPTIONS' && p.cors !== undefined && originHeader !== undefined) {
        const h = p.cors.preflight(originHeader, req.headers['access-control-request-headers']);
        st.route = 'preflight';
        if (h !== undefined) {
          res.writeHead(204, h);
          res.end();
          return;
        }
      }
      const decision = p.routes.decide(method, path);
      if (decision.action !== 'refuse' || path.startsWith('/.well-known/')) st.route = path;
      if (decision.action === 'seal' && upstreamRequest !== undefined) return model(req, res, st, path, decision.kind, upstreamRequest);
      return viaHandler(req, res, st);
    };
    run().catch((e: unknown) => {
      p.onError?.(
        e instanceof SignetError
          ? e
          : new SignetError('SIGNET_E_GATEWAY_UPSTREAM', 'The gateway failed to answer a request.', { cause: e }),
      );
      if (!res.headersSent) send(res, 500, JSON_HEAD, errorBody('internal_error', 'The server failed to handle the request.'));
      else res.destroy();
    });
  };
}
