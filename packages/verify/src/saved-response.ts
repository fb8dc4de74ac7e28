import { canonicalCarrierField, CARRIER_FIELD, fromUtf8, SignetError, type StreamKind } from '@signet/core';
import { createVerifyingFetch, verificationOf, type FetchVerification } from './verifying-fetch.js';
import type { Verifier } from './verifier.js';

/**
 * Verifying a response someone saved: the JSON body of a whole answer, or the capture of a stream
 * (the SSE text as it arrived). The check is the one a verifying fetch makes when the answer
 * arrives, over the same bytes, so a saved answer verifies exactly when the live one did: the body
 * digest, the carrier in its one place and form, and a stream's ending.
 */

/** The `signet` member's envelope of a JSON object, if it has one in its canonical form. */
function memberEnvelope(json: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return canonicalCarrierField((value as Record<string, unknown>)[CARRIER_FIELD])?.envelope;
}

/**
 * The envelope a saved answer carries: the `signet` member of a JSON body, or of the carrier event
 * of a stream capture. Only read, never checked here: verifying is `signet verify`'s job.
 */
export function savedAnswerEnvelope(text: string): string | undefined {
  if (text.startsWith('{')) return memberEnvelope(text);
  if (!/^(data|event|id):/m.test(text)) return undefined;
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    const found = memberEnvelope(line.slice(5).trim());
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Options of {@link verifySavedResponse}. */
export interface SavedResponseOptions {
  readonly verifier: Verifier;
  /** The shape of the answer (the route it came from). Default: from its `object` or event types. */
  readonly kind?: StreamKind;
  /** The request that was sent, to check the request digest. */
  readonly request?: unknown;
}

const ROUTES: Record<StreamKind, string> = { chat: '/v1/chat/completions', completion: '/v1/completions', response: '/v1/responses' };

/** Whether saved bytes are a stream capture (SSE) rather than one JSON body. */
export function isStreamCapture(text: string): boolean {
  const start = text.trimStart();
  return !start.startsWith('{') && /^(data|event|id|retry|:)/m.test(start);
}

function kindOfObject(object: unknown, type: unknown): StreamKind | undefined {
  if (object === 'chat.completion' || object === 'chat.completion.chunk') return 'chat';
  if (object === 'text_completion') return 'completion';
  if (object === 'response' || (typeof type === 'string' && type.startsWith('response.'))) return 'response';
  return undefined;
}

/** The shape of a saved answer, read from its `object` member or its first event. */
export function savedResponseKind(text: string): StreamKind | undefined {
  if (!isStreamCapture(text)) {
    try {
      const v = JSON.parse(text) as { object?: unknown; type?: unknown };
      return kindOfObject(v?.object, v?.type);
    } catch {
      return undefined;
    }
  }
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    try {
      const v = JSON.parse(line.slice(5).trim()) as { object?: unknown; type?: unknown };
      const kind = kindOfObject(v?.object, v?.type);
      if (kind !== undefined) return kind;
    } catch {
      // Not JSON ([DONE], say): look further.
    }
  }
  return undefined;
}

/**
 * Verifies a saved answer (JSON body or SSE capture) with its envelope taken from its carrier.
 *
 * @throws SignetError `SIGNET_E_INPUT_INVALID` when the shape cannot be told and `kind` is not given
 */
export async function verifySavedResponse(bytes: Uint8Array, options: SavedResponseOptions): Promise<FetchVerification> {
  const text = fromUtf8(bytes);
  const stream = isStreamCapture(text);
  const kind = options.kind ?? savedResponseKind(text);
  if (kind === undefined)
    throw new SignetError('SIGNET_E_INPUT_INVALID', 'The saved answer has no `object` (or event type) that says which API it came from.', {
      hint: 'Say it: chat, completion or response.',
    });
  const body = Uint8Array.from(bytes);
  const saved: typeof fetch = () =>
    Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': stream ? 'text/event-stream' : 'application/json' } }));
  const f = createVerifyingFetch({ trust: { keys: [] }, verifier: options.verifier, fetch: saved, checkReplays: false });
  const response = await f(`http://saved.invalid${ROUTES[kind]}`, {
    method: 'POST',
    ...(options.request === undefined ? {} : { body: JSON.stringify(options.request) }),
  });
  // A stream is verified once it has been read to its end.
  await response.arrayBuffer();
  const result = verificationOf(response);
  if (result === undefined) throw new TypeError('the saved answer was not checked');
  return result;
}
