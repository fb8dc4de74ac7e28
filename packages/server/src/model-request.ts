import { digestRequest, getDefaultBackend, SignetError, type CryptoBackend } from '@signet/core';

/**
 * The check a model request passes before anything is forwarded: its body is one JSON object that
 * the seal can digest. Everything that could make sealing fail because of the request (invalid
 * UTF-8, a lone surrogate, nesting deeper than RFC 8785 canonicalization allows) is found here,
 * before the upstream has produced a token, not at the end of a stream that has already been shown.
 */

/** A model request ready to forward: the parsed body and its request digest. */
export interface CheckedModelRequest {
  readonly request: Record<string, unknown>;
  readonly requestDigest: Uint8Array;
}

/** Deepest nesting accepted (the canonicalization's own limit). */
export const MAX_REQUEST_DEPTH = 64;

function invalid(message: string, cause?: unknown): SignetError {
  return new SignetError('SIGNET_E_GATEWAY_REQUEST_INVALID', message, {
    hint: 'Send the request body as one JSON object in UTF-8, without lone surrogates and nested at most 64 levels.',
    ...(cause === undefined ? {} : { cause }),
  });
}

// One decoder for every request: decode() without `stream` keeps no state between calls.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Checks a model request body (its bytes, or its text once decoded) and computes its digest.
 * Throws SIGNET_E_GATEWAY_REQUEST_INVALID when the body is not valid UTF-8, not JSON, not an
 * object, or cannot be canonicalized.
 */
export function checkModelRequest(
  body: Uint8Array | string,
  backend: CryptoBackend = getDefaultBackend(),
): CheckedModelRequest & { readonly text: string } {
  let text: string;
  if (typeof body === 'string') text = body;
  else {
    try {
      text = STRICT_UTF8.decode(body);
    } catch {
      throw invalid('The request body is not valid UTF-8.');
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('The request body is not valid JSON.');
  }
  // The text is what gets forwarded: valid UTF-8, so exactly the bytes the client sent.
  return { ...checkModelRequestValue(parsed, backend), text };
}

/** The same check for a body a framework has already parsed (Express's `req.body`). */
export function checkModelRequestValue(parsed: unknown, backend: CryptoBackend = getDefaultBackend()): CheckedModelRequest {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('The request body is not a JSON object.');
  let requestDigest: Uint8Array;
  try {
    requestDigest = digestRequest(backend, parsed);
  } catch (cause) {
    // The canonicalization names the reason (a lone surrogate, too deep); the message stays generic
    // enough to hold no request content.
    const why = cause instanceof SignetError && cause.code === 'SIGNET_E_PARSE_TOO_DEEP' ? 'nests too deep' : 'cannot be canonicalized';
    throw invalid(`The request body ${why} (${cause instanceof SignetError ? cause.code : 'error'}).`, cause);
  }
  return { request: parsed as Record<string, unknown>, requestDigest };
}
