import { isSignetError, SignetError, type SignetErrorCode } from '@signet/core';
import type { InvalidResult, VerificationResult } from './result.js';

// How the verifying fetch reports a failure: as a result, or as an error raised where the body is read.

/** A failed result of the verifying fetch, at the step its code belongs to. */
export function failure(code: SignetErrorCode, message: string, hint?: string): InvalidResult {
  return {
    valid: false,
    kind: 'verification',
    code,
    step: code === 'SIGNET_E_STREAM_TRUNCATED' || code === 'SIGNET_E_ENVELOPE_MISSING' ? 'parse' : 'content',
    message,
    ...(hint === undefined ? {} : { hint }),
  };
}

/** A typed error thrown by a core check, as a failed result. */
export function failureOf(e: unknown): InvalidResult {
  if (isSignetError(e)) return failure(e.code, e.message, e.hint);
  return failure('SIGNET_E_STREAM_MALFORMED', (e as Error)?.message ?? 'The response could not be checked.');
}

/** The SignetError a failed result raises with `throwOnFailure`. */
export function toError(result: VerificationResult): SignetError {
  if (result.valid) throw new TypeError('not a failure');
  return new SignetError(result.code, result.message, { ...(result.hint === undefined ? {} : { hint: result.hint }), step: result.step });
}

/**
 * A body that fails with the verification error when it is read. A rejected `fetch` looks like a
 * network failure to HTTP clients, which retry it and replace the error with their own.
 */
export function failingBody(error: SignetError): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(error);
    },
  });
}
