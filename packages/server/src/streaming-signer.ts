import { SignetError, StreamAssembler, type BodyDigest, type StreamEventKind, type StreamKind, type TermsClaim } from '@signet/core';
import type { SealInput, Sealed, Signer } from './signer.js';

/**
 * The streaming signer: seals a response that arrives as a stream of deltas. It rebuilds the
 * non-streamed response as the deltas pass (with the same {@link StreamAssembler} the verifier
 * uses), so the envelope of a streamed response is exactly the envelope the same response gets when
 * sent whole. Nothing is held back: callers forward each chunk as soon as it is pushed.
 */

/** What a streamed response is sealed for. */
export interface StreamSealInput {
  /** The account id that requested the response. */
  readonly account: string;
  /** The request body (its canonical form is hashed). */
  readonly request?: unknown;
  /** The request digest, computed up front (see `SealInput.requestDigest`). */
  readonly requestDigest?: Uint8Array;
  /** The expected stream shape; taken from the first chunk when omitted. */
  readonly kind?: StreamKind;
  /** Terms for this response, when they differ from the signer's. */
  readonly terms?: TermsClaim;
  /** Model to name when the stream does not (defaults to the request's `model`). */
  readonly model?: string;
  /** Called after the envelope is signed, for example to append it to a transparency log. Errors fail the seal. */
  readonly onSealed?: (sealed: Sealed, input: SealInput) => void | Promise<void>;
}

/** A stream being sealed: push chunks as they pass, then finish. */
export interface StreamingSeal {
  /** Adds one chunk object (a parsed `chat.completion.chunk`, completion chunk or Responses-API event). */
  push(chunk: unknown, event?: string): StreamEventKind;
  /** Adds one SSE event's data text (`[DONE]` included). */
  pushData(data: string, event?: string): StreamEventKind;
  /** The assembler: what has been rebuilt so far. */
  readonly assembled: StreamAssembler;
  /**
   * Signs the envelope. `partial` defaults to "the stream did not finish"; a partial envelope says
   * so in its signed claims, so no verifier accepts it as the whole answer. Throws
   * SIGNET_E_GATEWAY_SEAL_FAILED when there is nothing to seal (no content arrived). `body` is the
   * digest of the exact bytes forwarded before the carrier.
   */
  finish(options?: { partial?: boolean; body?: BodyDigest }): Promise<Sealed>;
}

function modelOf(request: unknown): string | undefined {
  if (request !== null && typeof request === 'object' && typeof (request as { model?: unknown }).model === 'string')
    return (request as { model: string }).model;
  return undefined;
}

/** Starts sealing one streamed response. */
export function createStreamingSeal(signer: Signer, input: StreamSealInput): StreamingSeal {
  if (input === null || typeof input !== 'object') throw new TypeError('createStreamingSeal needs an input object');
  if (typeof input.account !== 'string' || input.account.length === 0) throw new TypeError('account must be a non-empty string');
  const assembled = new StreamAssembler(input.kind);
  let finished: Promise<Sealed> | undefined;
  return {
    assembled,
    push: (chunk, event) => assembled.pushValue(chunk, event),
    pushData: (data, event) => assembled.push(data, event),
    finish(options = {}) {
      // Sealing twice would put two envelopes for one response into the log: the first one stands.
      finished ??= (async () => {
        if (!assembled.hasContent) throw new SignetError('SIGNET_E_GATEWAY_SEAL_FAILED', 'The stream carried no content to seal.');
        const partial = options.partial ?? !assembled.complete;
        const model = assembled.model ?? input.model ?? modelOf(input.request);
        const sealInput: SealInput = {
          account: input.account,
          response: assembled.response(),
          ...(input.request === undefined ? {} : { request: input.request }),
          ...(input.requestDigest === undefined ? {} : { requestDigest: input.requestDigest }),
          ...(model === undefined ? {} : { model }),
          ...(assembled.id === undefined ? {} : { responseId: assembled.id }),
          ...(input.terms === undefined ? {} : { terms: input.terms }),
          ...(partial ? { partial: true } : {}),
          ...(options.body === undefined ? {} : { body: options.body }),
        };
        const sealed = await signer.seal(sealInput);
        if (input.onSealed !== undefined) await input.onSealed(sealed, sealInput);
        return sealed;
      })();
      return finished;
    },
  };
}
